"""How a political group voted: « Comment le groupe RN a-t-il voté sur X ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ...people import fold
from ..common import (
    Draft, chosen_deliberation, GROUP_ALIASES, deliberation_cites, vote_phrase, find_deliberations, named_group,
    session_label, topic_stems,
)
from ..knowledge import Knowledge, RecordKnowledge


def ask_group_vote(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    group = named_group(kn, q)
    if group is None:
        return None
    drop = set(fold(group).split()) | set(GROUP_ALIASES) | {"elu", "elus", "elue", "elues", "membres", "conseillers"}
    topic = topic_stems(q, drop, kn=kn)
    matches = find_deliberations(kn, q, topic)
    chosen = chosen_deliberation(matches)
    if chosen is None or chosen[2] is None:
        return None
    best, d, vote = chosen
    record = best.rk.record
    key = fold(group)
    positions = []
    for label, groups in (("pour", vote.for_groups), ("contre", vote.against_groups),
                          ("abstention", vote.abstention_groups), ("ne prend pas part au vote", vote.not_voting_groups)):
        for g in groups:
            if fold(g).startswith(key):
                partial = re.search(r"\((.*)\)", g)
                positions.append((label, partial.group(1) if partial else ""))
    if not positions:
        if vote.unanimous:
            positions = [("pour", "")]
        else:
            return None
    phrases = []
    for label, who in positions:
        verb = {"pour": "a voté pour", "contre": "a voté contre", "abstention": "s'est abstenu"}.get(label, label)
        phrases.append(f"{verb} (seulement {who})" if who else verb)
    answer = (f"Sur « {d.title} » (délibération {d.number}, {session_label(record)}), le {group} "
              + " ; ".join(phrases) + f". Résultat : {vote_phrase(vote)}.")
    if len(positions) > 1:
        answer = answer.replace(f"le {group} ", f"le {group} est partagé : ", 1)
    return Draft(True, answer, "position", round(min(0.95, 0.6 + 0.3 * best.score), 2), deliberation_cites(best.rk, d, vote))



KINDS = [Kind("position", 100, lambda q, kn: bool(named_group(kn, q))
              and bool(re.search(r"vot|position|absten|soutenu|oppose|pour ou contre", q)), ask_group_vote, specific=True)]
