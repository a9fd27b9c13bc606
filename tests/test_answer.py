"""Q&A over the minutes: question kinds, citations, not-found behaviour, CLI, sentence splitting.

The questions live in TSV files (id, question, expect_regex or NOT_FOUND, note): the
shared development set and this project's own set, tests/questions.tsv.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from indexer.answer import NOT_FOUND, Answer, ask, citation_supports, evaluate, read_questions, report
from indexer.cli import main
from indexer.people import fold

ROOT = Path(__file__).resolve().parent.parent
OWN = ROOT / "tests" / "questions.tsv"
DEV = ROOT.parent / "shared" / "eval" / "questions-dev.tsv"


def _rows(path: Path):
    return [pytest.param(r, id=r.id) for r in read_questions(path)]


def _check(row, home: Path) -> Answer:
    ans = ask(row.question, home=home)
    if row.expect == "NOT_FOUND":
        assert not ans.found, f"{row.question!r} should not be answered, got {ans.answer!r}"
        assert ans.answer.startswith(NOT_FOUND)
        assert ans.citations == []
        return ans
    assert ans.found, f"{row.question!r}: no answer ({ans.kind})"
    assert re.search(row.expect, ans.answer, re.IGNORECASE) or re.search(row.expect, fold(ans.answer)), ans.answer
    assert 1 <= len(ans.citations) <= 3
    assert citation_supports(ans, row.expect), [c.quote for c in ans.citations]
    return ans


@pytest.mark.skipif(not DEV.exists(), reason="shared/eval not beside the repository")
@pytest.mark.parametrize("row", _rows(DEV) if DEV.exists() else [])
def test_dev_question(row, search_home: Path) -> None:
    _check(row, search_home)


@pytest.mark.parametrize("row", _rows(OWN))
def test_own_question(row, search_home: Path) -> None:
    _check(row, search_home)


def test_own_set_covers_every_kind() -> None:
    rows = read_questions(OWN)
    assert len(rows) >= 30
    assert sum(r.expect == "NOT_FOUND" for r in rows) >= 5
    notes = " ".join(r.note for r in rows)
    for kind in ("rapporteur", "chair", "secretary", "body head", "vote", "group position", "time", "when",
                 "wish", "proxy", "attendance", "how many", "who spoke", "quote", "deliberation number"):
        assert kind in notes, kind


def test_citations_point_to_permalinks(search_home: Path) -> None:
    ans = ask("Quel a été le résultat du vote sur le budget supplémentaire ?", home=search_home)
    assert ans.found and ans.kind == "vote"
    assert "54" in ans.answer and "24" in ans.answer
    urls = {c.url for c in ans.citations}
    assert "/deliberations/2025-361" in urls
    quote = next(c.quote for c in ans.citations if c.url == "/deliberations/2025-361")
    assert "Pour : 54 voix" in quote and "(Adopté)" in quote

    ans = ask("Qui a parlé de la Palestine ?", home=search_home)
    assert re.fullmatch(r"/seances/pas-de-calais-2025-09-22#s0(38|40)", ans.citations[0].url)
    assert "palestin" in ans.citations[0].quote.lower() and "TELLIER" in ans.citations[0].speaker


def test_not_found_offers_leads(search_home: Path) -> None:
    ans = ask("Quel a été le vote sur la construction d'un aéroport ?", home=search_home)
    assert not ans.found and ans.confidence == 0.0
    assert ans.answer.startswith("Je n'ai pas trouvé la réponse dans les procès-verbaux.")
    # nothing about an airport, but a tariff question that fails still gets its closest passages
    ans = ask("Le tarif de la téléassistance a-t-il changé ?", home=search_home)
    if not ans.found:
        assert ans.leads and any("7,03" in c.quote for c in ans.leads)


def test_former_directors_are_not_the_director(search_home: Path) -> None:
    """"Claude VALASEK et Ludovic CANON, anciens Directeurs de Pas-de-Calais Actif" is not an answer."""
    ans = ask("Qui est le directeur de Pas-de-Calais Actif ?", home=search_home)
    assert ans.found and "BARA" in ans.answer
    assert "VALASEK" not in ans.answer and "CANON" not in ans.answer


def test_empty_question_and_empty_home(tmp_path: Path, search_home: Path) -> None:
    assert not ask("   ", home=search_home).found
    ans = ask("Qui présidait la séance ?", home=tmp_path)
    assert not ans.found and "minutes index" in ans.answer


def test_ask_cli_json_contract(search_home: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MINUTES_HOME", str(search_home))
    assert main(["ask", "À quelle heure la séance a-t-elle été suspendue ?", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"question", "found", "answer", "kind", "confidence", "citations"}
    assert data["found"] is True and re.search(r"12\s*h\s*45", data["answer"])
    cite = data["citations"][0]
    assert set(cite) >= {"id", "session", "date", "speaker", "item", "quote", "url"}
    assert "12 heures 45" in cite["quote"]


def test_ask_cli_says_when_a_long_question_was_cut(search_home: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MINUTES_HOME", str(search_home))
    assert main(["ask", "Qui a présidé la séance ? " + "blabla " * 200]) == 0
    out = capsys.readouterr().out
    assert out.startswith("note : Question tronquée à 500 caractères")


def test_eval_cli_prints_figures(search_home: Path, monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setenv("MINUTES_HOME", str(search_home))
    tsv = tmp_path / "q.tsv"
    tsv.write_text("id\tquestion\texpect_regex\tnote\n"
                   "a\tQui était secrétaire de séance ?\tMALFAIT\t\n"
                   "b\tQui a présenté le rapport sur le tramway ?\tNOT_FOUND\t\n"
                   "c\tQui était secrétaire de séance ?\tDUPONT\tdeliberately wrong\n", encoding="utf-8")
    assert main(["eval", str(tsv)]) == 0
    out = capsys.readouterr().out
    assert "exactitude : 2/3" in out
    assert "citations exactes : 1/1" in out
    assert "« non trouvé » attendu : 1/1" in out
    assert "ÉCHEC c" in out


def test_eval_cli_missing_file(capsys) -> None:
    assert main(["eval", "/nonexistent/questions.tsv"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "questions.tsv" in err


def test_report_counts_wrong_answers_apart_from_refusals() -> None:
    rows = read_questions(OWN)[:2]
    canned = {rows[0].question: Answer(rows[0].question, True, "quelqu'un d'autre", "x", 0.9),
              rows[1].question: Answer(rows[1].question, False, NOT_FOUND, "x", 0.0)}
    import io

    out = io.StringIO()
    summary = report(evaluate(rows, lambda q: canned[q]), out)
    assert summary["wrong_answers"] == 1 and summary["declined_answerable"] == 1


# -- sentence splitting ----------------------------------------------------------------

def test_punkt_parameters_ship_and_know_french_abbreviations() -> None:
    from indexer.sentences import PARAMS_FILE, split_sentences, tokenizer

    assert PARAMS_FILE.exists()
    assert {"m", "mme", "art", "cf"} <= tokenizer()._params.abbrev_types
    text = ("Je cède la parole à M. LEROY, Président. Mme HINGREZ-CEREDA cite l'art. 3 du règlement, "
            "cf. p. 12. Le tarif est de 7,03 € par mois. Adopté !")
    assert split_sentences(text) == [
        "Je cède la parole à M. LEROY, Président.",
        "Mme HINGREZ-CEREDA cite l'art. 3 du règlement, cf. p. 12.",
        "Le tarif est de 7,03 € par mois.",
        "Adopté !",
    ]


def test_paragraphs_never_merge() -> None:
    from indexer.sentences import split_sentences

    assert split_sentences("Premier paragraphe sans point\n\nSecond paragraphe.") == [
        "Premier paragraphe sans point", "Second paragraphe."]


def test_yes_no_answers_follow_the_record(search_home: Path) -> None:
    """« à l'unanimité ? » is answered no when there were abstentions, yes when there were none."""
    ans = ask("Le budget supplémentaire a-t-il été voté à l'unanimité ?", home=search_home)
    assert ans.answer.startswith("Non")
    ans = ask("Le rapport sur la téléassistance a-t-il été adopté à l'unanimité ?", home=search_home)
    assert ans.answer.startswith("Oui") and "78" in ans.answer
    ans = ask("Mme Cécile YOSBERGUE était-elle présente ?", home=search_home)
    assert ans.answer.startswith("Non") and "MACIEJASZ" in ans.answer


