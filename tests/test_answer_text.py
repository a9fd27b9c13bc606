"""The Q&A reads words as the index does: one fold (`analysis.fold`) and one stemmer (`analysis.stem`)."""

from __future__ import annotations

import re

import pytest

from indexer.analysis import fold as index_fold
from indexer.analysis import stem as index_stem
from indexer.people import fold
from indexer.qa.text import STEM_CHARS, stem, tokens

TEXTS = [
    "Mme Mireille HINGREZ-CÉRÉDA", "L'Aéroport de Calais-Fréthun", "Œuvre ÆSIR", "straße", "Søren Łódź",
    "ﬁn de séance", "x² et ①", "Ａ plein chasse", "e\u0301lu décomposé", "« guillemets » — tiret ’apostrophe’",
    "espace\u00a0insécable\u202fet fine", "İstanbul", "Ǆ", "tarifs 2024 : 18 500 €", "", "   ",
]


@pytest.mark.parametrize("text", TEXTS)
def test_people_fold_is_the_index_fold_with_word_runs_collapsed(text: str) -> None:
    assert fold(text) == " ".join(re.sub("[^a-z0-9]+", " ", index_fold(text)).split())


def test_a_question_word_stems_as_in_the_index() -> None:
    """« délibérations » asked is « délibération » indexed: the same stem, cut at STEM_CHARS."""
    for word in ["deliberations", "elus", "aeroport", "subventions", "collegiens", "tarification"]:
        assert stem(word) == index_stem(word)[:STEM_CHARS]
    assert stem("deliberations") == stem("deliberation")
    assert tokens("L'Aéroport de Calais-Fréthun") == ["l", "aeroport", "de", "calais", "frethun"]


# -- Punkt and Snowball without NLTK ---------------------------------------------------------------

def _bundled_paragraphs() -> list[str]:
    from indexer.parse import parse_file
    from indexer.sentences import _PARAGRAPH_RE, _SPACES_RE

    from pathlib import Path

    record = parse_file(Path(__file__).resolve().parent.parent / "corpus" / "pas-de-calais-2025-09-22.txt")
    texts = [sp.text for sp in record.speeches] + [d.report for d in record.deliberations] + [w.text for w in record.wishes]
    return [p for t in texts for p in (_SPACES_RE.sub(" ", x).strip() for x in _PARAGRAPH_RE.split(t or "")) if p]


def test_sentences_split_as_nltk_punkt_does_with_the_shipped_parameters() -> None:
    """`indexer.punkt` is NLTK's Punkt tokenizer without NLTK: the same sentences, on the bundled session and
    on random strings of the punctuation Punkt decides on (abbreviations, initials, ellipses, quotes)."""
    import json
    import random
    from collections import defaultdict

    nltk_punkt = pytest.importorskip("nltk.tokenize.punkt")
    from indexer import sentences

    data = json.loads(sentences.PARAMS_FILE.read_text(encoding="utf-8"))
    params = nltk_punkt.PunktParameters()
    params.abbrev_types = sentences.abbreviations(data["abbrev_types"])
    params.collocations = {tuple(p) for p in data["collocations"]}
    params.sent_starters = set(data["sent_starters"])
    params.ortho_context = defaultdict(int, data["ortho_context"])
    ref, ours = nltk_punkt.PunktSentenceTokenizer(params), sentences.tokenizer()
    rnd = random.Random(7)
    pieces = list("aéB. .?!()«»\"'’-–,;:\n0123 ") + ["M.", "Mme", "art.", "J.", "1.", "--", "..", ". .", "”", "“", "LEROY", "Le", "le", "…"]
    texts = _bundled_paragraphs() + ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 40))) for _ in range(20000)]
    assert len(texts) > 20000
    assert [ours.tokenize(t) for t in texts] == [ref.tokenize(t) for t in texts]


def test_words_stem_as_nltk_snowball_french_does() -> None:
    import random

    nltk_snowball = pytest.importorskip("nltk.stem.snowball")
    from indexer.snowball_fr import FrenchStemmer

    words = {w.lower() for p in _bundled_paragraphs() for w in re.findall(r"\w+", p)}
    rnd = random.Random(3)
    letters = "aeiouyéèêëàâîïôûùüÿçœbcdfghjlmnpqrstvxz"
    words |= {"".join(rnd.choice(letters) for _ in range(rnd.randint(1, 14))) for _ in range(30000)}
    ref, ours = nltk_snowball.FrenchStemmer(), FrenchStemmer()
    assert [ours.stem(w) for w in sorted(words)] == [ref.stem(w) for w in sorted(words)]


def test_questions_and_search_import_no_nltk() -> None:
    """A cold process (a server's start, each CLI command) does not pay NLTK's import (~0.3 s)."""
    import subprocess
    import sys

    code = "import sys, indexer.answer, indexer.search, indexer.sentences, indexer.analysis; print('nltk' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
