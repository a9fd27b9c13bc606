"""Vœux: the list and one page each (filing group, signatories, text)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, url_for

from ..twin import respond, twin_route
from .common import moved_session, store

bp = Blueprint("wishes", __name__)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def wishes_data() -> dict[str, Any]:
    rows = []
    for record in reversed(store().records()):
        for n, w in enumerate(record.wishes, start=1):
            rows.append({"title": w.title, "group": w.group, "signatories": len(w.signatories),
                         "outcome": w.outcome, "date": record.session.date, "session": record.session.id,
                         "url": url_for("wishes.wish", session_id=record.session.id, number=n)})
    return {"page": "voeux", "total": len(rows), "wishes": rows}


@twin_route(bp, "/voeux")
def wishes() -> Any:
    return respond(wishes_data(), "wishes.html")


def wish_data(session_id: str, number: int) -> dict[str, Any] | None:
    record = store().record(session_id)
    if record is None or not 1 <= number <= len(record.wishes):
        return None
    w = record.wishes[number - 1]
    return {"page": "voeu", "number": number,
            "wish": {"title": w.title, "group": w.group, "signatories": w.signatories, "outcome": w.outcome,
                     "page": w.page, "paragraphs": _paragraphs(w.text)},
            "session": {"id": session_id, "date": record.session.date, "body": record.session.body,
                        "url": url_for("sessions.session", session_id=session_id)}}


@twin_route(bp, "/voeux/<session_id>/<int:number>")
def wish(session_id: str, number: int) -> Any:
    data = wish_data(session_id, number)
    if data is None:
        return moved_session(session_id, number=number) or abort(404)
    return respond(data, "wish.html")
