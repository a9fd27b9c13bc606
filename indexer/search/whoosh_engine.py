"""The Whoosh side of the search: snapshots of an index generation, searchers leased per search,
document sets as numpy masks, vectorised BM25.  Segments are read by `whoosh_postings` (posting
lists), `whoosh_phrases` (positions) and `whoosh_columns` (facet columns, field lengths).

A Whoosh searcher reads its files by seek + read, so two threads must never share one: each
search leases a searcher from the pool of the current `Snapshot`; the caches computed from a
generation (facet columns, field lengths, posting sets) are shared by all of them.
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.scoring import BM25F

from ..index import index_generation, index_path, open_index
from .backend import Budget
from .filters import FACETS
from .suggest import Vocabulary
from .whoosh_columns import leaf_codes, leaf_lengths
from .whoosh_filters import column_filter, filter_query
from .whoosh_phrases import mask, position_keys, sidecar_keys, sorted_intersection, sorted_unique
from .whoosh_postings import posting_arrays
from .whoosh_sidecar import open_sidecar

K1, B = 1.2, 0.5  # BM25 parameters (B below the usual 0.75: long speeches are not penalised as much)


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
        """Read what every search of this generation needs (live documents, lengths, sidecars,
        facet columns), once; the first search after a commit pays for it (or the server's
        warm-up: a search that comes meanwhile waits for it rather than reading them a second time)."""
        with self.snap.preparing:
            self.all_docs()
            self.lengths()
            self.sidecars()
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
            parts = [leaf_codes(leaf, field, index) for leaf, _ in self.searcher.reader().leaf_readers()]
            codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
            cached = (list(index), codes)
            self._columns[key] = cached
        return cached

    def lengths(self) -> tuple[np.ndarray, float]:
        """Length of the `text` field of every document, and the average length."""
        cached = self._columns.get("lengths:text")
        if cached is None:
            parts = [leaf_lengths(leaf, "text") for leaf, _ in self.searcher.reader().leaf_readers()]
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
            ids, tf = posting_arrays(self.searcher, "text", term, blocks, self.sidecars()[0])
            if len(ids) and self._deleted():
                keep = self.all_docs()[ids]
                ids, tf = ids[keep], tf[keep]
            cached = self._remember(key, (ids, tf))
        return cached

    def sidecars(self) -> tuple[list, list[int], bool]:
        """(the sidecar or None of each segment, their first document numbers, whether every
        segment has one), once per generation (`whoosh_sidecar`: positions for numpy)."""
        cached = self._columns.get("sidecars")
        if cached is None:
            subs = self.searcher.subsearchers or [(self.searcher, 0)]
            found = [open_sidecar(sub.reader()) for sub, _ in subs]
            cached = (found, [offset for _, offset in subs], all(s is not None for s in found))
            self._columns["sidecars"] = cached
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
        return mask(ids, self.size)

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
        sidecars, offsets, complete = self.sidecars()
        if complete:  # positions are slices of the segments' sidecars
            def keys_of(term: str, wanted: np.ndarray, shift: int) -> np.ndarray:
                return sidecar_keys(sidecars, offsets, term, wanted, shift)
        else:  # Whoosh's blocks: positions decoded with the documents, once
            def keys_of(term: str, wanted: np.ndarray, shift: int) -> np.ndarray:
                return position_keys(self.searcher, term, wanted, shift, self._blocks.get(term))
            if len(terms) > 1:
                for t in terms:
                    self.postings(t, values=True)
        cand = self.term_docs("text", terms[0])
        for t in terms[1:]:
            cand = cand & self.term_docs("text", t)
        if len(terms) > 1 and cand.any():
            if self.budget.spent():
                return self.none()
            # positions as sorted keys (document, position − rank in the phrase): the phrase holds
            # where the keys of all its terms meet; each term is read only in the documents left
            keys = keys_of(terms[0], np.flatnonzero(cand), 0)
            for k in range(1, len(terms)):
                if not len(keys):
                    break
                left = sorted_unique(keys >> 32)  # keys are sorted (document, then position)
                keys = sorted_intersection(keys, keys_of(terms[k], left, k))
            cand = mask(sorted_unique(keys >> 32), self.size) if len(keys) else self.none()
        return self._remember(key, cand)

    def term_docs(self, field: str, text: str) -> np.ndarray:
        key = ("term:" + field, text)
        docs = self._sets.get(key)
        if docs is None:
            if field == "text":
                ids = self.postings(text)[0]
            else:
                ids = posting_arrays(self.searcher, field, text)[0]
            docs = self._remember(key, self.live(mask(ids, self.size)))
        return docs

    def filter_docs(self, key: str, value: str) -> np.ndarray:
        """Documents passing one filter value (cached until the index changes)."""
        docs = self._sets.get((key, value))
        if docs is None:
            docs = column_filter(self, key, value)
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

