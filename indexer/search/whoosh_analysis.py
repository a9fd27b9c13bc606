"""The French analysis of `indexer.analysis` as Whoosh classes: the analyzer the index schema
holds, and the positions format that writes positions packed for numpy.

Every Whoosh import of the analysis is here.  `indexer.analysis` gives these names to indexes
whose schema pickled them under `indexer.analysis.*` before they moved here.
"""

from __future__ import annotations

import struct
import sys
from array import array as _array
from collections.abc import Iterator

from whoosh.analysis import Composable, Token
from whoosh.formats import Positions

from ..analysis import _DEFAULT, _TOKEN_RE

_COUNT = struct.Struct("!I")  # as whoosh.system.pack_uint
_U32 = struct.Struct("<I")
_LITTLE = sys.byteorder == "little" and _array("I").itemsize == 4


class FrenchAnalyzer(Composable):
    """The analysis above as a Whoosh analyzer (tokenizer and filters in one pass)."""

    def __init__(self) -> None:
        self._terms = _DEFAULT  # one memo of word → term per process, shared by every field

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self._terms = _DEFAULT

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrenchAnalyzer)

    def __hash__(self) -> int:
        return hash(FrenchAnalyzer)

    def terms(self, value: str) -> list[str]:
        """The terms of `value` as plain strings (the fast path used at indexing time): the words
        looked up in the memo at once, only those it misses computed one by one."""
        return list(filter(None, self._terms.terms(_TOKEN_RE.findall(value))))

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: object) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        term_of = self._terms.term
        pos = start_pos
        for m in _TOKEN_RE.finditer(value):
            word = m.group()
            term = term_of(word)
            if not term:
                continue
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + m.start()
                token.endchar = start_char + m.end()
            pos += 1
            yield token


#: marks a packed positions value (Whoosh's own values start with a pickle, b"\x80", at this byte)
PACKED = b"\x00"


def packed_positions(values: list[bytes]):  # noqa: ANN201 - (np.ndarray, np.ndarray) or None
    """(number of positions of each value, all their positions in order, as little-endian u32)
    of postings' values when every one is packed (`FastPositions.encode`): joined and read as one
    array, their 5-byte heads dropped; None when any is not (the caller decodes them one by one)."""
    import numpy as np

    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    raw = np.frombuffer(b"".join(values), dtype=np.uint8)
    starts = np.cumsum(lengths) - lengths
    if not len(values) or not (lengths >= 5).all() or ((lengths - 5) % 4).any() \
            or not (raw[starts + 4] == PACKED[0]).all():
        return None
    body = np.ones(len(raw), dtype=bool)
    for k in range(5):
        body[starts + k] = False
    return (lengths - 5) >> 2, raw[body].view("<u4")


_ONE_HEAD = _COUNT.pack(1) + PACKED  # the value of a term seen once, before its position
_ONE = struct.Struct("<5sI").pack  # that value: its head, then its position (little-endian u32)
_HEADS_KEPT = 1024


def _head(count: int) -> bytes:
    """A packed value's head: its number of positions (as Whoosh reads it) and `PACKED`."""
    return _COUNT.pack(count) + PACKED


_HEADS = [_head(n) for n in range(_HEADS_KEPT)]


class FastPositions(Positions):
    """Whoosh's Positions format, fed by `FrenchAnalyzer.terms` without building a
    Token object per word (indexing spends most of its time here).

    Positions are written packed: the 4-byte count Whoosh reads frequencies from, the
    PACKED byte, then the positions as little-endian 32-bit integers, so that a phrase
    search reads the positions of a whole posting block with one numpy call instead of one
    pickle per posting.  Values written by Whoosh's format (older indexes) are still read."""

    def postings(self, value: str, analyzer) -> list[tuple[bytes, int, float, bytes]] | None:  # noqa: ANN001
        """What `fields.TEXT.index(value)` gives ((term bytes, frequency, weight, value) per term,
        in order of first occurrence), as a list made without its generators; None when the
        analyzer is not the French one (the caller asks the field)."""
        terms_of = getattr(analyzer, "terms", None)
        if terms_of is None or not isinstance(value, str):
            return None
        poses: dict[str, list[int]] = {}
        get = poses.get
        for pos, term in enumerate(terms_of(value)):
            lst = get(term)
            if lst is None:
                poses[term] = [pos]
            else:
                lst.append(pos)
        fb = self.field_boost
        if not _LITTLE:
            encode = self.encode
            return [(w.encode(), len(p), len(p) * fb, encode(p)) for w, p in poses.items()]
        # each value a bytes object of its own (a block's pickle would name a shared one twice
        # by reference, and its bytes would differ from Whoosh's)
        one, heads, tobytes = _ONE_HEAD, _HEADS, _array
        return [(w.encode(), 1, fb, _ONE(one, p[0])) if len(p) == 1 else
                (w.encode(), len(p), len(p) * fb, (heads[len(p)] if len(p) < _HEADS_KEPT else _head(len(p)))
                 + tobytes("I", p).tobytes())
                for w, p in poses.items()]

    def encode(self, poslist) -> bytes:  # noqa: ANN001
        positions = sorted(poslist)
        return _COUNT.pack(len(positions)) + PACKED + _array("I", positions).tobytes() if _LITTLE else \
            _COUNT.pack(len(positions)) + PACKED + b"".join(_U32.pack(p) for p in positions)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        if valuestring[4:5] == PACKED:
            return list(_array("I", valuestring[5:])) if _LITTLE else \
                [p for (p,) in _U32.iter_unpack(valuestring[5:])]
        return super().decode_positions(valuestring)

    def word_values(self, value, analyzer, **kwargs):  # noqa: ANN001, ANN201
        terms_of = getattr(analyzer, "terms", None)
        if terms_of is None or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        poses: dict[str, list[int]] = {}
        for pos, term in enumerate(terms_of(value)):
            lst = poses.get(term)
            if lst is None:
                poses[term] = [pos]
            else:
                lst.append(pos)
        fb = self.field_boost
        encode = self.encode
        for w, poslist in poses.items():
            yield (w, len(poslist), len(poslist) * fb, encode(poslist))
