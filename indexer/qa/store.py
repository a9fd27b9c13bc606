"""Per-session question knowledge cached on disk, by content hash, beside the index.

Building a session's `RecordKnowledge` (reading its record, splitting sentences, stemming)
costs tens of milliseconds to a second; a pickled copy loads ten times faster. The file
is named by the session's manifest entry (source hash, parser version, record file: a re-parse rebuilds it)
and `VERSION` (bumped when what is built changes), under `$MINUTES_HOME/cache/qa/`.
A missing, stale or unreadable file is rebuilt; a cache that cannot be written only costs
time.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
from pathlib import Path

from ..model import Record
from .knowledge import RecordKnowledge, build
from ..records import write_pickle
from ..summaries import ModelUnpickler

VERSION = 4  # bumped when what `knowledge.build` stores changes


def record_key(entry: dict) -> str:
    """What identifies one published record in the manifest: content hash, parser version and
    record file (named by the generation that wrote it)."""
    return f"{entry.get('sha256') or ''}:{entry.get('parser') or 0}:{entry.get('record') or ''}"


def cache_file(home: Path, session_id: str, key: str) -> Path:
    digest = hashlib.sha256(f"{VERSION}:{session_id}:{key}".encode()).hexdigest()[:32]
    return home / "cache" / "qa" / f"{digest}.pickle"


#: bumped when the session table's layout changes (`qa.sessions.Table`)
TABLE_VERSION = 2


def summary_file(knowledge_file: Path) -> Path:
    """A session's part of the session table (`qa.sessions.summary`), beside its knowledge."""
    return knowledge_file.with_suffix(".terms")


def table_file(home: Path, keys: list[tuple[str, str]]) -> Path:
    """The session table of the index state of these (session id, record key) pairs."""
    digest = hashlib.sha256(repr((TABLE_VERSION, VERSION, sorted(keys))).encode()).hexdigest()[:32]
    return home / "cache" / "qa" / f"sessions-{digest}.table"


def chunks_file(table: Path) -> Path:
    """The postings of a session table, kept apart from it (`qa.sessions._write_table`)."""
    return table.with_suffix(".chunks.npy")


def drop_stale_tables(home: Path, keep: Path | None) -> None:
    """Session tables other than `keep`, and the postings files `keep` does not map."""
    from .sessions import files_of

    folder = home / "cache" / "qa"
    kept = files_of(keep) | {keep.name} if keep is not None else set()
    for path in [*folder.glob("sessions-*.table"), *folder.glob("sessions-*.chunks.npy")]:
        if path.name not in kept:
            path.unlink(missing_ok=True)


class CacheUnpickler(ModelUnpickler):
    """Builds only what the Q&A caches hold: the model's dataclasses (`ModelUnpickler`), the
    knowledge and table classes, arrays; a cache file someone replaced under $MINUTES_HOME/cache
    cannot run code: it is refused (and rebuilt)."""

    ALLOWED = {
        **ModelUnpickler.ALLOWED,
        "builtins": ModelUnpickler.ALLOWED["builtins"] | {"bytearray"},
        "array": frozenset({"array", "_array_reconstructor"}),
        "indexer.qa.knowledge": frozenset({"RecordKnowledge", "Unit"}),
        "indexer.qa.sessions": frozenset({"Table", "Summary"}),
        "numpy": frozenset({"dtype", "ndarray"}),
        "numpy._core.numeric": frozenset({"_frombuffer"}), "numpy.core.numeric": frozenset({"_frombuffer"}),
        "numpy._core.multiarray": frozenset({"_reconstruct", "scalar"}),
        "numpy.core.multiarray": frozenset({"_reconstruct", "scalar"}),
    }


def load_pickle(fh):  # noqa: ANN001, ANN201
    """`pickle.load` restricted to the caches' classes (`CacheUnpickler`)."""
    return CacheUnpickler(fh).load()


def _unpickle(fh):  # noqa: ANN001, ANN202
    """load_pickle without the cyclic garbage collector: the objects a record makes would trigger
    collections that walk every object already in memory (the other sessions kept), for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return load_pickle(fh)
    finally:
        if enabled:
            gc.enable()


def load_knowledge(home: Path, session_id: str, key: str) -> RecordKnowledge | None:
    """The session's knowledge from the disk cache, else built from its record (and cached)."""
    path = cache_file(home, session_id, key)
    try:
        with open(path, "rb") as fh:
            rk = _unpickle(fh)
        if isinstance(rk, RecordKnowledge) and rk.sid == session_id:
            return rk
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        pass
    from ..records import load_record

    record = load_record(session_id, home)
    if record is None:
        return None
    rk = build(record)
    save_knowledge(home, session_id, key, rk)
    return rk


def save_knowledge(home: Path, session_id: str, key: str, rk: RecordKnowledge) -> None:
    """Write one session's knowledge to the disk cache (atomically); failing only costs time."""
    write_pickle(cache_file(home, session_id, key), rk)


def session_keys(sessions: dict[str, dict]) -> list[tuple[str, str]]:
    """The (session id, record key) pairs of a manifest's sessions, by date, as the session
    table of that index state is made and named (`qa.sessions.table_of`)."""
    return [(sid, record_key(e)) for sid, e in sorted(sessions.items(), key=lambda kv: (str(kv[1].get("date") or ""), kv[0]))]


def knowledge_of(home: Path | None, published: list[tuple[Record, dict]],
                 built: dict[str, RecordKnowledge] | None = None) -> None:
    """At index time: precompute and store what questions need of each record just published
    ((record, manifest entry) pairs) — its knowledge, its part of the session table
    (`qa.sessions`) — so that a question never builds them; then the table across the published
    sessions, and drop the files of records no longer published.  `built`: session id → its knowledge
    already made by `knowledge.build` (e.g. in a parse worker process), not made again."""
    from ..records import home_dir, read_manifest
    home = home_dir(home)
    if published:
        from .sessions import summary
    for record, entry in published:
        try:
            rk = (built or {}).get(record.session.id) or build(record)
            key = record_key(entry)
            save_knowledge(home, record.session.id, key, rk)
            write_pickle(summary_file(cache_file(home, record.session.id, key)), summary(rk))
        except Exception:  # noqa: BLE001 - a cache, not the index: a question rebuilds it
            continue
    try:
        sessions = read_manifest(home)["sessions"]
        keep = {cache_file(home, sid, record_key(e)).stem for sid, e in sessions.items()}
        for path in [*(home / "cache" / "qa").glob("*.pickle"), *(home / "cache" / "qa").glob("*.terms")]:
            if path.stem not in keep:
                path.unlink(missing_ok=True)
        keys = session_keys(sessions)
        table = table_file(home, keys)
        if not (table.is_file() and chunks_file(table).is_file()):  # not made during the commit
            from .sessions import table_of

            table_of(home, keys)
        drop_stale_tables(home, table)
    except Exception:  # noqa: BLE001 - a cache, not the index: the first question makes it
        pass
