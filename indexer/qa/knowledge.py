"""Per-record preprocessing for question answering: units, sentences, stems, postings.

A `RecordKnowledge` is built once per (session id, content hash) and cached by the
caller; `Knowledge` merges several of them with shared inverse document frequencies.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from ..model import Record, Vote, Wish
from ..people import fold, surname_of
from ..sentences import split_sentences
from .text import STOPWORDS, SYNONYMS, stem, tokens

#: Unit kinds, and the weight of their sentences in topic retrieval.
KIND_WEIGHTS = {
    "intervention": 1.0,
    "direction": 0.9,
    "voeu": 0.95,
    "deliberation": 0.9,
    "vote": 0.9,
    "rapport": 0.6,
    "passage": 0.8,
}
#: Annexed reports can be hundreds of pages: only their beginning is read.
MAX_REPORT_CHARS = 200_000


@dataclass(frozen=True)
class Unit:
    """Something a citation can point to."""

    id: str
    kind: str
    session: str
    date: str
    speaker: str = ""
    person_id: str | None = None
    item: str | None = None
    url: str = ""
    page: int | None = None
    order: int = 0
    ref: str = ""  # deliberation number, wish id …


@dataclass(frozen=True)
class Sentence:
    unit: int  # index in RecordKnowledge.units
    text: str
    toks: tuple[str, ...]
    stems: frozenset[str]


@dataclass
class RecordKnowledge:
    record: Record
    units: list[Unit] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    by_unit: dict[int, list[int]] = field(default_factory=dict)  # unit index → sentence indexes
    unit_stems: list[frozenset[str]] = field(default_factory=list)  # every stem of each unit
    item_stems: dict[str, frozenset[str]] = field(default_factory=dict)  # agenda item id → title stems

    @property
    def sid(self) -> str:
        return self.record.session.id


def anchor(unit_id: str) -> str:
    """The web page anchor of a unit: "pas-de-calais-2025-09-22/s012" → "s012"."""
    return unit_id.rsplit("/", 1)[-1]


def wish_url(record: Record, wish: Wish) -> str:
    """The web app's page of a vœu: /voeux/<session id>/<its rank in the session, from 1>."""
    n = next((i for i, w in enumerate(record.wishes, start=1) if w is wish or w.id == wish.id), 1)
    return f"/voeux/{record.session.id}/{n}"


def vote_quote(vote: Vote) -> str:
    """The vote block as written, followed by its result line ("(Adopté)") when there is one."""
    text = " ".join(vote.text.split())
    if vote.result:
        text = f"{text} ({vote.result.capitalize()})"
    return text


def _sentences_of(text: str, limit: int | None = None) -> list[str]:
    if limit is not None and len(text) > limit:
        text = text[:limit]
    return split_sentences(text)


