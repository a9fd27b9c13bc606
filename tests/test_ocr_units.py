"""Scanned pages carry their OCR mark into the record, the units and the session page."""

from __future__ import annotations

import json
import re

import pytest

from indexer.model import Record
from indexer.pipeline import index_paths
from indexer.records import read_manifest, records_path
from indexer.units import units_of
from webapp import create_app

from . import pdfgen
from .test_ocr import TEXT, needs_tesseract

MARK = "texte issu d'une reconnaissance optique"


@pytest.fixture(scope="module")
def indexed_scan(tmp_path_factory):
    """A two-page municipal minutes PDF whose second page is a scan (no text layer), indexed."""
    folder = tmp_path_factory.mktemp("ocr-units")
    pdf = folder / "conseil-municipal-2024-02-12.pdf"
    pdfgen.image_only_pdf(pdfgen.minutes_pdf(TEXT), pdf, keep_text=(1,))
    home = folder / "home"
    summary = index_paths([pdf], home=home)
    assert summary.errors == [] and summary.sessions == 1, summary.errors
    (sid, entry), = read_manifest(home)["sessions"].items()
    record = Record.from_json((records_path(home) / entry["record"]).read_text(encoding="utf-8"))
    return home, sid, record


@needs_tesseract
@pytest.mark.slow
def test_units_of_a_scanned_page_are_marked(indexed_scan):
    _, _, record = indexed_scan
    assert record.session.ocr_pages == [2]
    speeches = [u for u in units_of(record) if u.kind == "intervention"]
    assert {u.page for u in speeches} == {1, 2}  # speeches on both pages, so the mark is per page
    assert all(u.ocr == (u.page == 2) for u in speeches)


@needs_tesseract
@pytest.mark.slow
def test_the_session_page_marks_speeches_of_scanned_pages(indexed_scan):
    home, sid, record = indexed_scan
    client = create_app({"MINUTES_HOME": str(home), "TESTING": True}).test_client()
    html = client.get(f"/seances/{sid}").get_data(as_text=True)
    facts = html[html.index('<dl class="facts">'):html.index("</dl>")]
    assert MARK in facts and re.search(r"page 2\b", facts)
    articles = re.findall(r'<article class="speech[^"]*" id="[^"]+".*?</article>', html, flags=re.S)
    assert articles
    by_page = {1: [], 2: []}
    for article in articles:
        page = int(re.search(r"p\. (\d+)", article).group(1))
        by_page[page].append(MARK in article)
    assert by_page[1] and not any(by_page[1])  # text-layer page: no mark
    assert by_page[2] and all(by_page[2])  # every speech of the scanned page: the mark
    data = json.loads(client.get(f"/seances/{sid}.json").get_data(as_text=True))
    assert data["session"]["ocr_pages"] == [2]


def test_records_written_before_ocr_marks_still_load():
    """A record of an earlier release (no `ocr_pages`) loads, with no unit marked."""
    old = {"session": {"id": "ville-2024-02-12", "body": "Conseil municipal", "date": "2024-02-12", "pages": 1},
           "speeches": [{"id": "ville-2024-02-12/s001", "order": 1, "label": "Madame LEFÈVRE :", "speaker": "Madame LEFÈVRE",
                         "person_id": None, "item": None, "text": "Bonsoir.",
                         "page": 1}]}
    record = Record.from_dict(old)
    assert record.session.ocr_pages == []
    units = units_of(record)
    assert units and not any(u.ocr for u in units)
