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
