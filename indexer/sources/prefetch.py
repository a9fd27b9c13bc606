"""Many files at once: extraction in parallel, in order, overlapped with what follows.

    for path, result in iter_sources(files, then=parse_document):
        ...  # result: what `then(document)` returned, or the SourceError / exception raised

Each file is read (and `then` applied to its Document) in a worker process while the
caller consumes the previous results; at most `ahead` files are in flight, and at most
HELD_AHEAD times as many read and held while the caller waits for an earlier one (a file whose
pages are OCR'd), so memory stays bounded whatever the number of files.  A long PDF (≥ LONG_PDF_PAGES pages) is
split over all the workers instead, and `then` runs in the calling process for it.
The scanned pages of a file are OCR'd one task a page over all the workers as soon as
its text pages are read (`then` runs in the calling process for it too).
`then` must be a module-level function (it is sent to the workers by name).
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from pathlib import Path
from typing import Any

from .. import config
from .base import SourceError

#: A PDF at least this long is split over the workers rather than read by one of them.
LONG_PDF_PAGES = 60
#: files read and held behind the one the caller waits for, as a multiple of those in flight
HELD_AHEAD = 4
#: files an `EarlyReader` may read before the run's pool starts (it reads ~5 in the 0.4-0.6 s)
EARLY_FILES = 16
#: seconds `EarlyReader.stop` waits for the file being read before ending the reader
EARLY_STOP_WAIT = 10.0
#: the length of an `EarlyReader` result, before its pickle
_LENGTH = struct.Struct("<Q")


class _Done:
    """A result computed in the calling process, with the interface of a Future."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _work(path: str, cache: bool, then: Callable[[Any], Any] | None, reader: str | None = None, *,
          workers: int | None = 1, ocr_later: bool = False) -> Any:
    """Worker: read one file (in this process: `workers=1`) and apply `then`; errors are returned.
    In the calling process, `workers=None` lets a long PDF use a pool of its own.  With
    `ocr_later`, a PDF with pages to OCR comes back as a PendingOcr (`then` not applied)."""
    from . import PendingOcr, read_source, read_source_or_pending

    try:
        if ocr_later:
            doc = read_source_or_pending(path, cache=cache, reader=reader)
            if isinstance(doc, PendingOcr):
                return doc
        else:
            doc = read_source(path, cache=cache, workers=workers, reader=reader)
    except SourceError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - the caller reports it, the other files go on
        return _portable(exc)
    return _then_of(doc, then)


def _then_of(doc: Any, then: Callable[[Any], Any] | None) -> Any:
    """Worker: `then` applied to a document read (here, or by an `EarlyReader`); errors are returned."""
    try:
        return then(doc) if then is not None else doc
    except SourceError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - the caller reports it, the other files go on
        return _portable(exc)


def _portable(exc: BaseException) -> BaseException:
    """The exception if it survives pickling, else a RuntimeError with its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class _OcrJob:
    """A file whose scanned pages are OCR'd by the pool, one task a page; `then` runs here."""

    def __init__(self, pending: Any, pool: Executor) -> None:
        from .pdf import ocr_page

        self.pending = pending
        self.pages = {number: pool.submit(ocr_page, str(pending.path), number, layer, pending.reader)
                      for number, layer in pending.pending}

    def futures(self) -> list[Future]:
        return list(self.pages.values())

    def done(self) -> bool:
        return all(f.done() for f in self.pages.values())

    def finish(self, cache: bool, then: Callable[[Any], Any] | None) -> Any:
        from . import finish_pending
        from .pdf import ocr_page

        read = {}
        for number, fut in self.pages.items():
            try:
                read[number] = fut.result()
            except Exception:  # noqa: BLE001 - the worker died: this page is read here
                layer = dict(self.pending.pending)[number]
                read[number] = ocr_page(str(self.pending.path), number, layer, self.pending.reader)
        try:
            doc = finish_pending(self.pending, read, cache=cache)
            return then(doc) if then is not None else doc
        except Exception as exc:  # noqa: BLE001 - a SourceError or a parse failure: the caller reports it
            return exc


def _resubmitted(path: Path, entry: Any, pool: Executor, cache: bool, then: Callable[[Any], Any] | None) -> Any:
    """The work in flight for `path` when its pool broke, given to a new pool unless it was done."""
    if isinstance(entry, _OcrJob):
        return _OcrJob(entry.pending, pool)
    if isinstance(entry, Future):
        if entry.done() and not entry.cancelled() and entry.exception() is None:
            return entry
        return pool.submit(_work, str(path), cache, then, ocr_later=True)
    return entry  # a long PDF, read when its turn comes


def _is_long_pdf(path: Path) -> bool:
    from .pdf import page_count

    if path.suffix.lower() != ".pdf":
        return False
    try:  # a PDF's page count is cheap to read; any problem is for the worker to report
        return page_count(path) >= LONG_PDF_PAGES
    except Exception:  # noqa: BLE001
        return False


