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
offsets (for highlighting).  This module imports no search engine: the same analysis as a
Whoosh analyzer is `indexer.search.whoosh_analysis.FrenchAnalyzer` (still importable from
here under its old name, which indexes written before the move pickled in their schema).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .snowball_fr import FrenchStemmer  # NLTK's Snowball French, without importing NLTK

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
# other punctuation separate words.  The number forms are tried only where a digit starts
# (`(?=\d)`: the same tokens, found in 0.8 of the time: most tokens are words)
_TOKEN_RE = re.compile(
    r"(?=\d)(?:(?<![\w,.])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?![\w])"  # 18 500 / 1 234 567,50
    r"|\d+(?:[-,./]\d+)*(?![\w]))"  # 2025-361, 7,03, 04/12/2023
    r"|\w+"
)
TOKEN_RE = _TOKEN_RE
_SPACES = re.compile(r"[ \u00a0\u202f]")


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

    def terms(self, words: list[str]) -> list[str]:
        """`term` of each word (stopwords: ""), the memo looked up for all of them at once and
        only the words it misses computed one by one (the fast path of indexing)."""
        terms = list(map(self._cache.get, words))
        if None in terms:
            term = self.term
            terms = [term(w) if t is None else t for w, t in zip(words, terms)]
        return terms

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


_STEMMER = FrenchStemmer()  # nltk's Snowball French, copied (Whoosh's is a copy of it too: same stems)

#: The stems of the words of French council minutes, computed once (scripts/make_stem_memo.py): a cold
#: process (each CLI command, each worker of an index run) looks them up instead of stemming every
#: distinct word again.  Lines "word stem", the word lowercase and also folded (the Q&A's tokens).
MEMO_FILE = Path(__file__).resolve().parent / "data" / "stems_fr.txt"
_memo: dict[str, str] | None = None


def load_memo(path: Path | None = None) -> dict[str, str]:
    """The memo of `path`, empty when the file is missing or malformed.  Without `path`, MEMO_FILE's,
    which `stem` then uses (read on the first stem)."""
    global _memo
    try:
        text = (MEMO_FILE if path is None else path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    items = text.split()
    lines = text.count("\n")
    it = iter(items)
    # a file cut short or edited by hand is not trusted: every line is "word stem\n"
    whole = text.endswith("\n") and len(items) == 2 * lines == 2 * text.count(" ")
    memo = dict(zip(it, it)) if whole else {}
    if path is None:
        _memo = memo
    return memo


def stem(word: str) -> str:
    """The index's stem of one lowercase word: light plural rule, Snowball French, folded.

    "élus" → "elu", "délibérations" → "deliber".  The question answerer uses this one too.
    The memo's stem if it has the word, which is the same (tests/test_stem_memo.py)."""
    found = (_memo if _memo is not None else load_memo()).get(word)
    return found if found is not None else compute_stem(word)


def compute_stem(word: str) -> str:
    """`stem` without the memo."""
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


def __getattr__(name: str):  # noqa: ANN202
    """`FrenchAnalyzer` and `FastPositions` are Whoosh classes, now in the Whoosh backend
    (`indexer.search.whoosh_analysis`); indexes written before the move pickled them under
    this module's name, so they are still found here (imported only when asked for)."""
    if name in ("FrenchAnalyzer", "FastPositions", "PACKED"):
        from .search import whoosh_analysis

        return getattr(whoosh_analysis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