def build_record_knowledge(record: Record) -> RecordKnowledge:
    """Split every unit of the record into sentences and index their stems."""
    rk = RecordKnowledge(record=record)
    s = record.session
    sid, date = s.id, s.date

    def add(unit: Unit, texts: list[str]) -> None:
        ui = len(rk.units)
        rk.units.append(unit)
        for text in texts:
            toks = tuple(tokens(text))
            if not toks:
                continue
            base = {stem(t) for t in toks if t not in STOPWORDS and (len(t) > 1 or t.isdigit())}
            stems = frozenset(base | {SYNONYMS[b] for b in base if b in SYNONYMS})
            si = len(rk.sentences)
            rk.sentences.append(Sentence(ui, text, toks, stems))
            rk.by_unit.setdefault(ui, []).append(si)

    for sp in record.speeches:
        add(Unit(sp.id, "intervention", sid, date, sp.speaker, sp.person_id, sp.item,
                 f"/seances/{sid}#{anchor(sp.id)}", sp.page, sp.order), _sentences_of(sp.text))
    for d in record.stage_directions:
        add(Unit(d.id, "direction", sid, date, "", None, d.item, f"/seances/{sid}#{anchor(d.id)}", d.page, d.order),
            [" ".join(d.text.split())])
    for delib in record.deliberations:
        url = f"/deliberations/{delib.number}"
        base = dict(session=sid, date=date, item=delib.item, url=url, page=delib.page, ref=delib.number)
        add(Unit(f"{sid}/d/{delib.number}", "deliberation", **base),
            [delib.title] + [x for a in delib.articles for x in _sentences_of(a)])
        if delib.vote is not None and delib.vote.text:
            add(Unit(f"{sid}/d/{delib.number}", "vote", **base), [vote_quote(delib.vote)])
        if delib.report:
            add(Unit(f"{sid}/d/{delib.number}", "rapport", **{**base, "page": delib.report_page}),
                _sentences_of(delib.report, MAX_REPORT_CHARS))
    numbers = {d.number for d in record.deliberations}
    for k, v in enumerate(record.votes, start=1):
        if v.deliberation in numbers or not v.text:
            continue  # cited through its deliberation
        add(Unit(f"{sid}/vote/{k:03d}", "vote", sid, date, "", None, v.item, f"/seances/{sid}#point-{v.item}" if v.item else f"/seances/{sid}#deroule",
                 v.page, k, ref=v.item or ""), [vote_quote(v)])
    for w in record.wishes:
        add(Unit(w.id, "voeu", sid, date, w.group, None, None, wish_url(record, w), w.page, ref=w.id),
            [w.title] + _sentences_of(w.text))
    for p in record.passages:
        add(Unit(p.id, "passage", sid, date, "", None, None, f"/seances/{sid}#{anchor(p.id)}", p.page, p.page),
            _sentences_of(p.text))

    rk.unit_stems = [frozenset().union(*(rk.sentences[si].stems for si in rk.by_unit.get(ui, [])))
                     for ui in range(len(rk.units))]
    rk.item_stems = {a.id: frozenset(stem(t) for t in tokens(a.title) if t not in STOPWORDS) for a in record.agenda}
    postings: dict[str, list[int]] = defaultdict(list)
    for si, sent in enumerate(rk.sentences):
        for st in sent.stems:
            postings[st].append(si)
    rk.postings = dict(postings)
    return rk


@dataclass
class Knowledge:
    """Several records' knowledge with shared document frequencies."""

    parts: list[RecordKnowledge]
    df: dict[str, int] = field(default_factory=dict)
    total: int = 0
    ignore: frozenset[str] = frozenset()  # folded words naming the council asked about, not the topic
    years: frozenset[int] = frozenset()  # years the question names: evidence must be of them (qa.scope.in_years)

    @classmethod
    def of(cls, parts: list[RecordKnowledge]) -> "Knowledge":
        df: dict[str, int] = defaultdict(int)
        total = 0
        for rk in parts:
            total += len(rk.sentences)
            for st, post in rk.postings.items():
                df[st] += len(post)
        return cls(parts=parts, df=dict(df), total=max(total, 1))

    def idf(self, st: str) -> float:
        """Smoothed inverse sentence frequency; an unseen stem is as rare as can be."""
        return math.log((self.total + 1) / (self.df.get(st, 0) + 0.5))

    def fits_years(self, rk: RecordKnowledge, *texts: str) -> bool:
        """Evidence fits the years of the question: its session is of one of them, or it states one."""
        if not self.years:
            return True
        if int(rk.record.session.date[:4] or 0) in self.years:
            return True
        return any(str(y) in t for y in self.years for t in texts if t)

    @property
    def records(self) -> list[Record]:
        return [rk.record for rk in self.parts]


def person_keys(name: str) -> list[str]:
    """Folded ways a question may name a person: full name, then surname."""
    keys = [fold(name)]
    sur = fold(surname_of(name))
    if sur and sur not in keys:
        keys.append(sur)
    return keys
