"""OCR of scanned pages with tesseract (Debian: tesseract-ocr, tesseract-ocr-fra).

A page without a text layer but with a picture is rendered to a grey image and read
by `tesseract … -l fra`.  Tesseract is optional: without it (or with MINUTES_OCR=0)
the product says which pages need OCR.  A page whose OCR fails or runs past its time
budget ($MINUTES_OCR_TIMEOUT seconds, default 120) is skipped with a warning.  The text
of each page is cached by the content hash of its image, so a new version of the
cleaning rules does not run tesseract again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import struct
import subprocess
import tempfile

from . import tesslib

#: Resolution of the rendered page: tesseract reads body text best at 300 dpi …
OCR_DPI = 300
#: … but a picture scanned coarser is rendered at SCALE times its own resolution (at least
#: MIN_DPI): blown up three times or more, its letters blur and tesseract reads worse and
#: slower.  Pierrefonds' 96 dpi scans (4 pages, `bench_sources.py --ocr`; share of the OCR
#: words that are words of the set's text layers, tesseract instructions): 84.7 % at 300 dpi;
#: 92.2 % at 192 dpi (2×); 92.1 % at 160 dpi, 8.5 % fewer instructions than 192; 91.9 % at
#: 150 dpi, 14.6 % fewer (and 6 known words fewer of 1531)
SCALE = 1.5
MIN_DPI = 150
DEFAULT_TIMEOUT = 120.0


class OcrFailed(Exception):
    """OCR of one page failed; the message (French) says why."""


@functools.lru_cache(maxsize=4)
def _languages(binary: str) -> frozenset[str]:
    try:
        out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def disabled() -> bool:
    """OCR turned off by MINUTES_OCR=0."""
    return os.environ.get("MINUTES_OCR", "1").lower() in {"0", "no", "non", "off", "false"}


def tesseract() -> str | None:
    """Path of a tesseract that reads French, or None (not installed, disabled, no French)."""
    if disabled():
        return None
    binary = shutil.which("tesseract")
    if not binary or "fra" not in _languages(binary):
        return None
    return binary


def missing_hint() -> str:
    """What to do so that minutes reads scanned pages itself (French, for a message)."""
    if disabled():
        return "retirez MINUTES_OCR=0 pour que minutes le fasse (avec tesseract-ocr et tesseract-ocr-fra)"
    binary = shutil.which("tesseract")
    if binary and "fra" not in _languages(binary):
        return "installez la langue française de tesseract (tesseract-ocr-fra) pour que minutes le fasse"
    return "installez tesseract-ocr et tesseract-ocr-fra pour que minutes le fasse"


def timeout() -> float:
    try:
        return max(1.0, float(os.environ.get("MINUTES_OCR_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def pgm(pixels: bytes, width: int, height: int) -> bytes:
    """A grey image as a binary PGM file, which tesseract reads from its standard input."""
    return b"P5\n%d %d\n255\n" % (width, height) + pixels


def _cache_path(image: bytes, binary: str):
    from .. import config

    key = hashlib.sha256(image + b"\0" + _version(binary).encode() + b"\0fra").hexdigest()
    return config.cache_dir() / "ocr" / f"{key}.txt"


@functools.lru_cache(maxsize=4)
def _version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).split("\n", 1)[0].strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def read_image(image: bytes, binary: str, budget: float) -> str:
    """Text of one page image, from the OCR cache (by content hash of the image) or by
    tesseract; OcrFailed on error or past the time budget (failures are not cached)."""
    target = _cache_path(image, binary)
    try:
        return target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    text = _tesseract(image, binary, budget)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written is not an error
    return text


def pgm_pixels(image: bytes) -> tuple[bytes, int, int]:
    """(pixels, width, height) of a binary PGM image (`pgm`)."""
    _, size, rest = image.split(b"\n", 2)
    _, pixels = rest.split(b"\n", 1)  # the maximum grey value: 255
    width, height = map(int, size.split())
    return pixels, width, height


def bmp(image: bytes) -> bytes:
    """A binary PGM image (`pgm`) as an 8-bit grey BMP file, without resolution (tesseract then
    estimates it from the letters, as for a PGM).  Tesseract reads a BMP file in one go, but a
    PGM, or anything on its standard input, byte by byte: ~10 % of its CPU on a page."""
    pixels, width, height = pgm_pixels(image)
    stride = (width + 3) & ~3
    pad = b"\0" * (stride - width)
    rows = b"".join([pixels[r * width:(r + 1) * width] + pad for r in range(height - 1, -1, -1)])
    palette = bytes(b for i in range(256) for b in (i, i, i, 0))
    offset = 14 + 40 + len(palette)
    return (b"BM" + struct.pack("<IHHI", offset + len(rows), 0, 0, offset)
            + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 0, len(rows), 0, 0, 256, 0) + palette + rows)


def _tesseract(image: bytes, binary: str, budget: float) -> str:
    """Tesseract's text of one page image (a PGM): by the library in a pool worker (`tesslib`),
    else by the command, from a BMP file that lives as long as the call."""
    library = _library(binary) if image.startswith(b"P5") else None
    if library is not None:
        try:
            return library.read(*pgm_pixels(image), budget)
        except tesslib.Failed as exc:
            if str(exc) == "timeout":
                raise OcrFailed(f"délai de {budget:.0f} s dépassé") from None
            # any other failure: the command says what it is
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page: pages run in parallel
    try:
        with tempfile.NamedTemporaryFile(prefix="minutes-ocr-", suffix=".bmp") as fh:
            fh.write(bmp(image) if image.startswith(b"P5") else image)
            fh.flush()
            out = subprocess.run([binary, fh.name, "stdout", "-l", "fra", "--psm", "3"],
                                 stdin=subprocess.DEVNULL, capture_output=True, timeout=budget, env=env)
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"délai de {budget:.0f} s dépassé") from None
    except OSError as exc:
        raise OcrFailed(f"tesseract ne démarre pas ({exc.strerror or exc})") from None
    if out.returncode != 0:
        detail = " ".join(out.stderr.decode("utf-8", "replace").split())[:80]
        raise OcrFailed(f"tesseract a échoué ({detail or out.returncode})")
    return out.stdout.decode("utf-8", "replace")


def _library(binary: str) -> "tesslib.Library | None":
    """Tesseract's library, in a pool worker (it OCRs one page at a time) when it is the command's."""
    from .pdf import IN_WORKER

    return tesslib.library(_version(binary)) if IN_WORKER else None


def render_dpi(scanned: float | None) -> int:
    """Resolution at which to render a page whose picture has `scanned` dpi (None: unknown)."""
    if not scanned or scanned <= 0:
        return OCR_DPI
    return int(min(OCR_DPI, max(MIN_DPI, round(SCALE * scanned))))


def page_image(reader, number: int) -> bytes:
    """Page `number` of an open reader as a PGM image for tesseract; OcrFailed if it cannot be rendered."""
    try:
        scan_dpi = getattr(reader, "scan_dpi", None)
        try:
            scanned = scan_dpi(number) if scan_dpi is not None else None
        except Exception:  # noqa: BLE001 - a picture pdfium cannot measure: the default resolution
            scanned = None
        pixels, width, height = reader.render_gray(number, render_dpi(scanned))
    except Exception as exc:  # noqa: BLE001 - a page that cannot be rendered
        raise OcrFailed(f"page impossible à rendre en image ({type(exc).__name__})") from None
    return pgm(pixels, width, height)


def text_lines(text: str) -> list[tuple[str, None]]:
    """Tesseract's output as page lines (no baseline heights)."""
    return [(line.rstrip(), None) for line in text.replace("\f", "").split("\n")]
