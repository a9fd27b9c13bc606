"""Session identity and unit ids: a session is its body and date, never its file name.

Two councils whose minutes share a file name, two unnamed councils on one day, the same
file renamed, a new version of a session, permalinks of an index written by an older
release, re-parsing on a parser upgrade, and unit ids unique over every real corpus.
Runs the installed `minutes` entry point, as a user would, against a temporary home.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from indexer.index import (index_paths, index_records, load_record, load_records, open_index, read_manifest,
                           resolve_session_id, units_of)
from indexer.model import Deliberation, Record, Session
from indexer.parse import parse_file
from indexer.parse.version import PARSER_VERSION
from indexer.search import search

from .conftest import FRENCH_SAMPLE

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MINUTES = str(Path(sys.executable).with_name("minutes"))


def minutes(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MINUTES_HOME=str(home))
    env.pop("MINUTES_DEBUG", None)
    return subprocess.run([MINUTES, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def council(town: str, place: str) -> str:
    """A short municipal session of the council of `town` ("" for minutes that do not
    name it), whose only unusual word is `place`."""
    text = FRENCH_SAMPLE.replace("l'école élémentaire", place)
    return text.replace("conseil municipal du 12", f"conseil municipal de {town} du 12") if town else text


def put(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sessions_of(word: str, home: Path) -> list[str]:
    return sorted({h.session for h in search(word, home=home).hits})


def test_two_councils_whose_minutes_have_one_file_name(tmp_path) -> None:
    """`minutes index A/` (A/PV.txt, Lyon) then `minutes index B/` (B/pv.txt, Brive): two
    sessions, each with its id from its body and date; neither replaces the other."""
    home = tmp_path / "home"
    put(tmp_path / "A" / "PV.txt", council("Lyon", "la patinoire"))
    put(tmp_path / "B" / "pv.txt", council("Brive-la-Gaillarde", "le vélodrome"))
    for folder in ("A", "B"):
        out = minutes("index", str(tmp_path / folder), "--quiet", home=home)
        assert out.returncode == 0 and out.stderr == "", out.stderr
    assert sorted(read_manifest(home)["sessions"]) == ["brive-la-gaillarde-2024-02-12", "lyon-2024-02-12"]
    assert sessions_of("patinoire", home) == ["lyon-2024-02-12"]
    assert sessions_of("vélodrome", home) == ["brive-la-gaillarde-2024-02-12"]


def test_two_unnamed_councils_of_one_day(tmp_path) -> None:
    """Minutes that do not name their council, of the same day, under one file name in two
    folders: two sessions (the file name is a label, the content tells them apart); a
    re-run keeps both ids."""
    home = tmp_path / "home"
    first = put(tmp_path / "2024" / "pv.txt", council("", "la patinoire"))
    second = put(tmp_path / "autre" / "pv.txt", council("", "le vélodrome"))
    out = minutes("index", str(first.parent), str(second.parent), "--quiet", home=home)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    ids = sorted(read_manifest(home)["sessions"])
    assert len(ids) == 2 and ids[0] == "pv-2024-02-12" and ids[1].startswith("pv-2024-02-12-")
    (patinoire,), (velodrome,) = sessions_of("patinoire", home), sessions_of("vélodrome", home)
    assert patinoire != velodrome
    again = minutes("index", str(first.parent), str(second.parent), "--quiet", home=home)
    assert again.returncode == 0 and "0 séance(s) indexée(s), 2 inchangée(s)" in again.stdout
    assert sorted(read_manifest(home)["sessions"]) == ids
    assert sessions_of("patinoire", home) == [patinoire] and sessions_of("vélodrome", home) == [velodrome]


def test_the_same_file_renamed_keeps_its_id(tmp_path) -> None:
    home = tmp_path / "home"
    doc = put(tmp_path / "A" / "PV.txt", council("Lyon", "la patinoire"))
    assert minutes("index", str(doc), "--quiet", home=home).returncode == 0
    moved = tmp_path / "archives" / "conseil du 12 février.txt"
    moved.parent.mkdir()
    doc.rename(moved)
    out = minutes("index", str(moved), "--quiet", home=home)
    assert out.returncode == 0 and "0 séance(s) indexée(s), 1 inchangée(s)" in out.stdout, out.stdout
    assert list(read_manifest(home)["sessions"]) == ["lyon-2024-02-12"]
    assert sessions_of("patinoire", home) == ["lyon-2024-02-12"]


def test_a_new_version_of_a_session_replaces_it_and_says_so(tmp_path) -> None:
    """Same body, same date, new content (the corrected minutes, under another name): one
    line says which session it replaces; the id and its permalink stay."""
    home = tmp_path / "home"
    old = put(tmp_path / "A" / "PV.txt", council("Lyon", "la patinoire"))
    assert minutes("index", str(old), "--quiet", home=home).returncode == 0
    new = put(tmp_path / "B" / "pv-corrige.txt", council("Lyon", "le gymnase"))
    out = minutes("index", str(new), "--quiet", home=home)
    assert out.returncode == 0
    assert out.stderr.splitlines() == [f"attention : {new} : remplace la séance lyon-2024-02-12 lue dans PV.txt "
                                       "(même assemblée, même date, contenu différent)"]
    assert list(read_manifest(home)["sessions"]) == ["lyon-2024-02-12"]
    assert sessions_of("gymnase", home) == ["lyon-2024-02-12"] and sessions_of("patinoire", home) == []
    ix = open_index(home)
    assert ix.doc_count_all() == ix.doc_count()  # the replaced units no longer count in any score


def legacy_home(home: Path, doc: Path, old_id: str) -> None:
    """The layout an earlier release wrote for `doc`: the session id is the slugged file
    name, `index/manifest.json` without parser versions, `records/<id>.json`."""
    record = parse_file(doc)
    from indexer.records import rekey

    rekey(record, old_id)
    record.session.source = doc.name
    index_records([record], home=home)
    (entry,) = read_manifest(home)["sessions"].values()
    (home / "records" / entry["record"]).rename(home / "records" / f"{old_id}.json")
    legacy = {"sessions": {old_id: {k: entry[k] for k in ("sha256", "source", "date", "units")}}}
    for manifest in (home / "index").glob("manifest-*.json"):
        manifest.unlink()
    (home / "index" / "manifest.json").write_text(json.dumps(legacy), encoding="utf-8")


def test_an_index_written_by_an_earlier_release(tmp_path) -> None:
    """Its sessions are read again (they were parsed by an older parser), take their new
    ids, and the old ids still lead to them (`resolve_session_id`; a 301 on the site)."""
    home = tmp_path / "home"
    doc = put(tmp_path / "A" / "PV.txt", council("Lyon", "la patinoire"))
    legacy_home(home, doc, "pv")
    assert [r.session.id for r in load_records(home)] == ["pv"] and sessions_of("patinoire", home) == ["pv"]
    out = minutes("index", str(doc), "--quiet", home=home)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert "1 séance(s) indexée(s) (dont 1 relue(s) par le nouvel analyseur)" in out.stdout
    assert list(read_manifest(home)["sessions"]) == ["lyon-2024-02-12"]
    assert sessions_of("patinoire", home) == ["lyon-2024-02-12"]  # the old units are gone
    assert resolve_session_id("pv", home) == "lyon-2024-02-12"
    assert resolve_session_id("lyon-2024-02-12", home) == "lyon-2024-02-12"
    assert resolve_session_id("inconnue", home) is None
    assert load_record("pv", home) is None and load_record("lyon-2024-02-12", home) is not None

    from webapp import create_app

    client = create_app({"MINUTES_HOME": str(home)}).test_client()
    for old, new in (("/seances/pv", "/seances/lyon-2024-02-12"), ("/seances/pv.json", "/seances/lyon-2024-02-12.json")):
        response = client.get(old)
        assert response.status_code == 301 and response.headers["Location"].endswith(new), (old, response.status_code)
        assert client.get(new).status_code == 200
    for old, new in (("/voeux/pv/1", "/voeux/lyon-2024-02-12/1"), ("/voeux/pv/1.json", "/voeux/lyon-2024-02-12/1.json"),
                     ("/sources/pv.pdf", "/sources/lyon-2024-02-12.pdf")):  # every URL keyed by a session
        response = client.get(old)
        assert response.status_code == 301 and response.headers["Location"].endswith(new), (old, response.status_code)
    assert client.get("/seances/inconnue").status_code == 404
    assert not (home / "index" / "manifest.json").exists()  # the old layout is gone, nothing left behind
    assert sorted(p.name for p in (home / "records").iterdir()) == [read_manifest(home)["sessions"]
                                                                    ["lyon-2024-02-12"]["record"]]


def test_a_parser_upgrade_reads_again_only_what_the_older_parser_read(tmp_path) -> None:
    """The manifest records the parser version of each session; `minutes index` reads
    again the files an older parser read (here: one of two), and only those."""
    home = tmp_path / "home"
    lyon = put(tmp_path / "A" / "PV.txt", council("Lyon", "la patinoire"))
    brive = put(tmp_path / "B" / "pv.txt", council("Brive-la-Gaillarde", "le vélodrome"))
    assert minutes("index", str(lyon), str(brive), "--quiet", home=home).returncode == 0
    manifest = read_manifest(home)
    assert {e["parser"] for e in manifest["sessions"].values()} == {PARSER_VERSION}
    path = home / "index" / f"manifest-{manifest['generation']}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sessions"]["lyon-2024-02-12"]["parser"] = PARSER_VERSION - 1  # as an older release wrote it
    path.write_text(json.dumps(data), encoding="utf-8")
    before = {sid: e["record"] for sid, e in read_manifest(home)["sessions"].items()}

    out = minutes("index", str(lyon), str(brive), "--quiet", home=home)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert "1 séance(s) indexée(s) (dont 1 relue(s) par le nouvel analyseur), 1 inchangée(s)" in out.stdout
    after = read_manifest(home)["sessions"]
    assert {e["parser"] for e in after.values()} == {PARSER_VERSION}
    assert after["brive-la-gaillarde-2024-02-12"]["record"] == before["brive-la-gaillarde-2024-02-12"]  # not read
    assert after["lyon-2024-02-12"]["record"] != before["lyon-2024-02-12"]
    assert sessions_of("patinoire", home) == ["lyon-2024-02-12"]
    again = minutes("index", str(lyon), str(brive), "--quiet", home=home)
    assert "0 séance(s) indexée(s), 2 inchangée(s)" in again.stdout


# -- unit ids ---------------------------------------------------------------------------


def test_a_repeated_deliberation_number_gives_two_units() -> None:
    record = Record(session=Session(id="s", body="", date="2024-12-10"))
    record.deliberations = [Deliberation(number="D2024-52", title="Tarifs de la cantine", report="Rapport A"),
                            Deliberation(number="D2024-52", title="Subvention au club de football",
                                         report="Rapport B")]
    units = {u.id: u for u in units_of(record)}
    assert len(units) == 4
    assert units["s/d/D2024-52"].title == "Tarifs de la cantine"
    assert units["s/d/D2024-52-2"].title == "Subvention au club de football"
    assert units["s/d/D2024-52-2"].number == "D2024-52"
    assert units["s/r/D2024-52-2/001"].text == "Rapport B"
    # the page of number D2024-52 shows the first; the second opens on the session page
    assert units["s/d/D2024-52"].url == "/deliberations/D2024-52" and units["s/d/D2024-52-2"].url == "/seances/s"


PIERREFONDS = SHARED / "corpus-multi" / "pierrefonds" / "20241210-PV.pdf"


@pytest.mark.skipif(not PIERREFONDS.is_file(), reason="../shared/corpus-multi is not here")
def test_the_pierrefonds_session_that_repeats_a_number(tmp_path) -> None:
    """20241210-PV.pdf numbers two deliberations D2024-52 (and two D2024-53): each is a unit
    of its own, found by its own words."""
    home = tmp_path / "home"
    record = parse_file(PIERREFONDS)
    numbers = Counter(d.number for d in record.deliberations)
    repeated = [n for n, c in numbers.items() if c > 1]
    assert repeated, "the document no longer repeats a number"
    summary = index_paths([PIERREFONDS], home=home)
    assert not summary.errors
    (sid,) = read_manifest(home)["sessions"]
    hits = search("", filters={"kind": ["deliberation"]}, per_page=100, home=home).hits
    ids = [h.id for h in hits]
    assert len(ids) == len(set(ids)) == len(record.deliberations)
    for number in repeated:
        mine = [h for h in hits if h.number == number]
        assert len(mine) == numbers[number] and len({h.title for h in mine}) == len(mine)


def corpus_files() -> list[Path]:
    from indexer.index import source_files

    folders = [ROOT / "corpus"] + [SHARED / name for name in ("corpus-councils", "corpus-extra", "corpus-multi")]
    return source_files([f for f in folders if f.is_dir()])


@pytest.mark.slow
def test_ids_are_unique_over_every_corpus(tmp_path) -> None:
    """Every document of every corpus in ../shared (and the bundled one) indexed into one
    home: no two units share an id, no two documents of different sessions share a session."""
    files = corpus_files()
    if len(files) < 10:
        pytest.skip("../shared corpora are not here")
    home = tmp_path / "home"
    summary = index_paths(files, home=home)
    reader = open_index(home).reader()
    ids = Counter(fields["id"] for _, fields in reader.iter_docs())
    assert [i for i, n in ids.items() if n > 1] == []
    sessions = read_manifest(home)["sessions"]
    assert len(sessions) == summary.sessions
    replaced = [w for w in summary.warnings if "remplace la séance" in w or "vient déjà" in w]
    assert len(sessions) + len(replaced) + summary.skipped == len(files) - len(summary.errors) \
        - sum("même contenu" in w or "même séance" in w for w in summary.warnings)
    print(f"\n{len(files)} files, {len(sessions)} sessions, {sum(ids.values())} units, all ids unique; "
          f"same session from two files: {replaced}")
