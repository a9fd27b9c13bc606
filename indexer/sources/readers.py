"""Page readers: pypdfium2 (fast, C) first, pypdf as the fallback for the files
pdfium refuses.  Both give, per page, text lines with the height of their baseline
(None when unknown), so the cleaning rules see the same thing whichever read it."""

from __future__ import annotations

import ctypes
import logging
import re
import warnings as pywarnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .base import SourceError, short

PageLines = list[tuple[str, float | None]]  # a page's text lines with their baseline height

#: Decoded drawing instructions of one page beyond which pypdf does not read it: a dense
#: page of text holds about 50 kB; pypdf reads about 250 kB a second, so a few kilobytes
#: of PDF compressing tens of megabytes per page (a "bomb") would otherwise take hours.
MAX_PAGE_CONTENT = 2_000_000
#: Page objects beyond which pdfium's page is not read (same bombs: a dense page of text
#: holds a few thousand objects, the 2 MB above about 28,000).
MAX_PAGE_OBJECTS = 30_000

_PASSWORD = "mot de passe"


def password_error(name: str) -> SourceError:
    return SourceError(f"{name} : PDF protégé par un mot de passe ; "
                       "déchiffrez-le d'abord (par exemple qpdf --decrypt) puis relancez")


def damaged_error(name: str, exc: BaseException) -> SourceError:
    return SourceError(f"{name} : PDF illisible ou endommagé ({short(exc)}) ; "
                       "téléchargez-le à nouveau ou réenregistrez-le depuis un lecteur PDF")


# --------------------------------------------------------------------------- pdfium


#: resolution at which a page without text nor picture is looked at for ink (`ink_share`)
INK_DPI = 18


class PdfiumReader:
    """One PDF opened with pdfium (decrypted with the empty password when it has one)."""

    name = "pdfium"

    def __init__(self, path: Path) -> None:
        import pypdfium2 as pdfium

        self._raw = __import__("pypdfium2.raw", fromlist=["raw"])
        try:
            self.doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise password_error(str(path)) from None
            raise
        self.count = len(self.doc)

    def has_images(self, number: int) -> bool:
        """Does the page draw a picture (directly, or inside a form object as scanners often do)?"""
        page = self.doc[number - 1]
        try:
            raw = self._raw
            kinds = (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM)
            return any(raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i)) in kinds
                       for i in range(min(raw.FPDFPage_CountObjects(page.raw), 2000)))
        finally:
            page.close()

    def picture_share(self, number: int) -> float:
        """Share of the page's area under its largest picture (an image, or a form object as
        scanners write them): near 1 for a scanned page that a publishing tool stamped with a
        text header or footer."""
        page = self.doc[number - 1]
        try:
            raw = self._raw
            width, height = page.get_size()
            kinds = (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM)
            left, bottom, right, top = (ctypes.c_float() for _ in range(4))
            best = 0.0
            for i in range(min(raw.FPDFPage_CountObjects(page.raw), 2000)):
                obj = raw.FPDFPage_GetObject(page.raw, i)
                if raw.FPDFPageObj_GetType(obj) not in kinds or \
                        not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                    continue
                w = min(right.value, width) - max(left.value, 0.0)
                h = min(top.value, height) - max(bottom.value, 0.0)
                best = max(best, max(w, 0.0) * max(h, 0.0) / (width * height or 1.0))
            return best
        finally:
            page.close()

    def scan_dpi(self, number: int) -> float | None:
        """Resolution of the page's largest picture as drawn (pixels per inch of the page), or
        None when the page has no picture pdfium can measure (a picture inside a form object
        is measured in the form's own space: not trusted)."""
        page = self.doc[number - 1]
        try:
            best, dpi = 0.0, None
            for obj in page.get_objects(filter=(self._raw.FPDF_PAGEOBJ_IMAGE,), max_depth=0):
                left, bottom, right, top = obj.get_bounds()
                area = max(right - left, 0.0) * max(top - bottom, 0.0)
                if area > best:
                    meta = obj.get_metadata()
                    if meta.horizontal_dpi > 0 and meta.vertical_dpi > 0:
                        best, dpi = area, min(meta.horizontal_dpi, meta.vertical_dpi)
            return dpi
        finally:
            page.close()

    def page_lines(self, number: int) -> PageLines | None:
        """Lines of one page with the baseline of their first character; None if unreadable."""
        raw = self._raw
        page = self.doc[number - 1]
        try:
            if raw.FPDFPage_CountObjects(page.raw) > MAX_PAGE_OBJECTS:
                return None
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
                aligned = len(text) == textpage.count_chars()
                x, y = ctypes.c_double(), ctypes.c_double()
                lines: PageLines = []
                starts: list[int | None] = []  # index of each line's first character, when aligned
                pos = 0
                for line in text.split("\r\n"):
                    # pdfium marks a hyphen that ended a line with U+FFFE and drops the break
                    start = pos
                    pos += len(line) + 2
                    for part in line.split("\ufffe"):
                        height = None
                        stripped = part.lstrip()
                        if aligned and stripped:
                            first = start + len(part) - len(stripped)
                            if (raw.FPDFText_GetUnicode(textpage.raw, first) == ord(stripped[0])
                                    and raw.FPDFText_GetCharOrigin(textpage.raw, first, x, y)):
                                height = round(y.value, 2)
                        clean = part.replace("\r", "").replace("\n", "").replace("\x02", "-")
                        starts.append(start if aligned and clean == part else None)
                        start += len(part) + 1
                        lines.append((clean if start > pos - 2 else clean + "-", height))
                return _with_tables(raw, textpage, lines, starts)
            finally:
                textpage.close()
        finally:
            page.close()

    def ink_share(self, number: int) -> float:
        """Share of the page, rendered small (INK_DPI), that is not white: 0 for a blank page,
        more for one that draws text or figures as shapes rather than with a text layer."""
        pixels, _, _ = self.render_gray(number, INK_DPI)
        return 1 - pixels.count(255) / max(len(pixels), 1)

    def render_gray(self, number: int, dpi: int) -> tuple[bytes, int, int]:
        """The page as an 8-bit grey image: (pixels row by row, width, height)."""
        page = self.doc[number - 1]
        try:
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            width, height, stride = bitmap.width, bitmap.height, bitmap.stride
            buf = bytes(bitmap.buffer)
            channels = stride // width if width else 1
            if channels == 1 and stride == width:
                return buf, width, height
            rows = bytearray()
            for r in range(height):  # keep one channel of each pixel
                rows.extend(buf[r * stride:r * stride + width * channels:channels])
            return bytes(rows), width, height
        finally:
            page.close()

    def close(self) -> None:
        self.doc.close()


