"""The record store under ``$MINUTES_HOME``: parsed records, the manifest that publishes
them, session identity and aliases, and the writer lock.

Layout::

    records/<session id>.<G>.json   a parsed record, written for generation G of the index
    index/                          the Whoosh index (one document per searchable unit)
    index/manifest-<G>.json         what generation G publishes: sessions (source hash, record
                                    file, parser version, identity), aliases of old ids
    index/vocab/<session id>.json   word counts of a session, for spelling suggestions
    index/writer.pid                held while a run writes; names the writing process

Publication.  A run writes its records and the manifest of the generation it is about to
commit *before* the Whoosh commit, whose table of contents Whoosh renames into place: that
rename publishes units, records and manifest at once.  Readers take the manifest of the
committed generation (`index_generation`), so until the rename they see the previous
state whole, after it the new one whole, whatever happens to the writer (even ``kill -9``).
Record files are never overwritten; those of the previous generation are kept until the
next commit, for readers still on it.

Identity.  A session is what it is: its body (« Conseil municipal de Pierrefonds ») and
its date give its id (`pierrefonds-2024-10-15`); the file name is only a label, used for
the id (with a part of the content hash when the label is taken) when the document does
not name its body.  See `assign_identity`.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import tempfile
import time
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from .config import minutes_home
from .model import Record
from .people import fold, slug
from .sources import SourceError

INDEX_NAME = "MAIN"
LEGACY_MANIFEST = "manifest.json"
_MANIFEST_RE = re.compile(r"^manifest-(\d+)\.json$")


class IndexBusy(SourceError):
    """Another live process is writing the index."""


# -- paths ------------------------------------------------------------------------

def home_dir(home: Path | None = None) -> Path:
    return Path(home).resolve() if home is not None else minutes_home()


def index_path(home: Path | None = None) -> Path:
    return home_dir(home) / "index"


def records_path(home: Path | None = None) -> Path:
    return home_dir(home) / "records"


def index_generation(home: Path | None = None) -> int:
    """The generation of the committed index (-1 if none): changes with every commit."""
    path = index_path(home)
    if not path.is_dir():
        return -1
    best = -1
    prefix = f"_{INDEX_NAME}_"
    with os.scandir(path) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(prefix) and name.endswith(".toc"):
                gen = name[len(prefix):-4]
                if gen.isdigit():
                    best = max(best, int(gen))
    return best


def displayable(text: str) -> str:
    """`text` as valid UTF-8: the bytes of a file name that is not UTF-8 (a Latin-1 `é`,
    decoded by Python as a lone surrogate) become U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def write_text(path: Path, text: str, sync: bool = True) -> None:
    """`text` (its characters made displayable) into `path`, flushed to the disk (unless `sync` is
    False: the caller then has it flushed before anything names the file, `publisher.Syncer`)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(displayable(text))
        if sync:
            fh.flush()
            os.fsync(fh.fileno())


def write_atomic(path: Path, text: str, sync: bool = True) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_text(tmp, text, sync)
    os.replace(tmp, path)


def write_pickle(path: Path, obj: object) -> None:
    """Pickle `obj` to `path` atomically, for caches: failing only costs time (the next reader
    rebuilds), and leaves no temporary file."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


# -- manifest ---------------------------------------------------------------------

def manifest_file(home: Path | None, generation: int) -> Path:
    return index_path(home) / f"manifest-{generation}.json"


def manifest_generations(home: Path | None = None) -> list[int]:
    """Generations that have a manifest file, oldest first."""
    try:
        names = os.listdir(index_path(home))
    except OSError:
        return []
    return sorted(int(m.group(1)) for n in names if (m := _MANIFEST_RE.match(n)))


