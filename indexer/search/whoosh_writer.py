"""Write side of the Whoosh backend: a codec that writes the same bytes as Whoosh's own
(`W3Codec`), faster.

Whoosh spends most of a commit in `FieldWriter.add_postings`, which handles one posting at a
time: a call per posting to read the document's field length back from the lengths column
(a seek and a read each), a call to buffer it with type assertions, statistics kept posting
by posting, a write and a `tell` per piece of a block, a call per row of the terms table.
`FastCodec` writes each term's postings as whole blocks instead: field lengths read once per
field into a list, ids, weights and values sliced into blocks of `blocklimit`, block
statistics computed over each block, each block and the term's row encoded as Whoosh's
`_write_block` and `finish_postings` encode them, the postings file written a buffer at a
time and a field's rows added to the terms table at once (`TermsTable`).  The files are byte for
byte those `W3Codec` writes (`tests/test_index_writer.py`) with two differences, both read
by Whoosh's readers as they are:
- Whoosh's own intent (its `_write_block` means to store blocks under 20 bytes uncompressed,
  then overwrites the choice): a block whose pickle is short (`UNCOMPRESSED_BELOW`) is stored
  uncompressed, its block info saying so;
- a block's data (ids, weights, values) is pickled with protocol 4 (`BLOCK_PROTOCOL`), not 2:
  protocol 2 has no bytes type, and pickles each value (a posting's positions) as a call of
  `_codecs.encode` on its text decoded as Latin-1, stored as UTF-8.  On a generated session,
  protocol 4 pickles a session's blocks 3 times as fast (12 against 35 ms), they hold
  1.28 MB instead of 2.12 MB before compression, 0.57 MB instead of 1.09 MB stored, and
  unpickle 3 times as fast (11 against 32 ms).  Blocks of protocol 2 (earlier releases,
  Whoosh's writer) are read as before: `pickle.loads` reads either.
The segments name a plain `W3Codec`, so that an index written with it is read by any Whoosh
and by older releases of this product.

`ParallelWriter` is Whoosh's multi-segment writer whose processes end with the run.  How
documents reach the writer's pool is `whoosh_documents` (`analyse_document`, `add_analysed`:
named here too).
"""

from __future__ import annotations

import os
import pickle
import shutil
import struct
import zlib
from array import array
from hashlib import md5
from itertools import groupby
from operator import itemgetter, sub

from whoosh.codec.whoosh3 import (LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3Segment,
                                  W3TermInfo, _lenfield)
from whoosh.compat import dumps
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.filedb.structfile import StructFile
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from .whoosh_documents import add_analysed, analysable, analyse_document, postings_of  # noqa: F401
from .whoosh_pool import Grouped, GroupedWriter, use_grouped_pool
from .whoosh_sidecar import FIELD

