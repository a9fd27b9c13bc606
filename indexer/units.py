"""Record → searchable units, each with an id unique within the index, and the schema
of the search index that holds them (one document per unit)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from whoosh import fields

from .model import Deliberation, Record, ReportTable
from .render import vote_line

REPORT_PASSAGE_CHARS = 3000  # annexed reports are cut into passages of about this size
KINDS = ("intervention", "deliberation", "voeu", "rapport", "tableau", "passage")
KIND_LABELS = {"intervention": "Intervention", "deliberation": "Délibération", "voeu": "Vœu",
               "rapport": "Rapport annexé", "tableau": "Tableau", "passage": "Passage"}
#: relevance of a unit kind relative to the others (1 when absent): a table row, short and
#: dense in figures and column names, ranks below the speech or report that says the same words
KIND_WEIGHTS = {"tableau": 0.25}
#: body rows of a table per search unit (a row, or a small group of rows, is one passage)
TABLE_ROWS_PER_UNIT = 3


@dataclass
class Unit:
    """One searchable piece of a session, with everything a hit shows."""

    id: str  # stable: "<session>/s012", "<session>/d/2025-361", "<session>/v/1", "<session>/r/2025-361/003"
    kind: str  # one of KINDS
    session: str
    date: str  # ISO date of the session
    text: str
    title: str = ""
    speaker: str = ""
    person_id: str = ""
    group: str = ""
    role: str = ""
    item: str = ""  # agenda item id
    item_title: str = ""
    item_no: str = ""  # agenda item number ("2" for "Rapport n°2")
    number: str = ""  # deliberation number ("2025-361") of the unit or of its agenda item
    page: int | None = None
    order: int = 0  # position within the session, for date sorting
    url: str = ""  # permalink path
    ocr: bool = False  # its page was read by optical character recognition (a scanned page)

    @property
    def anchor(self) -> str:
        return self.id.rsplit("/", 1)[-1]


def deliberation_keys(record: Record) -> list[str]:
    """The id part of each deliberation of a record: its number, with `-2`, `-3` … for a
    number the session repeats (two deliberations `D2024-52` give `D2024-52` and
    `D2024-52-2`), so that each has its own unit."""
    used: set[str] = set()
    out = []
    for d in record.deliberations:
        key, n = d.number, 1
        while key in used:
            n += 1
            key = f"{d.number}-{n}"
        used.add(key)
        out.append(key)
    return out


def units_of(record: Record) -> list[Unit]:
    """The searchable units of a record, each with an id unique within the record (and,
    prefixed by the session id, within the index).

    Speeches (kind ``intervention``), deliberations (title, number, articles and vote),
    vœux, annexed reports cut into passages with their page (kind ``rapport``) and,
    for documents whose layout was not recognised, page passages (kind ``passage``).
    """
    sid = record.session.id
    date = record.session.date or ""
    items = {a.id: a for a in record.agenda}
    persons = {p.id: p for p in record.persons}
    units: list[Unit] = []
    order = 0

    def item_fields(item_id: str | None) -> dict:
        item = items.get(item_id or "")
        if item is None:
            return {"item": item_id or "", "item_title": ""}
        return {"item": item.id, "item_title": item.title, "number": item.deliberation or "",
                "item_no": str(item.number) if item.number is not None else ""}

    for sp in record.speeches:
        order += 1
        person = persons.get(sp.person_id or "")
        uid = sp.id if sp.id.startswith(sid + "/") else f"{sid}/s{sp.order:03d}"
        units.append(Unit(
            id=uid, kind="intervention", session=sid, date=date, text=sp.text, speaker=sp.speaker,
            person_id=sp.person_id or "", group=person.group if person else "", role=sp.role,
            page=sp.page, order=order, url=f"/seances/{sid}#{uid.rsplit('/', 1)[-1]}", **item_fields(sp.item)))
    keys = deliberation_keys(record)

    def delib_url(d: Deliberation, key: str) -> str:
        """The deliberation's page; for a number the session repeats, the page of its number
        shows the first one: the others open on their agenda item of the session page."""
        if key == d.number:
            return f"/deliberations/{d.number}"
        return f"/seances/{sid}" + (f"#point-{d.item}" if d.item else "")

    for d, key in zip(record.deliberations, keys):
        order += 1
        base = item_fields(d.item)
        base["number"] = d.number
        units.append(Unit(
            id=f"{sid}/d/{key}", kind="deliberation", session=sid, date=date, title=d.title,
            text=_deliberation_text(d), page=d.page, order=order, url=delib_url(d, key), **base))
    for n, w in enumerate(record.wishes, start=1):
        order += 1
        uid = w.id if w.id.startswith(sid + "/") else f"{sid}/v{n}"
        units.append(Unit(
            id=uid, kind="voeu", session=sid, date=date, title=w.title, text=w.text or w.title,
            group=w.group, page=w.page, order=order, url=f"/voeux/{sid}/{n}", item="voeux", item_title="Vœux"))
    for d, key in zip(record.deliberations, keys):
        base = item_fields(d.item)
        base["number"] = d.number
        for k, (page, text) in enumerate(report_passages(d), start=1):
            order += 1
            units.append(Unit(
                id=f"{sid}/r/{key}/{k:03d}", kind="rapport", session=sid, date=date,
                title=d.report_title or d.title, text=text, page=page, order=order,
                url=f"/deliberations/{d.number}#r{k:03d}" if key == d.number else delib_url(d, key), **base))
        for n, t in enumerate(d.tables, start=1):
            title = table_unit_title(d, t, n)
            for k, text in enumerate(table_passages(t), start=1):
                order += 1
                units.append(Unit(
                    id=f"{sid}/t/{key}/{n:02d}-{k:03d}", kind="tableau", session=sid, date=date, title=title,
                    text=text, page=t.page or d.report_page or d.page, order=order,
                    url=f"/deliberations/{d.number}/tableau-{n}" if key == d.number else delib_url(d, key), **base))
    for p in record.passages:
        order += 1
        uid = p.id if p.id.startswith(sid + "/") else f"{sid}/p{p.page:03d}"
        units.append(Unit(id=uid, kind="passage", session=sid, date=date, text=p.text, page=p.page,
                          order=order, url=f"/seances/{sid}#{uid.rsplit('/', 1)[-1]}"))
    scanned = set(record.session.ocr_pages)
    if scanned:
        for u in units:
            u.ocr = u.page in scanned
    return _unique(units)


def table_unit_title(d: Deliberation, t: ReportTable, n: int) -> str:
    """A table passage's title: the table's own title, or its number in the deliberation, and
    where it stands (« Présentation par fonction — rapport annexé »)."""
    where = "rapport annexé" if t.part == "rapport" else t.part
    return f"{t.title or f'Tableau {n}'} — {where}" if where else (t.title or f"Tableau {n}")


def table_passages(t: ReportTable, size: int | None = None) -> list[str]:
    """The body rows of a table, a few at a time, as plain text: each cell named by its column
    (« Fonction : 2 ENSEIGNEMENT ; … – Dépense : 2 698 113,97 »), one row a line, no « | »."""
    from .parse.report_tables import as_table
    from .sources.tables import row_texts

    size = size or TABLE_ROWS_PER_UNIT
    rows = row_texts(as_table(t))
    return ["\n".join(rows[i:i + size]) for i in range(0, len(rows), size)]


def table_lines(table: ReportTable) -> str:
    """A table as plain text: its cells in reading order, joined by spaces (no « | »)."""
    return " ".join(" ".join(c for c in row if c) for row in [*table.header, *table.rows] if any(row))


def _unique(units: list[Unit]) -> list[Unit]:
    """Any id a parser gave twice (two speeches, two passages of one page) gets `-2`, `-3` …"""
    seen: set[str] = set()
    for u in units:
        if u.id in seen:
            n = 2
            while f"{u.id}-{n}" in seen:
                n += 1
            u.id = f"{u.id}-{n}"
            if u.url.startswith("/seances/"):
                u.url = f"{u.url.split('#', 1)[0]}#{u.anchor}"
        seen.add(u.id)
    return units


def _deliberation_text(d: Deliberation) -> str:
    parts = [f"Délibération n°{d.number}", d.title, *d.articles]  # its tables are units of their own
    if d.vote is not None:
        parts.append("Vote : " + vote_line(d.vote))
        groups = d.vote.abstention_groups + d.vote.against_groups
        if groups:
            parts.append(" ; ".join(groups))
    return "\n\n".join(p for p in parts if p)


def report_passages(d: Deliberation, size: int | None = None, text: str | None = None) -> list[tuple[int | None, str]]:
    """Cut an annexed report (or `text`) into (page, text) passages of about `size` characters,
    at paragraph boundaries.  A form feed in the text starts a new page."""
    report = d.report if text is None else text
    if not report.strip():
        return []
    size = size or REPORT_PASSAGE_CHARS
    page = d.report_page or d.page
    out: list[tuple[int | None, str]] = []
    chunk: list[str] = []
    chunk_page = page
    length = 0
    for block in report.split("\n\n"):
        pieces = block.split("\f")
        for i, piece in enumerate(pieces):
            if i and page is not None:
                page += 1
            piece = piece.strip()
            if not piece:
                continue
            if not chunk:
                chunk_page = page
            chunk.append(piece)
            length += len(piece)
            if length >= size:
                out.append((chunk_page, "\n\n".join(chunk)))
                chunk, length = [], 0
    if chunk:
        out.append((chunk_page, "\n\n".join(chunk)))
    return out


# -- schema -----------------------------------------------------------------------

def _text(boost: float = 1.0, stored: bool = True) -> fields.TEXT:
    from .search.whoosh_analysis import FastPositions, FrenchAnalyzer  # the Whoosh side of indexer.analysis

    f = fields.TEXT(analyzer=FrenchAnalyzer(), stored=stored, field_boost=boost, phrase=True)
    f.format = FastPositions(field_boost=boost)
    return f


def make_schema() -> fields.Schema:
    """One document per unit.  `*_f` fields are exact values in columns, for facets."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        session=fields.ID(stored=True, sortable=True),
        kind=fields.ID(stored=True, sortable=True),
        date=fields.ID(stored=True, sortable=True),
        month=fields.ID(),
        year=fields.ID(sortable=True),
        order=fields.NUMERIC(stored=False, sortable=True, bits=32),
        speaker=_text(2.0),
        speaker_f=fields.ID(sortable=True),
        person_id=fields.ID(stored=True),
        group=_text(),
        group_f=fields.ID(sortable=True),
        role=fields.ID(stored=True),
        item=fields.ID(stored=True),
        item_title=_text(1.5),
        item_f=fields.ID(sortable=True),
        item_no=fields.ID(),
        number=fields.ID(stored=True),
        title=_text(3.0),
        text=_text(),
        page=fields.STORED(),
        url=fields.STORED(),
    )


