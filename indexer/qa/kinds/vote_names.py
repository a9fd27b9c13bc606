"""Who voted against, abstained or for: « Qui a voté contre X ? », « Quels élus se sont abstenus sur Y ? ».

The names come from the parsed vote (`Vote.against_groups`, `abstention_groups`, `for_groups`:
persons or groups as the minutes list them). « Personne n'a voté contre » when the vote was
unanimous or counts no vote against; a count without names is said as such, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...model import AgendaItem, Deliberation, Vote
from ..common import BY_NUMBER, Cite, Draft, deliberation_cites, find_deliberations, find_items, coverage, \
    rarest_covered, session_label, stems_of, topic_stems, vote_of
from ..kind import Kind
from ..knowledge import Knowledge, RecordKnowledge, Unit, vote_quote
from ..retrieval import best_sentences, context_stems


@dataclass
class FoundVote:
    score: float
    rk: RecordKnowledge
    title: str
    vote: Vote
    cites: list[Cite]


def item_vote_cite(rk: RecordKnowledge, v: Vote) -> Cite:
    k = rk.record.votes.index(v) + 1
    uid = f"{rk.sid}/vote/{k:03d}"
    unit = next((u for u in rk.units if u.id == uid and u.kind == "vote"), None)
    if unit is None:
        if v.deliberation:
            uid = f"{rk.sid}/d/{v.deliberation}"
        unit = next((u for u in rk.units if u.id == uid), None) or Unit(
            uid, "vote", rk.sid, rk.record.session.date, item=v.item,
            url=f"/seances/{rk.sid}#point-{v.item}" if v.item else f"/seances/{rk.sid}")
    return Cite(rk, unit, vote_quote(v))


def _closest_vote(kn: Knowledge, topic: list[str], votes: list[Vote]) -> Vote:
    """Of the votes of one item, the one whose own text names the topic best (« Pour le Festival des
    Forêts : Contre : … » among the per-association votes of a subsidies deliberation); else the last."""
    best = max(range(len(votes)), key=lambda i: (coverage(kn, topic, stems_of(votes[i].text)), i))
    return votes[best]


def find_votes(kn: Knowledge, q: str, topic: list[str]) -> list[FoundVote]:
    """Votes on what the question names, best first: deliberations and agenda items alike."""
    out: list[FoundVote] = []
    for m in find_deliberations(kn, q, topic):
        d: Deliberation = m.obj  # type: ignore[assignment]
        v = vote_of(m.rk.record, d)
        parts = [x for x in m.rk.record.votes if x.text and (x.deliberation == d.number or (d.item and x.item == d.item))]
        if len(parts) > 1:  # voted part by part: the part the question names
            v = _closest_vote(kn, topic, parts)
        if v is not None and v.text:
            out.append(FoundVote(m.score, m.rk, d.title, v, deliberation_cites(m.rk, d, v)))
    for m in find_items(kn, q, topic):
        item: AgendaItem = m.obj  # type: ignore[assignment]
        votes = [v for v in m.rk.record.votes if v.item == item.id and v.text]
        v = _closest_vote(kn, topic, votes) if votes else None
        if v is not None and not any(f.rk is m.rk and f.vote is v for f in out):
            out.append(FoundVote(m.score, m.rk, item.title, v, [item_vote_cite(m.rk, v)]))
    if not out:  # the item's title says it otherwise ("passage à 3 %" for "modification du taux"): its debate
        seen = set()
        for h in best_sentences(kn, topic, min_cov=0.6, limit=20, context=True, sentence_min=0.3):
            around = h.sentence.stems | context_stems(h.rk, h.sentence.unit)
            if not rarest_covered(kn, topic, around) and coverage(kn, topic, around) < 0.6:
                continue
            item = h.rk.record.item(h.unit.item)
            votes = [v for v in h.rk.record.votes if item is not None and v.item == item.id and v.text]
            if not votes or (h.rk.sid, item.id) in seen:
                continue
            seen.add((h.rk.sid, item.id))
            v = _closest_vote(kn, topic, votes)
            if coverage(kn, topic, stems_of(f"{item.title} {v.text}")) < 0.45:
                continue  # "subventions aux associations": that vote does not say it is the one on the festival
            out.append(FoundVote(0.9 * h.score, h.rk, item.title, v,
                                 [item_vote_cite(h.rk, v), Cite(h.rk, h.unit, h.sentence.text)]))
    out.sort(key=lambda f: (f.score, f.rk.record.session.date), reverse=True)
    return out


_WHICH = [
    ("contre", re.compile(r"\bvote contre\b|\bvote(?:s)? contre\b|\bcontre\b.*\bvot|oppose"), "against",
     "against_groups", "Contre", "personne n'a voté contre"),
    ("abstention", re.compile(r"absten"), "abstention", "abstention_groups", "Abstention(s)",
     "personne ne s'est abstenu"),
    ("pour", re.compile(r"\bvote pour\b|\bvote(?:s)? pour\b"), "for_", "for_groups", "Pour", "personne n'a voté pour"),
]


def clean_name(label: str) -> str:
    """« M. LÜDER indique s'abstenir étant habitant du Parc » → « M. LÜDER »: the voter, not the comment."""
    m = re.match(r"\s*((?:M\.|Mme|Monsieur|Madame|MM\.)?\s*[\w'’ -]+?)(?:\s+(?:qui|indique|car|en raison|estim)\b.*)?$",
                 label)
    return (m.group(1) if m else label).strip(" ,.;")


def ask_vote_names(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    which = next((w for w in _WHICH if w[1].search(q)), None)
    if which is None:
        return None
    _, _, count_attr, names_attr, label, nobody = which
    topic = topic_stems(q, {"vote", "voter", "contre", "abstenu", "abstenus", "elus", "elu", "conseillers", "qui"},
                        kn=kn)
    if not topic:
        return None
    found = find_votes(kn, q, topic)
    if not found:
        return None
    best = found[0]
    if len(found) > 1 and found[1].score == best.score and found[1].rk is best.rk and best.score < BY_NUMBER \
            and found[1].vote.text != best.vote.text:
        return None  # two votes fit equally: do not guess
    v = best.vote
    count = getattr(v, count_attr)
    names = [clean_name(n) for n in getattr(v, names_attr)]
    where = f"« {best.title} » ({session_label(best.rk.record)})"
    conf = round(min(0.95, 0.6 + 0.35 * best.score), 2)
    if names:
        n = f"{count} : " if count else ""
        return Draft(True, f"{label} {n}{', '.join(names)} — {where}.", "vote", conf, best.cites)
    if (v.unanimous and not count) or count == 0:
        zero = f"{label} : 0" + (", unanimité" if v.unanimous else "")
        return Draft(True, f"Vote {where} : {nobody} ({zero}).", "vote", conf,
                     best.cites)
    if count:
        return Draft(False, f"{label} : {count} voix {where}, sans les noms dans le procès-verbal.", "vote", 0.3,
                     best.cites, final=True)
    return Draft(False, f"Le vote {where} ne dit pas qui a voté ainsi.", "vote", 0.0, best.cites, final=True)


KINDS = [Kind("vote", 25, lambda q, kn: bool(re.search(r"^(?:qui|quels?|quelles?)\b", q)
                                             and re.search(r"\bvot\w* (?:contre|pour)\b|absten", q)),
              ask_vote_names, specific=True)]
