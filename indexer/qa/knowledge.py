"""Per-record preprocessing for question answering: units, sentences, stems, postings.

A `RecordKnowledge` is built once per (session id, content hash) and cached by the
caller; `Knowledge` merges several of them with shared inverse document frequencies.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Record, Vote, Wish
from ..people import fold, surname_of
from .compact import _ByUnit, _Postings, _Sentences, _Stems, _Texts, _u32, _UnitStems
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


class RecordKnowledge:
    """What questions read of one record: its units, sentences, their stems
    and the postings stem → sentences, stored as a few flat arrays over one vocabulary so that a
    session loads from disk in milliseconds (`build` makes it, `qa.store` keeps it on disk)."""

    def __init__(self, record: Record, units: list[Unit], texts: Sequence[str] | tuple[str, array], sent_unit: array, stem_off: array, stem_ids: array, vocab: list[str], post_off: array,
                 post_ids: array, unit_sent_off: array, unit_off: array, unit_ids: array,
                 item_stems: dict[str, frozenset[str]]) -> None:
        self.record, self.units = record, units
        self._texts, self._sent_unit = texts, sent_unit
        self._stem_off, self._stem_ids, self._vocab = stem_off, stem_ids, vocab
        self._post_off, self._post_ids = post_off, post_ids
        self._unit_sent_off, self._unit_off, self._unit_ids = unit_sent_off, unit_off, unit_ids
        self.item_stems = item_stems
        self._views()

    _FIELDS = ("record", "units", "_texts", "_sent_unit", "_stem_off", "_stem_ids", "_vocab",
               "_post_off", "_post_ids", "_unit_sent_off", "_unit_off", "_unit_ids", "item_stems")

    def _views(self) -> None:
        # one string for the sentences; the vocabulary a tuple of strings, that the cyclic collector
        # stops tracking after one pass (lists of 13,000 strings are walked by every full collection,
        # for each session kept)
        texts = self._texts
        if isinstance(texts, _Texts):
            pass
        elif isinstance(texts, tuple) and len(texts) == 2 and isinstance(texts[0], str) and isinstance(texts[1], array):
            texts = _Texts(*texts)  # as pickled
        else:
            texts = _Texts.of(texts)  # a list of sentences (`build`, or a cache written before the joined form)
        self._texts, self._vocab = texts, tuple(self._vocab)
        self.sentences = _Sentences(self._texts, self._sent_unit, _Stems(self._stem_off, self._stem_ids, self._vocab))
        self.by_unit = _ByUnit(self._unit_sent_off)
        self.unit_stems = _UnitStems(_Stems(self._unit_off, self._unit_ids, self._vocab))
        self._postings: _Postings | None = None

    @property
    def texts(self) -> _Texts:
        """The text of every sentence, by sentence index (a scan of texts makes no Sentence objects)."""
        return self._texts

    @property
    def postings(self) -> _Postings:
        if self._postings is None:
            self._postings = _Postings(self._vocab, self._post_off, self._post_ids)
        return self._postings

    def __getstate__(self) -> tuple:
        state = [getattr(self, f) for f in self._FIELDS]
        state[self._FIELDS.index("_texts")] = (self._texts.blob, self._texts.off)
        return tuple(state)

    def __setstate__(self, state: tuple) -> None:
        for f, v in zip(self._FIELDS, state):
            setattr(self, f, v)
        self._views()

    @property
    def sid(self) -> str:
        return self.record.session.id

    @property
    def name_tokens(self) -> frozenset[str]:
        """The folded words of the session's persons' names and of its body (made once)."""
        got = getattr(self, "_name_tokens", None)
        if got is None:
            got = frozenset(t for p in self.record.persons for t in fold(p.name).split())
            got = self._name_tokens = got | frozenset(fold(self.record.session.body).split())
        return got


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
    from ..sentences import split_sentences  # at index time only: a question never splits

    return split_sentences(text)


def table_rows(table) -> list[str]:  # noqa: ANN001 - a model.ReportTable
    """One sentence per body row of a table, each cell named by its column (no « | »)."""
    from ..parse.report_tables import as_table
    from ..sources.tables import row_texts

    return row_texts(as_table(table))


def build(record: Record) -> RecordKnowledge:
    """What questions need of one record, computed once at index time: every unit split into
    sentences, their folded text and stems, and the postings stem → sentences.  Pure (reads only
    the record) and picklable, so that parse workers may build it beside the record."""
    s = record.session
    sid, date = s.id, s.date
    units: list[Unit] = []
    texts: list[str] = []
    sent_unit, stem_off, stem_ids = _u32(), _u32([0]), _u32()
    unit_sent_off = _u32([0])
    vocab: dict[str, int] = {}
    unit_sets: list[set[int]] = []

    def add(unit: Unit, parts: list[str]) -> None:
        ui = len(units)
        units.append(unit)
        seen: set[int] = set()
        for text in parts:
            f = fold(text)
            if not f:
                continue
            base = {stem(t) for t in f.split() if t not in STOPWORDS and (len(t) > 1 or t.isdigit())}
            ids = sorted({vocab.setdefault(st, len(vocab)) for st in base | {SYNONYMS[b] for b in base if b in SYNONYMS}})
            texts.append(text)
            sent_unit.append(ui)
            stem_ids.extend(ids)
            stem_off.append(len(stem_ids))
            seen.update(ids)
        unit_sent_off.append(len(texts))
        unit_sets.append(seen)

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
        budget = MAX_REPORT_CHARS - len(delib.report)
        for n, table in enumerate(delib.tables, start=1):  # a table is read row by row: one sentence a row
            if budget <= 0:
                break
            rows = table_rows(table)
            budget -= sum(len(r) for r in rows)
            add(Unit(f"{sid}/d/{delib.number}", "rapport", **{**base, "url": f"{url}/tableau-{n}",
                                                                "page": table.page or delib.report_page}), rows)
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

    unit_off, unit_ids = _u32([0]), _u32()
    for ids in unit_sets:
        unit_ids.extend(sorted(ids))
        unit_off.append(len(unit_ids))
    postings: list[list[int]] = [[] for _ in vocab]
    for si in range(len(texts)):
        for i in stem_ids[stem_off[si]:stem_off[si + 1]]:
            postings[i].append(si)
    post_off, post_ids = _u32([0]), _u32()
    for post in postings:
        post_ids.extend(post)
        post_off.append(len(post_ids))
    item_stems = {a.id: frozenset(stem(t) for t in tokens(a.title) if t not in STOPWORDS) for a in record.agenda}
    return RecordKnowledge(record, units, texts, sent_unit, stem_off, stem_ids, list(vocab), post_off,
                           post_ids, unit_sent_off, unit_off, unit_ids, item_stems)


#: the name this builder had before (kept for callers outside the package)
build_record_knowledge = build


class _DocFreq:
    """Sentence frequency of a stem over several records, summed on first request."""

    def __init__(self, parts: list[RecordKnowledge]) -> None:
        self._parts = parts
        self._memo: dict[str, int] = {}

    def get(self, st: str, default: int = 0) -> int:
        got = self._memo.get(st)
        if got is None:
            got = self._memo[st] = sum(rk.postings.count(st) for rk in self._parts)
        return got if got else default

    def __getitem__(self, st: str) -> int:
        got = self.get(st)
        if not got:
            raise KeyError(st)
        return got

    def __contains__(self, st: object) -> bool:
        return bool(self.get(st))  # type: ignore[arg-type]


@dataclass
class Knowledge:
    """Several records' knowledge with shared document frequencies."""

    parts: list[RecordKnowledge]
    df: _DocFreq | dict[str, int] = field(default_factory=dict)
    total: int = 0
    ignore: frozenset[str] = frozenset()  # folded words naming the council asked about, not the topic
    years: frozenset[int] = frozenset()  # years the question names: evidence must be of them (qa.scope.in_years)

    @classmethod
    def of(cls, parts: list[RecordKnowledge]) -> "Knowledge":
        total = sum(len(rk.sentences) for rk in parts)
        return cls(parts=parts, df=_DocFreq(parts), total=max(total, 1))

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
