"""indexer.timeline: the session laid on its clock, and the debates of many sessions."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.model import AgendaItem, Deliberation, Record, Session, Speech, StageDirection, Vote
from indexer.timeline import debates_timeline, format_clock, parse_clock, session_timeline, vote_badge


def speech(order: int, item: str, who: str, words: int) -> Speech:
    return Speech(id=f"x/s{order:03d}", order=order, label=f"M. {who.upper()}.-", speaker=who,
                  person_id=who.lower(), item=item, text="mot " * words, words=words)


def record(start="10:00", suspension="12:00", resumption="14:00", end="15:00", with_break=True) -> Record:
    agenda = [AgendaItem(id="a", order=1, title="Ouverture", kind="segment"),
              AgendaItem(id="rapport-1", order=2, title="Budget", number=1, deliberation="2025-1"),
              AgendaItem(id="rapport-2", order=3, title="Routes", number=2)]
    speeches = [speech(1, "a", "Chair", 100), speech(2, "rapport-1", "Alice", 300), speech(3, "rapport-1", "Bob", 100),
                speech(6, "rapport-2", "Chair", 200)]
    directions = []
    if with_break:
        directions = [StageDirection(id="x/d004", order=4, text="La séance est suspendue à 12 heures.", item="rapport-1"),
                      StageDirection(id="x/d005", order=5, text="(La séance reprend à 14 heures.)", item="rapport-2")]
    votes = [Vote(for_=50, against=2, abstention=3, result="adopté", item="rapport-2")]
    delib = Deliberation(number="2025-1", title="Budget", item="rapport-1",
                         vote=Vote(for_=55, against=0, abstention=0, result="adopté", unanimous=True))
    session = Session(id="x", body="Conseil", date="2025-01-02", start=start, suspension=suspension,
                      resumption=resumption, end=end)
    return Record(session=session, agenda=agenda, speeches=speeches, stage_directions=directions, votes=votes,
                  deliberations=[delib])


def test_clock_round_trip() -> None:
    assert parse_clock("10:03") == 603 and parse_clock("9h05") == 545
    assert parse_clock("25:00") is None and parse_clock("") is None and parse_clock(None) is None
    assert format_clock(603) == "10:03" and format_clock(602.6) == "10:03"


def test_items_fill_the_time_between_known_times_in_proportion_to_words() -> None:
    t = session_timeline(record())
    assert t.timed and t.duration == 300
    assert [k.label for k in t.known_times] == ["ouverture", "suspension", "reprise", "levée"]
    assert [(b.start, b.end) for b in t.breaks] == [(120, 240)]
    a, budget, routes = t.items
    # before the break: 100 + 300 + 100 words + one stage direction share 120 minutes
    assert a.spans[0].start == 0 and a.start == "10:00"
    assert a.spans[0].end < budget.spans[0].end <= 120
    assert budget.spans[0].end - budget.spans[0].start > 3 * (a.spans[0].end - a.spans[0].start)
    assert routes.spans[0].start >= 240 and routes.end == "15:00"
    assert budget.end is not None and budget.end <= "12:00"


def test_speaker_shares_and_votes() -> None:
    t = session_timeline(record())
    budget = t.items[1]
    assert [(s.name, s.share) for s in budget.speakers] == [("Alice", 0.75), ("Bob", 0.25)]
    assert budget.vote is not None and budget.vote.label == "adopté à l'unanimité"  # the deliberation's vote
    assert t.items[2].vote is not None and t.items[2].vote.label == "adopté — 50 pour, 2 contre, 3 abstentions"
    assert t.items[0].vote is None


def test_item_straddling_the_suspension_gets_two_spans() -> None:
    r = record()
    r.stage_directions[0].order = 3  # suspension in the middle of the budget debate
    r.speeches[2].order = 10  # Bob speaks after lunch, still on the budget
    r.speeches[2].item = "rapport-1"
    r.speeches[3].order = 11
    t = session_timeline(r)
    budget = t.items[1]
    assert len(budget.spans) == 2
    assert budget.spans[0].end <= 120 <= 240 <= budget.spans[1].start


def test_without_times_the_axis_is_estimated_from_words() -> None:
    t = session_timeline(record(start=None, end=None, with_break=False))
    assert not t.timed and t.known_times == [] and t.breaks == []
    assert t.items[0].start is None
    assert t.duration > 0 and t.items[-1].spans[-1].end == round(t.duration, 2)


def test_break_without_stage_direction_is_ignored_gracefully() -> None:
    t = session_timeline(record(with_break=False))
    assert t.breaks == [] and t.items[-1].end == "15:00"


def test_vote_badge_labels() -> None:
    assert vote_badge(None) is None
    assert vote_badge(Vote(result="rejeté", for_=10, against=40)).label == "rejeté — 10 pour, 40 contre"
    assert vote_badge(Vote(result="adopté", unanimous=True)).label == "adopté à l'unanimité"


@dataclass
class FakeHit:
    id: str
    session: str
    item: str
    speaker: str
    person_id: str
    kind: str = "intervention"
    url: str = ""


def test_debates_timeline_groups_sessions_by_year_and_topic() -> None:
    r1, r2, r3 = record(), record(), record()
    r1.session.id, r1.session.date = "s1", "2019-03-01"
    r2.session.id, r2.session.date = "s2", "2019-06-01"
    r3.session.id, r3.session.date = "s3", "2021-01-15"
    plain = debates_timeline([r3, r1, r2])
    assert [y.year for y in plain.years] == ["2021", "2019"]
    assert [s.id for s in plain.years[1].sessions] == ["s1", "s2"]
    assert plain.sessions == 3 and plain.first == "2019-03-01" and plain.last == "2021-01-15"
    hits = [FakeHit("s1/s002", "s1", "rapport-1", "Alice", "alice"), FakeHit("s1/s003", "s1", "Budget", "Bob", "bob"),
            FakeHit("s1/s006", "s1", "rapport-2", "Alice", "alice"), FakeHit("s3/s002", "s3", "rapport-1", "Alice", "alice")]
    topic = debates_timeline([r1, r2, r3], hits, query="budget", hit_counts={"s1": 30, "s3": 1})
    assert topic.sessions == 2 and topic.hits == 31
    s1 = topic.years[1].sessions[0]
    assert s1.id == "s1" and s1.hits == 30
    assert [(t.id, t.hits) for t in s1.topic] == [("rapport-1", 2), ("rapport-2", 1)]  # item title mapped to its id
    assert [(sp.name, sp.hits) for sp in s1.topic[0].speakers] == [("Alice", 1), ("Bob", 1)]
    assert all(t.in_agenda for t in s1.topic)
    data = topic.to_dict()
    assert data["years"][0]["sessions"][0]["id"] == "s3"


def test_agendas_only_for_the_years_asked() -> None:
    r1, r2 = record(), record()
    r1.session.id, r1.session.date = "s1", "2019-03-01"
    r2.session.id, r2.session.date = "s2", "2021-01-15"
    only_2019 = debates_timeline([r1, r2], agenda_years={"2019"})
    agendas = {s.id: s.agenda for y in only_2019.years for s in y.sessions}
    assert len(agendas["s1"]) == 3 and agendas["s2"] == []
    assert {s.id: s.items for y in only_2019.years for s in y.sessions} == {"s1": 3, "s2": 3}
    assert all(not s.agenda for y in debates_timeline([r1, r2], agenda_years=set()).years for s in y.sessions)
