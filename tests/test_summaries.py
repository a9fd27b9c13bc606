"""Light records (no texts) for the server's listing pages, cached by `minutes index`; full
records read on demand into a bounded cache, so a server's memory does not grow with the
number of sessions."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from indexer.benchgen import write_text_session
from indexer.index import index_paths, load_records
from indexer.records import read_manifest, record_path
from indexer.summaries import CACHE_DIR, light, read_light


def test_a_light_record_keeps_what_listings_show_and_drops_the_texts(search_home: Path) -> None:
    record = load_records(search_home)[0]
    small = light(record)
    assert small.session == record.session and small.agenda == record.agenda and small.persons == record.persons
    assert [(sp.id, sp.person_id, sp.item, sp.words) for sp in small.speeches] == \
        [(sp.id, sp.person_id, sp.item, sp.words) for sp in record.speeches]
    assert all(sp.text == "" for sp in small.speeches) and record.speeches[0].text  # the original is untouched
    assert [(d.number, d.title, d.articles, d.vote) for d in small.deliberations] == \
        [(d.number, d.title, d.articles, d.vote) for d in record.deliberations]
    assert all(d.report == "" and not d.tables for d in small.deliberations)
    assert [(w.title, w.group) for w in small.wishes] == [(w.title, w.group) for w in record.wishes]
    assert len(pickle.dumps(small)) * 5 < len(pickle.dumps(record))


def test_minutes_index_caches_the_light_copy_and_a_foreign_cache_file_is_refused(search_home: Path,
                                                                               tmp_path: Path,
                                                                               monkeypatch) -> None:
    home = tmp_path / "home"
    shutil.copytree(search_home, home)
    before = set(read_manifest(home)["sessions"])
    monkeypatch.setenv("MINUTES_HOME", str(home))  # the home as `minutes index` finds it
    added = index_paths([write_text_session(tmp_path / "add")])
    assert not added.errors
    manifest = read_manifest(home)
    new = sorted(set(manifest["sessions"]) - before)[0]
    path = record_path(new, home, manifest)
    cached = [p for p in home.joinpath(*CACHE_DIR).iterdir() if p.name.startswith(path.name + ".")]
    assert len(cached) == 1  # written by the run that published the record
    full = load_records(home)
    assert read_light(home, path, full=lambda p: pytest.fail("the record was parsed again")) == \
        light(next(r for r in full if r.session.id == new))

    class Evil:
        def __reduce__(self):  # noqa: ANN204
            return (shutil.rmtree, (str(home),))

    cached[0].write_bytes(pickle.dumps(Evil()))
    again = read_light(home, path)  # refused, read from the record again (and cached again)
    assert home.exists() and again is not None and again.session.id == new


def test_the_server_keeps_a_bounded_number_of_full_records(search_home: Path, tmp_path: Path) -> None:
    from webapp import create_app

    home = tmp_path / "home"
    shutil.copytree(search_home, home)
    for k, date in enumerate(("30 JUIN 2031", "15 MARS 2032")):
        session = write_text_session(tmp_path / f"add{k}")
        session.write_text(session.read_text(encoding="utf-8").replace("30 JUIN 2031", date), encoding="utf-8")
        assert not index_paths([session], home=home).errors
    app = create_app({"MINUTES_HOME": str(home), "TESTING": True})
    store = app.extensions["minutes"]
    store.record_cache = 2
    ids = [r.session.id for r in store.records()]
    assert len(ids) == 3 and all(sp.text == "" for r in store.records() for sp in r.speeches)
    for sid in ids:
        full = store.record(sid)
        assert full is not None and any(sp.text for sp in full.speeches)
    assert len(store._full) == 2  # the least recently used one was dropped
    assert store.record(ids[-1]) is store.record(ids[-1])  # kept while in use
    client = app.test_client()
    for sid in ids:
        page = client.get(f"/seances/{sid}")
        assert page.status_code == 200
        speech = store.record(sid).speeches[0]
        assert speech.text.split("\n\n")[0][:40].replace("'", "&#39;") in page.get_data(as_text=True) \
            or speech.text[:20] in page.get_data(as_text=True)
    assert len(store._full) <= 2
