"""Search: facets, chips, highlighted snippets, sort, pagination, chart, CSV/JSON export."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any
from urllib.parse import quote_plus

from flask import Blueprint, Response, jsonify, request, url_for

from indexer.search.filters import web_facets
from indexer.render import vote_line
from indexer.search.query import MAX_QUERY_CHARS as QUERY_LIMIT
from indexer.units import units_of

from .. import charts
from ..filters import date_fr, kind_label
from ..twin import respond, twin_route
from ..links import path_quote, templates as link_templates
from ..store import trim
from .common import anchor, store

bp = Blueprint("search", __name__)

#: (query parameter, library facet key, French label), in sidebar order: from the library's one table
FACETS = web_facets()
SORTS = {"pertinence": "relevance", "date": "date"}
PER_PAGE = 20
EXPORT_PAGE = 100
EXPORT_LIMIT = 1000
MAX_QUERY_CHARS = QUERY_LIMIT
MAX_VALUE_CHARS = 200
MAX_VALUES = 20  # selected facet values, all facets together
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def read_params(args: Any) -> dict[str, Any]:
    """The search as typed in the URL: q, sort, page and the repeated facet parameters.

    The query is cut at MAX_QUERY_CHARS (`truncated` says so), facet values at MAX_VALUE_CHARS,
    MAX_VALUES in all (the first ones, in facet order): every link of the page repeats them."""
    selected: dict[str, list[str]] = {}
    room = MAX_VALUES
    for param, _, _ in FACETS:
        values = list(dict.fromkeys(v[:MAX_VALUE_CHARS] for v in args.getlist(param) if v.strip()))[:room]
        room -= len(values)
        selected[param] = values
    try:
        page = max(1, min(int(args.get("page", "1")), 1000))
    except ValueError:
        page = 1
    sort = args.get("tri", "pertinence")
    q = args.get("q", "")
    return {"q": q[:MAX_QUERY_CHARS], "truncated": len(q) > MAX_QUERY_CHARS,
            "sort": sort if sort in SORTS else "pertinence", "page": page,
            "selected": {k: v for k, v in selected.items() if v}}


def _notice(params: dict[str, Any], notice: str | None) -> str | None:
    """The library's notice, after the one saying the query was cut."""
    cut = f"Requête tronquée à {MAX_QUERY_CHARS} caractères" if params.get("truncated") else None
    return " ; ".join(dict.fromkeys(n for n in (cut, notice) if n)) or None


def library_filters(selected: dict[str, list[str]]) -> dict[str, list[str]]:
    keys = {param: key for param, key, _ in FACETS}
    return {keys[param]: values for param, values in selected.items()}


#: characters werkzeug leaves unescaped in a query string (as url_for writes it)
_QUERY_SAFE = "!$'()*,/:;?@"


def _pair(key: str, value: Any) -> str:
    return f"{quote_plus(key, _QUERY_SAFE)}={quote_plus(str(value), _QUERY_SAFE)}"


