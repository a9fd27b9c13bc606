"""Records → a Whoosh index on disk, updated incrementally and atomically.

Layout under ``$MINUTES_HOME`` (default ``./var``)::

    records/<session id>.json   the parsed record of each session (the source of truth)
    index/                      the Whoosh index (one document per searchable unit)
    index/manifest.json         which source file (by content hash) gave which session
    index/writer.pid            held while a run writes; names the writing process

Atomicity.  Whoosh writes new segment files, then a new table of contents under a
temporary name which it renames over the old one: until that rename a reader sees
the previous index, whatever happens to the writer (even ``kill -9``).  Records and
the manifest are written after the commit, each with ``os.replace``; the manifest
last, so that a run killed before it simply redoes the same files next time
(units are replaced by session, so redoing is harmless).

Locking.  Whoosh's own lock is an ``flock`` the kernel releases when a process dies.
Our ``writer.pid`` file guards the records and the manifest too; a pid file naming
a dead process is stale and removed automatically.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields, index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from .analysis import FastPositions, FrenchAnalyzer
from .config import DEFAULT_CORPUS, minutes_home
from .model import Deliberation, Record
from .render import vote_line
from .sources import SourceError

INDEX_NAME = "MAIN"
SOURCE_SUFFIXES = (".pdf", ".txt", ".md")
REPORT_PASSAGE_CHARS = 3000  # annexed reports are cut into passages of about this size
KINDS = ("intervention", "deliberation", "voeu", "rapport", "passage")
KIND_LABELS = {"intervention": "Intervention", "deliberation": "Délibération", "voeu": "Vœu",
               "rapport": "Rapport annexé", "passage": "Passage"}


class IndexBusy(SourceError):
    """Another live process is writing the index."""


# -- units ------------------------------------------------------------------------

@dataclass
class Unit:
    """One searchable piece of a session, with everything a hit shows."""

    id: str  # stable: "<session>/s012", "<session>/d/2025-361", "<session>/v/1", "<session>/r/2025-361/003"
    kind: str  # one of KINDS
    session: str
    date: str  # ISO date of the session
    text: str
    title: str = ""
    speaker: str = ""
    person_id: str = ""
    group: str = ""
    role: str = ""
    item: str = ""  # agenda item id
    item_title: str = ""
    item_no: str = ""  # agenda item number ("2" for "Rapport n°2")
    number: str = ""  # deliberation number ("2025-361") of the unit or of its agenda item
    page: int | None = None
    order: int = 0  # position within the session, for date sorting
    url: str = ""  # permalink path

    @property
    def anchor(self) -> str:
        return self.id.rsplit("/", 1)[-1]


def units_of(record: Record) -> list[Unit]:
    """The searchable units of a record, each with a stable id.

    Speeches (kind ``intervention``), deliberations (title, number, articles and vote),
    vœux, annexed reports cut into passages with their page (kind ``rapport``) and,
    for documents whose layout was not recognised, page passages (kind ``passage``).
    """
    sid = record.session.id
    date = record.session.date or ""
    items = {a.id: a for a in record.agenda}
    persons = {p.id: p for p in record.persons}
    units: list[Unit] = []
    order = 0

    def item_fields(item_id: str | None) -> dict:
        item = items.get(item_id or "")
        if item is None:
            return {"item": item_id or "", "item_title": ""}
        return {"item": item.id, "item_title": item.title, "number": item.deliberation or "",
                "item_no": str(item.number) if item.number is not None else ""}

    for sp in record.speeches:
        order += 1
        person = persons.get(sp.person_id or "")
        uid = sp.id if sp.id.startswith(sid + "/") else f"{sid}/s{sp.order:03d}"
        units.append(Unit(
            id=uid, kind="intervention", session=sid, date=date, text=sp.text, speaker=sp.speaker,
            person_id=sp.person_id or "", group=person.group if person else "", role=sp.role,
            page=sp.page, order=order, url=f"/seances/{sid}#{uid.rsplit('/', 1)[-1]}", **item_fields(sp.item)))
    for d in record.deliberations:
        order += 1
        base = item_fields(d.item)
        base["number"] = d.number
        units.append(Unit(
            id=f"{sid}/d/{d.number}", kind="deliberation", session=sid, date=date, title=d.title,
            text=_deliberation_text(d), page=d.page, order=order, url=f"/deliberations/{d.number}", **base))
    for n, w in enumerate(record.wishes, start=1):
        order += 1
        uid = w.id if w.id.startswith(sid + "/") else f"{sid}/v{n}"
        units.append(Unit(
            id=uid, kind="voeu", session=sid, date=date, title=w.title, text=w.text or w.title,
            group=w.group, page=w.page, order=order, url=f"/voeux/{sid}/{n}", item="voeux", item_title="Vœux"))
    for d in record.deliberations:
        base = item_fields(d.item)
        base["number"] = d.number
        for k, (page, text) in enumerate(report_passages(d), start=1):
            order += 1
            units.append(Unit(
                id=f"{sid}/r/{d.number}/{k:03d}", kind="rapport", session=sid, date=date,
                title=d.report_title or d.title, text=text, page=page, order=order,
                url=f"/deliberations/{d.number}#r{k:03d}", **base))
    for p in record.passages:
        order += 1
        uid = p.id if p.id.startswith(sid + "/") else f"{sid}/p{p.page:03d}"
        units.append(Unit(id=uid, kind="passage", session=sid, date=date, text=p.text, page=p.page,
                          order=order, url=f"/seances/{sid}#{uid.rsplit('/', 1)[-1]}"))
    return units


def _deliberation_text(d: Deliberation) -> str:
    parts = [f"Délibération n°{d.number}", d.title, *d.articles]
    if d.vote is not None:
        parts.append("Vote : " + vote_line(d.vote))
        groups = d.vote.abstention_groups + d.vote.against_groups
        if groups:
            parts.append(" ; ".join(groups))
    return "\n\n".join(p for p in parts if p)


def report_passages(d: Deliberation, size: int | None = None) -> list[tuple[int | None, str]]:
    """Cut an annexed report into (page, text) passages of about `size` characters,
    at paragraph boundaries.  A form feed in the report text starts a new page."""
    if not d.report.strip():
        return []
    size = size or REPORT_PASSAGE_CHARS
    page = d.report_page or d.page
    out: list[tuple[int | None, str]] = []
    chunk: list[str] = []
    chunk_page = page
    length = 0
    for block in d.report.split("\n\n"):
        pieces = block.split("\f")
        for i, piece in enumerate(pieces):
            if i and page is not None:
                page += 1
            piece = piece.strip()
            if not piece:
                continue
            if not chunk:
                chunk_page = page
            chunk.append(piece)
            length += len(piece)
            if length >= size:
                out.append((chunk_page, "\n\n".join(chunk)))
                chunk, length = [], 0
    if chunk:
        out.append((chunk_page, "\n\n".join(chunk)))
    return out


# -- schema -----------------------------------------------------------------------

def _text(boost: float = 1.0, stored: bool = True) -> fields.TEXT:
    f = fields.TEXT(analyzer=FrenchAnalyzer(), stored=stored, field_boost=boost, phrase=True)
    f.format = FastPositions(field_boost=boost)
    return f


def make_schema() -> fields.Schema:
    """One document per unit.  `*_f` fields are exact values in columns, for facets."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        session=fields.ID(stored=True, sortable=True),
        kind=fields.ID(stored=True, sortable=True),
        date=fields.ID(stored=True, sortable=True),
        month=fields.ID(),
        year=fields.ID(sortable=True),
        order=fields.NUMERIC(stored=False, sortable=True, bits=32),
        speaker=_text(2.0),
        speaker_f=fields.ID(sortable=True),
        person_id=fields.ID(stored=True),
        group=_text(),
        group_f=fields.ID(sortable=True),
        role=fields.ID(stored=True),
        item=fields.ID(stored=True),
        item_title=_text(1.5),
        item_f=fields.ID(sortable=True),
        item_no=fields.ID(),
        number=fields.ID(stored=True),
        title=_text(3.0),
        text=_text(),
        page=fields.STORED(),
        url=fields.STORED(),
    )


