"""Tesseract's C library, loaded in a pool worker that OCRs one page after the other.

Each `tesseract` command links its libraries, loads the French model and builds its tables of
ambiguous characters before reading a page: ~0.1 s of CPU a page, 12-15 % of the OCR of the
Pierrefonds scans.  A pool worker loads the library once and reads each page with it; the text
is the command's (same library, same model, same page segmentation, same grey pixels).

The library is used only when it is the tesseract found on the PATH (same version: another
command there, a wrapper or a test's stand-in, is run as a command), and when this process has
not loaded OpenMP yet (tesseract must run one thread a page: OMP_THREAD_LIMIT is read when
OpenMP loads).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time

#: tesseract's PSM_AUTO: page segmentation without orientation detection (the command's --psm 3)
PSM_AUTO = 3


class Failed(Exception):
    """The library could not read the page (the caller says why, in French)."""


class Library:
    """One TessBaseAPI, initialised for French, used by one thread at a time."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib
        self.lock = threading.Lock()
        self.api = lib.TessBaseAPICreate()
        # tesseract's messages (« Estimating resolution as … ») go nowhere, as the command's stderr
        lib.TessBaseAPISetVariable(self.api, b"debug_file", os.devnull.encode())
        if lib.TessBaseAPIInit3(self.api, None, b"fra") != 0:
            lib.TessBaseAPIDelete(self.api)
            raise Failed("init")
        lib.TessBaseAPISetVariable(self.api, b"debug_file", os.devnull.encode())
        lib.TessBaseAPISetPageSegMode(self.api, PSM_AUTO)

    def read(self, pixels: bytes, width: int, height: int, budget: float) -> str:
        """Text of an 8-bit grey image (rows of `width` bytes); Failed past `budget` seconds."""
        lib = self.lib
        with self.lock:
            monitor = lib.TessMonitorCreate()
            try:
                lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(budget * 1000)))
                started = time.monotonic()
                lib.TessBaseAPISetImage(self.api, pixels, width, height, 1, width)
                failed = lib.TessBaseAPIRecognize(self.api, monitor) != 0
                if time.monotonic() - started >= budget:
                    raise Failed("timeout")
                if failed:
                    raise Failed("recognize")
                text = lib.TessBaseAPIGetUTF8Text(self.api)
                if not text:
                    raise Failed("text")
                try:
                    return ctypes.string_at(text).decode("utf-8", "replace")
                finally:
                    lib.TessDeleteText(text)
            finally:
                lib.TessBaseAPIClear(self.api)
                lib.TessMonitorDelete(monitor)


def _openmp_loaded() -> bool:
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
            return "libgomp" in fh.read()
    except OSError:
        return True  # cannot tell: the command it is


def _bind(lib: ctypes.CDLL) -> None:
    p, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    for name, res, args in (
            ("TessVersion", s, []), ("TessBaseAPICreate", p, []), ("TessBaseAPIDelete", None, [p]),
            ("TessBaseAPIInit3", i, [p, s, s]), ("TessBaseAPISetVariable", i, [p, s, s]),
            ("TessBaseAPISetPageSegMode", None, [p, i]),
            ("TessBaseAPISetImage", None, [p, s, i, i, i, i]), ("TessBaseAPIRecognize", i, [p, p]),
            ("TessBaseAPIGetUTF8Text", p, [p]), ("TessDeleteText", None, [p]), ("TessBaseAPIClear", None, [p]),
            ("TessMonitorCreate", p, []), ("TessMonitorDelete", None, [p]),
            ("TessMonitorSetDeadlineMSecs", None, [p, i])):
        function = getattr(lib, name)
        function.restype, function.argtypes = res, args


_loaded: dict[str, Library | None] = {}
_loading = threading.Lock()


def library(version: str) -> Library | None:
    """The library of this process if it is tesseract `version` (the first line of the command's
    `--version`, « tesseract 5.3.0 ») with French; None when it cannot stand in for the command."""
    with _loading:
        if version not in _loaded:
            _loaded[version] = _load(version)
        return _loaded[version]


def _load(version: str) -> Library | None:
    if _openmp_loaded():
        return None
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one core a page, as for the command
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("tesseract") or "libtesseract.so.5")
        _bind(lib)
        if f"tesseract {lib.TessVersion().decode()}" != version:
            return None
        return Library(lib)
    except (OSError, AttributeError, Failed, UnicodeDecodeError):
        return None
