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
#: A table made from the previous one keeps that one's layers of postings (`Table.updated`): past
#: this many, its newer layers are merged (`_compacted`) …
MAX_LAYERS = 8
#: … and all of them once the chunks of sessions it no longer holds pass this share of its chunks.
DEAD_SHARE = 0.2


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


class Layer:
    """Postings of some of a table's chunks: `off[i]:off[i + 1]` of `chunks` are the chunks holding
    stem i (stems past `len(off) - 1` have none here); `chunk_map`, when given, renumbers them into
    the table's chunks (-1: a chunk of a session the table no longer holds).  `file`: the .npy file
    the postings are mapped from (None: this table's own, `chunks_file`)."""

    __slots__ = ("off", "chunks", "chunk_map", "file")

    def __init__(self, off: np.ndarray, chunks: np.ndarray | None, chunk_map: np.ndarray | None = None,
                 file: str | None = None) -> None:
        self.off, self.chunks, self.chunk_map, self.file = off, chunks, chunk_map, file

    def chunks_of(self, i: int) -> np.ndarray | None:
        if i + 1 >= len(self.off):
            return None
        found = self.chunks[self.off[i]:self.off[i + 1]]
        if self.chunk_map is None:
            return found
        found = self.chunk_map[found]
        return found[found >= 0]

    def renumbered(self, chunk_map: np.ndarray) -> "Layer | None":
        """This layer under a new numbering of the table's chunks (`chunk_map`: old → new, -1 left
        out); None when none of its chunks is left."""
        mapped = chunk_map if self.chunk_map is None else \
            np.where(self.chunk_map >= 0, chunk_map[np.maximum(self.chunk_map, 0)], -1)
        if not (mapped >= 0).any():
            return None
        if np.array_equal(mapped, np.arange(len(mapped))):
            mapped = None  # the chunks keep their numbers
        return Layer(self.off, self.chunks, mapped, self.file)

    def dead(self) -> int:
        """Chunks of this layer the table no longer holds."""
        return 0 if self.chunk_map is None else int((self.chunk_map < 0).sum())


class Table:
    """Every session's chunks: stem → chunks holding it, chunk → session and length.

    The postings are in layers: a table made from the previous one keeps that one's layers as they
    are (mapped from their files, renumbered by a small table of chunks) and adds one for the
    sessions it adds, so that adding a session writes its postings only, not every session's (~47 MB
    at 100 sessions); past MAX_LAYERS layers the newer ones are merged (`_compacted`), and all of
    them past DEAD_SHARE of chunks left out."""

    def __init__(self, keys: list[tuple[str, str]], vocab: list[str], layers: list[Layer],
                 chunk_session: np.ndarray, chunk_len: np.ndarray) -> None:
        self.keys = keys  # (session id, record key) of each session, in table order
        self.vocab = vocab
        self.layers = layers
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
            gids.append(local[part.ids] if len(part.ids) else np.zeros(0, dtype=np.int32))
            chunks.append(np.repeat(np.arange(first, first + n, dtype=np.int32), np.diff(part.off)))
            sessions.append(np.full(n, s, dtype=np.int32))
            lengths.append(part.lengths)
            first += n
        return cls(keys, list(vocab), [_layer(gids, chunks, len(vocab))], _joined(sessions, np.int32),
                   _joined(lengths, np.float32))

    def chunks_of(self, stem_id: int) -> np.ndarray:
        """The chunks holding a stem (each once)."""
        found = [c for c in (layer.chunks_of(stem_id) for layer in self.layers) if c is not None and len(c)]
        return found[0] if len(found) == 1 else np.concatenate(found) if found else np.zeros(0, dtype=np.int32)

    def updated(self, keys: list[tuple[str, str]], part_of) -> "Table":  # noqa: ANN001
        """The table of `keys` made from this one: the sessions it holds under the same record key keep
        their chunks and postings as they are (no file read), the others come from `part_of(sid, key)`
        (their `Summary`), those no longer in `keys` are left out.  Same chunks, lengths and postings
        as `Table.of` over every session's summary (only the order of the stems differs)."""
        old_at = {tuple(k): s for s, k in enumerate(self.keys)}
        old_first = np.zeros(len(self.keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.chunk_session, minlength=len(self.keys)), out=old_first[1:])
        ids, vocab = dict(self._ids), list(self.vocab)
        chunk_map = np.full(len(self.chunk_len), -1, dtype=np.int32)  # old chunk → new chunk (-1: left out)
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
        layers = [kept for kept in (layer.renumbered(chunk_map) for layer in self.layers) if kept is not None]
        if gids:
            layers.append(_layer(gids, chunks, len(vocab)))
        if sum(layer.dead() for layer in layers) > DEAD_SHARE * max(first, 1):
            layers = [_merged(layers, len(vocab))]
        return Table(list(keys), vocab, _compacted(layers, len(vocab)), _joined(sessions, np.int32),
                     _joined(lengths, np.float32))

    def __getstate__(self) -> tuple:
        """Without the layers' postings, which are in their .npy files (`_write_table`)."""
        return (self.keys, self.vocab, [(layer.off, layer.chunk_map, layer.file) for layer in self.layers],
                self.chunk_session, self.chunk_len)

    def __setstate__(self, state: tuple) -> None:
        keys, vocab, layers, chunk_session, chunk_len = state
        self.__init__(keys, vocab, [Layer(off, None, chunk_map, file) for off, chunk_map, file in layers],
                      chunk_session, chunk_len)

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
            chunks = self.chunks_of(i)
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