def unit_document(u: Unit) -> dict:
    return {
        "id": u.id, "session": u.session, "kind": u.kind, "date": u.date or "0000-00-00",
        "month": u.date[:7], "year": u.date[:4] or "inconnue", "order": u.order,
        "speaker": u.speaker, "speaker_f": u.speaker or "", "person_id": u.person_id,
        "group": u.group, "group_f": u.group or "", "role": u.role,
        "item": u.item, "item_title": u.item_title, "item_no": u.item_no,
        "item_f": (f"{u.item_title}" if u.item_title else u.item) or "",
        "number": u.number, "title": u.title, "page": u.page, "url": u.url,
        # `text` is the one field words are matched in: BM25F folded into one field, the title
        # weighs 3 and the speaker 2 (repeated), the group 1; it stores the body only
        "text": "\n\n".join(x for x in (u.title, u.title, u.title, u.speaker, u.speaker, u.group, u.text) if x),
        "_stored_text": u.text,
    }


# -- paths ------------------------------------------------------------------------

def home_dir(home: Path | None = None) -> Path:
    return Path(home).resolve() if home is not None else minutes_home()


def index_path(home: Path | None = None) -> Path:
    return home_dir(home) / "index"


def records_path(home: Path | None = None) -> Path:
    return home_dir(home) / "records"


