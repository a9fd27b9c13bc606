"""Facet columns and field lengths of a Whoosh segment, read with numpy from their on-disk layout
(Whoosh's column readers rebuild them one document at a time in Python)."""

from __future__ import annotations

import struct

import numpy as np
from whoosh.util.numeric import byte_to_length

_BYTE_LENGTH = np.array([0.0] + [float(byte_to_length(b)) for b in range(1, 256)])
_INT_DTYPES = {1: "u1", 2: ">u2", 4: ">u4", 8: ">u8"}


def leaf_codes(leaf, field: str, index: dict[str, int]) -> np.ndarray:  # noqa: ANN001
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
        found = distinct_values(buf, starts, ends)
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


def distinct_values(buf: bytes, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
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


def leaf_lengths(leaf, field: str) -> np.ndarray:  # noqa: ANN001
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