def _in_caller(path: Path, cache: bool, then: Callable[[Any], Any] | None, pool: Executor) -> Any:
    """A long PDF: its pages over the whole pool, then `then` here."""
    from . import read_source_with_pool

    try:
        doc = read_source_with_pool(path, cache=cache, pool=pool)
        return then(doc) if then is not None else doc
    except SourceError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001
        return exc


def _whole_results(data: bytes) -> list[memoryview]:
    """The pickles an `EarlyReader` wrote whole to `data`, in order (one cut by the reader's end, and
    what would follow it, left out)."""
    view, at, whole = memoryview(data), 0, []
    while at + _LENGTH.size <= len(data):
        start = at + _LENGTH.size
        at = start + _LENGTH.unpack_from(data, at)[0]
        if at > len(data):
            break
        whole.append(view[start:at])
    return whole


class EarlyReader:
    """The first files of a run read by a process forked before the run's own start-up (the
    modules it imports for its workers, ~0.4 s with one core idle): it reads them in order, as a
    worker would (`_work`: a file with pages to OCR comes back pending, a long PDF is left to the
    pool), each result pickled, behind its length, to a temporary file already unlinked (a run
    killed meanwhile leaves nothing behind), until `stop` asks it to end after the file it is
    reading.  Fork it before any thread; `stop` returns what it read, by path."""

    def __init__(self, paths: Iterable[str | Path], cache: bool = True, limit: int = EARLY_FILES) -> None:
        self.paths = [Path(p) for p in paths][:limit]
        self.pid: int | None = None
        self.file = None
        if not hasattr(os, "fork") or threading.active_count() > 1 or not self.paths:
            return
        self.file = tempfile.TemporaryFile(prefix="minutes-early-")
        pid = os.fork()
        if pid == 0:
            self._read(cache)  # never returns
        self.pid = pid

    def _read(self, cache: bool) -> None:
        from .pdf import die_with_parent

        stop = []
        signal.signal(signal.SIGUSR1, lambda *_: stop.append(True))
        try:
            die_with_parent(os.getppid())
            for path in self.paths:
                if stop or _is_long_pdf(path):
                    break
                data = pickle.dumps(_work(str(path), cache, None, ocr_later=True), protocol=pickle.HIGHEST_PROTOCOL)
                self.file.write(_LENGTH.pack(len(data)) + data)
                self.file.flush()
        finally:
            os._exit(0)

    def _written(self) -> bytes:
        """What the reader has written so far (read at its start: the offset the processes share is
        left where the reader's writes moved it)."""
        fd = self.file.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0)

    def written(self) -> int:
        """How many files the reader has read and written whole so far."""
        return len(_whole_results(self._written())) if self.file is not None else 0

    def stop(self) -> dict[Path, Any]:
        """End the reader (after the file it is reading) and return its results, by path."""
        if self.pid is None:
            return {}
        try:
            os.kill(self.pid, signal.SIGUSR1)
            deadline = time.monotonic() + EARLY_STOP_WAIT
            while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:  # a file it cannot get through: left to the pool
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                    break
                time.sleep(0.002)
        except OSError:  # already gone
            pass
        self.pid = None
        with self.file:
            data = self._written()
        results: dict[Path, Any] = {}
        for path, pickled in zip(self.paths, _whole_results(data)):
            try:
                results[path] = pickle.loads(pickled)
            except Exception:  # noqa: BLE001 - not loadable: the pool reads it, and the files after it
                break
        return results


