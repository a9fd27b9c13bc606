"""The words that distinguish one speaker from everyone else.

Weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn,
"Fightin' Words", 2008) over stemmed words, stopwords removed (the French analysis of
the index).  Each stem is shown by its most frequent written form.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.analysis import analyze, spans

#: total pseudo-count of the prior (scaled to the corpus word frequencies)
PRIOR = 500.0

#: function words the index keeps (they can be searched) but that say nothing about a speaker
_BLAND = """ceux celui celle celles cela ceci ça aussi alors donc encore ainsi fait faire dire dit bien très
peu cet quand comment pourquoi chose choses sommes être avoir peut peuvent doit faut vais veux voilà oui non
merci monsieur madame messieurs mesdames chers chères collègues président présidente mme mr mm maire
adjoint adjointe conseil conseiller conseillère conseillers municipal municipale commune"""


def _bland_stems() -> frozenset[str]:
    return frozenset(t for w in _BLAND.split() for t in analyze(w))


@dataclass
class Lexicon:
    """Stem counts of a set of texts, with the written forms seen for each stem."""

    counts: Counter[str]
    forms: dict[str, Counter[str]]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def sample_every(count: int, limit: int) -> int:
    """The step k such that taking every k-th of `count` items keeps at most `limit` of them."""
    return max(1, -(-count // max(limit, 1)))


def stem_counts(text: str) -> Counter[str]:
    """The stems of a text (same filtering as `lexicon`), without written forms: the fast path."""
    return Counter(t for t in analyze(text) if len(t) >= 3 and not t.isdigit())



def lexicon(texts: Iterable[str]) -> Lexicon:
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for term, start, end in spans(text):
            if term.isdigit() or len(term) < 3:
                continue
            counts[term] += 1
            forms.setdefault(term, Counter())[text[start:end].lower()] += 1
    return Lexicon(counts, forms)


def distinctive_words(person: Lexicon, others: Lexicon, *, top: int = 15, min_count: int = 2) -> list[dict]:
    """Stems over-used by `person` compared with `others` (everyone else's speeches).

    Returns [{word, stem, count, z}] by decreasing z-score of the log-odds ratio.
    """
    n_i = person.total
    n_j = others.total
    n_all = n_i + n_j
    if n_i == 0 or n_j <= 0:
        return []
    scored = []
    for stem, y_i in person.counts.items():
        if y_i < min_count:
            continue
        y_j = others.counts.get(stem, 0)
        y_all = y_i + y_j
        alpha = PRIOR * y_all / n_all
        delta = (math.log((y_i + alpha) / (n_i + PRIOR - y_i - alpha))
                 - math.log((y_j + alpha) / (n_j + PRIOR - y_j - alpha)))
        variance = 1.0 / (y_i + alpha) + 1.0 / (y_j + alpha)
        z = delta / math.sqrt(variance)
        if z > 0:
            scored.append((z, stem, y_i))
    scored.sort(key=lambda t: (-t[0], t[1]))
    bland = _bland_stems()
    scored = [t for t in scored if t[1] not in bland]
    return [{"word": person.forms[stem].most_common(1)[0][0], "stem": stem, "count": y, "z": round(z, 2)}
            for z, stem, y in scored[:top]]
