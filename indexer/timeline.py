"""Timelines: one session laid on its clock, and the debates of many sessions over time.

Pure functions over `Record`s (and search hits); no web framework here.

`session_timeline(record)` places each agenda item on the session's time axis.  The
minutes give a few real timestamps (opening, suspension, resumption, closing); between
two known times, each item gets a share of the elapsed time proportional to the words
spoken in it.  Every item also says who spoke (share of its words) and how it was voted.

`debates_timeline(records, hits)` lays sessions on a calendar, grouped by year; with
search hits it tells, session by session, where a topic was debated and by whom.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from .model import Record, Vote

#: words counted for a stage direction ("Applaudissements.") so that a vote or a video
#: takes a little time on the axis even when nobody speaks
DIRECTION_WORDS = 15
#: words spoken per minute when a session has no usable timestamps
WORDS_PER_MINUTE = 130

_SUSPENDED = re.compile(r"\bsuspendu|\bsuspension\b", re.IGNORECASE)
_RESUMED = re.compile(r"\brepren|\breprise\b", re.IGNORECASE)


# -- session timeline ---------------------------------------------------------------


@dataclass
class SpeakerShare:
    person_id: str | None
    name: str
    words: int
    share: float  # of the item's spoken words, 0..1
    speeches: int


@dataclass
class VoteBadge:
    result: str  # "adopté" | "rejeté" | ""
    label: str  # "adopté à l'unanimité", "adopté — 54 pour, 24 abstentions"
    for_: int | None = None
    against: int | None = None
    abstention: int | None = None
    unanimous: bool = False
    deliberation: str | None = None


@dataclass
class Span:
    start: float  # minutes from the session start
    end: float


@dataclass
class TimelineItem:
    id: str
    order: int
    title: str
    number: int | None
    kind: str
    words: int
    speeches: int
    spans: list[Span]  # more than one when the item straddles the suspension
    start: str | None  # "HH:MM" (estimated unless it is a known time)
    end: str | None
    speakers: list[SpeakerShare]
    vote: VoteBadge | None
    deliberation: str | None
    first_speech: str | None  # id of the first speech, for links


@dataclass
class KnownTime:
    label: str  # "ouverture", "suspension", "reprise", "levée"
    time: str  # "HH:MM"
    minute: float  # from the session start


@dataclass
class SessionTimeline:
    session_id: str
    timed: bool  # real timestamps were found; otherwise the axis is estimated from words
    start: str | None
    end: str | None
    duration: float  # minutes on the axis
    known_times: list[KnownTime]
    breaks: list[Span]
    items: list[TimelineItem]
    words: int

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


def parse_clock(value: str | None) -> int | None:
    """"10:03" → 603 minutes after midnight; None for anything else."""
    if not value:
        return None
    m = re.fullmatch(r"\s*(\d{1,2})\s*[:h]\s*(\d{2})\s*", value)
    if not m:
        return None
    hours, minutes = int(m.group(1)), int(m.group(2))
    if hours > 23 or minutes > 59:
        return None
    return hours * 60 + minutes


def format_clock(minutes: float) -> str:
    """603 → "10:03" (rounded to the minute)."""
    total = int(round(minutes)) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def vote_badge(vote: Vote | None) -> VoteBadge | None:
    """A short French label for a vote: "adopté à l'unanimité", "adopté — 54 pour, 24 abstentions"."""
    if vote is None:
        return None
    result = vote.result or ""
    parts = []
    if vote.for_ is not None:
        parts.append(f"{vote.for_} pour")
    if vote.against:
        parts.append(f"{vote.against} contre")
    if vote.abstention:
        parts.append(f"{vote.abstention} abstention" + ("s" if vote.abstention > 1 else ""))
    head = result or "vote"
    unanimous = bool(vote.unanimous or (vote.for_ and not vote.against and not vote.abstention))
    if unanimous and result:
        label = f"{head} à l'unanimité"
    elif parts:
        label = f"{head} — " + ", ".join(parts)
    else:
        label = head
    return VoteBadge(result=result, label=label, for_=vote.for_, against=vote.against,
                     abstention=vote.abstention, unanimous=unanimous, deliberation=vote.deliberation)


def item_vote(record: Record, item_id: str) -> Vote | None:
    """The vote of an agenda item: its deliberation's vote, else the last vote block of the item."""
    item = record.item(item_id)
    if item is not None and item.deliberation:
        delib = record.deliberation(item.deliberation)
        if delib is not None and delib.vote is not None:
            return delib.vote
    votes = [v for v in record.votes if v.item == item_id]
    return votes[-1] if votes else None