def test_present_at_the_vote_is_not_the_roll_call(search_home: Path) -> None:
    ans = ask("Combien de conseillers étaient présents au moment du vote du budget supplémentaire ?", home=search_home)
    assert ans.found and "71" in ans.answer
    assert any("présents au moment du vote : 71" in c.quote for c in ans.citations)


EXTRA = ROOT.parent / "shared" / "corpus-extra"


@pytest.fixture(scope="module")
def mixed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled session plus three municipal councils' minutes in one index."""
    if not EXTRA.is_dir():
        pytest.skip("shared/corpus-extra not beside the repository")
    from indexer.index import index_paths

    home = tmp_path_factory.mktemp("mixed-home")
    summary = index_paths([ROOT / "corpus", EXTRA], home=home)
    assert not summary.errors, summary.errors
    return home


def test_questions_stay_within_the_council_they_name(mixed_home: Path) -> None:
    ans = ask("Qui présidait la séance du conseil municipal de Lannion ?", home=mixed_home)
    assert ans.found and "LE BIHAN" in ans.answer and ans.citations[0].session.startswith("lannion")
    ans = ask("Qui présidait la séance du conseil départemental du Pas-de-Calais ?", home=mixed_home)
    assert "LEROY" in ans.answer
    ans = ask("Qui est la directrice générale des services de L'Arbresle ?", home=mixed_home)
    assert ans.found and "ROJON" in ans.answer
    assert "Directrice générale des services" in ans.citations[0].quote


