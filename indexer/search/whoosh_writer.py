"""Write side of the Whoosh backend: a codec that writes the same bytes as Whoosh's own
(`W3Codec`), faster.

Whoosh spends most of a commit in `FieldWriter.add_postings`, which handles one posting at a
time: a call per posting to read the document's field length back from the lengths column
(a seek and a read each), a call to buffer it with type assertions, statistics kept posting
by posting.  `FastCodec` writes each term's postings as whole blocks instead: field lengths
read once per field into a list, ids, weights and values sliced into blocks of
`blocklimit`, block statistics computed over each block, each block and the term's row
encoded as Whoosh's `_write_block` and `finish_postings` encode them.  The files are byte for
byte those `W3Codec` writes (`tests/test_index_writer.py`) with one difference, Whoosh's own
intent (its `_write_block` means to store blocks under 20 bytes uncompressed, then overwrites
the choice): a block whose pickle is short (`UNCOMPRESSED_BELOW`) is stored uncompressed, its
block info saying so as Whoosh's readers expect.  The segments name a plain `W3Codec`, so that
an index written with it is read by any Whoosh and by older releases of this product.

`analyse_document` gives a document's analysed text fields (in a parse worker), and
`add_analysed` writes the document with them, as `add_document` would without.
`ParallelWriter` is Whoosh's multi-segment writer whose processes end with the run.
"""

from __future__ import annotations

import os
import zlib
from array import array
from itertools import groupby
from operator import itemgetter, sub

from whoosh.codec.whoosh3 import (LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3Segment,
                                  W3TermInfo, _lenfield)
from whoosh.compat import dumps
from whoosh.filedb.structfile import StructFile
from whoosh.analysis import IDTokenizer
from whoosh.fields import TEXT
from whoosh.formats import Existence
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from .whoosh_pool import Grouped, GroupedWriter, use_grouped_pool

_TERM = itemgetter(0, 1)
#: a block whose pickle is shorter is stored as is (its info says so: Whoosh's readers honour
#: it): zlib makes such blocks no shorter (measured on generated sessions: 377 kB raw against
#: 385 kB compressed below 96 bytes, 46 % of the blocks of a session) and costs a stream each
UNCOMPRESSED_BELOW = 96
_TERMINFO = W3TermInfo._struct


class FastCodec(W3Codec):
    """`W3Codec` whose field writer adds postings term by term (see the module docstring)."""

    def field_writer(self, storage, segment):  # noqa: ANN001, ANN201
        return FastFieldWriter(self, storage, segment)

    def new_segment(self, storage, indexname):  # noqa: ANN001, ANN201
        # the segment (pickled into the table of contents) names Whoosh's own codec
        return W3Segment(W3Codec(blocklimit=self._blocklimit, compression=self._compression,
                                 inlinelimit=self._inlinelimit), indexname)


def _lengths_of(lengths, fieldname: str):  # noqa: ANN001, ANN202
    """Field length of every document of the segment, as `doc_field_length` gives it
    (None for a length byte of 0, 0 without a lengths column), or a function of the docnum."""
    if lengths is None:
        return None
    reader = getattr(lengths, "_cached_reader", None)
    count = getattr(lengths, "doc_count_all", None)
    if reader is None or count is None:  # another per-document reader: ask it posting by posting
        return lambda docnum: lengths.doc_field_length(docnum, fieldname)
    column = reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    return [byte_to_length(b) if b else None for b in (column[d] for d in range(count()))]


