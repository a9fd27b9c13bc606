"""Postings of a Whoosh segment being written, grouped by term as they come.

Whoosh's writer (`whoosh.writing.PostingPool`) keeps every posting as a (field, term, docnum,
weight, value) tuple, checks and sizes each one, sorts them all at commit (spilling sorted runs
to disk and merging them posting by posting when they outgrow the pool), and the field writer
then groups them back by term.  `GroupedPool` appends each posting to its term's list instead:
at commit only the terms are sorted, and the field writer (`whoosh_writer.FastFieldWriter`)
takes each term's postings as they are, each a (docnum, weight, value) tuple (its field and
term are its list's).  Postings reach the lists in document order (documents
are numbered as they are added, merged segments after them); a pool that would outgrow its
memory budget writes its terms, sorted, to an unnamed temporary file (a run) and starts again;
the runs are merged term by term, a term's postings concatenated in the order of the runs.
The segment written is the same, byte for byte (`tests/test_index_writer.py`).
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from itertools import groupby
from operator import itemgetter

from whoosh.writing import SegmentWriter

from .. import config

_KEY = itemgetter(0)
_DOCNUM = _KEY  # of a (docnum, weight, value) posting
_RUN_CHUNK = 2000  # terms per pickled chunk of a run
# what a posting costs in memory against the pool's budget (its tuple, weight, docnum, list slot
# and share of the lists' spare room; its value's bytes counted beside), and a term (its list and
# dict entry): measured, a pool of 15 generated sessions peaks at 319 MB (Whoosh's own: 384 MB)
_POSTING = 240
_TERM = 120


class Grouped:
    """The pool's (field, term) -> postings ((docnum, weight, value) each) in term order, for
    `FastFieldWriter.add_postings`; with `fields` (a pool held in memory, no run on disk), a
    field's terms apart (`field_terms`, `without`)."""

    def __init__(self, terms, fields: dict | None = None, ordered: bool = True) -> None:  # noqa: ANN001
        self.terms = terms  # an iterator of ((field, term), postings)
        self.fields, self.ordered = fields, ordered

    def field_terms(self, name: str):  # noqa: ANN201
        """((name, term), postings) of one field, in term order."""
        terms = self.fields.get(name, {})
        for tbytes in sorted(terms):
            postings = terms[tbytes]
            yield (name, tbytes), postings if self.ordered else sorted(postings, key=_DOCNUM)

    def without(self, name: str):  # noqa: ANN201
        """`terms` but for those of one field."""
        for other in sorted(self.fields):
            if other != name:
                yield from self.field_terms(other)

    def __iter__(self):  # noqa: ANN204 - Whoosh's flat (field, term, docnum, weight, value) postings
        for (fieldname, tbytes), postings in self.terms:
            for docnum, weight, value in postings:
                yield fieldname, tbytes, docnum, weight, value


