"""The Whoosh side of the search: snapshots of an index generation, searchers leased per search,
posting lists decoded a block at a time with numpy, vectorised BM25.

A Whoosh searcher reads its files by seek + read, so two threads must never share one: each
search leases a searcher from the pool of the current `Snapshot`; the caches computed from a
generation (facet columns, field lengths, posting sets) are shared by all of them.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import pickle
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate, chain
from pathlib import Path
from pickle import loads
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.filedb import structfile as StructFileModule
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from ..analysis import analyze
from ..index import index_generation, index_path, open_index
from .backend import Budget
from .filters import BY_KEY, FACETS
from .suggest import Vocabulary
from .whoosh_analysis import PACKED

K1, B = 1.2, 0.5  # BM25 parameters (B below the usual 0.75: long speeches are not penalised as much)


class _MemoryFile:
    """A read-only file over a memoryview of the mapped segment, without copying it.

    Whoosh's BufferFile wraps each file of a memory-mapped compound segment in
    ``BytesIO(memoryview)``, which copies the whole file: every searcher opened copied the
    postings, so a pool of searchers multiplied the memory and the first search of a large
    index spent most of its time copying.  This reads the shared mapping in place."""

    __slots__ = ("_buf", "_pos", "closed")

    def __init__(self, buf) -> None:  # noqa: ANN001
        self._buf = buf
        self._pos = 0
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), start + n)
        self._pos = end
        return bytes(self._buf[start:end])

    def readline(self, limit: int = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if limit is None or limit < 0 else min(len(self._buf), start + limit)
        chunk = self._buf[start:end]
        nl = bytes(chunk).find(b"\n") if len(chunk) < 4096 else bytes(chunk[:4096]).find(b"\n")
        stop = start + nl + 1 if nl >= 0 else end
        self._pos = stop
        return bytes(self._buf[start:stop])

    def seek(self, pos: int, whence: int = 0) -> int:
        base = 0 if whence == 0 else self._pos if whence == 1 else len(self._buf)
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self.closed = True


def _buffer_file_init(self, buf, name=None, onclose=None) -> None:  # noqa: ANN001
    self._buf = buf
    self._name = name
    self.file = _MemoryFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


StructFileModule.BufferFile.__init__ = _buffer_file_init


def terms_query(field: str, terms: list[str], boost: float = 1.0) -> Q.Query:
    if len(terms) == 1:
        return Q.Term(field, terms[0], boost=boost)
    return Q.Phrase(field, terms, boost=boost)


def filter_query(key: str, value: str) -> Q.Query:
    """The documents passing one filter value, from its row in `filters.FILTERS`."""
    f = BY_KEY[key]
    if f.match == "date":
        return Q.Term(f.fields[0], value) if len(value) == 10 else Q.Prefix(f.fields[0], value)
    if f.match == "from":
        return Q.TermRange(f.fields[0], value, None)
    if f.match == "to":
        return Q.TermRange(f.fields[0], None, value if len(value) == 10 else value + "\uffff")
    parts: list[Q.Query] = [Q.Term(name, value) for name in f.fields]
    terms = analyze(value) if f.words else []
    if f.number and value.isdigit():
        parts.append(Q.Term(f.number, value))
    elif terms:
        parts.append(Q.And([Q.Term(f.words, t) for t in terms]) if f.all_words else terms_query(f.words, terms))
    return parts[0] if len(parts) == 1 else Q.Or(parts)


def _mask(ids: np.ndarray, n: int) -> np.ndarray:
    """A set of document numbers as a boolean mask over the `n` documents of a generation."""
    out = np.zeros(n, dtype=bool)
    out[ids] = True
    return out


#: bytes the per-search caches of one generation may hold (posting arrays, document masks)
CACHE_BYTES = 96 * 2 ** 20


class Snapshot:
    """One generation of one index home: the caches computed from it, and a pool of searchers
    over the same segments.  A Whoosh searcher reads its files by seek + read, so each search
    leases one of its own; the caches are shared by all."""

    def __init__(self, home: Path, ix, generation: int) -> None:  # noqa: ANN001
        self.home = home
        self.ix = ix
        self.generation = generation
        self.toc = ix._read_toc() if ix is not None else None
        self.columns: dict[str, Any] = {}
        self.sets: dict[tuple[str, str], Any] = {}
        self.sets_bytes = 0
        self.vocab: Vocabulary | None = None
        self._lock = threading.Lock()
        self.preparing = threading.Lock()  # one thread reads the per-generation arrays, the others wait
        self._free: list = []
        self._opened: list = []
        self._users = 0
        self._retired = False

    def _open(self):  # noqa: ANN202
        from whoosh.index import FileIndex
        from whoosh.searching import Searcher

        toc = self.toc
        reader = FileIndex._reader(self.ix.storage, toc.schema, toc.segments, toc.generation)
        return Searcher(reader, weighting=BM25F(B=B, K1=K1), fromindex=self.ix)

    def acquire(self):  # noqa: ANN201
        with self._lock:
            self._users += 1
            if self._free:
                return self._free.pop()
        try:
            searcher = self._open()
        except Exception:
            with self._lock:
                self._users -= 1
            raise
        with self._lock:
            self._opened.append(searcher)
        return searcher

    def release(self, searcher) -> None:  # noqa: ANN001
        with self._lock:
            self._users -= 1
            self._free.append(searcher)
            close = self._retired and self._users == 0
        if close:
            self._close()

    def retire(self) -> None:
        """A newer generation replaces this one: close its searchers once no search uses them."""
        with self._lock:
            self._retired = True
            close = self._users == 0
        if close:
            self._close()

    def _close(self) -> None:
        with self._lock:
            opened, self._opened, self._free = self._opened, [], []
        for s in opened:
            try:
                s.close()
            except Exception:  # noqa: BLE001 - already closed, or files gone
                pass


class Engine:
    """The searchers of one index home, renewed when a commit changes the index.  Searches run
    concurrently: each one leases a searcher of the current snapshot (nothing is held for the
    whole search but that lease)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        generation = index_generation(self.home)
        current = self._snapshot
        if current is not None and current.generation == generation:
            return current
        with self._lock:
            current = self._snapshot
            if current is None or current.generation != generation:
                ix = open_index(self.home)
                fresh = Snapshot(self.home, ix, generation)
                if fresh.toc is not None:
                    fresh.generation = generation = fresh.toc.generation
                self._snapshot = fresh
                if current is not None:
                    current.retire()
            return self._snapshot

    @contextlib.contextmanager
    def view(self, budget: Budget | None = None) -> Iterator[View | None]:
        """A View of the current snapshot for one search (None when there is no index)."""
        for attempt in range(3):
            snap = self.snapshot()
            if snap.ix is None:
                yield None
                return
            try:
                searcher = snap.acquire()
            except OSError:  # segment files of an older generation removed by a commit
                if attempt == 2:
                    raise
                time.sleep(0.05)
                continue
            break
        try:
            yield View(snap, searcher, budget or Budget(None))
        finally:
            snap.release(searcher)