@dataclass
class _Unit:
    order: int
    item: str | None
    words: int
    speech: Any = None  # Speech | None
    suspends: bool = False
    resumes: bool = False


def _units(record: Record) -> list[_Unit]:
    """Speeches and stage directions in debate order; items carried forward when missing."""
    units = [_Unit(sp.order, sp.item, max(sp.words, 1), speech=sp) for sp in record.speeches]
    for sd in record.stage_directions:
        units.append(_Unit(sd.order, sd.item, DIRECTION_WORDS,
                           suspends=bool(_SUSPENDED.search(sd.text)) and not _RESUMED.search(sd.text),
                           resumes=bool(_RESUMED.search(sd.text))))
    units.sort(key=lambda u: u.order)
    current = record.agenda[0].id if record.agenda else None
    for u in units:
        if u.item is None:
            u.item = current
        current = u.item
    return units


def _split_at_break(units: list[_Unit]) -> tuple[list[_Unit], list[_Unit]] | None:
    """Units before the suspension and after the resumption, when the text marks them."""
    cut = next((i for i, u in enumerate(units) if u.suspends), None)
    if cut is None:
        return None
    resume = next((i for i in range(cut + 1, len(units)) if units[i].resumes), cut)
    return units[:cut + 1], units[resume:]


def _lay_out(units: Sequence[_Unit], start: float, end: float) -> list[tuple[_Unit, float, float]]:
    """Give each unit a slice of [start, end] proportional to its words."""
    total = sum(u.words for u in units) or 1
    per_word = max(end - start, 0.0) / total
    out = []
    clock = start
    for u in units:
        span = u.words * per_word
        out.append((u, clock, clock + span))
        clock += span
    return out


