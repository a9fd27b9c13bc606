"""Files → clean text pages.  (Minimal version; PDF, cache and bad-input handling to come.)"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


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


def read_source(path: str | Path) -> Document:
    path = Path(path)
    data = path.read_bytes()
    text = data.decode("utf-8")
    return Document(path=path, sha256=hashlib.sha256(data).hexdigest(), kind="text",
                    pages=[Page(1, text)])
