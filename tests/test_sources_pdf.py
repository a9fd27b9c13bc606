"""PDF readers: pdfium and pypdf give the same clean text; encrypted PDFs; bullets;
real PDFs read word for word (split words, person names); scanned pages by OCR."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from indexer.sources import SourceError, clean_pdf_pages, iter_sources, read_source

from . import pdfgen
from .conftest import FRENCH_SAMPLE, ROOT

SHARED = ROOT.parent / "shared"
PIERREFONDS = SHARED / "corpus-multi" / "pierrefonds"
#: real minutes where pypdf splits no word in a way that moves letters (only spaces differ)
REAL = ["20241015-PV.pdf", "20250127-PV.pdf", "CM-01-MARS-2022.pdf", "CM-19-AOUT-2021.pdf",
        "compte-rendu-03-12-2018.pdf"]


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("MINUTES_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MINUTES_PDF_READER", raising=False)


def _read(path: Path, reader: str, monkeypatch) -> list:
    monkeypatch.setenv("MINUTES_PDF_READER", reader)
    try:
        return read_source(path, cache=False).pages
    finally:
        monkeypatch.delenv("MINUTES_PDF_READER")


# -- encrypted PDFs ------------------------------------------------------------------------------


def test_cryptography_is_a_runtime_dependency():
    """AES PDFs need it whatever extras were installed (pip install . without [test])."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [re.split(r"[<>=!~ ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]]
    assert "cryptography" in runtime and "pypdfium2" in runtime


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("aes")
    small = pdfgen.minutes_pdf(FRENCH_SAMPLE * 3)
    files = {"open": folder / "aes256-sans-mot-de-passe.pdf", "locked": folder / "aes256-protege.pdf"}
    pdfgen.aes256_open_pdf(small, files["open"])
    pdfgen.encrypted_pdf(small, files["locked"])
    return files


def test_aes256_pdf_with_an_empty_user_password_is_read(encrypted):
    doc = read_source(encrypted["open"])
    assert "Madame LEFÈVRE : Je souhaite évoquer la rénovation" in doc.text


_WITHOUT_CRYPTOGRAPHY = """
import sys
sys.modules["cryptography"] = None  # as on a machine where it is not installed
from indexer.sources import SourceError, read_source
try:
    print(read_source(sys.argv[1], cache=False).text)
except SourceError as exc:
    print("ERREUR", exc)
"""


def test_aes256_pdf_is_read_even_without_the_cryptography_package(encrypted, tmp_path):
    """pypdf alone said « PDF illisible ou endommagé (cryptography>=3.1 is required…) »."""
    def run(path: Path) -> str:
        out = subprocess.run([sys.executable, "-c", _WITHOUT_CRYPTOGRAPHY, str(path)], cwd=ROOT,
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "MINUTES_HOME": str(tmp_path)})
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
        return out.stdout

    assert "Madame LEFÈVRE" in run(encrypted["open"])
    locked = run(encrypted["locked"])
    assert locked.startswith("ERREUR") and "mot de passe" in locked and "cryptography" not in locked


def test_a_pdf_that_needs_a_password_still_says_so(encrypted, monkeypatch):
    for reader in ("pdfium", "pypdf"):
        monkeypatch.setenv("MINUTES_PDF_READER", reader)
        with pytest.raises(SourceError, match="protégé par un mot de passe"):
            read_source(encrypted["locked"], cache=False)


# -- same clean text whichever reader -------------------------------------------------------------


def test_pdfium_and_pypdf_give_the_same_clean_pages_on_the_bundled_pdf(pv_pdf, monkeypatch):
    pdfium, pypdf = _read(pv_pdf.pdf, "pdfium", monkeypatch), _read(pv_pdf.pdf, "pypdf", monkeypatch)
    assert len(pdfium) == len(pypdf) > 30
    assert [p.text for p in pdfium] == [p.text for p in pypdf]


_CELLS = re.compile(r"(?<!\S)\|(?!\S)")


def _letters(pages) -> list[str]:
    """The characters of each page, without spaces nor the cell boundaries (« | ») of the table rows
    that pdfium's character boxes give (pypdf, the fallback, gives the same words without them)."""
    return ["".join(_CELLS.sub(" ", p.text).split()) for p in pages]


