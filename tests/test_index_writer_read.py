"""What Whoosh's own readers read back from an index our writer wrote (`FastCodec`, documents
added by `add_analysed`) is what they read from the index Whoosh's own writer wrote from the
same documents: every term with its statistics, every posting with its weight and value, block
by block, every stored field and field length.  Unlike `test_index_writer.py`, Whoosh's writer
is left as it is here (every block compressed, pickled with protocol 2): the bytes differ, what
they hold does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage

from indexer.benchgen import generate
from indexer.search.whoosh_pool import GroupedWriter
from indexer.search.whoosh_postings import _term_blocks
from indexer.search.whoosh_writer import FastCodec, add_analysed, analyse_document
from indexer.units import make_schema, unit_document, units_of


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return [unit_document(u) for r in generate(3, chars_per_session=120_000) for u in units_of(r)]


def _write(folder: Path, documents: list[dict], ours: bool) -> None:
    folder.mkdir()
    schema = make_schema()
    ix = FileStorage(str(folder)).create_index(schema, indexname="MAIN")
    half = len(documents) // 2
    for part in (documents[:half], documents[half:]):
        writer = GroupedWriter(ix, codec=FastCodec()) if ours else ix.writer()
        for k, doc in enumerate(part):
            if ours:  # analysed ahead (as by a parse worker) or not
                add_analysed(writer, doc, analyse_document(schema, doc) if k % 2 else {})
            else:
                writer.add_document(**doc)
        writer.delete_by_term("id", documents[3]["id"])  # in the first segment, at the second commit
        writer.commit()


def _contents(folder: Path) -> dict:
    """Everything Whoosh's reader gives of the index (per segment, documents by number)."""
    ix = FileStorage(str(folder)).open_index("MAIN")
    out: dict = {}
    with ix.reader() as multi:
        for n, reader in enumerate(multi.leaf_readers()):
            reader = reader[0]
            terms = {}
            for fieldname, btext in reader.all_terms():
                info = reader.term_info(fieldname, btext)
                matcher = reader.postings(fieldname, btext)
                matcher = getattr(matcher, "child", matcher)  # deleted documents' postings too
                postings = []
                while matcher.is_active():
                    postings.append((matcher.id(), matcher.weight(), matcher.value(), matcher.block_min_length(),
                                     matcher.block_max_length(), matcher.block_max_weight()))
                    matcher.next()
                terms[fieldname, btext] = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                                           info.max_weight(), info.min_id(), info.max_id(), postings)
            docs = range(reader.doc_count_all())
            out[n] = {
                "terms": terms,
                "stored": [reader.stored_fields(d) for d in docs],
                "deleted": [d for d in docs if reader.is_deleted(d)],
                "lengths": {f: [reader.doc_field_length(d, f) for d in docs] for f in reader.indexed_field_names()},
                "totals": {f: reader.field_length(f) for f in reader.indexed_field_names()},
            }
    return out


def test_whoosh_reads_what_its_own_writer_wrote(tmp_path: Path, documents: list[dict]) -> None:
    _write(tmp_path / "ours", documents, ours=True)
    _write(tmp_path / "whoosh", documents, ours=False)
    ours, whoosh = _contents(tmp_path / "ours"), _contents(tmp_path / "whoosh")
    assert len(ours) == 2 and ours[0]["deleted"]  # two segments, the first with a deletion
    assert any(len(t[7]) > 128 for t in ours[0]["terms"].values())  # terms of several blocks (128 postings each)
    assert ours == whoosh
    # the bytes differ (protocol 4, short blocks uncompressed): the postings files are shorter
    size = {name: sum(p.stat().st_size for p in (tmp_path / name).glob("*.seg")) for name in ("ours", "whoosh")}
    assert size["ours"] < size["whoosh"]


def test_the_search_side_reads_blocks_of_either_writer(tmp_path: Path, documents: list[dict]) -> None:
    """`whoosh_postings._term_blocks` (posting blocks without Whoosh's matcher) gives the same blocks
    from both indexes (without their values when not asked: those of protocol 2 are left out, those
    of protocol 4, cheap to unpickle, are not)."""
    _write(tmp_path / "ours", documents, ours=True)
    _write(tmp_path / "whoosh", documents, ours=False)
    blocks = {}
    for name in ("ours", "whoosh"):
        ix = FileStorage(str(tmp_path / name)).open_index("MAIN")
        with ix.reader() as multi:
            reader = multi.leaf_readers()[0][0]
            found = []
            for field, btext in reader.all_terms():  # every term of the first segment (words, exact values)
                if field not in ("text", "title", "speaker", "item_title", "kind", "session", "id"):
                    continue
                text = reader.schema[field].from_bytes(btext)
                found.append(_term_blocks(reader, field, text, values=True))
                found.append([(n, block[:2]) for n, block in _term_blocks(reader, field, text, values=False)])
            blocks[name] = found
    assert all(blocks["ours"]), blocks["ours"]
    assert blocks["ours"] == blocks["whoosh"]


def _sidecars(folder: Path) -> list:
    from indexer.search.whoosh_sidecar import open_sidecar

    ix = FileStorage(str(folder)).open_index("MAIN")
    with ix.reader() as multi:
        out = []
        for leaf, _ in multi.leaf_readers():
            car = open_sidecar(leaf)
            out.append({k: v.tobytes() if hasattr(v, "tobytes") else v for k, v in vars(car).items() if k != "_buf"})
    return out


@pytest.mark.parametrize("child", ["writes", "fails"])
def test_the_text_field_written_by_a_forked_process_reads_back_the_same(tmp_path: Path, documents: list[dict],
                                                                        monkeypatch, child: str) -> None:
    """A large segment's `text` field is written by a forked process during the commit (its postings
    after the other fields'): Whoosh reads the same terms, postings and fields as from its own
    writer's index, and the search side the same sidecar as from the serial path; a forked process
    that fails leaves the field to the commit's process, with the same index."""
    import os

    from indexer.search import whoosh_writer

    _write(tmp_path / "serial", documents, ours=True)
    monkeypatch.setattr(whoosh_writer, "FORK_POSTINGS", 1)
    forks = []
    fork = os.fork
    monkeypatch.setattr(whoosh_writer.os, "fork", lambda: forks.append(1) or fork())
    if child == "fails":
        parent, rows = os.getpid(), whoosh_writer.FastFieldWriter._field_rows

        def failing(self, *args):  # noqa: ANN001, ANN202
            if os.getpid() != parent:
                raise MemoryError
            return rows(self, *args)

        monkeypatch.setattr(whoosh_writer.FastFieldWriter, "_field_rows", failing)
    _write(tmp_path / "forked", documents, ours=True)
    _write(tmp_path / "whoosh", documents, ours=False)
    assert len(forks) == 2  # a child at each commit
    assert _contents(tmp_path / "forked") == _contents(tmp_path / "whoosh")
    assert _sidecars(tmp_path / "forked") == _sidecars(tmp_path / "serial")