def test_ambiguous_number_prefers_latest_and_says_so(mixed_home: Path) -> None:
    ans = ask("Qui était le rapporteur du rapport n°3 ?", home=mixed_home)
    assert "MEQUIGNON" in ans.answer and "D'autres séances" in ans.answer


@pytest.mark.skipif(not DEV.exists(), reason="shared/eval not beside the repository")
def test_dev_set_on_a_mixed_index(mixed_home: Path) -> None:
    import io

    rows = evaluate(read_questions(DEV), lambda q: ask(q, home=mixed_home))
    summary = report(rows, io.StringIO())
    assert summary["accuracy"] == 1.0 and summary["wrong_answers"] == 0


MIXED = ROOT / "tests" / "questions-mixed.tsv"


@pytest.mark.parametrize("row", _rows(MIXED))
def test_mixed_index_question(row, mixed_home: Path) -> None:
    """Questions on the municipal minutes of shared/corpus-extra, asked of the mixed index."""
    _check(row, mixed_home)


def test_asked_rejected_answers_no_when_adopted(search_home: Path) -> None:
    ans = ask("Le rapport sur Pas-de-Calais Habitat a-t-il été rejeté ?", home=search_home)
    assert ans.answer.startswith("Non") and "adopté" in ans.answer


def test_a_rate_is_not_a_count(search_home: Path) -> None:
    """« 78 médecins généralistes pour 100 000 habitants » does not say how many inhabitants there are."""
    ans = ask("Combien d'habitants compte le Pas-de-Calais ?", home=search_home)
    assert not ans.found


