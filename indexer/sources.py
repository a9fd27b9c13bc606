"""Files → clean text pages.

`read_source(path)` turns a PDF or a text/markdown file into a `Document`: a list of
numbered pages of clean text, plus warnings.  Everything that can go wrong with the
file itself (missing, empty, not a PDF, truncated, encrypted, scanned, unknown
encoding …) raises `SourceError`, whose message is one French line naming the file
and saying what to do.

PDF path: pypdf page by page (a process pool for long documents), then running
headers / footers / page numbers are removed, words hyphenated across line ends are
rejoined and wrapped lines are joined back into paragraphs.  The result is cached
by file content hash under `config.cache_dir()`.

Text path: the bundled file is a PDF-to-markdown conversion; its artefacts
(`<u>`, `^{ème}`, `**bold**`, HTML, rules, image descriptions in English …) are
normalised while keeping the line structure the parsers rely on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import unicodedata
import warnings as pywarnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import config

#: Changes whenever this module (its cleaning rules) changes: old cache entries are then ignored.
EXTRACTOR_VERSION = "pdf-" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
#: Below this many pages a PDF is extracted in the calling process.
POOL_MIN_PAGES = 20
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
#: A text file larger than this is refused (the bundled session is 2 MB).
MAX_TEXT_BYTES = 64 * 1024 * 1024
SNIFF_BYTES = 64 * 1024


class SourceError(Exception):
    """A file that cannot be read; the message is one line naming the file and what to do."""


@dataclass
class Page:
    number: int
    text: str


@dataclass
class Document:
    path: Path
    sha256: str
    kind: str  # "pdf" | "text"
    pages: list[Page]
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


# --------------------------------------------------------------------------- entry point


#: control characters dropped from every source (terminal escapes such as ESC]0;…BEL would
#: otherwise reach the CLI's output); tab, newline and form feed (report pages) are kept
_CONTROLS = dict.fromkeys([c for c in range(0x20) if chr(c) not in "\t\n\f"] + list(range(0x7F, 0xA0)))


def read_source(path: str | Path, *, cache: bool = True) -> Document:
    """Read a PDF or a text file into clean pages; raise SourceError on bad input."""
    path = Path(path)
    name = str(path)
    size = _check_file(path)
    head = _read_head(path)
    kind = _sniff_kind(path, head)
    digest = _sha256(path)
    if kind == "pdf":
        pages, warns = _cached_pdf(path, digest, cache)
    else:
        if size > MAX_TEXT_BYTES:
            raise SourceError(f"{name} : fichier texte trop volumineux ({size // 1_000_000} Mo) ; "
                              "découpez-le ou fournissez le PDF d'origine")
        _sniff_text(head, name)
        pages, warns = read_text_pages(path.read_bytes(), name)
    pages = [Page(p.number, p.text.translate(_CONTROLS)) for p in pages]
    return Document(path=path, sha256=digest, kind=kind, pages=pages, warnings=warns)


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


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


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


# --------------------------------------------------------------------------- cache


def _cache_file(digest: str) -> Path:
    return config.cache_dir() / "sources" / f"{digest}.{EXTRACTOR_VERSION}.json"


def load_cached(digest: str) -> tuple[list[Page], list[str]] | None:
    """Pages and warnings from the cache, or None when absent or corrupt."""
    try:
        data = json.loads(_cache_file(digest).read_text(encoding="utf-8"))
        if data.get("version") != EXTRACTOR_VERSION or data.get("sha256") != digest:
            return None
        pages = [Page(int(p["number"]), str(p["text"])) for p in data["pages"]]
        warns = [str(w) for w in data.get("warnings", [])]
        return pages, warns
    except Exception:  # noqa: BLE001 - any problem with a cache entry means "rebuild it"
        return None


def store_cached(digest: str, pages: Sequence[Page], warns: Sequence[str]) -> None:
    """Write a cache entry atomically; a cache that cannot be written is not an error."""
    target = _cache_file(digest)
    payload = {"version": EXTRACTOR_VERSION, "sha256": digest,
               "pages": [{"number": p.number, "text": p.text} for p in pages],
               "warnings": list(warns)}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, ensure_ascii=False)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for stale in target.parent.glob(f"{digest}.*.json"):  # entries of older extractors
            if stale != target:
                stale.unlink(missing_ok=True)
    except OSError:
        pass


def _cached_pdf(path: Path, digest: str, cache: bool) -> tuple[list[Page], list[str]]:
    if cache:
        hit = load_cached(digest)
        if hit is not None:
            return hit
    pages, warns = read_pdf_pages(path)
    if cache:
        store_cached(digest, pages, warns)
    return pages, warns


# --------------------------------------------------------------------------- PDF: extraction


def _quiet_pypdf() -> None:
    logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)
    pywarnings.filterwarnings("ignore", module=r"pypdf.*")


def _open_reader(path: Path):  # -> pypdf.PdfReader
    """Open and, if needed, decrypt with the empty password; SourceError otherwise."""
    _quiet_pypdf()
    import pypdf

    name = str(path)
    try:
        reader = pypdf.PdfReader(str(path), strict=False)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many exception types
        raise SourceError(f"{name} : PDF illisible ou endommagé ({_short(exc)}) ; "
                          "téléchargez-le à nouveau ou réenregistrez-le depuis un lecteur PDF") from None
    try:
        encrypted = reader.is_encrypted
    except Exception:  # noqa: BLE001
        encrypted = False
    if encrypted:
        try:
            ok = reader.decrypt("")
        except Exception:  # noqa: BLE001 - unsupported algorithm, missing crypto backend…
            ok = 0
        if not ok:
            raise SourceError(f"{name} : PDF protégé par un mot de passe ; "
                              "déchiffrez-le d'abord (par exemple qpdf --decrypt) puis relancez")
    return reader


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]


def _page_count(reader, name: str) -> int:
    try:
        return len(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise SourceError(f"{name} : PDF endommagé, pages illisibles ({_short(exc)}) ; "
                          "téléchargez-le à nouveau ou réenregistrez-le depuis un lecteur PDF") from None


PageLines = list[tuple[str, float | None]]  # a page's text lines with their baseline height


#: Decoded drawing instructions of one page beyond which it is not read: a dense page of
#: text holds about 50 kB; pypdf reads about 250 kB a second, so a few kilobytes of PDF
#: compressing tens of megabytes per page (a "bomb") would otherwise take hours.
MAX_PAGE_CONTENT = 2_000_000


def _extract_pages(reader, numbers: Iterable[int]) -> list[tuple[int, PageLines | None]]:
    """(1-based page number, lines, or None when the page cannot be read)."""
    out: list[tuple[int, PageLines | None]] = []
    for number in numbers:
        try:
            page = reader.pages[number - 1]
            contents = page.get_contents()
            if contents is not None and len(contents.get_data()) > MAX_PAGE_CONTENT:
                lines = None  # reported with the unreadable pages
            else:
                lines = page_lines(page)
        except Exception:  # noqa: BLE001 - a broken page must not sink the document
            lines = None
        out.append((number, lines))
    return out


def page_lines(page) -> PageLines:
    """pypdf's text of one page, line by line, each with the height of its first chunk
    (None when unknown): vertical gaps between lines tell paragraphs apart."""
    chunks: list[tuple[str, float | None]] = []

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], *_: object) -> None:
        if text:
            try:
                y = float(tm[4]) * float(cm[1]) + float(tm[5]) * float(cm[3]) + float(cm[5])
            except (TypeError, ValueError, IndexError):
                y = None
            chunks.append((text, y))

    plain = page.extract_text(visitor_text=visit) or ""
    if "".join(c for c, _ in chunks) != plain:
        return [(line, None) for line in plain.split("\n")]
    lines: list[tuple[str, float | None]] = [("", None)]
    for text, y in chunks:
        for i, part in enumerate(text.split("\n")):
            if i:
                lines.append(("", None))
            current, current_y = lines[-1]
            if part.strip() and current_y is None and i == 0 and not current.strip():
                current_y = y
            lines[-1] = (current + part, current_y)
    return lines


def _steps(pages: Iterable[PageLines]) -> Iterator[float]:
    for lines in pages:
        prev_y = None
        for text, y in lines:
            if not text.strip() or y is None:
                continue
            if prev_y is not None and 2 < prev_y - y < 100:
                yield round(prev_y - y, 1)
            prev_y = y


def line_spacing(pages: Iterable[PageLines]) -> float | None:
    """The document's usual distance between two lines of a paragraph (most common step)."""
    counts = Counter(_steps(pages))
    if sum(counts.values()) < 5:
        return None
    return counts.most_common(1)[0][0]