class SearchLinks:
    """The links of one search page, built as url_for would write them but from strings made
    once per request: the path of each endpoint (one url_for each) and each parameter encoded
    once.  A page has a hundred links (facet values, chart bars, pages); url_for for each was
    a third of the page's time."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self._paths: dict[str, str] = {}
        self._pairs: dict[tuple[str, str], str] = {}

    def path(self, endpoint: str) -> str:
        found = self._paths.get(endpoint)
        if found is None:
            found = self._paths[endpoint] = url_for(endpoint)
        return found

    def _encoded(self, key: str, value: Any) -> str:
        k = (key, str(value))
        found = self._pairs.get(k)
        if found is None:
            found = self._pairs[k] = _pair(key, value)
        return found

    def href(self, endpoint: str = "search.search", **changes: Any) -> str:
        """A search URL with some parameters changed (None removes them); filters as repeated params."""
        params = self.params
        state = {"q": params["q"], "tri": params["sort"], "page": params["page"]}
        selected = params["selected"]
        for key, value in changes.items():
            if key == "selected":
                selected = value
            else:
                state[key] = value
        parts = [self._encoded(k, v) for k, v in state.items()
                 if v not in (None, "") and not (k == "page" and v == 1) and not (k == "tri" and v == "pertinence")]
        for param, values in selected.items():
            parts.extend(self._encoded(param, v) for v in values)
        path = self.path(endpoint)
        return f"{path}?{'&'.join(parts)}" if parts else path

    def toggle(self, param: str, value: str) -> str:
        """The first page of this search with `value` of facet `param` chosen or removed."""
        return self.href(selected=_toggle(self.params["selected"], param, value), page=1)


def search_href(params: dict[str, Any], endpoint: str = "search.search", **changes: Any) -> str:
    """A search URL with some parameters changed (None removes them); filters as repeated params."""
    return SearchLinks(params).href(endpoint, **changes)


def _toggle(selected: dict[str, list[str]], param: str, value: str) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in selected.items()}
    values = out.setdefault(param, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return {k: v for k, v in out.items() if v}


def value_label(param: str, value: str, labels: dict[str, str]) -> str:
    if param == "type":
        return kind_label(value)
    if param == "seance":
        return labels.get(value, value)
    if param == "point":
        return labels.get(value, value)
    return value


def _labels() -> dict[str, str]:
    """Display labels for session ids and agenda item ids."""
    def compute() -> dict[str, str]:
        out: dict[str, str] = {}
        for record in store().records():
            out[record.session.id] = date_fr(record.session.date) or record.session.id
            for item in record.agenda:
                title = item.title.rstrip(" |")
                label = f"{item.number}. {title}" if item.number is not None else title
                out.setdefault(item.id, label)
                out.setdefault(item.title, label)
                out.setdefault(title, label)
        return out
    return store().memo("search-labels", compute)


def hit_view(hit: Any, links: dict[str, str] | None = None) -> dict[str, Any]:
    """A hit as the page shows it: its fields and its links, from the app's URL templates."""
    links = links or link_templates()
    data = dict(vars(hit))  # flat fields: the same dict as asdict(), without its deep copy
    data["anchor"] = anchor(hit.id)
    data["permalink"] = data["url"] = hit.link(links, path_quote)
    data["person_url"] = links["person"].format(person=path_quote(hit.person_id)) if hit.person_id else None
    data["session_url"] = links["session"].format(session=path_quote(hit.session))
    data["kind_label"] = kind_label(hit.kind)
    data["item_title"] = (hit.item_title or "").rstrip(" |")
    return data


def search_data(args: Any) -> dict[str, Any]:
    params = read_params(args)
    base = {"page": "recherche", "query": params["q"], "sort": params["sort"], "selected": params["selected"],
            "total": 0, "hits": [], "facets": [], "chips": [], "suggestion": None, "notice": _notice(params, None),
            "pagination": None, "chart": None, "export": None}
    if not params["q"].strip() and not params["selected"]:
        return base
    result = store().search(params["q"], filters=library_filters(params["selected"]), page=params["page"],
                            per_page=PER_PAGE, sort=SORTS[params["sort"]])
    labels = _labels()
    links = SearchLinks(params)
    templates = link_templates()
    facets = []
    for param, key, label in FACETS:
        counts = result.facets.get(key, {})
        chosen = params["selected"].get(param, [])
        values = [{"value": v, "label": value_label(param, v, labels), "count": n, "selected": v in chosen,
                   "href": links.toggle(param, v)}
                  for v, n in counts.items()]
        for v in chosen:  # a selected value with no hit left still shows, so it can be removed
            if v not in counts:
                values.append({"value": v, "label": value_label(param, v, labels), "count": 0, "selected": True,
                               "href": links.toggle(param, v)})
        values.sort(key=lambda v: not v["selected"])  # chosen values stay in sight (stable: counts order)
        if values:
            facets.append({"param": param, "key": key, "label": label, "values": values})
    chips = [{"param": param, "facet": label, "value": v, "label": value_label(param, v, labels),
              "remove": links.toggle(param, v)}
             for param, _, label in FACETS for v in params["selected"].get(param, [])]
    pages = result.pages
    page = result.page
    pagination = {"page": page, "pages": pages,
                  "prev": links.href(page=page - 1) if page > 1 else None,
                  "next": links.href(page=page + 1) if page < pages else None,
                  "links": [{"page": n, "href": links.href(page=n), "current": n == page}
                            for n in _page_window(page, pages)]}
    by_session = result.facets.get("session", {})
    dates = {r.session.id: r.session.date for r in store().records()}
    points = sorted(({"session": sid, "date": dates.get(sid, ""), "label": labels.get(sid, sid), "count": n,
                      "href": links.toggle("seance", sid)}
                     for sid, n in by_session.items()), key=lambda p: (p["date"], p["session"]))
    suggestion = None
    if result.suggestion:
        suggestion = {"query": result.suggestion, "href": search_href({**params, "q": result.suggestion}, page=1)}
    base.update({
        "total": result.total, "hits": [hit_view(h, templates) for h in result.hits], "facets": facets, "chips": chips,
        "suggestion": suggestion, "notice": _notice(params, result.notice), "pagination": pagination,
        "chart": charts.bar_chart(points) if points else None,
        "sort_links": {name: links.href(tri=name, page=1) for name in SORTS},
        "export": {"csv": links.href("search.export_csv", page=None, tri=params["sort"]),
                   "json": links.href("search.export_json", page=None, tri=params["sort"])},
    })
    return base