def test_every_citation_opens_in_the_web_app(search_home: Path) -> None:
    """Each permalink of each answer is a page of the web app holding the cited anchor."""
    from webapp import create_app

    client = create_app({"MINUTES_HOME": str(search_home), "TESTING": True}).test_client()
    pages: dict[str, str] = {}
    checked = 0
    for row in read_questions(OWN):
        ans = ask(row.question, home=search_home)
        for c in ans.citations + ans.leads:
            path, _, fragment = c.url.partition("#")
            if path not in pages:
                resp = client.get(path)
                assert resp.status_code == 200, (row.id, c.url)
                pages[path] = resp.get_data(as_text=True)
            if fragment:
                assert f'id="{fragment}"' in pages[path], (row.id, c.url)
            checked += 1
    assert checked > 100


def test_a_council_absent_from_the_index_gets_no_answer_from_another(search_home: Path) -> None:
    """Only the Pas-de-Calais session is indexed: questions about L'Arbresle must not be answered from it."""
    for q in ("Qui était secrétaire de séance à L'Arbresle ?",
              "Qui présidait la séance du conseil municipal de Lannion ?",
              "À quelle heure a commencé la séance du conseil municipal ?"):
        assert not ask(q, home=search_home).found, q
    assert "MALFAIT" in ask("Qui était secrétaire de séance ?", home=search_home).answer


def test_a_question_fitting_two_wishes_names_both(search_home: Path) -> None:
    ans = ask("Qui a déposé le vœu sur les gares ?", home=search_home)
    assert ans.found and "2 vœux" in ans.answer
    assert "Socialiste" in ans.answer and "Communiste" in ans.answer
    assert len({c.url for c in ans.citations}) == 2


def test_two_deliberations_fitting_equally_are_not_guessed(search_home: Path) -> None:
    """« rapport d'activité » fits 2025-370 (services) and 2025-371 (EPOA) alike."""
    assert not ask("Quel est le numéro de la délibération sur le rapport d'activité ?", home=search_home).found
    ans = ask("Quel a été le vote sur le rapport d'activité des services départementaux ?", home=search_home)
    assert ans.found and "2025-370" in ans.answer


def test_large_index_reads_the_sessions_search_points_to(mixed_home: Path, monkeypatch) -> None:
    """Past ALL_SESSIONS_UP_TO sessions, the search index picks which sessions a question reads."""
    import indexer.answer as answer_mod

    monkeypatch.setattr(answer_mod, "ALL_SESSIONS_UP_TO", 1)
    monkeypatch.setattr(answer_mod, "CANDIDATE_SESSIONS", 2)
    from indexer.answer import _sessions, candidate_sessions

    sessions = _sessions(mixed_home)
    chosen = candidate_sessions(mixed_home, "Qui a présenté le rapport sur la téléassistance ?", sessions)
    assert len(chosen) < len(sessions) and any(s[1].startswith("pas-de-calais") for s in chosen)
    assert "CAUWET" in ask("Qui a présenté le rapport sur la téléassistance ?", home=mixed_home).answer
    assert "KERRAIN" in ask("Qui a présenté le rapport sur les Tardives à Lannion ?", home=mixed_home).answer


def test_concurrent_first_questions_prepare_each_session_once(search_home: Path, monkeypatch) -> None:
    """A burst of questions on a fresh server must not have every thread re-read the minutes."""
    import threading

    import shutil

    import indexer.answer as answer
    import indexer.qa.store as store

    builds: list[str] = []
    real_build = store.build

    def counting_build(record):
        builds.append(record.session.id)
        return real_build(record)

    monkeypatch.setattr(store, "build", counting_build)
    shutil.rmtree(search_home / "cache" / "qa", ignore_errors=True)  # as on a server just after indexing
    answer._record_knowledge.cache_clear()
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(ask("Qui a présidé la séance ?", home=search_home).found))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [True] * 8
    assert len(builds) == len(set(builds)) == 1


