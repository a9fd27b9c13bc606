"""Access to the library from the web app: records (cached per index generation), search, answers.

The library modules are imported lazily and guarded, so that a missing piece gives a
clear French message on the page instead of a crash.  One `Store` lives on the app
(``app.extensions["minutes"]``); nothing is kept at module level.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from indexer.config import SERVER_THREADS
from indexer.model import Person, Record

#: seconds during which the index generation is not re-read (keeps requests cheap)
GENERATION_TTL = 2.0
#: an unknown session id re-reads the generation at once, but not more often than this
RECHECK_UNKNOWN = 0.1
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
    records: list[Record]
    by_id: dict[str, Record]
    persons: dict[str, Person]
    cache: dict[str, Any] = field(default_factory=dict)  # per-generation memo (lexicons, ...)


class Store:
    """The records of an index home, re-read when the index changes."""

    def __init__(self, home: Path, threads: int = SERVER_THREADS) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._derived: Derived | None = None
        self._checked = 0.0
        self._questions = threading.BoundedSemaphore(max(1, threads - PAGE_THREADS))
        self._files: dict = {}  # record file → (stamp, Record): a re-index reads only new files

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

    def derived(self) -> Derived:
        now = time.monotonic()
        current = self._derived
        if current is not None and now - self._checked < GENERATION_TTL:
            return current
        with self._lock:
            generation = self._generation()
            self._checked = time.monotonic()
            if self._derived is None or self._derived.generation != generation:
                if self._database():
                    from indexer.search.pg_backend import load_records

                    records = load_records(self._database())
                else:
                    records = library("index").load_records(self.home, cache=self._files)
                self._derived = Derived(generation=generation, records=records,
                                        by_id={r.session.id: r for r in records},
                                        persons=merge_persons(records))
            return self._derived

    def records(self) -> list[Record]:
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

    def record(self, session_id: str) -> Record | None:
        found = self.derived().by_id.get(session_id)
        if found is None and time.monotonic() - self._checked > RECHECK_UNKNOWN:
            # a session indexed in the last GENERATION_TTL seconds: a search may already link to it
            self._checked = 0.0
            found = self.derived().by_id.get(session_id)
        return found

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed once per index generation (e.g. word counts of all speeches)."""
        derived = self.derived()
        if key not in derived.cache:
            derived.cache[key] = compute()
        return derived.cache[key]

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


def merge_persons(records: list[Record]) -> dict[str, Person]:
    """One Person per id across sessions: latest group, union of roles and labels."""
    out: dict[str, Person] = {}
    for record in records:  # records come sorted by date: later sessions win for the group
        for p in record.persons:
            known = out.get(p.id)
            if known is None:
                out[p.id] = Person(id=p.id, name=p.name, civility=p.civility, group=p.group,
                                   roles=list(p.roles), labels=list(p.labels), guest=p.guest)
                continue
            if p.group:
                known.group = p.group
            known.civility = known.civility or p.civility
            known.roles += [r for r in p.roles if r not in known.roles]
            known.labels += [lb for lb in p.labels if lb not in known.labels]
            known.guest = known.guest and p.guest
    return out