def with_gaps(lines: PageLines, leading: float | None) -> str:
    """The page's text, with a blank line where the vertical gap is clearly larger than `leading`."""
    if leading is None:
        return "\n".join(t for t, _ in lines)
    out: list[str] = []
    prev_y = None
    for text, y in lines:
        if text.strip() and y is not None:
            if prev_y is not None and prev_y - y > 1.4 * leading and out and out[-1].strip():
                out.append("")
            prev_y = y
        out.append(text)
    return "\n".join(out)


def _extract_slice(path: str, first: int, last: int) -> list[tuple[int, PageLines | None]]:
    """Worker: open the PDF in this process and extract pages first..last (1-based, inclusive)."""
    reader = _open_reader(Path(path))
    return _extract_pages(reader, range(first, last + 1))


def _die_with_parent(parent: int) -> None:
    """Pool initializer: a worker ends when the process that started it dies, even by
    ``kill -9`` (Linux ``PR_SET_PDEATHSIG``); otherwise it would wait for work for ever."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: nothing more to do
        return
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _slices(count: int, parts: int) -> list[tuple[int, int]]:
    """Split pages 1..count into `parts` contiguous, nearly equal, non-empty ranges."""
    parts = max(1, min(parts, count))
    base, extra = divmod(count, parts)
    out, start = [], 1
    for i in range(parts):
        size = base + (1 if i < extra else 0)
        out.append((start, start + size - 1))
        start += size
    return out


def _pool_context():
    import multiprocessing

    # fork is cheapest, but not safe once threads are running (e.g. inside the web server)
    method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
    return multiprocessing.get_context(method)


def extract_raw_pages(path: Path, workers: int | None = None) -> list[tuple[int, PageLines | None]]:
    """Raw pypdf text of every page, in order; a process pool for long documents."""
    name = str(path)
    _check_pdf_tail(path)
    reader = _open_reader(path)
    count = _page_count(reader, name)
    if count == 0:
        raise SourceError(f"{name} : PDF sans aucune page ; fournissez le procès-verbal complet")
    workers = workers or config.workers()
    if workers <= 1 or count < POOL_MIN_PAGES:
        return _extract_pages(reader, range(1, count + 1))
    chunks = _slices(count, workers * 2)
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=_pool_context(),
                                 initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_extract_slice, str(path), a, b) for a, b in chunks]
            results: list[tuple[int, PageLines | None]] = []
            for fut in futures:
                results.extend(fut.result())
        return results
    except SourceError:
        raise
    except Exception:  # noqa: BLE001 - no process pool here (sandbox, no /dev/shm …): one process
        return _extract_pages(reader, range(1, count + 1))


def _check_pdf_tail(path: Path) -> None:
    """A PDF always ends with %%EOF (possibly followed by a little padding)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise SourceError(f"{path} : PDF tronqué (fin de fichier absente) ; "
                          "le téléchargement ou la copie est incomplet, récupérez-le à nouveau")


