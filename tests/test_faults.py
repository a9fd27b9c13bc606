"""Faults, end to end through the real `minutes` command.

Bad input in a folder next to good files, the same file twice, two files of one
session, `kill -9` of the indexer at many points of its run, and the web server
answering while a new session is indexed into the index it serves.  Everything
runs the installed `minutes` entry point in subprocesses against a MINUTES_HOME in
a temporary folder; answers are read back with the search library or over HTTP.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from indexer.index import KINDS, index_generation, read_manifest
from indexer.search import search

from . import pdfgen
from .conftest import FRENCH_SAMPLE

ROOT = Path(__file__).resolve().parent.parent
MINUTES = str(Path(sys.executable).with_name("minutes"))  # the installed entry point
BUNDLED = ROOT / "corpus" / "pas-de-calais-2025-09-22.txt"
SID = "pas-de-calais-2025-09-22"
#: queries on the bundled session whose answers must never change under faults
QUERIES = ("Palestine", "téléassistance", "collèges", '"service civique"', "orateur:pajot budget", "type:voeu",
           "Mercosur OR agriculteurs", "type:deliberation")


def env_for(home: Path) -> dict[str, str]:
    env = dict(os.environ, MINUTES_HOME=str(home))
    env.pop("MINUTES_DEBUG", None)  # the user's view: never a traceback
    return env


def minutes(*args: str, home: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([MINUTES, *args], capture_output=True, text=True, env=env_for(home), cwd=ROOT,
                          timeout=timeout)


def answers(home: Path, queries: tuple[str, ...] = QUERIES) -> dict[str, tuple[int, list[str]]]:
    """Every hit id of each query, in rank order (all pages)."""
    out = {}
    for q in queries:
        ids: list[str] = []
        page = 1
        while True:
            result = search(q, per_page=100, page=page, facets=False, home=home)
            ids += [h.id for h in result.hits]
            if page >= result.pages:
                break
            page += 1
        out[q] = (result.total, ids)
    return out


def as_sets(found: dict[str, tuple[int, list[str]]]) -> dict[str, tuple[int, frozenset[str]]]:
    return {q: (total, frozenset(ids)) for q, (total, ids) in found.items()}


def units_per_session(home: Path) -> dict[str, int]:
    """Units of each session in the index (what a search sees), from the session facet."""
    return dict(search("", filters={"kind": list(KINDS)}, home=home).facets.get("session", {}))


def session_text(day: str, marker: str) -> str:
    """The bundled session re-dated, with one word no other session has."""
    text = BUNDLED.read_text(encoding="utf-8").replace("22 SEPTEMBRE 2025", day)
    return text + f"\n\nNote de relecture : le dossier {marker} est reporté.\n"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> Path:
    """A MINUTES_HOME with the bundled session indexed by `minutes index`."""
    home = tmp_path_factory.mktemp("indexed") / "home"
    out = minutes("index", str(BUNDLED), "--quiet", home=home)
    assert out.returncode == 0, out.stderr
    return home


def copy_home(indexed: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(indexed, home)
    return home


def sample(place: str) -> str:
    """A short municipal session whose only unusual word is `place`."""
    return FRENCH_SAMPLE.replace("l'école élémentaire", place)


# -- bad input, end to end --------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory) -> tuple[Path, dict[str, tuple[Path, str]], dict[str, tuple[Path, str]]]:
    """A folder as a user would fill it: good sessions and every kind of bad file.

    Returns (folder, bad files by kind -> (path, words of the line), good files by kind -> (path, word))."""
    folder = tmp_path_factory.mktemp("depot")
    good_pdf = pdfgen.minutes_pdf(sample("la patinoire") * 3)
    bad: dict[str, tuple[Path, str]] = {}
    good: dict[str, tuple[Path, str]] = {}

    def put(kind: str, name: str, data: bytes, words: str) -> None:
        (folder / name).write_bytes(data)
        bad[kind] = (folder / name, words)

    put("empty", "vide.txt", b"", "fichier vide")
    put("not_pdf", "erreur-404.pdf", b"<html><body>Erreur 404</body></html>\n", "n'est pas un PDF")
    put("truncated", "telechargement-interrompu.pdf", good_pdf[: len(good_pdf) // 2], "tronqué")
    pdfgen.encrypted_pdf(good_pdf, folder / "protege.pdf")
    bad["encrypted"] = (folder / "protege.pdf", "mot de passe")
    pdfgen.scanned_pdf(folder / "scan-sans-texte.pdf")
    bad["scanned"] = (folder / "scan-sans-texte.pdf", "OCR")
    put("not_utf8", "japonais.txt", "これは日本語のテキストです。".encode("shift_jis") * 50, "UTF-8")
    put("junk", "donnees.md", random.Random(1).randbytes(20_000), "binaires")
    big = random.Random(2).randbytes(50 * 1024 * 1024)
    put("big_pdf", "enorme.pdf", big, "n'est pas un PDF")
    put("big_txt", "enorme-texte.txt", big, "binaires")
    put("big_pdf_header", "enorme-entete.pdf", b"%PDF-1.7\n" + big[:20 * 1024 * 1024] + b"\nstartxref\n9\n%%EOF\n",
        "PDF")

    (folder / "conseil-2024-02-12.pdf").write_bytes(good_pdf)
    good["pdf"] = (folder / "conseil-2024-02-12.pdf", "patinoire")
    (folder / "conseil-2024-03-18.txt").write_bytes(sample("le vélodrome").encode("cp1252"))
    good["cp1252"] = (folder / "conseil-2024-03-18.txt", "vélodrome")
    return folder, bad, good


def test_folder_of_good_and_bad_files(tmp_path, indexed, bad_folder) -> None:
    """One line per bad file naming it and what to do, exit 2, the good files indexed,
    the existing index unchanged for its own queries; a second run changes nothing."""
    folder, bad, good = bad_folder
    home = copy_home(indexed, tmp_path)
    before = answers(home)
    missing = tmp_path / "introuvable.pdf"

    started = time.monotonic()
    out = minutes("index", str(folder), str(missing), "--quiet", home=home)
    elapsed = time.monotonic() - started
    print(f"\nminutes index on {len(bad) + len(good)} files (3 of 20-50 MB) + 1 missing: {elapsed:.1f} s")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr + out.stdout
    lines = out.stderr.splitlines()
    errors = [line for line in lines if line.startswith("erreur : ")]
    warnings = [line for line in lines if line.startswith("attention : ")]
    assert len(errors) + len(warnings) == len(lines), lines  # nothing else on stderr
    expected = {**bad, "missing": (missing, "introuvable")}
    assert len(errors) == len(expected), errors
    for kind, (path, words) in expected.items():
        mine = [line for line in errors if str(path) in line]
        assert len(mine) == 1, (kind, errors)
        assert words in mine[0], (kind, mine[0])
    assert all(any(path.name in line for path, _ in good.values()) for line in warnings), warnings
    assert any(line.startswith(f"attention : {good['cp1252'][0]} : ") and "cp1252" in line for line in warnings)
    assert elapsed < 30, "the 20-50 MB files must be refused without being read whole"

    summary = out.stdout.strip().splitlines()
    assert len(summary) == 1 and "2 séance(s) indexée(s)" in summary[0] and f"{len(expected)} erreur(s)" in summary[0]
    assert set(read_manifest(home)["sessions"]) == {SID, "conseil-2024-02-12", "conseil-2024-03-18"}
    assert sorted(p.name for p in (home / "records").glob("*.json")) == [
        "conseil-2024-02-12.json", "conseil-2024-03-18.json", f"{SID}.json"]
    assert as_sets(answers(home)) == as_sets(before)  # the bundled session answers as before
    for kind, (path, word) in good.items():
        found = json.loads(minutes("search", word, "--json", home=home).stdout)
        assert found["total"] >= 1 and {h["session"] for h in found["hits"]} == {path.stem}, kind

    again = minutes("index", str(folder), str(missing), "--quiet", home=home)
    assert again.returncode == 2
    assert sorted(again.stderr.splitlines()) == sorted(errors)  # the same lines; good files not read again
    assert "0 séance(s) indexée(s), 2 inchangée(s)" in again.stdout
    assert answers(home) == answers(home) and as_sets(answers(home)) == as_sets(before)


def test_parse_each_bad_file(bad_folder, tmp_path) -> None:
    """`minutes parse` on each bad file: nothing on stdout, one line naming the file, exit 2."""
    _, bad, _ = bad_folder
    procs = {kind: (subprocess.Popen([MINUTES, "parse", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env_for(tmp_path / "home"), cwd=ROOT), time.monotonic())
             for kind, (path, _) in bad.items()}
    for kind, (proc, started) in procs.items():
        out, err = proc.communicate(timeout=60)
        path, words = bad[kind]
        assert proc.returncode == 2, (kind, err)
        assert out == "", kind
        assert len(err.splitlines()) == 1 and err.startswith(f"erreur : {path}") and words in err, (kind, err)
        assert time.monotonic() - started < 30, kind


# -- the same file twice, two files of one session ----------------------------------------


def test_the_same_file_twice_is_indexed_once(tmp_path) -> None:
    home, src = tmp_path / "home", tmp_path / "src"
    src.mkdir()
    doc = src / "conseil-2024-04-08.txt"
    doc.write_text(sample("le gymnase"), encoding="utf-8")
    copy = src / "conseil-2024-04-08 (1).txt"  # downloaded twice
    copy.write_bytes(doc.read_bytes())

    out = minutes("index", str(doc), str(doc), str(src), "--quiet", home=home)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == [f"attention : {copy} : même contenu que {doc} ; ignoré"]
    assert "1 séance(s) indexée(s)" in out.stdout
    assert list(read_manifest(home)["sessions"]) == ["conseil-2024-04-08"]
    hits = search("gymnase", home=home).hits
    assert hits and len({h.id for h in hits}) == len(hits)  # no unit twice
    assert units_per_session(home) == {"conseil-2024-04-08": read_manifest(home)["sessions"]["conseil-2024-04-08"]["units"]}

    again = minutes("index", str(src), "--quiet", home=home)
    assert again.returncode == 0 and "0 séance(s) indexée(s)" in again.stdout
    assert [h.id for h in search("gymnase", home=home).hits] == [h.id for h in hits]


def test_text_and_pdf_of_one_session(tmp_path) -> None:
    """The PDF and its text conversion: one session, from the PDF, with a line naming the
    text file; stable over runs; the text is used when the PDF cannot be read."""
    home, src = tmp_path / "home", tmp_path / "src"
    src.mkdir()
    text = sample("le conservatoire") * 2
    txt, pdf = src / "conseil-2024-06-10.txt", src / "conseil-2024-06-10.pdf"
    txt.write_text(text, encoding="utf-8")
    pdfgen.minutes_pdf(text, pdf)

    out = minutes("index", str(src), "--quiet", home=home)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == [f"attention : {txt} : même séance que {pdf.name} ; seul {pdf.name} est indexé "
                                       "(le PDF est préféré à sa conversion en texte)"]
    sessions = read_manifest(home)["sessions"]
    assert list(sessions) == ["conseil-2024-06-10"] and sessions["conseil-2024-06-10"]["source"] == pdf.name
    hits = search("conservatoire", per_page=100, home=home).hits
    assert hits and len({h.id for h in hits}) == len(hits)
    assert units_per_session(home) == {"conseil-2024-06-10": sessions["conseil-2024-06-10"]["units"]}

    again = minutes("index", str(src), "--quiet", home=home)  # no flip-flop between the two files
    assert again.returncode == 0 and "0 séance(s) indexée(s), 1 inchangée(s)" in again.stdout
    assert read_manifest(home) == {"sessions": sessions}

    pdfgen.scanned_pdf(pdf)  # the PDF replaced by a scan without text: the conversion takes over
    third = minutes("index", str(src), "--quiet", home=home)
    assert third.returncode == 2
    assert [line for line in third.stderr.splitlines() if line.startswith("erreur")] == [
        line for line in third.stderr.splitlines() if str(pdf) in line and "OCR" in line]
    assert read_manifest(home)["sessions"]["conseil-2024-06-10"]["source"] == txt.name
    hits = search("conservatoire", per_page=100, home=home).hits
    assert hits and len({h.id for h in hits}) == len(hits)
    assert units_per_session(home) == {"conseil-2024-06-10": read_manifest(home)["sessions"]["conseil-2024-06-10"]["units"]}
