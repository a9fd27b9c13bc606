"""Tables of the sources kept as tables: header, rows, CSV, one text per row, no pipes left."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from indexer.sources import read_source
from indexer.sources.tables import find_tables, row_texts, to_csv, without_tables

from .conftest import BUNDLED_TEXT


@pytest.fixture(scope="module")
def pages():
    return read_source(BUNDLED_TEXT, cache=False).pages


def test_the_budget_table_of_deliberation_2025_361_is_a_table(pages):
    found = [t for p in pages for t in find_tables(p.text) if any("2 698 113,97" in c for r in t.rows for c in r)]
    assert len(found) == 1
    (table,) = found
    names = table.column_names()
    assert names[:3] == ["Fonction", "Programme", "Actions"]
    assert names[3:5] == ["Section d'investissement BP 2025 (€) – Dépense", "Section d'investissement BP 2025 (€) – Recette"]
    first = table.rows[0]
    assert first[:5] == ["2 ENSEIGNEMENT, FORMATION PROFESSIONNELLE ET APPRENTISSAGE", "Équipement collèges",
                         "Équipement collèges", "2 698 113,97", "8 421 989,00"]
    assert all(len(r) == table.columns for r in table.rows + table.header)
    assert list(csv.reader(io.StringIO(to_csv(table)), delimiter=";")) == table.header + table.rows
    text = row_texts(table)[0]
    assert "Section d'investissement BP 2025 (€) – Dépense : 2 698 113,97" in text and "|" not in text


def test_no_pipe_separated_row_is_left_in_the_prose(pages):
    tables = [t for p in pages for t in find_tables(p.text) if t.rows]
    assert len(tables) > 300 and sum(len(t.rows) for t in tables) > 2000
    left = [line for p in pages for line in without_tables(p.text).split("\n") if " | " in line]
    assert not left, left[:5]


def test_a_caption_row_is_the_title_and_words_only_tables_have_a_header():
    text = ("Le rapport expose :\nTotal des crédits sollicités | | |\n | Fonctionnement | Investissement\n"
            "Dépenses | 0,00 € | - 371 556,96 €\nRecettes | 0,00 € | - 756 264,44 €\nSuite du rapport.\n"
            "Commune | Canton\nArras | Arras-1\nLens | Lens\n")
    first, second = find_tables(text)
    assert first.title == "Total des crédits sollicités"
    assert first.column_names() == ["colonne 1", "Fonctionnement", "Investissement"]
    assert first.rows == [["Dépenses", "0,00 €", "- 371 556,96 €"], ["Recettes", "0,00 €", "- 756 264,44 €"]]
    assert second.header == [["Commune", "Canton"]] and len(second.rows) == 2
    assert without_tables(text).split("\n") == ["Le rapport expose :", "Suite du rapport.", ""]


# -- tables of a real PDF, from the layout of its characters -----------------------------------

PIERREFONDS = Path(__file__).resolve().parents[2] / "shared" / "corpus-multi" / "pierrefonds"


@pytest.fixture(scope="module")
def pierrefonds_2025_04():
    path = PIERREFONDS / "20250403-PV.pdf"
    if not path.exists():
        pytest.skip(f"{path} absent")
    from indexer.parse import parse_document

    return parse_document(read_source(path, cache=False))


def test_a_budget_table_of_a_real_pdf_is_read_from_its_layout(pierrefonds_2025_04):
    d = pierrefonds_2025_04.deliberation("D2025-011")
    first = d.tables[0]
    assert first.header == [["Fonctionnement", "", "Investissement", ""]]
    assert first.rows[0] == ["Recettes N", "1 727 118,65", "Recettes N", "856 982,62"]
    assert ["Résultat cumulé (002)", "169 666,04", "Résultat cumulé (001)", "423 718,27"] in first.rows
    assert first.page == 4 and "affectation des résultats" in first.title


def test_labels_wrapped_over_lines_join_their_row_and_votes_stay_out_of_tables(pierrefonds_2025_04):
    record = pierrefonds_2025_04
    (grants,) = record.deliberation("D2025-012").tables
    labels = [row[0] for row in grants.rows]
    assert "Union nationale des combattants" in labels and "Compagnie d’arc de Pierrefonds" in labels
    assert ["TOTAL", "14 140 €", "20 520 €", "13 920 €", "13 920 €"] in grants.rows
    assert not [s.id for s in record.speeches if " | " in s.text or "1 727 118,65" in s.text]
    assert record.deliberation("D2025-012").vote is not None  # the vote below the table is still read


def test_every_table_of_the_pierrefonds_archive_leaves_no_pipe_in_the_texts():
    files = sorted(PIERREFONDS.glob("2024*.pdf"))
    if not files:
        pytest.skip(f"{PIERREFONDS} absent")
    from indexer.parse import parse_document

    tables = 0
    for path in files:
        record = parse_document(read_source(path))
        tables += sum(len(d.tables) for d in record.deliberations)
        texts = [s.text for s in record.speeches] + [p.text for p in record.passages]
        texts += [d.report for d in record.deliberations] + [a for d in record.deliberations for a in d.articles]
        assert not [t[:80] for t in texts if " | " in t], path.name
    assert tables >= 10