def session_timeline(record: Record) -> SessionTimeline:
    """Place every agenda item of a session on its time axis (minutes from the opening)."""
    s = record.session
    units = _units(record)
    words = sum(u.words for u in units)
    t_start, t_end = parse_clock(s.start), parse_clock(s.end)
    t_susp, t_resume = parse_clock(s.suspension), parse_clock(s.resumption)
    timed = t_start is not None and t_end is not None and t_end > t_start
    known: list[KnownTime] = []
    breaks: list[Span] = []
    placed: list[tuple[_Unit, float, float]]

    if timed:
        assert t_start is not None and t_end is not None
        known.append(KnownTime("ouverture", format_clock(t_start), 0.0))
        halves = _split_at_break(units)
        has_break = (halves is not None and t_susp is not None and t_resume is not None
                     and t_start <= t_susp <= t_resume <= t_end)
        if has_break:
            assert halves is not None and t_susp is not None and t_resume is not None
            before, after = halves
            placed = _lay_out(before, 0.0, t_susp - t_start) + _lay_out(after, t_resume - t_start, t_end - t_start)
            known.append(KnownTime("suspension", format_clock(t_susp), float(t_susp - t_start)))
            known.append(KnownTime("reprise", format_clock(t_resume), float(t_resume - t_start)))
            breaks.append(Span(float(t_susp - t_start), float(t_resume - t_start)))
        else:
            placed = _lay_out(units, 0.0, float(t_end - t_start))
        known.append(KnownTime("levée", format_clock(t_end), float(t_end - t_start)))
        duration = float(t_end - t_start)
    else:
        duration = max(words / WORDS_PER_MINUTE, 1.0)
        placed = _lay_out(units, 0.0, duration)

    by_item: dict[str | None, list[tuple[_Unit, float, float]]] = defaultdict(list)
    for entry in placed:
        by_item[entry[0].item].append(entry)

    items = []
    for agenda_item in sorted(record.agenda, key=lambda a: a.order):
        entries = by_item.get(agenda_item.id, [])
        spans = _spans(entries, breaks)
        speeches = [u.speech for u, _, _ in entries if u.speech is not None]
        item_words = sum(sp.words for sp in speeches)
        start = spans[0].start if spans else None
        end = spans[-1].end if spans else None
        items.append(TimelineItem(
            id=agenda_item.id, order=agenda_item.order, title=agenda_item.title, number=agenda_item.number,
            kind=agenda_item.kind, words=item_words, speeches=len(speeches), spans=spans,
            start=format_clock(t_start + start) if timed and start is not None and t_start is not None else None,
            end=format_clock(t_start + end) if timed and end is not None and t_start is not None else None,
            speakers=speaker_shares(speeches), vote=vote_badge(item_vote(record, agenda_item.id)),
            deliberation=agenda_item.deliberation,
            first_speech=speeches[0].id if speeches else None,
        ))
    return SessionTimeline(session_id=s.id, timed=timed, start=s.start if timed else None,
                           end=s.end if timed else None, duration=duration, known_times=known,
                           breaks=breaks, items=items, words=words)


def _spans(entries: Sequence[tuple[_Unit, float, float]], breaks: Sequence[Span]) -> list[Span]:
    """Contiguous spans of an item, cut where the session was suspended."""
    spans: list[Span] = []
    for _, a, b in entries:
        if spans and not any(spans[-1].end <= br.start < a + 1e-9 for br in breaks):
            spans[-1].end = max(spans[-1].end, b)
        else:
            spans.append(Span(a, b))
    return [Span(round(sp.start, 2), round(sp.end, 2)) for sp in spans]


def speaker_shares(speeches: Iterable[Any]) -> list[SpeakerShare]:
    """Who spoke in a set of speeches, by words, largest first."""
    words: Counter[tuple[str | None, str]] = Counter()
    turns: Counter[tuple[str | None, str]] = Counter()
    for sp in speeches:
        key = (sp.person_id, sp.speaker)
        words[key] += max(sp.words, 0)
        turns[key] += 1
    total = sum(words.values()) or 1
    return [SpeakerShare(person_id=pid, name=name, words=n, share=round(n / total, 4), speeches=turns[(pid, name)])
            for (pid, name), n in sorted(words.items(), key=lambda kv: (-kv[1], kv[0][1]))]


# -- timeline of debates across sessions ---------------------------------------------


class HitLike(Protocol):
    id: str
    session: str
    item: str
    speaker: str
    person_id: str | None
    kind: str


@dataclass
class TopicSpeaker:
    person_id: str | None
    name: str
    hits: int


@dataclass
class TopicItem:
    id: str | None
    title: str
    number: int | None
    hits: int
    in_agenda: bool  # False for hits outside the agenda (vœux, annexes)
    speakers: list[TopicSpeaker]
    links: list[dict[str, str]]  # the hits: [{id, url, speaker, kind}], in the order given


@dataclass
class SessionEntry:
    id: str
    date: str
    body: str
    year: str
    items: int
    numbered_items: int
    speeches: int
    hits: int  # 0 without a query
    agenda: list[dict[str, Any]]  # [{id, number, title}]
    topic: list[TopicItem]  # where the query was debated in this session


@dataclass
class YearGroup:
    year: str
    sessions: list[SessionEntry]
    hits: int


@dataclass
class DebatesTimeline:
    query: str
    first: str | None  # first session date on the axis
    last: str | None
    sessions: int
    hits: int
    years: list[YearGroup]

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


