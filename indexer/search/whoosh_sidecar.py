"""The `text` postings of a Whoosh segment in a form numpy reads directly: a sidecar file of the
segment (`<segment>.mpos`), written when the segment is written, mapped when it is read.

Whoosh stores a term's postings as pickled blocks (ids, weights, then every document's
positions as bytes): a search unpickles every block it touches, and a phrase touches almost all
of them.  The sidecar holds, for every term of the `text` field (in the byte order of Whoosh's
terms), its postings as flat arrays: document numbers (of the segment), weights (Whoosh's, as
stored: float32; left out when each is its posting's number of positions, as in `text`), and
the number of positions of each posting, the positions themselves in one flat array; integers
are stored in the narrowest unsigned type that holds a segment's values.  A term is found by binary search in the sorted terms; its postings and positions
are slices of the mapped file.

The file is named like the segment's own files, so Whoosh bundles it into the compound segment
file (and deletes it with the segment); a segment written without it (an index written by an
earlier release, or by a writer without `FastCodec`) is read through Whoosh's blocks as before.

Layout (little-endian): `MAGIC`, the sections (each 8-byte aligned), then a JSON footer naming
each section's offset, count and dtype, its length as 8 bytes, and `MAGIC` again.
"""

from __future__ import annotations

import io
import json
import mmap
import struct
import tempfile

import numpy as np

from .whoosh_analysis import packed_positions

FIELD = "text"
EXT = ".mpos"
MAGIC = b"MINPOS1\x00"
_LENGTH = struct.Struct("<Q")

#: sections written per posting (streamed to temporary files) and per term (kept in memory)
_STREAMED = (("docs", "<i4"), ("weights", "<f4"), ("counts", "<u4"), ("positions", "<u4"))
_CHUNK = 1 << 16  # postings decoded together


class SidecarWriter:
    """Collects the `text` postings a segment's field writer writes (term by term, in order),
    and writes the sidecar file when the field writer closes."""

    def __init__(self, storage, segment, ext: str = EXT) -> None:  # noqa: ANN001
        self._storage = storage
        self._segment = segment
        self._ext = ext
        self._streams = {name: tempfile.TemporaryFile() for name, _ in _STREAMED}
        self._sizes = dict.fromkeys(self._streams, 0)
        self._highest = dict.fromkeys(self._streams, 0)
        self._terms: list[bytes] = []
        self._post_start = [0]  # first posting of each term
        self._pos_start = [0]  # first position of each term (filled a chunk at a time)
        self._usable = True
        self._fmt = None
        self._weights_are_counts = True  # in `text` a weight is the number of positions
        # postings of the terms not yet written (a chunk of whole terms, decoded together)
        self._docs: list[int] = []
        self._weights: list[float] = []
        self._values: list[bytes] = []
        self._chunk_terms = 0  # terms of the chunk (the last ones of self._terms)

    def add(self, fieldname: str, fieldobj, btext: bytes, postings: list) -> None:  # noqa: ANN001
        """One term's postings ((fieldname, btext, docnum, weight, value), in document order)."""
        if fieldname == FIELD and self._usable:
            _, _, docs, weights, values = zip(*postings)
            self.add_columns(fieldname, fieldobj, btext, docs, weights, values)

    def add_columns(self, fieldname: str, fieldobj, btext: bytes, docs: tuple, weights: tuple,  # noqa: ANN001
                    values: tuple) -> None:
        """`add` of a term's postings given as columns: their document numbers, weights and values."""
        if fieldname != FIELD or not self._usable:
            return
        if self._fmt is None:
            fmt = getattr(fieldobj, "format", None)
            if fmt is None or not hasattr(fmt, "decode_positions"):
                self._usable = False  # no positions in this field: no sidecar
                return
            self._fmt = fmt
        self._docs += docs
        self._weights += weights
        self._values += values
        self._terms.append(bytes(btext))
        self._post_start.append(self._post_start[-1] + len(docs))
        self._chunk_terms += 1
        if len(self._docs) >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        """Write the postings of the chunk: numpy over all of them at once (most terms have a
        handful of postings: per-term arrays would cost more than the postings)."""
        if not self._chunk_terms:
            return
        n = len(self._docs)
        docs = np.array(self._docs, dtype="<i4")
        weights = np.array(self._weights, dtype="<f4")
        counts, positions = _positions_of(self._values, self._fmt)
        if self._weights_are_counts and not np.array_equal(weights, counts):
            self._weights_are_counts = False
        # first position of each term of the chunk
        first = self._post_start[-1 - self._chunk_terms:-1]
        cum = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        base = self._pos_start[-1]
        chunk_start = self._post_start[-1] - n
        self._pos_start[-1:] = (cum[np.asarray(first, dtype=np.int64) - chunk_start] + base).tolist()
        self._pos_start.append(base + int(cum[-1]))
        self._write("docs", docs)
        self._write("weights", weights)
        self._write("counts", counts)
        self._write("positions", positions)
        self._docs, self._weights, self._values = [], [], []
        self._chunk_terms = 0

    def _write(self, name: str, arr: np.ndarray) -> None:
        self._streams[name].write(arr.tobytes())
        self._sizes[name] += len(arr)
        if len(arr):
            self._highest[name] = max(self._highest[name], int(arr.max()))

    def close(self) -> None:
        if self._streams is None:
            return  # closed already
        try:
            if self._usable and self._terms:
                self._flush()
                self._finish()
        finally:
            for f in self._streams.values():
                f.close()
            self._streams = None

    def _finish(self) -> None:
        blob = b"".join(self._terms)
        lengths = np.fromiter(map(len, self._terms), dtype=np.int64, count=len(self._terms))
        in_memory = {
            "term_offsets": np.concatenate([[0], np.cumsum(lengths)]).astype("<i8"),
            "term_postings": np.asarray(self._post_start, dtype="<i8"),
            "term_positions": np.asarray(self._pos_start, dtype="<i8"),
        }
        out = self._segment.create_file(self._storage, self._ext)
        try:
            out.write(MAGIC)
            at = len(MAGIC)
            sections = {}

            def pad() -> None:
                nonlocal at
                gap = -at % 8
                if gap:
                    out.write(b"\x00" * gap)
                    at += gap

            for name, dtype in _STREAMED:
                if name == "weights" and self._weights_are_counts:
                    continue  # the reader takes the counts
                stored = _narrowest(dtype, self._highest[name])
                pad()
                stream = self._streams[name]
                stream.seek(0)
                size = np.dtype(dtype).itemsize
                while True:
                    chunk = stream.read(size << 20)
                    if not chunk:
                        break
                    out.write(np.frombuffer(chunk, dtype=dtype).astype(stored).tobytes())
                sections[name] = [at, self._sizes[name], stored]
                at += self._sizes[name] * np.dtype(stored).itemsize
            for name, arr in in_memory.items():
                pad()
                out.write(arr.tobytes())
                sections[name] = [at, len(arr), arr.dtype.str]
                at += arr.nbytes
            pad()
            out.write(blob)
            sections["terms"] = [at, len(blob), "|u1"]
            footer = json.dumps({"version": 1, "field": FIELD, "sections": sections}).encode("ascii")
            out.write(footer + _LENGTH.pack(len(footer)) + MAGIC)
        finally:
            out.close()


