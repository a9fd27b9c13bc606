"""PDF → raw page lines → clean pages.

Pages are read by pdfium (pypdf when pdfium refuses the file); a long document is
split over a process pool.  Pages without a text layer but with a picture go to OCR
when tesseract is installed.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from .. import config
from . import ocr
from .base import Page, SourceError, page_list
from .clean import clean_pdf_bodies
from .readers import PageLines, lines_of, open_pdf

#: Below this many pages a PDF is extracted by one process.
POOL_MIN_PAGES = 20

#: (page number, lines or None when unreadable, how: "text" | "ocr" | "scan" | "blank" (neither text,
#: picture nor ink) | "bad" | "ocr-failed: why" | "ocr-later": a scanned page left for OCR by another
#: task, `ocr_page`)
RawPage = tuple[int, PageLines | None, str]
OCR_LATER = "ocr-later"


def _chars(lines: PageLines | None, enough: int | None = None) -> int:
    """Characters of the lines, spaces aside; with `enough`, counted until there are that many."""
    return _count((t for t, _ in lines), enough) if lines else 0


def _count(texts: Iterable[str], enough: int | None = None) -> int:
    if enough is None:
        return len("".join("".join(texts).split()))
    count = 0
    for text in texts:  # most pages reach `enough` within their first lines
        if text:
            count += len("".join(text.split()))
            if count >= enough:
                break
    return count


#: fewer characters than this (spaces aside) on a page: no text
MIN_TEXT = 3


def _has_text(lines: PageLines | None) -> bool:
    return _chars(lines) >= MIN_TEXT


#: a text layer this thin over a picture covering most of the page is a stamped scan (the
#: header, footer or page number a publishing tool wrote over a scanned annex): read by OCR
THIN_TEXT, SCAN_SHARE = 200, 0.6


def _stamped_scan(reader, number: int, chars: int) -> bool:
    """Is page `number`, whose text layer has `chars` characters (`_chars`), a stamped scan?"""
    share = getattr(reader, "picture_share", None)
    if share is None or chars >= THIN_TEXT:
        return False
    try:
        return share(number) >= SCAN_SHARE
    except Exception:  # noqa: BLE001
        return False


def extract_range(reader, numbers: Iterable[int], binary: str | None, *, ocr_later: bool = False) -> list[RawPage]:
    """Raw lines of the given pages of an open reader; OCR for picture-only pages
    (tesseract runs for several pages at once when this process is not a pool worker).
    With `ocr_later`, the pages to OCR are only marked OCR_LATER (their text layer kept)."""
    out: list[RawPage] = []
    scans: list[int] = []  # indexes in `out` of the pages waiting for OCR
    for number, lines in lines_of(reader, numbers):
        if lines is None:
            out.append((number, None, "bad"))
            continue
        chars = _chars(lines, THIN_TEXT)  # (the thresholds: MIN_TEXT < THIN_TEXT)
        if chars >= MIN_TEXT and not _stamped_scan(reader, number, chars):
            out.append((number, lines, "text"))
            continue
        try:
            scanned = reader.has_images(number)
        except Exception:  # noqa: BLE001
            scanned = False
        inked = None if scanned else _inked(reader, number)
        scanned = scanned or bool(inked)  # text or figures drawn as shapes: what OCR reads of them
        out.append((number, lines, "scan" if scanned else "blank" if inked is False else "text"))
        if scanned and binary is not None:
            scans.append(len(out) - 1)
    if scans and ocr_later:
        for i in scans:
            out[i] = (out[i][0], out[i][1], OCR_LATER)
    elif scans:
        _ocr_pages(reader, out, scans, binary)
    return out


#: a page without text layer nor picture but this much ink (`ink_share`) draws its text as shapes
INK_SHARE = 0.002


def _inked(reader, number: int) -> bool | None:
    """Does a page without text nor picture show ink (its text drawn as shapes)?  None when the
    reader cannot tell (it renders no page)."""
    share = getattr(reader, "ink_share", None)
    if share is None:
        return None
    try:
        return share(number) >= INK_SHARE
    except Exception:  # noqa: BLE001 - a page pdfium cannot render: as before, text
        return None


def _after_ocr(number: int, layer: PageLines | None, read: PageLines) -> RawPage:
    # a stamped scan whose OCR gives no more than its text layer keeps the layer
    if _chars(read) > _chars(layer) or not _has_text(layer):
        return number, read, "ocr"
    return number, layer, "text"


def ocr_page(path: str, number: int, layer: PageLines | None, reader: str | None = None) -> RawPage:
    """Pool task: the OCR of one page marked OCR_LATER (so that the scanned pages of a file
    are read by all the workers at once); a failure is the page's `how`, never an exception."""
    binary = ocr.tesseract()
    if binary is None:
        return number, layer, "scan"
    try:
        pdf = open_pdf(Path(path), reader)
        try:
            image = ocr.page_image(pdf, number)
        finally:
            pdf.close()
        return _after_ocr(number, layer, ocr.text_lines(ocr.read_image(image, binary, ocr.timeout())))
    except (ocr.OcrFailed, SourceError) as exc:
        return number, [], f"ocr-failed: {exc}"