def debates_timeline(records: Sequence[Record], hits: Sequence[HitLike] | None = None, *,
                     query: str = "", hit_counts: dict[str, int] | None = None,
                     agenda_years: set[str] | None = None) -> DebatesTimeline:
    """Sessions by year, with their agenda; with hits, only where the topic came up.

    `hits` are search hits (any objects with id, session, item, speaker, person_id);
    `hit_counts` (session id → total hits, e.g. the search's session facet) gives the true
    totals when `hits` is only the best part of a long result list.  `agenda_years`
    limits the agenda lists to the sessions of those years (None: every session).
    """
    by_session: dict[str, list[HitLike]] = defaultdict(list)
    for hit in hits or ():
        by_session[hit.session].append(hit)
    entries = []
    for record in sorted(records, key=lambda r: (r.session.date or "", r.session.id)):
        sid = record.session.id
        session_hits = by_session.get(sid, [])
        count = (hit_counts or {}).get(sid, len(session_hits))
        if hits is not None and not count:
            continue
        year = (record.session.date or "")[:4] or "?"
        with_agenda = agenda_years is None or year in agenda_years
        entries.append(SessionEntry(
            id=sid, date=record.session.date, body=record.session.body, year=year,
            items=len(record.agenda), numbered_items=sum(1 for a in record.agenda if a.number is not None),
            speeches=len(record.speeches), hits=count,
            agenda=[{"id": a.id, "number": a.number, "title": a.title} for a in sorted(record.agenda, key=lambda a: a.order)]
            if with_agenda else [],
            topic=topic_items(record, session_hits),
        ))
    years: dict[str, list[SessionEntry]] = defaultdict(list)
    for entry in entries:
        years[entry.year].append(entry)
    groups = [YearGroup(year=y, sessions=ss, hits=sum(e.hits for e in ss)) for y, ss in sorted(years.items(), reverse=True)]
    dates = [e.date for e in entries if e.date]
    return DebatesTimeline(query=query, first=min(dates) if dates else None, last=max(dates) if dates else None,
                           sessions=len(entries), hits=sum(e.hits for e in entries), years=groups)


def topic_items(record: Record, hits: Sequence[HitLike]) -> list[TopicItem]:
    """The agenda items of one session where hits fell, in agenda order, with their speakers."""
    grouped: dict[str | None, list[HitLike]] = defaultdict(list)
    for hit in hits:
        item_id = _hit_item_id(record, hit)
        grouped[item_id].append(hit)
    out = []
    order = {a.id: a.order for a in record.agenda}
    for item_id, item_hits in sorted(grouped.items(), key=lambda kv: order.get(kv[0] or "", 10_000)):
        item = record.item(item_id)
        speakers: Counter[tuple[str | None, str]] = Counter()
        for h in item_hits:
            if h.speaker:
                speakers[(h.person_id, h.speaker)] += 1
        out.append(TopicItem(
            id=item_id, title=item.title if item else (getattr(item_hits[0], "item_title", "") or "Hors ordre du jour"),
            number=item.number if item else None, hits=len(item_hits), in_agenda=item is not None,
            speakers=[TopicSpeaker(pid, name, n) for (pid, name), n in speakers.most_common()],
            links=[{"id": h.id, "url": getattr(h, "url", "") or "", "speaker": h.speaker or "", "kind": h.kind}
                   for h in item_hits],
        ))
    return out


def _hit_item_id(record: Record, hit: HitLike) -> str | None:
    """Hits carry the item id or its title, depending on the index; map both to the id."""
    value = hit.item or None
    if value is None or record.item(value) is not None:
        return value
    for a in record.agenda:
        if a.title == value:
            return a.id
    return value


def _plain(value: Any) -> Any:
    """asdict() output with "for_" written "for", as in the record's JSON."""
    if isinstance(value, dict):
        return {("for" if k == "for_" else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
