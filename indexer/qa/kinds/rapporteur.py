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
from ..retrieval import best_sentences
from .speakers import ask_speakers


_FLOOR = re.compile(r"\b(?:passe|donne|laisse|cede)\s+la\s+parole\s+(?:a|à)\s+((?:M\.|Mme|Monsieur|Madame)\s+"
                    r"(?:[A-ZÉÈ][\w'’-]+\s+)*[A-ZÉÈ][A-ZÉÈÊËÏÎÔÇ'’-]{2,})")


def given_the_floor(kn: Knowledge, matches: list, topic: list[str]) -> Draft | None:  # noqa: ANN001
    """An item with no rapporteur in the record, opened by the chair handing over: « Madame le Maire
    passe la parole à M. X qui rappelle … » — X presented it.  The item is the one whose title
    matches, else the one whose debate matches best."""
    candidates = [(m.score, m.rk, m.obj) for m in matches[:1] if m.score >= 0.6]
    if not candidates:
        for h in best_sentences(kn, topic, min_cov=0.6, limit=5, context=True, sentence_min=0.4):
            item = h.rk.record.item(h.unit.item)
            if item is not None:
                candidates.append((0.8 * h.score, h.rk, item))
                break
    for score, rk, item in candidates:
        for i, u in enumerate(rk.units):
            if u.item != item.id or u.kind != "intervention":
                continue
            for si in rk.by_unit.get(i, [])[:2]:
                hit = _FLOOR.search(rk.sentences[si].text)
                if hit:
                    name = hit.group(1).strip()
                    return Draft(True, f"{name} a présenté « {item.title} » ({session_label(rk.record)}).",
                                 "rapporteur", round(0.55 + 0.3 * min(score, 1.0), 2),
                                 [Cite(rk, u, rk.sentences[si].text)])
            break  # only the opening turn of the item
    return None


def ask_rapporteur(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, kn=kn)
    all_matches = find_items(kn, q, topic)
    matches = [m for m in all_matches if m.obj.rapporteur]  # type: ignore[attr-defined]
    if not matches:
        handed = given_the_floor(kn, all_matches, topic)
        if handed is not None:
            return handed
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
