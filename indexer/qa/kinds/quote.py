"""What a named person said about a topic: « Qu'a dit M. X sur le budget ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ...people import fold
from ..common import Cite, Draft, named_persons, person_name, rarest_covered, session_label, topic_stems
from ..knowledge import Knowledge, RecordKnowledge
from ..retrieval import best_sentences


def ask_quote(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    named = named_persons(kn, q)
    if not named:
        return None
    rk0, person = named[0]
    drop = set(fold(person.name).split())
    topic = topic_stems(q, drop, kn=kn)
    if not topic:
        return None
    hits = best_sentences(kn, topic, kinds={"intervention"}, person=person.id, min_cov=0.5, limit=3)
    hits = [h for h in hits if rarest_covered(kn, topic, h.sentence.stems) or h.score >= 0.75]
    if not hits:
        return None
    h = hits[0]
    name = person_name(h.rk.record, person.id, person.name)
    answer = f"{name} ({session_label(h.rk.record)}) : « {h.sentence.text} »"
    cites = [Cite(x.rk, x.unit, x.sentence.text) for x in hits]
    return Draft(True, answer, "citation", round(min(0.9, 0.4 + 0.5 * h.score), 2), cites)



_QUOTE_Q = re.compile(r"\bdit\b|\bdire\b|declar|affirm|\bpens|position|\bavis\b|propos|explique|souligne|selon|"
                      r"parle|evoque|annonce|defend|critique|reproche|demande")

KINDS = [Kind("citation", 130, lambda q, kn: bool(_QUOTE_Q.search(q)) and not re.search(r"^qui\b", q), ask_quote)]