class View:
    """One search's access to a snapshot: its leased searcher and the shared caches."""

    def __init__(self, snap: Snapshot, searcher, budget: Budget) -> None:  # noqa: ANN001
        self.snap = snap
        self.searcher = searcher
        self.budget = budget
        self._columns = snap.columns
        self._sets = snap.sets
        self._blocks: dict[str, list] = {}  # this search's decoded posting blocks, by text term

    def _remember(self, key: tuple, value: Any) -> Any:
        size = sum(v.nbytes for v in value) if isinstance(value, tuple) else getattr(value, "nbytes", 64)
        snap = self.snap
        if snap.sets_bytes + size > CACHE_BYTES or len(self._sets) > 4096:
            self._sets.clear()
            snap.sets_bytes = 0
        self._sets[key] = value
        snap.sets_bytes += size
        return value

    @property
    def size(self) -> int:
        """Number of document slots of the generation (masks are this long)."""
        return len(self.all_docs())

    def prepare(self, facets: bool = True) -> None:
        """Read what every search of this generation needs (live documents, lengths, facet
        columns), once; the first search after a commit pays for it (or the server's warm-up:
        a search that comes meanwhile waits for it rather than reading them a second time)."""
        with self.snap.preparing:
            self.all_docs()
            self.lengths()
            if facets:
                for column in FACETS.values():
                    self.codes(column)

    def column(self, field: str) -> list:
        """Values of a column field for every document number (cached until the index changes);
        "order_asc" / "order_desc" are sort keys (date, position in the session)."""
        col = self._columns.get(field)
        if col is None:
            if field == "order_asc":
                col = list(zip(self.column("date"), self.column("order")))
            elif field == "order_desc":
                col = [(d, -o) for d, o in zip(self.column("date"), self.column("order"))]
            else:
                col = list(self.searcher.reader().column_reader(field))
            self._columns[field] = col
        return col

    def codes(self, field: str) -> tuple[list[str], np.ndarray]:
        """A facet column as (distinct values, value index of each document), read from the
        column's own table of distinct values (one decode per value, not per document)."""
        key = "codes:" + field
        cached = self._columns.get(key)
        if cached is None:
            index: dict[str, int] = {}
            parts = [_leaf_codes(leaf, field, index) for leaf, _ in self.searcher.reader().leaf_readers()]
            codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
            cached = (list(index), codes)
            self._columns[key] = cached
        return cached

    def lengths(self) -> tuple[np.ndarray, float]:
        """Length of the `text` field of every document, and the average length."""
        cached = self._columns.get("lengths:text")
        if cached is None:
            parts = [_leaf_lengths(leaf, "text") for leaf, _ in self.searcher.reader().leaf_readers()]
            arr = np.concatenate(parts) if parts else np.zeros(0)
            live = self.all_docs()
            avg = float(arr[live].mean()) if live.any() else 1.0
            cached = (arr, max(avg, 1.0))
            self._columns["lengths:text"] = cached
        return cached

    def postings(self, term: str, values: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of a `text` term (cached until the index changes);
        with `values`, the decoded blocks with their positions are kept for this search's phrases."""
        key = ("post:text", term)
        cached = self._sets.get(key)
        if cached is None or (values and term not in self._blocks):
            blocks = None
            if values:
                blocks = self._blocks[term] = []
            ids, tf = _posting_arrays(self.searcher, "text", term, blocks)
            if len(ids) and self._deleted():
                keep = self.all_docs()[ids]
                ids, tf = ids[keep], tf[keep]
            cached = self._remember(key, (ids, tf))
        return cached

    def stored(self, docnum: int) -> dict:
        """The stored fields of one document, as Whoosh's `stored_fields` gives them (fields the
        schema no longer has left out), read from its segment without Whoosh's per-field checks."""
        cached = self._columns.get("stored:readers")
        if cached is None:
            subs = self.searcher.subsearchers or [(self.searcher, 0)]
            readers = [getattr(sub.reader(), "_perdoc", None) for sub, _ in subs]
            names = frozenset(self.searcher.schema.names())
            cached = (np.array([offset for _, offset in subs], dtype=np.int64), readers, names)
            self._columns["stored:readers"] = cached
        offsets, readers, names = cached
        i = int(np.searchsorted(offsets, docnum, side="right")) - 1
        perdoc = readers[i] if i >= 0 else None
        if perdoc is None or not hasattr(perdoc, "stored_fields"):
            return self.searcher.stored_fields(docnum)
        return {k: v for k, v in perdoc.stored_fields(docnum - int(offsets[i])).items() if k in names}

    def _deleted(self) -> bool:
        self.all_docs()
        return self._columns["*deleted"]

    def rank(self, terms: set[str], allowed: np.ndarray, limit: int,
             bonus: np.ndarray | None) -> list[tuple[float, int]]:
        """The `limit` best of `allowed` by BM25 over `terms` (vectorised; the title and speaker
        weights are already in the term frequencies), `bonus` documents first."""
        lengths, avg = self.lengths()
        n = len(lengths)
        scores = np.zeros(n, dtype=np.float64)
        for term in sorted(terms):
            if self.budget.spent():
                break
            ids, tf = self.postings(term)
            if not len(ids):
                continue
            key = ("bm25:text", term)
            part = self._sets.get(key)  # the term's BM25 part of each of its documents' scores
            if part is None:
                idf = math.log(n / (len(ids) + 1)) + 1.0
                norm = K1 * (1.0 - B + B * lengths[ids] / avg)
                part = self._remember(key, idf * tf * (K1 + 1.0) / (tf + norm))
            scores[ids] += part  # ids of one term are distinct
        cand = np.flatnonzero(allowed)
        s = scores[cand] * self.kind_weights()[cand]
        if bonus is not None and bonus.any():
            s = s + bonus[cand] * 1000.0
        if len(cand) > limit:
            # every document tied with the cut-off score is kept before ordering, so that ties
            # are broken by document number whatever the limit: pages never overlap or skip
            cutoff = np.partition(-s, limit - 1)[limit - 1]
            keep = -s <= cutoff
            cand, s = cand[keep], s[keep]
        order = np.lexsort((cand, -s))[:limit]
        return [(round(float(s[i]), 4), int(cand[i])) for i in order]

    def kind_weights(self) -> np.ndarray:
        """The relevance weight of every document's kind (`units.KIND_WEIGHTS`, 1 for the others)."""
        cached = self._columns.get("weights:kind")
        if cached is None:
            from ..units import KIND_WEIGHTS

            values, codes = self.codes("kind")
            per_value = np.array([KIND_WEIGHTS.get(v, 1.0) for v in values] or [1.0], dtype=np.float64)
            cached = per_value[codes] if len(codes) else np.ones(0)
            self._columns["weights:kind"] = cached
        return cached

    def all_docs(self) -> np.ndarray:
        """Every live document, as a mask over the generation's document numbers (once per
        generation).  Document sets are masks from here on: intersections, unions and facet
        counts are whole-array operations."""
        docs = self._columns.get("*")
        if docs is None:
            docs = np.ones(self.searcher.reader().doc_count_all(), dtype=bool)
            for leaf, offset in self.searcher.reader().leaf_readers():
                if leaf.has_deletions():
                    dels = np.fromiter(leaf._perdoc.deleted_docs(), dtype=np.int64)
                    docs[dels + offset] = False
            self._columns["*"] = docs
            self._columns["*deleted"] = not docs.all()
        return docs

    def live(self, docs: np.ndarray) -> np.ndarray:
        """`docs` without deleted documents (a no-op for an index without deletions)."""
        live = self.all_docs()
        return docs & live if self._columns["*deleted"] else docs

    def none(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)

    def docs(self, q: Q.Query) -> np.ndarray:
        """Documents matching `q` (a mask).  Terms read whole posting blocks (and are cached
        until the index changes); And / Or become mask operations; prefixes unite their
        words' documents; anything else asks Whoosh.  A spent budget stops an Or between its parts."""
        if isinstance(q, Q.Term):
            return self.term_docs(q.fieldname, q.text)
        if isinstance(q, Q.Phrase) and q.fieldname == "text" and q.slop == 1 and q.words:
            return self.phrase_docs(list(q.words))
        if isinstance(q, Q.Prefix) and q.fieldname == "text":
            return self.prefix_docs(q.text)
        if isinstance(q, Q.And) and q.subqueries:
            out = self.docs(q.subqueries[0])
            for sub in q.subqueries[1:]:
                out = out & self.docs(sub)
            return out
        if isinstance(q, Q.Or) and q.subqueries:
            out = self.docs(q.subqueries[0])
            for sub in q.subqueries[1:]:
                if self.budget.spent():
                    break
                out = out | self.docs(sub)
            return out
        ids = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
        return _mask(ids, self.size)

    def prefix_docs(self, stem: str) -> np.ndarray:
        key = ("prefix:text", stem)
        cached = self._sets.get(key)
        if cached is not None:
            return cached
        out = self.none()
        for i, t in enumerate(self.searcher.reader().expand_prefix("text", stem)):
            if i % 32 == 31 and self.budget.spent():
                return out  # partial: not cached
            out |= self.term_docs("text", t.decode("utf-8") if isinstance(t, bytes) else t)
        return self._remember(key, out)

    def phrase_docs(self, terms: list[str]) -> np.ndarray:
        """Documents where `terms` follow each other: the intersection of the terms' documents,
        then their positions, decoded only for those documents."""
        key = ("phrase:text", " ".join(terms))
        cached = self._sets.get(key)
        if cached is not None:
            return cached
        if len(terms) > 1:
            for t in terms:
                self.postings(t, values=True)  # positions decoded with the documents, once
        cand = self.term_docs("text", terms[0])
        for t in terms[1:]:
            cand = cand & self.term_docs("text", t)
        if len(terms) > 1 and cand.any():
            if self.budget.spent():
                return self.none()
            # positions as sorted keys (document, position − rank in the phrase): the phrase holds
            # where the keys of all its terms meet; each term is read only in the documents left
            keys = _position_keys(self.searcher, terms[0], np.flatnonzero(cand), 0, self._blocks.get(terms[0]))
            for k in range(1, len(terms)):
                if not len(keys):
                    break
                left = np.unique(keys >> 32)
                keys = np.intersect1d(keys, _position_keys(self.searcher, terms[k], left, k, self._blocks.get(terms[k])), assume_unique=True)
            cand = _mask(np.unique(keys >> 32), self.size) if len(keys) else self.none()
        return self._remember(key, cand)

    def term_docs(self, field: str, text: str) -> np.ndarray:
        key = ("term:" + field, text)
        docs = self._sets.get(key)
        if docs is None:
            if field == "text":
                ids = self.postings(text)[0]
            else:
                ids = _posting_arrays(self.searcher, field, text)[0]
            docs = self._remember(key, self.live(_mask(ids, self.size)))
        return docs

    def filter_docs(self, key: str, value: str) -> np.ndarray:
        """Documents passing one filter value (cached until the index changes)."""
        docs = self._sets.get((key, value))
        if docs is None:
            docs = self.docs(filter_query(key, value))
            if not self.budget.cut:  # a cut Or is partial: not kept
                self._remember((key, value), docs)
        return docs

    def filter_union(self, key: str, values: list[str]) -> np.ndarray:
        out = self.filter_docs(key, values[0])
        for v in values[1:]:
            out = out | self.filter_docs(key, v)
        return out

    def vocabulary(self) -> Vocabulary:
        if self.snap.vocab is None:
            counts: Counter[str] = Counter()
            folder = index_path(self.snap.home) / "vocab"
            for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                try:
                    counts.update(json.loads(path.read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    continue
            self.snap.vocab = Vocabulary(counts)
        return self.snap.vocab


_BYTE_LENGTH = np.array([0.0] + [float(byte_to_length(b)) for b in range(1, 256)])
_INT_DTYPES = {1: "u1", 2: ">u2", 4: ">u4", 8: ">u8"}


def _leaf_codes(leaf, field: str, index: dict[str, int]) -> np.ndarray:  # noqa: ANN001
    """Value codes of one segment's column (codes into `index`, which grows with new values)."""
    n = leaf.doc_count_all()
    fieldobj = leaf.schema[field]
    if not leaf.has_column(field):
        value = fieldobj.from_column_value(fieldobj.column_type.default_value())
        return np.full(n, index.setdefault(value, len(index)), dtype=np.int32)
    varbytes = _varbytes(leaf, field, n)
    if varbytes is not None:
        # VarBytes (ID fields' columns): each document's value sliced from one read, in C loops;
        # distinct values decoded once
        buf, starts, ends = varbytes
        found = _distinct_values(buf, starts, ends)
        if found is not None:
            firsts, refs = found
            distinct = [buf[a:b] for a, b in zip(starts[firsts].tolist(), ends[firsts].tolist())]
        else:
            values = list(map(buf.__getitem__, map(slice, starts.tolist(), ends.tolist())))
            distinct = list(dict.fromkeys(values))
            local = dict(zip(distinct, range(len(distinct))))
            refs = np.fromiter(map(local.__getitem__, values), dtype=np.int64, count=n)
        table = np.array([index.setdefault(fieldobj.from_column_value(u), len(index)) for u in distinct],
                         dtype=np.int32)
        return table[refs]
    raw = leaf.column_reader(field, translate=False)
    uniques = getattr(raw, "_uniques", None)
    size = getattr(raw, "_itemsize", None)
    if isinstance(uniques, list) and size in _INT_DTYPES and getattr(raw, "_doccount", None) == n:
        refs = np.frombuffer(raw._dbfile.get(raw._basepos, n * size), dtype=_INT_DTYPES[size]).astype(np.int64)
        table = np.array([index.setdefault(fieldobj.from_column_value(u), len(index)) for u in uniques],
                         dtype=np.int32)
        return table[refs]
    offsets, lengths = getattr(raw, "_offsets", None), getattr(raw, "_lengths", None)
    if offsets is not None and lengths is not None and len(offsets) == n == len(lengths) and n:
        # VarBytes: the values' bytes sliced from one read, distinct values decoded once
        end = max((o + ln for o, ln in zip(offsets, lengths)), default=0)
        buf = raw._dbfile.get(raw._basepos, end) if end else b""
        local: dict[bytes, int] = {}
        refs = np.fromiter((local.setdefault(buf[o:o + ln], len(local)) for o, ln in zip(offsets, lengths)),
                           dtype=np.int64, count=n)
        table = np.array([index.setdefault(fieldobj.from_column_value(u), len(index)) for u in local],
                         dtype=np.int32)
        return table[refs]
    return np.fromiter((index.setdefault(fieldobj.from_column_value(v), len(index)) for v in raw), dtype=np.int32,
                       count=n)


def _varbytes(leaf, field: str, n: int) -> tuple[bytes, np.ndarray, np.ndarray] | None:  # noqa: ANN001
    """(the column's bytes, start and end of each document's value) of a VarBytes column, read
    with numpy from its layout (values, then the lengths array, then the offsets array when
    Whoosh wrote it, then their type codes: see whoosh.columns.VarBytesColumn), instead of
    Whoosh's reader, which rebuilds the offsets one document at a time in Python.  None for
    any other column."""
    from whoosh.columns import VarBytesColumn

    perdoc = getattr(leaf, "_perdoc", None)
    if type(leaf.schema[field].column_type) is not VarBytesColumn or not hasattr(perdoc, "_get_column_file"):
        return None
    colfile, base, length = perdoc._get_column_file(field)
    if length < 1 or n == 0:
        return None
    raw = colfile.get(base, length)
    last = length - 1
    code = chr(raw[last])
    offsets = None
    if code == "X":
        code, off_code = chr(raw[last - 2]), chr(raw[last - 1])
        size = struct.calcsize(off_code)
        last = last - 2 - n * size
        offsets = np.frombuffer(raw, dtype=_array_dtype(off_code), count=n, offset=last).astype(np.int64)
    size = struct.calcsize(code)
    start = last - n * size
    if start < 0 or code not in "bBhHiIlLqQ":
        return None
    lengths = np.frombuffer(raw, dtype=_array_dtype(code), count=n, offset=start).astype(np.int64)
    if offsets is None:
        offsets = np.cumsum(lengths) - lengths
    ends = offsets + lengths
    if len(ends) and (ends.max() > start or (lengths < 0).any()):
        return None
    return raw, offsets, ends


#: distinct values above which a column is read one slice per document
MAX_DISTINCT = 4096
_EDGE = 16


def _distinct_values(buf: bytes, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(first document of each distinct value, value number of every document) for the values
    `buf[starts[i]:ends[i]]`, without a Python object per document.  Documents are grouped by a
    key of fixed width (length, first and last 16 bytes), then every document of a group is
    compared whole with the group's first one, a group at a time; None (the caller slices each
    document) when two values share a key or there are more than MAX_DISTINCT of them."""
    n = len(starts)
    if n == 0:
        return None
    lengths = ends - starts
    data = np.frombuffer(buf, dtype=np.uint8)
    widest = int(lengths.max())
    padded = np.concatenate([data, np.zeros(max(widest, _EDGE) + 1, dtype=np.uint8)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, _EDGE)
    inside = np.arange(_EDGE) < lengths[:, None]
    head = np.where(inside, windows[starts], 0)
    tail = np.where(inside, windows[np.maximum(ends - _EDGE, starts)], 0)
    key = np.ascontiguousarray(np.concatenate(
        [head, tail, lengths.astype(">u4").view(np.uint8).reshape(n, 4)], axis=1).astype(np.uint8))
    # neighbours mostly share their value (the units of a session, of an item): keys are sorted
    # only where they change
    change = np.ones(n, dtype=bool)
    change[1:] = (key[1:] != key[:-1]).any(axis=1)
    runs = np.flatnonzero(change)
    _, run_firsts, run_refs = np.unique(key[runs].view(np.dtype((np.void, key.shape[1]))).ravel(),
                                        return_index=True, return_inverse=True)
    firsts = runs[run_firsts]
    refs = run_refs.ravel()[np.cumsum(change) - 1]
    if len(firsts) > MAX_DISTINCT:
        return None
    by_group = np.argsort(refs, kind="stable")
    bounds = np.searchsorted(refs[by_group], np.arange(len(firsts) + 1))
    for g, first in enumerate(firsts.tolist()):
        width = int(lengths[first])
        if width <= 2 * _EDGE:
            continue  # the key holds the whole value
        members = by_group[bounds[g]:bounds[g + 1]]
        rows = np.lib.stride_tricks.sliding_window_view(padded, width)[starts[members]]
        if not (rows == rows[0]).all():
            return None
    order = np.argsort(firsts, kind="stable")  # distinct values in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return firsts[order], rank[refs]


def _array_dtype(code: str) -> str:
    """The numpy dtype of a Whoosh array written big-endian with this `array` type code."""
    return f">{'i' if code.islower() else 'u'}{struct.calcsize(code)}"


def _leaf_lengths(leaf, field: str) -> np.ndarray:  # noqa: ANN001
    """Lengths of `field` in each document of one segment (0 for a unit without words)."""
    n = leaf.doc_count_all()
    raw = None
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        raw = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if raw is not None and getattr(raw, "_fixedlen", None) == 1 and hasattr(raw, "_count"):
        count = min(raw._count, n)
        data = np.frombuffer(raw._dbfile.get(raw._basepos, count), dtype=np.uint8)
        out = np.zeros(n)
        out[:count] = _BYTE_LENGTH[data]
        return out
    return np.fromiter((leaf.doc_field_length(d, field, 0) or 0 for d in range(n)), dtype=np.float64, count=n)


_BLOCK_LENGTH = struct.Struct("!i")  # as whoosh.system.pack_int: a block's size, negative for the last


#: how Python 3 pickles the first bytes value of a block with protocol 2 (Whoosh's): values come
#: after the ids and weights, and unpickling them costs a function call per posting
_VALUES_START = b"(c_codecs\nencode\n"


def _without_values(data: bytes, count: int):  # noqa: ANN202
    """Unpickle a block's (ids, weights, values) without its values (given as ()): the pickle is
    cut where its values tuple starts and closed there.  None when the block is not laid out so
    (then it is unpickled whole)."""
    cut = data.find(_VALUES_START)
    if cut < 0 or not data.endswith(b"."):
        return None
    try:
        out = loads(data[:cut] + b")\x87.")
    except Exception:  # noqa: BLE001 - not the layout expected
        return None
    if not (isinstance(out, tuple) and len(out) == 3 and isinstance(out[0], tuple) and len(out[0]) == count
            and (not isinstance(out[1], tuple) or len(out[1]) == count)):
        return None
    return out


def _term_blocks(reader, field: str, text: str, values: bool = True) -> list | None:  # noqa: ANN001
    """The posting blocks of one term in one segment, each as (postings, (delta-coded ids, weights,
    values)), read from the postings file in one slice and unpickled a block at a time, without
    Whoosh's matcher (which seeks and reads each block's header through its file object);
    without `values`, a block's values are not unpickled (they are given as ()).
    [] when the segment lacks the term; None when its postings are not W3 blocks (inlined
    postings, another codec): then the caller asks Whoosh's matcher."""
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    terms = getattr(reader, "_terms", None)
    postfile = getattr(terms, "_postfile", None)
    if postfile is None or not hasattr(terms, "term_info"):
        return None
    if (field, text) not in reader:
        return []
    info = terms.term_info(field, reader.schema[field].to_bytes(text))
    if info.is_inlined():
        return None
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps struct.unpack's tuple
        length = length[0]
    raw = postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        return None
    stream = io.BytesIO(raw)
    out = []
    pos = 4
    while pos < length:
        (size,) = _BLOCK_LENGTH.unpack_from(raw, pos)
        last = size < 0
        end = pos + 4 + abs(size)
        stream.seek(pos + 4)
        head = pickle.load(stream)  # (postings, last id, max weight, compression, min/max length)
        data = raw[stream.tell():end]
        if head[3]:
            data = zlib.decompress(data)
        out.append((head[0], (not values and _without_values(data, head[0])) or loads(data)))
        pos = end
        if last:
            break
    return out


def _posting_arrays(searcher, field: str, text: str,  # noqa: ANN001
                    blocks: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of one term (deleted documents included: callers mask them),
    every block of a segment decoded together: the delta-coded ids of all blocks in one numpy
    array, summed block by block.  `blocks`, when given, receives (document numbers, values) of
    each block, so that a phrase reads the positions without decoding the blocks again."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        reader = sub.reader()
        found = _term_blocks(reader, field, text, values=blocks is not None)
        if found is None:
            ids, weights = _matcher_arrays(reader, field, text)
            id_parts.append(ids + offset)
            weight_parts.append(weights)
            continue
        if not found:
            continue
        counts = np.fromiter((c for c, _ in found), dtype=np.int64, count=len(found))
        total = int(counts.sum())
        deltas = np.fromiter(chain.from_iterable(d[0] for _, d in found), dtype=np.int64, count=total)
        summed = np.cumsum(deltas)
        firsts = np.cumsum(counts) - counts
        ids = summed - np.repeat(summed[firsts] - deltas[firsts], counts) + offset
        id_parts.append(ids)
        if all(isinstance(d[1], tuple) for _, d in found):
            weight_parts.append(np.fromiter(chain.from_iterable(d[1] for _, d in found), dtype=np.float64,
                                            count=total))
        else:
            weight_parts.append(np.concatenate([
                np.ones(c) if d[1] is None else np.full(c, float(d[1])) if isinstance(d[1], (int, float))
                else np.asarray(d[1], dtype=np.float64) for c, d in found]))
        if blocks is not None:
            for (c, d), first in zip(found, firsts.tolist()):
                if isinstance(d[2], tuple):
                    blocks.append((ids[first:first + c], d[2]))
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(id_parts), np.concatenate(weight_parts)


def _matcher_arrays(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """(document numbers, weights) of one term in one segment through Whoosh's matcher."""
    if (field, text) not in reader:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ids_list, weights_list = [], []
    m = reader.postings(field, text)
    while m.is_active():
        ids_list.append(m.id())
        weights_list.append(m.weight())
        m.next()
    return np.asarray(ids_list, dtype=np.int64), np.asarray(weights_list, dtype=np.float64)


def _block_keys(ids: np.ndarray, values, wanted: np.ndarray, shift: int, parts: list) -> None:  # noqa: ANN001
    """Append the position keys of the wanted documents (`wanted`: a mask over document numbers
    up to the highest wanted one) of posting blocks (their ids, and their values in order) to
    `parts`.  Packed values are joined and read as one array, their 5-byte heads dropped."""
    chosen = np.flatnonzero(wanted[np.minimum(ids, len(wanted) - 1)] & (ids < len(wanted)))
    if not len(chosen):
        return
    picked = [values[i] for i in chosen.tolist()]
    lengths = np.fromiter(map(len, picked), dtype=np.int64, count=len(picked))
    raw = np.frombuffer(b"".join(picked), dtype=np.uint8)
    starts = np.cumsum(lengths) - lengths
    if (lengths >= 5).all() and not ((lengths - 5) % 4).any() and (raw[starts + 4] == PACKED[0]).all():
        counts = (lengths - 5) >> 2
        body = np.ones(len(raw), dtype=bool)
        for k in range(5):
            body[starts + k] = False
        pos = raw[body].view("<u4").astype(np.int64)
    else:  # Positions.encode: 4-byte count + pickled deltas (indexes written before PACKED)
        lists = [list(accumulate(loads(v[4:] if v.endswith(b".") else v[4:] + b".")))
                 if v[4:5] != PACKED else list(np.frombuffer(v[5:], dtype="<u4")) for v in picked]
        counts = [len(x) for x in lists]
        pos = np.asarray([p for x in lists for p in x], dtype=np.int64)
    docs = np.repeat(ids[chosen], counts)
    keep = pos >= shift
    parts.append((docs[keep] << 32) | (pos[keep] - shift))


def _position_keys(searcher, term: str, wanted: np.ndarray, shift: int,  # noqa: ANN001
                   blocks: list | None = None) -> np.ndarray:
    """`doc << 32 | (position - shift)` for every position of a `text` term in the documents of
    `wanted` (sorted), so that a phrase is an intersection of sorted arrays.  Packed values
    (whoosh_analysis.FastPositions) of a block are read with one numpy call; pickled ones (older
    indexes) one by one; a block without any wanted document is not decoded."""
    parts: list[np.ndarray] = []
    if not len(wanted):
        return np.zeros(0, dtype=np.int64)
    lowest, highest = int(wanted[0]), int(wanted[-1])
    wanted = _mask(wanted, highest + 1)
    if blocks:  # the blocks this search already decoded for the term's documents, read together
        near = [(ids, values) for ids, values in blocks if ids[-1] >= lowest and ids[0] <= highest]
        if near:
            _block_keys(np.concatenate([ids for ids, _ in near]), list(chain.from_iterable(v for _, v in near)),
                        wanted, shift, parts)
        if parts:
            out = np.concatenate(parts)
            out.sort(kind="stable")
            return out
        return np.zeros(0, dtype=np.int64)
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        reader = sub.reader()
        if ("text", term) not in reader:
            continue
        m = reader.postings("text", term)
        fast = all(hasattr(m, a) for a in ("_read_data", "_next_block", "_byteids", "_fixedsize"))
        if not (fast and not m._byteids and (m._fixedsize is None or m._fixedsize < 0)):
            while m.is_active():
                d = m.id() + offset
                if lowest <= d <= highest and wanted[d]:
                    pos = np.asarray(m.value_as("positions"), dtype=np.int64)
                    parts.append((d << 32) | (pos[pos >= shift] - shift))
                m.next()
            continue
        while m.is_active():
            if m.block_max_id() + offset >= lowest:
                if m._data is None:
                    m._read_data()
                ids = np.cumsum(np.asarray(m._data[0], dtype=np.int64)) + offset
                if ids[0] > highest:
                    break
                _block_keys(ids, m._data[2], wanted, shift, parts)
            m._next_block()
    if not parts:
        return np.zeros(0, dtype=np.int64)
    out = np.concatenate(parts)
    out.sort()
    return out
