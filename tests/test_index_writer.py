"""The index writer's codec (`indexer.search.whoosh_writer.FastCodec`) writes the bytes Whoosh's own
codec writes: same segment files, same search results, readable without this product's code."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pytest
from whoosh import query as Q
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.filedb.filestore import FileStorage

from indexer.analysis import analyze
from indexer.benchgen import generate
from indexer.search.whoosh_pool import GroupedPool, GroupedWriter
from indexer.search.whoosh_writer import BLOCK_PROTOCOL, UNCOMPRESSED_BELOW, FastCodec, add_analysed, analyse_document
from indexer.units import make_schema, unit_document, units_of


@pytest.fixture(autouse=True)
def whoosh_small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoosh's own writer, storing blocks as ours does: short ones uncompressed
    (`UNCOMPRESSED_BELOW`: the rule Whoosh's `_write_block` means to apply below 20 bytes), their
    data pickled with `BLOCK_PROTOCOL` (its info with Whoosh's protocol 2); everything else is Whoosh's."""
    original = W3PostingsWriter._write_block

    def write_block(self, last: bool = False) -> None:  # noqa: ANN001
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), BLOCK_PROTOCOL)
        level = self._compression
        if len(data) < UNCOMPRESSED_BELOW:
            self._compression = 0
        calls = []

        def dumps(obj: object, protocol: int) -> bytes:  # the block's data, then its info
            calls.append(obj)
            return pickle.dumps(obj, BLOCK_PROTOCOL if len(calls) == 1 else protocol)

        whoosh3.dumps = dumps
        try:
            original(self, last)
        finally:
            self._compression = level
            whoosh3.dumps = pickle_dumps
        assert len(calls) == 2

    pickle_dumps = whoosh3.dumps
    monkeypatch.setattr(W3PostingsWriter, "_write_block", write_block)


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    # two generated sessions: terms with one posting and terms with many blocks of postings
    return [unit_document(u) for r in generate(2, chars_per_session=150_000) for u in units_of(r)]


def _write(folder: Path, documents: list[dict], codec, deleted: int | None = None,  # noqa: ANN001
           analysed: bool = False, grouped: int | None = None, commits: int = 2) -> dict[str, str]:
    folder.mkdir()
    schema = make_schema()
    ix = FileStorage(str(folder)).create_index(schema, indexname="MAIN")
    half = len(documents) // 2 if commits == 2 else len(documents)
    for part in (documents[:half], documents[half:])[:commits]:  # two commits: the second one merges
        if grouped is not None:  # postings grouped by term (whoosh_pool), a pool of `grouped` MB
            writer = GroupedWriter(ix, limitmb=grouped, codec=codec, compound=False)
        else:
            writer = ix.writer(codec=codec, compound=False) if codec else ix.writer(compound=False)
        for doc in part:
            if analysed:  # as a parse worker analyses it, then as the run's process writes it
                add_analysed(writer, doc, analyse_document(schema, doc))
            else:
                writer.add_document(**doc)
        if deleted is not None:
            writer.delete_by_term("id", documents[deleted]["id"])
        writer.commit(optimize=part is not documents[:half])
    ix = FileStorage(str(folder)).open_index("MAIN")
    (segment,) = ix._segments()
    assert type(segment._codec) is W3Codec  # readers need nothing of ours
    return {p.name.replace(segment.segid, "X"): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())
            if p.name.startswith("MAIN_") and "LOCK" not in p.name and not p.name.endswith(".mpos")}  # .mpos: our sidecar


def test_fast_codec_writes_the_bytes_of_whoosh(tmp_path: Path, documents: list[dict]) -> None:
    ours = _write(tmp_path / "ours", documents, FastCodec(), deleted=3)
    whoosh = _write(tmp_path / "whoosh", documents, None, deleted=3)
    assert any(name.endswith(".pst") for name in ours)
    assert list((tmp_path / "ours").glob("*.mpos"))  # besides Whoosh's files, the sidecar (whoosh_sidecar)
    assert ours == whoosh


def test_documents_analysed_ahead_give_the_same_index(tmp_path: Path, documents: list[dict]) -> None:
    ahead = _write(tmp_path / "ahead", documents, FastCodec(), deleted=5, analysed=True)
    whoosh = _write(tmp_path / "whoosh", documents, None, deleted=5)
    assert analyse_document(make_schema(), documents[0])["text"]
    assert ahead == whoosh


