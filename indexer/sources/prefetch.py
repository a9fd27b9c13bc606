"""Many files at once: extraction in parallel, in order, overlapped with what follows.

    for path, result in iter_sources(files, then=parse_document):
        ...  # result: what `then(document)` returned, or the SourceError / exception raised

Each file is read (and `then` applied to its Document) in a worker process while the
caller consumes the previous results; at most `ahead` files are in flight, so memory
stays bounded whatever the number of files.  A long PDF (≥ LONG_PDF_PAGES pages) is
split over all the workers instead, and `then` runs in the calling process for it.
`then` must be a module-level function (it is sent to the workers by name).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from .. import config
from .base import SourceError

#: A PDF at least this long is split over the workers rather than read by one of them.
LONG_PDF_PAGES = 60


class _Done:
    """A result computed in the calling process, with the interface of a Future."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _work(path: str, cache: bool, then: Callable[[Any], Any] | None) -> Any:
    """Worker: read one file (in this process) and apply `then`; errors are returned."""
    from . import read_source

    try:
        doc = read_source(path, cache=cache, workers=1)
        return then(doc) if then is not None else doc
    except SourceError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - the caller reports it, the other files go on
        return _portable(exc)


def _portable(exc: BaseException) -> BaseException:
    """The exception if it survives pickling, else a RuntimeError with its type and message."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


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


def iter_sources(paths: Iterable[str | Path], *, then: Callable[[Any], Any] | None = None,
                 workers: int | None = None, cache: bool = True,
                 ahead: int | None = None) -> Iterator[tuple[Path, Any]]:
    """(path, then(read_source(path)) or the exception it raised), in the order of `paths`."""
    from .pdf import new_pool

    paths = [Path(p) for p in paths]
    workers = workers or config.workers()
    if workers <= 1 or len(paths) <= 1:
        for path in paths:
            yield path, _work(str(path), cache, then)
        return
    ahead = ahead or 2 * workers
    try:
        pool = new_pool(workers)
    except Exception:  # noqa: BLE001 - no process pool here: one process
        for path in paths:
            yield path, _work(str(path), cache, then)
        return
    with pool:
        pending: deque[tuple[Path, Future | _Done | None]] = deque()
        todo = iter(paths)

        def fill() -> None:
            while len([1 for _, f in pending if f is not None]) < ahead:
                path = next(todo, None)
                if path is None:
                    return
                if _is_long_pdf(path):
                    pending.append((path, None))  # read when its turn comes, over the whole pool
                    return
                pending.append((path, pool.submit(_work, str(path), cache, then)))

        fill()
        while pending:
            path, fut = pending.popleft()
            if fut is None:
                result = _in_caller(path, cache, then, pool)
            else:
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - a worker killed (memory…) or the pool broken
                    result = SourceError(f"{path} : lecture interrompue ({type(exc).__name__}) ; "
                                         "relancez l'indexation") if not os.environ.get("MINUTES_DEBUG") else exc
            fill()
            yield path, result
