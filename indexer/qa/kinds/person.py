"""Who a person is: roles and group the minutes give."""

from __future__ import annotations

import re

from ..kind import Kind
from ...people import fold, surname_of
from ..common import Cite, Draft, PAST_RE, named_persons, person_name, session_label
from ..knowledge import Knowledge, RecordKnowledge, Unit, wish_url


_ROLE_WORDS = (r"(?:Vice-)?[Pp]r[ée]sident(?:e)?|[Dd]irect(?:eur|rice)(?: général(?:e)?)?|[Mm]aire|[Aa]djoint(?:e)?|"
               r"[Cc]onseill(?:er|ère)|[Rr]apporteu(?:r|se)|[Ss]ecrétaire|[Dd]éputé(?:e)?|[Ss]énat(?:eur|rice)|[Pp]réfet")


def ask_person(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """"Qui est X ?", "À quel groupe appartient X ?": roles and group the minutes give."""
    named = named_persons(kn, q)
    if not named:
        return None
    rk, person = named[0]
    record = rk.record
    name = person_name(record, person.id, person.name)
    if re.search(r"\bgroupe\b", q):
        if not person.group:
            return None
        for w in record.wishes:
            if any(fold(x) == fold(person.name) for x in w.signatories) and fold(w.group) == fold(person.group):
                quote = f"{w.title} — Déposé par le {w.group} — signataires : … {person.name} …"
                cite = Cite(rk, Unit(w.id, "voeu", rk.sid, record.session.date, w.group, None, None, wish_url(record, w),
                                     w.page, ref=w.id), quote)
                return Draft(True, f"{name} siège au {person.group} ({session_label(record)}).", "personne", 0.85,
                             [cite])
        return None
    parts = surname_of(person.name).split("-")
    sur = re.escape(parts[0]) + "".join(f"(?:-{re.escape(x)})?" for x in parts[1:])
    after = re.compile(rf"{sur}\s*(?:,|\()\s*(?:qui est\s+)?(?:(?:maintenant|notre|votre|la|le|l')\s+)*"
                       rf"((?:{_ROLE_WORDS})[^.;)]{{0,90}})")
    before = re.compile(rf"(?:notre|votre|la|le|du|de la)\s+((?:{_ROLE_WORDS})[^.;,]{{0,60}}?),?\s+"
                        rf"(?:(?:M\.|Mme|Monsieur|Madame)\s+)?(?:[A-ZÉ][\w'-]+\s+)?{sur}")
    roles: list[tuple[str, Cite]] = []
    named_in = re.compile(sur)
    for part in kn.parts:
        for si in part.texts.matching(named_in):
            sent = part.sentences[si]
            for rx in (after, before):
                m = rx.search(sent.text)
                if m:
                    role = re.split(r",| et (?=[A-ZÉ])| pour | qui | afin | avec | auquel | auxquels | dont | que ", m.group(1))[0].strip(" ,-–")
                    if role and PAST_RE.search(fold(role)) is None and role not in [r for r, _ in roles]:
                        roles.append((role, Cite(part, part.units[sent.unit], sent.text)))
    for role in person.roles:
        if not any(fold(role) in fold(r) or fold(r) in fold(role) for r, _ in roles):
            for part in kn.parts:
                si = next((i for i in part.texts.matching(named_in) if fold(role) in fold(part.texts[i])), None)
                hit = part.sentences[si] if si is not None else None
                if hit is not None:
                    roles.insert(0, (role, Cite(part, part.units[hit.unit], hit.text)))
                    break
    if not roles:
        return None
    roles = roles[:3]
    extra = f" ; {person.group}" if person.group else ""
    answer = f"{name} : " + " ; ".join(r for r, _ in roles) + extra + "."
    return Draft(True, answer, "personne", 0.75, [c for _, c in roles])



_PERSON_Q = re.compile(r"^qui (?:est|etait)\b|^quel (?:est|etait) le (?:role|titre|mandat|poste)|groupe (?:de|d)\b|"
                       r"quel groupe (?:appartient|siege)|appartient")

KINDS = [Kind("personne", 170, lambda q, kn: bool(_PERSON_Q.search(q)), ask_person)]
