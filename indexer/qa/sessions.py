"""Which sessions a question reads: one compact table of every session's passages and their stems.

On an archive, a question reads only the sessions where its words are (and those its scope
names): reading all of them would cost seconds.  The table answers « where are these words »
without the search engine (which ranks, cuts snippets and suggests spellings a question never
shows): every unit of every session, long ones cut in chunks of CHUNK sentences, with the stems
it holds, as a few numpy arrays.  A question scores the chunks holding its stems (BM25 with one
occurrence: rarer stems weigh more, long chunks less) and takes the sessions of the best ones.

Each session's part (`summary`) is written beside its knowledge at index time
(`qa.store`), and the table across sessions (`table_of`) is made from these parts once per
index state and kept on disk, so that the first question of a server reads one file.
"""

from __future__ import annotations

import math
import os
import pickle
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..records import write_pickle
from .knowledge import RecordKnowledge
from .store import chunks_file as _chunks_file
from .store import drop_stale_tables, load_pickle, summary_file, table_file  # noqa: F401 - named here too

#: Sentences per chunk of a long unit (an annexed report is hundreds of sentences: its words
#: far apart must not make it the best match of every question).
CHUNK = 20
#: BM25 parameters (one occurrence per chunk: only the length matters).
K1, B = 1.2, 0.75
#: Chunks read, best first, to pick sessions (the search engine read 60 hits).
TOP_CHUNKS = 60


@dataclass
class Summary:
    """One session's part of the table: its chunks, the stems of each (vocabulary-local ids)."""

    vocab: list[str]
    off: np.ndarray  # chunk k holds ids[off[k]:off[k+1]]
    ids: np.ndarray
    lengths: np.ndarray  # distinct stems per chunk


def summary(rk: RecordKnowledge) -> Summary:
    """The chunks of one session's knowledge and their stems."""
    off, ids, lengths = [0], [], []
    stem_off, stem_ids = rk._stem_off, rk._stem_ids
    for ui in range(len(rk.units)):
        sis = rk.by_unit.get(ui)
        if not sis:
            continue
        for start in range(sis.start, sis.stop, CHUNK):
            chunk: set[int] = set()
            for si in range(start, min(start + CHUNK, sis.stop)):
                chunk.update(stem_ids[stem_off[si]:stem_off[si + 1]])
            ids.extend(sorted(chunk))
            off.append(len(ids))
            lengths.append(len(chunk))
    return Summary(list(rk._vocab), np.asarray(off, dtype=np.int64), np.asarray(ids, dtype=np.int32),
                   np.asarray(lengths, dtype=np.float32))


