"""Who presented a report: « Qui a présenté le rapport sur la téléassistance ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ...model import AgendaItem
from ...people import fold, surname_of
from ..common import (
    BY_NUMBER, Cite, Draft, first_sentence_of, find_items, french_date, person_name, session_label,
    topic_stems,
)
from ..knowledge import Knowledge, RecordKnowledge
from .speakers import ask_speakers


def ask_rapporteur(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, kn=kn)
    all_matches = find_items(kn, q, topic)
    matches = [m for m in all_matches if m.obj.rapporteur]  # type: ignore[attr-defined]
    if not matches:
        # a segment with no rapporteur ("Intervention de M. GILARDI …"): whoever spoke most in it
        segment = [m for m in all_matches if m.score >= 0.8]
        return ask_speakers(kn, q, rks) if segment else None
    best = matches[0]
    ties = [m for m in matches if m.score == best.score and m.score < BY_NUMBER]
    if len(ties) > 1 and len({(m.rk.sid, m.obj.rapporteur) for m in ties}) > 1:  # type: ignore[attr-defined]
        return None  # two reports fit the words equally, with different rapporteurs: do not guess
    item: AgendaItem = best.obj  # type: ignore[assignment]
    rk = best.rk
    record = rk.record
    name = person_name(record, item.rapporteur, item.rapporteur or "")
    key = fold(surname_of(record.person(item.rapporteur).name)) if record.person(item.rapporteur) else ""
    cites = []
    # a sentence of the item's debate that names the rapporteur (the floor being given)
    for i, u in enumerate(rk.units):
        if u.kind != "intervention" or u.item != item.id:
            continue
        if u.person_id != item.rapporteur:
            for si in rk.by_unit.get(i, []):
                sent = rk.sentences[si]
                if key and f" {key} " in f" {' '.join(sent.toks)} ":
                    cites.append(Cite(rk, u, sent.text))
                    break
        if cites:
            break
    for i, u in enumerate(rk.units):
        if u.kind == "intervention" and u.item == item.id and u.person_id == item.rapporteur:
            text = first_sentence_of(rk, i)
            if text:
                cites.append(Cite(rk, u, text))
            break
    if not cites:
        return None
    answer = f"Le rapport « {item.title} » a été présenté par {name} ({session_label(record)})."
    others = sorted({m.rk.record.session.date for m in matches[1:] if m.score == BY_NUMBER and m.rk is not rk})
    if others:
        answer += " D'autres séances ont un rapport de même numéro : " + ", ".join(map(french_date, others)) + "."
    return Draft(True, answer, "rapporteur", round(min(0.95, 0.6 + 0.35 * best.score), 2), cites[:3])



_RAPPORTEUR_Q = re.compile(r"qui (?:a|avait) (?:presente|rapporte|introduit)|rapporteu|qui presentait|presente par|"
                           r"qui etait (?:le |la )?rapport|^quel(?:le)? (?:elue?|conseill\w+|vice president\w*) (?:a|avait) presente")

KINDS = [Kind("rapporteur", 120, lambda q, kn: bool(_RAPPORTEUR_Q.search(q)), ask_rapporteur, specific=True)]
