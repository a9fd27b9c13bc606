"""The decisions register: the list with filters (year, result, words, session), one page each,
the SCDL « Délibérations » CSV, a JSON export with the full text and the vote, an Atom feed."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request, url_for

from indexer.people import fold

from ..store import library
from ..twin import respond, twin_route
from . import decisions as reg
from .common import anchor, excerpt, person_url, source_url, vote_table
from .feeds import atom_response

bp = Blueprint("deliberations", __name__)

PER_PAGE = 50

#: the columns of the SCDL « Délibérations » schema (schema.data.gouv.fr/scdl/deliberations), in order
SCDL_COLUMNS = ("COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM",
                "DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE", "VOTE_EFFECTIF", "VOTE_REEL",
                "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION", "DELIB_URL")


def decision_data(decision: reg.Decision) -> dict[str, Any]:
    record, d = reg.full_deliberation(decision)
    sid = record.session.id
    item = decision.item
    speech_ids = set(d.speeches) if d else set()
    speeches = [sp for sp in record.speeches if sp.id in speech_ids] if speech_ids else \
        [sp for sp in record.speeches if item and sp.item == item.id]
    passages = library("index").report_passages(d) if d else []
    info = reg.summary(decision)
    related = reg.related(decision)
    return {
        "page": "deliberation",
        "deliberation": {
            **info, "visas": d.visas if d else [], "articles": d.articles if d else [],
            "vote": vote_table(decision.vote), "badge": info["vote"],
            "source_url": source_url(sid, decision.page) if decision.page else None,
            "signed_place": d.signed_place if d else "", "signed_date": d.signed_date if d else "",
            "receipt_id": d.receipt_id if d else "", "published": d.published if d else "",
            "report_title": d.report_title.rstrip(" |") if d else "", "report_page": d.report_page if d else None,
            "tables": tables_data(d, sid, decision.key) if d else [],
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
                    "paragraphs": sp.paragraphs, "source_url": source_url(sid, sp.page) if sp.page else None,
                    "url": url_for("sessions.session", session_id=sid, _anchor=anchor(sp.id))} for sp in speeches],
        "related": [reg.summary(o) for o in related],
        "related_search": url_for("deliberations.deliberations", texte=" ".join(sorted(decision.stems)[:3]))
        if decision.stems else None,
    }


#: a table with more body rows than this is folded (`<details>`)
FOLD_ROWS = 8


def tables_data(d: Any, sid: str, key: str, prefix: str = "") -> list[dict[str, Any]]:
    """The tables of a decision (`key`: its URL segment), as a page shows them (header rows, body
    rows, CSV and JSON links); `prefix` keeps their anchors apart on a page of several decisions."""
    out = []
    for n, t in enumerate(d.tables, start=1):
        width = max((len(r) for r in [*t.header, *t.rows]), default=0)
        out.append({"anchor": f"{prefix}t{n:02d}", "number": n, "title": t.title, "label": t.title or f"Tableau {n}",
                    "page": t.page, "part": "rapport annexé" if t.part == "rapport" else t.part,
                    "header": [r + [""] * (width - len(r)) for r in t.header],
                    "rows": [r + [""] * (width - len(r)) for r in t.rows], "size": len(t.rows),
                    "folded": len(t.rows) > FOLD_ROWS,
                    "source_url": source_url(sid, t.page) if t.page else None,
                    "csv_url": url_for("deliberations.table_csv", number=key, n=n),
                    "url": url_for("deliberations.table", number=key, n=str(n)),
                    "json_url": url_for("deliberations.table_json", number=key, n=str(n))})
    return out


def _table_of(number: str, n: int) -> tuple[Any, Any]:
    """The decision and its full deliberation (the register's records are light), or 404."""
    decision = reg.find(number)
    d = reg.full_deliberation(decision)[1] if decision else None
    if d is None or not 1 <= n <= len(d.tables):
        abort(404)
    return decision, d


@bp.route("/deliberations/<number>/tableau-<int:n>.csv")
def table_csv(number: str, n: int) -> Response:
    """One table of a deliberation as CSV (`;`, UTF-8 with BOM, as French spreadsheets open it)."""
    from indexer.parse.report_tables import as_table
    from indexer.sources.tables import to_csv

    _, d = _table_of(number, n)
    body = "\ufeff" + to_csv(as_table(d.tables[n - 1]))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="deliberation-{number}-tableau-{n}.csv"'})


@twin_route(bp, "/deliberations/<number>/tableau-<n>")
def table(number: str, n: str) -> Any:
    """One table of a deliberation on a page of its own (where a search hit on one of its rows
    leads): its title, place, header and rows, its CSV; the JSON twin gives the column names."""
    from indexer.parse.report_tables import as_table

    if not n.isdigit():
        abort(404)
    decision, d = _table_of(number, int(n))
    t = tables_data(d, decision.session.session.id, decision.key)[int(n) - 1]
    page = url_for("deliberations.deliberation", number=decision.key)
    data = {"page": "tableau", "deliberation": {"number": decision.number, "title": decision.title, "url": page,
                                                 "date": decision.date, "tables": len(d.tables)},
            "table": {k: t[k] for k in ("number", "title", "label", "part", "page", "header", "rows", "csv_url",
                                        "source_url")}
            | {"columns": as_table(d.tables[int(n) - 1]).column_names(), "anchor": t["anchor"], "folded": False,
               "json_url": t["json_url"], "url": t["url"], "in_deliberation": f"{page}#{t['anchor']}"}}
    return respond(data, "table.html")


@twin_route(bp, "/deliberations/<number>")
def deliberation(number: str) -> Any:
    decision = reg.find(number)
    if decision is None:
        abort(404)
    return respond(decision_data(decision), "deliberation.html")


def read_filters(args: Any) -> dict[str, str]:
    return {"annee": args.get("annee", "").strip()[:4], "resultat": args.get("resultat", "").strip()[:20],
            "texte": args.get("texte", "").strip()[:200], "seance": args.get("seance", "").strip()[:200]}


def matching(filters: dict[str, str]) -> list[reg.Decision]:
    needles = fold(filters["texte"]).split()
    out = []
    for d in reg.all_decisions():
        if filters["annee"] and d.date[:4] != filters["annee"]:
            continue
        if filters["resultat"] and filters["resultat"] not in d.categories:
            continue
        if filters["seance"] and d.session.session.id != filters["seance"]:
            continue
        if needles:
            hay = reg.haystack(d)
            if not all(n in hay for n in needles):
                continue
        out.append(d)
    return out


def list_data(args: Any) -> dict[str, Any]:
    filters = read_filters(args)
    everything = reg.all_decisions()
    rows = matching(filters)
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(page, pages)
    active = {k: v for k, v in filters.items() if v}

    def href(n: int) -> str:
        return url_for("deliberations.deliberations", **active, page=n if n > 1 else None)

    years: dict[str, int] = {}
    for d in everything:
        years[d.date[:4]] = years.get(d.date[:4], 0) + 1
    sessions = []
    seen = set()
    for d in everything:
        s = d.session.session
        if s.id not in seen:
            seen.add(s.id)
            sessions.append({"id": s.id, "date": s.date})
    return {"page": "deliberations", "filters": filters,
            "options": {"years": [{"value": y, "count": n} for y, n in sorted(years.items(), reverse=True)],
                        "results": [r for r in reg.RESULTS if any(r in d.categories for d in everything)],
                        "sessions": sessions},
            "total": len(rows), "numbered": sum(1 for d in rows if d.number),
            "deliberations": [reg.summary(d) for d in rows[(page - 1) * PER_PAGE:page * PER_PAGE]],
            "pagination": {"page": page, "pages": pages, "prev": href(page - 1) if page > 1 else None,
                           "next": href(page + 1) if page < pages else None},
            "exports": {"scdl": url_for("deliberations.scdl_csv", **active),
                        "json": url_for("deliberations.export_json", **active),
                        "atom": url_for("deliberations.feed", **active)}}


@twin_route(bp, "/deliberations")
def deliberations() -> Any:
    return respond(list_data(request.args), "deliberations.html")


# -- exports ----------------------------------------------------------------------

def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula; None is empty."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def scdl_row(d: reg.Decision, host: str) -> dict[str, Any]:
    """One SCDL line: only what the minutes state; everything else stays empty."""
    v = d.vote
    s = d.session.session
    in_office = (v.in_office if v and v.in_office is not None else s.in_office)
    voters = v.present + v.proxies if v and v.present is not None and v.proxies is not None else None
    return {"COLL_NOM": s.body, "COLL_SIRET": "", "DELIB_ID": d.number, "DELIB_DATE": s.date,
            "DELIB_MATIERE_CODE": "", "DELIB_MATIERE_NOM": "", "DELIB_OBJET": d.title, "BUDGET_ANNEE": "",
            "BUDGET_NOM": "", "PREF_ID": d.deliberation.receipt_id if d.deliberation else "", "PREF_DATE": "",
            "VOTE_EFFECTIF": in_office, "VOTE_REEL": voters,
            "VOTE_POUR": v.for_ if v else None, "VOTE_CONTRE": v.against if v else None,
            "VOTE_ABSTENTION": v.abstention if v else None, "DELIB_URL": host + d.url}


@bp.route("/deliberations.scdl.csv")
def scdl_csv() -> Response:
    host = request.host_url.rstrip("/")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(SCDL_COLUMNS)
    for d in matching(read_filters(request.args)):
        row = scdl_row(d, host)
        writer.writerow([_cell(row[c]) for c in SCDL_COLUMNS])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="deliberations-scdl.csv"'
    return response


@bp.route("/deliberations/export")
def export_json() -> Response:
    """Every matching decision with its full text (articles, or the item's debate) and its vote."""
    host = request.host_url.rstrip("/")
    rows = []
    for d in matching(read_filters(request.args)):
        delib = d.deliberation
        v = d.vote
        rows.append({**reg.summary(d), "url": host + d.url,
                     "articles": delib.articles if delib else [], "visas": delib.visas if delib else [],
                     "vote": {"for": v.for_, "against": v.against, "abstention": v.abstention,
                              "not_voting": v.not_voting, "unanimous": v.unanimous, "result": v.result,
                              "for_groups": v.for_groups, "against_groups": v.against_groups,
                              "abstention_groups": v.abstention_groups, "text": v.text} if v else None})
    response = jsonify({"filters": read_filters(request.args), "total": len(rows), "deliberations": rows})
    response.headers["Content-Disposition"] = 'attachment; filename="deliberations.json"'
    return response


@bp.route("/deliberations/flux.atom")
def feed() -> Response:
    filters = read_filters(request.args)
    entries = [{"id": d.url, "title": (f"{d.number} — " if d.number else "") + d.title, "url": d.url,
                "updated": d.date, "summary": f"{reg.summary(d)['vote'] or d.result} · séance du {d.date}"}
               for d in matching(filters)[:50]]
    label = " ; ".join(f"{k} : {v}" for k, v in filters.items() if v)
    return atom_response("Délibérations" + (f" ({label})" if label else ""),
                         url_for("deliberations.deliberations", **{k: v for k, v in filters.items() if v}), entries)
