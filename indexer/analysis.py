"""French text analysis shared by the index, the query parser and the highlighter.

One pass over the text turns it into search terms:

- lowercase; accents and ligatures folded (``é`` → ``e``, ``œ`` → ``oe``);
- elisions dropped (``l'``, ``d'``, ``qu'``, ``jusqu'``, ``lorsqu'`` …): the apostrophe
  splits the word and the elided part is a stopword;
- stopwords removed (Whoosh's French list completed with ``les``, ``a`` …);
- Snowball French stemming, after a light plural rule so that ``élu`` finds ``élus``;
- numbers kept whole: ``2025-361``, ``7,03``, ``18 500`` (→ ``18500``);
- hyphenated words split into their parts, so ``HINGREZ-CEREDA`` and
  ``hingrez cereda`` give the same terms.

`analyze(text)` gives the terms, `spans(text)` the terms with their character
offsets (for highlighting), and `FrenchAnalyzer` is the same thing as a Whoosh
analyzer (it must stay importable under this name: the index schema pickles it).
"""

from __future__ import annotations

import re
import struct
import sys
import unicodedata
from array import array as _array
from collections.abc import Iterator

from whoosh.analysis import Composable, Token
from whoosh.formats import Positions
from whoosh.lang.snowball.french import FrenchStemmer

# Whoosh's French list (whoosh.lang.stopwords) misses frequent words; completed here.
_WHOOSH_FR = """ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions
aurons auront aux avaient avais avait avec avez aviez avions avons ayant ayante ayantes ayants ayez ayons
c ce ces d dans de des du elle en es est et eu eue eues eurent eus eusse eussent eusses eussiez eussions
eut eux eûmes eût eûtes furent fus fusse fussent fusses fussiez fussions fut fûmes fût fûtes il j je l la
le leur lui m ma mais me mes moi mon même n ne nos notre nous on ont ou par pas pour qu que qui s sa se
sera serai seraient serais serait seras serez seriez serions serons seront ses soient sois soit sommes son
sont soyez soyons suis sur t ta te tes toi ton tu un une vos votre vous y à étaient étais était étant
étante étantes étants étiez étions été étée étées étés êtes"""
_EXTRA_FR = """les a ils elles cet cette leurs lorsqu jusqu puisqu quoiqu quelqu presqu ci là dont où
si ni or donc car comme aussi plus très tout tous toute toutes"""
ELISIONS = ("l", "d", "qu", "n", "s", "j", "c", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu")


def fold(text: str) -> str:
    """Lowercase and fold accents and ligatures: "Œuvre Élue" → "oeuvre elue"."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


STOPWORDS: frozenset[str] = frozenset(fold(w) for w in _WHOOSH_FR.split() + _EXTRA_FR.split())

# Numbers first (kept whole), then runs of letters/digits.  Apostrophes, hyphens and
# other punctuation separate words.
_TOKEN_RE = re.compile(
    r"(?<![\w,.])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?![\w])"  # 18 500 / 1 234 567,50
    r"|\d+(?:[-,./]\d+)*(?![\w])"  # 2025-361, 7,03, 04/12/2023
    r"|\w+"
)
TOKEN_RE = _TOKEN_RE
_SPACES = re.compile(r"[ \u00a0\u202f]")
_COUNT = struct.Struct("!I")  # as whoosh.system.pack_uint
_U32 = struct.Struct("<I")
_LITTLE = sys.byteorder == "little" and _array("I").itemsize == 4


class _Terms:
    """Word → term, with a cache (stemming is the slow part of analysis)."""

    def __init__(self, cache_size: int = 200_000) -> None:
        self._cache: dict[str, str] = {}
        self._cache_size = cache_size

    def term(self, word: str) -> str:
        """The term for one raw token, "" for a stopword."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        term = self._compute(word)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[word] = term
        return term

    def _compute(self, word: str) -> str:
        low = word.lower()
        if low[0].isdecimal():
            if _SPACES.search(low) and "," not in low.split()[0]:
                return _SPACES.sub("", low)
            if not any(c.isalpha() for c in low):
                return fold(low)
        folded = fold(low)
        if folded in STOPWORDS or low in STOPWORDS:
            return ""
        if not low.isalpha():  # mixed letters and digits ("a16", "15h30"): keep as is
            return folded
        return stem(low)


_STEMMER = FrenchStemmer()


def stem(word: str) -> str:
    """The index's stem of one lowercase word: light plural rule, Snowball French, folded.

    "élus" → "elu", "délibérations" → "deliber".  The question answerer uses this one too."""
    if len(word) > 3 and word[-1] in "sx" and word[-2] != "s":  # plural: élus → élu
        word = word[:-1]
    return fold(_STEMMER.stem(word))


_DEFAULT = _Terms()


def spans(text: str, terms: _Terms | None = None) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) for every non-stopword token of `text`."""
    t = terms or _DEFAULT
    for m in _TOKEN_RE.finditer(text):
        term = t.term(m.group())
        if term:
            yield term, m.start(), m.end()


def analyze(text: str) -> list[str]:
    """The search terms of `text`, in order: "Les élus d'HINGREZ-CÉRÉDA" → ["elu", "hingrez", "cered"]."""
    return [term for term, _, _ in spans(text)]


def word_tokens(text: str) -> list[str]:
    """The raw tokens of `text` (before stopwords and stemming), for query parsing."""
    return [m.group() for m in _TOKEN_RE.finditer(text)]


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
        """The terms of `value` as plain strings (the fast path used at indexing time)."""
        term_of = self._terms.term
        return [t for t in map(term_of, _TOKEN_RE.findall(value)) if t]

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


class FastPositions(Positions):
    """Whoosh's Positions format, fed by `FrenchAnalyzer.terms` without building a
    Token object per word (indexing spends most of its time here).

    Positions are written packed: the 4-byte count Whoosh reads frequencies from, the
    PACKED byte, then the positions as little-endian 32-bit integers, so that a phrase
    search reads the positions of a whole posting block with one numpy call instead of one
    pickle per posting.  Values written by Whoosh's format (older indexes) are still read."""

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