class FastFieldWriter(W3FieldWriter):
    def __init__(self, codec, storage, segment) -> None:  # noqa: ANN001
        super().__init__(codec, storage, segment)
        from .whoosh_sidecar import SidecarWriter

        self._sidecar = SidecarWriter(storage, segment)  # `text` postings for numpy (read side)

    def close(self) -> None:
        self._sidecar.close()
        super().close()

    def add_postings(self, schema, lengths, items):  # noqa: ANN001, ANN201
        """As `whoosh.codec.base.FieldWriter.add_postings` (sorted (fieldname, btext, docnum,
        weight, value) postings, or a `whoosh_pool.Grouped` pool's postings by term), one term
        at a time."""
        lastkey = None
        lastfn = None
        fieldobj = None
        lens = None
        if isinstance(items, Grouped):  # already grouped by term, in term order
            terms = items.terms
        else:  # docnum -1: spelling words, not postings
            terms = ((key, [p for p in group if p[2] != -1]) for key, group in groupby(items, key=_TERM))
        for key, postings in terms:
            fieldname, btext = key
            if lastkey is not None and key < lastkey:
                from whoosh.writing import OutOfOrderError

                raise OutOfOrderError(f"Term {lastkey!r} .. {key!r}")
            lastkey = key
            if fieldname != lastfn:
                if lastfn is not None:
                    self.finish_field()
                fieldobj = schema[fieldname]
                self.start_field(fieldname, fieldobj)
                lastfn = fieldname
                lens = _lengths_of(lengths, fieldname)
            if not postings:
                continue
            self._write_term(btext, postings, lens)
            self._sidecar.add(fieldname, fieldobj, btext, postings)
        if lastfn is not None:
            self.finish_field()

    def _write_term(self, btext: bytes, postings: list, lens) -> None:  # noqa: ANN001
        """One term's postings, as `start_term`, `add` per posting and `finish_term` write them
        (`W3PostingsWriter` blocks of `blocklimit` postings, then the term's `W3TermInfo` row),
        computed a block at a time without Whoosh's per-posting and per-block calls."""
        pw = self._postwriter
        pf = pw._postfile
        raw = pf.file if type(pf) is StructFile else pf
        write = raw.write
        limit, comp = pw._blocklimit, pw._compression
        fixedsize = self._format.fixed_value_size()
        offset = raw.tell()
        write(WHOOSH3_HEADER_MAGIC)
        n = len(postings)
        if n == 1:  # most terms of a segment: the same bytes, without the block loop's lists
            self._write_one(btext, postings[0], lens, comp, fixedsize, offset, write)
            return
        total, df, minlength, maxlength, maxweight, minid, maxid = 0, 0, None, 0, 0, None, 0
        for start in range(0, n, limit):
            block = postings[start:start + limit] if n > limit else postings
            _, _, ids, weights, values = zip(*block)
            stored = array("f", weights)  # as Whoosh buffers them (float32)
            if not all(values):
                values = [v for v in values if v]
            bmaxweight = max(0, max(weights))
            if lens is None:
                found = ()
            elif isinstance(lens, list):
                found = list(filter(None, map(lens.__getitem__, ids)))
            else:
                found = list(filter(None, map(lens, ids)))
            bmin = min(found) if found else None
            bmax = max(found) if found else 0
            # the term's statistics (W3TermInfo.add_block)
            total += sum(stored)
            df += len(ids)
            minlength = bmin if minlength is None else min(minlength, bmin)
            maxlength = max(maxlength, bmax)
            maxweight = max(maxweight, bmaxweight)
            if minid is None:
                minid = ids[0]
            maxid = ids[-1]
            # the block (W3PostingsWriter._write_block)
            first = stored[0]
            count = len(stored)
            if stored.count(1.0) == count:
                mini_weights = None
            elif stored.count(first) == count:
                mini_weights = first
            else:
                mini_weights = tuple(stored)
            deltas = (ids[0], *map(sub, ids[1:], ids))
            _write_block(write, deltas, mini_weights, values, fixedsize, comp,
                         (len(ids), ids[-1], bmaxweight, bmin, bmax), start + limit >= n)
        extent = raw.tell() - offset
        self._term_row(btext, offset, extent, total, df, minlength, maxlength, maxweight, minid, maxid)

    def _write_one(self, btext: bytes, posting: tuple, lens, comp: int, fixedsize, offset: int,  # noqa: ANN001
                   write) -> None:  # noqa: ANN001
        """`_write_term` of a term with one posting."""
        _, _, docnum, weight, value = posting
        stored = array("f", (weight,))[0]
        if lens is None:
            found = None
        else:
            found = lens[docnum] if isinstance(lens, list) else lens(docnum)
        bmin, bmax = (found, found) if found else (None, 0)
        bmaxweight = max(0, weight)
        length = _write_block(write, (docnum,), None if stored == 1.0 else stored, (value,) if value else (),
                              fixedsize, comp, (1, docnum, bmaxweight, bmin, bmax), True)
        self._term_row(btext, offset, 8 + length, 0 + stored, 1, bmin, bmax, max(0, bmaxweight), docnum, docnum)

    def _term_row(self, btext: bytes, offset: int, extent: int, total: float, df: int, minlength, maxlength: int,  # noqa: ANN001
                  maxweight, minid, maxid) -> None:  # noqa: ANN001
        """The term's row of the terms table (`W3TermInfo.to_bytes` of a term written to the postings file)."""
        row = _TERMINFO.pack(False, total, df, 0 if minlength is None else length_to_byte(minlength),
                             length_to_byte(maxlength), maxweight, 0xffffffff if minid is None else minid,
                             0xffffffff if maxid is None else maxid) + pack_long(offset) + pack_int(extent)
        self._tindex.add(pack_ushort(self._fieldid) + btext, row)


def _write_block(write, deltas: tuple, mini_weights, values, fixedsize, comp: int, stats: tuple,  # noqa: ANN001
                 last: bool) -> int:
    """One postings block as `W3PostingsWriter._write_block` writes it (its document deltas,
    weights and values pickled, compressed unless short, behind its info: `stats` = (count, last
    document, highest weight, shortest and longest length)); its length (info and data)."""
    if fixedsize is None or fixedsize < 0:
        mini_values = tuple(values)
    elif fixedsize == 0:
        mini_values = None
    else:
        mini_values = b"".join(values)
    data = dumps((deltas, mini_weights, mini_values), 2)
    level = comp if len(data) >= UNCOMPRESSED_BELOW else 0
    if level:
        data = zlib.compress(data, level)
    count, last_id, bmaxweight, bmin, bmax = stats
    info = dumps((count, last_id, bmaxweight, level, length_to_byte(bmin), length_to_byte(bmax)), 2)
    length = len(info) + len(data)
    write(pack_int(-length if last else length))
    write(info)
    write(data)
    return length


