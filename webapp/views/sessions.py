"""Session pages: attendance, the timeline of the session, the full debate by agenda item."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, send_file, url_for

from indexer.model import Record
from indexer.timeline import parse_clock, session_timeline

from .. import charts
from ..twin import respond, twin_route
from .common import anchor, moved_session, person_url, session_summary, source_file, source_url, store, vote_table

bp = Blueprint("sessions", __name__)


def chair_id(record: Record) -> str | None:
    for sp in record.speeches:
        if sp.role.startswith("présid") and sp.person_id:
            return sp.person_id
    president = record.session.president
    person = next((p for p in record.persons if p.name == president), None)
    return person.id if person else None


def _person_link(record: Record, name: str, person_id: str | None = None) -> dict[str, Any]:
    if person_id is None:
        person = next((p for p in record.persons if p.name == name), None)
        person_id = person.id if person else None
    return {"name": name, "id": person_id, "url": person_url(person_id)}


def debate(record: Record) -> list[dict[str, Any]]:
    """The debate grouped by agenda item: speeches, stage directions and votes in order."""
    persons = {p.id: p for p in record.persons}
    scanned = set(record.session.ocr_pages)
    entries: dict[str | None, list[tuple[int, dict[str, Any]]]] = {}
    current = record.agenda[0].id if record.agenda else None
    flow = sorted([(sp.order, "speech", sp) for sp in record.speeches]
                  + [(sd.order, "direction", sd) for sd in record.stage_directions], key=lambda t: t[0])
    for order, kind, unit in flow:
        item = unit.item or current
        current = item
        if kind == "speech":
            person = persons.get(unit.person_id or "")
            entry = {"type": "speech", "id": unit.id, "anchor": anchor(unit.id), "order": unit.order,
                     "speaker": unit.speaker, "person_id": unit.person_id, "person_url": person_url(unit.person_id),
                     "label": unit.label, "role": unit.role, "group": person.group if person else "",
                     "page": unit.page, "paragraphs": unit.paragraphs, "reported": unit.reported,
                     "words": unit.words, "ocr": unit.page in scanned,
                     "permalink": url_for("sessions.session", session_id=record.session.id, _anchor=anchor(unit.id)),
                     "source_url": source_url(record.session.id, unit.page) if unit.page else None,
                     "cite_url": url_for("sessions.cite", session_id=record.session.id, anchor=anchor(unit.id))}
        else:
            entry = {"type": "direction", "id": unit.id, "anchor": anchor(unit.id), "order": unit.order,
                     "text": unit.text, "page": unit.page, "ocr": unit.page in scanned}
        entries.setdefault(item, []).append((order, entry))
    numbered = {d.number for d in record.deliberations if getattr(d, "numbered", True)}
    seen_votes: set[tuple[Any, ...]] = set()
    votes: dict[str | None, list[dict[str, Any]]] = {}
    for vote in record.votes:
        key = (vote.item, vote.for_, vote.against, vote.abstention, vote.result, vote.deliberation)
        if key in seen_votes:
            continue
        seen_votes.add(key)
        votes.setdefault(vote.item, []).append({"type": "vote", **(vote_table(vote) or {}),
                                                "number_shown": vote.deliberation if vote.deliberation in numbered else None})
    out = []
    from .deliberations import tables_data

    decided = {d.item: d for d in reversed(record.deliberations) if d.item}
    for item in sorted(record.agenda, key=lambda a: a.order):
        delib = record.deliberation(item.deliberation) if item.deliberation else None
        decision = delib or decided.get(item.id)
        tables = tables_data(decision, record.session.id, decision.number, prefix=f"point-{item.id}-") \
            if decision is not None and decision.tables else []
        out.append({
            "id": item.id, "anchor": f"point-{item.id}", "number": item.number, "title": item.title.rstrip(" |"),
            "kind": item.kind, "page": item.page,
            "rapporteur": _person_link(record, persons[item.rapporteur].name, item.rapporteur)
            if item.rapporteur in persons else None,
            "deliberation": {"number": delib.number if delib.number in numbered else "", "title": delib.title.rstrip(" |"),
                             "url": url_for("deliberations.deliberation", number=delib.number)} if delib else None,
            "entries": [e for _, e in sorted(entries.get(item.id, []), key=lambda t: t[0])],
            "votes": votes.get(item.id, []),
            # the decision's tables (cut out of its speeches and report), and its page where they all stand
            "tables": tables,
            "decision_url": url_for("deliberations.deliberation", number=decision.number) if tables else None,
        })
    orphans = [e for _, e in entries.get(None, [])]
    if orphans:
        out.append({"id": None, "anchor": "point-hors-ordre-du-jour", "number": None, "title": "Hors ordre du jour",
                    "kind": "segment", "page": None, "rapporteur": None, "deliberation": None,
                    "entries": orphans, "votes": votes.get(None, []), "tables": [], "decision_url": None})
    return out


def session_data(record: Record) -> dict[str, Any]:
    s = record.session
    chair = chair_id(record)
    timeline = session_timeline(record).to_dict()
    for item in timeline["items"]:
        item["title"] = item["title"].rstrip(" |")
        colours = charts.speaker_colours(item["speakers"], chair)
        for speaker, colour in zip(item["speakers"], colours):
            speaker["url"] = person_url(speaker["person_id"])
            speaker["colour"] = colour
        item["anchor"] = f"point-{item['id']}"
    gantt = charts.session_gantt(timeline, chair, parse_clock(s.start))
    gantt_narrow = charts.session_gantt_narrow(timeline, chair, parse_clock(s.start))
    return {
        "page": "seance",
        "session": {**session_summary(record), "start": s.start, "suspension": s.suspension,
                    "resumption": s.resumption, "end": s.end,
                    "president": _person_link(record, s.president) if s.president else None,
                    "secretary": _person_link(record, s.secretary) if s.secretary else None,
                    "in_office": s.in_office, "present": [_person_link(record, n) for n in s.present],
                    "excused": [_person_link(record, n) for n in s.excused],
                    "absent": [_person_link(record, n) for n in s.absent],
                    "proxies": [{"giver": _person_link(record, p.giver, p.giver_id),
                                 "holder": _person_link(record, p.holder, p.holder_id)} for p in s.proxies],
                    "movements": [{"person": _person_link(record, m.person, m.person_id), "kind": m.kind,
                                   "text": m.text, "item": m.item} for m in s.movements],
                    "source": s.source, "pages": s.pages, "layout": record.layout,
                    "ocr_pages": list(s.ocr_pages),
                    "source_url": source_url(s.id)},
        "timeline": timeline,
        "chart": gantt,
        "chart_narrow": gantt_narrow,
        "agenda": debate(record),
        "deliberations": [{"number": d.number if getattr(d, "numbered", True) else "", "title": d.title.rstrip(" |"),
                           "result": d.vote.result if d.vote else "",
                           "url": url_for("deliberations.deliberation", number=d.number)} for d in record.deliberations],
        "wishes": [{"title": w.title, "group": w.group, "url": url_for("wishes.wish", session_id=s.id, number=n)}
                   for n, w in enumerate(record.wishes, start=1)],
        "passages": [{"anchor": anchor(p.id), "page": p.page, "paragraphs": [x for x in p.text.split("\n\n") if x.strip()],
                      "ocr": p.page in set(s.ocr_pages), "source_url": source_url(s.id, p.page)} for p in record.passages],
        "warnings": record.warnings,
        "coverage": coverage_summary(record),
    }


def coverage_summary(record: Record) -> dict[str, Any] | None:
    """What the parser read against what the text signals, for « lecture partielle »."""
    cov = record.coverage
    if cov is None:
        return None
    return {"partial": cov.partial, "decision_formulas": cov.decision_formulas, "votes_read": cov.votes_read,
            "numbered_headings": cov.numbered_headings, "items": cov.items, "decided_items": cov.decided_items,
            "attributed": round(cov.attributed, 3), "pages_with_gaps": cov.pages_with_gaps}


@twin_route(bp, "/seances/<session_id>")
def session(session_id: str) -> Any:
    record = store().record(session_id)
    if record is None:
        return moved_session(session_id) or abort(404)
    return respond(store().memo_recent(f"session:{session_id}", lambda: session_data(record)), "session.html")


def sessions_data() -> dict[str, Any]:
    records = store().records()
    years: dict[str, list[dict[str, Any]]] = {}
    for r in reversed(records):
        years.setdefault((r.session.date or "?")[:4], []).append(session_summary(r))
    return {"page": "seances", "total": len(records),
            "years": [{"year": y, "sessions": ss} for y, ss in years.items()]}


@twin_route(bp, "/seances")
def sessions() -> Any:
    return respond(sessions_data(), "sessions.html")


@bp.route("/sources/<session_id>.pdf")
def source_pdf(session_id: str) -> Any:
    """The indexed PDF of the session (open it at a page with #page=N)."""
    path = source_file(session_id)
    if path is None:
        return moved_session(session_id) or abort(404)
    record = store().record(session_id)
    return send_file(path, mimetype="application/pdf", conditional=True,
                     download_name=record.session.source if record else f"{session_id}.pdf")


@bp.route("/seances/<session_id>/<anchor>/citer")
def cite(session_id: str, anchor: str) -> Any:
    from .cite import citation
    from .common import respond_without_twin

    data = citation(session_id, anchor)
    if data is None:
        abort(404)
    return respond_without_twin(data, "cite.html")


@bp.route("/seances/<session_id>/<anchor>/citation.csl")
def cite_csl(session_id: str, anchor: str) -> Response:
    from .cite import citation, csl_response

    return csl_response(citation(session_id, anchor))


@bp.route("/seances/<session_id>/<anchor>/citation.bib")
def cite_bib(session_id: str, anchor: str) -> Response:
    from .cite import bib_response, citation

    return bib_response(citation(session_id, anchor))