def _page_window(page: int, pages: int, radius: int = 2) -> list[int]:
    shown = {1, pages, *range(max(1, page - radius), min(pages, page + radius) + 1)}
    return sorted(shown)


@twin_route(bp, "/recherche")
def search() -> Any:
    return respond(search_data(request.args), "search.html")


# -- export -------------------------------------------------------------------------

EXPORT_FIELDS = ("id", "date", "session", "kind", "speaker", "group", "item", "item_title", "number", "page",
                 "url", "vote", "text")


def unit_contents(session_id: str) -> dict[str, dict[str, str]]:
    """The full text of each unit of a session (and the vote of its decisions), by unit id:
    an export gives whole speeches, never their snippets.  Read for the caller alone: an export
    reads each of its sessions once, and the full records other pages use stay cached."""
    record = store().record(session_id, keep=False)
    if record is None:
        return {}
    votes = {d.number: vote_line(d.vote) for d in record.deliberations if d.vote is not None}
    return {u.id: {"text": u.text, "vote": votes.get(u.number, "") if u.kind == "deliberation" else ""}
            for u in units_of(record)}


def all_hits(args: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every hit of a search (up to EXPORT_LIMIT), with the full text of its unit and its vote.

    Hits come by rank, their sessions interleaved: each session's texts are read once for all
    of its hits (one session at a time, in order of first appearance), not once per hit — with
    a few full records in memory, reading them hit by hit read the same records over and over."""
    params = read_params(args)
    meta = {"query": params["q"], "filters": params["selected"], "total": 0, "truncated": False}
    if not params["q"].strip() and not params["selected"]:
        return meta, []
    page = 1
    hits: list[Any] = []
    while len(hits) < EXPORT_LIMIT:
        result = store().search(params["q"], filters=library_filters(params["selected"]), page=page,
                                per_page=EXPORT_PAGE, sort=SORTS[params["sort"]], facets=False)
        meta["total"] = result.total
        hits.extend(result.hits)
        if not result.hits or page >= result.pages:
            break
        page += 1
    by_session: dict[str, list[int]] = {}
    for i, hit in enumerate(hits):
        by_session.setdefault(hit.session, []).append(i)
    links = link_templates()
    rows: list[dict[str, Any]] = [{} for _ in hits]
    for session_id, indexes in by_session.items():
        contents = unit_contents(session_id)
        for i in indexes:
            hit = hits[i]
            data = hit.to_dict()
            content = contents.get(hit.id)
            data["text"] = content["text"] if content else _plain_snippet(hit.snippet)
            data["vote"] = content["vote"] if content else ""
            data["url"] = request.host_url.rstrip("/") + hit.link(links, path_quote)
            rows[i] = data
    contents = None
    trim()  # the texts read (a hundred full records at 100 sessions) given back
    meta["truncated"] = meta["total"] > len(rows)
    return meta, rows


def _plain_snippet(snippet: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", snippet or ""))


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


@bp.route("/recherche.csv")
def export_csv() -> Response:
    _, rows = all_hits(request.args)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        writer.writerow([csv_cell(row.get(f)) for f in EXPORT_FIELDS])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="recherche.csv"'
    return response


@bp.route("/recherche/export.json")
def export_json() -> Response:
    meta, rows = all_hits(request.args)
    response = jsonify({**meta, "hits": [{f: row.get(f) for f in EXPORT_FIELDS} for row in rows]})
    response.headers["Content-Disposition"] = 'attachment; filename="recherche.json"'
    return response
