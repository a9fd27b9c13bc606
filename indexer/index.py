"""The index on disk, as one import: units (`units`), the record store and session
identity (`records`), and a run of `minutes index` (`pipeline`).

Read side: `open_index`, `index_generation`, `read_manifest`, `load_records`,
`load_record`, `resolve_session_id`.  Write side: `index_paths`, `index_records`.
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index

from .pipeline import (SOURCE_SUFFIXES, IndexSummary, Interrupted, Progress, Publisher, Terminated,  # noqa: F401
                       index_paths, index_records, remove_leftovers, session_groups, source_files)
from .records import (INDEX_NAME, IndexBusy, WriterLock, displayable, home_dir, index_generation,  # noqa: F401
                      index_path, load_record, load_records, read_manifest, record_path, records_path,
                      resolve_session_id)
from .units import (KIND_LABELS, KINDS, REPORT_PASSAGE_CHARS, Unit, make_schema, report_passages,  # noqa: F401
                    unit_document, units_of, vocabulary)


def open_index(home: Path | None = None) -> whoosh_index.Index | None:
    """The committed index if it holds any unit (read side), else None: an index a first
    run created but never committed to answers as no index, « aucun résultat »."""
    path = index_path(home)
    if not path.is_dir() or not whoosh_index.exists_in(str(path), indexname=INDEX_NAME):
        return None
    ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
    if ix.is_empty() or ix.doc_count_all() == 0:
        ix.close()
        return None
    return ix
