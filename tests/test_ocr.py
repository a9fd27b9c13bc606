"""Scanned pages are read by OCR (tesseract, French): recall, marks, failures, no tesseract."""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from indexer.sources import SourceError, read_source
from indexer.sources import ocr

from . import pdfgen
from .conftest import FRENCH_SAMPLE

HAVE_TESSERACT = ocr.tesseract() is not None
#: under CI tesseract must be there (.ci/run installs it): missing, the tests fail
needs_tesseract = pytest.mark.skipif(not HAVE_TESSERACT and not os.environ.get("CI"),
                                     reason="tesseract-ocr and tesseract-ocr-fra not installed")

TEXT = (FRENCH_SAMPLE + "\nMadame DUPRÉ : La commission des finances a examiné le budget primitif ; "
        "les dépenses d'investissement s'élèvent à 1 250 000 euros, dont la rénovation du gymnase "
        "et l'extension de la cantine scolaire.\n\nMonsieur MÉNARD : Je voterai contre cette "
        "délibération, faute d'étude préalable sur l'éclairage public.\n") * 4


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("MINUTES_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scans")
    source = pdfgen.minutes_pdf(TEXT)
    files = {"text": folder / "texte.pdf", "scan": folder / "scan.pdf", "mixed": folder / "mixte.pdf",
             "stamped": folder / "annexe-numerotee.pdf"}
    files["text"].write_bytes(source)
    pdfgen.image_only_pdf(source, files["scan"])
    pdfgen.image_only_pdf(source, files["stamped"], stamp="Ville de Lannion   Conseil municipal du 5 juillet 2021   {page}")
    pdfgen.image_only_pdf(source, files["mixed"], keep_text=(1,))
    return files


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+|\d+", text.lower())


def _recall(original: str, read: str) -> float:
    """Share of the original's words (with repeats) found in what OCR read."""
    want, got = _words(original), _words(read)
    remaining: dict[str, int] = {}
    for w in got:
        remaining[w] = remaining.get(w, 0) + 1
    found = 0
    for w in want:
        if remaining.get(w):
            remaining[w] -= 1
            found += 1
    return found / len(want)


@needs_tesseract
@pytest.mark.slow
def test_a_scanned_pdf_gives_back_its_words(scans):
    """Pages rendered to pictures and re-assembled as an image-only PDF: ≥ 95 % of the words."""
    original = read_source(scans["text"], cache=False)
    scanned = read_source(scans["scan"], cache=False)
    assert len(scanned.pages) == len(original.pages) >= 2
    assert all(p.ocr for p in scanned.pages) and not any(p.ocr for p in original.pages)
    assert scanned.ocr_pages == [p.number for p in scanned.pages]
    recall = _recall(original.text, scanned.text)
    print(f"\nOCR word recall: {recall:.1%} of {len(_words(original.text))} words")
    assert recall >= 0.95, f"{recall:.1%}"
    assert any("reconnaissance optique" in w for w in scanned.warnings)
    again = read_source(scans["scan"])  # cached by content hash, OCR flags included
    assert read_source(scans["scan"]).pages == again.pages and all(p.ocr for p in again.pages)


@needs_tesseract
@pytest.mark.slow
def test_ocr_text_is_cached_by_page_image(scans, monkeypatch):
    """New cleaning rules (or cache=False) re-read the PDF, not the pictures: tesseract runs once a page."""
    first = read_source(scans["scan"], cache=False)

    def boom(*_args, **_kwargs):
        raise AssertionError("tesseract ran again on a page already read")

    monkeypatch.setattr(ocr, "_tesseract", boom)
    again = read_source(scans["scan"], cache=False)
    assert again.pages == first.pages and all(p.ocr for p in again.pages)


@needs_tesseract
@pytest.mark.slow
def test_a_pool_worker_reads_its_pages_with_the_library_of_tesseract(scans, monkeypatch):
    """A pool worker OCRs one page after the other with tesseract's library, loaded once (the
    command links it and loads the French model again for each page: ~0.1 s of CPU a page):
    the same text as the command, and the same time budget."""
    from indexer.sources import pdf
    from indexer.sources.readers import open_pdf

    binary = ocr.tesseract()
    reader = open_pdf(scans["scan"])
    try:
        image = ocr.page_image(reader, 1)
    finally:
        reader.close()
    by_command = ocr._tesseract(image, binary, 120)
    monkeypatch.setattr(pdf, "IN_WORKER", True)
    library = ocr._library(binary)
    assert library is not None
    assert ocr._tesseract(image, binary, 120) == by_command and "conseil" in by_command.lower()
    assert ocr._library(binary) is library
    with pytest.raises(ocr.OcrFailed, match="délai de 0 s dépassé"):
        ocr._tesseract(image, binary, 0.001)
    assert ocr._tesseract(image, binary, 120) == by_command  # the library reads on after a timeout


