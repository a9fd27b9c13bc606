"""A session's question knowledge in compact form: flat arrays of sentence texts, stems and postings,
and the sequences and mappings over them that make `Sentence` objects and stem sets on first access
(most questions look at few sentences).  `knowledge.RecordKnowledge` holds the arrays and hands out these
views; nothing here is pickled (the views are made again after loading)."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence

from ..people import fold


class _Stems:
    """The per-sentence stems of one record as flat arrays (stem_off, stem_ids over vocab): what a
    Sentence reads to make its stems.  Holds no reference back to the record's knowledge, so that a
    session's objects form no reference cycle: dropped from the cache, they are freed at once, never left
    for the cyclic collector (whose full passes walk every session kept)."""

    __slots__ = ("off", "ids", "vocab")

    def __init__(self, off: array, ids: array, vocab: tuple[str, ...]) -> None:
        self.off, self.ids, self.vocab = off, ids, vocab

    def of(self, si: int) -> frozenset[str]:
        vocab = self.vocab
        return frozenset([vocab[i] for i in self.ids[self.off[si]:self.off[si + 1]]])


class Sentence:
    """One sentence of a unit: its text, folded text, tokens and stems (the folded text and the stems
    made on first access from the record's compact arrays: most questions never look at most sentences)."""

    __slots__ = ("unit", "text", "_folded", "_stems", "_src", "_si")

    def __init__(self, unit: int, text: str, folded: str | None = None, stems: frozenset[str] | None = None,
                 src: _Stems | None = None, si: int = 0) -> None:
        self.unit, self.text, self._folded = unit, text, folded
        self._stems, self._src, self._si = stems, src, si

    @property
    def folded(self) -> str:
        """"L'Aéroport de Calais" → "l aeroport de calais"."""
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    @property
    def toks(self) -> tuple[str, ...]:
        """Folded word tokens ("l aeroport de calais" → ('l', 'aeroport', 'de', 'calais'))."""
        return tuple(self.folded.split())

    @property
    def stems(self) -> frozenset[str]:
        if self._stems is None:
            self._stems = self._src.of(self._si)
        return self._stems


class _MadeOnAccess(Sequence):
    """A sequence of `size` items, each made by `_make(i)` on first access and kept (in a dict: most
    items are never asked for, and a list of `size` slots is walked by every pass of the cyclic collector)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._made: dict[int, object] = {}

    def _make(self, i: int):  # noqa: ANN202
        raise NotImplementedError

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._size))]
        got = self._made.get(i)
        if got is None:
            if i < 0:
                i += self._size
            if not 0 <= i < self._size:
                raise IndexError(i)
            got = self._made.get(i)
            if got is None:
                got = self._made[i] = self._make(i)
        return got

    def __iter__(self):  # noqa: ANN204
        for i in range(self._size):
            yield self[i]


class _Texts(Sequence):
    """The text of every sentence of a record, as slices of one string (the sentences joined by
    newlines): one object to unpickle and free instead of thousands (a generated session has 13,000
    sentences: as a list of strings it took 9 ms to load, the joined string 1.6 ms)."""

    __slots__ = ("blob", "off")

    def __init__(self, blob: str, off: array) -> None:
        self.blob, self.off = blob, off  # sentence i is blob[off[i]:off[i + 1] - 1]

    @classmethod
    def of(cls, texts: Sequence[str]) -> "_Texts":
        off, at = _u32([0]), 0
        for t in texts:
            at += len(t) + 1
            off.append(at)
        return cls("".join(t + "\n" for t in texts), off)

    def __len__(self) -> int:
        return len(self.off) - 1

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self.off) - 1
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return self.blob[self.off[i]:self.off[i + 1] - 1]

    def __iter__(self):  # noqa: ANN204
        blob, off = self.blob, self.off
        for i in range(len(off) - 1):
            yield blob[off[i]:off[i + 1] - 1]

    def matching(self, pattern: re.Pattern[str]) -> Iterator[int]:
        """Indexes of the sentences where `pattern` is found (`pattern.search(text)`), in order, by
        searching the joined string: each hit is checked on its sentence alone (a hit may run across
        sentences), then the search goes on from the next sentence, so none is missed (for patterns that
        look neither for the text's ends, ^ $ \\A \\Z, nor at what lies past them)."""
        blob, off = self.blob, self.off
        pos, end = 0, len(blob)
        while pos < end:
            m = pattern.search(blob, pos)
            if m is None:
                return
            i = bisect_right(off, m.start()) - 1
            b = off[i + 1] - 1
            if pattern.search(blob[off[i]:b]):
                yield i
            pos = b + 1


class _Sentences(_MadeOnAccess):
    """The sentences of a record, made on first access."""

    def __init__(self, texts: _Texts, sent_unit: array, stems: _Stems) -> None:
        super().__init__(len(texts))
        self._texts, self._sent_unit, self._stems = texts, sent_unit, stems

    def _make(self, i: int) -> Sentence:
        return Sentence(self._sent_unit[i], self._texts[i], None, None, self._stems, i)


class _Postings:
    """Stem → indexes of the sentences holding it (a slice of one array per record)."""

    def __init__(self, vocab: tuple[str, ...], off: array, ids: array) -> None:
        self._ids = dict(zip(vocab, range(len(vocab))))
        self._off, self._post = off, ids

    def get(self, st: str, default=None):  # noqa: ANN001, ANN201
        i = self._ids.get(st)
        if i is None:
            return default
        off = self._off
        return self._post[off[i]:off[i + 1]]

    def count(self, st: str) -> int:
        """How many sentences hold the stem."""
        i = self._ids.get(st)
        if i is None:
            return 0
        off = self._off
        return off[i + 1] - off[i]

    def __contains__(self, st: object) -> bool:
        return st in self._ids

    def __getitem__(self, st: str):  # noqa: ANN204
        got = self.get(st)
        if got is None:
            raise KeyError(st)
        return got

    def __len__(self) -> int:
        return len(self._ids)

    def keys(self):  # noqa: ANN201
        return self._ids.keys()

    def items(self):  # noqa: ANN201
        return ((st, self.get(st)) for st in self._ids)


class _ByUnit:
    """Unit index → the indexes of its sentences (contiguous: a range)."""

    def __init__(self, off: array) -> None:
        self._off = off

    def get(self, ui: int, default=None):  # noqa: ANN001, ANN201
        if 0 <= ui < len(self._off) - 1 and self._off[ui] < self._off[ui + 1]:
            return range(self._off[ui], self._off[ui + 1])
        return default

    def __getitem__(self, ui: int) -> range:
        got = self.get(ui)
        if got is None:
            raise KeyError(ui)
        return got

    def __contains__(self, ui: object) -> bool:
        return isinstance(ui, int) and self.get(ui) is not None


class _UnitStems(_MadeOnAccess):
    """Every stem of each unit, as a frozenset made on first access."""

    def __init__(self, stems: _Stems) -> None:
        super().__init__(len(stems.off) - 1)
        self._stems = stems

    def _make(self, ui: int) -> frozenset[str]:
        return self._stems.of(ui)


def _u32(values=()) -> array:  # noqa: ANN001
    return array("I", values)
