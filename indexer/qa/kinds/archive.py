"""Questions across sessions: how many sessions in a year, which sessions decided X for each year
named, how an amount changed between years, how many times a councillor spoke about X.

Each reads the sessions the question's scope selected (council, years) and answers with one
citation per session it counts, so that every figure can be checked in its own minutes.
"""

from __future__ import annotations

import re

from ...people import fold, surname_of
from ..common import Cite, Draft, coverage, french_date, named_persons, person_name, rarest_covered, session_label, \
    topic_stems
from ..kind import Kind
from ..knowledge import Knowledge, RecordKnowledge
from ..retrieval import Scored, topic_sentences
from ..text import stem, tokens

_AMOUNT = re.compile(r"\d[\d\s\u202f\u00a0.,]*\s*(?:€|euros?\b|k€|M€)|\d+[.,]\d+")
_DECIDING = re.compile(r"\b(?:decide|approuve|adopte|adoption|vote|autorise|accepte|fixe|accorde|attribue|propose)")


def _year_of(rk: RecordKnowledge) -> int:
    return int(rk.record.session.date[:4] or 0)


def _first_sentence(rk: RecordKnowledge) -> Cite | None:
    sent = next((s for s in rk.sentences if len(s.toks) >= 3), None)
    return Cite(rk, rk.units[sent.unit], sent.text) if sent is not None else None


