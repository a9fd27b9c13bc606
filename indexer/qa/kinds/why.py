"""« Pourquoi … ? »: the reason the minutes state, from the passage about the topic.

The passage is found by the topic words (and the person the question names, as speaker or
subject); the answer is the sentence of that passage which states a cause (« parce que »,
« en raison de », « compte tenu », « car », « suite à », « puisque » …), never a cause taken
from another passage.
"""

from __future__ import annotations

import re

from ...people import surname_of
from ..common import Cite, Draft, coverage, named_persons, person_name, rarest_covered, session_label, topic_stems
from ..kind import Kind
from ..knowledge import Knowledge, RecordKnowledge
from ..retrieval import best_sentences, context_stems
from ..text import tokens

#: Folded phrases that state a cause or a justification.
CAUSE = re.compile(r"\b(?:parce qu|car\b|en raison d|du fait d|compte tenu|dans la mesure ou|puisqu|"
                   # « suite au point d'information du conseil … » dates a step, it states no cause
                   r"suite a(?!(?:ux?| la| l| une?| des?)? (?:point|reunion|conseil|seance|comite|commission|courrier|rencontre)s?\b)|"
                   r"fait suite|a la suite d|faute d|etant donne|vu que|motif|raison|pour cause|afin d|a cause d|"
                   r"grace a|justifi|s explique|estime qu|manqu|interesse|non conforme|"
                   r"ne (?:peut|pouvait|peuvent) pas|n a pas (?:ete|pu)|il s avere|en effet)")
_NEGATED = re.compile(r"\bn (?:a|ont|est|etait|avait|ai)(?: t (?:il|elle|ils|elles|on))? pas\b|"
                      r"\bne (?:sera|seront|peut|pourra|sont|soit|pas)\b|\bn (?:est|etait)\b[^.]{0,20}\bpas\b")
_ASKED = {"pourquoi", "quelle", "raison", "raisons", "motif", "motifs", "cause"}


def ask_why(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    named = named_persons(kn, q)
    person = named[0][1] if named else None
    drop = set(_ASKED)
    if person is not None:
        drop |= set(tokens(person.name))
    topic = topic_stems(q, drop, kn=kn)
    if not topic:
        return None
    best: tuple[float, Cite, Cite] | None = None
    # with a person, every sentence is a candidate: their own turns (under any spelling of their name)
    # and reported speech in another's turn ("M. TANGUY indique que …") are kept below
    hits = best_sentences(kn, topic, min_cov=0.35, limit=400 if person is not None else 40, context=True,
                          sentence_min=0.25)
    for h in hits:
        rk, unit = h.rk, h.unit
        around = h.sentence.stems | context_stems(rk, h.sentence.unit)
        if not rarest_covered(kn, topic, around) and coverage(kn, topic, around) < 0.7:
            continue
        sis = rk.by_unit.get(h.sentence.unit, [])
        pos = sis.index(h.si) if h.si in sis else 0
        if person is not None:
            sur = " ".join(tokens(surname_of(person.name)))
            window = " ".join(" ".join(rk.sentences[sis[k]].toks) for k in range(max(0, pos - 1), pos + 1))
            speaker = rk.record.person(unit.person_id)
            own = speaker is not None and " ".join(tokens(surname_of(speaker.name))) == sur
            if not own and f" {sur} " not in f" {window} ":
                continue
        # the cause: this sentence, or one next to it in the same passage
        for offset, bonus in ((0, 0.3), (1, 0.2), (-1, 0.15), (2, 0.1)):
            k = pos + offset
            if not 0 <= k < len(sis):
                continue
            sent = rk.sentences[sis[k]]
            if CAUSE.search(" ".join(sent.toks)):
                score = h.score + bonus
                if _NEGATED.search(" ".join(sent.toks)) and not _NEGATED.search(q):
                    continue  # « n'a pas été actée en raison de … » explains why it did not happen
                if best is None or score > best[0]:
                    best = (score, Cite(rk, unit, sent.text), Cite(rk, unit, h.sentence.text))
                break
    if person is not None:
        found = _in_their_turns(kn, topic, person)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    if best is None or best[0] < 0.55:
        return Draft(False, "Les procès-verbaux ne donnent pas de raison pour cela.", "pourquoi", 0.0, final=True)
    score, cause, topic_cite = best
    rk = cause.rk
    speech = next((sp for sp in rk.record.speeches if sp.id == cause.unit.id), None)
    # reported speech ("M. X se lève et demande …") inside another's turn is the minutes' account, not theirs
    who = person_name(rk.record, cause.unit.person_id, cause.unit.speaker) \
        if cause.unit.kind == "intervention" and speech is not None and not speech.reported else ""
    source = f"selon {who}, " if who else ""
    cites = [cause] if cause.quote == topic_cite.quote else [cause, topic_cite]
    return Draft(True, f"« {cause.quote} » ({source}{session_label(rk.record)})", "pourquoi",
                 round(min(0.85, 0.3 + 0.4 * score), 2), cites)


def _in_their_turns(kn: Knowledge, topic: list[str], person) -> tuple[float, Cite, Cite] | None:  # noqa: ANN001
    """A cause the person states in a turn of an item about the topic, the topic words being in the
    item's title or the turn rather than in the sentence (« Tarifications 2016 » → « M. X indique que
    dans la mesure où le commerce souffre … »)."""
    sur = " ".join(tokens(surname_of(person.name)))
    best = None
    for rk in kn.parts:
        for ui, unit in enumerate(rk.units):
            if not unit.item or unit.kind != "intervention":
                continue
            stems = rk.unit_stems[ui] | rk.item_stems.get(unit.item, frozenset())
            cov = coverage(kn, topic, stems)
            item = rk.record.item(unit.item)
            if cov < 0.6 or not rarest_covered(kn, topic, stems) or not kn.fits_years(rk, item.title if item else ""):
                continue
            speaker = rk.record.person(unit.person_id)
            own = speaker is not None and " ".join(tokens(surname_of(speaker.name))) == sur
            for si in rk.by_unit.get(ui, []):
                folded = " ".join(rk.sentences[si].toks)
                if CAUSE.search(folded) and (own or f" {sur} " in f" {folded} "):
                    score = cov + 0.3
                    if best is None or score > best[0]:
                        cite = Cite(rk, unit, rk.sentences[si].text)
                        best = (score, cite, cite)
                    break
    return best


KINDS = [Kind("pourquoi", 5, lambda q, kn: bool(re.search(r"\bpourquoi\b|pour quelle raison|pour quelles raisons|"
                                                       r"quel(?:le)?s? (?:est|etait|sont) (?:la|le|les) (?:raison|motif|cause)", q)),
              ask_why, specific=True)]
