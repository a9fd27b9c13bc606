"""The timeline of debates: sessions on a calendar axis; with a query, where a topic came up."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, request, url_for

from indexer.timeline import debates_timeline

from .. import charts
from ..links import path_quote, templates
from ..twin import respond, twin_route
from .common import anchor, person_url, store

bp = Blueprint("timeline", __name__)

HIT_PAGES = 1  # at most 100 hits (the most recent) are grouped by item and speaker; totals come from the facets
#: beyond this many sessions, the overview (no topic, no year chosen) lists sessions without their agendas
COMPACT_OVER = 24
MAX_QUERY_CHARS = 300


def _topic_hits(query: str) -> tuple[list[Any], dict[str, int], Any]:
    hits: list[Any] = []
    counts: dict[str, int] = {}
    first = None
    for page in range(1, HIT_PAGES + 1):
        result = store().search(query, page=page, per_page=100, sort="date", facets=(page == 1))
        if page == 1:
            first = result
            counts = dict(result.facets.get("session", {}))
        hits.extend(result.hits)
        if page >= result.pages:
            break
    links = templates()  # permalinks from the app's URL templates (copies: a result may be cached)
    return [replace(hit, url=hit.link(links, path_quote)) for hit in hits], counts, first


def timeline_data(args: Any) -> dict[str, Any]:
    typed = args.get("q", "").strip()
    query = typed[:MAX_QUERY_CHARS]
    year = args.get("annee", "").strip()[:4]
    records = store().records()
    cut = f"Requête tronquée à {MAX_QUERY_CHARS} caractères" if len(typed) > MAX_QUERY_CHARS else None
    notice = cut
    suggestion = None
    if query:
        hits, counts, result = _topic_hits(query)
        if result is not None:
            notice = " ; ".join(n for n in (cut, result.notice) if n) or None
            if result.suggestion:
                suggestion = {"query": result.suggestion,
                              "href": url_for("timeline.timeline", q=result.suggestion)}
        timeline = debates_timeline(records, hits, query=query, hit_counts=counts, agenda_years=set())
        grouped = len(hits)
        total = result.total if result is not None else 0
    else:
        compact = not year and len(records) > COMPACT_OVER
        timeline = debates_timeline(records, agenda_years={year} if year else (set() if compact else None))
        grouped, total = 0, 0
    data = timeline.to_dict()
    all_entries = [s for y in data["years"] for s in y["sessions"]]
    ordered = sorted(all_entries, key=lambda e: e["date"])
    chart = charts.calendar_axis(ordered)
    chart_narrow = charts.calendar_axis(ordered, width=360.0)
    for dot in chart["dots"] + chart_narrow["dots"]:
        dot["href"] = url_for("timeline.timeline", q=query or None, annee=dot["date"][:4],
                              _anchor=f"seance-{dot['id']}")
    years_nav = [{"year": y["year"], "sessions": len(y["sessions"]), "hits": y["hits"], "current": y["year"] == year,
                  "href": url_for("timeline.timeline", q=query or None, annee=y["year"])} for y in data["years"]]
    if year:
        data["years"] = [y for y in data["years"] if y["year"] == year]
    compact = not query and not year and len(records) > COMPACT_OVER
    for group in data["years"]:
        group["sessions"].sort(key=lambda e: e["date"], reverse=True)  # newest first, like the years
        for entry in group["sessions"]:
            entry["url"] = url_for("sessions.session", session_id=entry["id"])
            entry["anchor"] = f"seance-{entry['id']}"
            for item in entry["agenda"]:
                item["title"] = (item["title"] or "").rstrip(" |")
                item["url"] = url_for("sessions.session", session_id=entry["id"], _anchor=f"point-{item['id']}")
            for topic in entry["topic"]:
                topic["title"] = (topic["title"] or "").rstrip(" |")
                topic["url"] = url_for("sessions.session", session_id=entry["id"], _anchor=f"point-{topic['id']}") \
                    if topic["in_agenda"] else None
                for sp in topic["speakers"]:
                    sp["url"] = person_url(sp["person_id"])
                topic["permalinks"] = [_permalink(link) for link in topic["links"][:6] if link["url"]]
    data.update({"page": "chronologie", "year": year, "compact": compact, "years_nav": years_nav, "chart": chart, "chart_narrow": chart_narrow,
                 "notice": notice,
                 "suggestion": suggestion, "total_hits": total, "grouped_hits": grouped,
                 "search_url": url_for("search.search", q=query) if query else None,
                 "all_years_href": url_for("timeline.timeline", q=query or None)})
    return data


def _permalink(link: dict[str, str]) -> dict[str, str]:
    labels = {"deliberation": "délibération", "rapport": "rapport annexé", "voeu": "vœu", "passage": "page"}
    label = link["speaker"] or labels.get(link["kind"], link["kind"])
    return {"id": link["id"], "label": f"{label} ({anchor(link['id'])})", "href": link["url"]}


@twin_route(bp, "/chronologie")
def timeline() -> Any:
    return respond(timeline_data(request.args), "timeline.html")
