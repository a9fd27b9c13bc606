"""Highlighting: an HTML-escaped extract around the densest group of matched words, each in <mark>.
Backend-neutral: it needs only the text and the matched terms (and prefixes)."""

from __future__ import annotations

import functools
import html
import re

from ..analysis import TOKEN_RE as _WORD_AT, analyze, fold

SNIPPET_CHARS = 240


def _key(word: str) -> str:
    return fold(word).strip()


def snippet(text: str, terms: set[str], prefixes: list[str] = (), size: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped extract of `text` around the densest group of matched words,
    each matched word wrapped in <mark>."""
    if not text:
        return ""
    low = text.lower()  # same length for the texts we meet; otherwise scan case-sensitively
    haystack = low if len(low) == len(text) else text
    # the first matches are enough to choose a window (long speeches cost little)
    matches = _find_matches(text, terms, prefixes, limit=max(12, 4 * (len(terms) + len(prefixes))),
                            haystack=haystack)
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
    for m_start, m_end, _ in _find_matches(text, terms, prefixes, start=start, end=end, haystack=haystack):
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


@functools.lru_cache(maxsize=1024)
def _stem_regex(stem: str) -> re.Pattern:
    return re.compile(_accent_pattern(stem))


_WORD_CHAR = re.compile(r"\w")


@functools.lru_cache(maxsize=65536)
def _term_of(word: str) -> str:
    """The term of one word of the text ("" for a stopword)."""
    found = analyze(word)
    return found[0] if found else ""


def _find_matches(text: str, terms: set[str], prefixes: list[str], *, limit: int = _MAX_MARKS, start: int = 0,
                  end: int | None = None, haystack: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, term) of the words of `text` that match, the first `limit` of them.  An
    accent-insensitive regex per stem finds candidate words (a stem is, nearly always, a
    prefix of the folded word); only those are analysed, so long texts cost little.  One regex
    per stem, the word boundary checked on each candidate, because a regex that starts with a
    character (not a look-behind, nor alternatives of classes) is searched for fast."""
    stems = tuple(sorted({t for t in terms if t} | {p for p in prefixes if p}))
    if not stems:
        return []
    if haystack is None:
        low = text.lower()  # same length for the texts we meet; otherwise scan case-sensitively
        haystack = low if len(low) == len(text) else text
    stop = len(text) if end is None else end
    match_word = _WORD_AT.match
    after_word = _WORD_CHAR.match
    seen: dict[int, tuple[int, int, str] | None] = {}  # word start → its match (None: not one)
    for stem in stems:
        accepted = 0  # the first `limit` matches of all stems are among the first `limit` of each
        for m in _stem_regex(stem).finditer(haystack, start, stop):
            at = m.start()
            if at and after_word(haystack, at - 1):
                continue  # inside a word
            found = seen.get(at, False)
            if found is False:
                found = None
                tok = match_word(text, at)
                if tok is not None:
                    word = tok.group()
                    term = _term_of(word)
                    if term in terms or prefixes and any(term.startswith(p) or _key(word).startswith(p)
                                                         for p in prefixes):
                        found = (tok.start(), tok.end(), term)
                seen[at] = found
            if found is not None:
                accepted += 1
                if accepted >= limit:
                    break
    out: list[tuple[int, int, str]] = []
    for m in sorted(m for m in seen.values() if m is not None):
        if not out or m[0] >= out[-1][1]:  # a word inside a matched one ("698" in "2 698 113") is not marked
            out.append(m)
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
