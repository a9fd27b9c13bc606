"""The index on disk: units, incremental and atomic updates, locks, bad files, the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.index import index_paths, load_record, load_records, read_manifest, units_of
from indexer.parse import parse_file
from indexer.search import search
from indexer.units import KINDS

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "corpus" / "pas-de-calais-2025-09-22.txt"
SID = "pas-de-calais-2025-09-22"


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MINUTES_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "indexer", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def bundled_record():
    return parse_file(BUNDLED)


def test_units_cover_every_kind_with_stable_ids(bundled_record) -> None:
    units = units_of(bundled_record)
    kinds = {u.kind for u in units}
    assert {"intervention", "deliberation", "voeu", "rapport"} <= kinds
    assert len([u for u in units if u.kind == "intervention"]) == len(bundled_record.speeches)
    assert len([u for u in units if u.kind == "deliberation"]) == 12
    assert len([u for u in units if u.kind == "voeu"]) == 5
    ids = [u.id for u in units]
    assert len(ids) == len(set(ids))
    assert f"{SID}/d/2025-361" in ids
    assert any(i.startswith(f"{SID}/r/2025-361/") for i in ids)
    # the same document always gives the same ids
    assert [u.id for u in units_of(parse_file(BUNDLED))] == ids


def test_units_carry_their_context(bundled_record) -> None:
    units = {u.id: u for u in units_of(bundled_record)}
    d = units[f"{SID}/d/2025-361"]
    assert d.number == "2025-361" and d.item == "rapport-2" and d.date == "2025-09-22"
    assert "adopté" in d.text.lower() and "Budget supplémentaire" in d.title
    speech = next(u for u in units.values() if u.kind == "intervention" and u.speaker == "Ludovic PAJOT"
                  and u.item == "rapport-2")
    assert speech.group == "Groupe Rassemblement National" and speech.person_id
    assert speech.url.startswith(f"/seances/{SID}#s")
    reports = [u for u in units.values() if u.kind == "rapport" and u.number == "2025-361"]
    assert len(reports) > 10 and all(len(u.text) < 20_000 for u in reports)


def test_incremental_skip_and_replace(tmp_path: Path) -> None:
    home, src = tmp_path / "home", tmp_path / "src"
    src.mkdir()
    doc = src / "conseil-2024-01-15.txt"
    doc.write_text("Séance du 15 janvier 2024.\n\nLe conseil parle du zeppelin.\n", encoding="utf-8")
    first = index_paths([src], home=home)
    assert (first.sessions, first.skipped) == (1, 0)
    again = index_paths([src], home=home)
    assert (again.sessions, again.skipped, again.units) == (0, 1, 0)
    assert search("zeppelin", home=home).total == 1
    doc.write_text("Séance du 15 janvier 2024.\n\nLe conseil parle du dirigeable.\n", encoding="utf-8")
    changed = index_paths([src], home=home)
    assert changed.sessions == 1
    assert search("zeppelin", home=home).total == 0
    assert search("dirigeable", home=home).total == 1
    assert len(read_manifest(home)["sessions"]) == 1
    record = load_record("conseil-2024-01-15", home=home)
    assert record is not None and "dirigeable" in record.passages[0].text
    assert [r.session.id for r in load_records(home)] == ["conseil-2024-01-15"]


def test_bad_files_are_reported_one_line_each_and_the_rest_is_indexed(tmp_path: Path) -> None:
    home, src = tmp_path / "home", tmp_path / "src"
    src.mkdir()
    (src / "bon-2024-02-01.txt").write_text("Le conseil parle du zeppelin.\n", encoding="utf-8")
    (src / "casse.pdf").write_bytes(b"ceci n'est pas un PDF" * 10)
    (src / "vide.txt").write_bytes(b"")
    out = run_cli("index", str(src), "--quiet", home=home)
    assert out.returncode == 2
    errors = [line for line in out.stderr.splitlines() if line.startswith("erreur")]
    assert len(errors) == 2 and any("casse.pdf" in e for e in errors) and any("vide.txt" in e for e in errors)
    assert "Traceback" not in out.stderr
    assert search("zeppelin", home=home).total == 1


def test_stale_lock_is_recovered_and_live_lock_refused(tmp_path: Path) -> None:
    home, src = tmp_path / "home", tmp_path / "src"
    src.mkdir()
    (src / "a-2024-03-01.txt").write_text("Le conseil parle du zeppelin.\n", encoding="utf-8")
    (home / "index").mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (home / "index" / "writer.pid").write_text(str(dead.pid))
    assert index_paths([src], home=home).sessions == 1
    assert not (home / "index" / "writer.pid").exists()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (home / "index" / "writer.pid").write_text(str(live.pid))
        (src / "b-2024-03-02.txt").write_text("Le conseil parle du dirigeable.\n", encoding="utf-8")
        out = run_cli("index", str(src), "--quiet", home=home)
        assert out.returncode == 2 and "en cours" in out.stderr and "Traceback" not in out.stderr
    finally:
        live.kill()
        live.wait()
    assert run_cli("index", str(src), "--quiet", home=home).returncode == 0  # the holder died: stale
    assert search("dirigeable", home=home).total == 1


@pytest.mark.slow
def test_kill_9_leaves_previous_index_searchable(tmp_path: Path) -> None:
    """kill -9 an indexing run at several points: the previous index stays intact and
    searchable, the stale lock is recovered, and a final run completes the work."""
    home, src = tmp_path / "home", tmp_path / "src"
    src.mkdir()
    text = BUNDLED.read_text(encoding="utf-8")
    (src / f"{SID}.txt").write_text(text, encoding="utf-8")
    assert run_cli("index", str(src), "--quiet", home=home).returncode == 0
    before = search("Palestine", home=home)
    assert before.total == 1
    units_before = read_manifest(home)["sessions"][SID]["units"]

    def two_more_sessions(version: int) -> None:
        """Two other sessions of the same council (another date each), in a new version: a run
        that ended before its kill leaves the next one work to do (and a point to kill)."""
        for k in range(1, 3):
            (src / f"conseil-2025-1{k}-01.txt").write_text(
                text.replace("22 SEPTEMBRE 2025", f"1 {('NOVEMBRE', 'DECEMBRE')[k - 1]} 2025")
                + f"\n\nNote de relecture n°{k}, version {version}.\n", encoding="utf-8")

    env = dict(os.environ, MINUTES_HOME=str(home))
    folder = home / "index"
    stages = {  # kill as soon as the run reaches this point
        "parsing": lambda names, t: t > 0.3,
        "lock taken": lambda names, t: "writer.pid" in names,
        "postings written": lambda names, t: any(n.endswith(".pst") for n in names),
        "segment being finished": lambda names, t: any(n.endswith(".col") for n in names),
    }
    hit = []
    for version, (stage, reached) in enumerate(stages.items()):
        two_more_sessions(version)
        proc = subprocess.Popen([sys.executable, "-m", "indexer", "index", str(src), "--quiet"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        while proc.poll() is None:
            if reached(set(os.listdir(folder)), time.monotonic() - started):
                os.kill(proc.pid, signal.SIGKILL)
                hit.append(stage)
                break
            time.sleep(0.01)
        proc.wait()
        # whatever happened, the index opens and answers, with every committed session whole
        assert search("Palestine", home=home).total >= 1, stage
        counts = search("", filters={"kind": list(KINDS)},
                        home=home).facets["session"]
        assert counts[SID] == units_before
        for sid, n in counts.items():
            assert n == units_before, (stage, sid, n)  # no half-written session is visible
        assert set(read_manifest(home)["sessions"]) <= set(counts)
    assert len(hit) >= 3, hit  # the kills did land inside the runs
    final = run_cli("index", str(src), "--quiet", home=home)
    assert final.returncode == 0, final.stderr
    assert search("Palestine", home=home).total == 3
    assert len(read_manifest(home)["sessions"]) == 3
    ids = [h.id for h in search("Palestine", home=home).hits]
    assert len(ids) == len(set(ids)) == 3


def test_cli_index_summary(tmp_path: Path) -> None:
    home, src = tmp_path / "home", tmp_path / "src"
    src.mkdir()
    (src / "a-2024-04-01.txt").write_text("Le conseil parle du zeppelin.\n", encoding="utf-8")
    out = run_cli("index", str(src), home=home)
    assert out.returncode == 0
    assert "1 fichier(s), 1 séance(s) indexée(s)" in out.stdout
    assert "1/1" in out.stderr  # progress


def test_a_run_holds_no_record_once_its_knowledge_is_stored(tmp_path: Path, monkeypatch) -> None:
    """The run's memory does not grow with its sessions: each record's question knowledge is
    stored in the cache as soon as a worker makes it, at most KNOWLEDGE_AHEAD records wait per
    worker, and what the run keeps of a record until its commit is its manifest entry."""
    from indexer.benchgen import generate
    from indexer.model import Record
    from indexer.knowledge_pool import KNOWLEDGE_AHEAD
    from indexer.publisher import IndexSummary, Publisher
    from indexer.qa.store import cache_file, record_key

    monkeypatch.setenv("MINUTES_WORKERS", "2")
    home = tmp_path / "home"
    waiting = []
    with Publisher(home, IndexSummary()) as pub:
        for record in generate(7, seed=5, chars_per_session=30_000):
            assert pub.add(record)
            waiting.append(len(pub.knowledge.unsaved))
        assert not any(isinstance(x, Record) for item in pub.pending for x in item)
        pub.publish()
    assert max(waiting) <= KNOWLEDGE_AHEAD * 2 + 1, waiting
    sessions = read_manifest(home)["sessions"]
    assert len(sessions) == 7
    for sid, entry in sessions.items():  # every session's knowledge is in the cache, under its entry
        assert cache_file(home, sid, record_key(entry)).is_file(), sid