def _ocr_pages(reader, out: list[RawPage], scans: Sequence[int], binary: str) -> None:
    """Replace the scanned pages of `out` by their OCR text (or a failure), in place."""
    from concurrent.futures import ThreadPoolExecutor

    parallel = 1 if IN_WORKER else config.workers()
    budget = ocr.timeout()

    def run(image: bytes) -> PageLines:
        return ocr.text_lines(ocr.read_image(image, binary, budget))

    with ThreadPoolExecutor(max_workers=parallel) as threads:
        pending: list[tuple[int, object]] = []
        for i in scans:  # pages are rendered here one by one (pdfium is not thread-safe)
            number = out[i][0]
            try:
                pending.append((i, threads.submit(run, ocr.page_image(reader, number))))
            except ocr.OcrFailed as exc:
                out[i] = (number, [], f"ocr-failed: {exc}")
            while len([1 for _, f in pending if not f.done()]) >= parallel:
                next(f for _, f in pending if not f.done()).exception()  # wait for one
        for i, fut in pending:
            number, layer = out[i][0], out[i][1]
            try:
                out[i] = _after_ocr(number, layer, fut.result())
            except ocr.OcrFailed as exc:
                out[i] = (number, [], f"ocr-failed: {exc}")


def extract_slice(path: str, first: int, last: int, reader: str | None = None) -> list[RawPage]:
    """Worker: open the PDF in this process and extract pages first..last (1-based, inclusive)."""
    pdf = open_pdf(Path(path), reader)
    try:
        return extract_range(pdf, range(first, last + 1), ocr.tesseract())
    finally:
        pdf.close()


#: True in the processes of an extraction pool (they run one OCR at a time)
IN_WORKER = False


def die_with_parent(parent: int) -> None:
    """Pool initializer: a worker ends when the process that started it dies, even by
    ``kill -9`` (Linux ``PR_SET_PDEATHSIG``); otherwise it would wait for work for ever."""
    global IN_WORKER
    IN_WORKER = True
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the parent, which stops the pool
    # a forked worker must not inherit the CLI's SIGTERM handler (it would raise in the worker,
    # printing a traceback, when `stop_pool` terminates it): SIGTERM just ends it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: nothing more to do
        return
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def slices(count: int, parts: int) -> list[tuple[int, int]]:
    """Split pages 1..count into `parts` contiguous, nearly equal, non-empty ranges."""
    parts = max(1, min(parts, count))
    base, extra = divmod(count, parts)
    out, start = [], 1
    for i in range(parts):
        size = base + (1 if i < extra else 0)
        out.append((start, start + size - 1))
        start += size
    return out


def pool_context():
    import multiprocessing

    # fork is cheapest, but not safe once threads are running (e.g. inside the web server)
    method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
    return multiprocessing.get_context(method)


def new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=pool_context(),
                               initializer=die_with_parent, initargs=(os.getpid(),))


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool at once (Ctrl+C, an error, a consumer that stopped): queued work is
    cancelled and the workers, which may be in a long OCR, are terminated."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.terminate()
        except (OSError, AttributeError, ValueError):
            pass