_TERM = itemgetter(0, 1)
#: a block whose pickle is shorter is stored as is (its info says so: Whoosh's readers honour
#: it): zlib gains little on such blocks and costs a stream each (measured on a generated
#: session, protocol 4: 1,964 blocks compressed, 571 kB stored; from 64 bytes on, 2,621 and
#: 555 kB; from 32 bytes on, 7,008 blocks, 1.7 times the time of zlib, and 546 kB)
UNCOMPRESSED_BELOW = 96
#: a segment with at least this many `text` postings has them written by a forked process while
#: this one writes its other fields and the field's sidecar (`FastFieldWriter._fork_text`).  The
#: child copies the pages of the postings it reads (reference counts) and shares the cores with the
#: commit's session-table job: the commit of the 78 Pierrefonds sessions (117k postings) took 0.58 s
#: forked against 0.85 s in turn (0.64-0.67 s against 0.76-0.88 s on a slower machine once this
#: process wrote the sidecar), that of one generated session (37k) 0.30-0.37 s against 0.28-0.34 s
FORK_POSTINGS = 64_000
#: the pickle protocol of a block's data (see the module docstring; its info stays protocol 2)
BLOCK_PROTOCOL = 4
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

        self._tindex.__class__ = TermsTable  # Whoosh's terms table, rows added a field at a time
        self._sidecar = SidecarWriter(storage, segment)  # `text` postings for numpy (read side)

    def close(self) -> None:
        self._sidecar.close()
        super().close()

    def add_postings(self, schema, lengths, items):  # noqa: ANN001, ANN201
        """As `whoosh.codec.base.FieldWriter.add_postings` (sorted (fieldname, btext, docnum,
        weight, value) postings, or a `whoosh_pool.Grouped` pool's postings by term), a field
        at a time (`_write_field`); a large `text` field by a forked process meanwhile (`_fork_text`)."""
        forked = None
        if isinstance(items, Grouped):  # already grouped by term, in term order
            forked = self._fork_text(schema, lengths, items)
            terms = items.terms if forked is None else items.without(FIELD)
        else:  # docnum -1: spelling words, not postings
            terms = ((key, [p[2:] for p in group if p[2] != -1]) for key, group in groupby(items, key=_TERM))
        lastfn = None
        held: list | None = None  # with `text` written elsewhere: the rows of the fields after it
        for fieldname, group in groupby(terms, key=_FIELD_OF):
            if lastfn is not None and fieldname < lastfn:
                from whoosh.writing import OutOfOrderError

                raise OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
            lastfn = fieldname
            if forked is not None and fieldname > FIELD and held is None:
                held = []
            rows = self._write_field(fieldname, schema[fieldname], group, lengths, hold=held is not None)
            if held is not None:
                held += rows
        if forked is not None:
            self._text_sidecar(schema, items)  # while the forked process writes the blocks
            self._take_text(forked, schema, lengths, items)
            self._tindex.add_rows(held or [])

    def _fork_text(self, schema, lengths, items: Grouped):  # noqa: ANN001, ANN202
        """The `text` field of a segment with at least FORK_POSTINGS of its postings written by a
        forked process while this one writes the others, then its sidecar (`_text_sidecar`): its
        blocks to a temporary file (offsets from 0), its rows pickled to another.  The field ids
        are fixed first, in the order the serial path gives them; the field lengths are read here
        (the child touches no file of this process).  None: written here, in turn."""
        fields = items.fields
        if fields is None or not hasattr(os, "fork") or \
                sum(map(len, fields.get(FIELD, {}).values())) < FORK_POSTINGS:
            return None
        lens = _lengths_of(lengths, FIELD)
        if lens is not None and type(lens) is not list:
            return None  # read posting by posting: not from another process
        for name in sorted(n for n in fields if fields[n]):
            self._fieldmap.setdefault(name, len(self._fieldmap))
        import tempfile
        import warnings

        blocks, rows = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        with warnings.catch_warnings():  # the run's threads (its syncer, its pool's) are never used by the child
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: it writes, then ends without running anything of the parent's
            code = 1
            try:
                self.start_field(FIELD, schema[FIELD])
                made = self._field_rows(items.field_terms(FIELD), lambda: lens, 0, blocks.write, _no_sidecar)
                blocks.flush()
                pickle.dump(made, rows, protocol=pickle.HIGHEST_PROTOCOL)
                rows.flush()
                code = 0
            finally:
                os._exit(code)
        return pid, blocks, rows

    def _take_text(self, forked, schema, lengths, items: Grouped) -> None:  # noqa: ANN001
        """The forked process's `text` field: its blocks appended to the postings file, its rows
        moved by the offset they land at; if it failed, the field written here."""
        pid, blocks, rows = forked
        try:
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) == 0:
                rows.seek(0)
                made = pickle.load(rows)
                self.start_field(FIELD, schema[FIELD])
                raw = self._raw_postings()
                base = raw.tell()
                blocks.seek(0)
                shutil.copyfileobj(blocks, raw, _BUFFER)
                self._tindex.add_rows([(key, _moved(value, base)) for key, value in made])
                self.finish_field()
                return
        finally:
            blocks.close()
            rows.close()
        self._write_field(FIELD, schema[FIELD], items.field_terms(FIELD), lengths, sidecar=False)

    def _text_sidecar(self, schema, items: Grouped) -> None:  # noqa: ANN001
        """The `text` field's sidecar entries, as `_field_rows` gives them term by term."""
        add, fieldobj = self._sidecar.add_columns, schema[FIELD]
        for (_, btext), postings in items.field_terms(FIELD):
            if postings:
                add(FIELD, fieldobj, btext, *zip(*postings))

    def _write_field(self, fieldname: str, fieldobj, terms, lengths, hold: bool = False,  # noqa: ANN001
                     sidecar: bool = True) -> list:
        """A field's terms ((fieldname, btext), (docnum, weight, value) postings) as `start_term`, `add` per posting and
        `finish_term` write them (`W3PostingsWriter` blocks of `blocklimit` postings, then the
        term's `W3TermInfo` row), computed a block at a time without Whoosh's per-posting and
        per-block calls; the postings file written a buffer at a time, the term rows at the end
        (or returned, with `hold`)."""
        self.start_field(fieldname, fieldobj)
        raw = self._raw_postings()
        rows = self._field_rows(terms, lambda: _lengths_of(lengths, fieldname), raw.tell(), raw.write,
                                self._sidecar.add_columns if sidecar else _no_sidecar)
        if not hold:
            self._tindex.add_rows(rows)
            rows = []
        self.finish_field()
        return rows

    def _raw_postings(self):  # noqa: ANN202
        """The postings file under the started field's writer, written to directly."""
        pf = self._postwriter._postfile
        return pf.file if type(pf) is StructFile else pf

    def _field_rows(self, terms, lengths_of, pos: int, write, sidecar) -> list[tuple[bytes, bytes]]:  # noqa: ANN001
        """The blocks of the started field's terms, given to `write` a buffer at a time as from
        offset `pos` of the postings file; their rows (`lengths_of()`: the field's lengths)."""
        fieldname, fieldobj = self._fieldname, self._fieldobj
        pw = self._postwriter
        limit, comp = pw._blocklimit, pw._compression
        fixedsize = self._format.fixed_value_size()
        kind = _TUPLE if fixedsize is None or fixedsize < 0 else _NONE if fixedsize == 0 else _JOINED
        written = pos
        out: list[bytes] = []
        put = out.append
        rows: list[tuple[bytes, bytes]] = []
        row = rows.append
        prefix = pack_ushort(self._fieldid)
        pack_row, tail, ltb = _TERMINFO.pack, _TAIL.pack, _length_byte
        lens = _UNREAD
        lastb = None
        for (_, btext), postings in terms:
            if lastb is not None and btext < lastb:
                from whoosh.writing import OutOfOrderError

                raise OutOfOrderError(f"Term {(fieldname, lastb)!r} .. {(fieldname, btext)!r}")
            lastb = btext
            if not postings:
                continue
            if lens is _UNREAD:  # read for a field with postings only
                lens = lengths_of()
            put(WHOOSH3_HEADER_MAGIC)
            if len(postings) == 1:  # most terms of a segment: the same bytes, without the block loop
                docnum, weight, value = postings[0]
                stored = _float32(weight)
                found = None if lens is None else lens[docnum] if type(lens) is list else lens(docnum)
                bmin, bmax = (found, found) if found else (None, 0)
                bmaxweight = weight if weight > 0 else 0
                length = _block(put, (docnum,), None if stored == 1.0 else stored,
                                (value,) if value else (), kind, comp, 1, docnum, bmaxweight, bmin, bmax, True)
                row((prefix + btext, pack_row(False, 0 + stored, 1, 0 if bmin is None else ltb(bmin), ltb(bmax),
                                              bmaxweight, docnum, docnum) + tail(pos, 8 + length)))
                pos += 8 + length
                sidecar(fieldname, fieldobj, btext, (docnum,), (weight,), (value,))
            else:
                ids, weights, values = columns = tuple(zip(*postings))
                extent, total, df, minlength, maxlength, maxweight, minid, maxid = \
                    _term_blocks(put, ids, weights, values, lens, limit, comp, kind)
                row((prefix + btext, pack_row(False, total, df, 0 if minlength is None else ltb(minlength),
                                              ltb(maxlength), maxweight, 0xffffffff if minid is None else minid,
                                              0xffffffff if maxid is None else maxid) + tail(pos, extent)))
                pos += extent
                sidecar(fieldname, fieldobj, btext, *columns)
            if pos - written >= _BUFFER:
                write(b"".join(out))
                out.clear()
                written = pos
        write(b"".join(out))
        return rows


