#!/usr/bin/env python3
"""Load test: concurrent clients for a fixed time on search, question and session pages.

The real server (waitress, in its own process, as `minutes serve` runs it) answers on
loopback; every client thread loops for --seconds, each request picking the next page of a
mix: a search (a different pair of words each time, so most are not in the page cache), a
question (different templates and topics), a session page (HTML or its JSON twin).  Any
status other than 200, a refused connection or a time-out counts as an error.

    .venv/bin/python scripts/load_test.py                     # bundled corpus, 20 clients, 60 s
    .venv/bin/python scripts/load_test.py --home /tmp/pierrefonds --clients 20 --seconds 60

Exits 1 when any request failed.  Run by hand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import VARIED, ServerProcess, fetch, home_or_bundled, percentile, run_clients  # noqa: E402
from indexer.config import SERVER_THREADS  # noqa: E402

QUESTIONS = ("Qui a parlé de {w} ?", "Qu'a dit le président sur {w} ?", "Combien pour {w} ?",
             "Quand a-t-on débattu de {w} ?", "Quel groupe s'est abstenu sur {w} ?")


def mix(session_ids: list[str]) -> list[tuple[str, str]]:
    """(kind, path) requests in a fixed, repeatable order.

    3,120 searches and 7,800 questions, so that at a few hundred requests per second most of
    them are computed, not served from the page cache (sessions pages are few and cached)."""
    q = urllib.parse.quote
    pairs = [f"{a} {b}" for a, b in itertools.permutations(VARIED, 2)]
    searches = [("recherche", f"/recherche?q={q(p)}{suffix}") for p in pairs for suffix in ("", "&tri=date")]
    questions = [("question", "/question?q=" + q(t.format(w=w))) for t in QUESTIONS for w in pairs]
    sessions = [("séance", f"/seances/{s}{suffix}") for s in session_ids for suffix in ("", ".json")]
    out = []
    for i in range(len(searches)):
        out.append(searches[i])
        out.append(questions[i % len(questions)])
        out.append(sessions[i % len(sessions)])
    return out


def run(base: str, requests: list[tuple[str, str]], clients: int, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    cursor = itertools.count()
    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    statuses: dict[int, int] = {}

    def client() -> None:
        while time.monotonic() < deadline:
            kind, path = requests[next(cursor) % len(requests)]
            ms, status, _ = fetch(base + path)
            with lock:
                latencies.setdefault(kind, []).append(ms)
                statuses[status] = statuses.get(status, 0) + 1
                if status != 200:
                    errors[kind] = errors.get(kind, 0) + 1

    elapsed = run_clients(client, clients)
    kinds = {}
    for kind, values in latencies.items():
        kinds[kind] = {"requests": len(values), "errors": errors.get(kind, 0),
                       "p50_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 95), 1),
                       "max_ms": round(max(values), 1)}
    total = sum(len(v) for v in latencies.values())
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": total,
            "errors": sum(errors.values()), "rps": round(total / elapsed, 1), "statuses": statuses, "kinds": kinds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=None, help="an indexed MINUTES_HOME (default: bundled corpus)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=SERVER_THREADS, help="waitress threads (as minutes serve)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)

    home, tmp = home_or_bundled(args.home, "load-test-")
    from indexer.index import load_records

    session_ids = [r.session.id for r in load_records(home)]
    if not session_ids:
        raise SystemExit(f"{home} : aucun index ; lancez « minutes index » ou omettez --home")
    server = ServerProcess(home, args.threads, cache=True)
    try:
        base = f"http://127.0.0.1:{server.port}"
        fetch(base + "/")  # first load of the records and searcher, not counted
        figures = run(base, mix(session_ids), args.clients, args.seconds)
    finally:
        server.close()
        if tmp is not None:
            tmp.cleanup()
    print(f"{figures['clients']} clients, {figures['seconds']} s, {figures['requests']} requêtes "
          f"({figures['rps']}/s), {figures['errors']} erreurs, statuts {figures['statuses']}")
    print(f"{'page':<12} {'req':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, k in figures["kinds"].items():
        print(f"{kind:<12} {k['requests']:>6} {k['errors']:>4} {k['p50_ms']:>8} {k['p95_ms']:>8} {k['max_ms']:>8}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