def ask_session_count(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """« Combien de séances en 2025 ? »: the sessions of the council and years asked about."""
    if not kn.years:
        return None
    sessions = sorted((rk for rk in kn.parts if _year_of(rk) in kn.years), key=lambda rk: rk.record.session.date)
    if not sessions:
        return None
    body = sessions[0].record.session.body
    if len({rk.record.session.body for rk in sessions}) > 1:
        return None  # several councils: the question must name one
    cites = [c for rk in sessions[:3] if (c := _first_sentence(rk)) is not None]
    days = ", ".join(french_date(rk.record.session.date) for rk in sessions)
    years = " et ".join(str(y) for y in sorted(kn.years))
    n = len(sessions)
    return Draft(True, f"{n} séance{'s' if n > 1 else ''} ({body}, {years}) dans les procès-verbaux indexés : {days}.",
                 "nombre", 0.85, cites)


def _best_for_year(kn: Knowledge, topic: list[str], year: int, *, amount: bool) -> Scored | None:
    """The sentence about the topic that belongs to `year`: stated in it, or said in a session of that year."""
    y = str(year)
    best = None
    for h in topic_sentences(kn, topic, min_cov=0.5, limit=200):
        text = h.sentence.text
        item = h.rk.record.item(h.unit.item)
        states = y in text or (item is not None and y in item.title)
        if not states and _year_of(h.rk) != year:
            continue
        if amount and not _AMOUNT.search(text):
            continue
        near = _qualifies(topic, text, y) or (item is not None and _qualifies(topic, item.title, y))
        score = h.score + (0.3 if near else 0.1 if states else 0.0) + (0.1 if _DECIDING.search(fold(text)) else 0.0)
        if best is None or score > best.score:
            best = Scored(score, h.rk, h.si)
    if best is None and amount:
        best = _amount_in_passage(kn, topic, year)
    return best


def _qualifies(topic: list[str], text: str, year: str) -> bool:
    """The year follows a topic word closely: « budget primitif 2017 », « tarifs pour 2017 »."""
    toks = tokens(text)
    for i, t in enumerate(toks):
        if t == year and any(stem(x) in topic for x in toks[max(0, i - 4):i]):
            return True
    return False


def _amount_in_passage(kn: Knowledge, topic: list[str], year: int) -> Scored | None:
    """« Le tarif retenu est de 1.13 € pour 2017 » names no topic word: the passage (and its item) does."""
    y = str(year)
    best = None
    for rk in kn.parts:
        for ui, unit in enumerate(rk.units):
            item = rk.item_stems.get(unit.item or "", frozenset())
            stems = rk.unit_stems[ui] | item
            if unit.kind == "passage" and ui > 0 and rk.units[ui - 1].kind == "passage":
                stems = stems | rk.unit_stems[ui - 1]  # a page goes on with the topic of the page before
            cov = coverage(kn, topic, stems)
            if cov < 0.6 or not rarest_covered(kn, topic, stems):
                continue
            for si in rk.by_unit.get(ui, []):
                text = rk.sentences[si].text
                if not _AMOUNT.search(text) or (y not in text and _year_of(rk) != year):
                    continue
                score = cov + (0.2 if y in text else 0.0)
                if best is None or score > best.score:
                    best = Scored(score, rk, si)
    return best


def ask_by_year(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """« Lors de quelles séances a-t-on adopté le budget primitif pour 2016, 2017 et 2018 ? » and
    « Comment X a-t-il évolué entre 2017 et 2020 ? »: one sentence per year named."""
    years = sorted(kn.years)
    if len(years) < 2:
        return None
    evolution = bool(re.search(r"evolu|change|augment|baiss|entre \d{4} et \d{4}", q))
    drop = {"evolue", "evolution", "change", "entre", "seances", "commune", "decision", "vente"}
    topic = topic_stems(q, drop, kn=kn)
    if not topic:
        return None
    parts, cites = [], []
    for year in years:
        h = _best_for_year(kn, topic, year, amount=evolution)
        if h is None:
            return None  # a year without evidence: no partial answer passed off as the whole
        text = h.sentence.text
        if evolution:
            parts.append(f"{year} : « {text} » ({session_label(h.rk.record)})")
        else:
            parts.append(f"{year} : {session_label(h.rk.record)}")
        cites.append(Cite(h.rk, h.unit, text))
    answer = " ; ".join(parts) + "."
    return Draft(True, answer[0].upper() + answer[1:], "evolution" if evolution else "seances", 0.75, cites[:3])


def ask_times_spoken(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """« Combien de fois M. X s'est-il exprimé sur Y, et lors de quelles séances ? »: the sessions where
    X's speeches (or reported words) cover the topic."""
    named = named_persons(kn, q)
    if not named:
        return None
    person = named[0][1]
    sur = " ".join(tokens(surname_of(person.name)))
    topic = topic_stems(q, set(tokens(person.name)) | {"fois", "exprime", "seances", "intervenu", "prononce"}, kn=kn)
    if not topic:
        return None
    by_session: dict[str, Scored] = {}
    for h in topic_sentences(kn, topic, min_cov=0.5, limit=300):
        speaker = h.rk.record.person(h.unit.person_id)
        own = speaker is not None and fold(surname_of(speaker.name)) == sur
        if not own and f" {sur} " not in f" {' '.join(h.sentence.toks)} ":
            continue
        if h.rk.sid not in by_session or h.score > by_session[h.rk.sid].score:
            by_session[h.rk.sid] = h
    if not by_session:
        return None
    hits = sorted(by_session.values(), key=lambda h: h.rk.record.session.date)
    name = person_name(hits[-1].rk.record, person.id, person.name)
    n = len(hits)
    days = ", ".join(french_date(h.rk.record.session.date) for h in hits)
    return Draft(True, f"{n} fois ({name}) : {days}.", "orateurs", 0.75,
                 [Cite(h.rk, h.unit, h.sentence.text) for h in hits[-3:]])


KINDS = [
    Kind("nombre", 27, lambda q, kn: bool(re.search(r"\bcombien de fois\b", q)), ask_times_spoken, specific=True),
    Kind("nombre", 28, lambda q, kn: bool(re.search(r"\bcombien de (?:seances|reunions|conseils)\b", q)),
         ask_session_count, specific=True),
    Kind("seances", 29, lambda q, kn: bool(re.search(r"\bquelles seances\b|\blors de quelles\b|\bevolu|"
                                                     r"\bentre (?:19|20)\d\d et (?:19|20)\d\d\b", q)),
         ask_by_year, specific=True),
]
