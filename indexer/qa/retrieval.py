"""Sentence retrieval: IDF coverage of the topic over sentences, quantities, leads."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .common import Cite, MONTHS, MONTHS_FR, coverage, rarest_covered, topic_stems
from .knowledge import KIND_WEIGHTS, Knowledge, RecordKnowledge, Unit


@dataclass
class Scored:
    score: float
    rk: RecordKnowledge
    si: int

    @property
    def sentence(self):
        return self.rk.sentences[self.si]

    @property
    def unit(self) -> Unit:
        return self.rk.units[self.sentence.unit]


QUANTITY_RE = re.compile(r"(?<![\w,.])\d+(?:[ \u00a0\u202f.,]\d+)*(?![\w])")


#: what follows the day of a date: "30 janvier", "22/09/2025"
_DAY_OF_DATE = re.compile(r"\s+(?:" + "|".join(MONTHS_FR + MONTHS) + r")\b|/\d", re.I)


def quantities(text: str) -> list[re.Match[str]]:
    """Numbers that state a quantity: not years alone, not the day of a date ("la séance du
    30 janvier" counts no sessions), not part of a word ("3D", "V2")."""
    return [m for m in QUANTITY_RE.finditer(text) if not re.fullmatch(r"(?:19|20)\d\d", m.group(0))
            and not (len(m.group(0)) <= 2 and _DAY_OF_DATE.match(text, m.end()))]


def context_stems(rk: RecordKnowledge, unit_idx: int) -> frozenset[str]:
    """What the surrounding speech and its agenda item are about."""
    unit = rk.units[unit_idx]
    item = rk.item_stems.get(unit.item or "", frozenset())
    if unit.kind == "rapport":  # an annexed report is too long to be a context
        return item
    return rk.unit_stems[unit_idx] | item


def best_sentences(kn: Knowledge, topic: list[str], *, kinds: set[str] | None = None,
                   person: str | None = None, min_cov: float = 0.0, limit: int = 10,
                   need_number: bool = False, context: bool = False, sentence_min: float = 0.45) -> list[Scored]:
    """Sentences ranked by IDF coverage of the topic (× the unit kind's weight).

    With `context`, topic words found only in the sentence's speech or agenda item title
    count for half.
    """

    if not topic or limit <= 0:
        return []
    idfs = [kn.idf(t) for t in topic]
    total = sum(idfs) or 1.0
    # first what costs little (coverage, unit kind, speaker): an upper bound of each score; then the
    # sentences themselves (years, numbers, length), best bound first, until no bound can enter the top
    bounds: list[tuple[float, int, RecordKnowledge, int, Unit]] = []
    for rk in kn.parts:
        acc: dict[int, float] = {}
        held: dict[int, int] = {}  # sentence → bit k set when it holds topic[k]
        for k, (t, w) in enumerate(zip(topic, idfs)):
            bit = 1 << k
            for si in rk.postings.get(t, ()):
                acc[si] = acc.get(si, 0.0) + w
                held[si] = held.get(si, 0) | bit
        sent_unit = rk._sent_unit
        contexts: dict[int, frozenset[str]] = {}
        for si, got in acc.items():
            if context and got / total < sentence_min:
                continue
            ui = sent_unit[si]
            if context:
                ctx = contexts.get(ui)
                if ctx is None:
                    ctx = contexts[ui] = context_stems(rk, ui)
                mask = held[si]
                got += 0.5 * sum(w for k, (t, w) in enumerate(zip(topic, idfs)) if not mask >> k & 1 and t in ctx)
            cov = got / total
            if cov < min_cov:
                continue
            unit = rk.units[ui]
            if kinds is not None and unit.kind not in kinds:
                continue
            if person is not None and unit.person_id != person:
                continue
            bounds.append((cov * KIND_WEIGHTS.get(unit.kind, 0.8), len(bounds), rk, si, unit))
    bounds.sort(key=lambda b: b[0], reverse=True)
    out: list[tuple[int, Scored]] = []
    best: list[float] = []  # the `limit` best scores so far (a min-heap)
    for bound, order, rk, si, unit in bounds:
        if len(best) >= limit and bound < best[0]:
            break  # the length factor only lowers a score: no sentence left can enter the top
        sent = rk.sentences[si]
        if kn.years and not kn.fits_years(rk, sent.text, rk.record.item(unit.item).title if unit.item
                                          and rk.record.item(unit.item) else ""):
            continue
        if need_number and not quantities(sent.text):
            continue
        score = bound
        n = len(sent.toks)
        if n > 80:  # very long sentences (lists) match by accident
            score *= 0.85
        elif n < 4:
            score *= 0.7
        out.append((order, Scored(score, rk, si)))
        if len(best) < limit:
            heapq.heappush(best, score)
        elif score > best[0]:
            heapq.heapreplace(best, score)
    out.sort(key=lambda o: o[0])  # the order sentences came in: ties keep it
    ranked = [s for _, s in out]
    ranked.sort(key=lambda s: (s.score, s.rk.record.session.date), reverse=True)
    return ranked[:limit]


def topic_sentences(kn: Knowledge, topic: list[str], *, min_cov: float, limit: int) -> Iterator[Scored]:
    """`best_sentences` with their context whose sentence and speech (or item) hold the topic:
    its rarest word, or three quarters of its weight."""
    for h in best_sentences(kn, topic, min_cov=min_cov, limit=limit, context=True, sentence_min=0.3):
        around = h.sentence.stems | context_stems(h.rk, h.sentence.unit)
        if rarest_covered(kn, topic, around) or coverage(kn, topic, around) >= 0.75:
            yield h


def leads(kn: Knowledge, q: str, limit: int = 3) -> list[Cite]:
    """The closest passages, offered when no answer is found."""
    topic = topic_stems(q, kn=kn)
    cites = []
    seen = set()
    for s in best_sentences(kn, topic, min_cov=0.3, limit=limit * 4):
        if s.unit.url in seen:
            continue
        seen.add(s.unit.url)
        cites.append(Cite(s.rk, s.unit, s.sentence.text))
        if len(cites) >= limit:
            break
    return cites