def _load_manifest(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sessions"), dict):
        return None
    if not isinstance(data.get("aliases"), dict):
        data["aliases"] = {}
    return data


def read_manifest(home: Path | None = None, generation: int | None = None) -> dict:
    """The manifest of the committed generation (or of `generation`):
    {"generation", "sessions": {session id: {"sha256", "source", "date", "units", "record",
    "parser", "key", "path", "body"}}, "aliases": {old id: new id}}.

    An index written before manifests were per generation has `manifest.json`, whose
    records are `records/<session id>.json`."""
    gen = index_generation(home) if generation is None else generation
    found = _load_manifest(manifest_file(home, gen)) if gen >= 0 else None
    if found is None:
        older = [g for g in manifest_generations(home) if g < gen]
        found = _load_manifest(manifest_file(home, older[-1])) if older else None
    if found is None:
        found = _load_manifest(index_path(home) / LEGACY_MANIFEST)
    if found is None:
        found = {"sessions": {}, "aliases": {}}
    found["generation"] = gen
    return found


def record_file(session_id: str, entry: dict) -> str:
    return str(entry.get("record") or f"{session_id}.json")


def record_path(session_id: str, home: Path | None = None, manifest: dict | None = None) -> Path | None:
    """The file holding the published record of a session, or None."""
    manifest = manifest if manifest is not None else read_manifest(home)
    entry = manifest["sessions"].get(session_id)
    if entry is None:
        return None
    name = record_file(session_id, entry)
    if "/" in name or name.startswith("."):
        return None
    return records_path(home) / name


def resolve_session_id(session_id: str, home: Path | None = None) -> str | None:
    """The current id of a session: itself if indexed, the session that replaced it for an
    old id (an older parser's id, a session replaced by a new version), else None.  The web
    app answers an old permalink with a redirect to the current one."""
    manifest = read_manifest(home)
    sessions, aliases = manifest["sessions"], manifest["aliases"]
    seen = set()
    while session_id not in sessions and session_id in aliases and session_id not in seen:
        seen.add(session_id)
        session_id = aliases[session_id]
    return session_id if session_id in sessions else None


# -- records ----------------------------------------------------------------------

def _read_record(path: Path) -> Record | None:
    try:
        return Record.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None


def load_records(home: Path | None = None, cache: dict | None = None) -> list[Record]:
    """Every published record (those the committed generation's manifest names), by date.

    `cache`, a dict the caller keeps between calls (record file → (stamp, Record)), spares
    parsing again a file already read: record files are never rewritten (a new version of a
    session is a new file), so after adding one session only its record is read.  Files no
    longer published leave the cache.  The records are then shared between calls: read only."""
    manifest = read_manifest(home)
    records = []
    seen: set[Path] = set()
    for sid in manifest["sessions"]:
        path = record_path(sid, home, manifest)
        if path is None:
            continue
        if cache is None:
            record = _read_record(path)
        else:
            seen.add(path)
            record = _cached_record(path, cache)
        if record is not None:
            records.append(record)
    if cache is not None:
        for stale in [p for p in cache if p not in seen]:
            del cache[stale]
    return sorted(records, key=lambda r: (r.session.date, r.session.id))


def _cached_record(path: Path, cache: dict) -> Record | None:
    try:
        st = path.stat()
    except OSError:
        cache.pop(path, None)
        return None
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    hit = cache.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    record = _read_record(path)
    if record is None:
        cache.pop(path, None)
    else:
        cache[path] = (stamp, record)
    return record


def load_record(session_id: str, home: Path | None = None) -> Record | None:
    """The published record of one session, or None."""
    if not session_id or "/" in session_id or session_id.startswith("."):
        return None
    path = record_path(session_id, home)
    return _read_record(path) if path is not None else None


# -- identity ---------------------------------------------------------------------

#: words naming the kind of assembly, not which one: « Conseil municipal de … » names
#: Pierrefonds by what follows
_KIND_WORDS = {"conseil", "municipal", "municipale", "departemental", "departementale", "communautaire",
               "regional", "regionale", "general", "generale", "seance", "proces", "verbal", "compte", "rendu",
               "city", "council", "town", "meeting", "minutes", "assemblee", "pleniere", "ordinaire",
               "extraordinaire"}
_LINK_WORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "of", "the"}
_SHORT = (("communaute d agglomeration", "ca"), ("communaute de communes", "cc"), ("communaute urbaine", "cu"))


