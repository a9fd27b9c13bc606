#!/usr/bin/env python3
"""Cold start and concurrency of the real `minutes serve` process.

For each index (N generated sessions from indexer.benchgen, and the bundled corpus), this
starts `minutes serve --workers W` as a real process (the CLI, as a user runs it) and
measures, from the moment the process is started:

- first page: wall time until `/` answers 200;
- first search: then a new query (never asked before, so no cache holds it);
- first question: then a new question;
- memory of the supervisor and each worker (RSS, PSS, USS: see `memory`), after start, after a
  workload of pages, searches and questions (`workload`), and after the re-index below;

then adds one session with `minutes index` while the server runs, and measures the same
three right after the re-index ends (the first page being the new session's page, so the
server must notice the new generation), and the RSS again.

Finally, on the bundled corpus, --clients clients (default 50) send NEW searches (each a
distinct pair or triple of words of the corpus, so none is in the page cache) for
--seconds (default 30): p50/p95/max and errors (any status but 200, refusal or time-out).

    .venv/bin/python scripts/bench_serve.py                        # N=20 and bundled, 2 workers
    .venv/bin/python scripts/bench_serve.py --sessions 100 --workers 2 --json serve.json
    .venv/bin/python scripts/bench_serve.py --sessions 0 --clients 0   # bundled cold start only
    .venv/bin/python scripts/bench_serve.py --home /tmp/homes/gen100 --no-bundled   # a prebuilt index, copied

Targets (issue 14): first page ≤ 1 s, first search ≤ 300 ms, RSS ≤ 400 MB, 50 clients of
new searches p95 ≤ 300 ms with 0 errors.  Run by hand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import fetch, free_port, percentile, run_clients  # noqa: E402

MINUTES = str(Path(sys.executable).with_name("minutes"))
TARGETS = {"first_page_s": 1.0, "first_search_ms": 300.0, "rss_mb": 400.0, "p95_ms": 300.0}


# -- indexes ------------------------------------------------------------------------------

def build_generated(n: int, home: Path) -> float:
    from indexer.benchgen import generate
    from indexer.index import index_records

    t = time.perf_counter()
    index_records(generate(n), home=home)
    return time.perf_counter() - t


def build_bundled(home: Path) -> float:
    from indexer.index import index_paths

    t = time.perf_counter()
    index_paths([ROOT / "corpus"], home=home)
    return time.perf_counter() - t


def vocabulary(home: Path, seed: int = 3) -> list[str]:
    """Words of the indexed speeches (5+ letters), shuffled deterministically."""
    from indexer.index import load_records

    words: set[str] = set()
    for record in load_records(home):
        for speech in record.speeches:
            for para in speech.paragraphs:
                words.update(w for w in re.findall(r"[^\W\d_]{5,}", para))
    out = sorted(words)
    random.Random(seed).shuffle(out)
    return out


def new_queries(words: list[str]) -> itertools.chain:
    """An endless stream of distinct queries: each word, then pairs of words k apart for
    k = 1, 2, … (never the same pair twice while k < len(words) / 2)."""
    pairs = (f"{words[i]} {words[(i + k) % len(words)]}" for k in itertools.count(1) for i in range(len(words)))
    return itertools.chain(iter(words), pairs)


# -- the server process -------------------------------------------------------------------

def server_pids(pid: int) -> list[int]:
    """The server `pid` and its children (the workers)."""
    try:
        return [pid, *(int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    except OSError:
        return [pid]


def memory(pid: int) -> dict:
    """Memory of the server `pid` and its children (the workers), in MB, per process and in total.

    - rss: resident pages of each process (VmRSS); the total counts a page shared by several
      processes (after the fork, or a file they all map) once per process: it over-counts;
    - pss: each resident page divided among the processes that share it; the total is the
      memory the server really takes (what it would give back if it stopped);
    - uss: pages of that process alone (what ending only that process would give back);
    - file: the part of rss that maps files (RssFile: libraries, the index and the Q&A tables the
      process maps), pages the kernel's page cache holds and shares whichever processes map them.
    """
    pids = server_pids(pid)
    procs = []
    for p in pids:
        fields: dict[str, int] = {}
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()[1:]:
                key, value = line.split(":", 1)
                fields[key] = int(value.split()[0])
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("RssFile:"):
                    fields["RssFile"] = int(line.split()[1])
        except (OSError, ValueError):
            continue
        procs.append({"pid": p, "rss": round(fields.get("Rss", 0) / 1024, 1),
                      "file": round(fields.get("RssFile", 0) / 1024, 1),
                      "pss": round(fields.get("Pss", 0) / 1024, 1),
                      "uss": round((fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024, 1)})
    total = {k: round(sum(p[k] for p in procs), 1) for k in ("rss", "pss", "uss", "file")}
    return {"processes": procs, **total}


def memory_line(mem: dict) -> str:
    """« RSS a + b + c = t Mo (fichiers mappés …), PSS t Mo » (supervisor first, then each worker)."""
    parts = " + ".join(f"{p['rss']:.0f}" for p in mem["processes"])
    files = " + ".join(f"{p.get('file', 0):.0f}" for p in mem["processes"])
    return (f"RSS {parts} = {mem['rss']:.0f} Mo (fichiers mappés {files}) ; PSS {mem['pss']:.0f} Mo ; "
            f"USS {mem['uss']:.0f} Mo")


def rss_mb(pid: int, field: str = "VmRSS:") -> float:
    """Total RSS (field="VmRSS:") or PSS (field="Pss:") of `pid` and its workers, in MB."""
    return memory(pid)["rss" if field == "VmRSS:" else "pss"]


class Serve:
    """`minutes serve` on a free port, MINUTES_HOME=home."""

    def __init__(self, home: Path, workers: int, log: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MINUTES_HOME": str(home)}
        env.pop("MINUTES_DATABASE_URL", None)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([MINUTES, "serve", "--port", str(self.port), "--workers", str(workers)],
                                     env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=log.open("w") if log else subprocess.DEVNULL)

    def first(self, path: str, timeout: float = 180) -> float:
        """Seconds from process start until `path` answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("le serveur s'est arrêté au démarrage")
            _, status, _ = fetch(self.base + path)
            if status == 200:
                return time.perf_counter() - self.started
            time.sleep(0.02)
        raise SystemExit(f"le serveur ne répond pas sur {path}")

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def timed(base: str, path: str) -> float | str:
    """Milliseconds of one request; the status instead when it is not 200."""
    ms, status, _ = fetch(base + path)
    if status != 200:
        print(f"   {path} : statut {status}", file=sys.stderr, flush=True)
        return f"statut {status}"
    return round(ms, 1)