def read_pdf_pages(path: Path, workers: int | None = None) -> tuple[list[Page], list[str]]:
    raw = extract_raw_pages(path, workers)
    name = str(path)
    warns: list[str] = []
    unreadable = [n for n, t in raw if t is None]
    leading = line_spacing(t for _, t in raw if t)
    texts = [(n, with_gaps(t or [], leading)) for n, t in raw]
    if len(unreadable) == len(raw):
        raise SourceError(f"{name} : PDF endommagé, aucune page lisible ; "
                          "téléchargez-le à nouveau ou réenregistrez-le depuis un lecteur PDF")
    pages = clean_pdf_pages(texts)
    bodies = strip_furniture([_normalise_chars(t).split("\n") for _, t in texts])
    empty = [n for (n, _), body in zip(texts, bodies)
             if len(re.sub(r"\s+", "", "".join(body))) < 3 and n not in unreadable]
    if len(empty) + len(unreadable) == len(raw):
        raise SourceError(f"{name} ne contient pas de texte : passez-le d'abord à l'OCR "
                          "(reconnaissance de caractères)")
    if unreadable:
        warns.append(f"pages illisibles, ignorées : {_page_list(unreadable)}")
    if empty:
        warns.append(f"pages sans texte (scannées ?) : {_page_list(empty)} ; "
                     "passez le PDF à l'OCR pour les indexer")
    return pages, warns


def _page_list(numbers: Sequence[int], limit: int = 12) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f" … ({len(numbers)} en tout)" if len(numbers) > limit else "")


# --------------------------------------------------------------------------- PDF: cleaning

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
    counts: Counter[str] = Counter()
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
        counts.update(w.lower() for w in _WORD.findall(" ".join(words)))
    return counts


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
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            if current:
                blocks.append(current)
            current, prev_raw = "", ""
            continue
        if not current:
            current, prev_raw = line, raw
            continue
        if (current.endswith("-") and current[-2:-1].isalpha() and line[:1].isalpha()
                and not _TURN_STRONG.match(line)):
            current = join_hyphenated(current[:-1], line, counts)
        elif _breaks_before(prev_raw, raw, width):
            current = f"{current}{soft}{line}"
        else:
            current = f"{current} {line}"
        prev_raw = raw
    if current:
        blocks.append(current)
    return "\n\n".join(blocks)