def body_place(body: str) -> str:
    """The part of a body's name that says which assembly it is, as a slug:
    « Conseil départemental du Pas-de-Calais » → `pas-de-calais`, « Des Moines City Council »
    → `des-moines`, « Conseil municipal » → `` (no place: the body is not known)."""
    words = fold(body).split()
    stripped = False
    while words and words[0] in _KIND_WORDS:
        words.pop(0)
        stripped = True
        while stripped and words and words[0] in _LINK_WORDS:
            words.pop(0)
    while words and words[-1] in _KIND_WORDS:
        words.pop()
    text = " ".join(words)
    for long, short in _SHORT:
        text = re.sub(rf"\b{long}\b", short, text)
    return slug(text)[:60].strip("-")


@dataclass
class Identity:
    """What makes a session the same session: its body and date (`key`), or, for a
    document that does not name its body, the file it was read from (`path`, without the
    extension: `pv.pdf` and `pv.txt` are one document) with its date."""

    key: str  # "conseil municipal de pierrefonds|2024-10-15", or "" when the body is not known
    candidate: str  # the readable id it asks for
    path: str  # provenance: folder and file stem
    sha256: str
    date: str = ""

    @property
    def suffix(self) -> str:
        """Six hex digits telling apart two sessions that ask for one id."""
        import hashlib

        basis = self.key or self.sha256
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:6]


def identity_of(record: Record, path: Path | None = None) -> Identity:
    s = record.session
    place = body_place(s.body or "")
    date = s.date or ""
    source = Path(path) if path is not None else Path(s.source or s.id or "seance")
    provenance = displayable(str(source.resolve().parent / slug(source.stem))) if path is not None else ""
    if place and date:
        return Identity(key=f"{fold(s.body)}|{date}", candidate=f"{place}-{date}", path=provenance,
                        sha256=s.sha256, date=date)
    label = slug(displayable(source.stem))[:60].strip("-") or "seance"
    if date and not re.search(r"(19|20)\d\d", label):  # a label that carries no year gets the date
        label = f"{label}-{date}"
    return Identity(key="", candidate=label, path=provenance, sha256=s.sha256, date=date)


@dataclass
class Placement:
    """Where a parsed record goes in the index."""

    session_id: str
    replaces: list[str]  # ids of the indexed sessions it replaces (including itself if re-read)
    warning: str = ""  # one line when it replaces another document of the same session
    reparsed: bool = False  # the same file, read again by a newer parser
    conflict: str = ""  # a session this run already indexed from another file


def place_record(ident: Identity, sessions: dict[str, dict], aliases: dict[str, str],
                 claimed: dict[str, str], label: str) -> Placement:
    """Decide the id of a parsed record against the indexed sessions.

    The same session is: the same file (same content hash: a re-parse), the same body and
    date (a new version of the minutes: it replaces them, with a warning), or, when the
    body is not known, a new version of the same file (same folder, name and date).  Two
    different sessions never share an id: the id a session asks for, when taken, gets six
    hex digits of its identity."""
    same: list[str] = []
    by_sha = [sid for sid, e in sessions.items() if e.get("sha256") == ident.sha256]
    by_key = [sid for sid, e in sessions.items() if ident.key and e.get("key") == ident.key]
    by_path = [sid for sid, e in sessions.items() if ident.path and e.get("path") == ident.path
               and (e.get("date") or "") == ident.date and not (ident.key and e.get("key"))]
    for sid in (*by_key, *by_path, *by_sha):
        if sid not in same:
            same.append(sid)
    for sid in same:
        if sid in claimed:
            return Placement(session_id=sid, replaces=[], conflict=claimed[sid])
    keep = next((sid for sid in (*by_key, *by_path)), None)  # a new version keeps its permalink
    taken = (set(sessions) | set(aliases) | set(claimed)) - set(same)
    if keep is not None:
        new_id = keep
    else:
        new_id = ident.candidate
        n = 1
        while new_id in taken:
            new_id = f"{ident.candidate}-{ident.suffix}" + (f"-{n}" if n > 1 else "")
            n += 1
    replaced_content = [sid for sid in same if sessions[sid].get("sha256") != ident.sha256]
    warning = ""
    if replaced_content:
        old = replaced_content[0]
        why = "même assemblée, même date" if ident.key and sessions[old].get("key") == ident.key \
            else "même fichier, même date"
        warning = (f"{label} : remplace la séance {old} lue dans {sessions[old].get('source', '?')} "
                   f"({why}, contenu différent)")
    return Placement(session_id=new_id, replaces=same, warning=warning,
                     reparsed=bool(by_sha) and not replaced_content)