#: seconds the workload waits after its requests, for the warm-up of questions and person pages
#: (webapp.serve.EXTRAS_DELAY after the generation is ready) to be under way or done
SETTLE_S = 12.0


def workload(base: str, home: Path, queries, clients: int = 4) -> float:
    """What visitors do after a start: the main pages (bench_web.pages_for), ten session pages,
    twenty new searches and five new questions, by `clients` clients at once (so every worker
    serves some); then SETTLE_S seconds of quiet.  The seconds it took, requests only."""
    from bench_web import pages_for

    from indexer.records import read_manifest

    q = urllib.parse.quote
    paths = [p.replace("{q}", q(next(queries))) for p in pages_for(home).values()]
    sessions = sorted(read_manifest(home)["sessions"])
    paths += [f"/seances/{sid}" for sid in sessions[:: max(1, len(sessions) // 10)][:10]]
    paths += ["/recherche?q=" + q(next(queries)) for _ in range(20)]
    paths += ["/question?q=" + q(f"Qui a parlé de {next(queries)} ?") for _ in range(5)]
    todo = iter(paths)
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                path = next(todo, None)
            if path is None:
                return
            fetch(base + path)

    elapsed = run_clients(client, clients)
    time.sleep(SETTLE_S)
    return round(elapsed, 1)


def cold_start(home: Path, workers: int, queries, work: Path) -> dict:
    q = urllib.parse.quote
    server = Serve(home, workers, work / f"serve-{home.name}.log")
    try:
        out = {"first_page_s": round(server.first("/"), 2)}
        out["first_search_ms"] = timed(server.base, "/recherche?q=" + q(next(queries)))
        out["first_question_ms"] = timed(server.base, "/question?q=" + q(f"Qui a parlé de {next(queries)} ?"))
        out["memory_start"] = memory(server.proc.pid)
        out["rss_mb"], out["pss_mb"] = out["memory_start"]["rss"], out["memory_start"]["pss"]
        out["workload_s"] = workload(server.base, home, queries)
        out["memory_workload"] = memory(server.proc.pid)
        # re-index while the server runs: one more session
        from indexer.benchgen import write_text_session

        from indexer.index import read_manifest

        before = set(read_manifest(home)["sessions"])
        added = write_text_session(work / "add")
        year = 2031  # a date no indexed session has (a prebuilt index may hold the 2031 one already)
        while any(sid.endswith(f"-{year}-06-30") for sid in before):
            year += 1
        added.write_text(added.read_text(encoding="utf-8").replace("30 JUIN 2031", f"30 JUIN {year}"), encoding="utf-8")
        env = {**os.environ, "MINUTES_HOME": str(home)}
        env.pop("MINUTES_DATABASE_URL", None)
        done = subprocess.run([MINUTES, "index", "--quiet", str(added)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise SystemExit(f"minutes index : {done.stderr.strip()}")
        new_id = sorted(set(read_manifest(home)["sessions"]) - before)[0]
        t = time.perf_counter()
        deadline = time.monotonic() + 60
        while True:  # the new session's page: the server must have noticed the new generation
            _, status, _ = fetch(server.base + f"/seances/{new_id}")
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        out["reindex_first_page_s"] = round(time.perf_counter() - t, 2)
        out["reindex_first_search_ms"] = timed(server.base, "/recherche?q=" + q(next(queries)))
        out["reindex_first_question_ms"] = timed(server.base,
                                                 "/question?q=" + q(f"Qui a parlé de {next(queries)} ?"))
        workload(server.base, home, queries)
        out["memory_reindex"] = memory(server.proc.pid)
        out["reindex_rss_mb"], out["reindex_pss_mb"] = out["memory_reindex"]["rss"], out["memory_reindex"]["pss"]
    finally:
        server.close()
    return out


def concurrent(home: Path, workers: int, queries, clients: int, seconds: float, log: Path) -> dict:
    server = Serve(home, workers, log)
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    try:
        server.first("/")
        time.sleep(2)  # workers other than the first one finish their warm-up
        deadline = time.monotonic() + seconds

        def client() -> None:
            while time.monotonic() < deadline:
                with lock:
                    query = next(queries)
                ms, status, _ = fetch(server.base + "/recherche?q=" + urllib.parse.quote(query))
                with lock:
                    latencies.append(ms)
                    if status != 200:
                        errors[0] += 1

        elapsed = run_clients(client, clients)
        rss = rss_mb(server.proc.pid)
    finally:
        server.close()
    return {"clients": clients, "requests": len(latencies), "errors": errors[0],
            "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "max_ms": round(max(latencies), 1), "rps": round(len(latencies) / elapsed, 1), "rss_mb": rss}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20, help="generated sessions (0: bundled corpus only)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (0: skip that run)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--keep", type=Path, default=None, help="keep the indexes in this folder (reused if there)")
    parser.add_argument("--home", type=Path, default=None,
                        help="a prebuilt index (e.g. /tmp/homes/gen100) used instead of generating --sessions; "
                             "copied, never written")
    parser.add_argument("--no-bundled", action="store_true", help="skip the bundled corpus (cold start and clients)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    tmp = None
    if args.keep:
        work = args.keep
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-serve-")
        work = Path(tmp.name)
    results: dict = {"workers": args.workers, "cold": {}}
    try:
        homes = []
        if args.home:  # its own pristine copy: copied before each run, never written
            homes.append((args.home.name[:8], work / f"home-{args.home.name}", args.home))
        elif args.sessions:
            homes.append((f"N={args.sessions}", work / f"gen-{args.sessions}",
                          lambda h: build_generated(args.sessions, h)))
        if not args.no_bundled:
            homes.append(("livré", work / "bundled", build_bundled))
        for label, home, build in homes:
            if isinstance(build, Path):
                pristine = build
            else:
                if not (home / "records").exists():
                    print(f"index {label} …", file=sys.stderr, flush=True)
                    print(f"   {build(home):.1f} s", file=sys.stderr, flush=True)
                pristine = work / f"{home.name}.pristine"
                if not pristine.exists():
                    shutil.copytree(home, pristine)
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(pristine, home)  # each run starts from the same index (without the added session)
            queries = new_queries(vocabulary(home))
            print(f"démarrage à froid {label} …", file=sys.stderr, flush=True)
            results["cold"][label] = cold_start(home, args.workers, queries, work)
            print(f"   {results['cold'][label]}", file=sys.stderr, flush=True)
            if label == "livré" and args.clients:
                shutil.rmtree(home)
                shutil.copytree(pristine, home)
                print(f"{args.clients} clients, {args.seconds:.0f} s …", file=sys.stderr, flush=True)
                results["concurrent"] = concurrent(home, args.workers, queries, args.clients, args.seconds,
                                                   work / "serve-concurrent.log")
    finally:
        if tmp is not None:
            tmp.cleanup()

    heads = {"first_page_s": "page s", "first_search_ms": "rech. ms", "first_question_ms": "quest. ms",
             "rss_mb": "RSS Mo", "pss_mb": "PSS Mo"}
    print(f"workers={args.workers} ; « réindex » : après l'ajout d'une séance, serveur en marche")
    print(f"{'index':<8}{'moment':<9}" + "".join(f"{h:>11}" for h in heads.values()))
    for label, row in results["cold"].items():
        for moment, prefix in (("démarrage", ""), ("réindex", "reindex_")):
            print(f"{label:<8}{moment:<9}" + "".join(f"{row[prefix + c]!s:>11}" for c in heads))
    print("mémoire (superviseur + chaque processus) : au démarrage (après première page, recherche, question), "
          "après des visites (pages, recherches, questions, puis 12 s), après une réindexation et les mêmes visites")
    for label, row in results["cold"].items():
        for moment, key in (("démarrage", "memory_start"), ("visites", "memory_workload"),
                            ("réindex", "memory_reindex")):
            print(f"{label:<8}{moment:<10}{memory_line(row[key])}")
    if "concurrent" in results:
        c = results["concurrent"]
        print(f"{c['clients']} clients, recherches nouvelles, livré : {c['requests']} requêtes, {c['errors']} erreurs, "
              f"p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms, max {c['max_ms']} ms, {c['rps']} req/s, "
              f"RSS {c['rss_mb']} Mo")
    print("cibles : " + ", ".join(f"{k} ≤ {v:g}" for k, v in TARGETS.items()))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