def unit_document(u: Unit) -> dict:
    return {
        "id": u.id, "session": u.session, "kind": u.kind, "date": u.date or "0000-00-00",
        "month": u.date[:7], "year": u.date[:4] or "inconnue", "order": u.order,
        "speaker": u.speaker, "speaker_f": u.speaker or "", "person_id": u.person_id,
        "group": u.group, "group_f": u.group or "", "role": u.role,
        "item": u.item, "item_title": u.item_title, "item_no": u.item_no,
        "item_f": (f"{u.item_title}" if u.item_title else u.item) or "",
        "number": u.number, "title": u.title, "page": u.page, "url": u.url,
        # `text` is the one field words are matched in: BM25F folded into one field, the title
        # weighs 3 and the speaker 2 (repeated), the group 1; it stores the body only
        "text": "\n\n".join(x for x in (u.title, u.title, u.title, u.speaker, u.speaker, u.group, u.text) if x),
        "_stored_text": u.text,
    }


_WORD = re.compile(r"[^\W\d_]{4,}")


def vocabulary(units: list[Unit]) -> dict[str, int]:
    """Lowercase words (4 letters or more) of the units with their counts, for spelling suggestions."""
    # one pass over the texts and titles in their order (a newline ends a word): the same counts,
    # in the same order, as word by word
    return dict(Counter(map(str.lower, _WORD.findall("\n".join(x for u in units for x in (u.text, u.title))))))
