"""The worker side of an index run: what a parse worker makes of one source file.

`parse_for_index` runs in the reading pool (`sources.Prefetch(then=…)`): it parses the
document and, in a worker process, also makes what the run's own process would otherwise
make for it: question knowledge, units and the analysed postings of their text fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .model import Record
from .records import identity_of, rekey
from .units import make_schema, unit_document, units_of, vocabulary


@dataclass
class Stored:
    """A record's question knowledge, stored by the parse worker that built it in the Q&A cache
    under the manifest entry the run will most likely give the record (`record_key`)."""

    sid: str
    key: str


@dataclass
class Parsed:
    """What a parse worker gives back for one file: the record and its question knowledge (or,
    when the worker stored it, `Stored`)."""

    record: Record
    knowledge: object = None
    units: list | None = None  # units_of(record), under the record's own id
    analysed: list | None = None  # per unit, the postings of its text fields (whoosh_writer.analyse_document)
    vocab: str | None = None  # units.vocabulary(units) as JSON
    text: str | None = None  # the record as JSON (`Record.to_json`), as the run writes it


def likely_entry(record: Record, generation: int) -> dict:
    """What of its manifest entry names a record's question knowledge (`qa.store.record_key`),
    as `Publisher.add` will write it if the record keeps its id, in the coming generation."""
    from .parse.version import PARSER_VERSION

    return {"sha256": record.session.sha256, "parser": PARSER_VERSION,
            "record": f"{record.session.id}.{generation}.json"}


def parse_for_index(doc, home: Path | None = None, generation: int | None = None,  # noqa: ANN001, ANN201
                    pool=None):  # noqa: ANN001
    """Parse worker (`Prefetch(then=…)`, a `sources.Document` -> `Parsed`): the record of a document
    and, beside it, its question knowledge, so that the run's own process only places and
    writes.  Given the index's `home` and the coming `generation`, the worker stores the
    knowledge itself (`Stored`) rather than sending it back.  In the run's own process, `pool` (its
    knowledge pool) counts the text's coverage signals meanwhile (`signals_job`)."""
    from .parse import parse_document
    from .qa.knowledge import build
    from .records import displayable
    from .sources import pdf

    record = parse_document(doc, _signals_counted_by(pool, doc))
    record.session.source = displayable(Path(doc.path).name)  # as the run names it
    # the id the session will most likely get (what it is: body and date), so that what is
    # made here under it is used as is (`Publisher.add` makes it again under another id)
    rekey(record, identity_of(record, doc.path).candidate)
    if not pdf.IN_WORKER:  # parsed by the run's own process: its knowledge pool builds it
        return Parsed(record)
    try:
        knowledge = build(record)
        if home is not None and generation is not None:
            entry = likely_entry(record, generation)
            knowledge = Stored(record.session.id, store_knowledge(home, record.session.id, entry, knowledge))
    except Exception:  # noqa: BLE001 - a cache: the run builds it again after its commit
        knowledge = None

    units = units_of(record)
    analysed, counts = analyse_job(units)
    return Parsed(record, knowledge, units, analysed, json.dumps(counts, ensure_ascii=False),
                  record.to_json(indent=None))


def _signals_counted_by(pool, doc):  # noqa: ANN001, ANN202
    """`doc`'s coverage signals counted by a worker of `pool` while this process parses (~0.1 s of
    a generated session), as the function `parse_document` calls for them; None without a pool."""
    if pool is None:
        return None
    try:
        return pool.submit(signals_job, doc).result
    except Exception:  # noqa: BLE001 - a broken pool: counted by the parse
        return None


def signals_job(doc):  # noqa: ANN001, ANN201
    """Knowledge pool worker: a document's coverage signals (`parse.coverage.text_signals`)."""
    from .parse.coverage import text_signals

    return text_signals(doc)


def analyse_job(units: list) -> tuple[list, dict[str, int]]:
    """Units' analysed text fields (`whoosh_writer.analyse_document`) and vocabulary counts
    (`units.vocabulary`): in a parse worker, or the knowledge pool for parts of a large session."""
    from .search.whoosh_writer import analyse_document

    schema = make_schema()
    return [analyse_document(schema, unit_document(u)) for u in units], vocabulary(units)


def segment_job(folder: str, units: list):  # noqa: ANN201
    """Knowledge pool worker (or the run's process, when the worker failed): the last units of a
    large session analysed and written to a segment of their own (`whoosh_pool.write_segment`),
    which the run's writer publishes with its commit."""
    from .records import INDEX_NAME
    from .search.whoosh_pool import write_segment

    return write_segment(folder, INDEX_NAME, [unit_document(u) for u in units])


# -- question knowledge, stored as soon as it is made -------------------------------

def store_knowledge(home: Path, session_id: str, entry: dict, rk) -> str:  # noqa: ANN001
    """A record's question knowledge and its part of the session table, written to the Q&A cache
    under its manifest entry (what `qa.store.knowledge_of` writes for each record it is given),
    so that the run need not keep it: a run that fails leaves cache files no manifest names,
    which the next run's `knowledge_of` removes.  Returns the key they are stored under."""
    from .qa.sessions import summary
    from .qa.store import cache_file, record_key, save_knowledge, summary_file
    from .records import write_pickle

    key = record_key(entry)
    save_knowledge(home, session_id, key, rk)
    write_pickle(summary_file(cache_file(home, session_id, key)), summary(rk))
    return key


def warm_job() -> bool:
    """Knowledge pool worker, forked before the run's one file is parsed: the sentence splitter its
    knowledge jobs need and the coverage rules of `signals_job` (~0.05 s each), imported while the
    run's process reads."""
    from . import sentences  # noqa: F401
    from .parse import coverage  # noqa: F401

    return True


def knowledge_job(home: Path, record: Record, entry: dict) -> bool:
    """Knowledge pool worker: build a record's question knowledge and store it (nothing heavy
    comes back to the run's process)."""
    from .qa.knowledge import build

    store_knowledge(home, record.session.id, entry, build(record))
    return True


def table_job(home: Path, keys: list[tuple[str, str]], waiting: list[str], stop: str,
              timeout: float = 300.0) -> bool:
    """Knowledge pool worker, while the run commits: the Q&A session table of the coming index
    state ((session id, record key) pairs, `qa.store.session_keys`), which `knowledge_of` then
    finds on disk instead of making it after the commit.  The table reads each session's part:
    it waits for the files `waiting` (written by the knowledge jobs still running), and gives up
    (False) when the run creates `stop` (a knowledge job failed) or after `timeout` seconds."""
    import os
    import time

    from .qa.sessions import table_of

    deadline = time.monotonic() + timeout
    while not all(os.path.exists(path) for path in waiting):
        if os.path.exists(stop) or time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    table_of(home, keys)
    return True