@pytest.mark.slow
@pytest.mark.skipif(not PIERREFONDS.is_dir(), reason="../shared/corpus-multi/pierrefonds absent")
@pytest.mark.parametrize("name", REAL)
def test_pdfium_and_pypdf_give_the_same_clean_pages_on_real_minutes(name, monkeypatch):
    """Same characters in the same order on every page; only the spaces pypdf puts inside
    words (« Jean-Ja cques », « arti cle ») may differ."""
    pdfium, pypdf = _read(PIERREFONDS / name, "pdfium", monkeypatch), _read(PIERREFONDS / name, "pypdf", monkeypatch)
    assert [p.number for p in pdfium] == [p.number for p in pypdf]
    assert _letters(pdfium) == _letters(pypdf)
    spaces = sum(re.sub(r" ?(?<!\S)\|(?!\S) ?", " ", p.text).count(" ") for p in pdfium)
    assert abs(spaces - sum(p.text.count(" ") for p in pypdf)) <= 0.03 * spaces


def test_files_read_in_parallel_give_what_one_process_gives(pv_pdf, encrypted, monkeypatch):
    files = [pv_pdf.pdf, encrypted["open"], pv_pdf.text, encrypted["locked"]]
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    results = list(iter_sources(files, cache=False))
    assert [path for path, _ in results] == files
    for path, result in results[:3]:
        assert result.pages == read_source(path, cache=False, workers=1).pages
    assert isinstance(results[3][1], SourceError) and "mot de passe" in str(results[3][1])



def test_files_read_by_the_callers_pool_leave_it_working_for_its_own_jobs(pv_pdf, encrypted, monkeypatch):
    """An index run reads its files with the pool that then makes its question knowledge: the
    pool reads as one of its own would, and outlives the reading, even a reading left early."""
    from indexer.sources.pdf import new_pool

    files = [pv_pdf.pdf, encrypted["open"], pv_pdf.text, encrypted["locked"]]
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    pool = new_pool(2)
    try:
        results = list(iter_sources(files, cache=False, pool=pool))
        assert [path for path, _ in results] == files
        assert [r.pages for _, r in results[:3]] == [read_source(f, cache=False, workers=1).pages for f in files[:3]]
        assert isinstance(results[3][1], SourceError)
        reading = iter_sources(files, cache=False, pool=pool)
        assert next(reading)[0] == files[0]
        reading.close()  # the caller stops after one file
        assert pool.submit(len, "séance").result(timeout=30) == 6
    finally:
        pool.shutdown()


def wait_for_the_last(doc):
    """`then` for iter_sources: the first file's waits (up to 30 s) until the last file has been read."""
    import time

    marker = Path(os.environ["MINUTES_TEST_MARKER"])
    if doc.path.name == "first.txt":
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return marker.exists()
    if doc.path.name == "last.txt":
        marker.touch()
    return True


def test_files_behind_one_still_being_read_are_read_meanwhile(pv_pdf, tmp_path, monkeypatch):
    """A file the caller waits for (its scanned pages being OCR'd) does not stop the workers: the
    files after it are read meanwhile, further than the files in flight at once."""
    text = pv_pdf.text.read_text(encoding="utf-8")
    names = ["first.txt", *(f"middle-{k}.txt" for k in range(12)), "last.txt"]
    for name in names:
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    monkeypatch.setenv("MINUTES_TEST_MARKER", str(tmp_path / "last-was-read"))
    results = list(iter_sources([tmp_path / n for n in names], then=wait_for_the_last, cache=False))
    assert [p.name for p, _ in results] == names
    assert results[0][1] is True  # released by the last file, read while it waited