@pytest.mark.parametrize("text, expected", [
    ("lors de la séance plénière du 30 janvier 2023", []),
    ("le procès-verbal de la séance du 7 juillet 2025", []),
    ("signé le 22/09/2025", []),
    ("32 agents sont concernés", ["32"]),
    ("18 500 bénéficiaires en 2024", ["18 500"]),
    ("30 communes, janvier compris", ["30"]),
])
def test_the_day_of_a_date_is_not_a_quantity(text: str, expected: list[str]) -> None:
    """« Combien de séances ? » must not answer with "la séance du 30 janvier"."""
    from indexer.qa.retrieval import quantities

    assert [m.group(0) for m in quantities(text)] == expected


def test_a_soudre_participle_finds_its_noun():
    from indexer.qa.text import stem

    assert stem("dissous") == stem("dissoute") == stem("dissolution")
    assert stem("resolu") == stem("resolution") and stem("dissolution") != stem("resolution")


def test_quoted_names_must_be_in_the_evidence():
    from indexer.answer import quoted_names

    assert quoted_names("Quand a-t-on adopté « #Destination 62 » ?") == ["destination 62"]
    assert quoted_names("Qui a parlé du \"Pass Permis\" ?") == ["pass permis"]
    assert quoted_names("Qui a parlé du budget ?") == []


def test_an_answer_rests_on_a_sentence_naming_what_the_question_quotes(search_home: Path) -> None:
    # « TDF 62 à destination des Orchestres » holds the words of « Destination 62 », not the name
    ans = ask("Quand le Département a-t-il adopté le plan « Destination 62 » ?", home=search_home)
    assert not ans.found and ans.answer.startswith(NOT_FOUND)


def test_a_count_said_of_a_pronoun_and_the_figure_of_the_year_asked(search_home: Path) -> None:
    # « … l'intérêt des jeunes. Ils sont plus de 850 000 à avoir effectué une mission …, dont 150 000 en 2024 »
    ans = ask("Combien de jeunes ont effectué une mission de Service civique en 2024 ?", home=search_home)
    assert ans.found and ans.answer.startswith("150 000 en 2024")


def test_a_session_knowledge_reads_back_as_built(search_home: Path) -> None:
    """What questions read of a session is written at index time and loads back as built: the same
    sentences, stems, units and postings (stored as flat arrays, made into objects on access)."""
    from indexer.qa.knowledge import build
    from indexer.qa.store import cache_file, load_knowledge, record_key
    from indexer.records import load_record, read_manifest

    sid, entry = next(iter(read_manifest(search_home)["sessions"].items()))
    assert cache_file(search_home, sid, record_key(entry)).is_file()
    loaded = load_knowledge(search_home, sid, record_key(entry))
    built = build(load_record(sid, search_home))
    assert len(loaded.sentences) == len(built.sentences) > 1000
    assert all((a.text, a.toks, a.stems, a.unit) == (b.text, b.toks, b.stems, b.unit)
               for a, b in zip(loaded.sentences, built.sentences))
    assert {t: list(loaded.postings[t]) for t in loaded.postings.keys()} == \
        {t: list(built.postings[t]) for t in built.postings.keys()}
    assert [u.id for u in loaded.units] == [u.id for u in built.units]
    assert all(loaded.unit_stems[i] == built.unit_stems[i] for i in range(len(built.units)))


def test_the_session_table_is_written_at_index_time(mixed_home: Path, monkeypatch) -> None:
    """The table that picks a question's sessions is on disk after indexing (a server's first question
    reads one file) and names the sessions where the question's words are."""
    import indexer.answer as answer_mod
    from indexer.qa.sessions import Table, read_pickle, table_file, table_of

    sessions = answer_mod._sessions(mixed_home)
    keys = [(sid, key) for _, sid, key in sessions]
    assert isinstance(read_pickle(table_file(mixed_home, keys), Table), Table)
    table = table_of(mixed_home, keys)
    from indexer.qa.text import stem

    assert table.ranked_sessions([stem("chapelle"), stem("sainte"), stem("anne")])[0].startswith("lannion")
    assert table.ranked_sessions([stem("teleassistance")])[0].startswith("pas-de-calais")
    assert table.ranked_sessions([stem("zzzinconnu")]) == []
    without = [k for k in keys if not k[0].startswith("lannion")]  # another index state: another table
    assert not any(s.startswith("lannion") for s in table_of(mixed_home, without).ranked_sessions([stem("chapelle")]))


