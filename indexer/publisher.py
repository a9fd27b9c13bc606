"""The writes of one run of `minutes index`, published as one step.

`Publisher` holds the writer lock and reads the published manifest; as records come it
places each one (`records.place_record`: its session id, what it replaces), adds its units
to a Whoosh writer and writes its record file (named by the coming generation); `publish`
then writes vocabularies and the manifest of the coming generation, and the Whoosh commit
last (see `records`).  A run that fails or is killed leaves the previous state whole and
nothing behind: its files are removed at once or by the next run (`remove_leftovers`).
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from .knowledge_pool import KnowledgePool
from .model import Record
from .parse.version import PARSER_VERSION
from .records import (INDEX_NAME, LEGACY_MANIFEST, WriterLock, displayable, identity_of, index_generation,
                      index_path, manifest_file, manifest_generations, place_record, read_manifest, record_file,
                      records_path, rekey, write_atomic, write_text)
from .summaries import write_light
from .units import make_schema, unit_document, units_of, vocabulary

#: a run whose replaced units are at least this share of the index merges it into one
#: segment, dropping them (they would otherwise still count in BM25's document counts);
#: below it, rewriting the whole index for a few units costs more than they skew
MERGE_DELETED_SHARE = 0.1


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM that arrived while the run was publishing: the index is up to date."""

    def __init__(self, terminated: bool = False) -> None:
        super().__init__()
        self.terminated = terminated


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, a service manager stopping the run): handled as Ctrl-C."""


@dataclass
class IndexSummary:
    files: int = 0  # source files looked at
    sessions: int = 0  # sessions (re)indexed in this run
    skipped: int = 0  # files already indexed with the same content
    units: int = 0  # units written in this run
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per file that failed
    total_sessions: int = 0  # sessions in the index after the run
    total_units: int = 0
    reparsed: int = 0  # of `sessions`: files indexed before, read again by a newer parser

    def line(self) -> str:
        again = f" (dont {self.reparsed} relue(s) par le nouvel analyseur)" if self.reparsed else ""
        return (f"{self.files} fichier(s), {self.sessions} séance(s) indexée(s){again}, {self.skipped} inchangée(s), "
                f"{self.units} unité(s) en {self.seconds:.1f} s ; {len(self.warnings)} avertissement(s), "
                f"{len(self.errors)} erreur(s) ; index : {self.total_sessions} séance(s), "
                f"{self.total_units} unité(s)")

    def to_dict(self) -> dict:
        return {"files": self.files, "sessions": self.sessions, "skipped": self.skipped, "units": self.units,
                "reparsed": self.reparsed, "seconds": round(self.seconds, 3), "warnings": self.warnings,
                "errors": self.errors, "total_sessions": self.total_sessions, "total_units": self.total_units}

# -- leftovers --------------------------------------------------------------------

_TOC_TMP = re.compile(rf"^_{INDEX_NAME}_\d+\.toc\.")


def remove_leftovers(home: Path | None) -> None:
    """What a run that failed or was killed left behind (only the lock holder writes, so
    anything not published is stale): temporary files, Whoosh's pool and segment files
    the table of contents does not name, manifests and records of a generation that was
    never committed, and records no kept manifest names."""
    folder, records = index_path(home), records_path(home)
    for tmp in [*records.glob(".*.tmp"), *folder.glob(".*.tmp"), *(folder / "vocab").glob(".*.tmp")]:
        tmp.unlink(missing_ok=True)
    shutil.rmtree(folder / f"{INDEX_NAME}.tmp", ignore_errors=True)
    if not folder.is_dir():
        return
    for name in [n.name for n in folder.iterdir() if _TOC_TMP.match(n.name)]:
        (folder / name).unlink(missing_ok=True)
    gen = index_generation(home)
    if gen >= 0:
        storage = FileStorage(str(folder))
        toc = whoosh_index.TOC.read(storage, INDEX_NAME, gen)
        whoosh_index.clean_files(storage, INDEX_NAME, gen, toc.segments)
    gens = manifest_generations(home)
    for g in gens:
        if g > gen:
            manifest_file(home, g).unlink(missing_ok=True)  # a generation that was never committed
    current = read_manifest(home)
    older = [g for g in gens if g < gen]
    kept = [current] + ([read_manifest(home, older[-1])] if older else [])
    for g in older[:-1]:
        manifest_file(home, g).unlink(missing_ok=True)
    if gen in gens:  # the committed generation has its own manifest: the old layout is over
        (folder / LEGACY_MANIFEST).unlink(missing_ok=True)
    wanted = {record_file(sid, e) for m in kept for sid, e in m["sessions"].items()}
    if records.is_dir():
        for path in records.glob("*.json"):
            if path.name not in wanted:
                path.unlink(missing_ok=True)
    vocab = folder / "vocab"
    if vocab.is_dir():
        for path in vocab.glob("*.json"):
            if path.stem not in current["sessions"]:
                path.unlink(missing_ok=True)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends (publishing is one step).

    Blocking them in this thread is not enough once other threads run (a process pool's
    threads): the kernel gives the signal to one of those, and Python runs its handler here
    at once.  So the handlers themselves only note the signal during the block; it is
    raised again, for the run's own handlers, when the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = (signal.SIGINT, signal.SIGTERM)
    caught: list[int] = []
    old = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in held}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set(held))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a pending signal arrives now: noted
        for sig, handler in old.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if caught:
            signal.raise_signal(caught[0])


class Syncer:
    """The files of a run flushed to the disk by a thread, while the run goes on (an fsync takes
    ~4 ms here, two files a record: a third of what the run's process did for each record);
    `wait` returns once every file given is on the disk, before a manifest names them, and raises
    the first failure (the run then fails, the previous state whole)."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.error: OSError | None = None

    def add(self, path: Path) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="minutes-fsync", daemon=True)
            self.thread.start()
        self.queue.put(path)

    def _run(self) -> None:
        while (path := self.queue.get()) is not None:
            try:
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                self.error = self.error or exc

    def wait(self) -> None:
        thread, self.thread = self.thread, None
        if thread is not None:
            self.queue.put(None)
            thread.join()
        if self.error is not None:
            raise self.error


