"""`minutes serve`: build the index if there is none, then serve the app with waitress.

Waitress reads every request on one asynchronous loop and hands only complete requests to
its threads, so idle or slow clients hold a socket, never a thread.  The settings below keep
many of them from starving real visitors: a high connection limit (with the process's file
descriptor limit raised to match), `poll()` instead of `select()` (which stops at descriptor
1024), and idle connections closed after `CHANNEL_TIMEOUT` seconds.
"""

from __future__ import annotations

import resource
import sys
import threading
from pathlib import Path

from flask import Flask

from indexer.config import DEFAULT_CORPUS, SERVER_THREADS, minutes_home

from . import create_app

#: connections held open at once (idle or slow clients included)
CONNECTION_LIMIT = 10_000
#: seconds of inactivity after which a connection is closed
CHANNEL_TIMEOUT = 30
#: descriptors kept for index files, records and the listening socket besides the connections
SPARE_FDS = 512


def ensure_index(home: Path, corpus: Path = DEFAULT_CORPUS) -> bool:
    """Index `corpus` into `home` when no session is indexed yet; True if it did."""
    from indexer.index import index_paths, open_index, read_manifest

    if open_index(home) is not None and read_manifest(home)["sessions"]:
        return False
    print(f"Aucun index dans {home} : indexation de {corpus} …", file=sys.stderr)
    summary = index_paths([corpus], home=home, progress=sys.stderr.isatty())
    print(summary.line(), file=sys.stderr)
    return True


def warm_up(app: Flask) -> threading.Thread:
    """Load the records, the word counts and the latest session's sentences for the Q&A in the
    background, so the first visitors do not wait."""
    def run() -> None:
        from .store import Unavailable, library
        from .views import persons

        with app.test_request_context("/"):
            try:
                persons.background()
                library("answer").knowledge(Path(app.config["MINUTES_HOME"]))
            except Unavailable:
                pass

    thread = threading.Thread(target=run, name="minutes-warm-up", daemon=True)
    thread.start()
    return thread


def raise_fd_limit(wanted: int = CONNECTION_LIMIT + SPARE_FDS) -> int:
    """Raise this process's soft limit of open files towards `wanted` (never above the hard
    limit); the connections the server may then hold, at least 100."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return CONNECTION_LIMIT
    return max(100, min(CONNECTION_LIMIT, soft - SPARE_FDS))


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = SERVER_THREADS,
                sockets: list | None = None, ident: str = "minutes"):  # noqa: ANN201
    """A waitress server for `app` that many idle or slow clients cannot starve."""
    import logging

    from waitress import create_server

    # waitress warns on every connection refused past its limit and on each queued task
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    options = dict(threads=threads, ident=ident, connection_limit=raise_fd_limit(),
                   channel_timeout=CHANNEL_TIMEOUT, cleanup_interval=5, asyncore_use_poll=True, backlog=2048)
    if sockets:
        return create_server(app, sockets=sockets, **options)
    return create_server(app, host=host, port=port, **options)


def serve(host: str = "127.0.0.1", port: int = 8000, home: Path | None = None, threads: int = SERVER_THREADS) -> None:
    home = home or minutes_home()
    ensure_index(home)
    app = create_app({"MINUTES_HOME": str(home), "MINUTES_THREADS": threads})
    server = make_server(app, host=host, port=port, threads=threads)
    warm_up(app)
    print(f"Site en ligne : http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/ "
          f"(index : {home}) — Ctrl+C pour arrêter", file=sys.stderr)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
