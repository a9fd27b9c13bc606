"""`minutes serve`: build the index if there is none, then serve the app with waitress."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from flask import Flask

from indexer.config import DEFAULT_CORPUS, SERVER_THREADS, minutes_home

from . import create_app


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


def serve(host: str = "127.0.0.1", port: int = 8000, home: Path | None = None, threads: int = SERVER_THREADS) -> None:
    from waitress import create_server

    home = home or minutes_home()
    ensure_index(home)
    app = create_app({"MINUTES_HOME": str(home), "MINUTES_THREADS": threads})
    server = create_server(app, host=host, port=port, threads=threads, ident="minutes")
    warm_up(app)
    print(f"Site en ligne : http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/ "
          f"(index : {home}) — Ctrl+C pour arrêter", file=sys.stderr)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
