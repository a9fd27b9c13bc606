"""Text path: a text or markdown file (the bundled session is a PDF-to-markdown
conversion) → clean pages; its artefacts (`<u>`, `^{ème}`, `**bold**`, HTML, rules,
image descriptions in English …) are normalised while keeping the line structure
the parsers rely on."""

from __future__ import annotations

import re
import unicodedata

from .base import SNIFF_BYTES, UTF16_BOMS as _UTF16_BOMS, Page, SourceError

FRENCH_ACCENTED = "éèêëàâîïôûùüçœÉÈÊÀÂÎÔÛÇŒ«»’"
RUNNING_HEADER = re.compile(r"^\s*S[ÉE]ANCE DU CONSEIL D[ÉE]PARTEMENTAL DU \d{1,2}(?:er)? [A-ZÉÛ]+ \d{4}\s*$")
_HEADER_WORDS = "ANCE DU CONSEIL D"  # in every line RUNNING_HEADER matches


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """UTF-8, or cp1252 / latin-1 when that gives plausible French (with a warning)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), ["fichier en UTF-16, converti ; réenregistrez-le en UTF-8"]
        except UnicodeDecodeError:
            raise SourceError(f"{name} : texte UTF-16 endommagé ; réenregistrez le fichier en UTF-8") from None
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:SNIFF_BYTES]:
        raise SourceError(f"{name} : ce fichier contient des données binaires, pas du texte ; "
                          "fournissez un PDF ou un texte UTF-8")
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if looks_french(text):
            return text, [f"fichier non UTF-8, lu en {encoding} ; "
                          "vérifiez les accents ou réenregistrez-le en UTF-8"]
    raise SourceError(f"{name} : encodage non reconnu (ni UTF-8 ni texte français en cp1252/latin-1) ; "
                      "réenregistrez le fichier en UTF-8")


def looks_french(text: str) -> bool:
    """Mostly printable text whose accented letters sit inside words, with common French words."""
    sample = text[:200_000]
    if not sample:
        return False
    printable = sum(c.isprintable() or c in "\n\r\t" for c in sample)
    if printable < 0.98 * len(sample):
        return False
    letters = sum(c.isalpha() for c in sample)
    if letters < 0.5 * len(sample):
        return False
    accented = [m.group(0) for m in re.finditer(r"[a-zA-Z]*[" + FRENCH_ACCENTED + r"][a-zA-Z]*", sample)]
    in_words = sum(len(w) > 1 for w in accented)
    odd = sum(1 for c in sample if c.isalpha() and not c.isascii() and c not in FRENCH_ACCENTED
              and c not in "ÿÙÜËÏäöÄÖ")
    if odd > 0.01 * letters:
        return False
    words = re.findall(r"[a-zà-ÿ]+", sample.lower())
    common = sum(w in {"le", "la", "les", "de", "des", "du", "et", "que", "qui", "est", "pour", "dans", "une", "un"}
                 for w in words)
    return in_words >= 0.8 * max(1, len(accented)) and common >= 0.1 * max(1, len(words))


def read_text_pages(data: bytes, name: str) -> tuple[list[Page], list[str]]:
    text, warns = decode_text(data, name)
    text = normalise_markdown(text)
    if not text.strip():
        raise SourceError(f"{name} : fichier sans texte ; fournissez le procès-verbal complet")
    return split_pages(text), warns


def split_pages(text: str) -> list[Page]:
    """Lone running-header lines mark page breaks in the conversion; they are removed."""
    chunks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if _HEADER_WORDS in line and RUNNING_HEADER.match(line):
            chunks.append([])
        else:
            chunks[-1].append(line)
    pages = []
    for chunk in chunks:
        body = _squeeze_blank_lines("\n".join(chunk)).strip("\n")
        if body.strip():
            pages.append(Page(len(pages) + 1, body))
    return pages or [Page(1, "")]


_IMAGE_DESCRIPTION = re.compile(
    r"^\s*(?:A|An|The|Two|Three|Four|Several|This|Black|Blue)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:handwritten|signatures?|stamps?|seal|logo|image|photo(?:graph)?|scan(?:ned)?|ink|illustration|"
    r"picture|drawing|diagram|chart|map|emblem|blank|page)\b.*$")
_ENGLISH_WORDS = frozenset("the a an of in with and is are to by written appearing appears which "
                           "signature signatures ink blue black dark stamp cursive".split())


def is_image_description(line: str) -> bool:
    """A line describing an image in English (inserted by the PDF-to-markdown conversion)."""
    if not _IMAGE_DESCRIPTION.match(line):
        return False
    words = re.findall(r"[a-zA-Z]+", line.lower())
    english = sum(w in _ENGLISH_WORDS for w in words)
    return english >= max(3, 0.2 * len(words))


_SUPERSCRIPT = re.compile(r"\^\{([^{}\n]{1,8})\}")
_HTML_BREAK = re.compile(r"\s*(?:</?p>|<br\s*/?>|</?ul[^>]*>|</?ol[^>]*>|</li>|<hr\s*/?>|</?div[^>]*>"
                         r"|</?tr[^>]*>|</?table[^>]*>)\s*", re.IGNORECASE)
_HTML_ITEM = re.compile(r"\s*<li[^>]*>\s*", re.IGNORECASE)
_HTML_CELL = re.compile(r"\s*</?t[dh][^>]*>\s*", re.IGNORECASE)
_HTML_INLINE = re.compile(r"</?(?:u|i|b|em|strong|small|sup|sub|span|font|mark|s)\b[^>]*>", re.IGNORECASE)
_CHECKBOX = re.compile(r"<input\b([^>]*)/?>", re.IGNORECASE)
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_RULE = re.compile(r"^\s*(?:-{2,}|={3,}|\*{3,}|_{3,})(?:\s*[\t|]\s*-{2,})*\s*$")
_BULLET_IN_LINE = re.compile(r"\s+•(?:\s+•)*\s+")


_WORD_START = re.compile(r"[^\W_]")
_NEXT_TOKEN = re.compile(r"\s*(\S{1,40})")
_CONTEXT = 120  # characters looked at before a `**` run (a token of 40 and its spaces)
_STARS = re.compile(r"\*{2,}")
# *italic*: a star touching a word on one side, with a matching star later on
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_BLANKS = re.compile(r"[ \t]+")
_HASHES = re.compile(r"^#{1,6}\s+")
# three newlines or more: a literal prefix the engine searches fast (\n{3,} tries every position)
_BLANK_LINES = re.compile(r"\n\n\n\n*")


def _unbold(line: str) -> str:
    """`**` runs: a line break where they glue two upper-case headings, removed elsewhere."""
    def repl(m: re.Match[str]) -> str:
        # bounded look-arounds: a text file of one 10 MB line must not take quadratic time
        start, end = m.start(), m.end()
        before = line[max(0, start - _CONTEXT):start]
        if _ends_in_word(before) and _WORD_START.match(line, end):
            return "\n"  # glued between two words: "RAPPORT N°2**CONSEIL DEPARTEMENTAL"
        words = before.split()  # its last word, up to 40 characters: what (\S{1,40})\s*$ finds in it
        a = _NEXT_TOKEN.match(line, end)
        if words and a and _mostly_upper(words[-1][-40:]) and _mostly_upper(a.group(1)):
            return "\n"
        return ""
    line = _STARS.sub(repl, line)
    return _ITALIC.sub(r"\1", line)


def _ends_in_word(text: str) -> bool:
    """``re.search(r"[^\\W_]$", text)`` without a search from every position: the last character, or
    the one before a final newline, is a letter or a digit (re's ``[^\\W_]`` is str.isalnum)."""
    if text[-1:] == "\n":
        text = text[:-1]
    return text[-1:].isalnum()


def _mostly_upper(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters) and len(letters) >= 1


def _checkbox(m: re.Match[str]) -> str:
    return "☒ " if "checked" in m.group(1).lower() else "☐ "


def normalise_markdown_line(line: str) -> str:
    """One line of the converted file → plain text (may contain newlines from HTML breaks)."""
    line = line.replace("\u00a0", " ")
    if "^{" in line:
        line = _SUPERSCRIPT.sub(r"\1", line)
    if "<" in line:
        line = _AUTOLINK.sub(r"\1", line)
        line = _CHECKBOX.sub(_checkbox, line)
        line = _HTML_BREAK.sub("\n", line)
        line = _HTML_ITEM.sub("\n• ", line)
        line = _HTML_CELL.sub(" | ", line)
        line = _HTML_INLINE.sub("", line)
        line = re.sub(r"</(?![a-zA-Z])", "", line)
    if "*" in line:
        line = _unbold(line)
    if "•" in line:
        line = _BULLET_IN_LINE.sub("\n• ", line)
    if "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        line = " | ".join(cells)
    return line


_NEEDS_WORK = re.compile(r"[<^*•\t]")  # only these lines go through the artefact rules


def normalise_markdown(text: str) -> str:
    """The whole converted file → plain text, same line structure, artefacts removed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u00a0", " ")
    out: list[str] = []
    for raw in text.split("\n"):
        start = raw.lstrip()[:1]
        if not start:
            out.append("")
            continue
        if start in "-=*_" and _RULE.match(raw):
            continue
        if start in "ATFSB" and is_image_description(raw):
            continue
        for line in (normalise_markdown_line(raw).split("\n") if _NEEDS_WORK.search(raw) else (raw,)):
            if "\t" in line or "  " in line:
                line = _BLANKS.sub(" ", line)
            line = line.strip()
            if line[:1] == "#":
                line = _HASHES.sub("", line, 1)
            if line[:1] in ("-", "=", "*", "_", "|") and (_RULE.match(line) or line in {"|", "||"}):
                continue
            out.append(line)
    return _squeeze_blank_lines("\n".join(out)).strip("\n") + "\n"


def _squeeze_blank_lines(text: str) -> str:
    return _BLANK_LINES.sub("\n\n", text)
