"""Search over the bundled session: relevance, query language, facets, highlights."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.search import NOTICE_SYNTAX, parse_query, search, snippet

SID = "pas-de-calais-2025-09-22"

# (query, rank the expected hit must reach (1 = first), what the expected hit is)
# The expectation is a dict of Hit attributes; "id" is given without the session prefix.
RELEVANCE = [
    ("Palestine", 1, {"speaker": "Jean-Marc TELLIER", "kind": "intervention"}),
    ("tarif téléassistance", 1, {"speaker": "Maryse CAUWET", "kind": "intervention"}),
    ("2025-361", 1, {"id": "d/2025-361"}),
    ("délibération 361", 1, {"id": "d/2025-361"}),
    ("délibération n°361", 1, {"id": "d/2025-361"}),
    ("délib 2025-365", 1, {"id": "d/2025-365"}),
    ("orateur:pajot budget", 1, {"speaker": "Ludovic PAJOT", "item": "rapport-2"}),
    ('"service civique"', 1, {"kind": "voeu", "title": "Vœu de soutien au Service Civique"}),
    ("Mercosur", 1, {"kind": "voeu", "group": "Groupe Rassemblement National"}),
    ("Eurostar", 1, {"kind": "voeu", "group": "Groupe Socialiste, Républicain et Citoyen"}),
    ("\"heures d'ouverture des gares\"", 1, {"kind": "voeu", "group": "Groupe Communiste et Républicain"}),
    ("Renouveau du Bassin Minier", 1, {"kind": "voeu", "group": "Groupe Communiste et Républicain"}),
    ("Ukraine", 1, {"speaker": "Jean-Marc TELLIER"}),
    ("Netanyahou", 1, {"speaker": "Jean-Marc TELLIER"}),
    ("inondations", 3, {"speaker": "Jean-Claude LEROY", "item": "rapport-2"}),
    ("La Coupole", 3, {"speaker": "Benoît ROUSSEL"}),
    ("Fonds de Solidarité Urbaine", 3, {"speaker": "Emmanuelle LEVEUGLE"}),
    ("santé mentale", 3, {"speaker": "Caroline MATRAT"}),
    ("médecins généralistes", 3, {"speaker": "Hugo GILARDI"}),
    ("tourisme juillet août", 1, {"speaker": "Philippe DUQUESNOY"}),
    ("Mondial Assistance", 3, {"speaker": "Maryse CAUWET"}),
    ("RIFSEEP", 1, {"id": "d/2025-366"}),
    ("Personne Morale Organisatrice", 1, {"id": "d/2025-362"}),
    ("contrat local des solidarités", 3, {"id": "d/2025-363"}),
    ("partenariat éducatif collèges", 3, {"speaker": "Sophie WAROT-LEMAIRE"}),
    ("Rachid BEN AMOR", 1, {"speaker": "Jean-Claude LEROY"}),
    ("scrutin secret", 3, {"speaker": "Jean-Claude LEROY", "item": "rapport-5"}),
    ("rentrée scolaire", 1, {"speaker": "Mireille HINGREZ-CÉRÉDA"}),
    ("Pas-de-Calais Actif", 3, {"speaker": "Françoise VASSEUR"}),
    ("quorum", 1, {"speaker": "Jean-Claude LEROY", "item": "ouverture-de-la-seance"}),
    ("groupe:\"rassemblement national\" budget", 1, {"speaker": "Ludovic PAJOT"}),
    ("type:voeu gares", 2, {"kind": "voeu", "group": "Groupe Communiste et Républicain"}),
]


def _matches(hit, expected: dict) -> bool:
    for key, value in expected.items():
        actual = getattr(hit, key)
        if key == "id":
            actual = actual.removeprefix(SID + "/")
        if actual != value:
            return False
    return True


@pytest.mark.parametrize("query,rank,expected", RELEVANCE, ids=[r[0] for r in RELEVANCE])
def test_relevance(search_home: Path, query: str, rank: int, expected: dict) -> None:
    result = search(query, home=search_home, per_page=10)
    top = result.hits[:rank]
    assert any(_matches(h, expected) for h in top), \
        f"{query!r}: expected {expected} in top {rank}, got {[(h.id, h.speaker, h.kind) for h in result.hits[:5]]}"


def test_at_least_25_relevance_queries() -> None:
    assert len(RELEVANCE) >= 25


def test_snippets_are_escaped_and_marked(search_home: Path) -> None:
    hit = search("Palestine", home=search_home).hits[0]
    assert "<mark>Palestine</mark>" in hit.snippet
    assert "l&#x27;État" in hit.snippet  # escaped apostrophe, nothing raw
    assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


def test_snippet_escapes_html_in_text() -> None:
    out = snippet("Le <script>alert(1)</script> budget & les élus", {"budget", "elu"})
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert "<mark>budget</mark>" in out and "<mark>élus</mark>" in out


def test_hyphenated_name_with_or_without_hyphen(search_home: Path) -> None:
    a = search("HINGREZ-CEREDA", home=search_home)
    b = search("hingrez cereda", home=search_home)
    assert a.total > 0
    assert [h.id for h in a.hits] == [h.id for h in b.hits]


def test_elu_finds_elus(search_home: Path) -> None:
    result = search("élu", home=search_home, per_page=50)
    assert any("<mark>élus</mark>" in h.snippet for h in result.hits)


def test_accents_do_not_matter(search_home: Path) -> None:
    assert search("teleassistance", home=search_home).total == search("téléassistance", home=search_home).total > 0


def test_spelling_suggestion_restores_accents(search_home: Path) -> None:
    result = search("teleassistence", home=search_home)
    assert result.total == 0
    assert result.suggestion == "téléassistance"
    assert search("tarif teleassistence", home=search_home).suggestion == "tarif téléassistance"
    assert search("téléassistance", home=search_home).suggestion is None


def test_phrase_is_stricter_than_words(search_home: Path) -> None:
    words = search("service civique", home=search_home).total
    phrase = search('"service civique"', home=search_home).total
    assert 0 < phrase <= words


def test_or_and_exclusion(search_home: Path) -> None:
    a = search("Eurostar", home=search_home).total
    b = search("Mercosur", home=search_home).total
    both = search("Eurostar OR Mercosur", home=search_home)
    assert a + b >= both.total >= max(a, b)
    excluded = search("Mercosur -agriculture", home=search_home)
    assert all("voeu" != h.kind for h in excluded.hits)  # the RN vœu speaks of agriculture


def test_prefix_and_fuzzy(search_home: Path) -> None:
    assert search("téléassist*", home=search_home).total >= search("téléassistance", home=search_home).total > 0
    fuzzy = search("mercosr~", home=search_home)
    assert fuzzy.hits and fuzzy.hits[0].kind == "voeu"


def test_speaker_filter_as_parameter_and_in_query(search_home: Path) -> None:
    typed = search("orateur:hocq", home=search_home)
    param = search("", filters={"orateur": ["hocq"]}, home=search_home)
    assert typed.total == param.total == 2
    assert {h.speaker for h in typed.hits} == {"René HOCQ"}


def test_kind_filter_and_date_filters(search_home: Path) -> None:
    voeux = search("type:voeu", home=search_home)
    assert voeux.total == 5 and {h.kind for h in voeux.hits} == {"voeu"}
    assert search("type:voeu date:2025-09", home=search_home).total == 5
    assert search("type:voeu date:2024", home=search_home).total == 0
    assert search("type:voeu du:2025-01-01 au:2025-12-31", home=search_home).total == 5
    assert search("type:voeu au:2025-09-21", home=search_home).total == 0


def test_point_filter_by_number(search_home: Path) -> None:
    result = search("point:10", home=search_home, per_page=50)
    assert result.total > 0
    assert {h.item for h in result.hits} == {"rapport-10"}


def test_facets_count_and_multiselect(search_home: Path) -> None:
    result = search("budget", home=search_home)
    kinds = result.facets["kind"]
    assert sum(kinds.values()) == result.total
    assert set(result.facets) == {"speaker", "group", "item", "session", "kind", "year"}
    assert result.facets["year"] == {"2025": result.total}
    narrowed = search("budget", filters={"kind": ["intervention"]}, home=search_home)
    assert narrowed.total == kinds["intervention"]
    # multi-select: the kind facet still offers the other kinds while one is selected
    assert narrowed.facets["kind"] == kinds
    both = search("budget", filters={"kind": ["intervention", "voeu"]}, home=search_home)
    assert both.total == kinds["intervention"] + kinds.get("voeu", 0)


def test_sort_by_date_and_pagination(search_home: Path) -> None:
    p1 = search("budget", home=search_home, per_page=5, page=1)
    p2 = search("budget", home=search_home, per_page=5, page=2)
    assert len(p1.hits) == 5 and len(p2.hits) == 5
    assert not {h.id for h in p1.hits} & {h.id for h in p2.hits}
    by_date = search("budget", home=search_home, sort="date", per_page=50)
    assert by_date.total == p1.total
    assert [h.date for h in by_date.hits] == sorted((h.date for h in by_date.hits), reverse=True)


def test_pages_of_tied_hits_neither_overlap_nor_skip(tmp_path: Path) -> None:
    """Two copies of one session score their units the same: paging must list each hit once."""
    from indexer.index import index_paths

    text = (Path(__file__).resolve().parent.parent / "corpus" / "pas-de-calais-2025-09-22.txt").read_text(encoding="utf-8")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "copie-a.txt").write_text(text, encoding="utf-8")
    (folder / "copie-b.txt").write_text(text + "\n", encoding="utf-8")
    home = tmp_path / "home"
    assert not index_paths([folder], home=home).errors
    total = search("budget", home=home).total
    assert total > 40
    seen: list[str] = []
    for page in range(1, total // 7 + 2):
        seen += [h.id for h in search("budget", home=home, per_page=7, page=page).hits]
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize("query", ['"service civique', "orateur:", "foo:bar budget", "budget OR", "(budget",
                                   "*get", "type:nimporte budget"])
def test_bad_syntax_falls_back_to_words_with_notice(search_home: Path, query: str) -> None:
    result = search(query, home=search_home)
    assert result.notice and result.notice.startswith(NOTICE_SYNTAX)


def test_fallback_still_finds_words(search_home: Path) -> None:
    result = search('"service civique', home=search_home)
    assert result.total > 0 and result.hits[0].kind == "voeu"


def test_query_length_and_window_are_capped(search_home: Path) -> None:
    long = search("budget " * 200, home=search_home)
    assert long.notice
    deep = search("budget", home=search_home, page=10_000, per_page=500)
    assert deep.per_page == 100 and deep.page == 10


def test_parse_query_allow_list() -> None:
    pq = parse_query('orateur:"Jean-Claude LEROY" groupe:socialiste type:voeux date:2025-09 budget')
    assert pq.filters == {"speaker": ["Jean-Claude LEROY"], "group": ["socialiste"], "kind": ["voeu"],
                          "date": ["2025-09"]}
    assert [c.text for g in pq.groups for c in g] == ["budget"]
    assert parse_query("date:2025-13-45").notice  # not a date


def test_new_session_appears_without_restart(search_home: Path, tmp_path: Path) -> None:
    from indexer.index import index_paths

    home = tmp_path / "home"
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("Le conseil a débattu du zeppelin départemental.\n", encoding="utf-8")
    index_paths([src], home=home)
    assert search("zeppelin", home=home).total == 1
    assert search("hydravion", home=home).total == 0
    (src / "b.txt").write_text("Séance suivante : le hydravion remplace le zeppelin.\n", encoding="utf-8")
    index_paths([src], home=home)
    assert search("hydravion", home=home).total == 1  # same process, same engine, reopened


def test_cli_search_json(search_home: Path) -> None:
    env = dict(os.environ, MINUTES_HOME=str(search_home))
    out = subprocess.run([sys.executable, "-m", "indexer", "search", "orateur:pajot budget", "--json"],
                         capture_output=True, text=True, env=env, check=True)
    data = json.loads(out.stdout)
    assert {"total", "hits", "facets", "suggestion"} <= set(data)
    hit = data["hits"][0]
    assert {"id", "kind", "speaker", "group", "item", "session", "date", "page", "snippet", "score"} <= set(hit)
    assert hit["speaker"] == "Ludovic PAJOT"
    text = subprocess.run([sys.executable, "-m", "indexer", "search", "teleassistence"], capture_output=True,
                          text=True, env=env, check=True)
    assert "téléassistance" in text.stdout


@pytest.mark.slow
def test_benchmark_smoke_run(tmp_path: Path) -> None:
    """The benchmark script runs end to end at N=2 (small sessions) and reports every engine."""
    root = Path(__file__).resolve().parent.parent
    out_json = tmp_path / "bench.json"
    run = subprocess.run([sys.executable, str(root / "scripts" / "bench_search.py"), "--sizes", "2", "--queries", "20",
                          "--chars", "200000", "--procs", "1", "--workdir", str(tmp_path / "work"),
                          "--json", str(out_json)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    (figures,) = json.loads(out_json.read_text(encoding="utf-8"))
    assert figures["sessions"] == 2 and figures["units"] > 100
    ours = figures["engines"]["minutes"]
    assert ours["build_s"] > 0 and ours["index_mb"] > 0 and ours["add_one_s"] > 0 and ours["first_ms"] > 0
    for kind in ("new", "terms", "phrase", "filtered", "faceted", "cached"):
        for clock in ("cpu", "wall"):
            assert ours[kind][clock]["p95"] >= ours[kind][clock]["p50"] > 0, (kind, clock)
    assert figures["engines"]["fts5"]["new"]["wall"]["p95"] > 0
    assert ours["nonzero"] > 10  # the queries do find things
    assert "| 2 |" in run.stdout


def test_generated_corpus_is_deterministic() -> None:
    from indexer.benchgen import bundled_record, generate, source_paragraphs

    base, paragraphs = bundled_record(), source_paragraphs()
    a = [r.to_json() for r in generate(2, base=base, paragraphs=paragraphs, chars_per_session=100_000)]
    b = [r.to_json() for r in generate(2, base=base, paragraphs=paragraphs, chars_per_session=100_000)]
    assert a == b
    first, second = (json.loads(x) for x in a)
    assert first["session"]["date"] < second["session"]["date"]
    assert first["deliberations"][0]["number"] != second["deliberations"][0]["number"]
    assert first["speeches"][5]["text"] != second["speeches"][5]["text"]


def test_a_unit_without_words_does_not_spoil_the_ranking(tmp_path: Path) -> None:
    """A page holding only a quote mark (seen in a real scanned PDF) has no length in Whoosh:
    it must not turn every score into NaN and the order into noise."""
    from indexer.index import index_records
    from indexer.model import Passage
    from indexer.parse import parse_document
    from indexer.sources import read_source

    record = parse_document(read_source(Path(__file__).resolve().parent.parent / "corpus" / "pas-de-calais-2025-09-22.txt"))
    record.passages.append(Passage(id=f"{record.session.id}/p999", page=999, text='"'))
    index_records([record], home=tmp_path)
    hits = search("Palestine", home=tmp_path).hits
    assert hits[0].speaker == "Jean-Marc TELLIER"
    assert all(h.score == h.score for h in hits)  # no NaN


def test_an_expensive_query_is_cut_with_a_notice(search_home: Path) -> None:
    """A search past its time budget stops expanding and scoring, and says so in French."""
    words = "budget~2 OR conseil~2 OR collèges~2 OR logement~2 OR solidarité~2 OR insertion~2 OR santé~2"
    full = search(words, home=search_home, budget=None)
    assert full.notice is None and full.total > 0
    cut = search(words, home=search_home, budget=0.0)
    assert cut.notice and "Recherche écourtée" in cut.notice and "résultats partiels" in cut.notice
    assert cut.total <= full.total
    again = search(words, home=search_home, budget=None)  # nothing partial was kept in the caches
    assert again.total == full.total and [h.id for h in again.hits] == [h.id for h in full.hits]
