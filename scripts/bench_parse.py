#!/usr/bin/env python3
"""Parse benchmark (a script, not a timed test).

1. The bundled session: read_source + parse_document, median of 5 runs
   (target: ≤ 2 s).
2. PDF extraction: a 600-page PDF generated from the bundled text (running headers,
   page numbers, hyphenated line ends), read with MINUTES_WORKERS=1 and =2, cache
   disabled (target: ≤ 20 s on 2 cores); peak memory of the process and its workers.

3. With ``--worker PATH …`` (files or folders), instead: the CPU a parse worker spends on documents
   after reading them (parse_document + rekey, then question knowledge), each run in a fresh process
   (cold caches), min and median of ``--worker-runs``; anchor: the CPU of reading the same documents
   (read_source, cache and OCR off) in the same run.

Usage: .venv/bin/python scripts/bench_parse.py [--pages 600] [--runs 1]
       .venv/bin/python scripts/bench_parse.py --worker ../shared/corpus-multi/pierrefonds/ [--worker-runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.parse import parse_document  # noqa: E402
from indexer.sources import read_source  # noqa: E402
from tests import pdfgen  # noqa: E402

BUNDLED = ROOT / "corpus" / "pas-de-calais-2025-09-22.txt"


def bench_text(runs: int) -> tuple[float, int]:
    times, speeches = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        record = parse_document(read_source(BUNDLED, cache=False))
        times.append(time.perf_counter() - started)
        speeches = len(record.speeches)
    return statistics.median(times), speeches


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the extraction workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def bench_pdf(pdf: Path, workers: int, runs: int) -> tuple[float, float, int]:
    """(median wall seconds, CPU seconds of the last run, pages)."""
    os.environ["MINUTES_WORKERS"] = str(workers)
    times, cpu, pages = [], 0.0, 0
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), _cpu()
        doc = read_source(pdf, cache=False)
        times.append(time.perf_counter() - started)
        cpu = _cpu() - cpu_started
        pages = len(doc.pages)
    return statistics.median(times), cpu, pages


def _documents(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out += sorted(f for f in p.rglob("*") if f.suffix.lower() in (".pdf", ".txt")) if p.is_dir() else [p]
    return out


def worker_child(paths: list[str]) -> None:
    """One cold measurement (run in a fresh process): read, then parse + rekey, then knowledge; CPU seconds."""
    import json

    os.environ["MINUTES_OCR"] = "0"
    from indexer.qa.knowledge import build
    from indexer.records import identity_of, rekey

    cpu = time.process_time
    started = cpu()
    docs = [read_source(p, cache=False, workers=1) for p in _documents(paths)]
    read = cpu() - started
    started = cpu()
    records = []
    for doc in docs:
        record = parse_document(doc)
        rekey(record, identity_of(record, doc.path).candidate)
        records.append(record)
    parse = cpu() - started
    started = cpu()
    for record in records:
        build(record)
    print(json.dumps({"documents": len(docs), "read": read, "parse": parse, "knowledge": cpu() - started}))


def bench_worker(paths: list[str], runs: int) -> None:
    import json
    import subprocess

    got = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--worker-child", *paths], check=True, capture_output=True,
                             text=True, env={**os.environ, "MINUTES_OCR": "0"}).stdout
        got.append(json.loads(out.splitlines()[-1]))

    def line(key: str) -> str:
        values = sorted(g[key] for g in got)
        return f"min {values[0]:.3f} s, median {values[len(values) // 2]:.3f} s"

    print(f"{got[0]['documents']} documents, {runs} cold runs")
    print(f"read (anchor, cache and OCR off): {line('read')}")
    print(f"parse_document + rekey: {line('parse')}")
    print(f"question knowledge (qa.knowledge.build): {line('knowledge')}")
    ratio = sorted((g["parse"] + g["knowledge"]) / g["read"] for g in got)
    print(f"parse + knowledge = x{ratio[len(ratio) // 2]:.2f} the reading CPU (median)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs="+", metavar="PATH",
                        help="CPU of parse + knowledge on these documents (files or folders), cold runs")
    parser.add_argument("--worker-runs", type=int, default=3, help="cold runs of --worker")
    parser.add_argument("--worker-child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=int, default=600, help="pages of the generated PDF")
    parser.add_argument("--runs", type=int, default=1, help="runs per PDF measurement (median)")
    parser.add_argument("--text-runs", type=int, default=5, help="runs of the bundled text (median)")
    args = parser.parse_args(argv)
    if args.worker_child:
        worker_child(args.worker_child)
        return 0
    if args.worker:
        print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        bench_worker(args.worker, args.worker_runs)
        return 0

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}, Python {sys.version.split()[0]}")
    seconds, speeches = bench_text(args.text_runs)
    verdict = "OK" if seconds <= 2 else "TROP LENT"
    print(f"bundled text: {seconds:.2f} s (median of {args.text_runs}, sources + parse, "
          f"{speeches} speeches) — target ≤ 2 s: {verdict}")

    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        os.environ["MINUTES_HOME"] = tmp  # read_source(cache=False) never touches it; belt and braces
        started = time.perf_counter()
        clean = read_source(BUNDLED, cache=False).text
        pdf = Path(tmp) / f"bench-{args.pages}.pdf"
        pdfgen.minutes_pdf(clean, pdf, min_pages=args.pages)
        size = pdf.stat().st_size / 1e6
        print(f"generated PDF: {args.pages} pages, {size:.1f} MB in {time.perf_counter() - started:.1f} s")
        results = {}
        for workers in (1, 2):
            seconds, cpu, pages = bench_pdf(pdf, workers, args.runs)
            results[workers] = seconds
            print(f"PDF, MINUTES_WORKERS={workers}: {pages} pages in {seconds:.1f} s = "
                  f"{pages / seconds:.0f} pages/s (CPU {cpu:.1f} s, all processes)")
        me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak RSS: this process {me:.0f} MB, largest extraction worker {kids:.0f} MB")
        verdict = "OK" if results[2] <= 20 else "TROP LENT"
        print(f"speed-up with 2 workers: x{results[1] / results[2]:.2f}; "
              f"{args.pages}-page PDF on 2 cores: {results[2]:.1f} s — target ≤ 20 s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
