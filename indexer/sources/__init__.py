"""Files → clean text pages.

`read_source(path)` turns a PDF or a text/markdown file into a `Document`: a list of
numbered pages of clean text, plus warnings.  Everything that can go wrong with the
file itself (missing, empty, not a PDF, truncated, encrypted, scanned, unknown
encoding …) raises `SourceError`, whose message is one French line naming the file
and saying what to do.

PDF path (`pdf`, `readers`, `clean`, `ocr`): pdfium page by page (pypdf when pdfium
refuses the file; a process pool for long documents; tesseract for scanned pages),
then running headers / footers / page numbers are removed, words hyphenated across
line ends are rejoined and wrapped lines are joined back into paragraphs.  The result
is cached by file content hash under `config.cache_dir()`.

Text path (`text`): the markdown conversion's artefacts are normalised.

`iter_sources(paths, then=…)` reads many files in parallel, in order, with the
caller's next step (e.g. parsing) run in the worker processes too.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import cache as _cache
from .base import SNIFF_BYTES, UTF16_BOMS as _UTF16_BOMS, Document, Page, SourceError
from .cache import load_cached, store_cached
from .clean import (COMPOUND_HEADS, COMPOUND_TAILS, clean_pdf_pages, join_hyphenated, normalise_chars,
                    rebuild_paragraphs, rejoin_split_words, strip_furniture, word_counts)
from .pdf import POOL_MIN_PAGES, extract_raw_pages, line_spacing, read_pdf_pages, with_gaps
from .prefetch import EarlyReader, Prefetch, iter_sources
from .text import (FRENCH_ACCENTED, decode_text, is_image_description, looks_french, normalise_markdown,
                   normalise_markdown_line, read_text_pages, split_pages)

__all__ = ["COMPOUND_HEADS", "COMPOUND_TAILS", "Document", "EXTRACTOR_VERSION", "FRENCH_ACCENTED", "Page", "PendingOcr",
           "EarlyReader", "Prefetch", "finish_pending", "read_source_or_pending",
           "POOL_MIN_PAGES", "SourceError", "clean_pdf_pages", "decode_text", "extract_raw_pages",
           "is_image_description", "iter_sources", "join_hyphenated", "line_spacing", "load_cached",
           "looks_french", "normalise_chars", "normalise_markdown", "normalise_markdown_line", "read_pdf_pages",
           "read_source", "read_text_pages", "rebuild_paragraphs", "rejoin_split_words", "split_pages",
           "store_cached", "strip_furniture", "with_gaps", "word_counts"]

#: Changes whenever this package (its reading and cleaning rules) changes: old cache entries are then ignored.
EXTRACTOR_VERSION = _cache.EXTRACTOR_VERSION
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
#: A text file larger than this is refused (the bundled session is 2 MB).
MAX_TEXT_BYTES = 64 * 1024 * 1024

#: control characters dropped from every source (terminal escapes such as ESC]0;…BEL would
#: otherwise reach the CLI's output); tab, newline and form feed (report pages) are kept
_CONTROLS = dict.fromkeys([c for c in range(0x20) if chr(c) not in "\t\n\f"] + list(range(0x7F, 0xA0)))
_CONTROL = re.compile("[%s]" % "".join(re.escape(chr(c)) for c in _CONTROLS))


def _without_controls(text: str) -> str:
    """`text` without _CONTROLS (str.translate walks every character in Python's slow path)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def read_source(path: str | Path, *, cache: bool = True, workers: int | None = None,
                reader: str | None = None) -> Document:
    """Read a PDF or a text file into clean pages; raise SourceError on bad input.
    `reader` ("pdfium", "pypdf") forces a PDF page reader (default: $MINUTES_PDF_READER, else pdfium)."""
    doc = _read(Path(path), cache, workers, reader, ocr_later=False)
    assert isinstance(doc, Document)
    return doc


@dataclass
class PendingOcr:
    """A PDF read but for its scanned pages (`pending`: their page numbers), which the
    caller OCRs as separate tasks (`pdf.ocr_page`) before `finish_pending`."""

    path: Path
    digest: str
    raw: list  # RawPage of every page, the scanned ones marked pdf.OCR_LATER
    reader: str | None

    @property
    def pending(self) -> list[tuple[int, object]]:
        """(page number, text layer) of each page left for OCR."""
        from .pdf import OCR_LATER

        return [(n, lines) for n, lines, how in self.raw if how == OCR_LATER]


def read_source_or_pending(path: str | Path, *, cache: bool = True, reader: str | None = None) -> "Document | PendingOcr":
    """`read_source` in this process, except that a PDF with pages to OCR (not cached) comes
    back as a PendingOcr, so that its pages can be OCR'd by several processes at once."""
    return _read(Path(path), cache, 1, reader, ocr_later=True)


def finish_pending(pending: PendingOcr, read: dict[int, tuple], *, cache: bool = True) -> Document:
    """The Document of a PendingOcr, given the RawPage (`pdf.ocr_page`) of each page left for OCR."""
    from .pdf import OCR_LATER, clean_raw_pages

    raw = [read[n] if how == OCR_LATER else (n, lines, how) for n, lines, how in pending.raw]
    pages, warns = clean_raw_pages(str(pending.path), raw)
    if cache:
        store_cached(pending.digest, pages, warns)
    pages = [Page(p.number, _without_controls(p.text), p.ocr) for p in pages]
    return Document(path=pending.path, sha256=pending.digest, kind="pdf", pages=pages, warnings=warns)