def _fake_tesseract(folder: Path, body: str) -> Path:
    """A `tesseract` that lists French but misbehaves when asked to read a page."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text("#!/bin/sh\nif [ \"$1\" = \"--list-langs\" ]; then echo 'List of available languages (2):';"
                      " echo eng; echo fra; exit 0; fi\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.mark.parametrize("body, why", [("sleep 30", "délai de 2 s dépassé"),
                                       ("echo 'Error in pixReadStream' >&2; exit 1", "tesseract a échoué")])
def test_a_page_whose_ocr_fails_is_skipped_with_a_warning(scans, tmp_path, monkeypatch, body, why):
    fake = _fake_tesseract(tmp_path / "bin", body)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("MINUTES_OCR_TIMEOUT", "2")
    ocr._languages.cache_clear()
    doc = read_source(scans["mixed"], cache=False)
    assert "Madame LEFÈVRE : Je souhaite" in doc.pages[0].text and not doc.pages[0].ocr
    assert not doc.pages[1].text.strip()
    assert any(w.startswith("page 2 : OCR impossible") and why in w for w in doc.warnings), doc.warnings
    with pytest.raises(SourceError, match="même par OCR"):
        read_source(scans["scan"], cache=False)


def test_without_tesseract_the_pages_to_ocr_are_named(scans, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    python_dir = str(Path(shutil.which("python3") or "/usr/bin/python3").parent)
    monkeypatch.setenv("PATH", f"{empty}")  # no tesseract on the PATH
    ocr._languages.cache_clear()
    try:
        assert ocr.tesseract() is None
        doc = read_source(scans["mixed"], cache=False)
    finally:
        monkeypatch.setenv("PATH", python_dir + os.pathsep + os.environ.get("PATH", ""))
    assert "Madame LEFÈVRE" in doc.pages[0].text
    pages = ", ".join(str(n) for n in range(2, len(doc.pages) + 1))
    assert any(f"pages sans texte (scannées ?) : {pages} ; passez le PDF à l'OCR" in w and "tesseract-ocr-fra" in w
               for w in doc.warnings), doc.warnings
    assert not any(p.ocr for p in doc.pages)


def test_a_picture_inside_a_form_object_is_read_by_ocr(tmp_path, monkeypatch):
    pdf = tmp_path / "scanner.pdf"
    pdfgen.form_wrapped_scan_pdf(pdf)
    fake = _fake_tesseract(tmp_path / "bin", "cat > /dev/null; echo 'Le conseil municipal délibère.'")
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    ocr._languages.cache_clear()
    doc = read_source(pdf, cache=False)
    assert doc.pages[0].ocr and doc.pages[0].text == "Le conseil municipal délibère."


@needs_tesseract
def test_a_scan_stamped_with_a_text_footer_is_read_by_ocr(scans):
    """A scanned annex whose only text layer is the footer the publishing tool wrote over it
    (town, session, page number) is a scan: its words come back by OCR, not « pages sans texte »."""
    original = read_source(scans["text"], cache=False)
    stamped = read_source(scans["stamped"], cache=False)
    assert all(p.ocr for p in stamped.pages)
    assert not any("sans texte" in w for w in stamped.warnings), stamped.warnings
    want, got = set(_words(original.text)), set(_words(stamped.text))
    assert len(want & got) >= 0.9 * len(want)


@needs_tesseract
@pytest.mark.slow
def test_a_coarse_scan_gives_back_its_words(scans, tmp_path):
    """A page scanned at 85 dpi (Pierrefonds' annexes are 96 dpi) is rendered at 1.5 times its own
    resolution (at least 150 dpi) for tesseract, not blown up to 300 dpi where its letters blur (90 % of the words)."""
    coarse = tmp_path / "scan-85dpi.pdf"
    pdfgen.image_only_pdf(scans["text"].read_bytes(), coarse, dpi=85)
    original = read_source(scans["text"], cache=False)
    scanned = read_source(coarse, cache=False)
    assert all(p.ocr for p in scanned.pages)
    recall = _recall(original.text, scanned.text)
    print(f"\nOCR word recall, 85 dpi scan: {recall:.1%}")
    assert recall >= 0.95, f"{recall:.1%}"


def test_the_scanned_pages_of_one_file_are_read_by_all_the_workers(scans, tmp_path, monkeypatch):
    """Several scanned pages of one PDF are OCR'd at once by the worker pool, not one after the
    other by the worker that read the file; the document is the same as read alone."""
    from indexer.sources import iter_sources

    log = tmp_path / "readers.log"
    fake = _fake_tesseract(tmp_path / "bin", f"cat > /dev/null; echo $PPID >> {log}; sleep 1; "
                                             "echo 'Le conseil municipal délibère.'")
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    ocr._languages.cache_clear()
    alone = read_source(scans["scan"], cache=False)
    log.unlink()
    monkeypatch.setenv("MINUTES_HOME", str(tmp_path / "cold"))  # no OCR cache
    results = dict(iter_sources([scans["scan"], scans["text"]], workers=2, cache=False))
    doc = results[scans["scan"]]
    assert not isinstance(doc, BaseException), doc
    assert doc.pages == alone.pages and doc.warnings == alone.warnings and len(doc.pages) >= 2
    assert all(p.ocr for p in doc.pages) and not any(p.ocr for p in results[scans["text"]].pages)
    readers = log.read_text().split()
    assert len(readers) == len(doc.pages) and len(set(readers)) == 2, readers


def test_a_worker_crash_while_pages_wait_for_ocr_loses_no_page(scans, tmp_path, monkeypatch):
    """A worker dying on another file (a C reader crash) while the pages of a scan wait for
    OCR in the pool: the scan still comes back whole, the other files too."""
    from indexer.sources import iter_sources

    from .test_sources_pdf import crash_in_a_worker

    fake = _fake_tesseract(tmp_path / "bin", "cat > /dev/null; sleep 1; echo 'Le conseil municipal délibère.'")
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    ocr._languages.cache_clear()
    crash = tmp_path / "crash.pdf"
    crash.write_bytes(scans["text"].read_bytes())
    files = [scans["scan"], crash, scans["text"]]
    results = list(iter_sources(files, then=crash_in_a_worker, workers=2, cache=False))
    assert [p for p, _ in results] == files
    assert all(not isinstance(r, BaseException) for _, r in results), results
    scan = results[0][1]
    assert all(p.ocr and p.text == "Le conseil municipal délibère." for p in scan.pages) and len(scan.pages) >= 2
    assert results[1][1].pages == results[2][1].pages


SHAPES_TEXT = ("Le conseil municipal approuve le budget primitif de la commune.\n"
               "Madame DUPRÉ présente la rénovation du gymnase.\n") * 3


@needs_tesseract
def test_a_page_whose_text_is_drawn_as_shapes_is_read_by_ocr(tmp_path):
    """No text layer and no picture, but ink: text "converted to outlines" is read by OCR, and a
    blank page after it is neither read nor reported."""
    pdf = tmp_path / "contours.pdf"
    pdfgen.shapes_text_pdf(SHAPES_TEXT, pdf, blank_pages=1)
    doc = read_source(pdf, cache=False)
    assert doc.pages[0].ocr and "conseil municipal approuve le budget" in " ".join(doc.pages[0].text.split())
    assert not doc.pages[1].ocr and not doc.pages[1].text.strip()
    assert doc.warnings == ["texte issu d'une reconnaissance optique (OCR), à vérifier : pages 1"], doc.warnings


def test_without_ocr_a_page_drawn_as_shapes_is_named_and_a_blank_page_is_not(tmp_path, monkeypatch):
    pdf = tmp_path / "contours.pdf"
    pdfgen.shapes_text_pdf(SHAPES_TEXT, pdf, blank_pages=1)
    monkeypatch.setenv("MINUTES_OCR", "0")
    with pytest.raises(SourceError, match="ne contient pas de texte : passez-le d'abord à l'OCR"):
        read_source(pdf, cache=False)
    mixed = tmp_path / "avec-page-blanche.pdf"
    pdfgen.with_blank_page(pdfgen.minutes_pdf(TEXT), mixed, at=2)
    doc = read_source(mixed, cache=False)
    assert not doc.pages[1].text.strip() and "Madame DUPRÉ" in " ".join(p.text for p in doc.pages)
    assert not [w for w in doc.warnings if "sans texte" in w], doc.warnings


def test_a_pdf_of_blank_pages_is_one_clear_error(tmp_path):
    from pypdf import PdfWriter

    pdf = tmp_path / "vide.pdf"
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(width=595, height=842)
    with open(pdf, "wb") as fh:
        writer.write(fh)
    with pytest.raises(SourceError, match="pages blanches seulement"):
        read_source(pdf, cache=False)
