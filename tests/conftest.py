"""Shared pytest fixtures."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def search_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MINUTES_HOME holding the index of the bundled corpus, built once per test session."""
    from indexer.index import index_paths

    home = tmp_path_factory.mktemp("search-home")
    summary = index_paths([CORPUS], home=home)
    assert not summary.errors, summary.errors
    return home


@pytest.fixture
def no_stray_threads() -> None:
    """For tests of the worker pool: no thread but the main one (a browser test's server, an executor
    left running), since an index run forks its pool only then and would otherwise run alone,
    the test then comparing one process with itself."""
    import threading

    assert threading.active_count() == 1, [t.name for t in threading.enumerate()]


# -- sources: generated PDFs and bad inputs ------------------------------------------

BUNDLED_TEXT = ROOT / "corpus" / "pas-de-calais-2025-09-22.txt"

FRENCH_SAMPLE = (
    "Procès-verbal de la séance du conseil municipal du 12 février 2024.\n\n"
    "Monsieur le Maire ouvre la séance à 19 heures. Étaient présents : Madame Hélène LEFÈVRE, "
    "Monsieur François MÉNARD, Madame Cécile DUPRÉ.\n\n"
    "Madame LEFÈVRE : Je souhaite évoquer la rénovation de l'école élémentaire et le coût "
    "des travaux prévus à la rentrée.\n\n"
    "Le conseil municipal approuve à l'unanimité la délibération relative aux subventions.\n"
)


@dataclass(frozen=True)
class PdfSet:
    """The procès-verbal part of the bundled session, as text and as a generated PDF."""

    text: Path  # the part of the bundled .txt up to DEUXIEME PARTIE
    pdf: Path  # a PDF made from the same text (running headers, page numbers, hyphenation)
    pdf_bytes: bytes


@pytest.fixture(scope="session")
def pv_pdf(tmp_path_factory) -> PdfSet:
    from indexer.sources import read_source

    from . import pdfgen

    folder = tmp_path_factory.mktemp("pv")
    raw = BUNDLED_TEXT.read_text(encoding="utf-8")
    text_path = folder / "pas-de-calais-2025-09-22-pv.txt"
    text_path.write_text(pdfgen.proces_verbal_part(raw), encoding="utf-8")
    clean = read_source(text_path, cache=False).text
    pdf_path = folder / "pas-de-calais-2025-09-22-pv.pdf"
    data = pdfgen.minutes_pdf(clean, pdf_path)
    return PdfSet(text=text_path, pdf=pdf_path, pdf_bytes=data)


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory, pv_pdf) -> dict[str, Path]:
    """One file per kind of bad input, by name."""
    from . import pdfgen

    folder = tmp_path_factory.mktemp("bad")
    small = pdfgen.minutes_pdf(FRENCH_SAMPLE * 3)
    files: dict[str, Path] = {}

    files["missing"] = folder / "absent.pdf"
    files["directory"] = folder / "dossier.pdf"
    files["directory"].mkdir()
    files["empty"] = folder / "vide.txt"
    files["empty"].write_bytes(b"")
    files["empty_pdf"] = folder / "vide.pdf"
    files["empty_pdf"].write_bytes(b"")
    files["not_pdf"] = folder / "faux.pdf"
    files["not_pdf"].write_text("<html><body>Erreur 404</body></html>\n", encoding="utf-8")
    files["truncated"] = folder / "tronque.pdf"
    pdfgen.truncated_pdf(pv_pdf.pdf_bytes, files["truncated"])
    files["encrypted"] = folder / "protege.pdf"
    pdfgen.encrypted_pdf(small, files["encrypted"])
    files["scanned"] = folder / "scan.pdf"
    pdfgen.scanned_pdf(files["scanned"])
    files["not_french"] = folder / "binaire.txt"
    files["not_french"].write_bytes("これは日本語のテキストです。".encode("shift_jis") * 50)
    files["unsupported"] = folder / "compte-rendu.docx"
    files["unsupported"].write_bytes(b"PK\x03\x04" + os.urandom(2000))
    random_50mb = os.urandom(50 * 1024 * 1024)
    files["random_pdf"] = folder / "aleatoire.pdf"
    files["random_pdf"].write_bytes(random_50mb)
    files["random_txt"] = folder / "aleatoire.txt"
    files["random_txt"].write_bytes(random_50mb)
    return files


@pytest.fixture(scope="session")
def good_inputs(tmp_path_factory) -> dict[str, Path]:
    """Unusual but readable files."""
    from . import pdfgen

    folder = tmp_path_factory.mktemp("good")
    small = pdfgen.minutes_pdf(FRENCH_SAMPLE * 3)
    files: dict[str, Path] = {}
    files["small_pdf"] = folder / "court.pdf"
    files["small_pdf"].write_bytes(small)
    files["owner_encrypted"] = folder / "protege-sans-mot-de-passe.pdf"
    pdfgen.owner_only_encrypted_pdf(small, files["owner_encrypted"])
    files["cp1252"] = folder / "windows.txt"
    files["cp1252"].write_bytes(FRENCH_SAMPLE.encode("cp1252"))
    files["latin1"] = folder / "latin1.md"
    files["latin1"].write_bytes(FRENCH_SAMPLE.encode("latin-1"))
    files["utf16"] = folder / "bloc-notes.txt"
    files["utf16"].write_bytes(FRENCH_SAMPLE.encode("utf-16"))  # with its byte-order mark
    return files
