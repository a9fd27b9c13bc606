"""French analysis: what a searcher types finds what the minutes say."""

from __future__ import annotations

import pickle

from hypothesis import given, strategies as st

from indexer import analysis
from indexer.analysis import analyze, fold, spans, stem
from indexer.search.whoosh_analysis import FastPositions, FrenchAnalyzer


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


def test_analysis_imports_no_search_engine() -> None:
    import subprocess
    import sys

    code = "import sys, indexer.analysis as a; a.analyze('élus'); print(any(m.startswith('whoosh') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_index_written_before_the_move_still_opens(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Indexes written before the Whoosh classes moved pickled them as indexer.analysis.*."""
    from whoosh import index as whoosh_index
    from whoosh.qparser import QueryParser

    from indexer.units import make_schema

    for cls in (FrenchAnalyzer, FastPositions):
        monkeypatch.setattr(cls, "__module__", "indexer.analysis")
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    with ix.writer() as w:
        w.add_document(id="s1", text="Les élus ont adopté les délibérations du budget supplémentaire.")
    monkeypatch.undo()
    toc = b"".join(p.read_bytes() for p in tmp_path.glob("*.toc"))
    assert b"indexer.analysis" in toc and b"whoosh_analysis" not in toc
    ix = whoosh_index.open_dir(str(tmp_path))
    assert isinstance(ix.schema["text"].analyzer, FrenchAnalyzer)
    with ix.searcher() as s:
        for words in ("élu délibération", '"budget supplémentaire"'):
            assert [h["id"] for h in s.search(QueryParser("text", ix.schema).parse(words))] == ["s1"], words
    assert analysis.FrenchAnalyzer is FrenchAnalyzer and analysis.FastPositions is FastPositions


def test_stems_of_the_snowball_french_stemmer() -> None:
    """nltk's Snowball French, after the light plural rule, accents folded."""
    assert [stem(w) for w in ("délibérations", "élus", "budgétaires", "collèges", "adoptée", "communautés")] == \
        ["deliber", "elu", "budgetair", "colleg", "adopt", "communaut"]


@given(st.text(max_size=200))
def test_analysis_never_fails_and_terms_are_folded(text: str) -> None:
    for term in analyze(text):
        assert term and term == fold(term)
