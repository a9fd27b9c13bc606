"""Build PDFs for the tests and the benchmark with reportlab.

`minutes_pdf` lays a text out like a printed procès-verbal: A4 pages, a running
header, a `Page N sur M` footer, text wrapped at a fixed width with long words cut
by a hyphen at the line end (and compounds such as `Pas-de-Calais` broken after one
of their own hyphens), a blank line between paragraphs.  Each non-blank line of
the input is laid out as its own line (wrapped when too long); blank lines separate
paragraphs.

Other builders make the bad inputs: an encrypted PDF, a scanned PDF (an image, no
text layer), a truncated PDF.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

HEADER = "SEANCE DU CONSEIL DEPARTEMENTAL DU 22 SEPTEMBRE 2025"
FONT, SIZE, LEADING = "Helvetica", 10, 13
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 60, 70, 70
MIN_PART = 3  # letters kept on each side of a hyphenation cut

Line = str | None  # None is a paragraph gap


def _width(text: str) -> float:
    return stringWidth(text, FONT, SIZE)


def _printable(text: str) -> str:
    """Keep what the standard Helvetica (WinAnsi) font can show."""
    return "".join(c if c.isascii() or c.encode("cp1252", errors="replace") != b"?" else "-" for c in text)


def _cut(word: str, room: float) -> tuple[str, str] | None:
    """Split `word` so that `head-` fits in `room`; None when no acceptable cut exists."""
    # a real compound breaks after one of its own hyphens: "Pas-de-" / "Calais"
    for i in range(len(word) - 1, 0, -1):
        if word[i] == "-" and i + 1 < len(word) and _width(word[: i + 1]) <= room:
            return word[: i + 1], word[i + 1:]
    letters = re.fullmatch(r"([«(\"']?)([^\W\d_]+)([.,;:!?»)\"']*)", word)
    if not letters or len(letters.group(2)) < 2 * MIN_PART + 1:
        return None
    core = letters.group(2)
    if core.isupper():
        return None  # names in capitals are not hyphenated
    for i in range(len(core) - MIN_PART, MIN_PART - 1, -1):
        if not core[i:].islower():
            continue
        head = letters.group(1) + core[:i] + "-"
        if _width(head) <= room:
            return head, core[i:] + letters.group(3)
    return None


def wrap_line(line: str, width: float) -> list[str]:
    """Greedy wrapping; a word that does not fit is hyphenated when it can be."""
    out: list[str] = []
    current = ""
    words = line.split()
    i = 0
    while i < len(words):
        word = words[i]
        candidate = f"{current} {word}" if current else word
        if _width(candidate) <= width:
            current = candidate
            i += 1
            continue
        room = width - _width(current + " ") if current else width
        cut = _cut(word, room)
        if cut:
            head, tail = cut
            out.append(f"{current} {head}" if current else head)
            current = ""
            words[i] = tail
            continue
        if current:
            out.append(current)
            current = ""
        else:  # a single word wider than the line: let it overflow
            out.append(word)
            i += 1
    if current:
        out.append(current)
    return out


def layout(text: str, width: float) -> Iterator[Line]:
    """Lines to print; None marks a paragraph gap."""
    gap_pending = False
    for raw in text.split("\n"):
        if not raw.strip():
            gap_pending = True
            continue
        if gap_pending:
            yield None
            gap_pending = False
        yield from wrap_line(_printable(" ".join(raw.split())), width)


def paginate(lines: Iterator[Line], per_page: int) -> list[list[Line]]:
    pages: list[list[Line]] = [[]]
    for line in lines:
        if len(pages[-1]) >= per_page:
            pages.append([])
        if line is None and not pages[-1]:
            continue  # no gap at the top of a page
        pages[-1].append(line)
    return pages


def minutes_pdf(text: str, path: Path | None = None, *, header: str = HEADER,
                min_pages: int = 0) -> bytes:
    """A PDF of `text` with running header, page footer and hyphenated line ends.

    With `min_pages`, the text is repeated until the document has at least that many pages.
    """
    page_w, page_h = A4
    width = page_w - 2 * MARGIN_X
    per_page = int((page_h - MARGIN_TOP - MARGIN_BOTTOM) // LEADING)
    pages = paginate(layout(text, width), per_page)
    while min_pages and len(pages) < min_pages:
        pages.extend(paginate(layout(text, width), per_page))
    if min_pages:
        pages = pages[:min_pages]
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    total = len(pages)
    for number, lines in enumerate(pages, start=1):
        pdf.setFont(FONT, 8)
        pdf.drawCentredString(page_w / 2, page_h - 40, header)
        pdf.drawCentredString(page_w / 2, 35, f"Page {number} sur {total}")
        text_obj = pdf.beginText(MARGIN_X, page_h - MARGIN_TOP)
        text_obj.setFont(FONT, SIZE)
        text_obj.setLeading(LEADING)
        for line in lines:
            text_obj.textLine(line or "")
        pdf.drawText(text_obj)
        pdf.showPage()
    pdf.save()
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def encrypted_pdf(source: bytes, path: Path, password: str = "secret") -> None:
    """`source` re-saved with a user password (AES-256)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    with open(path, "wb") as fh:
        writer.write(fh)


