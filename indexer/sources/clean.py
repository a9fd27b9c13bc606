"""PDF cleaning: raw page text → clean pages.

Running headers / footers / page numbers are removed, words hyphenated across line
ends are rejoined, words split by a stray space are glued back, symbol-font bullets
(private-use glyphs) are dropped, and wrapped lines are joined back into paragraphs.
The rules only see text, so every page reader gives the same clean text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from .base import Page
from .tables import is_row

_PAGE_MARK = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:/|sur|de)\s*\d{1,4})?(?:\s*[-–—])?\s*$",
    re.IGNORECASE)
_EDGE_LINES = 4


_DIGITS = re.compile(r"\d+")


def _furniture_key(line: str) -> str:
    """Lines that differ only by digits / spacing / case are the same running header."""
    return " ".join(_DIGITS.sub("#", line.lower()).split())


def _may_be_furniture(line: str) -> bool:
    """Running headers and footers are short and are not sentences or speaker turns."""
    text = line.strip()
    return (0 < len(text) <= 100 and not re.search(r"[.;:!?,]$", text)
            and not _TURN_STRONG.match(text))


def strip_furniture(pages: Sequence[Sequence[str]]) -> list[list[str]]:
    """Remove running headers / footers / page numbers from the top and bottom of each page."""
    n = len(pages)
    counts: Counter[str] = Counter()
    for lines in pages:
        body = [ln for ln in lines if ln.strip()]
        edge = body[:_EDGE_LINES] + body[-_EDGE_LINES:]
        counts.update({_furniture_key(ln) for ln in edge if _may_be_furniture(ln)})
    threshold = max(3, (n + 1) // 2)  # on at least half of the pages, and at least 3
    repeated = {k for k, c in counts.items() if c >= threshold and n >= 3 and len(k) > 0}

    def is_furniture(line: str) -> bool:
        return bool(_PAGE_MARK.match(line)) or _furniture_key(line) in repeated

    out = []
    for lines in pages:
        lines = list(lines)
        start, end = 0, len(lines)
        kept_top = 0
        while start < end and (not lines[start].strip() or
                               (kept_top < _EDGE_LINES and is_furniture(lines[start]))):
            kept_top += bool(lines[start].strip())
            start += 1
        kept_bottom = 0
        while end > start and (not lines[end - 1].strip() or
                               (kept_bottom < _EDGE_LINES and is_furniture(lines[end - 1]))):
            kept_bottom += bool(lines[end - 1].strip())
            end -= 1
        # the same header drawn out of reading order lands mid-page: drop it there too
        out.append([ln for ln in lines[start:end]
                    if not (repeated and len(ln) <= 120 and ln.strip() and _furniture_key(ln) in repeated)])
    return out


_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
#: Second parts of real French compounds: keep the hyphen in front of them.
COMPOUND_TAILS = frozenset("""
    t il ils elle elles on je tu nous vous moi toi lui leur leurs eux en y le la les ce ci là
    même mêmes être dire delà dessus dessous devant dedans dehors près uns unes
""".split())
#: First parts of real compounds: keep the hyphen after them.
COMPOUND_HEADS = frozenset("""
    vice demi semi quasi arrière après avant contre sous sur grand grande petit petite
    saint sainte porte garde belle beau peut est socio médico
