"""`minutes serve`: build the index if there is none, then serve the app with waitress.

Waitress reads every request on one asynchronous loop and hands only complete requests to
its threads, so idle or slow clients hold a socket, never a thread.  The settings below keep
many of them from starving real visitors: a high connection limit (with the process's file
descriptor limit raised to match), `poll()` instead of `select()` (which stops at descriptor
1024), and idle connections closed after `CHANNEL_TIMEOUT` seconds.
"""

from __future__ import annotations

import gc
import os
import resource
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from flask import Flask

from indexer.config import DEFAULT_CORPUS, SERVER_THREADS, minutes_home

from . import create_app
from .store import release_mapped, trim
from .supervisor import Supervisor

#: connections held open at once (idle or slow clients included)
CONNECTION_LIMIT = 10_000
#: seconds of inactivity after which a connection is closed
CHANNEL_TIMEOUT = 30
#: descriptors kept for index files, records and the listening socket besides the connections
SPARE_FDS = 512
#: seconds between two looks at the index generation by a server process (warms a new one)
WATCH_INTERVAL = 0.5
#: seconds before a warm-up that failed is tried again (when the index has not changed since)
RETRY_INTERVAL = 2.0
#: seconds after a generation is ready for pages, searches and questions before the warm-up prepares
#: the person pages' word sample
EXTRAS_DELAY = 10.0
#: seconds without a request after which a server process gives back the memory its last
#: requests freed (questions and record pages leave tens of MB that glibc would otherwise keep)
#: and unmaps the index pages they read (searches and exports map tens of MB of the index)
IDLE_TRIM = 5.0
#: templates compiled before the workers fork (shared by them): those of the first pages
#: visited; the others are compiled by each worker in the background
FIRST_TEMPLATES = ("base.html", "_macros.html", "home.html", "search.html")


def ensure_index(home: Path, corpus: Path = DEFAULT_CORPUS) -> bool:
    """Index `corpus` into `home` when no session is indexed yet; True if it did.  With
    MINUTES_DATABASE_URL the index is the database's: it is only checked (one French line
    and exit 2 when it cannot be used)."""
    from indexer.records import index_generation, read_manifest

    url = os.environ.get("MINUTES_DATABASE_URL", "").strip()
    if url:
        from indexer.search.pg_backend import connect, safe_url

        connect(url).close()
        print(f"Index dans la base {safe_url(url)}", file=sys.stderr)
        return False

    if index_generation(home) >= 0 and read_manifest(home)["sessions"]:
        return False  # a committed generation that publishes sessions (without opening the index: 1 s at N=100)
    from indexer.index import index_paths

    print(f"Aucun index dans {home} : indexation de {corpus} …", file=sys.stderr)
    summary = index_paths([corpus], home=home, progress=sys.stderr.isatty())
    print(summary.line(), file=sys.stderr)
    return True


def preload(app: Flask) -> None:
    """What every first page needs, done once before serving (before the workers fork, so
    that they share it): the records read, the templates of the first pages compiled.
    Nothing that holds a file or a connection open: each process opens its own searchers
    (and database connections), in the background (`warm_up`)."""
    from .store import Unavailable

    store = app.extensions["minutes"]
    if not store._database():
        try:
            store.derived()
        except Unavailable:
            pass
    compile_templates(app, FIRST_TEMPLATES)
    if not store._database():
        from .views.home import home_data

        with app.test_request_context("/"):
            try:
                home_data()  # its examples read the latest sessions' texts: once, for every worker
            except Unavailable:
                pass
        store.forget_full()  # those texts: not kept in every worker's memory


def compile_templates(app: Flask, names: tuple[str, ...] | None = None) -> None:
    """Compile `names` (default: every page template) now rather than at their first request."""
    env = app.jinja_env
    for name in names or env.list_templates(filter_func=lambda n: n.endswith(".html")):
        env.get_template(name)


def _warm(app: Flask, release: bool = False) -> None:
    """The current generation made ready for pages and searches: records, templates,
    searcher and its arrays; with `release` (a new generation replacing one), the memory of the
    previous one given back to the system."""
    from .store import Unavailable

    with app.test_request_context("/"):
        try:
            app.extensions["minutes"].warm()
            compile_templates(app)
            _warm_questions(app)
        except Unavailable:
            pass
    if release:
        _give_back()  # the previous generation's records and arrays, now unreferenced


def _give_back(mapped: bool = False) -> None:
    """Free what is no longer referenced and give that memory back to the system; with `mapped`,
    also unmap the index pages the last requests read (`store.release_mapped`: they stay in the
    kernel's page cache; ~0.1 s of CPU at 100 sessions, so only once a process is idle)."""
    gc.collect()
    trim()
    if mapped:
        release_mapped()


def _warm_questions(app: Flask) -> None:
    """What every question reads, whatever it asks: the question answerer's modules, the session
    table and the latest session's knowledge (~0.1 s at 100 sessions, as `minutes index` stores
    them; an index written before it stored them has them built here, once)."""
    from .store import library

    library("answer").knowledge(Path(app.config["MINUTES_HOME"]))