def clean_pdf_pages(raw: Sequence[tuple[int, str]]) -> list[Page]:
    """Raw pypdf text per page → clean Pages (furniture stripped, paragraphs rebuilt)."""
    split = [_normalise_chars(text).split("\n") for _, text in raw]
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
    return [Page(number, text) for (number, _), text in zip(raw, texts)]


_SPLIT_PAIR = re.compile(r"(?<![\w'’-])(?=([^\W\d_]+(?:-[^\W\d_]+)*) ([^\W\d_]+)(?![\w'’-]))")


def rejoin_split_words(texts: Sequence[str]) -> list[str]:
    """Glue words that pypdf split with a stray space ("Monsie ur", "Flore nce", "m ontant").

    A pair is glued only when the glued word occurs elsewhere in the document and
    neither piece ever occurs on its own outside this split.
    """
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for text in texts:
        for line in text.split("\n"):
            tokens = [t.lower() for t in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\S", line)]
            words.update(tokens)
            pairs.update(zip(tokens, tokens[1:]))

    def should_glue(a: str, b: str) -> bool:
        key = (a.lower(), b.lower())
        n = pairs[key]
        return bool(n and words[key[0] + key[1]] and words[key[0]] <= n and words[key[1]] <= n)

    def fix(text: str) -> str:
        out, last = [], 0
        for m in _SPLIT_PAIR.finditer(text):  # overlapping pairs: "Madame Flore nce"
            if m.start() >= last and should_glue(m.group(1), m.group(2)):
                out.append(text[last:m.start()] + m.group(1) + m.group(2))
                last = m.start() + len(m.group(1)) + 1 + len(m.group(2))
        return "".join(out) + text[last:] if out else text

    return [fix(text) for text in texts]


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
    if not re.search(r"[^\W\d_]-$", first):
        return first, second
    m = re.match(r"([^\W\d_][^\s]*)[ \t]*\n?", second)
    if not m or not m.group(1)[0].isalpha():
        return first, second
    return join_hyphenated(first[:-1], m.group(1), counts), second[m.end():].lstrip(" ")


def _normalise_chars(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "-")  # soft hyphen shown at a line end
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\ufb01", "fi").replace("\ufb02", "fl")
    text = _SPACED_HYPHEN.sub("-", text)  # "Jean -Claude", "ci -dessus"
    text = _SPACED_COMMA.sub(",", text)  # "DEMOUY , maire"
    return text


_SPACED_HYPHEN = re.compile(r"(?<=[^\W\d_]) -(?=[^\W\d_])")
_SPACED_COMMA = re.compile(r"(?<=\w) +,(?=\s)")


# --------------------------------------------------------------------------- text path

FRENCH_ACCENTED = "éèêëàâîïôûùüçœÉÈÊÀÂÎÔÛÇŒ«»’"
RUNNING_HEADER = re.compile(r"^\s*S[ÉE]ANCE DU CONSEIL D[ÉE]PARTEMENTAL DU \d{1,2}(?:er)? [A-ZÉÛ]+ \d{4}\s*$")


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
        if RUNNING_HEADER.match(line):
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


_WORD_END = re.compile(r"[^\W_]$")
_WORD_START = re.compile(r"[^\W_]")
_LAST_TOKEN = re.compile(r"(\S{1,40})\s*$")
_NEXT_TOKEN = re.compile(r"\s*(\S{1,40})")
_CONTEXT = 120  # characters looked at before a `**` run (a token of 40 and its spaces)


def _unbold(line: str) -> str:
    """`**` runs: a line break where they glue two upper-case headings, removed elsewhere."""
    def repl(m: re.Match[str]) -> str:
        # bounded look-arounds: a text file of one 10 MB line must not take quadratic time
        start, end = m.start(), m.end()
        context = max(0, start - _CONTEXT)
        if _WORD_END.search(line, context, start) and _WORD_START.match(line, end):
            return "\n"  # glued between two words: "RAPPORT N°2**CONSEIL DEPARTEMENTAL"
        b = _LAST_TOKEN.search(line, context, start)
        a = _NEXT_TOKEN.match(line, end)
        if b and a and _mostly_upper(b.group(1)) and _mostly_upper(a.group(1)):
            return "\n"
        return ""
    line = re.sub(r"\*{2,}", repl, line)
    # *italic*: a star touching a word on one side, with a matching star later on
    line = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])", r"\1", line)
    return line


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
                line = re.sub(r"[ \t]+", " ", line)
            line = line.strip()
            if line[:1] == "#":
                line = re.sub(r"^#{1,6}\s+", "", line)
            if line[:1] in ("-", "=", "*", "_", "|") and (_RULE.match(line) or line in {"|", "||"}):
                continue
            out.append(line)
    return _squeeze_blank_lines("\n".join(out)).strip("\n") + "\n"


def _squeeze_blank_lines(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text)
