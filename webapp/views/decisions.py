"""The decisions of every session: numbered deliberations and every other voted agenda item.

Older minutes carry votes on their agenda items without a deliberation number; each of
those is a decision too.  One `Decision` per deliberation, or per voted item that no
deliberation covers, computed once per index generation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import url_for

from indexer.analysis import analyze
from indexer.model import AgendaItem, Deliberation, Record, Vote
from indexer.people import fold

from .common import store

_ACKNOWLEDGED = re.compile(r"\b(?:prend|pris|prennent)\s+acte\b|\bcommunication\b|\binformation\b", re.I)


@dataclass
class Decision:
    key: str  # deliberation number, or "<session id>~<item id>" (one URL segment)
    session: Record
    title: str
    number: str = ""  # deliberation number, only when the minutes give one
    item: AgendaItem | None = None
    deliberation: Deliberation | None = None
    vote: Vote | None = None
    page: int | None = None
    stems: frozenset[str] = field(default_factory=frozenset)

    @property
    def date(self) -> str:
        return self.session.session.date or ""

    @property
    def result(self) -> str:
        """adopté, rejeté, pris acte or non indiqué: what the minutes say, nothing more."""
        v = self.vote
        if v is not None and v.result:
            return v.result
        text = " ".join([self.title, v.text if v else ""])
        if _ACKNOWLEDGED.search(text):
            return "pris acte"
        return "non indiqué"

    @property
    def unanimous(self) -> bool | None:
        v = self.vote
        if v is None:
            return None
        if v.unanimous:
            return True
        if (v.against or 0) + (v.abstention or 0) > 0:
            return False
        return None

    @property
    def categories(self) -> list[str]:
        out = [self.result]
        if self.unanimous is False:
            out.append("non unanime")
        if self.unanimous is True:
            out.append("unanime")
        return out

    @property
    def url(self) -> str:
        return url_for("deliberations.deliberation", number=self.key)


RESULTS = ("adopté", "unanime", "non unanime", "rejeté", "pris acte", "non indiqué")


def _stems(text: str) -> frozenset[str]:
    return frozenset(t for t in analyze(text) if len(t) >= 4 and not t.isdigit())


def decisions_of(record: Record) -> list[Decision]:
    out: list[Decision] = []
    covered: set[str] = set()
    sid = record.session.id
    for d in record.deliberations:
        item = record.item(d.item)
        vote = d.vote or next((v for v in record.votes if v.deliberation == d.number), None)
        title = d.title.rstrip(" |") or (item.title.rstrip(" |") if item else d.number)
        # a deliberation the document gives no number for (a voted item) keeps its made-up key
        # for its URL, never as a number shown or exported
        number = d.number if getattr(d, "numbered", True) else ""
        out.append(Decision(key=d.number, session=record, title=title, number=number, item=item, deliberation=d,
                            vote=vote, page=d.page, stems=_stems(title)))
        if d.item:
            covered.add(d.item)
    for item in sorted(record.agenda, key=lambda a: a.order):
        if item.id in covered or item.deliberation and record.deliberation(item.deliberation):
            continue
        votes = [v for v in record.votes if v.item == item.id]
        if not votes:
            continue
        title = item.title.rstrip(" |")
        out.append(Decision(key=f"{sid}~{item.id}", session=record, title=title, item=item, vote=votes[-1],
                            page=votes[-1].page or item.page, stems=_stems(title)))
    return out


def all_decisions() -> list[Decision]:
    """Every decision of the archive, newest session first, in agenda order within a session."""
    def compute() -> list[Decision]:
        out: list[Decision] = []
        for record in reversed(store().records()):
            out.extend(decisions_of(record))
        return out
    return store().memo("decisions", compute)


def haystack(decision: Decision) -> str:
    d = decision.deliberation
    parts = [decision.number, decision.title, *(d.articles if d else [])]
    return fold(" ".join(p for p in parts if p))


def find(key: str) -> Decision | None:
    return next((d for d in all_decisions() if d.key == key), None)


def related(decision: Decision, limit: int = 8) -> list[Decision]:
    """Decisions of other sessions on the same subject: most title words in common (stems), over the years."""
    if len(decision.stems) < 2:
        return []
    scored = []
    for other in all_decisions():
        if other.session is decision.session:
            continue
        shared = decision.stems & other.stems
        if len(shared) < 2:
            continue
        score = len(shared) / min(len(decision.stems), len(other.stems))
        if score >= 0.5:
            scored.append((score, other))
    scored.sort(key=lambda t: (-t[0], t[1].date))
    return sorted([d for _, d in scored[:limit]], key=lambda d: d.date)


def summary(decision: Decision) -> dict[str, Any]:
    from indexer.timeline import vote_badge

    badge = vote_badge(decision.vote) if decision.vote else None
    s = decision.session.session
    return {"key": decision.key, "number": decision.number, "title": decision.title, "date": s.date,
            "session": s.id, "body": s.body, "result": decision.result, "categories": decision.categories,
            "vote": badge.label if badge else "", "url": decision.url, "page": decision.page,
            "item": decision.item.id if decision.item else None}


def full_deliberation(decision: Decision) -> tuple[Record, Deliberation | None]:
    """The full record of a decision's session (its speeches' texts) and the decision's
    deliberation with its annexed report and tables: the register holds light records."""
    light = decision.session
    record = store().record(light.session.id) or light
    d = decision.deliberation
    if d is None:
        return record, None
    k = next((k for k, x in enumerate(light.deliberations) if x is d), None)
    if k is None or k >= len(record.deliberations) or record.deliberations[k].number != d.number:
        return record, record.deliberation(d.number) or d
    return record, record.deliberations[k]
