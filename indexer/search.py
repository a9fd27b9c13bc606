"""Full-text search over the units of every indexed session.

Query language (words are ANDed)::

    budget "service civique" Mercosur OR Eurostar -Calais téléassist* teleassistence~
    orateur:pajot groupe:"rassemblement national" point:2 seance:2025-09-22 type:voeu
    date:2025-09  du:2024-01-01 au:2025-12-31

Filters come from an allow-list (French names in queries; `FILTER_KEYS` for the
parameter names).  Syntax that cannot be understood never raises: the query falls
back to its plain words and `SearchResult.notice` says so.

The engine keeps one Whoosh searcher open per index home and reopens it when a
commit changed the index, so a new session is searchable without a restart.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import html
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import accumulate
from pathlib import Path
from pickle import loads
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.scoring import BM25F

from .analysis import TOKEN_RE as _WORD_AT, analyze, fold, word_tokens
from .index import KINDS, home_dir, index_generation, index_path, open_index

MAX_QUERY_CHARS = 500
MAX_PER_PAGE = 100
MAX_WINDOW = 1000  # deepest result reachable by paging
SNIPPET_CHARS = 240
#: seconds a search may spend expanding, uniting and scoring before it is cut (with a notice)
SEARCH_BUDGET = 1.0
#: words a fuzzy word (mot~) may expand to
MAX_FUZZY_TERMS = 64
K1, B = 1.2, 0.5  # BM25 parameters (B below the usual 0.75: long speeches are not penalised as much)
NOTICE_SYNTAX = "Syntaxe non reconnue : recherche sur les mots"

# Query filter names (French, as typed) → parameter keys.
FILTER_ALIASES = {
    "orateur": "speaker", "oratrice": "speaker", "speaker": "speaker",
    "groupe": "group", "group": "group",
    "point": "item", "item": "item",
    "seance": "session", "session": "session",
    "type": "kind", "kind": "kind",
    "annee": "year", "year": "year",
    "date": "date",
    "du": "from", "from": "from",
    "au": "to", "to": "to",
}
FILTER_KEYS = ("speaker", "group", "item", "session", "kind", "year", "date", "from", "to")
FACETS = {"speaker": "speaker_f", "group": "group_f", "item": "item_f", "session": "session", "kind": "kind",
          "year": "year"}
KIND_ALIASES = {"intervention": "intervention", "interventions": "intervention", "discours": "intervention",
                "deliberation": "deliberation", "deliberations": "deliberation", "delib": "deliberation",
                "voeu": "voeu", "voeux": "voeu", "rapport": "rapport", "rapports": "rapport",
                "passage": "passage", "passages": "passage", "page": "passage"}
SORTS = ("relevance", "date", "date_asc")

# Plain words are matched in `text` only: it indexes, besides the body, the unit's
# title three times and its speaker twice, which is BM25F with those field weights
# folded into one field (so that Whoosh ranks with one posting list per word).
WORD_FIELDS = ("text", "title", "speaker", "item_title", "group")


# -- results ----------------------------------------------------------------------

@dataclass
class Hit:
    id: str
    kind: str  # "intervention" | "deliberation" | "voeu" | "rapport" | "passage"
    speaker: str
    person_id: str
    group: str
    item: str  # agenda item id
    item_title: str
    session: str
    date: str
    page: int | None
    snippet: str  # HTML-escaped, matched words in <mark>
    score: float
    url: str  # permalink path
    title: str = ""
    number: str = ""  # deliberation number

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    notice: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"

    @property
    def pages(self) -> int:
        reachable = min(self.total, MAX_WINDOW)
        return max(1, -(-reachable // self.per_page))

    def to_dict(self) -> dict:
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "pages": self.pages, "sort": self.sort, "hits": [h.to_dict() for h in self.hits],
                "facets": self.facets, "suggestion": self.suggestion, "notice": self.notice,
                "filters": self.filters}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)


# -- query parsing ----------------------------------------------------------------

@dataclass
class Clause:
    """One element of a parsed query."""

    kind: str  # "word" | "phrase" | "prefix" | "fuzzy"
    text: str  # as typed
    negated: bool = False
    distance: int = 1  # fuzzy


@dataclass
class ParsedQuery:
    groups: list[list[Clause]] = field(default_factory=list)  # AND of OR-groups
    filters: dict[str, list[str]] = field(default_factory=dict)
    excluded_filters: dict[str, list[str]] = field(default_factory=dict)
    notice: str | None = None
    words: list[str] = field(default_factory=list)  # plain words typed, for suggestions


_TOKEN = re.compile(r'\s*(?P<neg>-)?(?:(?P<field>[^\W\d_]+):)?(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))?')


def _key(word: str) -> str:
    return fold(word).strip()


def parse_query(text: str) -> ParsedQuery:
    """The query language above → a ParsedQuery; bad syntax falls back to plain words."""
    text = (text or "")[:MAX_QUERY_CHARS]
    try:
        return _parse_strict(text)
    except ValueError as exc:
        pq = ParsedQuery(notice=NOTICE_SYNTAX if not str(exc) else f"{NOTICE_SYNTAX} ({exc})")
        words = [w for w in word_tokens(text) if w.upper() not in ("OR", "AND", "NOT")]
        pq.groups = [[Clause("word", w)] for w in words]
        pq.words = words
        return pq


def _parse_strict(text: str) -> ParsedQuery:
    if text.count('"') % 2:
        raise ValueError("guillemet non fermé")
    if re.search(r"[()\[\]{}^]", text):
        raise ValueError("parenthèses non prises en charge")
    pq = ParsedQuery()
    pending_or = False
    pending_not = False
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError("")
        pos = m.end()
        neg, fname, phrase, word = m.group("neg"), m.group("field"), m.group("phrase"), m.group("word")
        if fname is None and phrase is None and word is None:
            if neg:
                raise ValueError("« - » seul")
            continue
        if fname is not None:
            key = FILTER_ALIASES.get(_key(fname))
            if key is None:
                raise ValueError(f"filtre inconnu « {fname}: »")
            value = phrase if phrase is not None else word
            if not value or not value.strip():
                raise ValueError(f"filtre « {fname}: » sans valeur")
            value = _check_filter(key, value.strip())
            target = pq.excluded_filters if (neg or pending_not) else pq.filters
            target.setdefault(key, []).append(value)
            pending_not = False
            continue
        if phrase is not None:
            clause = Clause("phrase", phrase, negated=bool(neg))
            if not analyze(phrase):
                continue
        else:
            if word in ("OR", "||"):
                if not pq.groups or pending_or:
                    raise ValueError("OR mal placé")
                pending_or = True
                continue
            if word in ("AND", "&&"):
                continue
            if word == "NOT":
                pending_not = True
                continue
            clause = _word_clause(word, bool(neg))
            if clause is None:
                continue
        if pending_not:
            clause.negated = True
            pending_not = False
        if pending_or:
            if clause.negated or pq.groups[-1][0].negated:
                raise ValueError("OR avec une exclusion")
            pq.groups[-1].append(clause)
            pending_or = False
        else:
            pq.groups.append([clause])
        if clause.kind == "word" and not clause.negated:
            pq.words.append(clause.text)
    if pending_or or pending_not:
        raise ValueError("opérateur en fin de requête")
    return pq


def _word_clause(word: str, negated: bool) -> Clause | None:
    if word.endswith("*"):
        stem = word.rstrip("*")
        if "*" in stem or "?" in stem or len(_key(stem)) < 2 or not re.fullmatch(r"[\w'’-]+", stem):
            raise ValueError(f"préfixe invalide « {word} »")
        return Clause("prefix", stem, negated=negated)
    fuzzy = re.fullmatch(r"(.+?)~([12]?)", word)
    if fuzzy:
        base, dist = fuzzy.group(1), fuzzy.group(2)
        if not re.fullmatch(r"[^\W_]+", base):
            raise ValueError(f"recherche approchée invalide « {word} »")
        return Clause("fuzzy", base, negated=negated, distance=int(dist or 2 if len(base) > 5 else dist or 1))
    if "*" in word or "~" in word or "?" in word:
        raise ValueError(f"joker mal placé « {word} »")
    if not analyze(word):
        return None  # stopword or punctuation
    return Clause("word", word, negated=negated)


_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _check_filter(key: str, value: str) -> str:
    """Validate and normalise a filter value; ValueError when it cannot be understood."""
    if key in ("date", "from", "to", "year"):
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if m:
            value = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
        parts = [int(p) for p in value.split("-")] if _DATE.fullmatch(value) else []
        if not parts or (key == "year" and len(parts) != 1) or (len(parts) > 1 and not 1 <= parts[1] <= 12) \
                or (len(parts) > 2 and not 1 <= parts[2] <= 31):
            raise ValueError(f"date invalide « {value} » (AAAA, AAAA-MM ou AAAA-MM-JJ)")
        return value
    if key == "kind":
        kind = KIND_ALIASES.get(_key(value))
        if kind is None:
            raise ValueError(f"type inconnu « {value} » ({', '.join(KINDS)})")
        return kind
    return value


def normalise_filters(filters: dict[str, list[str]] | None) -> tuple[dict[str, list[str]], str | None]:
    """Parameter filters → canonical keys; invalid values are dropped with a notice."""
    out: dict[str, list[str]] = {}
    notice = None
    for name, values in (filters or {}).items():
        key = FILTER_ALIASES.get(_key(name))
        if key is None:
            notice = f"Filtre ignoré : {name}"
            continue
        if isinstance(values, str):
            values = [values]
        for v in values:
            if not v or not str(v).strip():
                continue
            try:
                value = _check_filter(key, str(v).strip())
            except ValueError as exc:
                notice = f"Filtre ignoré : {exc}"
                continue
            if value not in out.setdefault(key, []):
                out[key].append(value)
    return {k: v for k, v in out.items() if v}, notice


# -- query building ---------------------------------------------------------------

def _terms_query(field: str, terms: list[str], boost: float = 1.0) -> Q.Query:
    if len(terms) == 1:
        return Q.Term(field, terms[0], boost=boost)
    return Q.Phrase(field, terms, boost=boost)


def _filter_query(key: str, value: str, reader) -> Q.Query:  # noqa: ANN001
    terms = analyze(value)
    if key == "speaker":
        parts: list[Q.Query] = [Q.Term("speaker_f", value), Q.Term("person_id", value)]
        if terms:
            parts.append(_terms_query("speaker", terms))
        return Q.Or(parts)
    if key == "group":
        parts = [Q.Term("group_f", value)]
        if terms:
            parts.append(_terms_query("group", terms))
        return Q.Or(parts)
    if key == "item":
        parts = [Q.Term("item", value), Q.Term("item_f", value)]
        if value.isdigit():
            parts.append(Q.Term("item_no", value))
        elif terms:
            parts.append(Q.And([Q.Term("item_title", t) for t in terms]))
        return Q.Or(parts)
    if key == "session":
        return Q.Or([Q.Term("session", value), Q.Term("date", value)])
    if key == "kind":
        return Q.Term("kind", value)
    if key == "year":
        return Q.Term("year", value)
    if key == "date":
        return Q.Term("date", value) if len(value) == 10 else Q.Prefix("date", value)
    if key == "from":
        return Q.TermRange("date", value, None)
    if key == "to":
        return Q.TermRange("date", None, value if len(value) == 10 else value + "\uffff")
    raise KeyError(key)


_DELIB_CONTEXT = re.compile(r"(?:d[ée]lib[ée]ration|d[ée]lib\.?|n°|numéro|numero)\s*(?:n°\s*)?(\d{1,4})\b", re.I)
_DELIB_NUMBER = re.compile(r"\b(\d{4})[-/](\d{1,4})\b")


_NUMBER_WORDS = {"delib", "deliberation", "numero", "n°", "no"}


class _Builder:
    """Turns a ParsedQuery into a Whoosh query against one reader."""

    def __init__(self, reader, raw: str, budget: Budget | None = None) -> None:  # noqa: ANN001
        self.reader = reader
        self.budget = budget or Budget(None)
        self.highlight_terms: set[str] = set()
        self.highlight_prefixes: list[str] = []
        self.numbers: set[str] = set(f"{a}-{b}" for a, b in _DELIB_NUMBER.findall(raw))
        self.short_numbers = {m for m in _DELIB_CONTEXT.findall(raw)}
        for short in self.short_numbers:
            self.numbers.update(self._numbers_ending(short))
        self.highlight_terms.update(self.numbers)
        self.score_terms: set[str] = set()  # terms of the `text` field that rank the hits

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
            stem = _key(c.text).replace("-", "").replace("'", "").replace("’", "")
            if not c.negated:
                self.highlight_prefixes.append(stem)
                expansions = []
                for t in self.reader.expand_prefix("text", stem):
                    expansions.append(t.decode("utf-8") if isinstance(t, bytes) else t)
                    if len(expansions) >= 64:
                        break
                self.score_terms.update(expansions)
            return Q.Prefix("text", stem)
        if c.kind == "fuzzy":
            terms = analyze(c.text)
            if not terms:
                return None
            term = terms[0]
            near = [t for t in self.reader.terms_within("text", term, c.distance, prefix=1) if t != term]
            # the closest and most frequent spellings first, the word itself always
            near.sort(key=lambda t: (_distance(term, t, c.distance), -self.reader.doc_frequency("text", t), t))
            near = [term, *near[:MAX_FUZZY_TERMS - 1]]
            if not c.negated:
                self.highlight_terms.update(near)
                self.score_terms.update(near)
            return Q.Or([Q.Term("text", t) for t in near])
        terms = analyze(c.text)
        if not terms:
            return None
        if not c.negated:
            self.highlight_terms.update(terms)
            self.score_terms.update(terms)
        main = _terms_query("text", terms)
        raw = re.sub(r"^n[°o]\.?\s*", "", c.text.strip(), flags=re.I)
        number = raw if _DELIB_NUMBER.fullmatch(raw) else None
        parts: list[Q.Query] = []
        if number is None and raw.isdigit() and raw in self.short_numbers:
            parts.extend(Q.Term("number", n) for n in self._numbers_ending(raw))
        if number is not None:
            parts.append(Q.Term("number", number.replace("/", "-")))
        return Q.Or([main, *parts]) if parts else main

    def words(self, pq: ParsedQuery) -> tuple[Q.Query | None, Q.Query | None]:
        """(what the words require, what they exclude); None when the query has no words."""
        must: list[Q.Query] = []
        must_not: list[Q.Query] = []
        for group in pq.groups:
            if self.numbers and len(group) == 1 and group[0].kind == "word" \
                    and _key(group[0].text).rstrip("s") in _NUMBER_WORDS:
                continue  # "délibération 361": the word only says what the number is
            qs = []
            for c in group:
                if (must or must_not or qs) and self.budget.spent():
                    break  # the rest of the query is not read (the notice says the search was cut)
                q = self.clause(c)
                if q is not None:
                    qs.append(q)
            if not qs:
                continue
            q = qs[0] if len(qs) == 1 else Q.Or(qs)
            (must_not if group[0].negated else must).append(q)
        main = None if not must else must[0] if len(must) == 1 else Q.And(must)
        excluded = None if not must_not else must_not[0] if len(must_not) == 1 else Q.Or(must_not)
        return main, excluded

    def number_boost(self) -> Q.Query:
        """The deliberations whose number the query names (they come first)."""
        return Q.Or([Q.And([Q.Term("number", n), Q.Term("kind", "deliberation")]) for n in sorted(self.numbers)])


# -- highlighting -----------------------------------------------------------------

def snippet(text: str, terms: set[str], prefixes: list[str] = (), size: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped extract of `text` around the densest group of matched words,
    each matched word wrapped in <mark>."""
    if not text:
        return ""
    # the first matches are enough to choose a window (long speeches cost little)
    matches = _find_matches(text, terms, prefixes, limit=max(12, 4 * (len(terms) + len(prefixes))))
    if not matches:
        end = _cut_end(text, min(len(text), size))
        return html.escape(" ".join(text[:end].split())) + (" …" if end < len(text) else "")
    # densest window: most distinct terms, then most matches, earliest
    best = (0, 0, 0)
    best_i = 0
    j = 0
    for i, (start, _, _) in enumerate(matches):
        while j < len(matches) and matches[j][1] - start <= size:
            j += 1
        window = matches[i:j]
        score = (len({m[2] for m in window}), len(window), -start)
        if score > best:
            best, best_i = score, i
    first = matches[best_i][0]
    start = max(0, first - size // 4)
    start = _cut_start(text, start)
    end = _cut_end(text, min(len(text), start + size))
    out = []
    pos = start
    for m_start, m_end, _ in _find_matches(text, terms, prefixes, start=start, end=end):
        if m_start < start or m_end > end:
            continue
        out.append(html.escape(text[pos:m_start]))
        out.append("<mark>" + html.escape(text[m_start:m_end]) + "</mark>")
        pos = m_end
    out.append(html.escape(text[pos:end]))
    body = "".join(out).strip()
    body = " ".join(body.split())
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")


_ACCENTS = {"a": "aàâäáãå", "e": "eéèêë", "i": "iîïíì", "o": "oôöóòõ", "u": "uùûüú", "c": "cç", "y": "yÿý",
            "n": "nñ"}
_MAX_MARKS = 200


def _accent_pattern(stem: str) -> str:
    """A regex matching `stem` whatever the accents and ligatures of the text ("teleassist" → téléassist…)."""
    out = []
    i = 0
    while i < len(stem):
        pair = stem[i:i + 2]
        if pair in ("oe", "ae"):
            out.append(f"(?:{pair}|{'œ' if pair == 'oe' else 'æ'})")
            i += 2
            continue
        c = stem[i]
        out.append(f"[{_ACCENTS[c]}]" if c in _ACCENTS else re.escape(c))
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _stems_regex(stems: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(_accent_pattern(s) for s in sorted(stems, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})")


def _find_matches(text: str, terms: set[str], prefixes: list[str], *, limit: int = _MAX_MARKS, start: int = 0,
                  end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, term) of the words of `text` that match.  An accent-insensitive regex
    finds candidate words (a stem is, nearly always, a prefix of the folded word); only
    those are analysed, so long texts cost little."""
    stems = tuple(sorted({t for t in terms if t} | {p for p in prefixes if p}))
    if not stems:
        return []
    out: list[tuple[int, int, str]] = []
    low = text.lower()  # same length for the texts we meet; otherwise scan case-sensitively
    haystack = low if len(low) == len(text) else text
    for m in _stems_regex(stems).finditer(haystack, start, len(text) if end is None else end):
        tok = _WORD_AT.match(text, m.start())
        if tok is None:
            continue
        word = tok.group()
        found = analyze(word)
        term = found[0] if found else ""
        if term in terms or any(term.startswith(p) or _key(word).startswith(p) for p in prefixes):
            if not out or out[-1][0] != tok.start():
                out.append((tok.start(), tok.end(), term))
                if len(out) >= limit:
                    break
    return out


def _cut_start(text: str, pos: int) -> int:
    if pos <= 0:
        return 0
    space = text.find(" ", pos, pos + 30)
    return space + 1 if space != -1 else pos


def _cut_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.rfind(" ", pos - 30, pos)
    return space if space > 0 else pos


# -- suggestions ------------------------------------------------------------------

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


# -- the engine -------------------------------------------------------------------

class Budget:
    """The time one search may take.  The expensive steps (expanding fuzzy and prefix words,
    uniting their documents, scoring their terms, reading phrase positions) look at it and
    stop when it is spent, so that one costly query cannot hold a thread for long."""

    def __init__(self, seconds: float | None) -> None:
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.seconds = seconds
        self.cut = False

    def spent(self) -> bool:
        if self.deadline is not None and not self.cut and time.monotonic() > self.deadline:
            self.cut = True
        return self.cut


class Snapshot:
    """One generation of one index home: the caches computed from it, and a pool of searchers
    over the same segments.  A Whoosh searcher reads its files by seek + read, so each search
    leases one of its own; the caches are shared by all."""

    def __init__(self, home: Path, ix, generation: int) -> None:  # noqa: ANN001
        self.home = home
        self.ix = ix
        self.generation = generation
        self.toc = ix._read_toc() if ix is not None else None
        self.columns: dict[str, Any] = {}
        self.sets: dict[tuple[str, str], Any] = {}
        self.vocab: Vocabulary | None = None
        self._lock = threading.Lock()
        self._free: list = []
        self._opened: list = []
        self._users = 0
        self._retired = False

    def _open(self):  # noqa: ANN202
        from whoosh.index import FileIndex
        from whoosh.searching import Searcher

        toc = self.toc
        reader = FileIndex._reader(self.ix.storage, toc.schema, toc.segments, toc.generation)
        return Searcher(reader, weighting=BM25F(B=B, K1=K1), fromindex=self.ix)

    def acquire(self):  # noqa: ANN201
        with self._lock:
            self._users += 1
            if self._free:
                return self._free.pop()
        try:
            searcher = self._open()
        except Exception:
            with self._lock:
                self._users -= 1
            raise
        with self._lock:
            self._opened.append(searcher)
        return searcher

    def release(self, searcher) -> None:  # noqa: ANN001
        with self._lock:
            self._users -= 1
            self._free.append(searcher)
            close = self._retired and self._users == 0
        if close:
            self._close()

    def retire(self) -> None:
        """A newer generation replaces this one: close its searchers once no search uses them."""
        with self._lock:
            self._retired = True
            close = self._users == 0
        if close:
            self._close()

    def _close(self) -> None:
        with self._lock:
            opened, self._opened, self._free = self._opened, [], []
        for s in opened:
            try:
                s.close()
            except Exception:  # noqa: BLE001 - already closed, or files gone
                pass


class Engine:
    """The searchers of one index home, renewed when a commit changes the index.  Searches run
    concurrently: each one leases a searcher of the current snapshot (nothing is held for the
    whole search but that lease)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        generation = index_generation(self.home)
        current = self._snapshot
        if current is not None and current.generation == generation:
            return current
        with self._lock:
            current = self._snapshot
            if current is None or current.generation != generation:
                ix = open_index(self.home)
                fresh = Snapshot(self.home, ix, generation)
                if fresh.toc is not None:
                    fresh.generation = generation = fresh.toc.generation
                self._snapshot = fresh
                if current is not None:
                    current.retire()
            return self._snapshot

    @contextlib.contextmanager
    def view(self, budget: Budget | None = None) -> Iterator[View | None]:
        """A View of the current snapshot for one search (None when there is no index)."""
        for attempt in range(3):
            snap = self.snapshot()
            if snap.ix is None:
                yield None
                return
            try:
                searcher = snap.acquire()
            except OSError:  # segment files of an older generation removed by a commit
                if attempt == 2:
                    raise
                time.sleep(0.05)
                continue
            break
        try:
            yield View(snap, searcher, budget or Budget(None))
        finally:
            snap.release(searcher)


class View:
    """One search's access to a snapshot: its leased searcher and the shared caches."""

    def __init__(self, snap: Snapshot, searcher, budget: Budget) -> None:  # noqa: ANN001
        self.snap = snap
        self.searcher = searcher
        self.budget = budget
        self._columns = snap.columns
        self._sets = snap.sets

    def _remember(self, key: tuple, value: Any) -> Any:
        if len(self._sets) > 2048:
            self._sets.clear()
        self._sets[key] = value
        return value

    def column(self, field: str) -> list:
        """Values of a column field for every document number (cached until the index changes);
        "order_asc" / "order_desc" are sort keys (date, position in the session)."""
        col = self._columns.get(field)
        if col is None:
            if field == "order_asc":
                col = list(zip(self.column("date"), self.column("order")))
            elif field == "order_desc":
                col = [(d, -o) for d, o in zip(self.column("date"), self.column("order"))]
            else:
                col = list(self.searcher.reader().column_reader(field))
            self._columns[field] = col
        return col

    def codes(self, field: str) -> tuple[list[str], np.ndarray]:
        """A facet column as (distinct values, value index of each document)."""
        key = "codes:" + field
        cached = self._columns.get(key)
        if cached is None:
            values = self.column(field)
            index: dict[str, int] = {}
            codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int32,
                                count=len(values))
            cached = (list(index), codes)
            self._columns[key] = cached
        return cached

    def lengths(self) -> tuple[np.ndarray, float]:
        """Length of the `text` field of every document, and the average length."""
        cached = self._columns.get("lengths:text")
        if cached is None:
            reader = self.searcher.reader()
            n = reader.doc_count_all()
            # a unit without any word (a lone quote mark) has no length (None), not 0
            arr = np.fromiter((reader.doc_field_length(d, "text", 0) or 0 for d in range(n)), dtype=np.float64,
                              count=n)
            live = _array(self.all_docs())
            avg = float(arr[live].mean()) if len(live) else 1.0
            cached = (arr, max(avg, 1.0))
            self._columns["lengths:text"] = cached
        return cached

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of a `text` term (cached until the index changes)."""
        key = ("post:text", term)
        cached = self._sets.get(key)
        if cached is None:
            cached = self._remember(key, _posting_arrays(self.searcher, "text", term))
        return cached

    def rank(self, terms: set[str], allowed: set[int], limit: int, bonus: set[int]) -> list[tuple[float, int]]:
        """The `limit` best of `allowed` by BM25 over `terms` (vectorised; the title and speaker
        weights are already in the term frequencies), `bonus` documents first."""
        lengths, avg = self.lengths()
        n = len(lengths)
        scores = np.zeros(n, dtype=np.float64)
        for term in sorted(terms):
            if self.budget.spent():
                break
            ids, tf = self.postings(term)
            if not len(ids):
                continue
            idf = math.log(n / (len(ids) + 1)) + 1.0
            norm = K1 * (1.0 - B + B * lengths[ids] / avg)
            scores[ids] += idf * tf * (K1 + 1.0) / (tf + norm)  # ids of one term are distinct
        cand = _array(allowed)
        s = scores[cand]
        if bonus:
            s = s + np.isin(cand, _array(bonus)) * 1000.0
        if len(cand) > limit:
            # every document tied with the cut-off score is kept before ordering, so that ties
            # are broken by document number whatever the limit: pages never overlap or skip
            cutoff = np.partition(-s, limit - 1)[limit - 1]
            keep = -s <= cutoff
            cand, s = cand[keep], s[keep]
        order = np.lexsort((cand, -s))[:limit]
        return [(round(float(s[i]), 4), int(cand[i])) for i in order]

    def all_docs(self) -> set[int]:
        docs = self._sets.get(("*", ""))
        if docs is None:
            docs = set(self.searcher.reader().all_doc_ids())
            self._sets[("*", "")] = docs
        return docs

    def docs(self, q: Q.Query) -> set[int]:
        """Documents matching `q`.  Terms read whole posting blocks (and are cached until
        the index changes); And / Or become set operations; prefixes unite their words'
        documents; anything else asks Whoosh.  A spent budget stops an Or between its parts."""
        if isinstance(q, Q.Term):
            return self.term_docs(q.fieldname, q.text)
        if isinstance(q, Q.Phrase) and q.fieldname == "text" and q.slop == 1 and q.words:
            return self.phrase_docs(list(q.words))
        if isinstance(q, Q.Prefix) and q.fieldname == "text":
            return self.prefix_docs(q.text)
        if isinstance(q, Q.And) and q.subqueries:
            sets = sorted((self.docs(sub) for sub in q.subqueries), key=len)
            out = sets[0]
            for other in sets[1:]:
                out = out & other
            return out
        if isinstance(q, Q.Or) and q.subqueries:
            out = set()
            for i, sub in enumerate(q.subqueries):
                if i and self.budget.spent():
                    break
                out |= self.docs(sub)
            return out
        return set(self.searcher.docs_for_query(q))

    def prefix_docs(self, stem: str) -> set[int]:
        key = ("prefix:text", stem)
        cached = self._sets.get(key)
        if cached is not None:
            return cached
        out: set[int] = set()
        for i, t in enumerate(self.searcher.reader().expand_prefix("text", stem)):
            if i % 32 == 31 and self.budget.spent():
                return out  # partial: not cached
            out |= self.term_docs("text", t.decode("utf-8") if isinstance(t, bytes) else t)
        return self._remember(key, out)

    def phrase_docs(self, terms: list[str]) -> set[int]:
        """Documents where `terms` follow each other: the intersection of the terms' documents,
        then their positions, decoded only for those documents."""
        key = ("phrase:text", " ".join(terms))
        cached = self._sets.get(key)
        if cached is not None:
            return cached
        cand = self.term_docs("text", terms[0])
        for t in terms[1:]:
            cand = cand & self.term_docs("text", t)
        if len(terms) > 1 and cand:
            if self.budget.spent():
                return set()
            positions = [_positions(self.searcher, t, cand) for t in terms]
            out = set()
            for d in cand:
                starts = positions[0].get(d, ())
                for k in range(1, len(terms)):
                    nxt = positions[k].get(d, ())
                    starts = [p for p in starts if p + k in nxt]
                    if not starts:
                        break
                if starts:
                    out.add(d)
            cand = out
        return self._remember(key, cand)

    def term_docs(self, field: str, text: str) -> set[int]:
        key = ("term:" + field, text)
        docs = self._sets.get(key)
        if docs is None:
            if field == "text":
                docs = set(self.postings(text)[0].tolist()) & self.all_docs()
            else:
                docs = _posting_docs(self.searcher, field, text) & self.all_docs()
            self._remember(key, docs)
        return docs

    def filter_docs(self, key: str, value: str) -> set[int]:
        """Documents passing one filter value (cached until the index changes)."""
        docs = self._sets.get((key, value))
        if docs is None:
            docs = self.docs(_filter_query(key, value, self.searcher.reader()))
            if not self.budget.cut:  # a cut Or is partial: not kept
                self._remember((key, value), docs)
        return docs

    def filter_union(self, key: str, values: list[str]) -> set[int]:
        if len(values) == 1:
            return self.filter_docs(key, values[0])
        out: set[int] = set()
        for v in values:
            out |= self.filter_docs(key, v)
        return out

    def vocabulary(self) -> Vocabulary:
        if self.snap.vocab is None:
            counts: Counter[str] = Counter()
            folder = index_path(self.snap.home) / "vocab"
            for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                try:
                    counts.update(json.loads(path.read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    continue
            self.snap.vocab = Vocabulary(counts)
        return self.snap.vocab


def _posting_arrays(searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """(document numbers, weights) of one term, decoded a posting block at a time with numpy
    (Whoosh's W3 blocks hold delta-coded ids and a weights array, None or a constant)."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        reader = sub.reader()
        if (field, text) not in reader:
            continue
        m = reader.postings(field, text)
        fast = all(hasattr(m, a) for a in ("_read_data", "_next_block", "_byteids", "_blocklength"))
        if fast and not m._byteids:
            while m.is_active():
                if m._data is None:
                    m._read_data()
                ids, weights = m._data[0], m._data[1]
                n = m._blocklength
                id_parts.append(np.cumsum(np.asarray(ids, dtype=np.int64)) + offset)
                if weights is None:
                    weight_parts.append(np.ones(n))
                elif isinstance(weights, float):
                    weight_parts.append(np.full(n, weights))
                else:
                    weight_parts.append(np.asarray(weights, dtype=np.float64))
                m._next_block()
        else:
            ids_list, weights_list = [], []
            while m.is_active():
                ids_list.append(m.id() + offset)
                weights_list.append(m.weight())
                m.next()
            id_parts.append(np.asarray(ids_list, dtype=np.int64))
            weight_parts.append(np.asarray(weights_list, dtype=np.float64))
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(id_parts), np.concatenate(weight_parts)


def _positions(searcher, term: str, docs: set[int]) -> dict[int, frozenset[int]]:  # noqa: ANN001
    """Positions of a `text` term in each of `docs`, decoding only those postings."""
    out: dict[int, frozenset[int]] = {}
    lowest = min(docs)
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        reader = sub.reader()
        if ("text", term) not in reader:
            continue
        m = reader.postings("text", term)
        fast = all(hasattr(m, a) for a in ("_read_data", "_next_block", "_byteids", "_fixedsize"))
        if fast and not m._byteids and (m._fixedsize is None or m._fixedsize < 0):
            while m.is_active():
                if m.block_max_id() + offset >= lowest:
                    if m._data is None:
                        m._read_data()
                    values = m._data[2]
                    for i, d in enumerate(np.cumsum(np.asarray(m._data[0], dtype=np.int64)).tolist()):
                        if d + offset in docs:
                            # Positions.encode: 4-byte count + pickled deltas, pickle's final "." stripped
                            v = values[i]
                            out[d + offset] = frozenset(accumulate(loads(v[4:] if v.endswith(b".") else
                                                                         v[4:] + b".")))
                m._next_block()
        else:
            while m.is_active():
                d = m.id() + offset
                if d in docs:
                    out[d] = frozenset(m.value_as("positions"))
                m.next()
    return out


def _posting_docs(searcher, field: str, text: str) -> set[int]:  # noqa: ANN001
    """Document numbers of one term, a posting block at a time (Whoosh's W3 leaf matcher
    keeps each block's ids in `_ids`); other matchers are walked one id at a time."""
    out: set[int] = set()
    subs = searcher.subsearchers or [(searcher, 0)]
    for sub, offset in subs:
        reader = sub.reader()
        if (field, text) not in reader:
            continue
        m = reader.postings(field, text)
        fast = hasattr(m, "_read_ids") and hasattr(m, "_next_block")
        while m.is_active():
            if fast:
                if m._ids is None:
                    m._read_ids()
                out.update([i + offset for i in m._ids] if offset else m._ids)
                m._next_block()
            else:
                out.add(m.id() + offset)
                m.next()
    return out


@functools.lru_cache(maxsize=8)
def engine_for(home: str) -> Engine:
    """The shared engine of one index home (one per home per process)."""
    return Engine(Path(home))


_DEFAULT: Any = object()


def forget_queries(home: Path | None = None) -> None:
    """Drop what searches of `home` computed and kept (posting sets, phrases, filters), not what is
    computed once per index generation (facet columns, lengths): a benchmark's "new" query."""
    snap = engine_for(str(home_dir(home)))._snapshot
    if snap is not None:
        snap.sets.clear()


def search(query: str, *, filters: dict[str, list[str]] | None = None, page: int = 1, per_page: int = 20,
           sort: str = "relevance", home: Path | None = None, facets: bool = True,
           budget: float | None = _DEFAULT) -> SearchResult:  # type: ignore[assignment]
    """Search the index of `home` (default $MINUTES_HOME).

    A search that takes more than `budget` seconds (default SEARCH_BUDGET; None: no limit)
    stops expanding and scoring, and gives what it found with a notice.

    `filters` uses FILTER_KEYS (or their French names): values of one key are ORed
    (multi-select), keys are ANDed, and they add to the filters typed in the query.
    Facet counts for a key ignore that key's own filter, so choices stay visible.
    """
    query = query or ""
    truncated = None
    if len(query) > MAX_QUERY_CHARS:
        truncated = f"Requête tronquée à {MAX_QUERY_CHARS} caractères"
        query = query[:MAX_QUERY_CHARS]
    pq = parse_query(query)
    notice = " ; ".join(n for n in (truncated, pq.notice) if n) or None
    param_filters, filter_notice = normalise_filters(filters)
    notice = notice or filter_notice
    merged: dict[str, list[str]] = {k: list(v) for k, v in param_filters.items()}
    for k, values in pq.filters.items():
        for v in values:
            if v not in merged.setdefault(k, []):
                merged[k].append(v)
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    max_page = max(1, MAX_WINDOW // per_page)
    page = max(1, int(page or 1))
    if page > max_page:
        notice = notice or f"Seuls les {MAX_WINDOW} premiers résultats sont accessibles"
        page = max_page
    sort = sort if sort in SORTS else "relevance"
    result = SearchResult(query=query, total=0, page=page, per_page=per_page, notice=notice, filters=merged,
                          sort=sort)
    if not query.strip() and not merged:
        return result

    spent = Budget(SEARCH_BUDGET if budget is _DEFAULT else budget)
    with engine_for(str(home_dir(home))).view(spent) as engine:
        if engine is None:
            result.notice = result.notice or "Aucun index : lancez « minutes index » d'abord"
            return result
        searcher = engine.searcher
        reader = searcher.reader()
        builder = _Builder(reader, query, spent)
        words, excluded = builder.words(pq)
        if words is None and not merged and not pq.excluded_filters and excluded is None:
            result.notice = result.notice or "Aucun mot à chercher"
            return result
        base = engine.all_docs() if words is None else engine.docs(words)
        if excluded is not None:
            base = base - engine.docs(excluded)
        for key, values in pq.excluded_filters.items():
            for v in values:
                base = base - engine.filter_docs(key, v)
        chosen = {key: engine.filter_union(key, values) for key, values in merged.items()}
        docs = _intersect(base, chosen.values())
        result.total = len(docs)
        if facets:
            result.facets = _facet_counts(engine, base, chosen, docs)
        start = (page - 1) * per_page
        top: list[tuple[float, int]] = []
        if docs and start < len(docs):
            limit = start + per_page
            if sort == "relevance" and words is not None:
                bonus = engine.docs(builder.number_boost()) if builder.numbers else set()
                top = engine.rank(builder.score_terms, docs, limit, bonus)
            else:
                if sort == "date_asc":
                    key = engine.column("order_asc").__getitem__
                    ranked = heapq.nsmallest(limit, docs, key=key)
                else:  # newest session first, in the order of the debate
                    key = engine.column("order_desc").__getitem__
                    ranked = heapq.nlargest(limit, docs, key=key)
                top = [(0.0, d) for d in ranked]
        for score, docnum in top[start:start + per_page]:
            result.hits.append(_hit(searcher.stored_fields(docnum), score, builder))
        result.suggestion = None if spent.cut else _suggestion(engine, reader, pq, query)
    if spent.cut:
        cut = (f"Recherche écourtée : requête trop coûteuse, arrêtée après {spent.seconds:g} s "
               "(résultats partiels) ; simplifiez-la (moins de mots approchés ~ ou de préfixes *)")
        result.notice = f"{result.notice} ; {cut}" if result.notice else cut
    return result


def _array(docs: set[int]) -> np.ndarray:
    return np.fromiter(docs, dtype=np.int64, count=len(docs))


def _intersect(base: set[int], sets) -> set[int]:  # noqa: ANN001
    out = base
    for s in sorted(sets, key=len):
        out = out & s
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


def _facet_counts(engine: View, base: set[int], chosen: dict[str, set[int]],
                  docs: set[int]) -> dict[str, dict[str, int]]:
    """Counts per facet value.  Multi-select: a facet with a selection is counted
    without its own filter (but with all the others), so its other values stay visible."""
    out: dict[str, dict[str, int]] = {}
    for name, field_name in FACETS.items():
        scope = docs
        if name in chosen:
            scope = _intersect(base, [s for k, s in chosen.items() if k != name])
        labels, codes = engine.codes(field_name)
        arr = _array(scope)
        hist = np.bincount(codes[arr], minlength=len(labels)) if len(arr) else np.zeros(len(labels), dtype=np.int64)
        counts = {labels[i]: int(hist[i]) for i in np.flatnonzero(hist) if labels[i]}
        if name in ("year", "session"):
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


def suggest(word: str, *, home: Path | None = None) -> str | None:
    """The closest indexed word to `word` (accents restored), or None if `word` is known or nothing is close."""
    result = search(word, home=home, per_page=1, facets=False)
    return result.suggestion