def test_postings_grouped_by_term_give_the_same_index(tmp_path: Path, documents: list[dict],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    whoosh = _write(tmp_path / "whoosh", documents, None, deleted=4)
    assert _write(tmp_path / "grouped", documents, FastCodec(), deleted=4, grouped=256) == whoosh
    spills = []
    spill = GroupedPool._spill
    monkeypatch.setattr(GroupedPool, "_spill", lambda pool: (spills.append(1), spill(pool)))
    # a pool of 1 MB writes sorted runs to disk and merges them term by term
    assert _write(tmp_path / "runs", documents, FastCodec(), deleted=4, analysed=True, grouped=1) == whoosh
    assert len(spills) > 2
    one = _write(tmp_path / "one", documents, None, commits=1)  # no merge: the pool's own order
    assert _write(tmp_path / "one-runs", documents, FastCodec(), analysed=True, grouped=1, commits=1) == one


def test_an_index_written_by_the_fast_codec_answers_searches(tmp_path: Path, documents: list[dict]) -> None:
    _write(tmp_path / "ours", documents, FastCodec())
    ix = FileStorage(str(tmp_path / "ours")).open_index("MAIN")
    with ix.searcher() as searcher:
        session = documents[0]["session"]
        many = searcher.search(Q.Term("session", session), limit=None)
        assert len(many) == sum(d["session"] == session for d in documents)
        kind = searcher.search(Q.Term("kind", "intervention"), limit=None)
        assert len(kind) == sum(d["kind"] == "intervention" for d in documents) > 128  # several blocks
        assert len(searcher.search(Q.Term("text", analyze("conseil")[0]), limit=None)) > 10
        phrase = searcher.search(Q.Phrase("text", analyze("conseil départemental")), limit=5)
        assert len(phrase) > 0
        assert searcher.doc_count() == len(documents)


_HOLDER = """
import sys, time
from whoosh.filedb.filestore import FileStorage
from indexer.benchgen import generate
from indexer.search.whoosh_writer import FastCodec, ParallelWriter
from indexer.units import make_schema, unit_document, units_of
ix = FileStorage(sys.argv[1]).create_index(make_schema(), indexname="MAIN")
writer = ParallelWriter(ix, procs=2, codec=FastCodec())
for r in generate(1, chars_per_session=150_000):
    for u in units_of(r):
        writer.add_document(**unit_document(u))
    for u in units_of(r):
        writer.add_document(**unit_document(u))
print(" ".join(str(t.pid) for t in writer.tasks), flush=True)
time.sleep(60)
"""


def test_whoosh_writer_processes_end_with_a_killed_run(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(tmp_path)], cwd=root, stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in pids if _running(p)]
    assert alive == []


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_writer_processes_give_the_same_answers(tmp_path: Path, documents: list[dict]) -> None:
    """Whoosh's writer processes (ParallelWriter, --procs 2: one segment each, postings grouped
    by term in each process) index what one writer indexes."""
    from indexer.search.whoosh_writer import ParallelWriter

    answers = {}
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        ix = FileStorage(str(folder)).create_index(make_schema(), indexname="MAIN")
        writer = (ParallelWriter(ix, procs=2, codec=FastCodec()) if name == "two"
                  else GroupedWriter(ix, codec=FastCodec()))
        for doc in documents:
            writer.add_document(**doc)
        writer.commit()
        ix = FileStorage(str(folder)).open_index("MAIN")
        assert len(ix._segments()) == (2 if name == "two" else 1)
        with ix.searcher() as searcher:
            words = [analyze(w)[0] for w in ("conseil", "budget", "délibération", "commune", "vote", "rapport")]
            queries = [Q.Term("text", w) for w in words] + [Q.Term("kind", "intervention"),
                                                             Q.Phrase("text", analyze("conseil départemental"))]
            answers[name] = [sorted((hit["id"], round(hit.score, 4)) for hit in searcher.search(q, limit=None))
                             for q in queries]
            assert searcher.doc_count() == len(documents)
    assert all(answers["one"])
    assert answers["two"] == answers["one"]
