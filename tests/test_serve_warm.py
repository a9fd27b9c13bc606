"""`minutes serve` gets each index generation ready before visitors ask: records read once
(a re-index reads only the new session's record), searcher and its arrays opened ahead."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from indexer.benchgen import write_text_session
from indexer.index import index_generation, index_paths, load_records


def _added(home: Path, tmp_path: Path) -> None:
    summary = index_paths([write_text_session(tmp_path / "add")], home=home)
    assert not summary.errors, summary.errors


def test_a_reindex_reads_only_the_new_record(search_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(search_home, home)
    cache: dict = {}
    first = load_records(home, cache=cache)
    assert first == load_records(home) and first
    _added(home, tmp_path)
    second = load_records(home, cache=cache)
    assert second == load_records(home)  # the same records as a full read
    assert len(second) == len(first) + 1
    assert all(any(old is new for new in second) for old in first)  # unchanged ones were not parsed again
    assert len(cache) == len(second)


def _new_generation_made_ready(search_home: Path, tmp_path: Path, interrupted: bool, monkeypatch) -> None:
    """Index one more session beside a warmed-up app; assert that, without any request, the
    watcher reads its record and prepares the new generation's searcher; with `interrupted`, the
    first warm-up of the new generation fails (as when a commit under way removes files it reads)."""
    import indexer.search
    from indexer.search import backend_for
    from webapp import create_app
    from webapp.serve import preload, warm_up

    home = tmp_path / "home"
    shutil.copytree(search_home, home)
    app = create_app({"MINUTES_HOME": str(home)})
    preload(app)
    store = app.extensions["minutes"]
    assert store._derived is not None and store._derived.records  # read before serving
    stop = threading.Event()
    real_warm = indexer.search.warm
    failures: list[int] = []

    def warm(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if interrupted and index_generation(home) > first_generation and not failures:
            failures.append(1)
            raise OSError("segment removed by a commit under way")
        real_warm(*args, **kwargs)

    first_generation = index_generation(home)
    monkeypatch.setattr(indexer.search, "warm", warm)
    warm_up(app, watch=True, stop=stop)
    try:
        engine = backend_for(str(home.resolve())).engine
        before = len(store._derived.records)
        _added(home, tmp_path)
        generation = index_generation(home)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # no request: the watcher alone picks the new generation up
            snap = engine._snapshot
            if (len(store._derived.records) == before + 1 and snap is not None and snap.generation == generation
                    and "lengths:text" in snap.columns):
                break
            time.sleep(0.05)
        else:
            raise AssertionError(("the new generation was not made ready", len(store._derived.records), before + 1,
                                  snap and snap.generation, generation,
                                  engine is backend_for(str(home.resolve())).engine))
        assert failures == ([1] if interrupted else [])
        with app.test_client() as client:
            assert client.get("/recherche?q=budget").status_code == 200
    finally:
        stop.set()


def test_a_new_generation_is_ready_before_the_first_request(search_home: Path, tmp_path: Path, monkeypatch) -> None:
    _new_generation_made_ready(search_home, tmp_path, False, monkeypatch)


def test_a_warm_up_that_fails_is_tried_again(search_home: Path, tmp_path: Path, monkeypatch) -> None:
    """The records of the new generation were read, then its searcher failed to open: the watcher
    does not take the generation as ready (it used to, until the next re-index)."""
    _new_generation_made_ready(search_home, tmp_path, True, monkeypatch)


def test_the_question_table_is_mapped_not_copied_into_each_server_process(search_home: Path, tmp_path: Path) -> None:
    """The table that picks a question's sessions (~47 MB of postings at 100 sessions) is mapped
    from its file: every server process reads the same pages instead of holding its own copy."""
    import numpy as np

    import indexer.answer as answer
    from indexer.qa import sessions as qa_sessions
    from indexer.qa.store import cache_file
    from indexer.qa.text import stem

    home = tmp_path / "home"
    shutil.copytree(search_home, home)
    keys = [(sid, key) for _, sid, key in answer._sessions(home)]
    qa_sessions._tables.clear()
    try:
        table = qa_sessions.table_of(home, keys)
        assert table.layers and all(isinstance(layer.chunks, np.memmap) for layer in table.layers)
        parts = [qa_sessions.read_pickle(qa_sessions.summary_file(cache_file(home, sid, key)), qa_sessions.Summary)
                 for sid, key in keys]
        built = qa_sessions.Table.of(keys, parts)  # the table made in memory from each session's part
        for stem_id in range(0, len(built.vocab), 11):
            assert set(table.chunks_of(table._ids[built.vocab[stem_id]]).tolist()) == \
                set(built.chunks_of(stem_id).tolist())
        assert table.ranked_sessions([stem("budget")]) == built.ranked_sessions([stem("budget")]) != []
    finally:
        qa_sessions._tables.clear()