class Table:
    """Every session's chunks: stem → chunks holding it, chunk → session and length."""

    def __init__(self, keys: list[tuple[str, str]], vocab: list[str], post_off: np.ndarray,
                 post_chunks: np.ndarray, chunk_session: np.ndarray, chunk_len: np.ndarray) -> None:
        self.keys = keys  # (session id, record key) of each session, in table order
        self.vocab = vocab
        self.post_off, self.post_chunks = post_off, post_chunks
        self.chunk_session, self.chunk_len = chunk_session, chunk_len
        self._ids = {st: i for i, st in enumerate(vocab)}
        self._avg = float(chunk_len.mean()) if len(chunk_len) else 1.0

    @classmethod
    def of(cls, keys: list[tuple[str, str]], parts: list[Summary]) -> "Table":
        vocab: dict[str, int] = {}
        gids, chunks, sessions, lengths = [], [], [], []
        first = 0
        for s, part in enumerate(parts):
            local = np.asarray([vocab.setdefault(st, len(vocab)) for st in part.vocab], dtype=np.int32)
            n = len(part.lengths)
            counts = np.diff(part.off)
            gids.append(local[part.ids] if len(part.ids) else np.zeros(0, dtype=np.int32))
            chunks.append(np.repeat(np.arange(first, first + n, dtype=np.int32), counts))
            sessions.append(np.full(n, s, dtype=np.int32))
            lengths.append(part.lengths)
            first += n
        gid = np.concatenate(gids) if gids else np.zeros(0, dtype=np.int32)
        chunk = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
        order = np.argsort(gid, kind="stable")
        post_off = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(gid, minlength=len(vocab)), out=post_off[1:])
        return cls(keys, list(vocab), post_off, chunk[order],
                   np.concatenate(sessions) if sessions else np.zeros(0, dtype=np.int32),
                   np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.float32))

    def updated(self, keys: list[tuple[str, str]], part_of) -> "Table":  # noqa: ANN001
        """The table of `keys` made from this one: the sessions it holds under the same record key keep
        their chunks and postings as they are (no file read), the others come from `part_of(sid, key)`
        (their `Summary`), those no longer in `keys` are left out.  Same chunks, lengths and postings
        as `Table.of` over every session's summary (only the order of the stems differs)."""
        old_at = {tuple(k): s for s, k in enumerate(self.keys)}
        old_first = np.zeros(len(self.keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.chunk_session, minlength=len(self.keys)), out=old_first[1:])
        ids, vocab = dict(self._ids), list(self.vocab)
        chunk_map = np.full(len(self.chunk_len), -1, dtype=np.int64)  # old chunk → new chunk (-1: left out)
        gids, chunks, sessions, lengths = [], [], [], []
        first = 0
        for s, k in enumerate(keys):
            o = old_at.get(tuple(k))
            if o is not None:
                a, b = int(old_first[o]), int(old_first[o + 1])
                chunk_map[a:b] = np.arange(first, first + b - a)
                n = b - a
                lengths.append(self.chunk_len[a:b])
            else:
                part = part_of(*k)
                for st in part.vocab:
                    if st not in ids:
                        ids[st] = len(vocab)
                        vocab.append(st)
                local = np.asarray([ids[st] for st in part.vocab], dtype=np.int32)
                n = len(part.lengths)
                gids.append(local[part.ids] if len(part.ids) else np.zeros(0, dtype=np.int32))
                chunks.append(np.repeat(np.arange(first, first + n, dtype=np.int32), np.diff(part.off)))
                lengths.append(part.lengths)
            sessions.append(np.full(n, s, dtype=np.int32))
            first += n
        # the old postings renumbered (a lookup in a table of chunks, small enough to stay in the CPU's
        # cache), those of sessions left out dropped: vector passes over the postings, no sort
        if np.array_equal(chunk_map, np.arange(len(chunk_map))):  # sessions added after the old ones only
            pc = np.asarray(self.post_chunks)
        else:
            pc = chunk_map.astype(np.int32)[np.asarray(self.post_chunks)]
        if (chunk_map < 0).any():
            keep = pc >= 0
            pc = pc[keep]
            counted = np.zeros(len(keep) + 1, dtype=np.int64)
            np.cumsum(keep, out=counted[1:])
            off = counted[self.post_off]
        else:
            off = np.asarray(self.post_off, dtype=np.int64)
        off = np.concatenate([off, np.full(len(vocab) - len(self.vocab), off[-1], dtype=np.int64)])
        # the new sessions' postings, each at the end of its stem's list
        if gids:
            gid = np.concatenate(gids)
            order = np.argsort(gid, kind="stable")
            gid, chunk = gid[order], np.concatenate(chunks)[order]
            pc = _inserted(pc, off[gid + 1], chunk)
            off = off + np.concatenate([[0], np.cumsum(np.bincount(gid, minlength=len(vocab)))])
        empty32 = np.zeros(0, dtype=np.int32)
        return Table(list(keys), vocab, off, pc,
                     np.concatenate(sessions) if sessions else empty32,
                     np.concatenate(lengths).astype(np.float32) if lengths else np.zeros(0, dtype=np.float32))

    def __getstate__(self) -> tuple:
        return (self.keys, self.vocab, self.post_off, self.post_chunks, self.chunk_session, self.chunk_len)

    def __setstate__(self, state: tuple) -> None:
        self.__init__(*state)

    def ranked_sessions(self, stems: list[str], allowed: set[str] | None = None, top: int = TOP_CHUNKS
                        ) -> list[str]:
        """Session ids of the chunks that best hold `stems` (BM25, one occurrence each), best first,
        each once; `allowed`: only these session ids."""
        n = len(self.chunk_len)
        if not n:
            return []
        scores = np.zeros(n, dtype=np.float32)
        norm = (K1 + 1) / (1 + K1 * (1 - B + B * self.chunk_len / self._avg))
        for st in dict.fromkeys(stems):
            i = self._ids.get(st)
            if i is None:
                continue
            chunks = self.post_chunks[self.post_off[i]:self.post_off[i + 1]]
            idf = math.log(1 + (n - len(chunks) + 0.5) / (len(chunks) + 0.5))
            scores[chunks] += idf * norm[chunks]
        if allowed is not None:
            mask = np.asarray([sid in allowed for sid, _ in self.keys], dtype=bool)
            scores[~mask[self.chunk_session]] = 0
        hit = np.flatnonzero(scores > 0)
        if not len(hit):
            return []
        best = hit[np.argsort(-scores[hit], kind="stable")][:top]
        out: list[str] = []
        for c in best:
            sid = self.keys[self.chunk_session[c]][0]
            if sid not in out:
                out.append(sid)
        return out


