#!/usr/bin/env python3
"""Cold stemming benchmark (a script, not a timed test).

A cold process (each CLI command, each worker of an index run) stems every distinct word of its
text once.  Each measure runs in a fresh process (imports not timed), min over ``--runs``, the
modes alternated in every round:

- ``nltk``: the anchor, NLTK's Snowball French (``nltk.stem.snowball.FrenchStemmer.stem``) on the
  distinct lowercase words;
- ``snowball``: ``indexer.snowball_fr.FrenchStemmer.stem`` on the same words;
- ``terms``: the index's analysis, ``analysis._Terms.term`` of every distinct token (stopwords,
  numbers, stems: what a process adding the text pays), with the shipped stem memo (its load
  included) and ``terms-nomemo`` without it;
- ``qa``: the Q&A's ``qa.text.stem`` of every distinct folded token, with and without the memo.

The text is a generated session (``indexer.benchgen``, ~2 MB, 20,889 distinct tokens) unless
``--text`` names files.  ``--memo PATH`` uses another memo file (e.g. one built without the
bundled session, to measure a council whose words the shipped memo has not seen).

Usage: .venv/bin/python scripts/bench_stem.py [--runs 5] [--text FILE …] [--memo PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODES = ("nltk", "snowball", "terms", "terms-nomemo", "qa", "qa-nomemo")

CHILD = r"""
import json, sys, time
from pathlib import Path
mode, memo_path, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
from indexer import analysis
from indexer.qa import text as qa_text
text = "\n".join(Path(p).read_text(encoding="utf-8") for p in paths)
tokens = list(dict.fromkeys(m.group() for m in analysis.TOKEN_RE.finditer(text)))
words = list(dict.fromkeys(t.lower() for t in tokens if t.isalpha()))
if mode.endswith("-nomemo"):
    analysis._memo = {}
elif memo_path:
    analysis.MEMO_FILE = Path(memo_path)
if mode == "nltk":
    from nltk.stem.snowball import FrenchStemmer
    f, items = FrenchStemmer().stem, words
elif mode == "snowball":
    from indexer.snowball_fr import FrenchStemmer
    f, items = FrenchStemmer().stem, words
elif mode.startswith("terms"):
    f, items = analysis._Terms().term, tokens
else:
    f, items = qa_text.stem, list(dict.fromkeys(qa_text.tokens(text)))
t0 = time.perf_counter()
for w in items:
    f(w)
t = time.perf_counter() - t0
load = 0.0
if not mode.endswith("-nomemo") and mode in ("terms", "qa"):
    t1 = time.perf_counter(); analysis.load_memo(analysis.MEMO_FILE); load = time.perf_counter() - t1
print(json.dumps({"seconds": t, "items": len(items), "memo": len(analysis._memo or {}), "load": load}))
"""


def measure(mode: str, paths: list[str], memo: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, memo, *paths], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--text", nargs="*", help="text files (default: a generated session)")
    ap.add_argument("--memo", default="", help="a memo file instead of indexer/data/stems_fr.txt")
    ap.add_argument("--modes", default=",".join(MODES))
    args = ap.parse_args()
    modes = args.modes.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        paths = args.text
        if not paths:
            from indexer.benchgen import write_text_session

            paths = [str(write_text_session(Path(tmp)))]
        best: dict[str, dict] = {}
        for _ in range(args.runs):
            for mode in modes:
                r = measure(mode, paths, args.memo)
                if mode not in best or r["seconds"] < best[mode]["seconds"]:
                    best[mode] = r
    anchor = best.get("nltk")
    print(f"cold, min of {args.runs} fresh processes; text: {', '.join(Path(p).name for p in paths)}")
    for mode in modes:
        r = best[mode]
        extra = f"  (memo {r['memo']:,} entries, load {r['load'] * 1000:.1f} ms)" if r["load"] else ""
        ratio = f"  ×{r['seconds'] / anchor['seconds']:.2f} of nltk" if anchor else ""
        print(f"{mode:13s} {r['items']:7,} items {r['seconds']:6.3f} s "
              f"{r['seconds'] / r['items'] * 1e6:6.2f} µs/item{ratio}{extra}")


if __name__ == "__main__":
    main()