#: postings bytes kept before they are written (a field's terms are written as they come)
_BUFFER = 1 << 20
_UNREAD = object()
_FIELD_OF = lambda item: item[0][0]  # noqa: E731 - the fieldname of a ((fieldname, btext), postings) term
_TUPLE, _NONE, _JOINED = 0, 1, 2  # a block's values by the format's value size (`_mini_values`)
_TAIL = struct.Struct("!qi")  # pack_long(offset) + pack_int(length) of a term row
_LENGTH = struct.Struct("!i")  # pack_int
_LENGTH_BYTES = [length_to_byte(n) for n in range(4096)]
_F32: dict = {}  # weight -> the float32 Whoosh stores it as, for the few weights a segment has


def _no_sidecar(*_: object) -> None:
    """`_field_rows`'s sidecar for a field whose sidecar is written elsewhere (`_text_sidecar`)."""


def _moved(row: bytes, by: int) -> bytes:
    """A term's row (its info, then the offset and length of its postings) for postings `by` bytes further."""
    offset, length = _TAIL.unpack_from(row, len(row) - _TAIL.size)
    return row[:-_TAIL.size] + _TAIL.pack(offset + by, length)


def _length_byte(length: int | None) -> int:
    """`length_to_byte`."""
    if length is None:
        return 0
    return _LENGTH_BYTES[length] if 0 <= length < 4096 else length_to_byte(length)


