"""French analysis: what a searcher types finds what the minutes say."""

from __future__ import annotations

import pickle

from hypothesis import given, strategies as st

from indexer.analysis import FrenchAnalyzer, analyze, fold, spans


def same(a: str, b: str) -> bool:
    return analyze(a) == analyze(b) and bool(analyze(a))


def test_lowercase_and_accents_folded() -> None:
    assert same("TÉLÉASSISTANCE", "teleassistance")
    assert same("Œuvre", "oeuvre")
    assert fold("Cœur Ægée Élue") == "coeur aegee elue"


def test_elisions_removed() -> None:
    for text, word in [("l'assemblée", "assemblée"), ("d'emplois", "emplois"), ("qu'elle", ""),
                       ("jusqu'au", ""), ("lorsqu'il", ""), ("n'était", "était"), ("s'engager", "engager"),
                       ("j'arrive", "arrive"), ("c'est", ""), ("l’État", "État")]:
        assert analyze(text) == analyze(word), text


def test_stopwords_include_les_and_a() -> None:
    assert analyze("les élus a la") == analyze("élus")
    assert analyze("le la les de des du et à a") == []


def test_stemming_singular_finds_plural() -> None:
    assert same("élu", "élus")
    assert same("délibération", "délibérations")
    assert same("collège", "collèges")
    assert same("budgétaire", "budgétaires")


def test_numbers_kept_whole() -> None:
    assert analyze("délibération n°2025-361") == analyze("délibération") + ["2025-361"]
    assert "7,03" in analyze("une hausse de 7,03 %")
    assert "18500" in analyze("18 500 euros")
    assert "18500" in analyze("18\u00a0500 €") and "18500" in analyze("18500")
    assert analyze("en 2024 300 jeunes") == ["2024", "300", "jeun"]  # a year is not a thousands group


def test_hyphenated_names_with_or_without_hyphen() -> None:
    assert same("HINGREZ-CEREDA", "hingrez cereda")
    assert same("Mireille HINGREZ-CÉRÉDA", "mireille hingrez cereda")
    assert same("WAROT-LEMAIRE", "warot lemaire")


def test_spans_point_at_the_original_words() -> None:
    text = "Les élus d'HINGREZ-CÉRÉDA"
    assert [text[s:e] for _, s, e in spans(text)] == ["élus", "HINGREZ", "CÉRÉDA"]


def test_whoosh_analyzer_matches_analyze_and_pickles() -> None:
    analyzer = pickle.loads(pickle.dumps(FrenchAnalyzer()))
    text = "Le budget supplémentaire de l'exercice 2025, adopté par 54 voix."
    tokens = [(t.text, t.pos) for t in analyzer(text, positions=True)]
    assert [t for t, _ in tokens] == analyze(text)
    assert [p for _, p in tokens] == list(range(len(tokens)))


@given(st.text(max_size=200))
def test_analysis_never_fails_and_terms_are_folded(text: str) -> None:
    for term in analyze(text):
        assert term and term == fold(term)