def test_session_knowledge_in_memory_is_bounded(mixed_home: Path, monkeypatch) -> None:
    """A server keeps the knowledge of the sessions asked about last, within a budget of sentences."""
    import indexer.answer as answer_mod
    import indexer.qa.store as store

    loads: list[str] = []
    real = store.load_knowledge

    def counting(home, sid, key):  # noqa: ANN001, ANN202
        loads.append(sid)
        return real(home, sid, key)

    monkeypatch.setattr(store, "load_knowledge", counting)
    sessions = answer_mod._sessions(mixed_home)
    sizes = [len(real(mixed_home, sid, key).sentences) for _, sid, key in sessions]
    cache = answer_mod.KnowledgeCache(budget=max(sizes) + min(sizes) + 2)
    for _, sid, key in sessions:
        assert cache(str(mixed_home), sid, key) is not None
    assert 1 <= len(cache) < len(sessions) and len(loads) == len(sessions)
    _, sid, key = sessions[-1]
    cache(str(mixed_home), sid, key)  # the last one asked about is still in memory
    assert len(loads) == len(sessions)


def test_a_session_dropped_from_memory_is_freed_without_the_cyclic_collector(mixed_home: Path) -> None:
    """A session's knowledge holds no reference cycle: when the cache drops it, its memory is freed at
    once (a cycle waits for a full collection, which walks every session kept: seconds at 100 sessions)."""
    import gc
    import weakref

    import indexer.answer as answer_mod
    from indexer.qa.store import load_knowledge

    _, sid, key = answer_mod._sessions(mixed_home)[-1]
    rk = load_knowledge(mixed_home, sid, key)
    assert rk is not None and len(rk.sentences) > 10
    for si in range(0, len(rk.sentences), 3):  # what questions make on access
        assert rk.sentences[si].stems is not None
    assert rk.unit_stems[0] is not None and len(rk.postings) > 0
    gone = weakref.ref(rk)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del rk
        assert gone() is None
    finally:
        if enabled:
            gc.enable()


def test_the_session_table_of_a_new_index_state_reads_only_the_changed_sessions(mixed_home: Path, tmp_path: Path,
                                                                                 monkeypatch) -> None:
    """Adding or re-parsing one session makes the table of every session's words from the previous table:
    only that session's part is read (at 100 sessions: 2.4 s → 0.08 s), and the table ranks sessions as
    one made from every session's part."""
    import shutil

    import numpy as np

    import indexer.answer as answer_mod
    from indexer.qa import sessions as S
    from indexer.qa.store import cache_file

    home = tmp_path / "home"
    shutil.copytree(mixed_home, home)
    keys = [(sid, key) for _, sid, key in answer_mod._sessions(home)]
    assert len(keys) >= 4
    parts = {k: S.read_pickle(S.summary_file(cache_file(home, *k)), S.Summary) for k in keys}
    stems = sorted(S.Table.of(keys, [parts[k] for k in keys])._ids)
    read: list[Path] = []
    real = S.read_pickle

    def counting(path, kind):  # noqa: ANN001, ANN202
        if kind is S.Summary:
            read.append(path)
        return real(path, kind)

    monkeypatch.setattr(S, "read_pickle", counting)
    replaced = keys[1][0], "a-new-parse"
    parts[replaced] = parts[keys[1]]
    for before, after in [(keys[:-1], keys), (keys[:2] + keys[3:], keys), (keys, keys[:1] + [replaced] + keys[2:])]:
        S.drop_stale_tables(home, None)
        S._tables.clear()
        monkeypatch.setattr(S, "read_pickle", real)
        S.table_of(home, before)
        monkeypatch.setattr(S, "read_pickle", counting)
        read.clear()
        table = S.table_of(home, after)
        assert len(read) == 1  # the one new session
        whole = S.Table.of(after, [parts[k] for k in after])
        assert np.array_equal(table.chunk_session, whole.chunk_session)
        assert np.array_equal(table.chunk_len, whole.chunk_len)
        for k in range(0, len(stems), 7):
            assert table.ranked_sessions(stems[k:k + 3]) == whole.ranked_sessions(stems[k:k + 3])


