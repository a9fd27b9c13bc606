"""`minutes index` reads and parses files in the worker pool: same index as one process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.index_worker import segment_job as _SEGMENT_JOB
from indexer.pipeline import index_paths
from indexer.records import manifest_file, read_manifest, records_path

from . import pdfgen
from .conftest import FRENCH_SAMPLE

pytestmark = pytest.mark.usefixtures("no_stray_threads")


def _folder(root: Path) -> Path:
    """Five municipal minutes as PDF, a text twin of one of them, a bad file and a duplicate."""
    src = root / "src"
    src.mkdir()
    for day in (5, 12, 19, 26):
        text = FRENCH_SAMPLE.replace("12 février 2024", f"{day} février 2024") + f"\nMot témoin marqueur{day}.\n"
        pdfgen.minutes_pdf(text * 3, src / f"conseil-2024-02-{day:02d}.pdf")
    (src / "conseil-2024-02-05.txt").write_text(FRENCH_SAMPLE, encoding="utf-8")  # the PDF is preferred
    (src / "copie.pdf").write_bytes((src / "conseil-2024-02-12.pdf").read_bytes())  # same content
    (src / "casse.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n")  # truncated
    return src


def _state(home: Path) -> tuple[dict, dict]:
    manifest = read_manifest(home)
    sessions = {sid: {k: v for k, v in e.items() if k not in ("record", "file")}
                for sid, e in manifest["sessions"].items()}
    records = {sid: json.loads((records_path(home) / e["record"]).read_text(encoding="utf-8"))
               for sid, e in manifest["sessions"].items()}
    return sessions, records


def test_parallel_index_equals_one_process(tmp_path, monkeypatch):
    src = _folder(tmp_path)
    monkeypatch.setenv("MINUTES_WORKERS", "1")
    one = index_paths([src], home=tmp_path / "one")
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    many = index_paths([src], home=tmp_path / "many")
    assert (many.sessions, many.skipped, many.units) == (one.sessions, one.skipped, one.units)
    assert many.sessions == 4
    assert many.errors == one.errors and len(many.errors) == 1 and "casse.pdf" in many.errors[0]
    assert sorted(many.warnings) == sorted(one.warnings)
    assert any("copie.pdf : même contenu que" in w for w in many.warnings)
    assert any("conseil-2024-02-05.txt : même séance que" in w for w in many.warnings)
    assert _state(tmp_path / "many") == _state(tmp_path / "one")


def test_files_read_by_an_older_parser_are_read_again_in_parallel(tmp_path, monkeypatch):
    src = _folder(tmp_path)
    home = tmp_path / "home"
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    first = index_paths([src], home=home)
    path = manifest_file(home, read_manifest(home)["generation"])
    data = json.loads(path.read_text(encoding="utf-8"))
    older = sorted(data["sessions"])[:2]
    for sid in older:  # as an older release wrote them
        data["sessions"][sid]["parser"] -= 1
    path.write_text(json.dumps(data), encoding="utf-8")
    again = index_paths([src], home=home)
    assert (again.sessions, again.reparsed, again.skipped) == (2, 2, 2)
    assert _state(home)[1].keys() == {*older, *sorted(data["sessions"])[2:]}
    assert again.errors == first.errors


def _postings(home: Path) -> list:
    """Every posting of the index (field, term, unit id, weight, value bytes) and each unit's stored fields."""
    from indexer.index import open_index

    ix = open_index(home)
    with ix.reader() as r:
        ids = {n: r.stored_fields(n)["id"] for n in r.all_doc_ids()}
        postings = [(f, t, ids[d], w, v) for f, t, d, w, v in r.iter_postings()]
        stored = sorted((ids[n], sorted(r.stored_fields(n).items())) for n in ids)
        lengths = sorted((ids[n], f, r.doc_field_length(n, f)) for n in ids for f in ("text", "title"))
    ix.close()
    return [postings, stored, lengths]


def _segments(home: Path) -> int:
    from indexer.index import open_index

    ix = open_index(home)
    try:
        return len(ix._segments())
    finally:
        ix.close()


def test_a_large_session_analysed_half_in_the_pool_gives_the_same_index(tmp_path, monkeypatch):
    """Adding one large session from this process, the run's last record: its last units are analysed
    and written to a segment of their own by the worker pool (`KnowledgePool.apart`), published by
    the run's commit; the index, vocabulary and record are those of one process."""
    from indexer.benchgen import BUNDLED
    from indexer.knowledge_pool import SPLIT_UNITS

    homes = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("MINUTES_WORKERS", workers)
        homes[workers] = tmp_path / f"w{workers}"
        summary = index_paths([BUNDLED], home=homes[workers])
        assert summary.units >= SPLIT_UNITS and not summary.errors
    one, two = homes["1"], homes["2"]
    assert _segments(two) == _segments(one) + 1  # the pool's
    assert _state(two) == _state(one)
    assert _postings(two) == _postings(one)
    vocab = sorted(p.name for p in (one / "index" / "vocab").iterdir())
    assert vocab and vocab == sorted(p.name for p in (two / "index" / "vocab").iterdir())
    for name in vocab:
        assert (two / "index" / "vocab" / name).read_text() == (one / "index" / "vocab" / name).read_text()


