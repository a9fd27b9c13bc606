"""The vote on a deliberation or an agenda item: « Quel a été le vote sur le budget ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ...model import AgendaItem
from ..common import (
    Draft, chosen_deliberation, deliberation_cites, vote_phrase, cite_unit, find_deliberations, find_items,
    session_label, topic_stems,
)
from ..knowledge import Knowledge, RecordKnowledge, vote_quote


def ask_item_vote(kn: Knowledge, q: str, topic: list[str]) -> Draft | None:
    """Minutes without deliberations (municipal councils): the vote recorded under the agenda item."""
    for m in find_items(kn, q, topic):
        item: AgendaItem = m.obj  # type: ignore[assignment]
        rk = m.rk
        votes = [v for v in rk.record.votes if v.item == item.id and v.text]
        if not votes or (item.deliberation and rk.record.deliberation(item.deliberation)):
            continue
        v = votes[-1]
        k = rk.record.votes.index(v) + 1
        cite = cite_unit(rk, f"{rk.sid}/vote/{k:03d}", vote_quote(v), "vote")
        if cite is None:
            continue
        answer = f"« {item.title} » ({session_label(rk.record)}) : {vote_phrase(v)}."
        if v.abstention_groups and v.abstention:
            answer += " Abstentions : " + " ; ".join(v.abstention_groups) + "."
        if v.against_groups and v.against:
            answer += " Contre : " + " ; ".join(v.against_groups) + "."
        if re.search(r"unanim", q):
            answer = ("Oui : " if v.unanimous else "Non, pas à l'unanimité : ") + answer
        return Draft(True, answer, "vote", round(0.55 + 0.35 * m.score, 2), [cite])
    return None


def ask_vote(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, {"conseillers", "conseiller", "presents", "presentes", "membres", "elus", "moment"}, kn=kn)
    matches = find_deliberations(kn, q, topic)
    if not matches:
        return ask_item_vote(kn, q, topic)
    chosen = chosen_deliberation(matches, within_session=True)
    if chosen is None or chosen[2] is None:
        return None
    best, d, vote = chosen
    record = best.rk.record
    phrase = vote_phrase(vote)
    yes_no = ""
    if re.search(r"\b(a t il|a t elle|ont ils|est il|est elle)\b", q) and re.search(r"adopt|approuv|vote|rejet|refus", q):
        if re.search(r"unanim", q):
            yes_no = "Oui : " if vote.unanimous else "Non, pas à l'unanimité : "
        elif re.search(r"rejet|refus", q):
            yes_no = "Oui : " if vote.result.startswith("rejet") else "Non : " if vote.result.startswith("adopt") else ""
        else:
            yes_no = "Oui : " if vote.result.startswith("adopt") else "Non : " if vote.result.startswith("rejet") else ""
    if re.search(r"present", q) and vote.present:
        answer = (f"{vote.present} conseillers étaient présents au moment du vote sur « {d.title} » "
                  f"(délibération {d.number}, {session_label(record)}), avec {vote.proxies or 0} délégations de vote.")
        return Draft(True, answer, "vote", round(min(0.95, 0.6 + 0.35 * best.score), 2), deliberation_cites(best.rk, d, vote))
    answer = (f"{yes_no}« {d.title} » (délibération {d.number}, {session_label(record)}) : {phrase}.")
    if re.search(r"groupe", q) and re.search(r"\bpour\b", q) and vote.for_groups:
        answer += " Pour : " + " ; ".join(vote.for_groups) + "."
    if vote.abstention_groups and vote.abstention:
        answer += " Abstentions : " + " ; ".join(vote.abstention_groups) + "."
    if vote.against_groups and vote.against:
        answer += " Contre : " + " ; ".join(vote.against_groups) + "."
    return Draft(True, answer, "vote", round(min(0.95, 0.6 + 0.35 * best.score), 2), deliberation_cites(best.rk, d, vote))



KINDS = [
    Kind("vote", 30, lambda q, kn: bool(re.search(r"(?:moment|lors) du vote|pendant le vote", q)), ask_vote,
         specific=True),
    Kind("vote", 110, lambda q, kn: bool(re.search(r"\bvot|resultat|adopt|approuv|rejet|unanim|absten|\bvoix\b|scrutin", q)),
         ask_vote, specific=True),
]
