"""The worker side of an index run: what a parse worker makes of one source file.

`parse_for_index` runs in the reading pool (`sources.Prefetch(then=…)`): it parses the
document and, in a worker process, also makes what the run's own process would otherwise
make for it: question knowledge, units and the analysed postings of their text fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import Record
from .records import identity_of, rekey
from .units import make_schema, unit_document, units_of


@dataclass
class Parsed:
    """What a parse worker gives back for one file: the record and its question knowledge."""

    record: Record
    knowledge: object = None
    units: list | None = None  # units_of(record), under the record's own id
    analysed: list | None = None  # per unit, the postings of its text fields (whoosh_writer.analyse_document)


def parse_for_index(doc):  # noqa: ANN001, ANN201 - a sources.Document -> Parsed
    """Parse worker (`Prefetch(then=…)`): the record of a document and, beside it, its
    question knowledge, so that the run's own process only places and writes."""
    from .parse import parse_document
    from .qa.knowledge import build
    from .sources import pdf

    record = parse_document(doc)
    # the id the session will most likely get (what it is: body and date), so that what is
    # made here under it is used as is (`Publisher.add` makes it again under another id)
    rekey(record, identity_of(record, doc.path).candidate)
    if not pdf.IN_WORKER:  # parsed by the run's own process: its knowledge pool builds it
        return Parsed(record)
    try:
        knowledge = build(record)
    except Exception:  # noqa: BLE001 - a cache: the run builds it again after its commit
        knowledge = None
    from .search.whoosh_writer import analyse_document

    units = units_of(record)
    schema = make_schema()
    return Parsed(record, knowledge, units, [analyse_document(schema, unit_document(u)) for u in units])


# -- question knowledge, stored as soon as it is made -------------------------------

def store_knowledge(home: Path, session_id: str, entry: dict, rk) -> None:  # noqa: ANN001
    """A record's question knowledge and its part of the session table, written to the Q&A cache
    under its manifest entry (what `qa.store.knowledge_of` writes for each record it is given),
    so that the run need not keep it: a run that fails leaves cache files no manifest names,
    which the next run's `knowledge_of` removes."""
    from .qa.sessions import summary, summary_file
    from .qa.store import cache_file, record_key, save_knowledge
    from .records import write_pickle

    key = record_key(entry)
    save_knowledge(home, session_id, key, rk)
    write_pickle(summary_file(cache_file(home, session_id, key)), summary(rk))


def knowledge_job(home: Path, record: Record, entry: dict) -> bool:
    """Knowledge pool worker: build a record's question knowledge and store it (nothing heavy
    comes back to the run's process)."""
    from .qa.knowledge import build

    store_knowledge(home, record.session.id, entry, build(record))
    return True