def _wait_for_early_results(early, count: int, seconds: float = 30.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while early.written() < count and time.monotonic() < deadline:
        time.sleep(0.01)


def test_files_read_early_are_what_the_pool_reads(pv_pdf, encrypted, tmp_path, monkeypatch):
    """An index run's first files are read by a process forked before the run's start-up
    (`EarlyReader`): each result is what a worker gives (a document, or the error of a file that
    cannot be read), and the pool applies `then` to them as to the files it reads itself."""
    from indexer.sources import EarlyReader
    from indexer.sources.pdf import new_pool

    short = tmp_path / "court.pdf"
    pdfgen.minutes_pdf(FRENCH_SAMPLE, short)
    files = [short, encrypted["locked"], pv_pdf.text, encrypted["open"]]
    early = EarlyReader(files, cache=False)
    _wait_for_early_results(early, len(files))
    read = early.stop()
    assert list(read) == files and early.file.closed
    assert read[files[0]].pages == read_source(files[0], cache=False, workers=1).pages
    assert isinstance(read[files[1]], SourceError) and "mot de passe" in str(read[files[1]])
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    pool = new_pool(2)
    try:
        given = list(iter_sources(files, then=len_of_pages, cache=False, pool=pool, read=dict(read)))
        alone = list(iter_sources(files, then=len_of_pages, cache=False, pool=pool))
    finally:
        pool.shutdown()
    assert [p for p, _ in given] == files and [r for _, r in given][2:] == [r for _, r in alone][2:]
    assert given[0][1] == alone[0][1] == len(read[files[0]].pages)
    assert isinstance(given[1][1], SourceError) and isinstance(alone[1][1], SourceError)


def len_of_pages(doc) -> int:  # noqa: ANN001 - `then` for iter_sources (sent to the workers by name)
    return len(doc.pages)


def test_an_early_reader_stopped_at_once_leaves_whole_results_only(pv_pdf, tmp_path):
    """Stopped while it reads, the early reader ends after its file: what it returns is a first
    run of the files, each whole, and the others are left to the pool."""
    from indexer.sources import EarlyReader

    text = pv_pdf.text.read_text(encoding="utf-8")
    files = []
    for k in range(12):
        files.append(tmp_path / f"seance-{k:02d}.txt")
        files[-1].write_text(text, encoding="utf-8")
    early = EarlyReader(files, cache=False)
    _wait_for_early_results(early, 1)
    read = early.stop()
    assert 1 <= len(read) <= len(files) and list(read) == files[:len(read)]
    assert all(r.pages == read[files[0]].pages for r in read.values())


def test_an_early_reader_leaves_a_long_pdf_and_what_follows_it_to_the_pool(pv_pdf, tmp_path):
    """A long PDF is read over the whole pool: the early reader ends there by itself."""
    import time

    from indexer.sources import EarlyReader
    from indexer.sources.prefetch import LONG_PDF_PAGES

    long_pdf = tmp_path / "long.pdf"
    pdfgen.minutes_pdf(FRENCH_SAMPLE, long_pdf, min_pages=LONG_PDF_PAGES)
    early = EarlyReader([pv_pdf.text, long_pdf, pv_pdf.text], cache=False)
    deadline = time.monotonic() + 30
    while os.waitpid(early.pid, os.WNOHANG) == (0, 0) and time.monotonic() < deadline:
        time.sleep(0.01)  # until it ends, unasked
    assert time.monotonic() < deadline
    assert early.written() == 1
    assert list(early.stop()) == [pv_pdf.text]


def test_an_early_reader_names_no_file_in_the_temporary_folder(pv_pdf, tmp_path, monkeypatch):
    """The early reader's results are held in a file with no name in the temporary folder, from
    the start: a run killed meanwhile (a power cut, `kill -9`, as killed runs of the fault tests
    did) leaves nothing there.  A reader gone unasked still gives what it wrote whole."""
    import tempfile

    from indexer.sources import EarlyReader

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    copy = tmp_path / "copie.txt"
    shutil.copy(pv_pdf.text, copy)
    early = EarlyReader([pv_pdf.text, copy], cache=False)
    _wait_for_early_results(early, 2)
    assert early.written() == 2 and list(folder.iterdir()) == []
    os.kill(early.pid, signal.SIGKILL)  # the reader gone without a word, as with its run
    assert len(early.stop()) == 2 and list(folder.iterdir()) == []


# -- symbol-font bullets --------------------------------------------------------------------------


def test_symbol_font_bullets_are_removed_and_start_their_line():
    raw = [(1, "Ordre du jour :\n\uf0d8 Vote du taux des taxes communales\n\uf0a7 Budget primitif 2021\n"
               "\uf02d Madame Isabelle SIGAUD à Madame Florence DEMOUY\n\x01 section de fonctionnement\n"
               "Le conseil \uf0b7 approuve.")]
    (page,) = clean_pdf_pages(raw)
    lines = page.text.split("\n")
    assert "Vote du taux des taxes communales" in lines
    assert "Budget primitif 2021" in lines
    assert "- Madame Isabelle SIGAUD à Madame Florence DEMOUY" in lines  # the Symbol font's minus
    assert "section de fonctionnement" in lines
    assert not re.search("[\ue000-\uf8ff\x00-\x08\x1f]", page.text)


# -- real minutes, word for word ------------------------------------------------------------------


_TOKEN = re.compile(r"[^\W\d_]+")


def split_words(ours: str, reference: str) -> int:
    """Adjacent words of `ours` that the reference text writes as one word, never as two."""
    ref = [t.lower() for t in _TOKEN.findall(reference)]
    vocab, pairs = set(ref), set(zip(ref, ref[1:]))
    tokens = list(_TOKEN.finditer(ours))
    return sum(1 for a, b in zip(tokens, tokens[1:]) if ours[a.end():b.start()] == " "
               and (a.group(0) + b.group(0)).lower() in vocab
               and (a.group(0).lower(), b.group(0).lower()) not in pairs)


@pytest.mark.slow
@pytest.mark.skipif(not PIERREFONDS.is_dir() or not shutil.which("pdftotext"),
                    reason="needs ../shared/corpus-multi/pierrefonds and pdftotext (poppler-utils)")
def test_real_minutes_keep_their_words_and_names_whole():
    """Split-word rate against pdftotext ≤ 0.1 % on 10 files; no person name split anywhere
    in the archive (« M ichel LEBLANC », « Catherine GEV AERT », « R onan TANGUY » with pypdf)."""
    files = sorted(PIERREFONDS.glob("*.pdf"))
    assert len(files) >= 70
    docs = dict(iter_sources(files, cache=False))
    sample = files[:: len(files) // 10][:10]
    splits = words = 0
    for path in sample:
        reference = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                   check=True).stdout.decode("utf-8")
        splits += split_words(docs[path].text, reference)
        words += len(_TOKEN.findall(docs[path].text))
    assert words > 20_000
    assert splits <= 0.001 * words, f"{splits} split words of {words}"
    text = "\n".join(doc.text for doc in docs.values())
    flat = " ".join(text.split())
    for whole in ("Michel LEBLANC", "Catherine GEVAERT", "Emmanuelle LEMAITRE", "Ronan TANGUY"):
        assert whole in flat
    surnames = {m.group(1) for m in re.finditer(r"\b(?:Madame|Monsieur) [A-Z][a-zéèï]+(?:-[A-Z][a-zéè]+)? "
                                                r"([A-ZÉÈÜ]{4,})\b", flat)}
    assert len(surnames) >= 30
    broken = [f"{n[:i]} {n[i:]}" for n in surnames for i in range(1, len(n))
              if re.search(rf"\b{n[:i]} {n[i:]}\b", flat)]
    assert not broken
    assert not re.findall(r"\b(?:Madame|Monsieur) [A-ZÉ] [a-zéè]{2,}\b", flat)


def test_prefetch_answers_file_by_file_and_skips_what_is_not_asked(pv_pdf, encrypted, monkeypatch):
    from indexer.parse import parse_document
    from indexer.sources import Prefetch

    monkeypatch.setenv("MINUTES_WORKERS", "2")
    files = [pv_pdf.pdf, encrypted["locked"], pv_pdf.text, encrypted["open"]]
    with Prefetch(files, then=parse_document, cache=False) as ahead:
        record = ahead.get(pv_pdf.pdf)
        assert len(record.speeches) == 90 and record.session.source == pv_pdf.pdf.name
        with pytest.raises(SourceError, match="mot de passe"):
            ahead.get(encrypted["locked"])
        # pv_pdf.text skipped by the caller
        assert "LEFÈVRE" in " ".join(p.text for p in ahead.get(encrypted["open"]).passages)
        assert ahead.get(pv_pdf.text).session.source == pv_pdf.text.name  # asked late: read on the spot


def crash_in_a_worker(doc):
    """`then` for iter_sources: dies like a C reader crashing on a hostile file, in a worker only."""
    import multiprocessing
    import signal

    if doc.path.name.startswith("crash") and multiprocessing.parent_process() is not None:
        os.kill(os.getpid(), signal.SIGSEGV)
    return doc


def test_a_worker_that_crashes_costs_only_its_file_a_slower_read(pv_pdf, encrypted, tmp_path, monkeypatch):
    crash = tmp_path / "crash.pdf"
    crash.write_bytes(encrypted["open"].read_bytes())
    files = [pv_pdf.text, crash, encrypted["open"], pv_pdf.pdf, pv_pdf.text]
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    results = list(iter_sources(files, then=crash_in_a_worker, cache=False))
    assert [p for p, _ in results] == files
    assert all(not isinstance(r, BaseException) for _, r in results), results
    assert "Madame LEFÈVRE" in results[1][1].text  # read again in the calling process (by pypdf)
    assert results[3][1].pages == read_source(pv_pdf.pdf, cache=False).pages


def test_a_list_number_glued_to_its_item_gets_its_space_back():
    (page,) = clean_pdf_pages([(1, "Ordre du jour :\n9. Budget primitif\n10.Avis à donner sur l'épandage\n"
                                   "11.Election d'un délégué\nArticle L.2121-21 et 2.5 %")])
    assert "\n10. Avis à donner sur l'épandage" in page.text and "\n11. Election d'un délégué" in page.text
    assert "L.2121-21 et 2.5 %" in page.text


@pytest.mark.skipif(not (PIERREFONDS / "compte-rendu-11-06-2020.pdf").exists(), reason="Pierrefonds absent")
def test_numbered_items_of_a_real_agenda_read_as_pdftotext_reads_them():
    text = read_source(PIERREFONDS / "compte-rendu-11-06-2020.pdf", cache=False).text
    assert not re.search(r"(?m)^\d{1,3}\.[^\W\d_]", text)
    assert re.search(r"(?m)^1[0-7]\. Election", text)