def test_a_session_table_made_from_the_previous_one_writes_only_the_new_postings(mixed_home: Path, tmp_path: Path,
                                                                                 monkeypatch) -> None:
    """Adding a session keeps the previous table's postings in their file (at 100 sessions, rewriting them
    wrote 47 MB for each session added) and writes the new session's only; past MAX_LAYERS layers they are
    merged into one; after the older tables are dropped, each table read back ranks as one made whole."""
    import shutil

    import indexer.answer as answer_mod
    from indexer.qa import sessions as S
    from indexer.qa.store import cache_file, chunks_file

    home = tmp_path / "home"
    shutil.copytree(mixed_home, home)
    keys = [(sid, key) for _, sid, key in answer_mod._sessions(home)]
    parts = {k: S.read_pickle(S.summary_file(cache_file(home, *k)), S.Summary) for k in keys}
    monkeypatch.setattr(S, "MAX_LAYERS", 2)
    S.drop_stale_tables(home, None)
    S._tables.clear()
    S.table_of(home, keys[:1])
    layers = []
    for n in range(2, len(keys) + 1):
        S._tables.clear()  # another process: the previous table from its files
        S.table_of(home, keys[:n])
        path = S.table_file(home, keys[:n])
        S.drop_stale_tables(home, path)
        S._tables.clear()
        table = S.table_of(home, keys[:n])
        whole = S.Table.of(keys[:n], [parts[k] for k in keys[:n]])
        layers.append(len(table.layers))
        new_postings = int(whole.layers[0].off[-1]) - int(S.Table.of(keys[:n - 1], [parts[k] for k in keys[:n - 1]])
                                                        .layers[0].off[-1])
        if len(table.layers) > 1:  # the new layer's file holds the new session's postings only
            assert chunks_file(path).stat().st_size < 4 * new_postings + 200
        stems = sorted(whole._ids)
        for k in range(0, len(stems), 5):
            assert table.ranked_sessions(stems[k:k + 3]) == whole.ranked_sessions(stems[k:k + 3])
    assert layers[:3] == [2, 1, 2]  # merged when a third layer came


def test_past_max_layers_the_newer_layers_are_merged_and_the_archive_layer_kept() -> None:
    """Nine sessions added one by one to an archive's table: the newer layers are merged into one, the
    archive's own (a hundred times larger) is left in its file; every chunk keeps its stems."""
    import numpy as np

    from indexer.qa import sessions as S

    def layer(first: int, n: int) -> S.Layer:  # n chunks holding stem 0, the even ones stem 1 too
        zero, one = np.arange(first, first + n, dtype=np.int32), np.arange(first, first + n, 2, dtype=np.int32)
        return S.Layer(np.asarray([0, len(zero), len(zero) + len(one)], dtype=np.int64), np.concatenate([zero, one]))

    layers = [layer(0, 1000)] + [layer(1000 + 10 * k, 10) for k in range(S.MAX_LAYERS)]
    out = S._compacted(layers, 2)
    assert len(out) == 2 and out[0] is layers[0]
    assert sorted(out[1].chunks_of(0).tolist()) == list(range(1000, 1000 + 10 * S.MAX_LAYERS))
    assert sorted(out[1].chunks_of(1).tolist()) == list(range(1000, 1000 + 10 * S.MAX_LAYERS, 2))
    assert S._compacted(layers[:S.MAX_LAYERS], 2) == layers[:S.MAX_LAYERS]


