"""The Whoosh backend: a parsed query → Whoosh queries → document sets, facet counts, BM25 ranking.

Every Whoosh import of the search lives here, in `whoosh_engine` (snapshots, document sets,
ranking), the segment readers it uses (`whoosh_postings`, `whoosh_phrases`, `whoosh_columns`,
`whoosh_sidecar`), `whoosh_filters` (queries of words and filters),
and in `whoosh_analysis` (the French analyzer and positions format the index schema holds).
"""

from __future__ import annotations

import functools
import heapq
import re
from pathlib import Path

import numpy as np
from whoosh import query as Q

from ..analysis import analyze, fold
from .backend import Budget, Matches, Request
from .filters import BY_VALUE, FACETS
from .expand import Expansion, closest, prefix_stem
from .query import Clause, ParsedQuery
from .results import Hit
from .snippets import snippet
from .whoosh_engine import Engine, View
from .whoosh_filters import terms_query

# Plain words are matched in `text` only: it indexes, besides the body, the unit's
# title three times and its speaker twice, which is BM25F with those field weights
# folded into one field (so that Whoosh ranks with one posting list per word).
WORD_FIELDS = ("text", "title", "speaker", "item_title", "group")






class _Builder(Expansion):
    """Turns a ParsedQuery into a Whoosh query against one reader."""

    def __init__(self, reader, raw: str, budget: Budget | None = None) -> None:  # noqa: ANN001
        self.reader = reader
        super().__init__(raw, budget)

    def _numbers_ending(self, short: str) -> list[str]:
        suffix = "-" + short.lstrip("0")
        return [t for t in self._number_terms() if t.endswith(suffix)]

    @functools.cached_property
    def _number_terms_cache(self) -> list[str]:
        return [t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.lexicon("number")]

    def _number_terms(self) -> list[str]:
        return self._number_terms_cache

    def clause(self, c: Clause) -> Q.Query | None:
        if c.kind == "prefix":
            stem = prefix_stem(c.text)
            if not c.negated:
                self.keep_prefix(stem, (t.decode("utf-8") if isinstance(t, bytes) else t
                                        for t in self.reader.expand_prefix("text", stem)))
            return Q.Prefix("text", stem)
        if c.kind == "fuzzy":
            terms = analyze(c.text)
            if not terms:
                return None
            term = terms[0]
            near = closest(term, self.reader.terms_within("text", term, c.distance, prefix=1), c.distance,
                           lambda t: self.reader.doc_frequency("text", t))
            self.keep(c, near)
            return Q.Or([Q.Term("text", t) for t in near])
        terms = analyze(c.text)
        if not terms:
            return None
        self.keep(c, terms)
        main = terms_query("text", terms)
        parts = [Q.Term("number", n) for n in self.number(c)]
        return Q.Or([main, *parts]) if parts else main

    def words(self, pq: ParsedQuery) -> tuple[Q.Query | None, Q.Query | None]:
        """(what the words require, what they exclude); None when the query has no words."""
        required, refused = self.groups(pq)
        must = [qs[0] if len(qs) == 1 else Q.Or(qs) for qs in required]
        must_not = [qs[0] if len(qs) == 1 else Q.Or(qs) for qs in refused]
        main = None if not must else must[0] if len(must) == 1 else Q.And(must)
        excluded = None if not must_not else must_not[0] if len(must_not) == 1 else Q.Or(must_not)
        return main, excluded

    def number_boost(self) -> Q.Query:
        """The deliberations whose number the query names (they come first)."""
        return Q.Or([Q.And([Q.Term("number", n), Q.Term("kind", "deliberation")]) for n in sorted(self.numbers)])


