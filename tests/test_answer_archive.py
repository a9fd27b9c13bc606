"""Questions over an archive of several sessions: scope, named voters, causes, counts across sessions.

Reads a few real Pierrefonds minutes from ../shared (skipped when absent), indexed once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.answer import NOT_FOUND, ask
from indexer.index import index_paths

PIERREFONDS = Path(__file__).resolve().parents[2] / "shared" / "corpus-multi" / "pierrefonds"
FILES = ["compte-rendu-17-11-2015.pdf", "CM-26-juin-2023.pdf", "20250127-PV.pdf", "20250403-PV.pdf",
         "20241210-PV.pdf", "CM-19-octobre-2023.pdf", "CM-du-20-fevrier-2024.pdf"]

pytestmark = pytest.mark.skipif(not all((PIERREFONDS / f).exists() for f in FILES), reason="../shared absent")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = tmp_path_factory.mktemp("archive")
    index_paths([PIERREFONDS / f for f in FILES], home=h)
    return h


def test_a_year_without_session_says_so(home: Path) -> None:
    ans = ask("Qui était secrétaire de séance en 2019 ?", home=home)
    assert not ans.found and ans.citations == []
    assert ans.answer.startswith(NOT_FOUND) and "Aucune séance de 2019" in ans.answer


def test_a_day_without_session_says_so(home: Path) -> None:
    ans = ask("À quelle heure a commencé la séance du 15 juillet 2019 ?", home=home)
    assert not ans.found and "Aucune séance du 15 juillet 2019" in ans.answer


def test_a_dated_question_reads_only_that_session(home: Path) -> None:
    ans = ask("Qui était secrétaire de séance lors du conseil municipal du 26 juin 2023 ?", home=home)
    assert ans.found
    assert {c.date for c in ans.citations} == {"2023-06-26"}


def test_who_voted_against_names_them(home: Path) -> None:
    ans = ask("Qui a voté contre le passage de la taxe d'aménagement à 3 % en juin 2023 ?", home=home)
    assert ans.found and "PAPIN" in ans.answer and "LEBLANC" in ans.answer
    assert all(c.date == "2023-06-26" for c in ans.citations)
    assert any("PAPIN" in c.quote for c in ans.citations)


def test_nobody_voted_against_a_unanimous_vote(home: Path) -> None:
    ans = ask("Qui a voté contre la création d'une place de dépôt de bois ?", home=home)
    assert ans.found and "personne n'a voté contre" in ans.answer


def test_why_quotes_the_stated_cause(home: Path) -> None:
    ans = ask("Pourquoi M. Papin a-t-il quitté la séance du 27 janvier 2025 ?", home=home)
    assert ans.found and "mauvaise foi" in ans.answer
    assert ans.citations[0].date == "2025-01-27"


def test_a_why_without_stated_cause_is_not_answered_by_another_kind(home: Path) -> None:
    ans = ask("Pourquoi M. Papin a-t-il quitté la séance du 26 juin 2023 ?", home=home)
    assert not ans.found


def test_counting_the_sessions_of_a_year(home: Path) -> None:
    ans = ask("Combien de séances du conseil municipal de Pierrefonds se sont tenues en 2025 ?", home=home)
    assert ans.found and re.match(r"2 séances", ans.answer)
    assert {c.date for c in ans.citations} == {"2025-01-27", "2025-04-03"}


def test_yes_no_from_the_decision(home: Path) -> None:
    ans = ask("En novembre 2015, le conseil municipal a-t-il donné un avis favorable à la fusion des syndicats "
              "d'électricité SE60, SEZEO et Force Energies ?", home=home)
    assert ans.found and ans.answer.startswith("Oui")
    assert ans.citations[0].date == "2015-11-17"


def test_the_mayor_as_of_the_latest_session(home: Path) -> None:
    ans = ask("Qui est le maire ?", home=home)
    assert ans.found and "DEMOUY" in ans.answer and "3 avril 2025" in ans.answer


def test_a_refusal_is_dated_by_the_session_that_refused(home: Path) -> None:
    ans = ask("Lors de quelle séance le conseil municipal a-t-il refusé de verser l'indemnité de conseil au "
              "comptable du Trésor ?", home=home)
    assert ans.found and "17 novembre 2015" in ans.answer


def test_eval_reports_the_score_per_kind_column(tmp_path: Path) -> None:
    """A question file with a « kind » column gets its score per kind (first tag of the column)."""
    import io

    from indexer.answer import EvalRow, read_questions, report

    tsv = tmp_path / "q.tsv"
    tsv.write_text("id\tquestion\texpect_regex\tcorpus\tevidence\tkind\tnote\n"
                   "a\tQ1 ?\tNOT_FOUND\tx\t-\tnot-found;scoped\t\n"
                   "b\tQ2 ?\tfoo\tx\t-\twhy\t\n", encoding="utf-8")
    rows = read_questions(tsv)
    assert [r.family for r in rows] == ["not-found", "why"]
    rows = [EvalRow(**{**r.__dict__, "ok": r.id == "a"}) for r in rows]
    out = io.StringIO()
    report(rows, out)
    assert "par type : not-found 1/1 ; why 0/1" in out.getvalue()


def test_who_voted_against_one_part_of_a_deliberation_voted_part_by_part(home: Path) -> None:
    ans = ask("Qui a voté contre la subvention 2025 au Festival des forêts ?", home=home)
    assert ans.found and "Papin" in ans.answer and "Tanguy" in ans.answer
    assert "Leblanc" not in ans.answer.split("—")[0]  # he voted against L'Enceinte, not the festival


def test_abstentions_after_a_unanimity_formula_are_named(home: Path) -> None:
    ans = ask("Quels élus se sont abstenus sur le compte financier unique 2024 ?", home=home)
    assert ans.found and all(n in ans.answer for n in ("Debuisser", "Leblanc", "Papin", "Thuillier"))



def test_why_it_happens_is_not_answered_by_why_it_did_not(home: Path) -> None:
    # « dissous » is the « dissolution » of the minutes; « n'a pas été actée en raison de … » (Feb 2024)
    # explains why it did not happen yet, not why it happens
    ans = ask("Pourquoi le SMIOCE, le syndicat des classes d'environnement, va-t-il être dissous ?", home=home)
    assert ans.found and "difficultés structurelles" in ans.answer and ans.citations[0].date == "2023-10-19"
    ans = ask("Pourquoi la dissolution du SMIOCE n'a-t-elle pas été actée ?", home=home)
    assert ans.found and "absence de vote positif" in ans.answer
