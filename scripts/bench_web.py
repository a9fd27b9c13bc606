#!/usr/bin/env python3
"""Web load benchmark: p50/p95 of each page under concurrent clients.

A waitress server (the one `minutes serve` uses) runs on 127.0.0.1 with a free port, in
its own process (or in a thread with --in-process); N client threads fetch each page with
urllib, a bounded number of times and for a bounded time.  Without --home, the bundled corpus is indexed into a temporary
MINUTES_HOME first.

    .venv/bin/python scripts/bench_web.py                          # bundled corpus, 10 clients
    .venv/bin/python scripts/bench_web.py --home /tmp/gen100 --requests 60
    .venv/bin/python scripts/bench_web.py --json figures.json

Target: p95 ≤ 150 ms per page with 10 concurrent clients on the bundled corpus.
Run by hand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.config import SERVER_THREADS  # noqa: E402

TARGET_P95_MS = 150.0


def pages_for(home: Path) -> dict[str, str]:
    """The main pages, with ids taken from the index (first session, busiest speaker, a deliberation)."""
    from collections import Counter

    from indexer.index import load_records

    records = load_records(home)
    if not records:
        raise SystemExit(f"{home} : aucun index ; lancez « minutes index » ou omettez --home")
    last = records[-1]
    speakers = Counter(sp.person_id for r in records for sp in r.speeches if sp.person_id)
    busiest = speakers.most_common(2)[-1][0] if speakers else "inconnu"
    delib = next((d.number for r in reversed(records) for d in r.deliberations), "inconnue")
    q = urllib.parse.quote
    return {
        "accueil": "/",
        "recherche": "/recherche?q=budget",
        "recherche facettes": "/recherche?q=budget&type=intervention&annee=" + (last.session.date[:4] or "2025"),
        "recherche json": "/recherche.json?q=budget",
        "recherche page 2": "/recherche?q=d%C3%A9partement&page=2",
        "recherche variée": "/recherche?q={q}",
        "chronologie variée": "/chronologie?q={q}",
        "question variée": "/question?q=" + q("Qui a parlé de ") + "{q}" + q(" ?"),
        "export csv": "/recherche.csv?q=t%C3%A9l%C3%A9assistance",
        "séance": f"/seances/{last.session.id}",
        "séance json": f"/seances/{last.session.id}.json",
        "séances": "/seances",
        "chronologie": "/chronologie",
        "chronologie sujet": "/chronologie?q=Mercosur",
        "élu": f"/elus/{busiest}",
        "élus": "/elus",
        "délibération": f"/deliberations/{delib}",
        "délibérations": "/deliberations?texte=" + q("budget"),
        "vœux": "/voeux",
        "question": "/question?q=" + q("Le budget supplémentaire a-t-il été adopté ?"),
    }


def home_or_bundled(home: Path | None, prefix: str) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """`home` as given, or a temporary MINUTES_HOME holding the bundled corpus (to clean up)."""
    if home is not None:
        return home, None
    from indexer.index import index_paths

    tmp = tempfile.TemporaryDirectory(prefix=prefix)
    t = time.perf_counter()
    index_paths([ROOT / "corpus"], home=Path(tmp.name))
    print(f"index du corpus livré : {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return Path(tmp.name), tmp


SERVER_CODE = """
import logging, sys
from webapp import create_app
from webapp.serve import make_server, warm_up
logging.getLogger("waitress").setLevel(logging.CRITICAL)
home, port, threads, cache = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
app = create_app({"MINUTES_HOME": home, "MINUTES_RESPONSE_CACHE": cache, "MINUTES_THREADS": threads})
warm_up(app).join()  # as `minutes serve` does, before the first visitors
make_server(app, host="127.0.0.1", port=port, threads=threads, ident="minutes-bench").run()
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """The server in its own process, so that the client threads do not share its interpreter lock."""

    def __init__(self, home: Path, threads: int, cache: bool) -> None:
        import subprocess

        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER_CODE, str(home), str(self.port), str(threads),
                                      "1" if cache else "0"], cwd=ROOT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("le serveur s'est arrêté au démarrage")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/static/css/site.css", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        self.close()
        raise SystemExit("le serveur ne répond pas")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()


def start_server(home: Path, threads: int, cache: bool = True):
    import logging

    logging.getLogger("waitress").setLevel(logging.CRITICAL)  # no "task queue depth" chatter

    from webapp import create_app
    from webapp.serve import make_server

    app = create_app({"MINUTES_HOME": str(home), "MINUTES_RESPONSE_CACHE": cache})
    server = make_server(app, host="127.0.0.1", port=0, threads=threads, ident="minutes-bench")
    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):  # closed under its feet at the end of the run
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.effective_port}"


