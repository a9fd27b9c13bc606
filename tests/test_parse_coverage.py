"""Coverage: a parse says what it could not read, page by page, never silently."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from indexer.model import Record
from indexer.parse import parse_document
from indexer.parse.coverage import quality_line
from indexer.sources import Document, Page

ROOT = Path(__file__).resolve().parents[1]


def _doc(pages: list[str], name: str = "releve-2024-05-02.txt") -> Document:
    return Document(path=Path(name), pages=[Page(i, t) for i, t in enumerate(pages, 1)], warnings=[],
                    kind="text", sha256="0" * 64)


def test_unread_decisions_give_a_warning_naming_the_page():
    doc = _doc(["Relevé des décisions de l'assemblée du 2 mai 2024.\nPoint sur les travaux.",
                "Subvention au club.\nAprès en avoir délibéré, le Conseil, à l'unanimité, approuve la subvention.\n"
                "Tarifs de la cantine.\nLe Conseil, après en avoir délibéré, par 12 voix pour et 3 contre, adopte les tarifs."])
    record = parse_document(doc)
    assert record.layout == "pages"  # no layout recognised: the decisions are not read
    assert record.coverage.decision_formulas == 2 and record.coverage.votes_read == 0
    assert "page 2 : 2 formules de décision, 0 vote lu" in record.warnings
    assert record.coverage.partial
    assert quality_line(record).startswith("lecture partielle")


def test_a_complete_reading_is_said_complete():
    doc = _doc(["COMMUNE DE SAINT-EXEMPLE\nCompte rendu du conseil municipal du 2 mai 2024\n"
                "sous la présidence de Monsieur Jean DUPONT, Maire.\n"
                "1. Subvention au club de football\nMonsieur DUPONT présente le dossier.\n"
                "Le Conseil Municipal, après en avoir délibéré, à l'unanimité, approuve la subvention.\n"
                "2. Tarifs de la cantine\n"
                "Le Conseil Municipal, après en avoir délibéré, par 12 voix pour et 3 contre, adopte les tarifs."])
    record = parse_document(doc)
    c = record.coverage
    assert (c.decision_formulas, c.votes_read, c.items, c.decided_items) == (2, 2, 2, 2)
    assert not c.partial and not [w for w in record.warnings if "formule" in w]
    assert "2024-05-02" in c.dates_seen
    assert quality_line(record).startswith("lecture complète : 2 points sur")


def test_records_written_before_coverage_still_load():
    record = parse_document(_doc(["COMMUNE DE X\nconseil municipal du 2 mai 2024\n1. Budget\nAdopté à l'unanimité."]))
    data = record.to_dict()
    del data["coverage"]
    for d in data["deliberations"]:
        del d["numbered"]
    old = Record.from_dict(json.loads(json.dumps(data)))
    assert old.coverage is None and old.deliberations[0].numbered
    assert quality_line(old) == "lecture : couverture non mesurée"
    again = Record.from_json(record.to_json())
    assert again.coverage == record.coverage


def test_minutes_parse_prints_one_quality_line(tmp_path):
    src = tmp_path / "cm-2024-05-02.txt"
    src.write_text("COMMUNE DE X\nCompte rendu du conseil municipal du 2 mai 2024\n1. Budget primitif\n"
                   "ADOPTÉ À L'UNANIMITÉ\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "indexer", "parse", str(src), "--json"], capture_output=True,
                         text=True, cwd=ROOT, env={"MINUTES_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0
    lines = [ln for ln in out.stderr.splitlines() if "lecture" in ln]
    assert len(lines) == 1 and "lecture complète : 1 point sur" in lines[0]
    assert json.loads(out.stdout)["coverage"]["votes_read"] == 1


def _gaps_doc() -> Document:
    """Two pages whose decisions no layout reads, and a date in the opening: a warning for page 2."""
    return _doc(["Relevé des décisions de l'assemblée du 2 mai 2024.\n1. Travaux de voirie du centre\n"
                 "2. Subvention au club de football", "Subvention au club.\nAprès en avoir délibéré, le Conseil, "
                 "à l'unanimité, approuve la subvention.\nTarifs de la cantine.\nLe Conseil, après en avoir "
                 "délibéré, par 12 voix pour et 3 contre, adopte les tarifs."])


def test_signals_counted_by_another_process_give_the_same_coverage_and_warnings():
    """`minutes index` of one file counts its text's signals in a pool worker while it parses."""
    from indexer.index_worker import signals_job
    from indexer.sources.pdf import new_pool, stop_pool

    alone = parse_document(_gaps_doc())
    pool = new_pool(1)
    try:
        counted = pool.submit(signals_job, _gaps_doc())
        beside = parse_document(_gaps_doc(), counted.result)
        assert counted.done()
    finally:
        stop_pool(pool)
    assert alone.coverage.decision_formulas == 2 and "page 2 : 2 formules de décision, 0 vote lu" in alone.warnings
    assert alone.coverage.dates_seen == ["2024-05-02"]
    assert beside.coverage == alone.coverage and beside.warnings == alone.warnings


def test_signals_that_could_not_be_counted_elsewhere_are_counted_by_the_parse():
    def broken():
        raise RuntimeError("worker died")

    alone = parse_document(_gaps_doc())
    again = parse_document(_gaps_doc(), broken)
    assert again.coverage == alone.coverage and again.warnings == alone.warnings
    assert alone.coverage.decision_formulas == 2
