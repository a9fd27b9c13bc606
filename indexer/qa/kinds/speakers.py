"""Who spoke about a topic: « Qui a parlé de l'Eurostar ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ...model import AgendaItem
from ...people import fold
from ..common import (
    SPEECH_VERBS, Cite, Draft, GROUP_ALIASES, first_sentence_of, in_group, coverage, find_items, named_group, person_name,
    rarest_covered, session_label, topic_stems,
)
from ..knowledge import Knowledge, RecordKnowledge
from ..retrieval import Scored, best_sentences


def ask_speakers(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    group = named_group(kn, q) if re.search(r"\bgroupe\b|\belus?\b|" + "|".join(GROUP_ALIASES), q) else None
    drop = {"fait", "rendu", "qui", "point"}
    if group is not None:
        drop |= set(fold(group).split()) | set(GROUP_ALIASES) | {"elu", "elus"}
    topic = topic_stems(q, drop, kn=kn)
    if not topic:
        return None
    # an agenda segment whose title is the topic: its main speaker (not the chair, unless alone)
    for match in find_items(kn, q, topic, threshold=0.8)[:1]:
        item: AgendaItem = match.obj  # type: ignore[assignment]
        rk = match.rk
        words: dict[str, int] = {}
        first: dict[str, int] = {}
        for i, u in enumerate(rk.units):
            if u.kind == "intervention" and u.item == item.id and u.person_id and in_group(rk, u.person_id, group):
                n = sum(len(rk.sentences[si].toks) for si in rk.by_unit.get(i, []))
                words[u.person_id] = words.get(u.person_id, 0) + n
                first.setdefault(u.person_id, i)
        president = next((p.id for p in rk.record.persons if fold(p.name) == fold(rk.record.session.president)), None)
        ranked = sorted(words, key=lambda pid: words[pid], reverse=True)
        main = [pid for pid in ranked if pid != president] or ranked
        if main:
            pid = main[0]
            text = first_sentence_of(rk, first[pid])
            if text:
                name = person_name(rk.record, pid, pid)
                answer = f"{name}, au point « {item.title} » ({session_label(rk.record)})."
                cites = [Cite(rk, rk.units[first[pid]], text)]
                others = main[1:5]
                if others:
                    answer += " Ont aussi pris la parole : " + ", ".join(person_name(rk.record, o, o) for o in others) + "."
                    for o in others[:2]:
                        t2 = first_sentence_of(rk, first[o])
                        if t2:
                            cites.append(Cite(rk, rk.units[first[o]], t2))
                return Draft(True, answer, "orateurs", round(0.6 + 0.3 * match.score, 2), cites)
    # a topic word said only in the title of the speech's agenda item counts for half (« Ségur » said
    # under « Intervention du directeur de l'Agence régionale de santé » is about « le Ségur de la santé »)
    hits = best_sentences(kn, topic, kinds={"intervention"}, min_cov=0.65, limit=60, context=True)
    hits = [h for h in hits if (rarest_covered(kn, topic, h.sentence.stems)
            or (len(topic) >= 3 and coverage(kn, topic, h.sentence.stems) >= 0.65))
            and in_group(h.rk, h.unit.person_id, group)]
    if not hits:
        return None
    per: dict[tuple[str, str], list[Scored]] = {}
    for h in hits:
        per.setdefault(h.unit.person_id or fold(h.unit.speaker), []).append(h)
    ranked = sorted(per.values(), key=lambda hs: (max(h.score for h in hs), len(hs)), reverse=True)
    names = []
    cites = []
    for hs in ranked[:5]:
        h = hs[0]
        names.append(person_name(h.rk.record, h.unit.person_id, h.unit.speaker))
        if len(cites) < 3:
            cites.append(Cite(h.rk, h.unit, h.sentence.text))
    top = ranked[0][0]
    answer = ", ".join(names[:5]) + (f" ({session_label(top.rk.record)})" if len({h[0].rk.sid for h in ranked}) == 1
                                     else "") + "."
    return Draft(True, answer, "orateurs", round(min(0.9, 0.4 + 0.5 * top.score), 2), cites)



_WHO_Q = re.compile(r"^qui (?:a|avait|ont|s est|se sont|est|etait|sera)\b|"
                    r"^quel(?:le)?s? (?:elu|conseiller|orateur|intervenant|groupe)")

KINDS = [Kind("orateurs", 160, lambda q, kn: bool(_WHO_Q.search(q) and re.search(SPEECH_VERBS, q)), ask_speakers,
              free=True)]
