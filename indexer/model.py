"""The session record: plain dataclasses, serialised to and from JSON.

Everything downstream (index, search, answers, web pages) reads this record and
nothing else, so a session parsed once can be re-indexed without re-reading its
source file.  Field names are English; values keep the document's French.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, get_args, get_origin, get_type_hints

SCHEMA_VERSION = 1


@dataclass
class Person:
    """One human being, whatever the label the document uses for them."""

    id: str  # slug of the canonical name, e.g. "mireille-hingrez-cereda"
    name: str  # canonical display name, e.g. "Mireille HINGREZ-CÉRÉDA"
    civility: str = ""  # "M." or "Mme"
    group: str = ""  # political group, when the document states it
    roles: list[str] = field(default_factory=list)  # "Président du Conseil départemental", ...
    labels: list[str] = field(default_factory=list)  # every raw label seen ("MME HINGREZ-CEREDA.-")
    guest: bool = False  # not a member of the council (e.g. a director invited to speak)


@dataclass
class AgendaItem:
    """A numbered report of the agenda, or an unnumbered segment of the debate."""

    id: str  # "rapport-2" or "ouverture", "hommage", ...
    order: int
    title: str
    number: int | str | None = None  # report number ("6.1" for a sub-item as written), None for unnumbered segments
    kind: str = "rapport"  # "rapport" | "segment"
    page: int | None = None  # page where the item starts (table of contents or PDF page)
    deliberation: str | None = None  # deliberation number adopted on this item ("2025-361")
    rapporteur: str | None = None  # person id of whoever presented it


@dataclass
class Speech:
    """One speaker turn (or one reported intervention) of the debate."""

    id: str  # stable: "<session id>/s<order:03d>"
    order: int  # position in the debate, shared with stage directions
    label: str  # raw speaker label as written ("M. LE PRESIDENT.-")
    speaker: str  # resolved display name ("Jean-Claude LEROY")
    person_id: str | None
    item: str | None  # agenda item id
    text: str  # paragraphs joined by blank lines
    page: int | None = None
    role: str = ""  # role in this speech: "président", "rapporteur", "invité", ...
    reported: bool = False  # reported speech ("M. X demande si ...") rather than verbatim
    words: int = 0

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]


@dataclass
class StageDirection:
    """What happens in the room but is nobody's speech: "(rires)", "Applaudissements."."""

    id: str
    order: int
    text: str
    item: str | None = None
    page: int | None = None


@dataclass
class Vote:
    """One vote block, in the debate or in a deliberation."""

    for_: int | None = None
    against: int | None = None
    abstention: int | None = None
    not_voting: int | None = None  # "ne prend pas part au vote"
    absent: int | None = None  # absent without proxy
    for_groups: list[str] = field(default_factory=list)
    against_groups: list[str] = field(default_factory=list)
    abstention_groups: list[str] = field(default_factory=list)
    not_voting_groups: list[str] = field(default_factory=list)
    absent_groups: list[str] = field(default_factory=list)
    result: str = ""  # "adopté" | "rejeté" | ""
    unanimous: bool = False
    present: int | None = None  # members present at the time of the vote
    proxies: int | None = None  # proxies held at the time of the vote
    in_office: int | None = None  # members in office
    item: str | None = None
    deliberation: str | None = None
    page: int | None = None
    text: str = ""  # the block as written


@dataclass
class ReportTable:
    """A table of a deliberation (its annexed report or an article), kept as a table."""

    title: str = ""  # its caption, or the line above it
    header: list[list[str]] = field(default_factory=list)  # header rows (a cell spanning columns: "")
    rows: list[list[str]] = field(default_factory=list)  # body rows
    page: int | None = None
    part: str = ""  # where it stands: "rapport", "article 2"
    at: int = 0  # in the report: how many of its paragraphs stand before the table
    joined: bool = False  # in the report: it followed the prose of paragraph `at - 1` without a break


@dataclass
class Deliberation:
    """An adopted act: number, visas, articles, vote, and its annexed report."""

    number: str  # "2025-361"
    title: str
    item: str | None = None
    visas: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    vote: Vote | None = None
    signed_place: str = ""
    signed_date: str = ""  # ISO date
    receipt_id: str = ""  # "062-226200012-20250922-lmc1526535-DE-1-1"
    published: str = ""  # ISO date of electronic publication
    report_title: str = ""
    report: str = ""  # annexed report text
    page: int | None = None
    report_page: int | None = None
    speeches: list[str] = field(default_factory=list)  # ids of the speeches of its debate
    numbered: bool = True  # False: the document gives no number, `number` is made from the session and item
    tables: list[ReportTable] = field(default_factory=list)  # moved out of `report` and `articles`


@dataclass
class Wish:
    """A vœu filed by a political group."""

    id: str
    title: str
    group: str = ""
    signatories: list[str] = field(default_factory=list)
    text: str = ""
    page: int | None = None
    outcome: str = ""  # what became of it, when the debate says


@dataclass
class Proxy:
    """A voting proxy: "M. X, absent, délégation de vote donnée à M. Y"."""

    giver: str
    holder: str
    giver_id: str | None = None
    holder_id: str | None = None