class WhooshBackend:
    """The Backend of one Whoosh index home."""

    def __init__(self, home: Path) -> None:
        self.engine = Engine(home)

    def generation(self) -> int:
        return self.engine.snapshot().generation

    def warm(self) -> None:
        """The current snapshot's searcher opened and its per-generation arrays read."""
        with self.engine.view() as engine:
            if engine is not None:
                engine.prepare(True)

    def forget(self) -> None:
        snap = self.engine._snapshot
        if snap is not None:
            snap.sets.clear()

    def run(self, request: Request, spent: Budget) -> Matches | None:
        pq, query, merged = request.parsed, request.raw, request.filters
        page, per_page, sort, facets = request.page, request.per_page, request.sort, request.facets
        result = Matches()
        with self.engine.view(spent) as engine:
            if engine is None:
                return None
            engine.prepare(facets)
            spent.start()
            searcher = engine.searcher
            reader = searcher.reader()
            builder = _Builder(reader, query, spent)
            words, excluded = builder.words(pq)
            if words is None and not merged and not pq.excluded_filters and excluded is None:
                result.notice = "Aucun mot à chercher"
                return result
            base = engine.all_docs() if words is None else engine.docs(words)
            if excluded is not None:
                base = base & ~engine.docs(excluded)
            for key, values in pq.excluded_filters.items():
                for v in values:
                    base = base & ~engine.filter_docs(key, v)
            chosen = {key: engine.filter_union(key, values) for key, values in merged.items()}
            docs = _intersect(base, chosen.values())  # document sets are boolean masks
            result.total = int(np.count_nonzero(docs))
            if facets:
                result.facets = _facet_counts(engine, base, chosen, docs)
            start = (page - 1) * per_page
            top: list[tuple[float, int]] = []
            if result.total and start < result.total:
                limit = start + per_page
                if sort == "relevance" and words is not None:
                    bonus = engine.docs(builder.number_boost()) if builder.numbers else None
                    top = engine.rank(builder.score_terms, docs, limit, bonus)
                else:
                    if sort == "date_asc":
                        key = engine.column("order_asc").__getitem__
                        ranked = heapq.nsmallest(limit, np.flatnonzero(docs).tolist(), key=key)
                    else:  # newest session first, in the order of the debate
                        key = engine.column("order_desc").__getitem__
                        ranked = heapq.nlargest(limit, np.flatnonzero(docs).tolist(), key=key)
                    top = [(0.0, d) for d in ranked]
            for score, docnum in top[start:start + per_page]:
                result.hits.append(_hit(engine.stored(docnum), score, builder))
            result.suggestion = None if spent.cut else _suggestion(engine, reader, pq, query)
        return result


def _intersect(base: np.ndarray, masks) -> np.ndarray:  # noqa: ANN001
    out = base
    for m in masks:
        out = out & m
    return out


def _hit(stored: dict, score: float, builder: _Builder) -> Hit:
    text = stored.get("text") or ""
    return Hit(
        id=stored.get("id", ""), kind=stored.get("kind", ""), speaker=stored.get("speaker") or "",
        person_id=stored.get("person_id") or "", group=stored.get("group") or "", item=stored.get("item") or "",
        item_title=stored.get("item_title") or "", session=stored.get("session", ""),
        date=stored.get("date", ""), page=stored.get("page"),
        snippet=snippet(text, builder.highlight_terms, builder.highlight_prefixes),
        score=round(score, 4), url=stored.get("url") or "", title=stored.get("title") or "",
        number=stored.get("number") or "")


def _facet_counts(engine: View, base: np.ndarray, chosen: dict[str, np.ndarray],
                  docs: np.ndarray) -> dict[str, dict[str, int]]:
    """Counts per facet value.  Multi-select: a facet with a selection is counted
    without its own filter (but with all the others), so its other values stay visible."""
    out: dict[str, dict[str, int]] = {}
    matched = np.flatnonzero(docs)  # the documents counted by every facet without a selection
    for name, field_name in FACETS.items():
        scope = matched
        if name in chosen:
            scope = np.flatnonzero(_intersect(base, [s for k, s in chosen.items() if k != name]))
        labels, codes = engine.codes(field_name)
        hist = np.bincount(codes[scope], minlength=len(labels))
        counts = {labels[i]: int(hist[i]) for i in np.flatnonzero(hist) if labels[i]}
        if name in BY_VALUE:
            ordered = sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
        else:
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out[name] = dict(ordered[:100])
    return out


def _suggestion(engine: View, reader, pq: ParsedQuery, query: str) -> str | None:  # noqa: ANN001
    """The query with each unknown word replaced by the closest known word, if any."""
    replaced = query
    changed = False
    for word in pq.words:
        terms = analyze(word)
        if not terms or any(c.isdigit() for c in word):
            continue
        known = all(any(reader.doc_frequency(f, t) for f in WORD_FIELDS) for t in terms)
        if known:
            continue
        fix = engine.vocabulary().correct(word)
        if fix and fold(fix) != fold(word):
            replaced = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", fix, replaced, count=1)
            changed = True
    return replaced if changed else None