class GroupedPool:
    """`PostingPool`'s interface (`add`, `iter_postings`, `fieldnames`, `cleanup`), postings grouped
    by term.  `add` takes the writer's (field, term bytes, docnum, weight, value bytes) tuple; the
    pool keeps its (docnum, weight, value bytes)."""

    def __init__(self, limitmb: int = 128, folder: str | None = None) -> None:
        self.fields: dict[str, dict[bytes, list[tuple]]] = {}  # field -> term bytes -> (docnum, weight, value)
        self.fieldnames: set[str] = set()
        self.limit = limitmb * 1024 * 1024
        self.size = 0
        self.folder = folder
        self.runs: list = []  # temporary files, each a sorted run of terms
        self.ordered = True  # postings came in document order (else each term's list is sorted)
        self.lastdoc = -1

    def add(self, item: tuple) -> None:
        fieldname, tbytes, docnum = item[0], item[1], item[2]
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = []
            self.size += _TERM + len(tbytes)
        if docnum == -1:  # a spelling word, not a posting: the term is kept (its field is written)
            return
        if docnum < self.lastdoc:
            self.ordered = False
        self.lastdoc = docnum
        postings.append(item[2:])
        self.size += _POSTING + len(item[4] or b"")
        if self.size > self.limit:
            self._spill()

    def add_field(self, fieldname: str, docnum: int, items, boost: float = 1.0, scorable: bool = True) -> int:  # noqa: ANN001
        """A document's postings of one field (the analyser's (term bytes, frequency, weight, value)),
        as `SegmentWriter.add_document` adds them one by one; the field's length."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        if docnum < self.lastdoc:
            self.ordered = False
        self.lastdoc = docnum
        get = terms.get
        length = size = 0
        for tbytes, freq, weight, vbytes in items:
            if scorable:
                length += freq
            postings = get(tbytes)
            if postings is None:
                postings = terms[tbytes] = []
                size += _TERM + len(tbytes)
            postings.append((docnum, weight * boost, vbytes))
            size += _POSTING + len(vbytes or b"")
        self.size += size
        if self.size > self.limit:
            self._spill()
        return length

    def add_exact(self, docnum: int, items: list[tuple[str, bytes]]) -> None:
        """A document's exact values ((field, term bytes), one term each, weight 1, no value),
        as `add_field` adds the posting of each."""
        if docnum < self.lastdoc:
            self.ordered = False
        self.lastdoc = docnum
        fields = self.fields
        size = 0
        for fieldname, tbytes in items:
            terms = fields.get(fieldname)
            if terms is None:
                terms = fields[fieldname] = {}
                self.fieldnames.add(fieldname)
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = []
                size += _TERM + len(tbytes)
            postings.append((docnum, 1.0, b""))
        self.size += size + _POSTING * len(items)
        if self.size > self.limit:
            self._spill()

    def _items(self) -> list:
        """((field, term bytes), postings) in term order."""
        return [((name, tbytes), self.fields[name][tbytes])
                for name in sorted(self.fields) for tbytes in sorted(self.fields[name])]

    def _spill(self) -> None:
        run = tempfile.TemporaryFile(dir=self.folder)
        items = self._items()
        for start in range(0, len(items), _RUN_CHUNK):
            pickle.dump(items[start:start + _RUN_CHUNK], run, protocol=pickle.HIGHEST_PROTOCOL)
        run.seek(0)
        self.runs.append(run)
        self.fields = {}
        self.size = 0

    @staticmethod
    def _read_run(run):  # noqa: ANN001, ANN205
        while True:
            try:
                chunk = pickle.load(run)
            except EOFError:
                return
            yield from chunk

    def _merged(self):  # noqa: ANN202
        current = self._items()
        if not self.runs:
            terms = iter(current)
        else:  # the same term in several runs: its postings in run order (heapq.merge keeps it)
            sources = [self._read_run(run) for run in self.runs] + [iter(current)]
            terms = ((key, [p for _, postings in group for p in postings])
                     for key, group in groupby(heapq.merge(*sources, key=_KEY), key=_KEY))
        if self.ordered:
            yield from terms
        else:
            for key, postings in terms:
                yield key, sorted(postings, key=_DOCNUM)

    def iter_postings(self) -> Grouped:
        return Grouped(self._merged(), None if self.runs else self.fields, self.ordered)

    def cleanup(self) -> None:
        for run in self.runs:
            run.close()
        self.runs = []
        if config.ENDS_BY_EXIT:  # the process ends next: its postings are not freed one by one
            _LEFT_TO_EXIT.append(self.fields)
        self.fields = {}


#: the postings of the pools a process that ends by exiting left to its end (`config.ENDS_BY_EXIT`)
_LEFT_TO_EXIT: list = []


def use_grouped_pool(writer: SegmentWriter, limitmb: int) -> SegmentWriter:
    """The writer with a `GroupedPool` instead of Whoosh's (before anything is added)."""
    folder = getattr(getattr(writer, "_tempstorage", None), "folder", None)
    writer.pool = GroupedPool(limitmb=limitmb, folder=folder)
    return writer


class GroupedWriter(SegmentWriter):
    """Whoosh's segment writer with a `GroupedPool`."""

    def __init__(self, ix, limitmb: int = 128, **kwargs) -> None:  # noqa: ANN001
        super().__init__(ix, limitmb=limitmb, **kwargs)
        use_grouped_pool(self, limitmb)
        self.written_apart: list = []  # what gives each segment written apart for this commit (`add_segment`)

    def add_segment(self, segment_of) -> None:  # noqa: ANN001
        """A segment written into the index's folder apart (`write_segment`, by another process),
        published by this writer's commit after its own: `segment_of()` gives it, called once this
        writer's own segment is written (the other process writes meanwhile)."""
        self.written_apart.append(segment_of)

    def _commit_toc(self, segments) -> None:  # noqa: ANN001
        super()._commit_toc(list(segments) + [segment_of() for segment_of in self.written_apart])

    def add_document(self, **fields) -> None:  # noqa: ANN003
        """As Whoosh's, each field's postings added to the pool at once (`whoosh_writer.add_analysed`)."""
        from .whoosh_documents import add_analysed, analysable

        if analysable(self):
            add_analysed(self, fields, {})
        else:
            super().add_document(**fields)


def write_segment(folder: str, indexname: str, documents: list[dict], limitmb: int = 128):  # noqa: ANN201
    """A segment of these documents, analysed and written into the index's folder by this process
    without the index's lock: the writer holding it publishes the segment (`GroupedWriter.add_segment`)
    or, if its run fails, removes the files its commit does not name.  Returns the segment."""
    from whoosh.filedb.filestore import FileStorage

    from .whoosh_documents import add_analysed, analyse_document
    from .whoosh_writer import FastCodec

    ix = FileStorage(folder).open_index(indexname=indexname)
    writer = GroupedWriter(ix, limitmb=limitmb, codec=FastCodec(), _lk=False)
    try:
        for fields in documents:
            add_analysed(writer, fields, analyse_document(writer.schema, fields))
        return writer._finalize_segment()
    except BaseException:
        try:
            writer._close_segment()
        except Exception:  # noqa: BLE001 - the first failure is the one to tell
            pass
        raise
    finally:
        # not `_finish`, whose clean-up removes the temporary folder the index's own writer shares
        writer.is_closed = True
