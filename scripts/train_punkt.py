#!/usr/bin/env python3
"""Train nltk's Punkt sentence splitter on the corpus and ship its parameters.

    .venv/bin/python scripts/train_punkt.py [FILES…]   (default: corpus/*)

Reads each file through `indexer.sources.read_source` (the same cleaning the
parser sees), trains an unsupervised `PunktTrainer` on the text, adds a short
seed list of French abbreviations that a single session may not show often
enough ("art.", "cf.", "p.", "n°" …) and writes indexer/data/punkt-fr.json,
which `indexer.sentences` loads at run time (no nltk.download()).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nltk.tokenize.punkt import PunktTrainer  # noqa: E402

from indexer.sentences import PARAMS_FILE, abbreviations, params_to_json  # noqa: E402
from indexer.sources import SourceError, read_source  # noqa: E402


def corpus_files(args: list[str]) -> list[Path]:
    if args:
        return [Path(a) for a in args]
    return sorted(p for p in (ROOT / "corpus").iterdir() if p.suffix.lower() in {".txt", ".md", ".pdf"})


def main(argv: list[str]) -> int:
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = False
    started = time.perf_counter()
    chars = 0
    for path in corpus_files(argv):
        try:
            text = read_source(path).text
        except SourceError as exc:
            print(f"ignoré : {exc}", file=sys.stderr)
            continue
        chars += len(text)
        trainer.train(text, finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    learned = set(params.abbrev_types)
    params.abbrev_types = abbreviations(learned)
    PARAMS_FILE.parent.mkdir(parents=True, exist_ok=True)
    PARAMS_FILE.write_text(params_to_json(params), encoding="utf-8")
    print(f"{chars} caractères, {time.perf_counter() - started:.1f} s; "
          f"{len(learned)} abréviations apprises ({', '.join(sorted(learned))}), "
          f"{len(params.abbrev_types)} au total → {PARAMS_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
