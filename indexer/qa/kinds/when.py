"""When a topic was debated, or a date the minutes state about it."""

from __future__ import annotations

import re

from ..kind import Kind
from ...model import AgendaItem
from ...people import fold
from ..common import (
    Cite, Draft, MONTHS_FR, first_sentence_of, coverage, find_items, french_date, person_name, rarest_covered,
    session_label, topic_stems,
)
from ..knowledge import Knowledge, RecordKnowledge
from ..retrieval import best_sentences, context_stems, topic_sentences


_CREATION = r"\b(?:cree|creee|crees|creation|fonde|fondee|fondation|construit|construite|ne|nee|lance|lancee|" \
            r"inaugure|inauguree|ouvert|ouverte|mis en place|mise en place)\b"


def ask_date_fact(kn: Knowledge, q: str) -> Draft | None:
    """"Quand X a-t-il été créé ?": a sentence about X that gives a year, not the date of a debate."""
    topic = topic_stems(re.sub(_CREATION, " ", q), kn=kn)
    if not topic:
        return None
    for h in best_sentences(kn, topic, min_cov=0.5, limit=40, context=True, sentence_min=0.3):
        text = h.sentence.text
        if not re.search(r"\b(?:1[89]|20)\d\d\b", text) or not re.search(_CREATION, fold(text)):
            continue
        if not rarest_covered(kn, topic, h.sentence.stems | context_stems(h.rk, h.sentence.unit)):
            continue
        who = person_name(h.rk.record, h.unit.person_id, h.unit.speaker) if h.unit.kind == "intervention" else ""
        source = f"selon {who}, " if who else ""
        return Draft(True, f"« {text} » ({source}{session_label(h.rk.record)})", "date",
                     round(min(0.8, 0.3 + 0.5 * h.score), 2), [Cite(h.rk, h.unit, text)])
    # "Créé en 1995 sous le nom d'Inseraction 62" in a speech about the body asked of
    for rk in kn.parts:
        for ui, unit in enumerate(rk.units):
            if unit.kind not in {"intervention", "voeu"} or coverage(kn, topic, rk.unit_stems[ui]) < 0.9:
                continue
            for si in rk.by_unit.get(ui, []):
                text = rk.sentences[si].text
                if re.search(r"\b(?:1[89]|20)\d\d\b", text) and re.match(r"\s*(?:cree|creee|fonde|fondee|ne|nee)\b",
                                                                       fold(text)):
                    who = person_name(rk.record, unit.person_id, unit.speaker)
                    return Draft(True, f"« {text} » (selon {who}, {session_label(rk.record)})", "date", 0.6,
                                 [Cite(rk, unit, text)])
    return None


_DEBATE = r"parl|debat|evoqu|abord|examin|discut|\bvot|traite|presente|etudie|question"


_DATE_IN_TEXT = re.compile(r"\b\d{1,2}(?:er)?\s+(?:" + "|".join(MONTHS_FR) + r")\b|\b\d{1,2}/\d{1,2}/\d{4}\b",
                           re.IGNORECASE)


def ask_dated_fact(kn: Knowledge, q: str) -> Draft | None:
    """"Quand le comité sera-t-il consulté ?": the sentence on that topic that gives a date."""
    topic = topic_stems(q, kn=kn)
    if not topic:
        return None
    for h in best_sentences(kn, topic, min_cov=0.6, limit=20):
        text = h.sentence.text
        if not _DATE_IN_TEXT.search(text) or coverage(kn, topic, h.sentence.stems) < 0.6:
            continue
        if not rarest_covered(kn, topic, h.sentence.stems):
            continue
        who = person_name(h.rk.record, h.unit.person_id, h.unit.speaker) if h.unit.kind == "intervention" else ""
        source = f"selon {who}, " if who else ""
        return Draft(True, f"« {text} » ({source}{session_label(h.rk.record)})", "date",
                     round(min(0.8, 0.3 + 0.5 * h.score), 2), [Cite(h.rk, h.unit, text)])
    return None


