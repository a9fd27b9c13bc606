"""Sources → parse → records → index: one run of `minutes index`.

A run holds the writer lock, reads the published manifest, parses the files it has to
(new content, or content read by an older parser: `parse.version.PARSER_VERSION`),
places each record (`records.place_record`: its session id, what it replaces), adds
its units to a Whoosh writer, then publishes everything in one step: records and the
manifest of the coming generation first, the Whoosh commit last (see `records`).  A
run that fails or is killed leaves the previous state whole and nothing behind: its
files are removed at once or by the next run.
"""

from __future__ import annotations

import gc
import hashlib
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from . import config
from .config import DEFAULT_CORPUS
from .index_worker import Parsed, parse_for_index  # noqa: F401
from .model import Record
from .publisher import (MERGE_DELETED_SHARE, IndexSummary, Interrupted, Publisher, Terminated,  # noqa: F401
                        remove_leftovers)
from .records import displayable, home_dir, index_path
from .sources import SourceError

SOURCE_SUFFIXES = (".pdf", ".txt", ".md")


# -- progress ---------------------------------------------------------------------

class Progress:
    """A one-line progress bar on stderr (\\r updates on a terminal, plain lines otherwise)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = max(total, 1)
        self.enabled = enabled
        self.tty = enabled and sys.stderr.isatty()
        self.done = 0

    def step(self, label: str) -> None:
        if not self.enabled:
            return
        self.done += 1
        width = 24
        filled = int(width * self.done / self.total)
        bar = "#" * filled + "-" * (width - filled)
        line = f"[{bar}] {self.done}/{self.total} {label}"
        if self.tty:
            sys.stderr.write("\r" + line[:100].ljust(100))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()


# -- files ------------------------------------------------------------------------

def source_files(paths: Iterable[Path]) -> list[Path]:
    """Files to index: the given files, and the sources found in the given folders
    (README files and hidden files are not sources); a file named twice is listed once."""
    out: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)

    for path in paths:
        path = Path(path)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES and not p.name.startswith(".") \
                        and not p.stem.lower().startswith("readme"):
                    add(p)
        else:
            add(path)
    return out


def session_groups(files: Iterable[Path]) -> list[list[Path]]:
    """Files that are one document in several formats (`pv.pdf` and `pv.txt` in one folder),
    in order of first appearance; within a group the PDF, the published original with its
    real page numbers, comes before text conversions."""
    from .people import slug

    groups: dict[str, list[Path]] = {}
    for path in files:
        key = f"{path.resolve().parent}/{slug(displayable(path.stem)) or path.name}"
        groups.setdefault(key, []).append(path)
    return [sorted(g, key=lambda p: (p.suffix.lower() != ".pdf", str(p))) for g in groups.values()]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files_to_read(groups: list[list[Path]], pub: Publisher) -> tuple[dict[Path, str], list[Path]]:
    """The content hash of the first readable file of each group, and, in the order of
    the run, those of these files the run will parse: content not indexed yet, or indexed
    by an older parser.  (Another file of a group is read only if its first one fails.)"""
    digests: dict[Path, str] = {}
    to_read: list[Path] = []
    planned: set[str] = set()
    for group in groups:
        for path in group:
            try:
                if not path.is_file():
                    continue
                digest = digests[path] = _sha256(path)
            except OSError:  # the loop reports it, and tries the next file of the group
                continue
            if digest not in planned and pub.current(digest) is None:
                to_read.append(path)
            planned.add(digest)
            break
    return digests, to_read


def _index_groups(groups: list[list[Path]], digests: dict[Path, str], ahead, pub: Publisher,  # noqa: ANN001
                  summary: IndexSummary, bar: Progress, last: Path | None) -> None:
    """Each group: its first file that reads, parsed (by `ahead`, a `Prefetch`) unless its
    content is already indexed by the current parser, placed and added to the writer (`last`:
    the file read last)."""
    seen: dict[str, Path] = {}  # content hash -> the file of this run that had it
    for group in groups:
        chosen: Path | None = None  # the file this session is indexed from
        for path in group:
            bar.step(displayable(path.name))
            if chosen is not None:
                if chosen.suffix.lower() == ".pdf" and path.suffix.lower() != ".pdf":
                    why = "(le PDF est préféré à sa conversion en texte)"
                else:
                    why = "; renommez l'un des deux s'il s'agit de deux séances différentes"
                summary.warnings.append(f"{path} : même séance que {chosen} ; seul {chosen.name} est indexé {why}")
                continue
            try:
                if not path.is_file():
                    raise SourceError(f"{path} : fichier introuvable ; vérifiez le chemin")
                digest = digests.get(path) or _sha256(path)
                if digest in seen:
                    summary.warnings.append(f"{path} : même contenu que {seen[digest]} ; ignoré")
                    continue
                known = pub.current(digest)
                if known is not None:
                    summary.skipped += 1
                    pub.claim(known, displayable(str(path)))
                    chosen = seen[digest] = path
                    continue
                parsed = ahead.get(path)  # as parse_for_index(read_source(path)), read ahead by the workers
            except SourceError as exc:
                summary.errors.append(str(exc))
                continue
            except Exception as exc:  # a parser bug must not stop the other files
                detail = " ".join(str(exc).split())[:200]
                summary.errors.append(f"{path} : lecture impossible ({type(exc).__name__} : {detail}) ; "
                                      "signalez ce fichier")
                continue
            chosen = seen[digest] = path
            record = parsed.record
            record.session.source = displayable(path.name)
            warnings = list(record.warnings)
            if pub.add(record, path=path, label=displayable(str(path)), knowledge=parsed.knowledge,
                       units=parsed.units, analysed=parsed.analysed, vocab=parsed.vocab, text=parsed.text,
                       last=path == last):
                summary.warnings.extend(f"{path} : {w}" for w in warnings)


def _preload_worker_modules(files: int) -> None:
    """Import here, before the workers are forked, what every worker imports on its first job (the
    layout parsers, question knowledge, its store and session table with numpy, the index writer's
    analysis and its stem memo: ~0.1 s of CPU each); a forked worker then starts with them.  One
    file is read and parsed here: this process then imports only the layout it needs, and the
    sentence splitter, which only the knowledge pool's workers use, is imported by them while this
    process reads and parses (`index_worker.warm_job`)."""
    from . import analysis, parse
    from .qa import knowledge, sessions, store  # noqa: F401
    from .search import whoosh_writer  # noqa: F401

    analysis.stem("séances")  # the stem memo, read once
    if files > 1:
        parse.load_layouts()
        from . import sentences  # noqa: F401


def _read_here_alone(to_read: list[Path]) -> bool:
    """Whether the run reads one file, in this process and without a pool of its own (a text file,
    or a PDF too short to be split over workers): the knowledge pool can then be forked first
    (before any thread, as a fork must be), and start while this process reads and parses."""
    if len(to_read) != 1:
        return False
    if to_read[0].suffix.lower() != ".pdf":
        return True
    from .sources.pdf import POOL_MIN_PAGES, page_count

    try:
        return page_count(to_read[0]) < POOL_MIN_PAGES
    except Exception:  # noqa: BLE001 - the reading reports it
        return False


@contextmanager
def no_full_collections() -> Iterator[None]:
    """No full garbage collection during a run (nor in the workers it forks): a run holds large live
    structures (the writer's postings, the records being parsed) that each full collection walks
    through: 1.0 of the 3.0 s of CPU of the process indexing the 78 Pierrefonds files, 0.1-0.3 s of
    adding one session.  Young collections still free short-lived cycles, reference counting frees
    the rest (peak RSS unchanged), and full collections resume when the run ends."""
    threshold = gc.get_threshold()
    gc.set_threshold(threshold[0], threshold[1], 1 << 30)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def index_paths(paths: list[Path] | None = None, *, home: Path | None = None, progress: bool = False,
                procs: int = 1) -> IndexSummary:
    """Parse and index source files (default: the bundled corpus) into ``$MINUTES_HOME``.

    A file whose content is already indexed by the current parser is skipped; one read by
    an older parser is read again; a new version of an indexed session replaces it (with
    a warning).  Files that cannot be read are reported one line each in
    ``summary.errors`` and the others are indexed.
    """
    from .sources import EarlyReader, Prefetch

    started = time.perf_counter()
    given = [Path(p) for p in paths or [DEFAULT_CORPUS]]
    files = source_files(given)
    summary = IndexSummary(files=len(files))
    for folder in given:
        if folder.is_dir() and not source_files([folder]):
            summary.errors.append(f"{folder} : aucun procès-verbal dans ce dossier (PDF, .txt ou .md) ; "
                                  "vérifiez le chemin")
    bar = Progress(len(files), progress)
    pub = Publisher(home, summary, procs=procs)
    try:
        with no_full_collections(), pub:
            groups = session_groups(files)
            digests, to_read = _files_to_read(groups, pub)
            # reading and parsing run in the worker pool, ahead of this loop, which places
            # the records and writes their units; the workers are forked here, before the
            # Whoosh writer (opened with the first record) holds its file lock
            # the workers store the question knowledge they build (in the cache, under the entry
            # the record will most likely have), instead of sending it back to this process
            then = partial(parse_for_index, home=home_dir(home), generation=pub.coming_generation())
            many = len(to_read) > 1 and config.workers() > 1
            # the first files are read meanwhile by a process of their own, the cores being idle
            early = EarlyReader(to_read, cache=True) if many else None
            try:
                _preload_worker_modules(len(to_read))
            finally:
                read = early.stop() if early is not None else {}
            if _read_here_alone(to_read):  # its knowledge, most of its analysis and the text's
                pub.knowledge.start(writer_open=False, warm=True)  # coverage signals go to the pool
                then = partial(then, pool=pub.knowledge.pool)
            elif many:  # one pool reads the files, then makes what the run's process would
                pub.knowledge.start(writer_open=False)  # (a scanned file's knowledge, the session table)
            with Prefetch(to_read, then=then, pool=pub.knowledge.pool, read=read) as ahead:
                _index_groups(groups, digests, ahead, pub, summary, bar, to_read[-1] if to_read else None)
            pub.publish()
    except OSError as exc:  # the files were read: this is the index that cannot be written
        raise SourceError(f"{index_path(home)} : écriture de l'index impossible ({exc.strerror or exc}) ; "
                          "vérifiez MINUTES_HOME, la place libre et les droits ; l'index précédent reste "
                          "utilisable") from exc
    except KeyboardInterrupt as exc:
        if pub.published and not isinstance(exc, Interrupted):
            raise Interrupted(terminated=isinstance(exc, Terminated)) from exc
        raise
    finally:
        bar.close()
        summary.warnings = [displayable(w) for w in summary.warnings]
        summary.errors = [displayable(e) for e in summary.errors]
    summary.seconds = time.perf_counter() - started
    return summary


def index_records(records: Iterable[Record], *, home: Path | None = None, procs: int = 1,
                  limitmb: int = 256) -> IndexSummary:
    """Index already parsed records, which keep their ids (used by the benchmarks and tests)."""
    started = time.perf_counter()
    summary = IndexSummary()
    with no_full_collections(), Publisher(home, summary, procs=procs, limitmb=limitmb) as pub:
        for record in records:
            pub.add(record)
        pub.publish()
    summary.files = summary.sessions
    summary.seconds = time.perf_counter() - started
    return summary