def owner_only_encrypted_pdf(source: bytes, path: Path) -> None:
    """Encrypted with an empty user password: opens without a password, like many real PDFs."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    with open(path, "wb") as fh:
        writer.write(fh)


def scanned_pdf(path: Path, pages: int = 2) -> None:
    """Pages that are only pictures (grey blocks standing for scanned lines), no text layer."""
    from reportlab.lib.utils import ImageReader

    width, height = 400, 500
    # a tiny greyscale "scan": stripes of dark pixels where lines of text would be
    rows = bytearray()
    for y in range(height):
        dark = (y // 12) % 2 == 0 and 40 < y < height - 40
        rows.extend((60 if dark and 30 < x < width - 30 else 245) for x in range(width))
    image = _grey_png(bytes(rows), width, height)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        pdf.drawImage(ImageReader(io.BytesIO(image)), 60, 150, width=width, height=height)
        pdf.showPage()
    pdf.save()


def _grey_png(pixels: bytes, width: int, height: int) -> bytes:
    import struct
    import zlib

    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def truncated_pdf(source: bytes, path: Path) -> None:
    """The first half of a PDF, as left by an interrupted download."""
    Path(path).write_bytes(source[: len(source) // 2])


def proces_verbal_part(text: str) -> str:
    """The debate part of the bundled session: everything before `DEUXIEME PARTIE`."""
    end = text.find("\nDEUXIEME PARTIE")
    return text if end < 0 else text[: end + 1]


def content_bomb_pdf(source: bytes | None, path: Path, megabytes: int = 6, bombs: int = 2) -> None:
    """The pages of `source` (if any) followed by `bombs` pages whose compressed drawing
    instructions (a few kilobytes each) unfold to `megabytes` of text operators: pypdf
    reads about 250 kB of them a second."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(source)).pages if source else []:
        writer.add_page(page)
    line = b"BT /F1 10 Tf 60 700 Td (Le conseil parle du budget des colleges.) Tj ET\n"
    for _ in range(bombs):
        page = writer.add_blank_page(width=A4[0], height=A4[1])
        stream = DecodedStreamObject()
        stream.set_data(line * (megabytes * 1_000_000 // len(line)))
        page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    with open(path, "wb") as fh:
        writer.write(fh)


def aes256_open_pdf(source: bytes, path: Path) -> None:
    """Encrypted with AES-256 and an empty user password: any viewer opens it without asking."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="proprietaire", algorithm="AES-256")
    with open(path, "wb") as fh:
        writer.write(fh)


def image_only_pdf(source: bytes, path: Path, *, dpi: int = 200, keep_text: tuple[int, ...] = (),
                   stamp: str = "") -> None:
    """`source` as a scanner gives it: every page rendered to a grey picture and put back
    as a picture-only page (no text layer).  Pages listed in `keep_text` (1-based) are
    kept as they are, text layer included.  `stamp` ("… {page}") is written as text over
    the foot of each picture, as publishing tools number the scanned annexes they join."""
    import pypdfium2 as pdfium
    from pypdf import PdfReader, PdfWriter

    doc = pdfium.PdfDocument(source)
    scans = io.BytesIO()
    pdf = canvas.Canvas(scans, pagesize=A4)
    for index in range(len(doc)):
        page = doc[index]
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        png = io.BytesIO()
        image.save(png, format="PNG")
        width, height = page.get_size()
        pdf.setPageSize((width, height))
        from reportlab.lib.utils import ImageReader

        pdf.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, width=width, height=height)
        if stamp:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(40, 14, stamp.format(page=index + 1))
        pdf.showPage()
        page.close()
    pdf.save()
    doc.close()
    if not keep_text:
        Path(path).write_bytes(scans.getvalue())
        return
    original, scanned = PdfReader(io.BytesIO(source)), PdfReader(io.BytesIO(scans.getvalue()))
    writer = PdfWriter()
    for number, (text_page, scan_page) in enumerate(zip(original.pages, scanned.pages), start=1):
        writer.add_page(text_page if number in keep_text else scan_page)
    with open(path, "wb") as fh:
        writer.write(fh)


def form_wrapped_scan_pdf(path: Path) -> None:
    """One page whose picture sits inside a form XObject, as many scanners write it."""
    from reportlab.lib.utils import ImageReader

    width, height = 200, 100
    image = _grey_png(bytes(((x // 8 + y // 8) % 2) * 200 for y in range(height) for x in range(width)),
                      width, height)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.beginForm("scan")
    pdf.drawImage(ImageReader(io.BytesIO(image)), 60, 300, width=400, height=200)
    pdf.endForm()
    pdf.doForm("scan")
    pdf.showPage()
    pdf.save()


def shapes_text_pdf(text: str, path: Path, *, blank_pages: int = 0) -> None:
    """A page whose text is drawn as shapes (filled rectangles, one per run of dark pixels of
    the text rendered at 100 dpi), as design tools export text "converted to outlines": no text
    layer, no picture; then `blank_pages` empty pages."""
    import pypdfium2 as pdfium

    dpi = 100
    source = pdfium.PdfDocument(minutes_pdf(text))
    try:
        bitmap = source[0].render(scale=dpi / 72, grayscale=True)
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        pixels = bytes(bitmap.buffer)
    finally:
        source.close()
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFillGray(0)
    unit = 72 / dpi
    for y in range(height):
        row = pixels[y * stride:y * stride + width]
        x = 0
        while x < width:
            if row[x] < 128:
                start = x
                while x < width and row[x] < 128:
                    x += 1
                pdf.rect(start * unit, A4[1] - (y + 1) * unit, (x - start) * unit, unit, stroke=0, fill=1)
            x += 1
    pdf.showPage()
    for _ in range(blank_pages):
        pdf.showPage()
    pdf.save()


def with_blank_page(source: bytes, path: Path, at: int) -> None:
    """The PDF `source` with an empty page inserted before page `at` (1-based)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(source))
    writer = PdfWriter()
    for k, page in enumerate(reader.pages, start=1):
        if k == at:
            writer.add_blank_page(width=float(page.mediabox.width), height=float(page.mediabox.height))
        writer.add_page(page)
    with open(path, "wb") as fh:
        writer.write(fh)
