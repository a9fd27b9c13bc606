"""What every part of the sources package shares: pages, documents, the error."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SNIFF_BYTES = 64 * 1024
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class SourceError(Exception):
    """A file that cannot be read; the message is one line naming the file and what to do."""


@dataclass
class Page:
    number: int
    text: str
    #: the text was read by optical character recognition (a scanned page)
    ocr: bool = False


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

    @property
    def ocr_pages(self) -> list[int]:
        """Numbers of the pages whose text comes from OCR."""
        return [p.number for p in self.pages if p.ocr]


def short(exc: BaseException) -> str:
    """An exception as a short single line, for a message."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]


def page_list(numbers, limit: int = 12) -> str:
    numbers = list(numbers)
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f" … ({len(numbers)} en tout)" if len(numbers) > limit else "")