class _Planted:
    """A pickle that runs a command when loaded by an unrestricted unpickler."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204
        import os

        return (os.system, (f"touch {self.marker}",))


def test_a_replaced_question_cache_file_cannot_run_code(search_home: Path, tmp_path: Path) -> None:
    """The Q&A caches are read by an unpickler that builds only their own classes: a file planted in
    $MINUTES_HOME/cache is refused, and the question is answered from the record as before."""
    import pickle
    import shutil

    import indexer.answer as answer_mod
    from indexer.qa import sessions as S
    from indexer.qa.store import cache_file

    home = tmp_path / "home"
    shutil.copytree(search_home, home)
    marker = tmp_path / "ran"
    (_, sid, key), = answer_mod._sessions(home)
    planted = pickle.dumps(_Planted(marker))
    cache_file(home, sid, key).write_bytes(planted)
    S.summary_file(cache_file(home, sid, key)).write_bytes(planted)
    answer_mod._record_knowledge.cache_clear()
    ans = ask("À quelle heure la séance a-t-elle été suspendue ?", home=home)
    assert ans.found and "12 h 45" in ans.answer
    assert S.read_pickle(S.summary_file(cache_file(home, sid, key)), S.Summary) is None
    assert not marker.exists()


def test_sentences_matching_a_pattern_are_those_a_scan_finds(mixed_home: Path) -> None:
    """The search over a session's joined sentences finds exactly the sentences a scan of each finds."""
    import indexer.answer as answer_mod
    from indexer.qa.store import load_knowledge

    patterns = [r"\d", r"\b1[0-9]\s*(?:h|heures?)\b", r"LEROY|CAUWET", r"\.\s*\w", r"(?<![\w,.])\d{1,3}(?: \d{3})+",
                r"[a-z]\s+[A-Z]", r"délibér"]
    for _, sid, key in answer_mod._sessions(mixed_home):
        rk = load_knowledge(mixed_home, sid, key)
        texts = rk.texts
        assert list(texts) == [rk.sentences[i].text for i in range(len(rk.sentences))]
        for pat in map(re.compile, patterns):
            assert list(texts.matching(pat)) == [i for i, t in enumerate(texts) if pat.search(t)], pat.pattern


def test_since_a_year_is_a_range_not_a_year() -> None:
    """« depuis 2010 » reads every session from 2010 on; it does not ask for sessions of 2010."""
    from indexer.qa.scope import scope_of

    assert scope_of("combien de jeunes ont effectue une mission depuis 2010").since == 2010
    assert scope_of("combien de jeunes ont effectue une mission depuis 2010").years == ()
    assert scope_of("combien de jeunes depuis l annee 2010 dont en 2024").years == (2024,)
    assert scope_of("comment le tarif a t il evolue entre 2017 et 2020").since is None
    assert scope_of("depuis 2018 jusqu en 2020").years == (2018, 2020)


def test_since_a_year_without_a_session_from_then_says_so(search_home: Path) -> None:
    ans = ask("Combien de projets Pas-de-Calais Actif a-t-il soutenus depuis 2030 ?", home=search_home)
    assert not ans.found and "aucune séance depuis 2030" in ans.answer.lower()
    assert "18 000" in ask("Combien de projets Pas-de-Calais Actif a-t-il soutenus depuis 1995 ?", home=search_home).answer


def test_a_decision_outcome_frames_the_question_it_is_not_its_topic() -> None:
    """« … n'a-t-elle pas été retenue », « le marché attribué à X » say what was decided, like « adopté »:
    the minutes write « passer un marché avec X », « l'offre … mais il manquait … »."""
    from indexer.qa.common import topic_stems

    assert topic_stems("pourquoi l offre n a t elle pas ete retenue") == ["offre"]
    assert "attribu" not in topic_stems("quel prix prevoyait le marche attribue a sagere")
