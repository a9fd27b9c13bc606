"""A server process's memory after use stays bounded: what questions and pages keep once they are
answered is held by bounded caches, not by whatever the last requests happened to read."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from indexer.benchgen import write_text_session
from indexer.index import index_paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def three_sessions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled session and two copies of it under other dates, in one index."""
    tmp = tmp_path_factory.mktemp("three-sessions")
    texts = [write_text_session(tmp / "texts", name=f"cd62-{y}-06-30.txt") for y in (2031, 2032)]
    texts[1].write_text(texts[1].read_text(encoding="utf-8").replace("30 JUIN 2031", "30 JUIN 2032"), encoding="utf-8")
    home = tmp / "home"
    summary = index_paths([ROOT / "corpus", *texts], home=home)
    assert not summary.errors, summary.errors
    return home


def test_questions_keep_only_the_budget_of_sessions_in_memory(three_sessions: Path, monkeypatch) -> None:
    """Every question here reads all three sessions; once answered, the process keeps only what the
    knowledge budget allows (one session), not the merged knowledge of the last questions' sessions."""
    import indexer.answer as answer_mod
    import indexer.qa.store as store

    alive: list[weakref.ref] = []
    real = store.load_knowledge

    def tracked(home, sid, key):  # noqa: ANN001, ANN202
        rk = real(home, sid, key)
        alive.append(weakref.ref(rk))
        return rk

    sessions = answer_mod._sessions(three_sessions)
    assert len(sessions) == 3
    one = len(real(three_sessions, sessions[0][1], sessions[0][2]).sentences)
    monkeypatch.setattr(store, "load_knowledge", tracked)
    monkeypatch.setattr(answer_mod, "_record_knowledge", answer_mod.KnowledgeCache(budget=one + 2))
    for question in ("À quelle heure la séance a-t-elle été suspendue ?", "Qui a présidé la séance ?"):
        assert answer_mod.ask(question, home=three_sessions).found, question
    gc.collect()
    assert len(alive) >= 3  # each session was read
    assert sum(ref() is not None for ref in alive) == 1
    assert answer_mod.ask("Qui a présidé la séance ?", home=three_sessions).found  # still answers


def _index_pages_resident(home: Path) -> int:
    """kB of this process's resident pages that map files of the index home."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        first = line.split(maxsplit=1)[0]
        if "-" in first and not first.endswith(":"):
            inside = str(home) in line
        elif inside and first == "Rss:":
            total += int(line.split()[1])
    return total


def test_an_idle_server_process_unmaps_the_index_pages_its_searches_read(search_home: Path, tmp_path: Path,
                                                                         monkeypatch) -> None:
    """Searches map pages of the index files, which a process's RSS counts as its own; once the
    process is idle they are unmapped (the kernel keeps them in its page cache), and the next
    search gives the same results."""
    import shutil
    import threading
    import time

    import webapp.serve as serve
    from webapp import create_app

    if not Path("/proc/self/smaps").exists():
        pytest.skip("no /proc on this system")
    home = tmp_path / "home"
    shutil.copytree(search_home, home)
    monkeypatch.setattr(serve, "IDLE_TRIM", 0.3)
    monkeypatch.setattr(serve, "WATCH_INTERVAL", 0.1)
    monkeypatch.setattr(serve, "EXTRAS_DELAY", 3600.0)
    warmed = threading.Event()
    real_warm = serve._warm

    def warm(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        real_warm(*args, **kwargs)
        warmed.set()

    monkeypatch.setattr(serve, "_warm", warm)
    app = create_app({"MINUTES_HOME": str(home)})
    serve.preload(app)
    stop = threading.Event()
    serve.warm_up(app, watch=True, stop=stop)
    try:
        client = app.test_client()
        assert warmed.wait(60)  # the searcher opened, its arrays read
        first = client.get("/recherche.json?q=budget+suppl%C3%A9mentaire")
        assert first.status_code == 200 and first.get_json()["total"] > 0
        assert _index_pages_resident(home) > 256  # kB: what the search read is mapped
        deadline = time.monotonic() + 30
        while _index_pages_resident(home) > 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _index_pages_resident(home) == 0
        again = client.get("/recherche.json?q=budget+suppl%C3%A9mentaire")
        assert again.get_json()["hits"] == first.get_json()["hits"]
        fresh = client.get("/recherche.json?q=t%C3%A9l%C3%A9assistance")  # not in the page cache
        assert fresh.status_code == 200 and fresh.get_json()["total"] > 0
    finally:
        stop.set()
