"""A deliberation by its number or topic: « Quel est le numéro de la délibération sur X ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ..common import (
    Draft, chosen_deliberation, deliberation_cites, vote_phrase, find_deliberations, session_label, topic_stems,
)
from ..knowledge import Knowledge, RecordKnowledge


def ask_deliberation(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, kn=kn)
    matches = find_deliberations(kn, q, topic)
    chosen = chosen_deliberation(matches)
    if chosen is None:
        return None
    best, d, vote = chosen
    record = best.rk.record
    answer = f"Délibération n°{d.number} : « {d.title} » ({session_label(record)})"
    if vote is not None and vote.result:
        answer += f", {vote_phrase(vote)}"
    cites = deliberation_cites(best.rk, d, vote)
    cites.sort(key=lambda c: c.unit.kind != "deliberation")
    return Draft(True, answer + ".", "deliberation", round(min(0.95, 0.6 + 0.35 * best.score), 2), cites)



KINDS = [
    Kind("deliberation", 80, lambda q, kn: bool(
        re.search(r"(?:objet|titre|sujet|intitule) (?:du|de la|de l) (?:rapport|point|deliberation)", q)
        or (re.search(r"numero", q) and re.search(r"deliberation", q))
        or re.search(r"quelle deliberation|(?:titre|objet) (?:de la )?deliberation|\bdeliberation (?:n )?\d", q)),
        ask_deliberation),
    Kind("deliberation", 180, lambda q, kn: bool(re.search(r"numero|deliberation", q)), ask_deliberation),
]