def _narrowest(dtype: str, highest: int) -> str:
    """The smallest unsigned type holding an integer section's values (floats kept)."""
    if dtype[1] == "f":
        return dtype
    return "<u2" if highest < 1 << 16 else "<u4" if highest < 1 << 32 else dtype


def _positions_of(values: list, fmt) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """(number of positions of each posting, all positions in order) of a term's values:
    packed values (whoosh_analysis.FastPositions) read as one array, others decoded by the
    field's format."""
    packed = packed_positions(values)
    if packed is not None:
        return packed[0].astype("<u4"), packed[1]
    lists = [fmt.decode_positions(v) if v else [] for v in values]
    counts = np.fromiter(map(len, lists), dtype="<u4", count=len(lists))
    return counts, np.fromiter((p for x in lists for p in x), dtype="<u4", count=int(counts.sum()))


# -- reading ----------------------------------------------------------------------

class Sidecar:
    """The mapped sidecar of one segment."""

    def __init__(self, buf) -> None:  # noqa: ANN001
        if len(buf) < 2 * len(MAGIC) + _LENGTH.size or bytes(buf[:len(MAGIC)]) != MAGIC \
                or bytes(buf[-len(MAGIC):]) != MAGIC:
            raise ValueError("not a sidecar")
        end = len(buf) - len(MAGIC)
        (size,) = _LENGTH.unpack(bytes(buf[end - _LENGTH.size:end]))
        footer = json.loads(bytes(buf[end - _LENGTH.size - size:end - _LENGTH.size]))
        if footer.get("version") != 1 or footer.get("field") != FIELD:
            raise ValueError("unknown sidecar version")
        arrays = {name: np.frombuffer(buf, dtype=dtype, count=count, offset=offset)
                  for name, (offset, count, dtype) in footer["sections"].items()}
        self.docs = arrays["docs"]
        self.counts = arrays["counts"]
        self.weights = arrays.get("weights", self.counts)  # absent when every weight is its count
        self.positions = arrays["positions"]
        self._blob = bytes(arrays["terms"])  # one copy of the terms, compared by slices
        self._offsets = arrays["term_offsets"].tolist()
        self._post = arrays["term_postings"]
        self._pos = arrays["term_positions"]
        self._buf = buf  # the mapping the arrays view

    def find(self, btext: bytes) -> int:
        """The number of a term, -1 when the segment lacks it."""
        blob, offsets = self._blob, self._offsets
        lo, hi = 0, len(offsets) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if blob[offsets[mid]:offsets[mid + 1]] < btext:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(offsets) - 1 and blob[offsets[lo]:offsets[lo + 1]] == btext:
            return lo
        return -1

    def postings(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers of the segment, weights) of term number `t`."""
        a, b = int(self._post[t]), int(self._post[t + 1])
        return self.docs[a:b], self.weights[a:b]

    def positions_in(self, t: int, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(number of positions, positions in order) of the postings `chosen` (indexes into the
        term's postings, increasing) of term number `t`."""
        a, b = int(self._post[t]), int(self._post[t + 1])
        counts = self.counts[a:b].astype(np.int64)
        starts = np.cumsum(counts) - counts + int(self._pos[t])
        picked = counts[chosen]
        total = int(picked.sum())
        if not total:
            return picked, np.zeros(0, dtype=np.int64)
        firsts = np.repeat(starts[chosen] - (np.cumsum(picked) - picked), picked)
        return picked, self.positions[firsts + np.arange(total)].astype(np.int64)