def _read(path: Path, cache: bool, workers: int | None, reader: str | None, *,
          ocr_later: bool) -> "Document | PendingOcr":
    name = str(path)
    size = _check_file(path)
    head = _read_head(path)
    kind = _sniff_kind(path, head)
    digest = _sha256(path)
    if kind == "pdf":
        got = _cached_pdf(path, digest, cache, workers, reader, ocr_later=ocr_later)
        if isinstance(got, PendingOcr):
            return got
        pages, warns = got
    else:
        if size > MAX_TEXT_BYTES:
            raise SourceError(f"{name} : fichier texte trop volumineux ({size // 1_000_000} Mo) ; "
                              "découpez-le ou fournissez le PDF d'origine")
        _sniff_text(head, name)
        pages, warns = read_text_pages(path.read_bytes(), name)
    pages = [Page(p.number, _without_controls(p.text), p.ocr) for p in pages]
    return Document(path=path, sha256=digest, kind=kind, pages=pages, warnings=warns)


def _cached_pdf(path: Path, digest: str, cache: bool, workers: int | None,
                reader: str | None = None, *, ocr_later: bool = False) -> "tuple[list[Page], list[str]] | PendingOcr":
    from .pdf import OCR_LATER, clean_raw_pages

    if cache:
        hit = load_cached(digest)
        if hit is not None:
            return hit
    if ocr_later:
        raw = extract_raw_pages(path, workers, reader, ocr_later=True)
        if any(how == OCR_LATER for _, _, how in raw):
            return PendingOcr(path, digest, raw, reader or os.environ.get("MINUTES_PDF_READER") or None)
        pages, warns = clean_raw_pages(str(path), raw)
    else:
        pages, warns = read_pdf_pages(path, workers, reader)
    if cache:
        store_cached(digest, pages, warns)
    return pages, warns


def _check_file(path: Path) -> int:
    name = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SourceError(f"{name} : fichier introuvable ; vérifiez le chemin") from None
    except OSError as exc:
        raise SourceError(f"{name} : fichier illisible ({exc.strerror or exc}) ; "
                          "vérifiez le chemin et les droits") from None
    if path.is_dir():
        raise SourceError(f"{name} : c'est un dossier, pas un fichier ; "
                          "donnez le chemin d'un PDF ou d'un fichier texte")
    if not path.is_file():
        raise SourceError(f"{name} : ce n'est pas un fichier ordinaire ; "
                          "donnez le chemin d'un PDF ou d'un fichier texte")
    if st.st_size == 0:
        raise SourceError(f"{name} : fichier vide ; fournissez le procès-verbal complet")
    return st.st_size


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise SourceError(f"{path} : fichier illisible ({exc.strerror or exc}) ; "
                          "vérifiez les droits de lecture") from None


def _sniff_kind(path: Path, head: bytes) -> str:
    """'pdf' or 'text', judged from the extension and the first bytes."""
    name = str(path)
    suffix = path.suffix.lower()
    is_pdf = b"%PDF-" in head[:1024]
    if suffix in PDF_SUFFIXES:
        if not is_pdf:
            raise SourceError(f"{name} : ce fichier n'est pas un PDF (en-tête %PDF absent) ; "
                              "vérifiez qu'il s'agit bien du procès-verbal au format PDF")
        return "pdf"
    if head.lstrip().startswith(b"%PDF-") or (is_pdf and suffix not in TEXT_SUFFIXES):
        return "pdf"  # a PDF saved under another name (a text that merely quotes "%PDF-" stays text)
    if suffix in TEXT_SUFFIXES:
        if b"\x00" in head and not head.startswith(_UTF16_BOMS):
            raise SourceError(f"{name} : ce fichier contient des données binaires, pas du texte ; "
                              "fournissez un PDF ou un texte UTF-8")
        return "text"
    shown = suffix or "sans extension"
    raise SourceError(f"{name} : format non pris en charge ({shown}) ; "
                      "fournissez un PDF (.pdf) ou un texte (.txt, .md)")



def _sniff_text(head: bytes, name: str) -> None:
    """Refuse a text file from its first bytes, before reading it whole."""
    if head.startswith(_UTF16_BOMS):
        return
    try:
        head.decode("utf-8")
        return
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut by the end of the sample
            return
    if not looks_french(head.decode("cp1252", errors="replace")):
        raise SourceError(f"{name} : encodage non reconnu (ni UTF-8 ni texte français en cp1252/latin-1) ; "
                          "réenregistrez le fichier en UTF-8")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_source_with_pool(path: str | Path, *, cache: bool = True, pool=None) -> Document:
    """`read_source`, the pages of a long PDF extracted by an existing process pool."""
    path = Path(path)
    _check_file(path)
    if _sniff_kind(path, _read_head(path)) != "pdf" or pool is None:
        return read_source(path, cache=cache)
    digest = _sha256(path)
    hit = load_cached(digest) if cache else None
    if hit is not None:
        pages, warns = hit
    else:
        pages, warns = read_pdf_pages(path, pool=pool)
        if cache:
            store_cached(digest, pages, warns)
    pages = [Page(p.number, _without_controls(p.text), p.ocr) for p in pages]
    return Document(path=path, sha256=digest, kind="pdf", pages=pages, warnings=warns)
