"""Access to the library from the web app: records, search, answers.

Records are held two ways.  Every published session is in memory as a *light* record
(`indexer.summaries`: no texts), re-read when the index changes: what listing pages need,
at a tenth of the memory, from a cache that loads in a tenth of a second.  Full records
(texts) are read on demand and kept in a bounded cache (`RECORD_CACHE`, least recently used
out first), so a server's memory does not grow with the number of sessions.

The library modules are imported lazily and guarded, so that a missing piece gives a
clear French message on the page instead of a crash.  One `Store` lives on the app
(``app.extensions["minutes"]``); nothing is kept at module level.
"""

from __future__ import annotations

import gc
import importlib
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from indexer.config import SERVER_THREADS
from indexer.model import Record

#: seconds during which the index generation is not re-read (keeps requests cheap)
GENERATION_TTL = 2.0
#: an unknown session id re-reads the generation at once, but not more often than this
RECHECK_UNKNOWN = 0.1
#: full records (with their texts) kept in memory per process, least recently used out first (a generated
#: departmental session holds ~3.5 MB of them and is read again in ~30 ms; a rendered page is cached apart)
RECORD_CACHE = int(os.environ.get("MINUTES_RECORD_CACHE", "2") or 2)
#: server threads always left for the other pages: questions are answered concurrently on
#: the others, and a question that would take one of these gets a "busy" page at once, so
#: slow answers (seconds each on a large corpus) never take every thread from the site
PAGE_THREADS = 4


class Unavailable(Exception):
    """A library module or the index is missing; the message is French and shown as is."""


class Busy(Unavailable):
    """Too many slow requests of one kind at once; try again in a moment."""


def library(name: str) -> ModuleType:
    """`indexer.<name>`, or Unavailable with a message the page can show."""
    try:
        return importlib.import_module(f"indexer.{name}")
    except ImportError as exc:
        labels = {"index": "l'index", "search": "la recherche", "answer": "les réponses aux questions"}
        raise Unavailable(f"Le module de {labels.get(name, name)} n'est pas installé ({exc.name}) : "
                          "cette partie du site est indisponible.") from exc


@dataclass
class Derived:
    """Everything computed from one generation of the records."""

    generation: Any
    records: list[Record]  # light records (no texts), by date
    by_id: dict[str, Record]
    files: dict[str, Path] = field(default_factory=dict)  # session id -> its record file (full record)
    cache: dict[str, Any] = field(default_factory=dict)  # per-generation memo (lexicons, ...)