def open_sidecar(leaf) -> Sidecar | None:  # noqa: ANN001
    """The sidecar of a Whoosh segment reader, or None (no sidecar, or one not readable: the
    caller reads Whoosh's own postings)."""
    segment = getattr(leaf, "_segment", None)
    storage = getattr(leaf, "_storage", None)
    if segment is None or storage is None or not hasattr(segment, "make_filename"):
        return None
    name = segment.make_filename(EXT)
    try:
        if not storage.file_exists(name):
            return None
        f = storage.open_file(name)
        buf = getattr(f, "_buf", None)  # a slice of the mapped compound file
        if buf is None:  # a file of its own (add_missing): mapped, not read into memory
            try:
                buf = memoryview(mmap.mmap(getattr(f, "file", f).fileno(), 0, access=mmap.ACCESS_READ))
            except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
                buf = f.read()
            f.close()
        return Sidecar(buf)
    except (OSError, ValueError, KeyError):
        return None


# -- segments written without a sidecar -------------------------------------------

def add_missing(folder, indexname: str = "MAIN") -> int:  # noqa: ANN001
    """Write the sidecar of every segment of the index in `folder` that has none (an index
    written by an earlier release), beside the segment's compound file (where the segment's
    reader finds it; Whoosh deletes it with the segment), from Whoosh's own postings.  Written
    under a temporary name, then renamed: a reader never sees half a sidecar.  Returns the
    number of sidecars written."""
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(folder))
    lock = storage.lock(indexname + "_WRITELOCK")  # as Whoosh's writers: no commit meanwhile
    if not lock.acquire(blocking=True):
        return 0
    try:
        return _add_missing(storage, indexname)
    finally:
        lock.release()


def _add_missing(storage, indexname: str) -> int:  # noqa: ANN001
    from whoosh.reading import SegmentReader

    from .whoosh_postings import _term_blocks

    ix = storage.open_index(indexname)
    schema = ix.schema
    if FIELD not in schema:
        return 0
    fieldobj = schema[FIELD]
    made = 0
    for segment in ix._segments():
        reader = SegmentReader(storage, schema, segment)
        try:
            if open_sidecar(reader) is not None:
                continue
            part = EXT + ".part"
            writer = SidecarWriter(storage, segment, ext=part)
            try:
                for btext in reader.lexicon(FIELD):
                    text = btext.decode("utf-8")
                    blocks = _term_blocks(reader, FIELD, text, values=True)
                    postings = []
                    if blocks is None:  # inlined postings: Whoosh's matcher
                        m = reader.postings(FIELD, text)
                        while m.is_active():
                            postings.append((None, None, m.id(), m.weight(), m.value()))
                            m.next()
                    else:
                        for count, (deltas, weights, values) in blocks:
                            if not isinstance(values, (tuple, list)) or len(values) != count:
                                raise ValueError(f"postings of {text!r} without positions")
                            ids = np.cumsum(np.asarray(deltas, dtype=np.int64)).tolist()
                            if not isinstance(weights, (tuple, list)):
                                weights = [1.0 if weights is None else float(weights)] * count
                            postings.extend(zip([None] * count, [None] * count, ids, weights, values))
                    if postings:
                        writer.add(FIELD, fieldobj, btext, postings)
            finally:
                writer.close()
            if storage.file_exists(segment.make_filename(part)):
                storage.rename_file(segment.make_filename(part), segment.make_filename(EXT), safe=False)
                made += 1
        finally:
            reader.close()
    return made


if __name__ == "__main__":  # python -m indexer.search.whoosh_sidecar HOME/index
    import sys

    print(add_missing(sys.argv[1]), "sidecar(s) written")