def _segment_of(start: int, job, folder: str, units: list):  # noqa: ANN001, ANN202
    """The segment the pool wrote of `units[start:]` (`KnowledgePool.apart`); if its job failed,
    the same job run here."""
    from .index_worker import segment_job

    try:
        return job.result()
    except Exception:  # noqa: BLE001 - a worker that failed: written here (its files are leftovers)
        return segment_job(folder, units[start:])


# -- one run ----------------------------------------------------------------------

class Publisher:
    """The writes of one run: units into a Whoosh writer and record files (named by the coming
    generation) as records come, then vocabularies, manifest and commit as one step (`publish`)."""

    def __init__(self, home: Path | None, summary: IndexSummary, procs: int = 1, limitmb: int = 256) -> None:
        self.home, self.summary, self.procs, self.limitmb = home, summary, procs, limitmb
        self.folder = index_path(home)
        self.lock = WriterLock(self.folder)
        self.ix = None
        self.writer = None
        # what the run keeps of each record it added: its session id and manifest entry, its
        # vocabulary as JSON (the record itself is on disk, its knowledge stored or in a worker)
        self.pending: list[tuple[str, dict]] = []
        self.removed: list[str] = []  # session ids replaced under another id (for a database mirror)
        # with MINUTES_DATABASE_URL, each session's record and units as `add` made them, published as they are
        database = bool(os.environ.get("MINUTES_DATABASE_URL", "").strip())
        self.database_records: list[Record] | None = [] if database else None
        self.database_units: dict[str, list] | None = {} if database else None
        self.vocabs: dict[str, Path] = {}  # session id -> its vocabulary (JSON), written under a temporary name
        self.claimed: dict[str, str] = {}  # session id -> the file of this run it comes from
        self.deleted = 0
        self.published = False
        self.written: list[Path] = []  # files this run wrote before its commit
        self.syncer = Syncer()  # the record files and vocabularies, flushed to the disk meanwhile
        # question knowledge of the records of this run, made in other processes while this one
        # writes the index, and stored as it comes (`knowledge_pool`)
        self.knowledge = KnowledgePool(home)

    def __enter__(self) -> "Publisher":
        self.folder.mkdir(parents=True, exist_ok=True)
        records_path(self.home).mkdir(parents=True, exist_ok=True)
        try:
            with _signals_held():  # a Ctrl-C while the lock is taken finds it named, and releases it
                self.lock.__enter__()
                remove_leftovers(self.home)
                manifest = read_manifest(self.home)
        except BaseException:
            self.lock.__exit__(None, None, None)
            raise
        self.sessions: dict[str, dict] = dict(manifest["sessions"])
        self.aliases: dict[str, str] = dict(manifest["aliases"])
        self.indexed: set[str] = set(self.sessions)  # the sessions whose units the index holds
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        try:
            self.knowledge.stop(wait=exc_type is None)
            if exc_type is not None:
                try:
                    self.syncer.wait()
                except OSError:  # the run failed already: its first error is the one to tell
                    pass
            if self.writer is not None:
                try:
                    self.writer.cancel()
                except Exception:  # noqa: BLE001 - the writer is abandoned either way
                    pass
                self.writer = None
            if exc_type is not None and not self.published:
                try:
                    for path in self.written:
                        path.unlink(missing_ok=True)
                    remove_leftovers(self.home)  # e.g. the segment files of a full disk
                except Exception:  # noqa: BLE001 - the next run removes them; the first error is the one to tell
                    pass
        finally:
            self.lock.__exit__(exc_type, exc, tb)

    def coming_generation(self) -> int:
        """The generation this run's commit will have (the first commit of a new index is 1)."""
        return max(index_generation(self.home), 0) + 1

    # -- placing records ------------------------------------------------------
    def current(self, digest: str) -> str | None:
        """The session indexed from this content by the current parser, if any."""
        for sid, e in self.sessions.items():
            if e.get("sha256") == digest and int(e.get("parser") or 0) >= PARSER_VERSION:
                return sid
        return None

    def claim(self, session_id: str, label: str) -> None:
        self.claimed.setdefault(session_id, label)

    def add(self, record: Record, path: Path | None = None, label: str = "", knowledge: object = None,
            units: list | None = None, analysed: list | None = None, vocab: str | None = None,
            text: str | None = None, last: bool = False) -> bool:
        """Place a record and add its units; False (with a warning) if this run already
        indexed its session from another file.  `knowledge`, `units`, `analysed`: its question
        knowledge, units and analysed text fields made by a parse worker (`Parsed`), used if
        the record keeps its id.  `last`: no other record comes in this run (the Q&A session
        table of the coming manifest is then made while the units are written)."""
        label = label or displayable(record.session.source or record.session.id)
        proposed = record.session.id
        if knowledge is None:
            self.knowledge.start(writer_open=self.writer is not None)
        ident = identity_of(record, path)
        if path is not None:
            placed = place_record(ident, self.sessions, self.aliases, self.claimed, label)
        else:  # already parsed records (benchmarks, tests) keep their ids
            sid = record.session.id
            placed = place_record(ident, {}, {}, {}, label)
            placed.session_id, placed.replaces = sid, [sid] if sid in self.sessions else []
            if sid in self.claimed:
                placed.conflict = self.claimed[sid]
        if placed.conflict:
            self.summary.warnings.append(f"{label} : la séance {placed.session_id} vient déjà d'un autre fichier "
                                         f"de ce lancement ({placed.conflict}) ; ignoré")
            return False
        rekey(record, placed.session_id)
        sid = record.session.id
        if self.writer is None:
            self._open_writer()
        for old in {*placed.replaces, sid}:
            if self._may_hold(old):  # a reader over every segment: skipped for a session never indexed
                self.deleted += self.writer.delete_by_term("session", old) or 0
            if old in self.sessions and old != sid:
                del self.sessions[old]
            if old != sid:
                self.aliases[old] = sid
                self.removed.append(old)
        for old, new in list(self.aliases.items()):
            if new in placed.replaces and new != sid:
                self.aliases[old] = sid
        self.aliases.pop(sid, None)
        from .search.whoosh_writer import add_analysed

        if units is None or analysed is None or sid != proposed or len(units) != len(analysed):
            units, analysed, text = units_of(record), None, None
        entry = {"sha256": record.session.sha256, "source": displayable(record.session.source),
                 "path": ident.path, "file": str(Path(path).resolve()) if path is not None else "",
                 "date": record.session.date, "body": record.session.body, "key": ident.key,
                 "units": len(units), "parser": PARSER_VERSION,
                 "record": f"{sid}.{self.writer.generation}.json"}
        self.knowledge.store(record, entry, knowledge if sid == proposed else None)  # first: the longest job
        # analysed by the parse worker; else, for the run's last record, its last units written by the
        # pool to a segment of their own and the others here (the pool is busy with the knowledge and
        # the segment); else here (a large session: its first part) and by the pool
        apart = self.knowledge.apart(units, self.writer) if last and analysed is None else None
        mine = units if apart is None else units[:apart[0]]
        parts = [] if analysed is not None or apart is not None else \
            self.knowledge.analyse_parts(units, self.writer)
        if last:
            self.knowledge.table({**self.sessions, sid: entry})
        counts: list[dict[str, int]] = []  # the vocabulary of each later part, in order
        for start, end, job in parts or [(0, len(mine), None)]:
            given = analysed
            if start:
                given, part_counts = self.knowledge.take_analysed(job, units[start:end])
                counts.append(part_counts)
            for k in range(start, end):
                add_analysed(self.writer, unit_document(units[k]), given[k - start] if given is not None else {})
        # the record file now, while the workers still parse (named by the coming generation, it
        # is published by the manifest that names it, or removed with the run's leftovers), flushed
        # to the disk by the syncer's thread
        path = records_path(self.home) / entry["record"]
        self.written.append(path)
        write_atomic(path, text if text is not None else record.to_json(indent=None), sync=False)
        self.syncer.add(path)
        write_light(self.home, path, record)  # what a server keeps of it in memory (indexer.summaries)
        self.sessions[sid] = entry
        self.claimed[sid] = label
        if apart is not None:  # the pool's segment, taken by the commit once it has written this one
            counts.append(vocabulary(units[apart[0]:]))
            self.writer.add_segment(partial(_segment_of, *apart, str(self.folder), units))
        if vocab is None:
            vocab = vocabulary(units[:parts[0][1]] if parts else mine)
            for part_counts in counts:  # the pool's parts after this one's: same order of first use
                for word, n in part_counts.items():
                    vocab[word] = vocab.get(word, 0) + n
            vocab = json.dumps(vocab, ensure_ascii=False)
        # written now, under a temporary name the readers' glob skips (flushed by the syncer while
        # the workers still parse), renamed by `publish`
        folder = self.folder / "vocab"
        folder.mkdir(exist_ok=True)
        tmp = self.vocabs[sid] = folder / f".{sid}.json.{os.getpid()}.tmp"
        self.written.append(tmp)
        write_text(tmp, vocab, sync=False)
        self.syncer.add(tmp)
        self.pending.append((sid, entry))
        if self.database_units is not None:
            self.database_units[sid] = units
            self.database_records.append(record)
        self.summary.units += len(units)
        self.summary.sessions += 1
        self.summary.reparsed += placed.reparsed
        if placed.warning:
            self.summary.warnings.append(placed.warning)
        return True

    def _may_hold(self, session_id: str) -> bool:
        """Whether the index may hold units of this session: one the published manifest or this
        run names (an index with no session in its manifest is searched for every id)."""
        return not self.indexed or session_id in self.indexed or session_id in self.sessions

    def _open_writer(self) -> None:
        storage = FileStorage(str(self.folder))
        if whoosh_index.exists_in(str(self.folder), indexname=INDEX_NAME):
            self.ix = storage.open_index(indexname=INDEX_NAME)
        else:  # created with the first record: a run with nothing to index leaves no index
            self.ix = storage.create_index(make_schema(), indexname=INDEX_NAME)
        from .search.whoosh_pool import GroupedWriter
        from .search.whoosh_writer import FastCodec, ParallelWriter

        codec = FastCodec()  # Whoosh's format, written faster
        self.writer = (ParallelWriter(self.ix, procs=self.procs, limitmb=self.limitmb, codec=codec)
                       if self.procs > 1 else GroupedWriter(self.ix, limitmb=self.limitmb, codec=codec))

    # -- publishing -----------------------------------------------------------
    def publish(self) -> None:
        """Records, vocabularies and the manifest of the coming generation, then the commit
        that publishes them with the units (merged into one segment when the run replaced
        many units: `_merge`)."""
        if self.writer is None:
            self._totals()
            return
        database = os.environ.get("MINUTES_DATABASE_URL", "").strip()
        if database and (self.pending or self.removed):
            # the same sessions into PostgreSQL first, in one transaction: if it fails, neither
            # the database nor the local index changes; if the local commit fails after it, the
            # next run publishes the same sessions again (same ids: replaced, not doubled)
            from .search.pg_backend import publish

            made = self.database_units or {}
            publish(database, [(record, made[record.session.id] if record.session.id in made else units_of(record))
                               for record in self.database_records or []], removed=self.removed)
        generation = self.writer.generation
        vocab = self.folder / "vocab"
        vocab.mkdir(exist_ok=True)
        self.syncer.wait()  # every record file and vocabulary on the disk before the manifest
        with _signals_held():
            for sid, _ in self.pending:  # their record files and vocabularies are written (`add`)
                os.replace(self.vocabs[sid], vocab / f"{sid}.json")
            manifest = {"generation": generation, "parser": PARSER_VERSION, "sessions": self.sessions,
                        "aliases": self.aliases}
            path = manifest_file(self.home, generation)
            self.written.append(path)
            write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=1))
            self.knowledge.table(manifest["sessions"])
            writer, self.writer = self.writer, None
            try:
                writer.commit(optimize=self._merge(writer))
            except BaseException:
                try:
                    writer.cancel()
                except Exception:  # noqa: BLE001
                    pass
                raise
            self.published = True
            remove_leftovers(self.home)
        self.knowledge.finish()
        self._totals()

    def _merge(self, writer) -> bool:  # noqa: ANN001
        """Merge into one segment when the units this run deleted are a large share of the
        index (a parser upgrade re-reads everything: all of them)."""
        if not self.deleted:
            return False
        existing = sum(seg.doc_count_all() for seg in writer.segments)
        return self.deleted >= MERGE_DELETED_SHARE * max(existing, 1)

    def _totals(self) -> None:
        self.summary.total_sessions = len(self.sessions)
        self.summary.total_units = sum(int(v.get("units", 0)) for v in self.sessions.values())
