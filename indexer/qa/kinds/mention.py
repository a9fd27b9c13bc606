"""« Qui a décroché un exploit ? »: the one person a sentence about the topic names."""

from __future__ import annotations

import re

from ..kind import Kind
from ...people import fold, surname_of
from ..common import SPEECH_VERBS, Cite, Draft, NAME_RE, named_persons, rarest_covered, session_label, topic_stems
from ..knowledge import Knowledge, RecordKnowledge
from ..retrieval import best_sentences


_TITLE_SUBJECT = re.compile(r"^\(?\s*(?:M\.|Monsieur|Mme|Madame)\s+(?:le|la)\s+(?:Pr[ée]sident(?:e)?|Maire)\b")


def ask_mentioned(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """"Qui a décroché un exploit au Championnat du Monde ?": the one person named in the sentence
    that covers the question (not whoever said it)."""
    m = re.match(r"qui (?:a ete|avait ete|est|etait|sera|a|avait|ont) (\w+)", q)
    verb = {m.group(1)} if m else set()
    topic = topic_stems(q, verb, kn=kn)
    if len(topic) < 2:
        return None
    for h in best_sentences(kn, topic, min_cov=0.7, limit=5):
        if not rarest_covered(kn, topic, h.sentence.stems):
            continue
        text = h.sentence.text
        rk = h.rk
        people = []
        if _TITLE_SUBJECT.match(text) and rk.record.session.president:
            people.append(rk.record.session.president)
        else:
            keys = {fold(surname_of(p.name)): p.name for p in rk.record.persons}
            for nm in NAME_RE.finditer(text):
                full = (nm.group(1) or nm.group(2) or "").strip()
                name = keys.get(fold(surname_of(full)), full if nm.group(1) else "")
                if name and fold(name) != fold(h.unit.speaker) and name not in people \
                        and f" {fold(surname_of(name))} " not in f" {q} ":  # not the one the question names
                    people.append(name)
        if not people and h.unit.kind == "intervention" and re.search(r"\bje\b|\bj'", text, re.IGNORECASE):
            people.append(h.unit.speaker)  # "Je vais donc remettre … cette trompette": the speaker did it
        if len(people) != 1:
            return None  # nobody or several: do not guess who did it
        return Draft(True, f"{people[0]} (d'après la {session_label(rk.record)}).", "mention",
                     round(min(0.75, 0.2 + 0.5 * h.score), 2), [Cite(rk, h.unit, text)])
    return None



_WHO_Q = re.compile(r"^qui (?:a|avait|ont|s est|se sont|est|etait|sera)\b|"
                    r"^quel(?:le)?s? (?:elu|conseiller|orateur|intervenant|groupe)")


def asks_mention(q: str, kn: Knowledge) -> bool:
    """« Qui a décroché un exploit ? », « qui a été accueilli ? »: someone the minutes mention (not who spoke,
    not « qui est X » about a known person)."""
    if not _WHO_Q.search(q) or re.search(SPEECH_VERBS, q):
        return False
    return not (re.search(r"^qui (?:est|etait)\b", q) and named_persons(kn, q))


KINDS = [Kind("mention", 161, asks_mention, ask_mentioned, free=True)]
