"""Spelling suggestions: the closest indexed word (accents restored) to an unknown word."""

from __future__ import annotations

from collections import Counter

from ..analysis import fold


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


class Vocabulary:
    """Surface words of the indexed texts (folded → best spelled form and count)."""

    def __init__(self, counts: dict[str, int]) -> None:
        best: dict[str, tuple[tuple[int, int], str]] = {}
        totals: Counter[str] = Counter()
        for word, n in counts.items():
            key = fold(word)
            totals[key] += n
            rank = (n, sum(1 for c in word if ord(c) > 127))
            if key not in best or rank > best[key][0]:
                best[key] = (rank, word)
        self.forms = {k: v[1] for k, v in best.items()}
        self.counts = dict(totals)
        self.by_initial: dict[str, list[str]] = {}
        for key in self.forms:
            self.by_initial.setdefault(key[:1], []).append(key)

    def correct(self, word: str) -> str | None:
        key = fold(word)
        if len(key) < 4:
            return None
        limit = 1 if len(key) < 7 else 2
        best: tuple[int, int, str] | None = None
        for cand in self.by_initial.get(key[:1], ()):
            if abs(len(cand) - len(key)) > limit or cand == key:
                continue
            d = _distance(key, cand, limit)
            if d <= limit:
                rank = (d, -self.counts[cand], cand)
                if best is None or rank < best:
                    best = rank
        return self.forms[best[2]] if best else None
