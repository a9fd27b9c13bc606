"""The supervisor of `minutes serve --workers N`: starts the worker processes, starts a new one
when one dies, ends them all on Ctrl+C or SIGTERM.

The first workers are forked from the process that preloaded the app (records, templates), so
they share those pages.  That process then becomes a small one (`become_small`): it executes
this file as a fresh interpreter that imports neither Flask nor the library, keeping its
children, its process id and the listening socket.  It would otherwise stay as large as a
worker while serving nothing (~80 MB at 100 sessions), and the pages its workers change would
be counted twice.  A worker started again later is forked from the small supervisor and
loads the app itself.

This file imports only the standard library: run as a script, it must stay small.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path


class Supervisor:
    """Forks the worker processes, starts a new one when one dies, ends them all on Ctrl+C or SIGTERM."""

    #: a worker that dies this many times within a minute is not restarted again
    MAX_RESTARTS = 10

    def __init__(self, listener: socket.socket, home: Path, threads: int, workers: int,
                 app: object | None = None) -> None:
        self.listener, self.home, self.threads, self.workers = listener, home, threads, workers
        self.app = app  # preloaded, for the first workers only (then dropped: it would go stale)
        self.children: set[int] = set()
        self.stopping = False
        self.deaths: list[float] = []
        self.paths: list[str] | None = None  # the module search path of the process that loaded the app

    def _fork(self) -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            # the supervisor's handlers end here (a SIGTERM while the app loads ends this worker)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            try:
                if self.paths is not None:
                    sys.path[:] = self.paths
                from webapp.serve import _worker

                _worker(self.listener, self.home, self.threads, self.app)
            except BaseException:  # noqa: BLE001 - a worker never returns into the supervisor's loop
                code = 1
            finally:
                os._exit(code)
        self.children.add(pid)

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping = True
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def start(self) -> None:
        """Fork the first workers (sharing the preloaded app's pages)."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        if self.app is not None:
            gc.freeze()  # the preloaded objects stay out of the workers' collections: pages stay shared
        for _ in range(self.workers):
            self._fork()
        self.app = None  # the workers have it; the supervisor's copy is freed
        gc.unfreeze()

    def become_small(self) -> None:
        """Execute this file in place of the current interpreter, keeping the workers (still this
        process's children), the process id and the listening socket; returns only if that fails
        (the loop then runs here).  SIGTERM and SIGINT are held meanwhile: one sent during the
        switch is delivered to the small supervisor, which then ends the workers."""
        state = {"fd": self.listener.fileno(), "home": str(self.home), "threads": self.threads,
                 "workers": self.workers, "children": sorted(self.children), "paths": sys.path, "stopping": self.stopping}
        held = {signal.SIGTERM, signal.SIGINT}
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            os.set_inheritable(self.listener.fileno(), True)
            sys.stdout.flush()
            sys.stderr.flush()
            os.execv(sys.executable, [sys.executable, "-P", os.path.abspath(__file__), json.dumps(state)])
        except OSError:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)

    def loop(self) -> None:
        """Until every worker has ended: start a new one for each that dies (not when stopping)."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
        while self.children:
            try:
                pid, _ = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            self.children.discard(pid)
            if self.stopping:
                continue
            now = time.monotonic()
            self.deaths = [t for t in self.deaths if now - t < 60] + [now]
            if len(self.deaths) > self.MAX_RESTARTS:
                print("erreur : les processus du serveur s'arrêtent sans cesse ; "
                      "relancez avec --workers 1 pour voir l'erreur", file=sys.stderr)
                self._stop(signal.SIGTERM, None)
                continue
            self._fork()
        self.listener.close()

    def run(self) -> None:
        self.start()
        self.loop()


def _main(argv: list[str]) -> int:
    """The small supervisor, executed by `Supervisor.become_small` with its state as JSON."""
    state = json.loads(argv[1])
    listener = socket.socket(fileno=state["fd"])
    supervisor = Supervisor(listener, Path(state["home"]), state["threads"], state["workers"])
    supervisor.children = set(state["children"])
    supervisor.paths = state["paths"]
    supervisor.stopping = state["stopping"]
    supervisor.loop()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
