"""Text → Record.

`parse_document` tries each layout parser in turn; the first that recognises the
document produces the record.  A document no parser recognises still gives a
usable record: one passage per page, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ..model import Passage, Record, Session
from ..sources import Document, read_source

if TYPE_CHECKING:
    from .coverage import TextSignals

# (the coverage and date rules are imported by the functions that use them: a process that only needs a
# light module of the package, such as a question-knowledge worker reading a record's tables through
# `report_tables`, does not compile the decision-formula patterns)

#: the layout parsers (modules of this package), in the order they are tried
PARSERS = ("departmental", "municipal", "citycouncil")


def layouts() -> Iterator[ModuleType]:
    """The layout parsers in the order they are tried, each imported when a document first reaches
    it: a process that reads one departmental session never compiles the municipal parser's rules."""
    for name in PARSERS:
        yield import_module(f"{__name__}.{name}")


def load_layouts() -> None:
    """Import every layout parser now (before worker processes are forked, so each starts with them)."""
    for _ in layouts():
        pass


def parse_file(path: str | Path) -> Record:
    return parse_document(read_source(path))


def parse_document(doc: Document, signals: Callable[[], TextSignals] | None = None) -> Record:
    """The record of a document, by the first layout that recognises it.  `signals`: its text's
    coverage signals, counted elsewhere meanwhile (`coverage.measure`)."""
    from .coverage import measure

    for parser in layouts():
        if parser.recognises(doc):
            record = parser.parse(doc)
            break
    else:
        record = parse_pages(doc)
    _no_cell_rows(record)
    record.coverage = measure(doc, record, signals)
    record.warnings[:0] = doc.warnings
    record.session.source = doc.path.name
    record.session.sha256 = doc.sha256
    record.session.pages = len(doc.pages)
    record.session.ocr_pages = doc.ocr_pages
    return record


def _no_cell_rows(record: Record) -> None:
    """Table rows a layout left in a text (a table inside a speech of a layout that keeps no
    tables) become plain lines, their cells named by their columns: no « | » reaches a reader."""
    from ..sources.tables import is_row, plain_rows

    def fix(text: str) -> str:
        return plain_rows(text) if "|" in text and any(is_row(ln) for ln in text.split("\n")) else text

    for sp in record.speeches:
        sp.text = fix(sp.text)
    for p in record.passages:
        p.text = fix(p.text)
    for w in record.wishes:
        w.text = fix(w.text)
    for d in record.deliberations:
        d.report = fix(d.report)
        d.articles = [fix(a) for a in d.articles]


def parse_pages(doc: Document) -> Record:
    """Fallback: one passage per page, so the document is at least searchable."""
    from .dates import find_session_date

    date = find_session_date(doc.text) or ""
    session = Session(id=session_id(doc.path.stem, date), body="", date=date)
    record = Record(session=session, layout="pages")
    from ..sources.tables import plain_rows

    for page in doc.pages:
        if page.text.strip():
            record.passages.append(Passage(id=f"{session.id}/p{page.number:03d}", page=page.number,
                                           text=plain_rows(page.text).strip()))
    record.warnings.append("mise en page non reconnue : le document est indexé page par page")
    if not date:
        record.warnings.append("date de séance introuvable dans le document")
    return record


def session_id(stem: str, date: str) -> str:
    """A provisional session id (the slugged file stem) for the ids of the units a parser
    builds; the index gives the session its identity (body and date: `records.identity_of`)
    and renames them (`records.rekey`)."""
    from ..people import slug

    return slug(stem) or date
