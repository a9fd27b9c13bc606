"""Posting lists of a Whoosh segment read without Whoosh's matcher: a term's postings file
sliced at once, its blocks unpickled one at a time (their positions left out unless asked),
delta-coded ids summed with numpy.  `_MemoryFile` lets segment readers share the mapped
compound file instead of copying it."""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from itertools import chain
from pickle import loads

import numpy as np
from whoosh.filedb import structfile as StructFileModule

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


def posting_arrays(searcher, field: str, text: str,  # noqa: ANN001
                    blocks: list | None = None, sidecars: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of one term (deleted documents included: callers mask them).
    A segment with a sidecar (`whoosh_sidecar`, `text` terms) gives them as slices of it;
    otherwise every block of the segment is decoded together: the delta-coded ids of all blocks
    in one numpy array, summed block by block.  `blocks`, when given, receives (document
    numbers, values) of each block, so that a phrase reads the positions without decoding the
    blocks again.  `sidecars`: the sidecar (or None) of each segment, in the searcher's order."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    btext = text.encode("utf-8")
    for i, (sub, offset) in enumerate(searcher.subsearchers or [(searcher, 0)]):
        side = sidecars[i] if sidecars and field == "text" and blocks is None else None
        if side is not None:
            t = side.find(btext)
            if t >= 0:
                ids, weights = side.postings(t)
                id_parts.append(ids.astype(np.int64) + offset)
                weight_parts.append(weights.astype(np.float64))
            continue
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
