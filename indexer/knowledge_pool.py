"""The question knowledge of one index run, made in other processes while the run writes.

`qa.knowledge.build` of a record costs about a second for a generated session.  The parse
workers build it for the records they parse (`index_worker.parse_for_index`); for records
parsed in the run's own process, `KnowledgePool` forks a pool of its own with the first
record (before the Whoosh writer and before any thread: a fork is then safe).  Each knowledge
is stored in the Q&A cache as soon as it is made (`index_worker.store_knowledge`), so that the
run's memory does not grow with its records; the pool also analyses half of a large
session's units, and makes the Q&A session table of the coming manifest during the commit.
Whatever fails here is a cache: built again after the commit (`finish`).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from . import config
from .model import Record
from .units import vocabulary

#: records a knowledge pool worker may have waiting (a generated session: ~6 MB in memory, and
#: its pickle): beyond that, the run waits for the oldest job (the workers are as busy either way)
KNOWLEDGE_AHEAD = 2
#: a session of at least this many units, parsed in this process, has most of its units analysed
#: by the knowledge pool (`analyse_parts`) while this process analyses the first part
SPLIT_UNITS = 200
#: the parts of such a session: the first analysed here, the others by the pool
ANALYSED_PARTS = 5
#: the share of such a session's units (its last ones) that the pool writes to a segment of their own
#: when it is the run's last record (`apart`): the commit, which the run's process makes alone while
#: the pool is idle, then has fewer postings to write
APART_SHARE = 0.4
#: seconds a run that fails waits for the knowledge pool's running jobs before terminating them
STOP_WAIT = 5.0


class KnowledgePool:
    """Question knowledge of a run's records: stored as it comes, or built by a pool of workers."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self.unsaved: dict[str, tuple[Record, dict]] = {}  # session id -> (record, entry), knowledge not stored yet
        self.pool = None
        self.jobs: list[tuple[str, dict, object]] = []  # (session id, entry, future of its knowledge job)
        self.workers = config.workers()
        self.running: list = []  # futures of the pool's jobs not known to be done
        self.table_stop: Path | None = None  # created to end a table job waiting for knowledge (`table`)
        self.table_keys: list | None = None  # the session table's keys of the table job submitted

    def start(self, writer_open: bool, warm: bool = False) -> None:
        """Worker processes for the question knowledge of records parsed in this process,
        forked once, before the Whoosh writer and before any thread (a fork is then safe).
        `warm`: forked before the run parses its file, the workers import what only their jobs
        need (`index_worker.warm_job`) while this process reads and parses."""
        if self.pool is not None or self.workers <= 1 or writer_open or threading.active_count() > 1:
            return
        from .sources.pdf import new_pool, stop_pool

        try:
            self.pool = new_pool(self.workers)
            if warm:
                from .index_worker import warm_job

                for _ in range(self.workers):
                    self._submit(warm_job)
        except Exception:  # noqa: BLE001 - no process pool here: built after the commit
            if self.pool is not None:
                stop_pool(self.pool)
            self.pool, self.workers = None, 1

    def store(self, record: Record, entry: dict, built: object) -> None:
        """The record's question knowledge stored in the Q&A cache: `built` (made by a parse
        worker) at once, else built and stored by the pool; failing that (no pool, a failed
        job) it is built after the commit (`finish`)."""
        from .index_worker import Stored, knowledge_job, store_knowledge
        from .qa.store import record_key
        from .records import home_dir

        sid = record.session.id
        if isinstance(built, Stored):  # stored by the parse worker, under this entry's key?
            if built.sid == sid and built.key == record_key(entry):
                return
            built = None
        self.unsaved[sid] = (record, entry)
        if built is not None and getattr(built, "sid", None) == sid:
            try:
                store_knowledge(home_dir(self.home), sid, entry, built)
                del self.unsaved[sid]
            except Exception:  # noqa: BLE001 - a cache: built again after the commit
                pass
        elif self.pool is not None:
            # a generated session costs about a second: in a worker, while this process goes on;
            # the records waiting for a worker are held (and their arguments pickled): at most
            # KNOWLEDGE_AHEAD a worker, this process waits for the oldest beyond that
            try:
                self.jobs.append((sid, entry, self._submit(knowledge_job, home_dir(self.home), record, entry)))
            except Exception:  # noqa: BLE001 - a broken pool: built after the commit
                pass
            self._harvest(wait=False, keep=KNOWLEDGE_AHEAD * self.workers)

    def analyse_parts(self, units: list, writer) -> list[tuple[int, int, object]]:  # noqa: ANN001
        """A large session's units in ANALYSED_PARTS parts: the first analysed by this process
        (which also adds every unit to the writer: that costs about what analysing does), the
        others by the pool, each sent back as soon as it is made.  (start, end, future of
        `index_worker.analyse_job`, or None for this process) each, in order; [] for one part."""
        from .search.whoosh_writer import analysable

        if self.pool is None or len(units) < SPLIT_UNITS or not analysable(writer):
            return []
        from .index_worker import analyse_job

        bounds = [len(units) * k // ANALYSED_PARTS for k in range(ANALYSED_PARTS + 1)]
        parts: list[tuple[int, int, object]] = [(0, bounds[1], None)]
        job: object = True
        for start, end in zip(bounds[1:], bounds[2:]):
            try:
                job = job and self._submit(analyse_job, units[start:end])
            except Exception:  # noqa: BLE001 - a broken pool: this part and the next analysed here
                job = None
            parts.append((start, end, job))
        return parts

    def apart(self, units: list, writer) -> tuple[int, object] | None:  # noqa: ANN001
        """The last APART_SHARE of a large session's units given to the pool to analyse and write to a
        segment of their own (`index_worker.segment_job`): (first unit, future), or None (the units
        are all written here: no pool, a small session, a writer that does not publish segments)."""
        if self.pool is None or len(units) < SPLIT_UNITS or not hasattr(writer, "add_segment"):
            return None
        from .index_worker import segment_job

        start = len(units) - int(len(units) * APART_SHARE)
        try:
            return start, self._submit(segment_job, str(writer.storage.folder), units[start:])
        except Exception:  # noqa: BLE001 - a broken pool: written here
            return None

    @staticmethod
    def take_analysed(job: object, units: list) -> tuple[list | None, dict[str, int]]:
        """What the pool made of a part's units (`analyse_parts`: their analysed fields, the counts
        of their vocabulary), or (None, their vocabulary) to analyse them here."""
        try:
            if job is not None:
                return job.result()
        except Exception:  # noqa: BLE001 - a failed job: analysed here
            pass
        return None, vocabulary(units)

    def _harvest(self, wait: bool, keep: int | None = None) -> None:
        """Jobs the pool has finished (all of them with `wait`, all but the last `keep` with
        `keep`): their records need nothing more."""
        left = []
        for k, (sid, entry, job) in enumerate(self.jobs):
            if not wait and not job.done() and (keep is None or len(self.jobs) - k <= keep):
                left.append((sid, entry, job))
                continue
            try:
                job.result()
            except Exception:  # noqa: BLE001 - a worker that failed: built after the commit
                continue
            if self.unsaved.get(sid, (None, None))[1] is entry:
                del self.unsaved[sid]
        self.jobs = left

    def table(self, sessions: dict[str, dict]) -> None:
        """The Q&A session table of the coming manifest made by the pool (`index_worker.table_job`,
        once the knowledge jobs still running have stored their part): submitted with the run's
        last record, or for the commit; once for the same sessions.  Without a pool, or with a
        record whose knowledge is left for after the commit, `knowledge_of` makes it then."""
        if self.pool is None:
            return
        from .qa.store import cache_file, record_key, session_keys, summary_file

        keys = session_keys(sessions)
        if keys == self.table_keys:
            return  # submitted with the last record
        self._harvest(wait=False)
        in_jobs = {sid for sid, _, _ in self.jobs}
        if set(self.unsaved) - in_jobs:
            return  # built after the commit: the table waits for it
        from .index_worker import table_job
        from .records import home_dir

        home = home_dir(self.home)
        waiting = [str(summary_file(cache_file(home, sid, record_key(entry)))) for sid, entry, _ in self.jobs]
        self.table_stop = home / "cache" / "qa" / f".table-{os.getpid()}.stop"
        self.table_stop.unlink(missing_ok=True)
        try:
            self._submit(table_job, home, keys, waiting, str(self.table_stop))
            self.table_keys = keys
        except Exception:  # noqa: BLE001 - a broken pool: made after the commit
            pass

    def _submit(self, fn, *args):  # noqa: ANN001, ANN002, ANN202
        """A job for the pool (kept, so that a run that fails lets the running ones end)."""
        job = self.pool.submit(fn, *args)
        self.running = [j for j in self.running if not j.done()] + [job]
        return job

    def stop(self, wait: bool) -> None:
        """The pool ended: its jobs finished (`wait`), or, for a run that failed, cancelled."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        from .sources.pdf import stop_pool

        stop = self.table_stop
        if stop is not None and (self.unsaved or not wait):  # a table job waiting for knowledge that failed
            stop.parent.mkdir(parents=True, exist_ok=True)
            stop.touch()
        try:
            if wait:
                pool.shutdown()
            else:
                # a run that failed: the jobs waiting are cancelled, those running (a second or so)
                # may end, and the workers are terminated only past STOP_WAIT (terminating them in
                # a job races the interpreter's exit: « Bad file descriptor » printed at exit)
                from concurrent.futures import process as futures_process
                from concurrent.futures import wait as wait_for

                manager = getattr(pool, "_executor_manager_thread", None)
                pool.shutdown(wait=False, cancel_futures=True)
                # the jobs running: the run's own, and the files the pool was reading (`Prefetch`)
                reading = [item.future for item in list(getattr(pool, "_pending_work_items", {}).values())]
                _, running = wait_for(self.running + reading, timeout=STOP_WAIT)
                if running:
                    stop_pool(pool)
                else:
                    pool.shutdown()
                if manager is not None:
                    # the pool's thread has ended: the interpreter's exit has nothing to wake (when
                    # a failed write left a descriptor closed twice, waking it printed « Bad file
                    # descriptor » after the run's one French line)
                    manager.join(timeout=STOP_WAIT)
                    if not manager.is_alive():
                        getattr(futures_process, "_threads_wakeups", {}).pop(manager, None)
            self.running = []
        finally:
            if stop is not None:
                stop.unlink(missing_ok=True)
            self.table_stop = None

    def finish(self) -> None:
        """After the commit: what questions need of each new record, precomputed
        (`qa.store.knowledge_of`): the knowledge not stored yet is built here, then the
        session table of the published index."""
        from .qa.store import knowledge_of

        self._harvest(wait=True)
        self.stop(wait=True)
        unsaved, self.unsaved = list(self.unsaved.values()), {}
        knowledge_of(self.home, unsaved)