def _inserted(values: np.ndarray, at: np.ndarray, new: np.ndarray) -> np.ndarray:
    """`np.insert(values, at, new)` for positions `at` in increasing order, by block copies: np.insert
    masks the whole result (0.25 s for one session added to a table of 100, against 0.03 s)."""
    out = np.empty(len(values) + len(new), dtype=np.result_type(values, new))
    cuts, firsts = np.unique(at, return_index=True)  # each position, and the first value inserted there
    lasts = np.append(firsts[1:], len(new))
    src = dst = 0
    for cut, first, last in zip(cuts.tolist(), firsts.tolist(), lasts.tolist()):
        out[dst:dst + cut - src] = values[src:cut]
        dst += cut - src
        out[dst:dst + last - first] = new[first:last]
        dst += last - first
        src = cut
    out[dst:] = values[src:]
    return out


def read_pickle(path: Path, kind: type) -> object | None:
    try:
        with open(path, "rb") as fh:
            obj = load_pickle(fh)
        return obj if isinstance(obj, kind) else None
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None


_lock = threading.Lock()
_tables: dict[tuple[str, tuple], Table] = {}


def table_of(home: Path, keys: list[tuple[str, str]]) -> Table:
    """The table of these sessions ((session id, record key) pairs): from memory, else its file,
    else made from each session's summary (and written)."""
    from .store import cache_file, load_knowledge

    mem_key = (str(home), tuple(keys))
    with _lock:
        table = _tables.get(mem_key)
        if table is not None:
            return table
        path = table_file(home, keys)
        table = _read_table(path)  # type: ignore[assignment]
        if table is not None and not isinstance(table.post_chunks, np.memmap):
            _write_table(path, table)  # written before the postings were kept apart (see _write_table)
            table = _map_chunks(table, path) or table
        if table is None or [tuple(k) for k in table.keys] != list(keys):

            def part_of(sid: str, key: str) -> Summary:
                kfile = cache_file(home, sid, key)
                part = read_pickle(summary_file(kfile), Summary)
                if part is None:
                    rk = load_knowledge(home, sid, key)
                    part = summary(rk) if rk is not None else Summary([], np.zeros(1, np.int64),
                                                                     np.zeros(0, np.int32), np.zeros(0, np.float32))
                    write_pickle(summary_file(kfile), part)
                return part

            before = _latest_table(home, path)
            if before is not None and {tuple(k) for k in before.keys} & set(map(tuple, keys)):
                table = before.updated(list(keys), part_of)  # one session added or changed: the others kept
            else:
                table = Table.of(list(keys), [part_of(sid, key) for sid, key in keys])
            _write_table(path, table)
            table = _map_chunks(table, path) or table
        _tables.clear()  # one index state at a time
        _tables[mem_key] = table
        return table


def _latest_table(home: Path, other_than: Path) -> Table | None:
    """The table of the index state before this one: in memory, else the newest table file."""
    for (h, _), table in _tables.items():
        if h == str(home):
            return table
    files = []
    for p in (home / "cache" / "qa").glob("sessions-*.table"):
        try:
            files.append((p.stat().st_mtime, p))
        except OSError:  # removed meanwhile (another run's clean-up)
            continue
    for _, path in sorted((f for f in files if f[1] != other_than), reverse=True)[:1]:
        table = _read_table(path)
        if table is not None and table.post_chunks is not None:
            return table
    return None


def _read_table(path: Path) -> Table | None:
    """The table in `path`, its postings mapped from their .npy file (a table written before they
    were kept apart: as pickled); None when it cannot be read or its postings file is missing."""
    table = read_pickle(path, Table)
    if table is None or table.post_chunks is not None:
        return table  # type: ignore[return-value]
    return _map_chunks(table, path)  # type: ignore[arg-type]


def _write_table(path: Path, table: Table) -> None:
    """The table's postings (most of its bytes: ~47 MB at 100 sessions) in a .npy file beside it,
    the rest pickled: each server process maps the postings instead of holding its own copy, and
    only the pages of the stems asked for are read."""
    chunks = _chunks_file(path)
    tmp = chunks.with_name(f"{chunks.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            np.save(fh, np.ascontiguousarray(table.post_chunks))
        tmp.replace(chunks)
    except OSError:
        tmp.unlink(missing_ok=True)
        write_pickle(path, table)  # all in the pickle, as before
        return
    posts, table.post_chunks = table.post_chunks, None
    try:
        write_pickle(path, table)
    finally:
        table.post_chunks = posts


def _map_chunks(table: Table, path: Path) -> Table | None:
    """`table` with its postings mapped from their .npy file; None when that file is missing or
    does not fit the table (its sessions' files are then read again)."""
    try:
        chunks = np.load(_chunks_file(path), mmap_mode="r")
    except (OSError, ValueError):
        return None
    if chunks.ndim != 1 or len(chunks) != int(table.post_off[-1]):
        return None
    table.post_chunks = chunks
    return table
