"""A bounded cache of rendered pages, valid for one generation of the index.

Every page is a pure function of the index and the URL, so a page rendered once can be
served again until the index changes (the generation is part of the key; the first page
of a new generation drops those of the previous one).  Bounded in entries and bytes, least
recently used out first.  Lives on the app, not the module.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

MAX_BYTES = 16 * 1024 * 1024  # per process: a search page is 20-100 kB, so hundreds of pages
MAX_ENTRIES = 4000
MAX_ENTRY_BYTES = 4 * 1024 * 1024


class ResponseCache:
    def __init__(self, max_bytes: int = MAX_BYTES, max_entries: int = MAX_ENTRIES) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, tuple[int, list[tuple[str, str]], bytes]] = OrderedDict()
        self._bytes = 0
        self._generation: Any = None  # the index generation of the pages held (the first part of their keys)
        self._lock = threading.Lock()
        self._computing: dict[Any, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> tuple[int, list[tuple[str, str]], bytes] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: Any, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        if len(body) > MAX_ENTRY_BYTES:
            return
        with self._lock:
            generation = key[0] if isinstance(key, tuple) and key else None
            if generation != self._generation:  # pages of an index state no request asks for any more
                self._entries.clear()
                self._bytes = 0
                self._generation = generation
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[2])
            self._entries[key] = (status, headers, body)
            self._bytes += len(body)
            while self._entries and (self._bytes > self.max_bytes or len(self._entries) > self.max_entries):
                _, (_, _, dropped) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def key_lock(self, key: Any) -> threading.Lock:
        """One lock per page being rendered: concurrent requests for it wait for the first one."""
        with self._lock:
            lock = self._computing.get(key)
            if lock is None:
                lock = self._computing[key] = threading.Lock()
            return lock

    def done(self, key: Any, lock: threading.Lock) -> None:
        with self._lock:
            if self._computing.get(key) is lock:
                del self._computing[key]
        lock.release()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def etag_of(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()