def _float32(weight: float) -> float:
    """The weight as Whoosh buffers it (float32)."""
    stored = _F32.get(weight)
    if stored is None:
        stored = array("f", (weight,))[0]
        if len(_F32) < 4096:
            _F32[weight] = stored
    return stored


def _term_blocks(put, allids: tuple, allweights: tuple, allvalues: tuple, lens, limit: int, comp: int,  # noqa: ANN001
                 kind: int) -> tuple:
    """A term's postings (their documents, weights and values) as blocks (`put`, behind the
    magic the caller put): (their length with the magic, total weight, df, shortest and longest
    length, highest weight, first and last document), as `W3TermInfo.add_block` counts them."""
    n = len(allids)
    extent = 4
    total, df, minlength, maxlength, maxweight, minid, maxid = 0, 0, None, 0, 0, None, 0
    for start in range(0, n, limit):
        if n > limit:
            end = start + limit
            ids, weights, values = allids[start:end], allweights[start:end], allvalues[start:end]
        else:
            ids, weights, values = allids, allweights, allvalues
        stored = array("f", weights)  # as Whoosh buffers them (float32)
        if not all(values):
            values = [v for v in values if v]
        bmaxweight = max(0, max(weights))
        if lens is None:
            found = ()
        elif type(lens) is list:
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
        extent += 4 + _block(put, deltas, mini_weights, values, kind, comp, len(ids), ids[-1], bmaxweight,
                             bmin, bmax, start + limit >= n)
    return extent, total, df, minlength, maxlength, maxweight, minid, maxid


def _block(put, deltas: tuple, mini_weights, values, kind: int, comp: int, count: int, last_id: int,  # noqa: ANN001
           bmaxweight, bmin, bmax, last: bool) -> int:  # noqa: ANN001
    """One postings block as `W3PostingsWriter._write_block` writes it (its document deltas,
    weights and values pickled, compressed unless short, behind its info: `count` postings,
    `last_id` document, highest weight, shortest and longest length), given to `put`; its
    length (info and data, without the 4 bytes of that length)."""
    data = dumps((deltas, mini_weights, tuple(values) if kind == _TUPLE else None if kind == _NONE
                  else b"".join(values)), BLOCK_PROTOCOL)
    level = comp if len(data) >= UNCOMPRESSED_BELOW else 0
    if level:
        data = zlib.compress(data, level)
    info = dumps((count, last_id, bmaxweight, level, _length_byte(bmin), _length_byte(bmax)), 2)
    length = len(info) + len(data)
    put(_LENGTH.pack(-length if last else length))
    put(info)
    put(data)
    return length


class TermsTable(OrderedHashWriter):
    """Whoosh's terms table (`OrderedHashWriter`): the same file, rows added many at a time
    (`add_rows`) and hash tables written with one call each."""

    def add_rows(self, rows: list[tuple[bytes, bytes]]) -> None:
        """`add(key, value)` of each row, in order."""
        if not rows:
            return
        dbfile = self.dbfile
        pos = dbfile.tell()
        lastkey = self.lastkey
        buckets = self.buckets
        md5_hashed = self.hashfn is md5_hash
        hashfn = self.hashfn
        positions = []
        out = []
        put = out.append
        pack = _ROW_LENGTHS.pack
        for key, value in rows:
            if key <= lastkey:
                raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
            lastkey = key
            positions.append(pos)
            put(pack(len(key), len(value)))
            put(key)
            put(value)
            h = int.from_bytes(md5(key).digest()[12:], "big") if md5_hashed else hashfn(key)
            buckets[h & 255].append((h, pos))
            pos += 8 + len(key) + len(value)
        dbfile.write(b"".join(out))
        self.lastkey = lastkey
        self.index.extend(positions)

    def _write_hashes(self) -> None:
        dbfile = self.dbfile
        null = (0, 0)
        pack = _POINTER.pack
        for entries in self.buckets:
            pos = dbfile.tell()
            numslots = 2 * len(entries)
            self.directory.append((pos, numslots))
            hashtable = [null] * numslots
            for hashval, position in entries:
                slot = (hashval >> 8) % numslots
                while hashtable[slot] != null:
                    slot = (slot + 1) % numslots
                hashtable[slot] = (hashval, position)
            dbfile.write(b"".join([pack(h, p) for h, p in hashtable]))


_ROW_LENGTHS = struct.Struct("!ii")  # filetables._lengths
_POINTER = struct.Struct("!Iq")  # filetables._pointer


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
