"""Index update costs on a generated corpus: building N sessions, adding one session (the
anchor), adding one session from its text file (read and parse included, as `minutes index`
does it), replacing one session (its units deleted, a few percent of the index: no merge),
and re-reading every session as after a parser upgrade (all units deleted: one merge).

    .venv/bin/python scripts/bench_index.py --sessions 10
    .venv/bin/python scripts/bench_index.py --sessions 100 --procs 2 --skip-upgrade
    .venv/bin/python scripts/bench_index.py --sessions 100 --reuse /tmp/homes/g100new --skip-upgrade

With --reuse, a copy of an index of --sessions generated sessions (e.g. one made by
`scripts/bench_answer.py --generate 100`) is used instead of building one: only the adds are timed.

"add one session, `minutes index`" is the user's command: a new process (`indexer.cli.run`, the
`minutes` entry point) adding the text file to a fresh copy of the index (interpreter start,
imports and exit included), --fresh-runs times.

Prints wall seconds, CPU seconds of this process and of its worker processes (knowledge
pool, Whoosh's writers with --procs 2), the ratio to the anchor measured in the same run
(timings on a shared machine are noisy: compare ratios, and CPU), and peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.benchgen import generate, write_text_session  # noqa: E402
from indexer.index import index_paths, index_records, load_record, load_records, open_index, read_manifest  # noqa: E402


def _children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(run) -> tuple[float, float, float]:  # noqa: ANN001
    """(wall, CPU of this process, CPU of the finished child processes) of run()."""
    kids, own, started = _children(), time.process_time(), time.perf_counter()
    run()
    return time.perf_counter() - started, time.process_time() - own, _children() - kids


def line(label: str, t: tuple[float, float, float], anchor: float | None = None, extra: str = "") -> str:
    ratio = f"  {t[0] / anchor:.1f}x" if anchor else ""
    return f"{label:<34} {t[0]:7.2f} s{ratio}  (CPU: this process {t[1]:.2f} s, workers {t[2]:.2f} s){extra}"


def _fresh_add(home: Path, copy: Path, text: Path) -> tuple[float, float, float]:
    """`minutes index TEXT` in a new process, into a fresh copy of `home` (the copy not timed)."""
    subprocess.run(["rm", "-rf", str(copy)], check=True)
    subprocess.run(["cp", "-a", str(home), str(copy)], check=True)
    os.sync()  # the copy on the disk first: its writeback would land in the timed run's flushes
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, MINUTES_HOME=str(copy), PYTHONPATH=str(root))
    command = [sys.executable, "-c", "from indexer.cli import run; run()", "index", str(text), "--quiet"]
    kids, started = _children(), time.perf_counter()
    subprocess.run(command, env=env, cwd=root, check=True, stdout=subprocess.DEVNULL)
    wall, cpu = time.perf_counter() - started, _children() - kids
    subprocess.run(["rm", "-rf", str(copy)], check=True)
    return wall, 0.0, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--procs", type=int, default=1, help="Whoosh writer processes for the build (as bench_search)")
    parser.add_argument("--skip-upgrade", action="store_true", help="skip re-reading every session")
    parser.add_argument("--reuse", type=Path, help="a copy of this MINUTES_HOME instead of the build")
    parser.add_argument("--fresh-runs", type=int, default=3, help="runs of the `minutes index` process")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        if args.reuse:
            subprocess.run(["cp", "-a", str(args.reuse), str(home)], check=True)
            build = None
        else:
            build = timed(lambda: index_records(generate(args.sessions, seed=3), home=home, procs=args.procs))
            build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for extra in generate(args.sessions + 1, seed=3):  # the one after them (only it kept)
            pass
        text = write_text_session(Path(tmp) / "add")
        fresh = [_fresh_add(home, Path(tmp) / "fresh", text) for _ in range(args.fresh_runs)]
        anchor = timed(lambda: index_records([extra], home=home))
        from_text = timed(lambda: index_paths([text], home=home))
        sessions = read_manifest(home)["sessions"]  # the earliest session (one record read, not all)
        one = load_record(min(sessions, key=lambda sid: (sessions[sid].get("date") or "", sid)), home)
        replace = timed(lambda: index_records([one], home=home))
        ix = open_index(home)
        left = ix.doc_count_all() - ix.doc_count()
        if build is not None:
            print(line(f"build {args.sessions} sessions (procs={args.procs})", build,
                       extra=f"  (peak RSS of this process after it: {build_rss:.0f} MB)"))
        print(line("add one session (anchor)", anchor, anchor[0]))
        print(line("add one session from its text", from_text, anchor[0], "  (read and parse included)"))
        for k, run in enumerate(sorted(fresh, key=lambda t: t[0])):
            print(line("add one session, `minutes index`" if not k else "", run, anchor[0],
                       "  (a new process: start, imports, exit; its CPU under workers)" if not k else ""))
        print(line("replace one session", replace, anchor[0], f"  ({left} deleted units left)"))
        if not args.skip_upgrade:
            upgrade = timed(lambda: index_records(load_records(home), home=home))
            ix = open_index(home)
            print(line("re-read all (upgrade)", upgrade, anchor[0],
                       f"  ({ix.doc_count_all() - ix.doc_count()} deleted units left, {len(ix._segments())} segment)"))
        me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak RSS: this process {me:.0f} MB, largest worker {kids:.0f} MB")


if __name__ == "__main__":
    main()