def iter_sources(paths: Iterable[str | Path], *, then: Callable[[Any], Any] | None = None,
                 workers: int | None = None, cache: bool = True, ahead: int | None = None,
                 pool: Executor | None = None, read: dict[Path, Any] | None = None) -> Iterator[tuple[Path, Any]]:
    """(path, then(read_source(path)) or the exception it raised), in the order of `paths`.
    `pool`: worker processes of the caller's (started by `sources.pdf.new_pool`), used instead of a
    pool of this call's own and left running for the caller's own jobs (it ends it).  `read`: what
    an `EarlyReader` read of them (`then` is applied to it by the pool)."""
    from .pdf import new_pool, stop_pool

    paths = [Path(p) for p in paths]
    read = dict(read or {})  # what an EarlyReader read, taken as the files come
    workers = workers or config.workers()
    if workers <= 1 or len(paths) <= 1:
        for path in paths:
            yield path, _work(str(path), cache, then, workers=workers)
        return
    # results are small (a parsed record: tens of kB), so a window of 4 files a worker lets the
    # workers go on while the caller stalls (an index segment written, a file waiting for its OCR)
    ahead = ahead or 4 * workers
    own = pool is None
    try:
        pool = pool or new_pool(workers)
    except Exception:  # noqa: BLE001 - no process pool here: one process
        for path in paths:
            yield path, _work(str(path), cache, then)
        return
    finished = False
    # scanned pages are OCR'd one task a page over the whole pool rather than one after the
    # other by the worker that read their file (4 pages of one Pierrefonds file: ~4 s of CPU)
    from . import PendingOcr

    try:
        pending: deque[list[Any]] = deque()  # [path, Future | _OcrJob | None]
        todo = iter(paths)

        def fill() -> None:
            # `ahead` files in flight; those read behind a file still waiting (its OCR) are held
            # too, up to HELD_AHEAD times as many: the workers go on while its pages are read
            while sum(1 for _, f in pending if f is not None and not f.done()) < ahead \
                    and len(pending) < HELD_AHEAD * ahead:
                path = next(todo, None)
                if path is None:
                    return
                early = read.pop(path, None)
                if isinstance(early, (PendingOcr, BaseException)):  # its OCR goes to the pool (`start_ocr`)
                    done: Future = Future()
                    done.set_result(early)
                    pending.append([path, done])
                elif early is not None:
                    pending.append([path, pool.submit(_then_of, early, then)])
                elif _is_long_pdf(path):
                    pending.append([path, None])  # read when its turn comes, over the whole pool
                    return
                else:
                    pending.append([path, pool.submit(_work, str(path), cache, then, ocr_later=True)])

        def start_ocr() -> None:
            """Files read but for their scanned pages: their OCR tasks go to the pool now."""
            for entry in pending:
                fut = entry[1]
                if isinstance(fut, Future) and fut.done() and not fut.exception() \
                        and isinstance(fut.result(), PendingOcr):
                    entry[1] = _OcrJob(fut.result(), pool)

        def wait_for(entry: list[Any]) -> None:
            while True:
                start_ocr()
                fill()
                head = entry[1]
                if head is None or (head.done() if isinstance(head, (Future, _OcrJob)) else True):
                    return
                waiting = [f for _, f in pending if isinstance(f, Future)]
                waiting += head.futures() if isinstance(head, _OcrJob) else []
                wait([f for f in waiting if not f.done()], return_when=FIRST_COMPLETED)

        fill()
        while pending:
            entry = pending[0]
            try:
                wait_for(entry)
            except Exception:  # noqa: BLE001 - a broken pool: the files are read below
                pass
            pending.popleft()
            path, fut = entry
            if fut is None:
                result = _in_caller(path, cache, then, pool)
            elif isinstance(fut, _OcrJob):
                result = fut.finish(cache, then)
            else:
                try:
                    result = fut.result()
                    if isinstance(result, PendingOcr):  # the pool could take no more tasks
                        result = _work(str(path), cache, then)
                except Exception:  # noqa: BLE001 - a worker died (memory, a crash of the C reader …)
                    # this file is read here by pypdf (pure Python: it cannot crash the run)
                    result = _work(str(path), cache, then, "pypdf")
            if getattr(pool, "_broken", False):  # the work in flight goes to a new pool
                stop_pool(pool)
                pool, own = new_pool(workers), True
                pending = deque([p, _resubmitted(p, f, pool, cache, then)] for p, f in pending)
            fill()
            yield path, result
        finished = True
    except GeneratorExit:  # the caller stopped asking
        raise
    except BaseException:
        if not own:  # Ctrl+C or a failure while reading: the caller's pool ends at once too
            stop_pool(pool)
        raise
    finally:
        if not own:  # the caller's pool, which it ends: the work of this call not started is cancelled
            for _, entry in pending:
                for fut in entry.futures() if isinstance(entry, _OcrJob) else [entry]:
                    if isinstance(fut, Future):
                        fut.cancel()
        elif finished:
            pool.shutdown()
        else:  # Ctrl+C, an error, or a consumer that stopped early
            stop_pool(pool)


class Prefetch:
    """`iter_sources` for a loop that asks file by file, in the same order, and may skip some:

        ahead = Prefetch(files_to_read, then=parse_document)
        for path in ...:                     # the same files, in the same order
            record = ahead.get(path)         # as then(read_source(path)); raises what it raised

    Results of files skipped by the loop are dropped; a file never announced is read on the spot.
    Close it (or use it as a context manager) to end the workers early.
    """

    def __init__(self, paths: Iterable[str | Path], *, then: Callable[[Any], Any] | None = None,
                 workers: int | None = None, cache: bool = True, pool: Executor | None = None,
                 read: dict[Path, Any] | None = None) -> None:
        self._then, self._cache = then, cache
        self._paths = [Path(p) for p in paths]
        self._results = iter_sources(self._paths, then=then, workers=workers, cache=cache, pool=pool, read=read)
        self._left = set(self._paths)

    def get(self, path: str | Path) -> Any:
        path = Path(path)
        if path in self._left:
            for done, result in self._results:
                self._left.discard(done)
                if done == path:
                    if isinstance(result, BaseException):
                        raise result
                    return result
        result = _work(str(path), self._cache, self._then, workers=None)
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        self._results.close()
        self._left.clear()

    def __enter__(self) -> "Prefetch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
