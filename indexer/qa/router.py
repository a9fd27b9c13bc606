"""The router: which question kinds to try, most specific first, for a folded question.

Every module of `indexer.qa.kinds` declares `KINDS` (name, priority, trigger, answerer);
the router keeps those whose trigger matches, in priority order, each answerer once.
Free kinds (who spoke, who is mentioned) are tried only when no specific kind applies.
"""

from __future__ import annotations

from .kind import Handler, Kind
from .kinds import (
    archive, body_head, count, deliberation, fact, group_vote, mention, person, presence, quote, rapporteur, session_role,
    speakers, time, vote, vote_names, when, why, wish, yes_no,
)
from .knowledge import Knowledge

MODULES = (why, yes_no, archive, wish, presence, vote_names, vote, session_role, time, body_head, deliberation, group_vote, rapporteur, quote, count,
           when, speakers, mention, person, fact)


def all_kinds() -> list[Kind]:
    """Every declared kind, by priority."""
    return sorted((k for m in MODULES for k in m.KINDS), key=lambda k: k.priority)


_KINDS = all_kinds()


def classify(q: str, kn: Knowledge) -> list[tuple[str, Handler]]:
    """The answerers to try, most specific first, for a folded question."""
    chosen: list[Kind] = []
    for kind in _KINDS:
        if any(kind.answer is k.answer for k in chosen):
            continue
        if kind.free and any(k.specific for k in chosen):
            continue
        if kind.applies(q, kn):
            chosen.append(kind)
    return [(k.name, k.answer) for k in chosen]