_DECISION_Q = re.compile(r"\b(?:decide|decidee|adopte|adoptee|approuve|approuvee|refuse|refusee|rejete|rejetee|autorise|"
                         r"vote|fixe|fixee|accorde|accordee|instaure|instauree|attribue|attribuee|prononce|delibere|"
                         r"octroye|valide|validee|acte)\b")
_DECIDING = re.compile(r"\b(?:decide|approuve|adopte|autorise|accepte|valide|fixe|accorde|attribue|instaure|"
                       r"se prononce|propose|vote|delibere|faire valoir|refuse|rejette)")
_REFUSAL_Q = re.compile(r"\brefus\w*|\brejet\w*|\bcontre\b")
_REFUSAL = re.compile(r"\bde ne pas\b|\bne pas\b|\brefus\w*|\brejet\w*|\bdefavorable\b|\bse prononce\w* (?:donc )?contre\b")
_STATED_DATE = re.compile(r"\b(\d{1,2}|1er)\s+(" + "|".join(MONTHS_FR) + r")\s+(\d{4})\b", re.IGNORECASE)


def ask_decision_date(kn: Knowledge, q: str) -> Draft | None:
    """« Quand le conseil a-t-il décidé X ? », « Lors de quelle séance a-t-il refusé Y ? »: the session whose
    decision covers the topic (a refusal for a refusal), or the date the decision sentence states
    (« La réunion du 25 mars 2024 a adopté … »)."""
    refusal = bool(_REFUSAL_Q.search(q))
    topic = topic_stems(q, {"decide", "decider", "refuse", "refuser", "porter", "exercer", "verser"}, kn=kn)
    if len(topic) < 2:
        return None
    best = None
    for h in topic_sentences(kn, topic, min_cov=0.5, limit=40):
        folded = " ".join(h.sentence.toks)
        if refusal and not _REFUSAL.search(folded):
            continue
        score = h.score + (0.15 if _DECIDING.search(folded) else 0.0)
        item = h.rk.record.item(h.unit.item)
        if item is not None and any(v.item == item.id and v.text for v in h.rk.record.votes):
            score += 0.1
        if best is None or score > best[0]:
            best = (score, h)
    if best is None or best[0] < 0.65:
        return None
    score, h = best
    text = h.sentence.text
    stated = next((m for m in _STATED_DATE.finditer(text) if re.search(
        r"(?:seance|reunion|conseil|deliberation|assemblee)[^.]{0,40}$", fold(text[max(0, m.start() - 60):m.start()]))),
        None)
    cite = Cite(h.rk, h.unit, text)
    if stated is not None:
        day = 1 if stated.group(1) == "1er" else int(stated.group(1))
        iso = f"{stated.group(3)}-{MONTHS_FR.index(stated.group(2).lower()) + 1:02d}-{day:02d}"
        stated = None if iso == h.rk.record.session.date else stated
    if stated is not None:
        when = f"{stated.group(1)} {stated.group(2)} {stated.group(3)}"
        return Draft(True, f"Le {when}, d'après la {session_label(h.rk.record)} : « {text} »", "date",
                     round(min(0.8, 0.3 + 0.45 * score), 2), [cite])
    return Draft(True, f"Le {french_date(h.rk.record.session.date)} ({session_label(h.rk.record)}) : « {text} »",
                 "date", round(min(0.85, 0.3 + 0.45 * score), 2), [cite])


