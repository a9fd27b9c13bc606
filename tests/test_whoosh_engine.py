"""The Whoosh engine's own readers (posting blocks, facet columns) give what Whoosh gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q

from indexer.search.whoosh_columns import distinct_values
from indexer.search.whoosh_engine import Engine
from indexer.search.whoosh_filters import column_filter
from indexer.search.whoosh_postings import posting_arrays
from indexer.units import make_schema

WORDS = "budget collège route délibération vote élus commission rapport séance".split()


def _values(texts: list[bytes]) -> tuple[bytes, np.ndarray, np.ndarray]:
    buf = b"".join(texts)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    return buf, starts, starts + lengths


def test_distinct_values_tell_apart_values_that_differ_only_in_the_middle() -> None:
    head, tail = b"Commission permanente du ", b" : rapport de la direction des routes"
    texts = [b"", head + b"1" + tail, head + b"1" + tail, b"", head + b"2" + tail, b"a", b"a", head + b"1" + tail]
    buf, starts, ends = _values(texts)
    found = distinct_values(buf, starts, ends)
    if found is not None:  # grouped by numpy: every document with the value of its group
        firsts, refs = found
        distinct = [texts[i] for i in firsts.tolist()]
        assert [distinct[r] for r in refs.tolist()] == texts
        assert len(distinct) == len(set(texts))


def _home(tmp_path: Path) -> Path:
    """An index of two segments, the first with deleted documents."""
    folder = tmp_path / "index"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema())
    rng = np.random.default_rng(3)
    for segment in range(2):
        w = ix.writer()
        for n in range(400):
            words = rng.choice(WORDS, size=int(rng.integers(1, 30)))
            w.add_document(id=f"{segment}-{n}", kind=("intervention", "voeu", "deliberation")[n % 3],
                           session=f"s{segment}-{n // 50}", text=" ".join(words))
        w.commit(merge=False)
    w = ix.writer()
    for n in range(0, 400, 7):
        w.delete_by_term("id", f"0-{n}")
    w.commit(merge=False)
    return folder


def test_postings_and_facets_read_by_the_engine_equal_whooshs(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    folder = _home(tmp_path)
    monkeypatch.setattr("indexer.search.whoosh_engine.open_index", lambda home: whoosh_index.open_dir(str(folder)))
    monkeypatch.setattr("indexer.search.whoosh_engine.index_generation", lambda home: 1)
    engine = Engine(tmp_path)
    with engine.view() as view:
        searcher = view.searcher
        assert len(searcher.subsearchers) == 2 and searcher.reader().has_deletions()
        for term in {t for w in WORDS for t in view.searcher.schema["text"].analyzer.terms(w)}:
            expected = sorted(searcher.docs_for_query(Q.Term("text", term)))
            assert np.flatnonzero(view.term_docs("text", term)).tolist() == expected, term
            ids, tf = view.postings(term)
            m = searcher.postings("text", term)  # Whoosh's matcher (deleted documents filtered)
            assert ids.tolist() == expected
            weights = []
            while m.is_active():
                weights.append(m.weight())
                m.next()
            assert tf.tolist() == weights
            all_ids, _ = posting_arrays(searcher, "text", term)  # deleted documents included
            assert set(expected) <= set(all_ids.tolist())
        for field in ("kind", "session"):
            labels, codes = view.codes(field)
            column = list(searcher.reader().column_reader(field))
            assert [labels[c] for c in codes.tolist()] == column
        for docnum in range(0, searcher.reader().doc_count_all(), 13):
            assert view.stored(docnum) == searcher.stored_fields(docnum), docnum
        phrase = np.flatnonzero(view.phrase_docs(["budget", "colleg"])).tolist()
        assert phrase == sorted(searcher.docs_for_query(Q.Phrase("text", ["budget", "colleg"])))


def _mixed_home(tmp_path: Path, codec_of) -> Path:  # noqa: ANN001
    """Two segments: the first two commits merged by the second (written by `codec_of(1)`),
    the third commit's (written by `codec_of(2)`; None: Whoosh's own writer), then documents
    of both deleted."""
    from whoosh.filedb.filestore import FileStorage

    folder = tmp_path / "index"
    folder.mkdir()
    ix = FileStorage(str(folder)).create_index(make_schema(), indexname="MAIN")
    rng = np.random.default_rng(5)
    for segment in range(3):
        codec = codec_of(segment)
        w = ix.writer(codec=codec) if codec is not None else ix.writer()
        for n in range(300 + 200 * segment):
            words = rng.choice(WORDS, size=int(rng.integers(1, 40)))
            date = f"{2019 + n % 3}-0{1 + n % 9}-1{n % 7}"
            w.add_document(id=f"{segment}-{n}", kind=("intervention", "voeu")[n % 2], session=f"s{segment}",
                           date=date, year=date[:4], text=" ".join(words))
        w.commit(merge=False, optimize=segment == 1)
    w = ix.writer()
    for segment in range(3):
        for n in range(0, 300, 5):
            w.delete_by_term("id", f"{segment}-{n}")
    w.commit(merge=False)
    return folder


def _phrases(view) -> list[tuple[str, ...]]:  # noqa: ANN001
    terms = [t for w in WORDS for t in view.searcher.schema["text"].analyzer.terms(w)]
    return [(a, b) for a in terms[:5] for b in terms[:5]] + [tuple(terms[:3]), (terms[2], terms[2], terms[4])]


@pytest.mark.parametrize("writers", ["fast", "fast-chunks", "whoosh", "mixed", "upgraded"])
def test_phrases_and_postings_from_the_sidecar_equal_whooshs(tmp_path: Path, monkeypatch, writers: str) -> None:  # noqa: ANN001
    """Segments written by FastCodec carry a sidecar (positions for numpy); an index whose
    segments lack it (an earlier release's, Whoosh's writer) is read through Whoosh's blocks;
    both give Whoosh's own answers, deleted documents left out."""
    from indexer.search.whoosh_writer import FastCodec

    if writers == "fast-chunks":  # the writer decodes postings a few terms at a time
        monkeypatch.setattr("indexer.search.whoosh_sidecar._CHUNK", 7)
        writers = "fast"
    codec_of = {"fast": lambda s: FastCodec(), "whoosh": lambda s: None, "upgraded": lambda s: None,
                "mixed": lambda s: FastCodec() if s == 2 else None}[writers]
    folder = _mixed_home(tmp_path, codec_of)
    if writers == "upgraded":  # sidecars written afterwards beside Whoosh's segments
        from indexer.search.whoosh_sidecar import add_missing

        assert add_missing(folder) == 2 and add_missing(folder) == 0
        writers = "fast"
    monkeypatch.setattr("indexer.search.whoosh_engine.open_index", lambda home: whoosh_index.open_dir(str(folder), indexname="MAIN"))
    monkeypatch.setattr("indexer.search.whoosh_engine.index_generation", lambda home: 1)
    with Engine(tmp_path).view() as view:
        searcher = view.searcher
        sidecars, _, complete = view.sidecars()
        assert len(sidecars) == 2 and searcher.reader().has_deletions()
        assert complete == (writers == "fast")
        assert (sidecars[-1] is not None) == (writers != "whoosh")
        for terms in _phrases(view):
            expected = sorted(searcher.docs_for_query(Q.Phrase("text", list(terms))))
            assert np.flatnonzero(view.phrase_docs(list(terms))).tolist() == expected, terms
        for term in {t for w in WORDS for t in searcher.schema["text"].analyzer.terms(w)} | {"absent"}:
            ids, tf = view.postings(term)
            weights, docs = [], []
            if ("text", term) in searcher.reader():
                m = searcher.postings("text", term)
                while m.is_active():
                    docs.append(m.id())
                    weights.append(m.weight())
                    m.next()
            assert ids.tolist() == docs and tf.tolist() == weights, term