_SPACE = re.compile(r"\s")  # what str.isspace() is


def _with_tables(raw, textpage, lines: PageLines, starts: list[int | None]) -> PageLines:  # noqa: ANN001
    """The lines with the page's tables written as rows of cells (`tables.layout_rows`), from
    the boxes of their characters."""
    from .tables import layout_rows

    texts = [t for t, _ in lines]
    l, r, b, t = (ctypes.c_double() for _ in range(4))

    def boxes_of(i: int):  # noqa: ANN202
        first = starts[i]
        if first is None:
            return None
        text = texts[i]
        out: list = [None] * len(text)
        # the ends of words only (a cell starts or ends there): the line's ends and the characters
        # next to a space
        edges = {0, len(text) - 1} if text else set()
        for m in _SPACE.finditer(text):
            edges.update((m.start() - 1, m.start() + 1))
        for j in edges:
            if 0 <= j < len(text) and raw.FPDFText_GetCharBox(textpage.raw, first + j, l, r, b, t):
                out[j] = (l.value, r.value, t.value - b.value)
        return out

    return [(text, lines[k][1]) for k, text in layout_rows(texts, boxes_of)]


# --------------------------------------------------------------------------- pypdf


def _quiet_pypdf() -> None:
    logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)
    pywarnings.filterwarnings("ignore", module=r"pypdf.*")


class PypdfReader:
    """One PDF opened with pypdf (decrypted with the empty password when it has one)."""

    name = "pypdf"

    def __init__(self, path: Path) -> None:
        _quiet_pypdf()
        import pypdf

        name = str(path)
        try:
            self.reader = pypdf.PdfReader(str(path), strict=False)
        except Exception as exc:  # noqa: BLE001 - pypdf raises many exception types
            raise damaged_error(name, exc) from None
        try:
            encrypted = self.reader.is_encrypted
        except Exception:  # noqa: BLE001
            encrypted = False
        if encrypted:
            try:
                ok = self.reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - unsupported algorithm, missing crypto backend…
                if "cryptography" in str(exc):
                    raise SourceError(f"{name} : PDF chiffré (AES) illisible sans le paquet Python "
                                      "cryptography ; installez-le (pip install cryptography) puis relancez"
                                      ) from None
                ok = 0
            if not ok:
                raise password_error(name)
        try:
            self.count = len(self.reader.pages)
        except Exception as exc:  # noqa: BLE001
            raise SourceError(f"{name} : PDF endommagé, pages illisibles ({short(exc)}) ; "
                              "téléchargez-le à nouveau ou réenregistrez-le depuis un lecteur PDF") from None

    def has_images(self, number: int) -> bool:
        try:
            resources = self.reader.pages[number - 1].get("/Resources") or {}
            xobjects = resources.get_object().get("/XObject") if resources else None
            return bool(xobjects)
        except Exception:  # noqa: BLE001
            return False

    def page_lines(self, number: int) -> PageLines | None:
        try:
            page = self.reader.pages[number - 1]
            contents = page.get_contents()
            if contents is not None and len(contents.get_data()) > MAX_PAGE_CONTENT:
                return None  # reported with the unreadable pages
            return pypdf_page_lines(page)
        except Exception:  # noqa: BLE001 - a broken page must not sink the document
            return None

    def render_gray(self, number: int, dpi: int) -> tuple[bytes, int, int]:
        raise RuntimeError("pypdf cannot render pages")

    def close(self) -> None:
        pass


def pypdf_page_lines(page) -> PageLines:
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


# --------------------------------------------------------------------------- choice

READERS = {"pdfium": PdfiumReader, "pypdf": PypdfReader}


def open_pdf(path: Path, reader: str | None = None):
    """The PDF opened with `reader` ("pdfium", "pypdf"), or pdfium with pypdf as fallback."""
    if reader:
        try:
            return READERS[reader](path)
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise damaged_error(str(path), exc) from None
    try:
        return PdfiumReader(path)
    except SourceError:
        raise
    except Exception:  # noqa: BLE001 - pdfium refuses the file: pypdf may still read it
        return PypdfReader(path)


def lines_of(reader, numbers: Iterable[int]) -> Iterator[tuple[int, PageLines | None]]:
    for number in numbers:
        try:
            yield number, reader.page_lines(number)
        except Exception:  # noqa: BLE001 - a broken page must not sink the document
            yield number, None
