"""Home: one search box, one question box, the sessions, a few counts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..store import Unavailable
from ..twin import respond, twin_route
from .common import session_summary, store

bp = Blueprint("home", __name__)


def home_data() -> dict[str, Any]:
    notices: list[str] = []
    try:
        records = store().records()
    except Unavailable as exc:
        records, notices = [], [str(exc)]
    if not records and not notices:
        notices.append("Aucune séance n'est encore indexée : lancez « minutes index corpus/ ».")
    persons = {sp.person_id for r in records for sp in r.speeches if sp.person_id}
    counts = {
        "sessions": len(records),
        "speeches": sum(len(r.speeches) for r in records),
        "speakers": len(persons),
        "deliberations": sum(len(r.deliberations) for r in records),
        "wishes": sum(len(r.wishes) for r in records),
        "words": sum(sp.words for r in records for sp in r.speeches),
    }
    sessions = [session_summary(r) for r in reversed(records)]
    return {"page": "accueil", "counts": counts, "sessions": sessions[:30],
            "more_sessions": max(len(sessions) - 30, 0), "notices": notices,
            "examples": {"search": ["Mercosur", "téléassistance", "2025-361", "orateur:pajot budget"],
                         "question": ["Qui a parlé de l'Eurostar ?",
                                      "Le budget supplémentaire a-t-il été adopté ?"]}}


@twin_route(bp, "/")
def index() -> Any:
    return respond(home_data(), "home.html")
