"""Sentence splitting with a Punkt model trained on the corpus.

The parameters (abbreviations such as "M.", "art.", "cf.", collocations, sentence
starters, orthographic context) are learnt by `scripts/train_punkt.py` (NLTK's trainer) and shipped
in `indexer/data/punkt-fr.json`; nothing is downloaded at run time.  Splitting uses `indexer.punkt`,
NLTK's Punkt tokenizer without importing NLTK (~0.3 s in every cold process).

    >>> split_sentences("M. LEROY ouvre la séance. Mme CAUWET présente l'art. 3.")
    ['M. LEROY ouvre la séance.', "Mme CAUWET présente l'art. 3."]
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from .punkt import Parameters, SentenceTokenizer

PARAMS_FILE = Path(__file__).resolve().parent / "data" / "punkt-fr.json"

#: French abbreviations added to what the trainer learns (lower case, no final dot).
SEED_ABBREVIATIONS = frozenset({
    "m", "mm", "mme", "mmes", "mlle", "dr", "me", "pr", "st", "ste", "art", "al", "cf", "p", "pp",
    "etc", "ex", "env", "av", "bd", "vol", "chap", "éd", "réf", "tél", "fig", "vs", "op", "cit",
    "ibid", "dép", "min", "max", "hab", "n", "no", "nos", "sqq", "apr", "janv", "févr", "fév",
    "avr", "juil", "sept", "oct", "nov", "déc",
})

#: Learnt "abbreviations" that are ordinary French words ending a sentence ("de bonne foi.").
NOT_ABBREVIATIONS = frozenset({"foi", "tot", "paz"})

_ELISIONS = ("'", "\u2019")  # Punkt cuts "l'art." into "l" + "'art."

_PARAGRAPH_RE = re.compile(r"\n\s*\n|\n(?=[-•·*]\s)")
_SPACES_RE = re.compile(r"\s+")  # what split_sentences collapses (as str.split does: re's \s is str.isspace)


def params_to_json(params) -> str:  # noqa: ANN001 - punkt.Parameters or NLTK's PunktParameters
    """Serialise Punkt parameters (sets and the ortho-context counter) to stable JSON."""
    data = {
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted([a, b] for a, b in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": dict(sorted(params.ortho_context.items())),
    }
    return json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True)


def params_from_json(text: str) -> Parameters:
    data = json.loads(text)
    params = Parameters()
    params.abbrev_types = abbreviations(data.get("abbrev_types", []))
    params.collocations = {tuple(pair) for pair in data.get("collocations", [])}
    params.sent_starters = set(data.get("sent_starters", []))
    params.ortho_context = defaultdict(int, data.get("ortho_context", {}))
    return params


def abbreviations(learned: list[str] | set[str]) -> set[str]:
    """Learnt + seed abbreviations, minus ordinary words, plus elided forms ("l'art.")."""
    base = (set(learned) | SEED_ABBREVIATIONS) - NOT_ABBREVIATIONS
    return base | {e + a for a in base if len(a) > 1 for e in _ELISIONS}


@lru_cache(maxsize=1)
def tokenizer() -> SentenceTokenizer:
    """The shipped tokenizer; with no shipped file, Punkt with the seed abbreviations only."""
    if PARAMS_FILE.exists():
        params = params_from_json(PARAMS_FILE.read_text(encoding="utf-8"))
    else:  # pragma: no cover - the file ships with the package
        params = Parameters()
        params.abbrev_types = abbreviations([])
    return SentenceTokenizer(params)


def split_sentences(text: str) -> list[str]:
    """Paragraphs, then Punkt sentences inside each; whitespace normalised, empties dropped."""
    tok = tokenizer()
    out: list[str] = []
    for para in _PARAGRAPH_RE.split(text):
        para = " ".join(para.split())  # whitespace runs as one space, trimmed
        if para:
            out.extend(s.strip() for s in tok.tokenize(para) if s.strip())
    return out
