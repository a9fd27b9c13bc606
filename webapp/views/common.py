"""Small helpers shared by the views: the store, links, summaries of records."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify, redirect, render_template, request, url_for

from indexer.model import Record, Speech, Vote

from ..store import Store


def store() -> Store:
    return current_app.extensions["minutes"]


def anchor(unit_id: str) -> str:
    """"pas-de-calais-2025-09-22/s012" → "s012"."""
    return unit_id.rsplit("/", 1)[-1]


def session_url(session_id: str, fragment: str | None = None) -> str:
    return url_for("sessions.session", session_id=session_id, _anchor=fragment)


def person_url(person_id: str | None) -> str | None:
    return url_for("persons.person", slug=person_id) if person_id else None


def speech_url(speech: Speech, session_id: str) -> str:
    return session_url(session_id, anchor(speech.id))


def session_summary(record: Record) -> dict[str, Any]:
    s = record.session
    return {"id": s.id, "date": s.date, "body": s.body, "kind": s.kind, "url": session_url(s.id),
            "items": len(record.agenda), "speeches": len(record.speeches),
            "deliberations": len(record.deliberations), "wishes": len(record.wishes)}


def excerpt(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"


_POSITIONS = (("for_", "for_groups", "Pour"), ("against", "against_groups", "Contre"),
              ("abstention", "abstention_groups", "Abstention"),
              ("not_voting", "not_voting_groups", "Ne prend pas part au vote"),
              ("absent", "absent_groups", "Absents sans délégation de vote"))


#: a vote's list entry that names a person rather than a group: « Mme DEFOSSEZ », « Monsieur Bernard ROBERT »
_PERSON = re.compile(r"^(?:M\.|MM\.|Mme|Mmes|Mlle|Monsieur|Madame|Messieurs|Mesdames)(?:\s|$)")


def vote_table(vote: Vote | None) -> dict[str, Any] | None:
    """A vote as rows (position, count, groups) plus its totals, ready for a table."""
    if vote is None:
        return None
    rows = []
    for count_field, groups_field, label in _POSITIONS:
        count = getattr(vote, count_field)
        groups = getattr(vote, groups_field)
        if count is None and not groups:
            continue
        rows.append({"position": label, "count": count, "groups": list(groups)})
    values = [g for row in rows for g in row["groups"]]
    persons = [g for g in values if _PERSON.match(g)]
    names = "élus" if values and len(persons) == len(values) else ("groupes" if values and not persons else
                                                                   ("groupes ou élus" if values else ""))
    return {"result": vote.result, "unanimous": vote.unanimous, "rows": rows, "named": names,
            "present": vote.present, "proxies": vote.proxies, "in_office": vote.in_office,
            "deliberation": vote.deliberation,
            "deliberation_url": url_for("deliberations.deliberation", number=vote.deliberation)
            if vote.deliberation else None,
            "page": vote.page, "text": vote.text}


def find_deliberation(number: str) -> tuple[Record, Any] | None:
    """The latest session adopting deliberation `number` (its full record) and the deliberation."""
    for light in reversed(store().records()):
        if light.deliberation(number) is not None:
            record = store().record(light.session.id)
            d = record.deliberation(number) if record else None
            if d is not None:
                return record, d
    return None


def respond_without_twin(data: dict[str, Any], template: str) -> Any:
    """A page whose JSON is served by content negotiation only (Accept: application/json), for
    pages the OpenAPI description does not list yet: no ``.json`` URL is advertised."""
    from ..twin import wants_json

    if wants_json():
        return jsonify(data)
    return render_template(template, data=data, json_href=None)


# -- sources: the indexed PDF, served from the manifest's path only ------------------------

def source_file(session_id: str) -> Any:
    """The indexed source PDF of a session, or None: the path comes from the index manifest (never
    from the request) and the file must still hash to the indexed content."""
    import hashlib
    from pathlib import Path

    from ..store import library

    record = store().light(session_id)
    if record is None:
        return None
    entry = library("index").read_manifest(store().home)["sessions"].get(session_id) or {}
    raw = entry.get("file") or ""  # the absolute path of the file indexed
    if not raw:
        return None
    path = Path(raw)
    try:
        stat = path.stat()
    except OSError:
        return None
    if path.suffix.lower() != ".pdf" or not path.is_file():
        return None

    def digest() -> str:
        h = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    sha = store().memo(f"sha:{path}:{stat.st_size}:{stat.st_mtime_ns}", digest)
    return path if sha == record.session.sha256 else None


def source_url(session_id: str, page: int | None = None) -> str | None:
    """`/sources/<session>.pdf#page=N` when the session's PDF can be served, else None."""
    available = store().memo(f"source:{session_id}", lambda: source_file(session_id) is not None)
    if not available:
        return None
    return url_for("sessions.source_pdf", session_id=session_id) + (f"#page={page}" if page else "")


def stated_number(session_id: str, number: str | None) -> str:
    """The deliberation number as the minutes state it, or "" for a key made up for an unnumbered vote."""
    if not number:
        return ""
    record = store().light(session_id)
    d = record.deliberation(number) if record else None
    return number if d is None or getattr(d, "numbered", True) else ""


def moved_session(session_id: str, **args: Any) -> Any:
    """A 301 to the same page under the session's current id when `session_id` is an old one
    (an earlier release's, a replaced version's), so permalinks stay valid; else None."""
    from ..store import library

    current = library("index").resolve_session_id(session_id, store().home)
    if current and current != session_id:
        return redirect(url_for(request.endpoint, session_id=current, **args), 301)
    return None