""".split())


def word_counts(lines: Iterable[str]) -> Counter[str]:
    """Lower-cased word frequencies, hyphenated compounds counted whole."""
    kept: list[str] = []
    skip_first = False
    for line in lines:
        words = line.split()
        if not words:
            continue
        if skip_first:  # the end of a word cut at the previous line's end
            words = words[1:]
        last = words[-1] if words else ""
        skip_first = len(last) > 1 and last.endswith("-") and last[-2].isalpha()
        if skip_first:  # the start of a word cut here: not a word of its own
            words = words[:-1]
        kept.append(" ".join(words))
    return Counter(_WORD.findall("\n".join(kept).lower()))


def join_hyphenated(head: str, tail: str, counts: Counter[str]) -> str:
    """Glue `head-` (end of a line, hyphen removed) and `tail` (start of the next line).

    Keep the hyphen for real compounds (`Pas-de-` + `Calais`, `peut-` + `être`,
    `plates-` + `formes`), drop it for words cut by the typesetter (`au-` + `rait`),
    judging from how the document writes the word elsewhere.
    """
    m_head = re.search(r"([^\W\d_]+(?:['’-][^\W\d_]+)*)$", head[-120:])
    m_tail = re.match(r"[^\W\d_]+(?:-[^\W\d_]+)*", tail)
    if not m_head or not m_tail:
        return head + "-" + tail
    left, right_full = m_head.group(1), m_tail.group(0)
    right = right_full.split("-")[0]
    last_part = re.split(r"['’]", left)[-1].split("-")[-1]
    if "-" in left or "-" in right_full:  # "Pas-de-" + "Calais", "Hauts-" + "de-France"
        return head + "-" + tail
    glued = (left + right).lower()
    hyphened = (left + "-" + right).lower()
    if counts[hyphened] > counts[glued]:
        return head + "-" + tail
    if counts[glued] > 0:
        return head + tail
    if right[0].isupper():
        return head + "-" + tail  # "Jean-" + "Claude", "MESSEANNE-" + "GROBELNY"
    if right.lower() in COMPOUND_TAILS or last_part.lower() in COMPOUND_HEADS:
        return head + "-" + tail
    if len(right) >= 4 and counts[right.lower()] > 0 and (
            (len(last_part) >= 5 and counts[last_part.lower()] > 0)
            or (len(last_part) >= 6 and last_part.endswith("s") and right.endswith("s"))):
        return head + "-" + tail  # two words of their own: "porte-" + "parole", "plates-" + "formes"
    return head + tail


_ABBREVIATIONS = frozenset({"m.", "mm.", "mme.", "mlle.", "dr.", "me.", "st.", "ste.", "cf.", "p.", "art.", "n°."})


def _ends_sentence(text: str) -> bool:
    """Ends with closing punctuation, and not with an abbreviation such as "M." before a name."""
    text = text.rstrip()
    if not text or text[-1] not in ".!?:;…»)]":
        return False
    return text.rsplit(" ", 1)[-1].lower() not in _ABBREVIATIONS
_TURN_STRONG = re.compile(
    r"^\s*(?:M\.|MM\.|Mme|MME|Mmes|Mlle|Monsieur|Madame|MONSIEUR|MADAME)\s+\S[^:\n]{0,80}?(?:\.\s?-|\s:|:\s)")
_TURN_WEAK = re.compile(r"^\s*(?:M\.|MM\.|Mme|MME|Mmes|Mlle|Monsieur|Madame)\s+(?:le |la |l')?[A-ZÉÈ]")
_BULLET = re.compile(r"^\s*(?:[-–—•·*►▪→✓]|\d{1,3}[.)°]\s|\d{1,3}\s+[-–]\s|[a-z]\)\s|[IVX]{1,5}[.)-]\s)")
_STAGE = re.compile(r"^\s*\(")


_LOWER = re.compile(r"[a-zß-öø-ÿœæ]")
_UPPER = re.compile(r"[A-ZÀ-ÖØ-ÞŒÆ]")


def _is_caps(line: str) -> bool:
    """A heading in capitals ("RAPPORT N°2", "II. APPROBATION DU COMPTE RENDU")."""
    upper = len(_UPPER.findall(line))
    return upper >= 4 and upper >= 4 * len(_LOWER.findall(line))


def _typical_width(lines: Sequence[str]) -> int:
    widths = sorted(len(ln.rstrip()) for ln in lines if len(ln.strip()) > 20)
    if not widths:
        return 80
    return widths[int(len(widths) * 0.9) - 1 if len(widths) >= 10 else -1]


def _breaks_before(prev: str, line: str, width: int) -> bool:
    """Does `line` start a new paragraph rather than continue `prev`?"""
    p, s = prev.rstrip(), line.strip()
    ends_sentence = _ends_sentence(p)
    short = len(p) < 0.8 * width
    very_short = len(p) < 0.6 * width
    if _TURN_STRONG.match(s) or _BULLET.match(s):
        return True
    if _STAGE.match(s):
        return ends_sentence or very_short
    caps_prev, caps_line = _is_caps(p), _is_caps(s)
    if caps_prev and caps_line:  # a long heading wrapped over two lines stays one paragraph
        return ends_sentence or very_short
    if caps_line and not ends_sentence and not short and len(line.strip()) < 0.3 * width:
        return False  # a surname wrapped to the next line ("Madame Emmanuelle / DANAN.")
    if caps_prev or caps_line:
        return True
    if ends_sentence:
        return short or bool(_TURN_WEAK.match(s))
    if very_short and (s[:1].isupper() or s[:1].isdigit()):
        return True
    return False


def rebuild_paragraphs(lines: Sequence[str], counts: Counter[str], width: int,
                       gaps: bool = False) -> str:
    """Join wrapped lines into paragraphs, rejoining hyphenated words.

    A blank line (a vertical gap in the PDF) always separates paragraphs ("\n\n").
    Other breaks are guessed (headings, speaker turns, short line after a sentence …);
    when the document marks its paragraphs with gaps (`gaps`), a guessed break is a
    plain line break inside the paragraph ("\n"), as in the text sources.
    """
    soft = "\n" if gaps else "\n\n"
    blocks: list[str] = []
    current = ""
    prev_raw = ""
    for n, raw in enumerate(lines):
        bulleted = raw.startswith(BULLET_MARK)
        if bulleted:
            raw = raw.lstrip(BULLET_MARK)
        line = " ".join(raw.split())
        if not line:
            if current and not (is_row(prev_raw) and n + 1 < len(lines) and is_row(lines[n + 1])):
                blocks.append(current)  # (a blank line between two rows of a table keeps it whole)
                current, prev_raw = "", ""
            continue
        if not current:
            current, prev_raw = line, raw
            continue
        if (current.endswith("-") and current[-2:-1].isalpha() and line[:1].isalpha()
                and not _TURN_STRONG.match(line)):
            current = join_hyphenated(current[:-1], line, counts)
        elif is_row(raw) and (is_row(prev_raw) or prev_raw.rstrip().endswith(":") or len(prev_raw.strip()) < 0.6 * width
                              or _breaks_before(prev_raw, raw, width)):
            current = f"{current}\n{line}"  # a table row (cells joined by " | ") is a line of its own
        elif is_row(prev_raw):  # the text after a table
            current = f"{current}{soft}{line}"
        elif bulleted or _breaks_before(prev_raw, raw, width):
            current = f"{current}{soft}{line}"
        else:
            current = f"{current} {line}"
        prev_raw = raw
    if current:
        blocks.append(current)
    return "\n\n".join(blocks)


def clean_pdf_pages(raw: Sequence[tuple[int, str]]) -> list[Page]:
    """Raw text per page (any reader) → clean Pages (furniture stripped, paragraphs rebuilt)."""
    return clean_pdf_bodies(raw)[0]


def clean_pdf_bodies(raw: Sequence[tuple[int, str]]) -> tuple[list[Page], list[list[str]]]:
    """`clean_pdf_pages`, and the lines of each page without its furniture (before paragraphs)."""
    split = [normalise_chars(text).split("\n") for _, text in raw]
    bodies = strip_furniture(split)
    all_lines = [ln for body in bodies for ln in body]
    counts = word_counts(all_lines)
    width = _typical_width(all_lines)
    gapped = sum(any(not ln.strip() for ln in body) for body in bodies)
    gaps = gapped * 2 >= len(bodies)
    texts = [rebuild_paragraphs(body, counts, width, gaps) for body in bodies]
    for i in range(len(texts) - 1):
        texts[i], texts[i + 1] = _join_across_pages(texts[i], texts[i + 1], counts)
        texts[i], texts[i + 1] = _carry_paragraph(texts[i], texts[i + 1], width, gaps)
    texts = rejoin_split_words(texts)
    return [Page(number, text) for (number, _), text in zip(raw, texts)], bodies


_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_PIECE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_GLUE = re.compile(r"[\w'’-]")


#: two words separated by one space (the second in a lookahead: the pairs overlap, "Madame
#: Flore nce"): the first may be a compound ("Jean-Ja cques"), the second
#: not; neither touches another word, digit, apostrophe or hyphen
_PAIR = re.compile(r"(?<![\w'’-])([^\W\d_]+(?:-[^\W\d_]+)*) (?=([^\W\d_]+)(?![\w'’-]))")


def _candidate_pairs(text: str, words: Counter[str]) -> list[tuple[int, str, str]]:
    """(offset, first, second) for two words separated by one space whose glued form is a
    word of the document (see _PAIR)."""
    hits = {i for i, (a, b) in enumerate(_PAIR.findall(text)) if (a + b).lower() in words}
    if not hits:  # most pages: no offsets needed
        return []
    return [(m.start(), m.group(1), m.group(2)) for i, m in enumerate(_PAIR.finditer(text)) if i in hits]


def rejoin_split_words(texts: Sequence[str]) -> list[str]:
    """Glue words that the text layer split with a stray space ("Monsie ur", "Flore nce",
    "m ontant", "GEV AERT", "M ichel").

    A pair is glued only when the glued word occurs elsewhere in the document and the
    pieces never occur on their own outside this split (a capital letter alone, "M ichel",
    only needs its second piece never to stand alone: "M" is also "M." before a name).
    """
    joined = "\n".join(texts)
    lowered = joined.lower()
    if len(lowered) == len(joined):  # lower case keeps every letter a letter: one pass
        words = Counter(_TOKEN.findall(lowered))
    else:  # "İ" → "i̇": token by token
        words = Counter(t.lower() for t in _TOKEN.findall(joined))
    found = [_candidate_pairs(text, words) for text in texts]
    pairs = Counter((a.lower(), b.lower()) for matches in found for _, a, b in matches)

    def should_glue(a: str, b: str) -> bool:
        key = (a.lower(), b.lower())
        n = pairs[key]
        if words[key[1]] > n:
            return False
        if len(a) == 1 and a.isupper() and b.islower():
            return True  # "M ichel", where "Michel" is written whole elsewhere
        return words[key[0]] <= n

    def fix(text: str, matches) -> str:
        out, last = [], 0
        for start, a, b in matches:  # overlapping pairs: "Madame Flore nce"
            if start >= last and should_glue(a, b):
                out.append(text[last:start] + a + b)
                last = start + len(a) + 1 + len(b)
        return "".join(out) + text[last:] if out else text

    return [fix(text, matches) if matches else text for text, matches in zip(texts, found)]


def _carry_paragraph(first: str, second: str, width: int, gaps: bool) -> tuple[str, str]:
    """A paragraph cut by a page break is rejoined on the page where it starts.

    The break is kept when the page ends a sentence or the next page opens with a
    speaker turn or a heading.
    """
    if not first.strip() or not second.strip():
        return first, second
    last = first.rstrip().rsplit("\n", 1)[-1]
    block, _, rest = second.partition("\n\n")
    head = block.split("\n", 1)[0]
    if (_ends_sentence(last) or _TURN_STRONG.match(head) or _is_caps(head) or _is_caps(last)
            or _STAGE.match(head)):
        return first, second
    if _breaks_before(last, head, width):
        # a new paragraph, unless both lines are rows of one "Label : value" block
        # ("Contre : 0 voix" / "Abstention : 0 voix")
        if not (gaps and _LABEL_ROW.match(last) and _LABEL_ROW.match(head)):
            return first, second
        joint = "\n"
    else:
        joint = " "
    return first.rstrip() + joint + block, rest


_LABEL_ROW = re.compile(r"^\s*[^\W\d_][^:\n]{0,40}\s:\s")


def _join_across_pages(first: str, second: str, counts: Counter[str]) -> tuple[str, str]:
    """A word hyphenated over a page break goes whole to the first page."""
    if not first.endswith(("-", "-\n")) or not re.search(r"[^\W\d_]-$", first):  # (the search alone walks the page)
        return first, second
    m = re.match(r"([^\W\d_][^\s]*)[ \t]*\n?", second)
    if not m or not m.group(1)[0].isalpha():
        return first, second
    return join_hyphenated(first[:-1], m.group(1), counts), second[m.end():].lstrip(" ")


def normalise_chars(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "-")  # soft hyphen shown at a line end
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\ufb01", "fi").replace("\ufb02", "fl")
    if _PRIVATE.search(text):
        text = text.replace("\uf02d", "-")  # the minus of the Symbol font, used as a dash
        text = _PRIVATE_LEAD.sub(BULLET_MARK, text)  # a symbol-font bullet before a line
        text = _PRIVATE.sub(" ", text)
    text = _GLUED_NUMBER.sub(r"\1 ", text)  # "10.Avis": a list number whose tab was drawn as a gap
    if " -" in text:  # (a pattern that starts with a literal is searched for fast)
        text = _SPACED_HYPHEN.sub("-", text)  # "Jean -Claude", "ci -dessus"
    if " ," in text:
        text = _SPACED_COMMA.sub(",", text)  # "DEMOUY , maire"
    return text


#: Private-use glyphs (symbol fonts: Wingdings arrows, Symbol bullets …) and the control
#: characters some PDFs draw as bullets: they stand before headings, list and decision lines.
_PRIVATE = re.compile(r"[\ue000-\uf8ff\x01-\x08]")
_PRIVATE_LEAD = re.compile(r"(?m)^[ \t]*[\ue000-\uf8ff\x01-\x08](?:[ \t]*[\ue000-\uf8ff\x01-\x08])*[ \t]*")
#: Where a bullet glyph was: the line starts a paragraph of its own, the glyph is gone.
BULLET_MARK = "\x1f"
_GLUED_NUMBER = re.compile(r"(?m)^([ \t]*\d{1,3}\.)(?=[^\W\d_]{2})")
_SPACED_HYPHEN = re.compile(r" (?<=[^\W\d_] )-(?=[^\W\d_])")  # " -" after a letter, before one
_SPACED_COMMA = re.compile(r"(?<=\w) +,(?=\s)")


