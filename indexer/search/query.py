"""The query language: words (ANDed), "phrase", OR, -exclusion, prefix*, fuzzy~ and the filters
of the table in `filters` (`orateur:pajot`, `type:voeu`, `date:2025-09` …).

Syntax that cannot be understood never raises: the query falls back to its plain words with
a notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..analysis import analyze, fold, word_tokens
from ..units import KINDS
from .filters import DATE_KEYS, FILTER_ALIASES, KIND_ALIASES

MAX_QUERY_CHARS = 500
NOTICE_SYNTAX = "Syntaxe non reconnue : recherche sur les mots"

# A deliberation number in a query ("2025-361", "délibération 361") puts that deliberation first;
# the word "délibération" then only says what the number is.
_DELIB_CONTEXT = re.compile(r"(?:d[ée]lib[ée]ration|d[ée]lib\.?|n°|numéro|numero)\s*(?:n°\s*)?(\d{1,4})\b", re.I)
_DELIB_NUMBER = re.compile(r"\b(\d{4})[-/](\d{1,4})\b")
_NUMBER_WORDS = {"delib", "deliberation", "numero", "n°", "no"}


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


#: an amount written with French thousands separators (« 2 698 113,97 », « 14 140 € »)
_GROUPED_NUMBER = re.compile(r"(?<![\w,.])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?![\w,])")


def _quote_amounts(text: str) -> str:
    """Amounts typed with their thousands separators are one word, as the index reads them
    (« 2 698 113,97 » → the phrase "2 698 113,97", not the words 2, 698 and 113,97)."""
    if not any(c.isdigit() for c in text):
        return text
    parts = text.split('"')
    for i in range(0, len(parts), 2):  # outside quotes
        parts[i] = _GROUPED_NUMBER.sub(lambda m: f'"{m.group(0)}"' if len(analyze(m.group(0))) == 1 else m.group(0),
                                       parts[i])
    return '"'.join(parts)


def _parse_strict(text: str) -> ParsedQuery:
    if text.count('"') % 2:
        raise ValueError("guillemet non fermé")
    text = _quote_amounts(text)
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
    if key in DATE_KEYS:
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