def test_parts_the_pool_could_not_take_are_analysed_by_the_run(tmp_path, monkeypatch):
    """A pool that breaks after taking one part of a large session (parsed by the run's own process,
    not its last record: a scanned PDF of a folder): the parts it did not take are analysed by the
    run's own process, and the index is that of one process."""
    from indexer.benchgen import BUNDLED
    from indexer.knowledge_pool import ANALYSED_PARTS, KnowledgePool

    monkeypatch.setattr(KnowledgePool, "apart", lambda self, units, writer: None)

    submit, taken = KnowledgePool._submit, []

    def breaks_after_one_part(self, fn, *args):  # noqa: ANN001, ANN002, ANN202
        if fn.__name__ == "analyse_job":
            if taken:
                raise RuntimeError("cannot schedule new futures after shutdown")
            taken.append(len(args[0]))
        return submit(self, fn, *args)

    monkeypatch.setenv("MINUTES_WORKERS", "1")
    index_paths([BUNDLED], home=tmp_path / "one")
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    monkeypatch.setattr(KnowledgePool, "_submit", breaks_after_one_part)
    summary = index_paths([BUNDLED], home=tmp_path / "broken")
    assert ANALYSED_PARTS > 2 and len(taken) == 1 and 0 < taken[0] < summary.units and not summary.errors
    assert _state(tmp_path / "broken") == _state(tmp_path / "one")
    assert _postings(tmp_path / "broken") == _postings(tmp_path / "one")
    vocab = tmp_path / "broken" / "index" / "vocab"
    assert [p.read_text() for p in sorted(vocab.iterdir())] == \
        [p.read_text() for p in sorted((tmp_path / "one" / "index" / "vocab").iterdir())]


def _segment_job_fails_in_a_worker(folder: str, units: list):  # noqa: ANN201
    """`index_worker.segment_job`, but for a pool worker whose disk is full (it leaves a mark)."""
    from indexer.sources import pdf

    if pdf.IN_WORKER:
        (Path(folder).parent.parent / "segment-job-failed").touch()
        raise OSError(28, "No space left on device")
    return _SEGMENT_JOB(folder, units)


def test_a_segment_the_pool_could_not_write_is_written_by_the_run(tmp_path, monkeypatch):
    """The pool's segment of a large session's last units fails (a full disk, a worker gone): the run
    writes the same segment itself, and the index holds what one process writes."""
    from indexer import index_worker
    from indexer.benchgen import BUNDLED

    monkeypatch.setenv("MINUTES_WORKERS", "1")
    index_paths([BUNDLED], home=tmp_path / "one")
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    monkeypatch.setattr(index_worker, "segment_job", _segment_job_fails_in_a_worker)
    summary = index_paths([BUNDLED], home=tmp_path / "failed")
    assert not summary.errors and (tmp_path / "segment-job-failed").exists()
    assert _segments(tmp_path / "failed") == _segments(tmp_path / "one") + 1
    assert _state(tmp_path / "failed") == _state(tmp_path / "one")
    assert _postings(tmp_path / "failed") == _postings(tmp_path / "one")


def test_a_run_that_fails_at_its_commit_leaves_no_segment_of_the_pool(tmp_path, monkeypatch):
    """The pool wrote its segment of a large session into the index's folder, then the run's commit
    fails: the previous index is whole and the segment's files are gone."""
    import pytest

    from indexer.benchgen import BUNDLED
    from indexer.search.whoosh_pool import GroupedWriter
    from indexer.sources import SourceError

    home, small = tmp_path / "home", tmp_path / "conseil-2024-01-15.txt"
    small.write_text("Séance du 15 janvier 2024.\n\nLe conseil parle du zeppelin.\n", encoding="utf-8")
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    index_paths([small], home=home)
    before = sorted(p.name for p in (home / "index").iterdir())
    made = []

    def fails(self, segments) -> None:  # noqa: ANN001
        made.extend(segment_of() for segment_of in self.written_apart)  # written by the pool
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(GroupedWriter, "_commit_toc", fails)
    with pytest.raises(SourceError):
        index_paths([BUNDLED], home=home)
    assert len(made) == 1 and made[0].doc_count_all() > 0  # the pool's segment, written before the commit
    assert sorted(p.name for p in (home / "index").iterdir()) == before
    assert list(read_manifest(home)["sessions"]) == ["conseil-2024-01-15"]


def test_a_run_inside_a_long_lived_process_frees_its_postings(tmp_path):
    """Only the `minutes` command, whose process ends right after, leaves a segment's postings to
    the end of the process (`config.ENDS_BY_EXIT`); a server or a library caller gets them freed."""
    from indexer import config
    from indexer.benchgen import generate
    from indexer.pipeline import index_records
    from indexer.search import whoosh_pool

    assert not config.ENDS_BY_EXIT
    index_records(generate(1, seed=5), home=tmp_path / "home")
    assert whoosh_pool._LEFT_TO_EXIT == []
