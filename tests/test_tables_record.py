"""Tables of deliberations as tables: the split of a paragraph, the parsed record, the search
passages (a few rows each, titled by their table, ranked below speech), the page, a CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from indexer.index import index_records, load_record
from indexer.parse.report_tables import split_tables
from indexer.sources import read_source
from indexer.search import search
from indexer.units import units_of
from webapp import create_app

from .conftest import BUNDLED_TEXT

SID = "pas-de-calais-2025-09-22"
PIPES = re.compile(r"\S \| \S")  # cells joined by " | ": the pipe soup a reader must never see


@pytest.fixture(scope="module")
def budget_paragraph() -> str:
    """The paragraph of the bundled session's budget report that holds the « Fonction | Programme » table."""
    text = read_source(BUNDLED_TEXT).text
    return next(p for p in re.split(r"\n\s*\n", text) if "2 698 113,97" in p)


def test_a_paragraph_gives_prose_and_a_table_of_rows_and_cells(budget_paragraph):
    prose, tables = split_tables(budget_paragraph, 12, "rapport")
    assert not PIPES.search(prose)
    (table,) = tables
    assert table.header[0][:3] == ["Fonction", "Programme", "Actions"] and "Dépense" in table.header[-1]
    assert table.rows[0][:5] == ["2 ENSEIGNEMENT, FORMATION PROFESSIONNELLE ET APPRENTISSAGE", "Équipement collèges",
                                 "Équipement collèges", "2 698 113,97", "8 421 989,00"]
    assert table.page == 12 and table.part == "rapport"
    assert split_tables("Une phrase sans tableau.", 3, "rapport") == ("Une phrase sans tableau.", [])


@pytest.fixture(scope="module")
def with_table(tmp_path_factory, search_home, budget_paragraph):
    """The bundled session with the table set on deliberation 2025-361, indexed."""
    record = load_record(SID, home=search_home)
    d = record.deliberation("2025-361")
    _, tables = split_tables(budget_paragraph, None, "rapport")
    d.tables = tables * 2  # a long one (folded) and …
    d.tables[1] = type(tables[0])(title="Deux lignes", header=tables[0].header, rows=tables[0].rows[:2], part="rapport")
    home = tmp_path_factory.mktemp("tables-home")
    index_records([record], home=home)
    return home, record


def test_the_parsed_record_keeps_the_tables_and_no_pipe_in_its_texts(search_home):
    record = load_record(SID, home=search_home)
    d = record.deliberation("2025-361")
    assert len(d.tables) > 150 and {t.part for t in d.tables} >= {"rapport", "article 2"}
    budget = next(t for t in d.tables if any("2 698 113,97" in c for r in t.rows for c in r))
    assert budget.title.startswith("Total des crédits sollicités au titre de la fonction 2")
    assert budget.header[0][:3] == ["Fonction", "Programme", "Actions"]
    texts = [sp.text for sp in record.speeches] + [x.report for x in record.deliberations]
    texts += [a for x in record.deliberations for a in x.articles]
    assert not [t for t in texts if PIPES.search(t)]
    assert not [u.id for u in units_of(record) if PIPES.search(u.text) or PIPES.search(u.title)]


def test_a_table_row_is_a_search_passage_titled_by_its_table_below_speech(search_home):
    found = search("2 698 113,97", home=search_home)  # an amount as written, thousands separators and all
    (hit,) = [h for h in found.hits if h.kind == "tableau"]
    assert hit.title.startswith("Total des crédits sollicités au titre de la fonction 2")
    assert "2 698 113,97" in hit.snippet and "|" not in hit.snippet
    assert re.fullmatch(r"/deliberations/2025-361/tableau-\d+", hit.url)
    # words a speech and a table row both hold: the speech first
    found = search("équipement collèges", home=search_home, per_page=50)
    kinds = [h.kind for h in found.hits]
    assert "tableau" in kinds and kinds.index("intervention") < kinds.index("tableau")


def test_the_deliberation_page_shows_html_tables_folded_when_long(with_table):
    home, _ = with_table
    client = create_app({"MINUTES_HOME": str(home), "TESTING": True}).test_client()
    html = client.get("/deliberations/2025-361").get_data(as_text=True)
    block = html[html.index('id="t01"'):]
    block = block[:block.index("</table>")]
    assert "<td>2 698 113,97</td>" in block and '<th scope="col">Fonction</th>' in block
    assert "<details" in block.split("<table")[0]  # 9 rows: folded
    head = html[html.index('id="t02"'):]
    assert "<details" not in head[:head.index("<table")] and "Deux lignes" in head[:head.index("</caption>")]
    r = client.get("/deliberations/2025-361/tableau-1.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Fonction", "Programme", "Actions"]
    assert any(row[3:5] == ["2 698 113,97", "8 421 989,00"] for row in rows)
    assert client.get("/deliberations/2025-361/tableau-3.csv").status_code == 404