def _joined(arrays: list[np.ndarray], dtype) -> np.ndarray:  # noqa: ANN001
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)


def _layer(gids: list[np.ndarray], chunks: list[np.ndarray], stems: int) -> Layer:
    """The layer of these postings (stem ids, chunk ids: each session's, in order) over `stems` stems."""
    gid, chunk = _joined(gids, np.int32), _joined(chunks, np.int32)
    order = np.argsort(gid, kind="stable")
    off = np.zeros(stems + 1, dtype=np.int64)
    np.cumsum(np.bincount(gid, minlength=stems), out=off[1:])
    return Layer(off, chunk[order])


def _postings(layer: Layer) -> int:
    return int(layer.off[-1])


def _compacted(layers: list[Layer], stems: int) -> list[Layer]:
    """Past MAX_LAYERS layers, the newer half merged into one, with each older layer that holds
    less than twice their postings: a session added merges about its own postings, not the
    archive's (whose layer is merged only once the newer ones have grown as large)."""
    if len(layers) <= MAX_LAYERS:
        return layers
    keep, tail = layers[:MAX_LAYERS // 2], layers[MAX_LAYERS // 2:]
    size = sum(map(_postings, tail))
    while keep and _postings(keep[-1]) < 2 * size:
        size += _postings(keep[-1])
        tail.insert(0, keep.pop())
    return keep + [_merged(tail, stems)]


def _merged(layers: list[Layer], stems: int) -> Layer:
    """The postings of these layers in one (in the table's chunk numbers), each stem's chunks in a
    row, layer by layer."""
    kept, counts = [], np.zeros(stems, dtype=np.int64)
    for layer in layers:
        found = np.asarray(layer.chunks)
        gid = np.repeat(np.arange(len(layer.off) - 1, dtype=np.int32), np.diff(layer.off))
        if layer.chunk_map is not None:
            found = layer.chunk_map[found]
            gid, found = gid[found >= 0], found[found >= 0]
        c = np.bincount(gid, minlength=stems)
        kept.append((gid, found, c))
        counts += c
    off = np.zeros(stems + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    out = np.empty(int(off[-1]), dtype=np.int32)
    start = off[:-1].copy()
    for gid, found, c in kept:  # a layer's postings are grouped by stem: each one's rank in its stem
        first = np.zeros(stems + 1, dtype=np.int64)
        np.cumsum(c, out=first[1:])
        out[start[gid] + (np.arange(len(gid)) - first[gid])] = found
        start += c
    return Layer(off, out)


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
            table = _write_table(path, table)
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
        if table is not None:
            return table
    return None


def _read_table(path: Path) -> Table | None:
    """The table in `path`, its layers' postings mapped from their .npy files; None when it cannot be
    read or a postings file is missing or does not fit (its sessions' files are then read again)."""
    table = read_pickle(path, Table)
    if table is None:
        return None
    for layer in table.layers:  # type: ignore[attr-defined]
        layer.file = layer.file or _chunks_file(path).name
        try:
            chunks = np.load(path.with_name(layer.file), mmap_mode="r")
        except (OSError, ValueError):
            return None
        if chunks.ndim != 1 or len(chunks) != int(layer.off[-1]):
            return None
        layer.chunks = chunks
    return table  # type: ignore[return-value]


def _write_table(path: Path, table: Table) -> Table:
    """The table's new layer (the postings it does not map from another table's file) in a .npy file
    beside it, the rest pickled: each server process maps the postings instead of holding its own
    copy, and only the pages of the stems asked for are read.  Returns the table as read back (its
    postings mapped); in memory only when it cannot be written (a cache)."""
    made = [layer for layer in table.layers if layer.file is None]
    assert len(made) <= 1, "one new layer per table"
    chunks = _chunks_file(path)
    tmp = chunks.with_name(f"{chunks.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:  # written even without a new layer: the table's files are complete
            np.save(fh, np.ascontiguousarray(made[0].chunks) if made else np.zeros(0, dtype=np.int32))
        tmp.replace(chunks)
        write_pickle(path, table)
    except OSError:
        tmp.unlink(missing_ok=True)
        return table
    return _read_table(path) or table


def files_of(path: Path) -> set[str]:
    """The names of the files a table's postings are mapped from (its own and its older layers')."""
    table = read_pickle(path, Table)
    named = {layer.file for layer in table.layers if layer.file} if table is not None else set()  # type: ignore[attr-defined]
    return named | {_chunks_file(path).name}
