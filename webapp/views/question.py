"""Questions in plain French, answered from the record with citations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from ..store import Busy, Unavailable
from ..twin import respond, twin_route
from .common import store

bp = Blueprint("question", __name__)

EXAMPLES = ("Qui a parlé de l'Eurostar ?", "Le budget supplémentaire a-t-il été adopté ?",
            "Qui a présidé la séance ?", "Combien de procurations ont été données ?")
MAX_QUESTION_CHARS = 500


def question_data(args: Any) -> dict[str, Any]:
    typed = args.get("q", "").strip()
    question = typed[:MAX_QUESTION_CHARS]
    notice = f"Question tronquée à {MAX_QUESTION_CHARS} caractères" if len(typed) > MAX_QUESTION_CHARS else None
    data: dict[str, Any] = {"page": "question", "question": question, "answer": None, "notice": notice,
                            "examples": list(EXAMPLES)}
    if not question:
        return data
    try:
        data["answer"] = store().ask(question).to_dict()
    except Busy as exc:
        data["notice"] = str(exc)
        data["busy"] = True
    except Unavailable as exc:
        data["notice"] = str(exc)
    return data


@twin_route(bp, "/question")
def question() -> Any:
    data = question_data(request.args)
    response = respond(data, "question.html", status=503 if data.get("busy") else 200)
    return response