# -- a real PDF's tables, read from its layout, through every place a user reads them -------------

PIERREFONDS_PV = Path(__file__).resolve().parents[2] / "shared" / "corpus-multi" / "pierrefonds" / "20250403-PV.pdf"


@pytest.fixture(scope="module")
def pdf_home(tmp_path_factory):
    if not PIERREFONDS_PV.exists():
        pytest.skip(f"{PIERREFONDS_PV} absent")
    from indexer.index import index_paths

    home = tmp_path_factory.mktemp("tables-pdf")
    index_paths([PIERREFONDS_PV], home=home)
    return home


@pytest.fixture(scope="module")
def pdf_client(pdf_home):
    return create_app({"MINUTES_HOME": str(pdf_home), "TESTING": True}).test_client()


def test_the_deliberation_page_of_a_real_pdf_has_its_table_with_header_and_no_pipes(pdf_client):
    html = pdf_client.get("/deliberations/D2025-011").get_data(as_text=True)
    block = html[html.index('id="t01"'):]
    block = block[:block.index("</table>")]
    assert '<th scope="col">Fonctionnement</th>' in block and '<th scope="col">Investissement</th>' in block
    assert '<th scope="row">Recettes N</th><td>1 727 118,65</td>' in block
    assert not PIPES.search(html)
    r = pdf_client.get("/deliberations/D2025-011/tableau-1.csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Fonctionnement", "", "Investissement", ""]
    assert ["Résultat cumulé (002)", "169 666,04", "Résultat cumulé (001)", "423 718,27"] in rows
    twin = pdf_client.get("/deliberations/D2025-011/tableau-1.json").get_json()["table"]
    assert twin["header"] + twin["rows"] == rows and twin["in_deliberation"] == "/deliberations/D2025-011#t01"
    page = pdf_client.get("/deliberations/D2025-011/tableau-1").get_data(as_text=True)  # where a search hit leads
    assert "<td>1 727 118,65</td>" in page and "<details" not in page.split("<table")[0].split("</h1>")[1]
    assert pdf_client.get("/deliberations/D2025-011/tableau-9.json").status_code == 404


def test_the_session_page_folds_the_tables_of_each_decision(pdf_client):
    html = pdf_client.get("/seances/pierrefonds-2025-04-03").get_data(as_text=True)
    assert not PIPES.search(html)
    item = html[html.index('id="point-'):]
    folds = re.findall(r'<details class="fold tables-fold"><summary>([^<]+)</summary>', html)
    assert "4 tableaux de la décision (15 lignes)" in folds  # D2025-011: its tables, in place, folded
    assert "<td>1 727 118,65</td>" in item


def test_searching_an_amount_finds_the_row_titled_by_its_table_below_the_speech(pdf_home):
    found = search("1 727 118,65", home=pdf_home)  # the result of 2024, and the same figure in the 2025 budget
    assert {h.kind for h in found.hits} == {"tableau"}
    (hit,) = [h for h in found.hits if h.number == "D2025-011"]
    assert "affectation des résultats" in hit.title
    assert hit.item_title.startswith("Affectation des résultats 2024")
    assert "Fonctionnement : Recettes N ; 1 727 118,65" in re.sub(r"</?mark>", "", hit.snippet) and "|" not in hit.snippet
    found = search("subventions associations", home=pdf_home, per_page=100)
    kinds = [h.kind for h in found.hits]
    assert "tableau" in kinds and kinds.index("intervention") < kinds.index("tableau")


def test_questions_and_the_command_line_quote_no_pipe(pdf_home, monkeypatch):
    import subprocess
    import sys

    from indexer.answer import ask

    answer = ask("Quelles subventions ont été votées pour le judo ?", home=pdf_home)
    assert not [c.quote for c in answer.citations + answer.leads if "|" in c.quote]
    monkeypatch.setenv("MINUTES_HOME", str(pdf_home))
    out = subprocess.run([sys.executable, "-m", "indexer.cli", "search", "13 920 €"], capture_output=True,
                         text=True, check=True).stdout
    assert "13 920 €" in out and not PIPES.search(out)