def check_pdf_tail(path: Path) -> None:
    """A PDF always ends with %%EOF (possibly followed by a little padding)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise SourceError(f"{path} : PDF tronqué (fin de fichier absente) ; "
                          "le téléchargement ou la copie est incomplet, récupérez-le à nouveau")


def page_count(path: Path, reader: str | None = None) -> int:
    pdf = open_pdf(path, reader)
    try:
        count = pdf.count
    finally:
        pdf.close()
    if count == 0:
        raise SourceError(f"{path} : PDF sans aucune page ; fournissez le procès-verbal complet")
    return count


def extract_raw_pages(path: Path, workers: int | None = None, reader: str | None = None,
                      pool: Executor | None = None, *, ocr_later: bool = False) -> list[RawPage]:
    """Raw lines of every page, in order; over a process pool for long documents.
    `ocr_later`: a document read by this process alone leaves its scanned pages OCR_LATER."""
    check_pdf_tail(path)
    reader = reader or os.environ.get("MINUTES_PDF_READER") or None
    pdf = open_pdf(path, reader)
    try:
        count = pdf.count
        if count == 0:
            raise SourceError(f"{path} : PDF sans aucune page ; fournissez le procès-verbal complet")
        workers = workers or config.workers()
        if (workers <= 1 and pool is None) or count < POOL_MIN_PAGES:
            return extract_range(pdf, range(1, count + 1), ocr.tesseract(), ocr_later=ocr_later)
        chunks = slices(count, workers * 4)
        try:
            if pool is not None:
                return _gather(pool, path, chunks, pdf.name)
            own = new_pool(min(workers, len(chunks)))
            try:
                results = _gather(own, path, chunks, pdf.name)
            except BaseException:
                stop_pool(own)
                raise
            own.shutdown()
            return results
        except SourceError:
            raise
        except Exception:  # noqa: BLE001 - no process pool here (sandbox, no /dev/shm …): one process
            return extract_range(pdf, range(1, count + 1), ocr.tesseract())
    finally:
        pdf.close()


def _gather(pool: Executor, path: Path, chunks: Sequence[tuple[int, int]], reader: str) -> list[RawPage]:
    futures = [pool.submit(extract_slice, str(path), a, b, reader) for a, b in chunks]
    results: list[RawPage] = []
    for fut in futures:
        results.extend(fut.result())
    return results


# --------------------------------------------------------------------------- line gaps


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


# --------------------------------------------------------------------------- raw → clean


def clean_raw_pages(name: str, raw: Sequence[RawPage]) -> tuple[list[Page], list[str]]:
    """Raw lines of every page → clean pages and warnings; SourceError when nothing is readable."""
    warns: list[str] = []
    unreadable = [n for n, _, how in raw if how == "bad"]
    if len(unreadable) == len(raw):
        raise SourceError(f"{name} : PDF endommagé, aucune page lisible ; "
                          "téléchargez-le à nouveau ou réenregistrez-le depuis un lecteur PDF")
    leading = line_spacing(lines for _, lines, how in raw if lines and how == "text")
    texts = [(n, with_gaps(lines or [], leading if how == "text" else None)) for n, lines, how in raw]
    pages, bodies = clean_pdf_bodies(texts)
    for page, (_, _, how) in zip(pages, raw):
        page.ocr = how == "ocr"
    empty = [n for (n, _, how), body in zip(raw, bodies)
             if how != "bad" and _count(body, MIN_TEXT) < MIN_TEXT]
    scans = [n for n, _, how in raw if how == "scan"]
    blank = {n for n, _, how in raw if how == "blank"}  # nothing on them: nothing to read, nor to say
    failed = [(n, how.split(": ", 1)[1]) for n, _, how in raw if how.startswith("ocr-failed")]
    if len(blank) + len(unreadable) == len(raw):
        raise SourceError(f"{name} : pages blanches seulement (ni texte ni image) ; "
                          "vérifiez qu'il s'agit bien du procès-verbal")
    if len(empty) + len(unreadable) == len(raw):
        if failed:
            raise SourceError(f"{name} : aucune page lisible, même par OCR ({failed[0][1]}) ; "
                              "vérifiez le fichier ou relancez avec MINUTES_OCR_TIMEOUT plus grand")
        if any(how == "ocr" for _, _, how in raw):
            raise SourceError(f"{name} ne contient pas de texte lisible, même par OCR ; "
                              "vérifiez qu'il s'agit bien du procès-verbal, ou fournissez un scan plus net")
        if scans:
            raise SourceError(f"{name} ne contient pas de texte : passez-le d'abord à l'OCR "
                              f"(reconnaissance de caractères), ou {ocr.missing_hint()}")
        raise SourceError(f"{name} ne contient pas de texte : passez-le d'abord à l'OCR "
                          "(reconnaissance de caractères)")
    if unreadable:
        warns.append(f"pages illisibles, ignorées : {page_list(unreadable)}")
    for number, why in failed:
        warns.append(f"page {number} : OCR impossible ({why}), page ignorée")
    no_text = [n for n in empty if n not in {f for f, _ in failed} and n not in blank]
    if no_text:
        hint = f" ({ocr.missing_hint()})" if scans and not ocr.disabled() else ""
        warns.append(f"pages sans texte (scannées ?) : {page_list(no_text)} ; "
                     f"passez le PDF à l'OCR pour les indexer{hint}")
    ocr_pages = [p.number for p in pages if p.ocr]
    if ocr_pages:
        warns.append(f"texte issu d'une reconnaissance optique (OCR), à vérifier : pages {page_list(ocr_pages)}")
    return pages, warns


def read_pdf_pages(path: Path, workers: int | None = None, reader: str | None = None,
                   pool: Executor | None = None) -> tuple[list[Page], list[str]]:
    raw = extract_raw_pages(path, workers, reader, pool)
    return clean_raw_pages(str(path), raw)