def ask_when(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    if _DECISION_Q.search(q) and not re.search(r"\bparl|debat|evoqu|abord|discut", q):
        decided = ask_decision_date(kn, q)
        if decided is not None:
            return decided
    if re.search(_CREATION, q) and not re.search(_DEBATE, q):
        return ask_date_fact(kn, q)
    if not re.search(_DEBATE, q) and not re.search(r"\bseance\b|\breunion\b", q):
        return ask_dated_fact(kn, q)  # a date the minutes state, not the date of a debate
    topic = topic_stems(q, {"parle", "evoque", "aborde", "examine", "etudie", "derniere", "dernier", "premiere", "premier",
                            "fois", "recemment"}, kn=kn)
    if not topic:
        if re.search(r"seance", q):
            rk = rks[-1]
            d = rk.sentences[0] if rk.sentences else None
            if d is None:
                return None
            return Draft(True, f"La séance a eu lieu le {french_date(rk.record.session.date)}.", "date", 0.8,
                         [Cite(rk, rk.units[d.unit], d.text)])
        return None
    items = find_items(kn, q, topic, threshold=0.7)
    if items:
        m = items[0]
        item: AgendaItem = m.obj  # type: ignore[assignment]
        rk = m.rk
        first = next((i for i, u in enumerate(rk.units) if u.item == item.id and u.kind == "intervention"), None)
        if first is not None:
            text = first_sentence_of(rk, first)
            if text:
                label = f"rapport n°{item.number}" if item.number else "point"
                return Draft(True, f"Le {french_date(rk.record.session.date)}, au {label} « {item.title} ».", "date",
                             round(0.6 + 0.3 * m.score, 2), [Cite(rk, rk.units[first], text)])
    hits = best_sentences(kn, topic, kinds={"intervention", "voeu", "deliberation", "passage"}, min_cov=0.7, limit=20)
    hits = [h for h in hits if rarest_covered(kn, topic, h.sentence.stems)]
    ordinal = re.search(r"\b(?:derniere|dernier|premiere|premier) fois\b|\ble plus recemment\b|\bpour la (?:derniere|premiere)\b", q)
    if ordinal:  # every session that dealt with it counts, its item title included
        hits = [h for h in best_sentences(kn, topic, kinds={"intervention", "voeu", "deliberation", "passage"},
                                          min_cov=0.7, limit=60, context=True, sentence_min=0.4)
                if rarest_covered(kn, topic, h.sentence.stems | context_stems(h.rk, h.sentence.unit))]
    if not hits:
        return None
    if re.search(r"\b(?:derniere|dernier) fois\b|\ble plus recemment\b|\bpour la derniere\b", q):
        h = max(hits, key=lambda x: (x.rk.record.session.date, x.score))
        return Draft(True, f"La dernière fois : le {french_date(h.rk.record.session.date)} "
                     f"({session_label(h.rk.record)}).", "date", round(min(0.85, 0.3 + 0.5 * h.score), 2),
                     [Cite(h.rk, h.unit, h.sentence.text)])
    if re.search(r"\bpremiere fois\b|\bpour la premiere\b", q):
        h = min(hits, key=lambda x: (x.rk.record.session.date, -x.score))
        return Draft(True, f"La première fois : le {french_date(h.rk.record.session.date)} "
                     f"({session_label(h.rk.record)}).", "date", round(min(0.85, 0.3 + 0.5 * h.score), 2),
                     [Cite(h.rk, h.unit, h.sentence.text)])
    dates = []
    cites = []
    for h in hits:
        d = h.rk.record.session.date
        item = h.rk.record.item(h.unit.item)
        label = f"{french_date(d)}" + (f" (point « {item.title} »)" if item else "")
        if label not in dates:
            dates.append(label)
            cites.append(Cite(h.rk, h.unit, h.sentence.text))
        if len(cites) >= 3:
            break
    return Draft(True, "Le " + " ; le ".join(dates) + ".", "date", round(min(0.85, 0.3 + 0.5 * hits[0].score), 2),
                 cites)



_WHEN_Q = re.compile(r"^quand\b|a quel moment|quelle date|quel jour|a quelle seance|lors de quelle|en quelle annee|"
                     r"\bla date\b")

KINDS = [Kind("date", 150, lambda q, kn: bool(_WHEN_Q.search(q)), ask_when)]