def test_filters_read_from_columns_equal_their_queries(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Exact and date filters are read from the columns of their fields: the documents of
    their Whoosh queries, deleted documents left out."""
    from indexer.search.whoosh_filters import filter_query
    from indexer.search.whoosh_writer import FastCodec

    folder = _mixed_home(tmp_path, lambda s: FastCodec())
    monkeypatch.setattr("indexer.search.whoosh_engine.open_index", lambda home: whoosh_index.open_dir(str(folder), indexname="MAIN"))
    monkeypatch.setattr("indexer.search.whoosh_engine.index_generation", lambda home: 1)
    cases = [("kind", "voeu"), ("kind", "intervention"), ("kind", "rapport"), ("year", "2020"), ("session", "s2"),
             ("session", "2021-03-12"), ("date", "2020"), ("date", "2020-04"), ("date", "2019-01-10"), ("date", "1990"),
             ("from", "2020-05"), ("from", "2021-01-01"), ("to", "2020-03"), ("to", "2019-02-11")]
    with Engine(tmp_path).view() as view:
        for key, value in cases:
            column = column_filter(view, key, value)
            assert column is not None, key
            expected = sorted(view.searcher.docs_for_query(filter_query(key, value)))
            assert np.flatnonzero(column).tolist() == expected, (key, value)
        assert column_filter(view, "speaker", "Martin") is None  # matched by words too: its query runs