def rekey(record: Record, new_id: str) -> None:
    """Give a record the session id `new_id`: the session and every id under it
    (`<old>/s012` → `<new>/s012`)."""
    old = record.session.id
    record.session.id = new_id
    if old == new_id:
        return
    prefix = old + "/"
    names: dict[type, tuple[str, ...]] = {}  # the field names of each dataclass met (fields() once a class)

    def walk(obj: Any) -> Any:
        if isinstance(obj, str):
            if obj.startswith(prefix) and not any(c.isspace() for c in obj):
                return new_id + obj[len(old):]
            return obj
        if isinstance(obj, list):
            for i, x in enumerate(obj):
                if isinstance(x, (str, list)) or is_dataclass(x):
                    obj[i] = walk(x)
            return obj
        cls = type(obj)
        got = names.get(cls)
        if got is None:
            got = names[cls] = tuple(f.name for f in fields(obj)) if is_dataclass(obj) else ()
        for name in got:
            value = getattr(obj, name)
            if isinstance(value, str):
                if value.startswith(prefix):
                    setattr(obj, name, walk(value))
            elif isinstance(value, list) or is_dataclass(value):
                setattr(obj, name, walk(value))
        return obj

    walk(record)


# -- lock -------------------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purpose
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def _start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot, /proc/<pid>/stat), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(") ", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


class WriterLock:
    """`index/writer.pid`, created exclusively, naming the writing process and when it
    started; a pid file naming a dead process, or a process started at another time (its
    pid reused, e.g. after a restart), is stale."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "writer.pid"

    def __enter__(self) -> "WriterLock":
        for _ in range(3):
            try:
                fd = self._create()
            except FileExistsError:
                pid, started = self._read()
                if pid is None and self._age() < 5:
                    pid = -1  # just created by another run, which is writing its pid into it
                if pid == -1 or (pid is not None and pid != os.getpid() and _pid_alive(pid)
                                 and (started is None or started == _start_time(pid))):
                    shown = f" (processus {pid})" if pid != -1 else ""
                    raise IndexBusy(f"{self.path.parent} : un autre indexage est en cours{shown} ; "
                                    "attendez qu'il se termine")
                self.path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            if fd is None:
                return self  # created named
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(self._content())
            except BaseException:  # Ctrl-C or SIGTERM between creating and naming it
                self.path.unlink(missing_ok=True)
                raise
            return self
        raise IndexBusy(f"{self.path} : verrou impossible à prendre ; supprimez ce fichier si aucun indexage "
                        "ne tourne")

    @staticmethod
    def _content() -> str:
        return f"{os.getpid()} {_start_time(os.getpid()) or ''}".strip()

    def _create(self) -> int | None:
        """Create the pid file, exclusively: linked from a file that already names this process
        (None), so that a run killed at that moment leaves a stale lock, not an empty file that
        looks like another run writing its pid; where hard links are refused, created empty and
        opened (its descriptor), to be named by the caller."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(self._content())
            os.link(tmp, self.path)
            return None
        except FileExistsError:
            raise
        except OSError:  # no hard links here
            return os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        finally:
            tmp.unlink(missing_ok=True)

    def _read(self) -> tuple[int | None, str | None]:
        try:
            parts = self.path.read_text().split()
            return (int(parts[0]) if parts else None), (parts[1] if len(parts) > 1 else None)
        except (OSError, ValueError):
            return None, None

    def _holder(self) -> int | None:
        return self._read()[0]

    def _age(self) -> float:
        try:
            return time.time() - self.path.stat().st_mtime
        except OSError:
            return 0.0

    def __exit__(self, *exc: object) -> None:
        if self._holder() == os.getpid():
            self.path.unlink(missing_ok=True)
