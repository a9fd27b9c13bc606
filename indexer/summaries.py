"""Compact copies of the published records, for a server that keeps every session in view
but not every text in memory.

A *light* record is the record without its texts: speeches keep their speaker, item, page
and word count but not their words; deliberations keep number, title, articles, vote and
visas and receipt but not their annexed report or tables; vœux keep their title, group and
signatories; page passages and stage directions are dropped.  What listing pages need
(home, sessions, persons register, decisions, vœux, timeline, search labels) is all there,
at about a tenth of the memory (100 generated sessions: 26 MB against 400 MB).

Each light record is cached under ``$MINUTES_HOME/cache/light/`` (a pickle named after its
record file, its size and its time: record files are never rewritten, so a cached copy is
valid as long as its name matches), written by `minutes index` when it publishes a record
and, for records indexed before, by the first reader.  Loading a hundred of them takes a
tenth of a second, where parsing the records takes seconds.  The pickles are read by an
unpickler that only builds the classes of `indexer.model`.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import replace
from pathlib import Path
from typing import Callable

from . import model
from .model import Record
from .records import write_pickle

CACHE_DIR = ("cache", "light")
#: bump when what a light record holds changes: older cached copies are then ignored
LIGHT_VERSION = 1


def light(record: Record) -> Record:
    """`record` without its texts (a new object; `record` is left as it is)."""
    return replace(
        record,
        speeches=[replace(sp, text="") for sp in record.speeches],
        stage_directions=[],
        deliberations=[replace(d, report="", tables=[]) for d in record.deliberations],
        wishes=[replace(w, text="") for w in record.wishes],
        passages=[],
    )


def _cache_file(home: Path | None, record_file: Path) -> Path | None:
    from .records import home_dir

    try:
        st = record_file.stat()
    except OSError:
        return None
    return home_dir(home).joinpath(*CACHE_DIR) / f"{record_file.name}.{st.st_size}.{st.st_mtime_ns}.v{LIGHT_VERSION}.pickle"


class ModelUnpickler(pickle.Unpickler):
    """Builds only the dataclasses of indexer.model and the classes `ALLOWED` names (plain
    containers; a cache of other objects extends it in a subclass): a cache file someone
    replaced cannot run code."""

    ALLOWED: dict[str, frozenset[str]] = {"builtins": frozenset({"list", "dict", "set", "tuple", "frozenset"})}

    def find_class(self, module: str, name: str):  # noqa: ANN201
        if module == model.__name__ and isinstance(getattr(model, name, None), type):
            return getattr(model, name)
        if name in self.ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"classe refusée dans le cache : {module}.{name}")


def write_light(home: Path | None, record_file: Path, record: Record) -> None:
    """Cache the light copy of `record`, just written to `record_file` (best effort: a home
    that cannot be written only loses the cache)."""
    try:
        target = _cache_file(home, Path(record_file))
        if target is None:
            return
        write_pickle(target, light(record))
    except Exception:  # noqa: BLE001 - only a cache: never the reason a run or a page fails
        pass


def read_light(home: Path | None, record_file: Path, full: Callable[[Path], Record | None] | None = None) -> Record | None:
    """The light copy of the record in `record_file`: from the cache, else from the record
    (read by `full(path)`, then cached); None when the record cannot be read."""
    target = _cache_file(home, Path(record_file))
    if target is None:
        return None
    try:
        data = target.read_bytes()
    except OSError:
        data = None
    if data is not None:
        try:
            found = ModelUnpickler(io.BytesIO(data)).load()
            if isinstance(found, Record):
                return found
        except Exception:  # noqa: BLE001 - a damaged or foreign cache file: read the record again
            pass
    if full is None:
        from .records import _read_record as full
    record = full(Path(record_file))
    if record is None:
        return None
    write_light(home, record_file, record)
    return light(record)