#: words of the bundled session for the "varied queries" runs (each request a different search)
VARIED = ("budget", "collèges", "téléassistance", "santé", "Mercosur", "Palestine", "logement", "emploi",
          "insertion", "routes", "agriculteurs", "jeunes", "sport", "culture", "Eurostar", "handicap",
          "personnel", "solidarité", "énergie", "habitat", "associations", "RIFSEEP", "investissement",
          "fonctionnement", "dotation", "hôpital", "médecins", "rentrée", "écoles", "vote", "abstention",
          "enfance", "famille", "retraites", "pauvreté", "Calais", "Arras", "Boulogne", "littoral", "tourisme")


def fetch(url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = b"", exc.code
    except (urllib.error.URLError, OSError):
        body, status = b"", 0
    return (time.perf_counter() - started) * 1000.0, status, len(body)


def run_clients(client, clients: int) -> float:  # noqa: ANN001 - a function of no argument
    """Run `client` in `clients` threads at once; the wall seconds until the last one ends."""
    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, int(round(pct / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def load_page(url: str, clients: int, requests: int, max_seconds: float) -> dict:
    """`requests` fetches of one URL by `clients` threads, stopping early after `max_seconds`.

    A "{q}" in the URL is replaced by a different word of VARIED at each request."""
    deadline = time.monotonic() + max_seconds
    latencies: list[float] = []
    errors = 0
    size = 0
    lock = threading.Lock()
    remaining = [requests]

    def worker() -> None:
        nonlocal errors, size
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > deadline:
                    return
                remaining[0] -= 1
                n = remaining[0]
            target = url.replace("{q}", urllib.parse.quote(VARIED[n % len(VARIED)]))
            ms, status, length = fetch(target)
            with lock:
                latencies.append(ms)
                size = max(size, length)
                if status != 200:
                    errors += 1

    elapsed = run_clients(worker, clients)
    return {"requests": len(latencies), "errors": errors, "bytes": size,
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
            "max_ms": round(max(latencies), 1) if latencies else None,
            "rps": round(len(latencies) / elapsed, 1) if elapsed else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=None, help="an indexed MINUTES_HOME (default: bundled corpus)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100, help="requests per page")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="time cap per page")
    parser.add_argument("--threads", type=int, default=SERVER_THREADS, help="waitress threads (as minutes serve)")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--in-process", action="store_true",
                        help="run the server in a thread of this process (clients then share its interpreter lock)")
    parser.add_argument("--no-cache", action="store_true",
                        help="render every request (disable the per-generation page cache)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)

    home, tmp = home_or_bundled(args.home, "bench-web-")
    pages = pages_for(home)
    if args.only:
        wanted = {n.strip() for n in args.only.split(",")}
        pages = {k: v for k, v in pages.items() if k in wanted}
    if args.in_process:
        server, base = start_server(home, args.threads, cache=not args.no_cache)
    else:
        server = ServerProcess(home, args.threads, cache=not args.no_cache)
        base = f"http://127.0.0.1:{server.port}"
    try:
        t = time.perf_counter()
        for path in pages.values():  # warm-up: first load of the records, searcher, lexicons
            if "{q}" not in path:
                fetch(base + path)
        warm = time.perf_counter() - t
        results = {}
        print(f"{'page':<20} {'req':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>7} {'Ko':>7}")
        for name, path in pages.items():
            r = load_page(base + path, args.clients, args.requests, args.max_seconds)
            r["path"] = path
            results[name] = r
            flag = "" if r["p95_ms"] is not None and r["p95_ms"] <= TARGET_P95_MS else "  > cible"
            print(f"{name:<20} {r['requests']:>5} {r['errors']:>4} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} "
                  f"{r['rps']:>7} {r['bytes'] // 1024:>7}{flag}", flush=True)
        worst = max(results.values(), key=lambda r: r["p95_ms"] or 0)
        summary = {"home": str(home), "clients": args.clients, "cache": not args.no_cache,
                   "server": "thread" if args.in_process else "process", "warm_up_s": round(warm, 2), "pages": results,
                   "worst_p95_ms": worst["p95_ms"], "target_p95_ms": TARGET_P95_MS,
                   "all_within_target": all((r["p95_ms"] or 1e9) <= TARGET_P95_MS for r in results.values())}
        print(f"préchauffage {warm:.2f} s ; pire p95 {worst['p95_ms']} ms ({worst['path']}) ; "
              f"cible {TARGET_P95_MS:.0f} ms : {'atteinte' if summary['all_within_target'] else 'NON atteinte'}")
        if args.json:
            args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    finally:
        server.close()
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
