"""Extraction cache: clean pages of a PDF by content hash, under `config.cache_dir()/sources`."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .. import config
from .base import Page


def _version() -> str:
    h = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        h.update(module.name.encode() + b"\0" + module.read_bytes())
    return "pdf-" + h.hexdigest()[:12]


#: Changes whenever this package (its reading and cleaning rules) changes.
EXTRACTOR_VERSION = _version()


def _cache_file(digest: str) -> Path:
    """One entry per content hash, extractor version, OCR mode (with OCR, scanned pages
    hold recognised text; without, they are empty) and forced reader."""
    import os

    from .ocr import tesseract

    mode = "ocr" if tesseract() else "text"
    forced = os.environ.get("MINUTES_PDF_READER")  # a reader chosen by hand: its own entries
    if forced:
        mode += "." + "".join(c for c in forced if c.isalnum())[:16]
    return config.cache_dir() / "sources" / f"{digest}.{EXTRACTOR_VERSION}.{mode}.json"


def load_cached(digest: str) -> tuple[list[Page], list[str]] | None:
    """Pages and warnings from the cache, or None when absent or corrupt."""
    try:
        data = json.loads(_cache_file(digest).read_text(encoding="utf-8"))
        if data.get("version") != EXTRACTOR_VERSION or data.get("sha256") != digest:
            return None
        pages = [Page(int(p["number"]), str(p["text"]), bool(p.get("ocr", False))) for p in data["pages"]]
        warns = [str(w) for w in data.get("warnings", [])]
        return pages, warns
    except Exception:  # noqa: BLE001 - any problem with a cache entry means "rebuild it"
        return None


def store_cached(digest: str, pages: Sequence[Page], warns: Sequence[str]) -> None:
    """Write a cache entry atomically; a cache that cannot be written is not an error."""
    target = _cache_file(digest)
    payload = {"version": EXTRACTOR_VERSION, "sha256": digest,
               "pages": [{"number": p.number, "text": p.text, **({"ocr": True} if p.ocr else {})}
                         for p in pages],
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
