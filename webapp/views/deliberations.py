"""Deliberations: the list with filters (year, result, text) and one page each."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request, url_for

from indexer.people import fold
from indexer.timeline import vote_badge

from ..store import library
from ..twin import respond, twin_route
from .common import anchor, excerpt, find_deliberation, person_url, store, vote_table

bp = Blueprint("deliberations", __name__)

PER_PAGE = 50


def deliberation_data(number: str) -> dict[str, Any] | None:
    found = find_deliberation(number)
    if found is None:
        return None
    record, d = found
    sid = record.session.id
    item = record.item(d.item)
    speech_ids = set(d.speeches)
    speeches = [sp for sp in record.speeches if sp.id in speech_ids] if speech_ids else \
        [sp for sp in record.speeches if d.item and sp.item == d.item]
    passages = library("index").report_passages(d)
    badge = vote_badge(d.vote)
    return {
        "page": "deliberation",
        "deliberation": {
            "number": d.number, "title": d.title.rstrip(" |"), "visas": d.visas, "articles": d.articles,
            "vote": vote_table(d.vote), "badge": badge.label if badge else "",
            "signed_place": d.signed_place, "signed_date": d.signed_date, "receipt_id": d.receipt_id,
            "published": d.published, "page": d.page, "report_title": d.report_title.rstrip(" |"),
            "report_page": d.report_page,
            "report": [{"anchor": f"r{k:03d}", "page": page,
                        "paragraphs": [p for p in text.split("\n\n") if p.strip()]}
                       for k, (page, text) in enumerate(passages, start=1)],
        },
        "session": {"id": sid, "date": record.session.date, "body": record.session.body,
                    "url": url_for("sessions.session", session_id=sid)},
        "item": {"id": item.id, "number": item.number, "title": item.title.rstrip(" |"),
                 "url": url_for("sessions.session", session_id=sid, _anchor=f"point-{item.id}")} if item else None,
        "debate": [{"id": sp.id, "anchor": anchor(sp.id), "speaker": sp.speaker, "person_url": person_url(sp.person_id),
                    "page": sp.page, "words": sp.words, "excerpt": excerpt(sp.text, 160),
                    "url": url_for("sessions.session", session_id=sid, _anchor=anchor(sp.id))} for sp in speeches],
    }


@twin_route(bp, "/deliberations/<number>")
def deliberation(number: str) -> Any:
    data = deliberation_data(number)
    if data is None:
        abort(404)
    return respond(data, "deliberation.html")


def _haystacks() -> dict[tuple[str, str], str]:
    """Folded number, title and articles of every deliberation, once per index generation."""
    return store().memo("deliberations:haystack", lambda: {
        (r.session.id, d.number): fold(" ".join([d.number, d.title, *d.articles]))
        for r in store().records() for d in r.deliberations})


def list_data(args: Any) -> dict[str, Any]:
    year = args.get("annee", "").strip()[:4]
    result = args.get("resultat", "").strip()[:20]
    text = args.get("texte", "").strip()[:200]
    needle = fold(text)
    rows, years, results = [], set(), set()
    haystacks = _haystacks() if needle else {}
    for record in reversed(store().records()):
        for d in record.deliberations:
            d_year = (record.session.date or "")[:4]
            d_result = d.vote.result if d.vote and d.vote.result else "non indiqué"
            years.add(d_year)
            results.add(d_result)
            if year and d_year != year:
                continue
            if result and d_result != result:
                continue
            if needle and needle not in haystacks.get((record.session.id, d.number), ""):
                continue
            badge = vote_badge(d.vote)
            rows.append({"number": d.number, "title": d.title.rstrip(" |"), "date": record.session.date,
                         "session": record.session.id, "result": d_result, "vote": badge.label if badge else "",
                         "url": url_for("deliberations.deliberation", number=d.number),
                         "excerpt": excerpt(d.articles[0], 180) if d.articles else ""})
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(page, pages)
    filters = {"annee": year, "resultat": result, "texte": text}

    def href(n: int) -> str:
        return url_for("deliberations.deliberations", **{k: v for k, v in filters.items() if v}, page=n if n > 1 else None)

    return {"page": "deliberations", "filters": filters,
            "options": {"years": sorted(years, reverse=True), "results": sorted(results)},
            "total": len(rows), "deliberations": rows[(page - 1) * PER_PAGE:page * PER_PAGE],
            "pagination": {"page": page, "pages": pages, "prev": href(page - 1) if page > 1 else None,
                           "next": href(page + 1) if page < pages else None}}


@twin_route(bp, "/deliberations")
def deliberations() -> Any:
    return respond(list_data(request.args), "deliberations.html")