def open_index(home: Path | None = None) -> whoosh_index.Index | None:
    """The index if one exists (read side), else None."""
    path = index_path(home)
    if not path.is_dir() or not whoosh_index.exists_in(str(path), indexname=INDEX_NAME):
        return None
    return whoosh_index.open_dir(str(path), indexname=INDEX_NAME)


# -- records ----------------------------------------------------------------------

def load_records(home: Path | None = None) -> list[Record]:
    """Every parsed record, from ``$MINUTES_HOME/records/<session_id>.json``, by date."""
    folder = records_path(home)
    if not folder.is_dir():
        return []
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            records.append(Record.from_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            continue
    return sorted(records, key=lambda r: (r.session.date, r.session.id))


def load_record(session_id: str, home: Path | None = None) -> Record | None:
    """The parsed record of one session, or None."""
    if not session_id or "/" in session_id or session_id.startswith("."):
        return None
    path = records_path(home) / f"{session_id}.json"
    try:
        return Record.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# -- manifest and lock ------------------------------------------------------------

def read_manifest(home: Path | None = None) -> dict:
    """{"sessions": {session id: {"sha256", "source", "units", "date"}}}"""
    try:
        data = json.loads((index_path(home) / "manifest.json").read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("sessions"), dict):
            return data
    except (OSError, ValueError):
        pass
    return {"sessions": {}}


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
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
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
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{os.getpid()} {_start_time(os.getpid()) or ''}".strip())
            return self
        raise IndexBusy(f"{self.path} : verrou impossible à prendre ; supprimez ce fichier si aucun indexage "
                        "ne tourne")

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


# -- progress ---------------------------------------------------------------------

class Progress:
    """A one-line progress bar on stderr (\\r updates on a terminal, plain lines otherwise)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = max(total, 1)
        self.enabled = enabled
        self.tty = enabled and sys.stderr.isatty()
        self.done = 0

    def step(self, label: str) -> None:
        if not self.enabled:
            return
        self.done += 1
        width = 24
        filled = int(width * self.done / self.total)
        bar = "#" * filled + "-" * (width - filled)
        line = f"[{bar}] {self.done}/{self.total} {label}"
        if self.tty:
            sys.stderr.write("\r" + line[:100].ljust(100))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()


# -- indexing ---------------------------------------------------------------------

@dataclass
class IndexSummary:
    files: int = 0  # source files looked at
    sessions: int = 0  # sessions (re)indexed in this run
    skipped: int = 0  # files already indexed with the same content
    units: int = 0  # units written in this run
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per file that failed
    total_sessions: int = 0  # sessions in the index after the run
    total_units: int = 0

    def line(self) -> str:
        return (f"{self.files} fichier(s), {self.sessions} séance(s) indexée(s), {self.skipped} inchangée(s), "
                f"{self.units} unité(s) en {self.seconds:.1f} s ; {len(self.warnings)} avertissement(s), "
                f"{len(self.errors)} erreur(s) ; index : {self.total_sessions} séance(s), "
                f"{self.total_units} unité(s)")

    def to_dict(self) -> dict:
        return {"files": self.files, "sessions": self.sessions, "skipped": self.skipped, "units": self.units,
                "seconds": round(self.seconds, 3), "warnings": self.warnings, "errors": self.errors,
                "total_sessions": self.total_sessions, "total_units": self.total_units}


def source_files(paths: Iterable[Path]) -> list[Path]:
    """Files to index: the given files, and the sources found in the given folders
    (README files and hidden files are not sources); a file named twice is listed once."""
    out: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)

    for path in paths:
        path = Path(path)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES and not p.name.startswith(".") \
                        and not p.stem.lower().startswith("readme"):
                    add(p)
        else:
            add(path)
    return out


def session_groups(files: Iterable[Path]) -> list[list[Path]]:
    """Files grouped by the session they give (its id is the file stem: `pv.pdf` and
    `pv.txt` are one session), in order of first appearance; within a group the PDF,
    the published original with its real page numbers, comes before text conversions."""
    from .parse import session_id

    groups: dict[str, list[Path]] = {}
    for path in files:
        groups.setdefault(session_id(path.stem, "") or str(path), []).append(path)
    return [sorted(g, key=lambda p: (p.suffix.lower() != ".pdf", str(p))) for g in groups.values()]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def index_paths(paths: list[Path] | None = None, *, home: Path | None = None, progress: bool = False,
                procs: int = 1) -> IndexSummary:
    """Parse and index source files (default: the bundled corpus) into ``$MINUTES_HOME``.

    A file whose content hash is already indexed is skipped; a changed file replaces
    the units of its session.  Files that cannot be read are reported one line each in
    ``summary.errors`` and the others are indexed.
    """
    from .parse import parse_file

    started = time.perf_counter()
    given = [Path(p) for p in paths or [DEFAULT_CORPUS]]
    files = source_files(given)
    summary = IndexSummary(files=len(files))
    for folder in given:
        if folder.is_dir() and not source_files([folder]):
            summary.errors.append(f"{folder} : aucun procès-verbal dans ce dossier (PDF, .txt ou .md) ; "
                                  "vérifiez le chemin")
    known = {v.get("sha256") for v in read_manifest(home)["sessions"].values()}
    bar = Progress(len(files), progress)

    seen: dict[str, Path] = {}  # content hash -> the file of this run that had it

    def records() -> Iterator[Record]:
        for group in session_groups(files):
            chosen: Path | None = None  # the file this session is indexed from
            for path in group:
                bar.step(path.name)
                if chosen is not None:
                    if chosen.suffix.lower() == ".pdf" and path.suffix.lower() != ".pdf":
                        why = "(le PDF est préféré à sa conversion en texte)"
                    else:
                        why = "; renommez l'un des deux s'il s'agit de deux séances différentes"
                    summary.warnings.append(f"{path} : même séance que {chosen} ; "
                                            f"seul {chosen.name} est indexé {why}")
                    continue
                try:
                    if not path.is_file():
                        raise SourceError(f"{path} : fichier introuvable ; vérifiez le chemin")
                    digest = _sha256(path)
                    if digest in seen:
                        summary.warnings.append(f"{path} : même contenu que {seen[digest]} ; ignoré")
                        continue
                    if digest in known:
                        summary.skipped += 1
                        chosen = seen[digest] = path
                        continue
                    record = parse_file(path)
                except SourceError as exc:
                    summary.errors.append(str(exc))
                    continue
                except Exception as exc:  # a parser bug must not stop the other files
                    detail = " ".join(str(exc).split())[:200]
                    summary.errors.append(f"{path} : lecture impossible ({type(exc).__name__} : {detail}) ; "
                                          "signalez ce fichier")
                    continue
                chosen = seen[digest] = path
                summary.warnings.extend(f"{path} : {w}" for w in record.warnings)
                yield record

    try:
        _write_records(records(), home=home, summary=summary, procs=procs)
    except OSError as exc:  # the files were read: this is the index that cannot be written
        raise SourceError(f"{index_path(home)} : écriture de l'index impossible ({exc.strerror or exc}) ; "
                          "vérifiez MINUTES_HOME, la place libre et les droits ; l'index précédent reste "
                          "utilisable") from exc
    finally:
        bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def index_records(records: Iterable[Record], *, home: Path | None = None, procs: int = 1,
                  limitmb: int = 256) -> IndexSummary:
    """Index already parsed records (used by the benchmark and by tests)."""
    started = time.perf_counter()
    summary = IndexSummary()
    _write_records(records, home=home, summary=summary, procs=procs, limitmb=limitmb)
    summary.files = summary.sessions
    summary.seconds = time.perf_counter() - started
    return summary


def _remove_leftovers(home: Path | None) -> None:
    """Temporary files of a writer that was killed (only the lock holder writes, so any is stale)."""
    folder = index_path(home)
    for tmp in [*records_path(home).glob(".*.tmp"), *folder.glob(".*.tmp"), *(folder / "vocab").glob(".*.tmp")]:
        tmp.unlink(missing_ok=True)


def _write_records(records: Iterable[Record], *, home: Path | None, summary: IndexSummary, procs: int = 1,
                   limitmb: int = 256) -> None:
    folder = index_path(home)
    folder.mkdir(parents=True, exist_ok=True)
    records_path(home).mkdir(parents=True, exist_ok=True)
    with WriterLock(folder):
        _remove_leftovers(home)
        storage = FileStorage(str(folder))
        if whoosh_index.exists_in(str(folder), indexname=INDEX_NAME):
            ix = storage.open_index(indexname=INDEX_NAME)
        else:
            ix = storage.create_index(make_schema(), indexname=INDEX_NAME)
        manifest = read_manifest(home)
        sessions = manifest["sessions"]
        writer = None
        pending: list[Record] = []
        counts: dict[str, int] = {}
        vocabs: dict[str, dict[str, int]] = {}
        try:
            for record in records:
                if writer is None:
                    writer = (ix.writer(procs=procs, limitmb=limitmb, multisegment=True) if procs > 1
                              else ix.writer(limitmb=limitmb))
                sid = record.session.id
                if sid in counts:  # documents added by this writer cannot be deleted by it
                    summary.warnings.append(f"{record.session.source} : la séance {sid} vient déjà d'un autre "
                                            "fichier de ce lancement ; ignoré")
                    continue
                # Always: a run killed after its commit but before its manifest left this
                # session's units in the index without a manifest entry.
                writer.delete_by_term("session", sid)
                units = units_of(record)
                for u in units:
                    writer.add_document(**unit_document(u))
                summary.units += len(units)
                summary.sessions += 1
                counts[sid] = len(units)
                vocabs[sid] = vocabulary(units)
                pending.append(record)
            if writer is not None:
                writer.commit()
                writer = None
        except BaseException:
            if writer is not None:
                writer.cancel()
            raise
        # The index is committed: now the records and vocabularies, then the manifest (last).
        (folder / "vocab").mkdir(exist_ok=True)
        for record in pending:
            _write_atomic(records_path(home) / f"{record.session.id}.json", record.to_json(indent=None))
            _write_atomic(folder / "vocab" / f"{record.session.id}.json",
                          json.dumps(vocabs[record.session.id], ensure_ascii=False))
            sessions[record.session.id] = {"sha256": record.session.sha256, "source": record.session.source,
                                           "date": record.session.date, "units": counts[record.session.id]}
        if pending:
            _write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        summary.total_sessions = len(sessions)
        summary.total_units = sum(int(v.get("units", 0)) for v in sessions.values())


_WORD = re.compile(r"[^\W\d_]{4,}")


def vocabulary(units: list[Unit]) -> dict[str, int]:
    """Lowercase words (4 letters or more) of the units with their counts, for spelling suggestions."""
    counts: Counter[str] = Counter()
    for u in units:
        counts.update(w.lower() for w in _WORD.findall(u.text))
        counts.update(w.lower() for w in _WORD.findall(u.title))
    return dict(counts)


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