@dataclass
class Movement:
    """A late arrival or early departure stated in the text."""

    person: str
    kind: str  # "arrivée" | "départ" | "retour"
    text: str
    person_id: str | None = None
    item: str | None = None


@dataclass
class Passage:
    """A page-level chunk of a document whose layout was not recognised."""

    id: str
    page: int
    text: str


@dataclass
class Coverage:
    """What the text signals against what was read: a low reading is said, never silent."""

    decision_formulas: int = 0  # "après en avoir délibéré", "à l'unanimité", "Motion Carried 6-1" … in the text
    votes_read: int = 0  # votes and outcomes in the record
    numbered_headings: int = 0  # lines shaped like a numbered heading
    items: int = 0  # numbered agenda items read
    decided_items: int = 0  # items with a vote or an outcome
    attributed: float = 0.0  # share of the text attributed to a speaker or an item
    dates_seen: list[str] = field(default_factory=list)  # dates written in the opening
    pages_with_gaps: list[int] = field(default_factory=list)  # pages with more formulas than votes read
    partial: bool = False  # « lecture partielle »


@dataclass
class Session:
    id: str  # "pas-de-calais-2025-09-22"
    body: str  # "Conseil départemental du Pas-de-Calais"
    date: str  # ISO date
    kind: str = "séance plénière"
    start: str | None = None  # "10:03"
    suspension: str | None = None
    resumption: str | None = None
    end: str | None = None
    president: str = ""
    secretary: str = ""
    in_office: int | None = None
    present: list[str] = field(default_factory=list)
    excused: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    proxies: list[Proxy] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    source: str = ""  # file name
    sha256: str = ""
    pages: int = 0
    #: pages whose text was read by optical character recognition (scanned pages)
    ocr_pages: list[int] = field(default_factory=list)


@dataclass
class Record:
    """Everything parsed from one source document."""

    session: Session
    agenda: list[AgendaItem] = field(default_factory=list)
    speeches: list[Speech] = field(default_factory=list)
    stage_directions: list[StageDirection] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    deliberations: list[Deliberation] = field(default_factory=list)
    wishes: list[Wish] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    layout: str = ""  # which parser recognised the document
    coverage: Coverage | None = None  # None in records written before coverage was measured
    schema: int = SCHEMA_VERSION

    # -- look-ups -----------------------------------------------------------
    def person(self, person_id: str | None) -> Person | None:
        return next((p for p in self.persons if p.id == person_id), None)

    def item(self, item_id: str | None) -> AgendaItem | None:
        return next((a for a in self.agenda if a.id == item_id), None)

    def deliberation(self, number: str) -> Deliberation | None:
        return next((d for d in self.deliberations if d.number == number), None)

    # -- serialisation ------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return _dump(self)

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Record":
        return _load(cls, data)

    @classmethod
    def from_json(cls, text: str) -> "Record":
        return cls.from_dict(json.loads(text))


# JSON uses "for" where Python cannot.
_RENAMES = {"for_": "for"}


_PLAIN = (str, int, float, bool, type(None))


def _dump(obj: Any) -> Any:
    if isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, list):
        return [x if isinstance(x, _PLAIN) else _dump(x) for x in obj]
    keys = _keys_of(type(obj))
    if keys is not None:
        return {key: _dump(getattr(obj, name)) for name, key in keys}
    if isinstance(obj, dict):
        return {k: _dump(v) for k, v in obj.items()}
    return obj


@functools.lru_cache(maxsize=None)
def _keys_of(cls: type) -> tuple[tuple[str, str], ...] | None:
    """(attribute, JSON key) of each field of a dataclass, once per class (`fields()` per instance
    was most of the time of dumping a record); None for any other type."""
    if not is_dataclass(cls):
        return None
    return tuple((name, key) for name, key, _ in _fields_of(cls))


@functools.lru_cache(maxsize=None)
def _fields_of(cls: type) -> tuple[tuple[str, str, Any], ...]:
    """(attribute, JSON key, loader) of each field of a dataclass, resolved once per class
    (get_type_hints is slow: called per instance it was most of the time of loading records)."""
    hints = get_type_hints(cls)
    return tuple((f.name, _RENAMES.get(f.name, f.name), _loader(hints[f.name])) for f in fields(cls))


def _load(cls: type, data: Any) -> Any:
    if data is None:
        return None
    kwargs = {}
    for name, key, load in _fields_of(cls):
        if key in data:
            value = data[key]
            kwargs[name] = None if value is None else load(value)
    return cls(**kwargs)


def _same(value: Any) -> Any:
    return value


@functools.lru_cache(maxsize=None)
def _loader(hint: Any) -> Any:
    """A function turning a JSON value (never None) into a value of type `hint`."""
    origin = get_origin(hint)
    if origin is list:
        (inner,) = get_args(hint)
        item = _loader(inner)
        if item is _same:
            return list
        return lambda value: [None if v is None else item(v) for v in value]
    args = [a for a in get_args(hint) if a is not type(None)]
    if args and origin is not dict:  # Optional[X] / X | None
        return _loader(args[0])
    if is_dataclass(hint):
        return functools.partial(_load, hint)
    return _same


def _load_value(hint: Any, value: Any) -> Any:
    return None if value is None else _loader(hint)(value)