# -- documents analysed ahead (in a parse worker), written here -------------------

def analyse_document(schema, fields: dict) -> dict[str, list]:  # noqa: ANN001
    """The postings of each analysed text field of a document, as `SegmentWriter.add_document`
    computes them ((term bytes, frequency, weight, value) per term), for `add_analysed`;
    made where the record is parsed, so that the writing process does not analyse."""
    out: dict[str, list] = {}
    for name, value in fields.items():
        if name.startswith("_") or value is None or name not in schema:
            continue
        field = schema[name]
        if isinstance(field, TEXT) and field.indexed and not field.vector and isinstance(value, str):
            out[name] = postings_of(field, value)
    return out


def postings_of(field, value: str) -> list:  # noqa: ANN001
    """`list(field.index(value))`, by the format's own list when it has one (`FastPositions`),
    and for an exact value (an `ID` field: the whole value, one term) without Whoosh's token."""
    fmt = field.format
    if type(field.analyzer) is IDTokenizer and type(fmt) is Existence:
        return [(value.encode("utf-8"), 1, fmt.field_boost, b"")]
    fast = getattr(fmt, "postings", None)
    made = fast(value, field.analyzer) if fast is not None else None
    return list(field.index(value)) if made is None else made


def analysable(writer) -> bool:  # noqa: ANN001
    """Whether `add_analysed` writes this writer's documents itself: a segment writer (not
    Whoosh's multiprocessing one) of a schema without spelling or vector fields."""
    known = getattr(writer, "_analysable", None)
    if known is None:
        known = hasattr(writer, "perdocwriter") and not hasattr(writer, "docbuffer") \
            and not any(f.separate_spelling() or f.vector for _, f in writer.schema.items() if f.indexed)
        writer._analysable = known
    return known


def add_analysed(writer, fields: dict, analysed: dict[str, list]) -> None:  # noqa: ANN001
    """`SegmentWriter.add_document(**fields)` with the postings of some fields given
    (`analyse_document`): the same document, the same bytes on disk."""
    schema = writer.schema
    if not analysable(writer):
        writer.add_document(**fields)  # a multiprocessing writer, or fields this does not write
        return
    writer._check_state()
    perdocwriter = writer.perdocwriter
    docnum = writer.docnum
    add_post = writer.pool.add
    add_field = getattr(writer.pool, "add_field", None)
    docboost = writer._doc_boost(fields)
    fieldnames = sorted(name for name in fields if not name.startswith("_"))
    writer._check_fields(schema, fieldnames)
    perdocwriter.start_doc(docnum)
    for fieldname in fieldnames:
        value = fields.get(fieldname)
        if value is None:
            continue
        field = schema[fieldname]
        length = 0
        if field.indexed:
            fieldboost = writer._field_boost(fields, fieldname, docboost)
            items = analysed.get(fieldname)
            if items is None:
                items = postings_of(field, value) if isinstance(value, str) else field.index(value)
            scorable = field.scorable
            if add_field is not None:  # a GroupedPool: the field's postings at once
                length = add_field(fieldname, docnum, items, fieldboost, scorable)
            else:
                for tbytes, freq, weight, vbytes in items:
                    weight *= fieldboost
                    if scorable:
                        length += freq
                    add_post((fieldname, tbytes, docnum, weight, vbytes))
        customval = fields.get(f"_stored_{fieldname}", value)
        perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
        column = field.column_type
        if column and customval is not None:
            perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1


# -- Whoosh's writer processes, ended with the run --------------------------------

class _Task(SubWriterTask):
    """A Whoosh writer process that ends when the run's process dies, even by kill -9
    (Whoosh's own would wait for work for ever)."""

    parent = 0

    def run(self) -> None:
        from ..sources.pdf import die_with_parent

        die_with_parent(self.parent)
        import whoosh.multiproc

        whoosh.multiproc.SegmentWriter = GroupedWriter  # in this process only: its writer groups postings
        super().run()


class ParallelWriter(MpWriter):
    """Whoosh's multi-segment writer (documents analysed and written by `procs` processes,
    one segment each), whose processes end with the run."""

    def __init__(self, ix, procs: int, **kwargs) -> None:  # noqa: ANN001
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)
        use_grouped_pool(self, kwargs.get("limitmb", 128))

    def _new_task(self) -> _Task:
        task = _Task(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment)
        task.parent = os.getpid()
        self.tasks.append(task)
        task.start()
        return task
