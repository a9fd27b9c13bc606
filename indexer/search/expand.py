"""What a backend's query builder keeps while it turns the words of a query into its own
queries, the same for every backend: the terms that rank and highlight, prefixes, the
deliberation numbers the query names, which spellings a fuzzy word (mot~) expands to and how
many, how many words a prefix scores with, and the walk over the word groups (a word that
only says what a number is, « délibération 361 », is skipped; the budget stops the walk).

A backend subclasses `Expansion` with its own `clause()` (one Clause → its query) and
`_numbers_ending()` (the deliberation numbers of the index ending with a short one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from .backend import Budget
from .query import _DELIB_CONTEXT, _DELIB_NUMBER, _NUMBER_WORDS, Clause, ParsedQuery, _key
from .suggest import _distance

#: words a fuzzy word (mot~) may expand to, itself included
MAX_FUZZY_TERMS = 64
#: indexed words a prefix (mot*) is scored with
MAX_PREFIX_TERMS = 64


def prefix_stem(text: str) -> str:
    """The folded stem of a prefix clause, as the index spells its terms."""
    return _key(text).replace("-", "").replace("'", "").replace("’", "")


def levenshtein(a: str, b: str, limit: int) -> int:
    """Levenshtein distance (no transpositions, as the Whoosh automaton), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def closest(term: str, candidates: Iterable[str], distance: int, df: Callable[[str], int]) -> list[str]:
    """What fuzzy `term` expands to: itself, then at most MAX_FUZZY_TERMS - 1 of the other
    `candidates` (indexed terms within `distance`), the closest first, then the most frequent
    (`df`), then alphabetical."""
    near = [t for t in candidates if t != term]
    near.sort(key=lambda t: (_distance(term, t, distance), -df(t), t))
    return [term, *near[:MAX_FUZZY_TERMS - 1]]


class Expansion:
    """The bookkeeping of one query's expansion (see the module)."""

    def __init__(self, raw: str, budget: Budget | None = None) -> None:
        self.budget = budget or Budget(None)
        self.highlight_terms: set[str] = set()
        self.highlight_prefixes: list[str] = []
        self.score_terms: set[str] = set()  # terms that rank the hits
        self.numbers: set[str] = set(f"{a}-{b}" for a, b in _DELIB_NUMBER.findall(raw))
        self.short_numbers = set(_DELIB_CONTEXT.findall(raw))
        for short in self.short_numbers:
            self.numbers.update(self._numbers_ending(short))
        self.highlight_terms.update(self.numbers)

    def _numbers_ending(self, short: str) -> list[str]:
        raise NotImplementedError

    def clause(self, c: Clause) -> Any:  # noqa: ANN401 - the backend's query, or None
        raise NotImplementedError

    def keep(self, c: Clause, terms: Iterable[str]) -> None:
        """`terms` rank and highlight, unless the clause excludes them."""
        if not c.negated:
            terms = list(terms)
            self.highlight_terms.update(terms)
            self.score_terms.update(terms)

    def keep_prefix(self, stem: str, expansions: Iterable[str]) -> None:
        """A prefix highlights as a prefix and ranks with its first MAX_PREFIX_TERMS indexed words."""
        self.highlight_prefixes.append(stem)
        for n, term in enumerate(expansions):
            if n >= MAX_PREFIX_TERMS:
                break
            self.score_terms.add(term)

    def number(self, c: Clause) -> list[str]:
        """The deliberation numbers a word clause names (« 2025-361 », or « 361 » after « délibération »)."""
        raw = re.sub(r"^n[°o]\.?\s*", "", c.text.strip(), flags=re.I)
        if _DELIB_NUMBER.fullmatch(raw):
            return [raw.replace("/", "-")]
        if raw.isdigit() and raw in self.short_numbers:
            return self._numbers_ending(raw)
        return []

    def groups(self, pq: ParsedQuery) -> tuple[list[list], list[list]]:
        """(the groups the query requires, those it excludes), each a list of the backend's
        queries of its clauses (ORed); groups without a query are left out."""
        must: list[list] = []
        must_not: list[list] = []
        for group in pq.groups:
            if self.numbers and len(group) == 1 and group[0].kind == "word" \
                    and _key(group[0].text).rstrip("s") in _NUMBER_WORDS:
                continue  # "délibération 361": the word only says what the number is
            parts = []
            for c in group:
                if (must or must_not or parts) and self.budget.spent():
                    break  # the rest of the query is not read (the notice says the search was cut)
                part = self.clause(c)
                if part is not None:
                    parts.append(part)
            if parts:
                (must_not if group[0].negated else must).append(parts)
        return must, must_not
