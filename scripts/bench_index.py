"""Index update costs on a generated corpus: adding one session (the anchor), replacing one
session (its units deleted, a few percent of the index: no merge), and re-reading every
session as after a parser upgrade (all units deleted: one merge).

    .venv/bin/python scripts/bench_index.py --sessions 10

Prints seconds and the ratio to the anchor measured in the same run (timings on a shared
machine are noisy; compare ratios).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.benchgen import generate  # noqa: E402
from indexer.index import index_records, load_records, open_index  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        records = list(generate(args.sessions + 1, seed=3))
        started = time.perf_counter()
        index_records(records[:-1], home=home)
        build = time.perf_counter() - started

        started = time.perf_counter()
        index_records(records[-1:], home=home)
        anchor = time.perf_counter() - started

        one = load_records(home)[0]
        started = time.perf_counter()
        index_records([one], home=home)
        replace = time.perf_counter() - started
        ix = open_index(home)
        left = ix.doc_count_all() - ix.doc_count()

        started = time.perf_counter()
        index_records(load_records(home), home=home)
        upgrade = time.perf_counter() - started
        ix = open_index(home)
        print(f"build {args.sessions} sessions: {build:.2f} s")
        print(f"add one session (anchor):   {anchor:.2f} s  1.0x")
        print(f"replace one session:        {replace:.2f} s  {replace / anchor:.1f}x  ({left} deleted units left)")
        print(f"re-read all (upgrade):      {upgrade:.2f} s  {upgrade / anchor:.1f}x  "
              f"({ix.doc_count_all() - ix.doc_count()} deleted units left, {len(ix._segments())} segment)")


if __name__ == "__main__":
    main()