def _warm_extras(app: Flask) -> None:
    """What only person pages need: word counts of a sample of all speeches (every full text,
    one record at a time, seconds on 100 sessions).  Done once the first visitors have had their
    pages and searches (`EXTRAS_DELAY`): in the same process, it would hold the interpreter
    while they wait."""
    from .store import Unavailable
    from .views import persons

    with app.test_request_context("/"):
        try:
            persons.background()
        except Unavailable:
            pass


def warm_up(app: Flask, watch: bool = False, stop: threading.Event | None = None) -> threading.Thread:
    """Make the current generation ready in the background, so the first visitors do not wait;
    with `watch`, then keep looking at the index (until `stop` is set) and make each new
    generation ready as soon as it is committed (the first visitors after a re-index do not
    wait either)."""
    stop = stop or threading.Event()

    extras: list[threading.Thread] = []

    def run_extras() -> None:
        try:
            _warm_extras(app)
        except Exception:  # noqa: BLE001 - the first question or person page will say what is wrong
            pass
        _give_back()  # the word sample read every full record in turn

    def start_extras() -> None:
        """In a thread of their own (minutes on a large archive): the watcher keeps watching."""
        if extras and extras[-1].is_alive():
            return  # still preparing an earlier generation: what it has not read is read on demand
        extras.append(threading.Thread(target=run_extras, name="minutes-warm-up-extras", daemon=True))
        extras[-1].start()

    def run() -> None:
        store = app.extensions["minutes"]
        ready = False  # the current generation made ready; False again while a warm-up fails
        retry_at = 0.0
        try:
            _warm(app)
            ready = True
        except Exception:  # noqa: BLE001 - the watcher below tries again
            retry_at = time.monotonic() + RETRY_INTERVAL
        extras_at: float | None = time.monotonic() + EXTRAS_DELAY  # None: started for this generation
        trimmed_at = time.monotonic()
        while not stop.wait(WATCH_INTERVAL):
            try:
                if watch and ((not ready and time.monotonic() >= retry_at) or store.stale()):
                    # a warm-up that failed (a commit under way removed files it was reading, after
                    # the records were already re-read) is tried again, not left half done
                    ready = False
                    retry_at = time.monotonic() + RETRY_INTERVAL
                    _warm(app, release=True)
                    ready = True
                    extras_at = time.monotonic() + EXTRAS_DELAY
                elif extras_at is not None and time.monotonic() >= extras_at:
                    start_extras()
                    extras_at = None
                elif trimmed_at < store.last_request < time.monotonic() - IDLE_TRIM:
                    _give_back(mapped=True)
                    trimmed_at = time.monotonic()
                if not watch and extras_at is None:
                    break
            except Exception:  # noqa: BLE001 - a commit under way, a database away: the next request says so
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


def default_workers() -> int:
    """Server processes by default: one per core."""
    return max(1, os.cpu_count() or 1)


def serve(host: str = "127.0.0.1", port: int = 8000, home: Path | None = None, threads: int = SERVER_THREADS,
          workers: int | None = None) -> None:
    """Serve `home` on host:port: `workers` processes (default: one per core) sharing one
    listening socket and the index on disk, each with `threads` threads."""
    home = home or minutes_home()
    workers = max(1, workers or default_workers())
    _limit_arenas()
    ensure_index(home)
    where = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/"
    if workers == 1:
        app = create_app({"MINUTES_HOME": str(home), "MINUTES_THREADS": threads})
        server = make_server(app, host=host, port=port, threads=threads)
        preload(app)
        warm_up(app, watch=True)
        print(f"Site en ligne : {where} (index : {home}) — Ctrl+C pour arrêter", file=sys.stderr)
        _run(server)
        return
    listener = _listen(host, port)
    app = create_app({"MINUTES_HOME": str(home), "MINUTES_THREADS": threads})
    preload(app)
    print(f"Site en ligne : {where} (index : {home}, {workers} processus) — Ctrl+C pour arrêter", file=sys.stderr)
    supervisor = Supervisor(listener, home, threads, workers, app=app)
    del app  # the supervisor drops it once the workers have it
    supervisor.start()
    supervisor.become_small()  # returns only if the small supervisor could not be executed
    _give_back()
    supervisor.loop()


def _listen(host: str, port: int) -> socket.socket:
    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(info[0], socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(info[4])
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def _worker(listener: socket.socket, home: Path, threads: int, app: Flask | None = None) -> None:
    """One server process on the shared socket: its own caches and searchers, and the app
    preloaded by the supervisor (or its own, for a worker started again)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if app is None:
        app = create_app({"MINUTES_HOME": str(home), "MINUTES_THREADS": threads})
        preload(app)
    server = make_server(app, threads=threads, sockets=[listener])
    warm_up(app, watch=True)
    _run(server)


def _run(server) -> None:  # noqa: ANN001 - a waitress server
    """Serve until Ctrl+C (or SIGTERM in a worker), then close the sockets."""
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


#: glibc malloc arenas per server process (MALLOC_ARENA_MAX, unless set): by default each of the
#: threads may get its own (up to 8 per core), and the memory freed in one is not reused by the
#: others: a server's resident memory then grows with its threads, not with what it holds
MALLOC_ARENAS = 2


def _limit_arenas() -> None:
    """At most MALLOC_ARENAS glibc arenas in this process and the workers it forks (before any
    thread starts); MALLOC_ARENA_MAX in the environment wins."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, MALLOC_ARENAS)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass
