"""Positions of phrase terms as sorted keys (document << 32 | position − rank in the phrase), so
that a phrase is an intersection of sorted arrays: read from posting blocks already decoded by
the search, or from Whoosh's matcher."""

from __future__ import annotations

from itertools import accumulate, chain
from pickle import loads

import numpy as np

from .whoosh_analysis import PACKED, packed_positions


def mask(ids: np.ndarray, n: int) -> np.ndarray:
    """A set of document numbers as a boolean mask over the `n` documents of a generation."""
    out = np.zeros(n, dtype=bool)
    out[ids] = True
    return out


def sidecar_keys(sidecars: list, offsets: list[int], term: str, wanted: np.ndarray,
                 shift: int) -> np.ndarray:
    """As `position_keys`, from the segments' sidecars (`whoosh_sidecar`, one per segment, none
    missing): the positions of the wanted documents are slices of one mapped array."""
    if not len(wanted):
        return np.zeros(0, dtype=np.int64)
    btext = term.encode("utf-8")
    highest = int(wanted[-1])
    wanted = mask(wanted, highest + 1)
    parts: list[np.ndarray] = []
    for side, offset in zip(sidecars, offsets):
        t = side.find(btext)
        if t < 0:
            continue
        ids = side.postings(t)[0].astype(np.int64) + offset
        inside = ids <= highest
        chosen = np.flatnonzero(inside & wanted[np.minimum(ids, highest)])
        if not len(chosen):
            continue
        counts, pos = side.positions_in(t, chosen)
        docs = np.repeat(ids[chosen], counts)
        keep = pos >= shift
        parts.append((docs[keep] << 32) | (pos[keep] - shift))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    # sorted already: postings by document, positions in order, segments in document order
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (np.unique without its sort)."""
    if len(a) < 2:
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def sorted_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values of `a` also in `b`, both sorted without repeats (np.intersect1d without its sort)."""
    if not len(a) or not len(b):
        return a[:0]
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] == a]


def _block_keys(ids: np.ndarray, values, wanted: np.ndarray, shift: int, parts: list) -> None:  # noqa: ANN001
    """Append the position keys of the wanted documents (`wanted`: a mask over document numbers
    up to the highest wanted one) of posting blocks (their ids, and their values in order) to
    `parts`.  Packed values are joined and read as one array, their 5-byte heads dropped."""
    chosen = np.flatnonzero(wanted[np.minimum(ids, len(wanted) - 1)] & (ids < len(wanted)))
    if not len(chosen):
        return
    picked = [values[i] for i in chosen.tolist()]
    packed = packed_positions(picked)
    if packed is not None:
        counts, pos = packed[0], packed[1].astype(np.int64)
    else:  # Positions.encode: 4-byte count + pickled deltas (indexes written before PACKED)
        lists = [list(accumulate(loads(v[4:] if v.endswith(b".") else v[4:] + b".")))
                 if v[4:5] != PACKED else list(np.frombuffer(v[5:], dtype="<u4")) for v in picked]
        counts = [len(x) for x in lists]
        pos = np.asarray([p for x in lists for p in x], dtype=np.int64)
    docs = np.repeat(ids[chosen], counts)
    keep = pos >= shift
    parts.append((docs[keep] << 32) | (pos[keep] - shift))


def position_keys(searcher, term: str, wanted: np.ndarray, shift: int,  # noqa: ANN001
                   blocks: list | None = None) -> np.ndarray:
    """`doc << 32 | (position - shift)` for every position of a `text` term in the documents of
    `wanted` (sorted), so that a phrase is an intersection of sorted arrays.  Packed values
    (whoosh_analysis.FastPositions) of a block are read with one numpy call; pickled ones (older
    indexes) one by one; a block without any wanted document is not decoded."""
    parts: list[np.ndarray] = []
    if not len(wanted):
        return np.zeros(0, dtype=np.int64)
    lowest, highest = int(wanted[0]), int(wanted[-1])
    wanted = mask(wanted, highest + 1)
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