class Store:
    """The records of an index home, re-read when the index changes."""

    def __init__(self, home: Path, threads: int = SERVER_THREADS, record_cache: int = RECORD_CACHE) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._derived: Derived | None = None
        self._checked = 0.0
        self.last_request = 0.0  # time.monotonic() of the last response (the idle trim reads it)
        self._questions = threading.BoundedSemaphore(max(1, threads - PAGE_THREADS))
        self._light: dict[Path, Record] = {}  # record file → light record: a re-index reads only new files
        self._full: OrderedDict[Path, Record] = OrderedDict()  # record file → full record, bounded
        self._full_lock = threading.Lock()
        self._reading: dict[Path, threading.Lock] = {}
        self.record_cache = max(1, record_cache)

    # -- records --------------------------------------------------------------
    def _database(self) -> str | None:
        """MINUTES_DATABASE_URL: records and index in PostgreSQL, shared by every server."""
        return os.environ.get("MINUTES_DATABASE_URL", "").strip() or None

    def _generation(self) -> Any:
        url = self._database()
        if url:
            from indexer.search import backend_for
            from indexer.search.pg_backend import DatabaseError

            try:
                return ("postgresql", backend_for(str(self.home)).generation())
            except DatabaseError as exc:
                raise Unavailable(str(exc)) from exc
        index = library("index")
        gen = getattr(index, "index_generation", None)
        value = gen(self.home) if gen else None
        folder = self.home / "records"
        try:
            stamp = folder.stat().st_mtime_ns
        except OSError:
            stamp = None
        return (value, stamp)

    def _load(self, generation: Any) -> Derived:
        if self._database():
            from indexer.search.pg_backend import load_records

            full = load_records(self._database())  # the database's records: held whole (no file to re-read)
            return Derived(generation=generation, records=full, by_id={r.session.id: r for r in full})
        from indexer.records import read_manifest

        manifest = read_manifest(self.home)
        records, files, seen = [], {}, set()
        collecting = gc.isenabled()
        gc.disable()  # tens of thousands of small objects at once: collections would only slow it down
        try:
            self._read_lights(manifest, records, files, seen)
        finally:
            if collecting:
                gc.enable()
        for stale in [p for p in self._light if p not in seen]:
            del self._light[stale]
        with self._full_lock:
            for stale in [p for p in self._full if p not in seen]:
                del self._full[stale]
        records.sort(key=lambda r: (r.session.date, r.session.id))
        return Derived(generation=generation, records=records, by_id={r.session.id: r for r in records}, files=files)

    def _read_lights(self, manifest: dict, records: list, files: dict, seen: set) -> None:
        from indexer.records import record_path
        from indexer.summaries import read_light

        for sid in manifest["sessions"]:
            path = record_path(sid, self.home, manifest)
            if path is None:
                continue
            seen.add(path)
            found = self._light.get(path)
            if found is None:
                found = read_light(self.home, path)
                if found is None:
                    continue
                self._light[path] = found
            records.append(found)
            files[found.session.id] = path

    def derived(self) -> Derived:
        now = time.monotonic()
        current = self._derived
        if current is not None and now - self._checked < GENERATION_TTL:
            return current
        with self._lock:
            generation = self._generation()
            self._checked = time.monotonic()
            if self._derived is None or self._derived.generation != generation:
                self._derived = self._load(generation)
            return self._derived

    def records(self) -> list[Record]:
        """Every published session as a light record (no texts: `record()` gives the full one), by date."""
        return self.derived().records

    def stale(self) -> bool:
        """True when the index changed since the records were last loaded (or none were)."""
        current = self._derived
        return current is None or current.generation != self._generation()

    def warm(self, search: bool = True) -> None:
        """What the first requests of a generation need, done ahead: the records (re-read if the
        index changed) and, with `search`, the searcher with its per-generation arrays."""
        if self.stale():
            self._checked = 0.0
        self.derived()
        if search and not self._database():
            warm = getattr(library("search"), "warm", None)
            if warm is not None:
                warm(home=self.home)

    def light(self, session_id: str) -> Record | None:
        """The light record of a session (no texts), or None."""
        found = self.derived().by_id.get(session_id)
        if found is None and time.monotonic() - self._checked > RECHECK_UNKNOWN:
            # a session indexed in the last GENERATION_TTL seconds: a search may already link to it
            self._checked = 0.0
            found = self.derived().by_id.get(session_id)
        return found

    def record(self, session_id: str, keep: bool = True) -> Record | None:
        """The full record of a session (texts included), or None; read from its file on demand
        and kept among the RECORD_CACHE most recently used.  Shared: read only.  With `keep`
        False (a page that reads many sessions in turn: an export, a person's speeches), a record
        not in the cache is read for this caller alone, and the records others visit stay cached."""
        lightweight = self.light(session_id)
        if lightweight is None:
            return None
        derived = self.derived()
        path = derived.files.get(session_id)
        if path is None:  # records from the database are held whole
            return lightweight
        with self._full_lock:
            found = self._full.get(path)
            if found is not None:
                self._full.move_to_end(path)
                return found
            reading = self._reading.setdefault(path, threading.Lock())
        with reading:  # one read per file, however many requests want it at once
            with self._full_lock:
                found = self._full.get(path)
            if found is None:
                from indexer.records import _read_record

                found = _read_record(path)
                if found is None:
                    return None
            if not keep:
                with self._full_lock:
                    self._reading.pop(path, None)
                return found
            with self._full_lock:
                self._full[path] = found
                self._full.move_to_end(path)
                while len(self._full) > self.record_cache:
                    self._full.popitem(last=False)
                self._reading.pop(path, None)
        return found

    def forget_full(self) -> None:
        """Drop the full records read so far (they are read again on demand)."""
        with self._full_lock:
            self._full.clear()

    def full_records(self, newest_first: bool = False):  # noqa: ANN201 - an iterator of Record
        """Every full record, one at a time (by date, or newest first): for the rare page that
        reads every text.  Hold none of them past the loop: memory stays bounded."""
        records = self.records()
        for light_record in (reversed(records) if newest_first else records):
            full = self.record(light_record.session.id, keep=False)
            if full is not None:
                yield full
            full = None
        trim()

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed once per index generation (e.g. word counts of all speeches)."""
        derived = self.derived()
        if key not in derived.cache:
            derived.cache[key] = compute()
        return derived.cache[key]

    def memo_recent(self, key: str, compute: Callable[[], Any], keep: int = 4) -> Any:
        """Like `memo`, but only the `keep` most recently used values of this kind (`key` up to its
        first ":") stay: for values built from one session's full record (its page, its units),
        which would otherwise pile up with every session visited."""
        derived = self.derived()
        kind = key.split(":", 1)[0]
        bucket = derived.cache.setdefault(f"recent:{kind}", OrderedDict())
        if key in bucket:
            bucket.move_to_end(key)
            return bucket[key]
        value = compute()
        bucket[key] = value
        while len(bucket) > keep:
            bucket.popitem(last=False)
        return value

    def has_index(self) -> bool:
        try:
            return bool(self.records())
        except Unavailable:
            return False

    # -- search and answers ---------------------------------------------------
    def search(self, query: str, **kwargs: Any) -> Any:
        return library("search").search(query, home=self.home, **kwargs)

    def ask(self, question: str) -> Any:
        answer = library("answer")
        if not self._questions.acquire(blocking=False):
            raise Busy("Trop de questions sont en cours de traitement : réessayez dans un instant.")
        try:
            return answer.ask(question, home=self.home)
        finally:
            self._questions.release()


def trim() -> None:
    """Give the memory freed by this process back to the system (glibc keeps it otherwise): after
    a page that read many full records in turn."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def release_mapped() -> int:
    """Drop from this process's resident memory the pages of the index and cache files it maps
    read-only (Whoosh's segment files, the search sidecars, the Q&A session table): a search or
    an export touches tens of MB of them, which the process's RSS then counts as its own although
    they are the kernel's page cache, shared by every server process.  The pages stay in the page
    cache: the next search that reads them maps them again without reading the disk.  Only
    read-only `mmap` objects found through the objects that hold them (an attribute, a memoryview,
    a numpy memmap), each released by its own `madvise` under the interpreter lock, so a mapping
    being closed by another thread is never touched.  The bytes released (mapped sizes)."""
    import mmap
    import sys

    option = getattr(mmap, "MADV_DONTNEED", None)
    if option is None:
        return 0
    memmap = getattr(sys.modules.get("numpy"), "memmap", None)
    found: dict[int, mmap.mmap] = {}
    for obj in gc.get_objects():
        kind = type(obj)
        if kind is memoryview:
            try:
                obj = obj.obj
            except ValueError:  # released
                continue
        elif memmap is not None and isinstance(obj, memmap):
            obj = getattr(obj, "_mmap", None)
        elif kind is dict and len(obj) < 64:  # an instance's attributes
            for value in list(obj.values()):
                if type(value) is mmap.mmap:
                    found[id(value)] = value
            continue
        if type(obj) is mmap.mmap:
            found[id(obj)] = obj
    released = 0
    for mapped in found.values():
        try:
            with memoryview(mapped) as view:
                if not view.readonly:  # a writable or copy-on-write map may hold the only copy of its pages
                    continue
            mapped.madvise(option)
            released += len(mapped)
        except (ValueError, OSError, BufferError):  # closed meanwhile, or empty
            continue
    return released
