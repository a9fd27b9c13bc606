#!/usr/bin/env python3
"""Build the shipped stem memo, indexer/data/stems_fr.txt, from French council minutes.

A cold process stems every distinct word of its text once (~3 µs a word); the memo gives the stems
of the words French minutes use, looked up instead (`analysis.stem`, loaded on the first stem).
Its words are the tokens of the documents given (read with `indexer.sources.read_source`, OCR
included), those that `analysis` stems (letters only, not a stopword), seen in at least
``--min-docs`` documents, each under two keys: lowercase (the index's analysis) and folded (the
Q&A's tokens); the value is `analysis.compute_stem` of the key, so the memo changes no stem
(tests/test_stem_memo.py checks every entry against a fresh stem).

Run after a change of the stemmer or of `analysis.stem`'s rules (the test fails until then):

    MINUTES_HOME=/tmp/memo-home .venv/bin/python scripts/make_stem_memo.py \
        corpus ../shared/corpus-multi/pierrefonds ../shared/corpus-councils ../shared/corpus-extra

(corpus/ holds the bundled session, ../shared/seed's file.)  A document met twice (same content)
counts once.  The shipped memo: these four sources (93 documents), words of ≥ 1 document:
23,814 keys, 0.40 MB, read in ~5 ms.  ``--min-docs 2`` keeps 10,450 keys (0.17 MB) but covers
much less of a council the memo has not seen (held-out, ``--coverage``: of the bundled session's
distinct words 37.5% instead of 50.5%, of Pierrefonds' 38.7% instead of 65.7%).

``--coverage`` builds, for each source in turn, a memo without it and prints the share of that
source's distinct words and of its tokens the memo covers (held-out), for ``--min-docs`` 1 and 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer import analysis  # noqa: E402

SUFFIXES = {".pdf", ".txt"}


def documents(source: Path) -> list[Path]:
    """The PDF and text files of a file or folder (recursively), in a stable order."""
    if source.is_file():
        return [source]
    return sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def stemmed_words(text: str) -> Counter:
    """Tokens of `text` that `analysis._Terms` stems, lowercase, with their counts."""
    counts: Counter = Counter()
    for m in analysis.TOKEN_RE.finditer(text):
        low = m.group().lower()
        if low.isalpha() and analysis.fold(low) not in analysis.STOPWORDS and low not in analysis.STOPWORDS:
            counts[low] += 1
    return counts


def read_words(sources: list[Path]) -> dict[str, list[Counter]]:
    """Per source (its path as given), the word counts of each of its documents."""
    from indexer.sources import SourceError, read_source

    out: dict[str, list[Counter]] = {}
    digests: set[str] = set()
    for source in sources:
        docs = []
        for path in documents(source):
            try:
                doc = read_source(path)
            except SourceError as e:
                print(f"skipped {path}: {e}", file=sys.stderr)
                continue
            if doc.sha256 in digests:
                continue
            digests.add(doc.sha256)
            docs.append(stemmed_words("\n".join(p.text for p in doc.pages)))
        out[str(source)] = docs
    return out


def memo_words(docs: list[Counter], min_docs: int) -> set[str]:
    """Words in at least `min_docs` of `docs`, lowercase and folded."""
    seen: Counter = Counter()
    for counts in docs:
        seen.update(counts.keys())
    words = {w for w, n in seen.items() if n >= min_docs}
    return words | {analysis.fold(w) for w in words}


def memo_text(words: set[str]) -> str:
    """The memo file: one "word stem" line per word, sorted."""
    lines = []
    for word in sorted(words):
        stem = analysis.compute_stem(word)
        if not stem or stem.split() != [stem] or word.split() != [word]:
            continue  # the file is split on whitespace: an empty stem could not be read back
        lines.append(f"{word} {stem}\n")
    return "".join(lines)


def coverage(by_source: dict[str, list[Counter]]) -> None:
    for min_docs in (1, 2):
        for held in by_source:
            rest = [c for name, docs in by_source.items() if name != held for c in docs]
            memo = memo_words(rest, min_docs)
            counts: Counter = Counter()
            for c in by_source[held]:
                counts.update(c)
            covered = [w for w in counts if w in memo]
            tokens = sum(counts.values())
            print(f"min-docs {min_docs}, without {held} ({len(by_source[held])} docs): memo "
                  f"{len(memo):,} keys; covers {len(covered) / max(len(counts), 1):.1%} of its "
                  f"{len(counts):,} distinct words, {sum(counts[w] for w in covered) / max(tokens, 1):.1%} "
                  f"of its {tokens:,} tokens")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="+", type=Path, help="files or folders of minutes")
    ap.add_argument("--min-docs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=analysis.MEMO_FILE)
    ap.add_argument("--coverage", action="store_true", help="held-out coverage of each source, no file written")
    args = ap.parse_args()
    by_source = read_words(args.sources)
    if args.coverage:
        coverage(by_source)
        return
    words = memo_words([c for docs in by_source.values() for c in docs], args.min_docs)
    text = memo_text(words)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    memo = analysis.load_memo(args.out)
    print(f"{args.out}: {len(memo):,} words, {args.out.stat().st_size / 1e6:.2f} MB, "
          f"{sum(len(d) for d in by_source.values())} documents, loads in {(time.perf_counter() - t0) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
