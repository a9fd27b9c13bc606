"""The PDF path gives the same speeches as the text path.

The PDF is generated from the procès-verbal part of the bundled session (see
tests/pdfgen.py): running header and `Page N sur M` on every page, text wrapped at a
fixed width with words hyphenated across line ends, compounds broken after their
own hyphen.  Parsing it must give the speeches the text path gives.
"""

from __future__ import annotations

import re

import pytest

from indexer.parse import parse_document
from indexer.sources import read_source


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def both(pv_pdf, tmp_path_factory):
    import os

    home = tmp_path_factory.mktemp("pdf-path-home")
    old = os.environ.get("MINUTES_HOME")
    os.environ["MINUTES_HOME"] = str(home)
    try:
        text_doc = read_source(pv_pdf.text)
        pdf_doc = read_source(pv_pdf.pdf)
        yield text_doc, pdf_doc, parse_document(text_doc), parse_document(pdf_doc)
    finally:
        if old is None:
            os.environ.pop("MINUTES_HOME", None)
        else:
            os.environ["MINUTES_HOME"] = old


def test_generated_pdf_is_a_real_multipage_pdf(both):
    _, pdf_doc, _, _ = both
    assert pdf_doc.kind == "pdf"
    assert len(pdf_doc.pages) > 30
    assert [p.number for p in pdf_doc.pages] == list(range(1, len(pdf_doc.pages) + 1))


def test_running_headers_and_page_numbers_are_gone(both):
    _, pdf_doc, _, _ = both
    text = pdf_doc.text
    assert "SEANCE DU CONSEIL DEPARTEMENTAL DU 22 SEPTEMBRE 2025" not in text
    assert not re.search(r"Page \d+ sur \d+", text)


def test_same_speeches_as_the_text_path(both):
    _, _, from_text, from_pdf = both
    assert from_text.layout == from_pdf.layout == "departmental"
    assert len(from_text.speeches) == 90  # the whole procès-verbal is in the generated PDF
    assert len(from_pdf.speeches) == len(from_text.speeches)
    same = sum(_flat(a.text) == _flat(b.text) for a, b in zip(from_text.speeches, from_pdf.speeches))
    assert same >= 0.99 * len(from_text.speeches), f"only {same}/{len(from_text.speeches)} identical"
    assert [s.label for s in from_pdf.speeches] == [s.label for s in from_text.speeches]
    assert [s.person_id for s in from_pdf.speeches] == [s.person_id for s in from_text.speeches]


def test_speeches_carry_pdf_page_numbers(both):
    _, pdf_doc, _, from_pdf = both
    pages = [s.page for s in from_pdf.speeches]
    assert all(isinstance(p, int) and 1 <= p <= len(pdf_doc.pages) for p in pages)
    assert pages == sorted(pages)
    assert pages[-1] > pages[0]


def test_hyphenated_line_ends_are_rejoined(both):
    text_doc, pdf_doc, _, _ = both
    text_words = set(text_doc.text.split())
    pdf_words = pdf_doc.text.split()
    # no word fragment ending in a hyphen is left over (the text itself has none)
    dangling = [w for w in pdf_words if w.endswith("-") and w[:-1].isalpha()]
    assert not dangling, dangling[:10]
    unknown = [w for w in pdf_words if w not in text_words]
    assert len(unknown) <= 0.001 * len(pdf_words), unknown[:20]


@pytest.mark.slow
def test_whole_session_as_a_pdf_gives_the_same_record(tmp_path, monkeypatch):
    """All 675 pages: procès-verbal, vœux, deliberations and annexed reports with their tables."""
    from . import pdfgen
    from .conftest import BUNDLED_TEXT

    monkeypatch.setenv("MINUTES_HOME", str(tmp_path))
    text_doc = read_source(BUNDLED_TEXT)
    pdf = tmp_path / "pas-de-calais-2025-09-22.pdf"
    pdfgen.minutes_pdf(text_doc.text, pdf)
    from_text, from_pdf = parse_document(text_doc), parse_document(read_source(pdf))

    assert [_flat(s.text) for s in from_pdf.speeches] == [_flat(s.text) for s in from_text.speeches]

    def vote(v):
        return (v.for_, v.against, v.abstention, v.absent, v.result, v.deliberation, v.item)

    assert [vote(v) for v in from_pdf.votes] == [vote(v) for v in from_text.votes]
    assert [(d.number, d.title) for d in from_pdf.deliberations] == \
        [(d.number, d.title) for d in from_text.deliberations]
    assert len(from_pdf.deliberations) == 12
    assert [(w.title, w.group) for w in from_pdf.wishes] == [(w.title, w.group) for w in from_text.wishes]
