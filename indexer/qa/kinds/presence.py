"""Attendance and proxies: « Qui a donné délégation de vote à X ? », « X était-il présent ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ...model import Record
from ...people import fold, surname_of
from ..common import (
    Cite, Draft, deliberation_cites, first_sentence_of, named_persons, person_name, session_label,
    session_unit, unit_index,
)
from ..knowledge import Knowledge, RecordKnowledge


#: (question pattern, movement kind in the record, label): « Qui est arrivé en retard ? », « Qui a quitté la séance ? »
MOVEMENTS = ((r"arriv|retard", "arrivée", "Arrivée(s)"),
             (r"\bquitt|\bdeparts?\b|\bpartie?s?\b", "départ", "Départ(s)"))


def _proxy_quote(record: Record, giver: str, holder: str, giver_id: str | None, holder_id: str | None) -> str:
    g = record.person(giver_id)
    absent = "absente" if g is not None and g.civility == "Mme" else "absent"
    return (f"{person_name(record, giver_id, giver)}, {absent}, délégation de vote donnée à "
            f"{person_name(record, holder_id, holder)}.")


def session_of_named(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> RecordKnowledge:
    """The most recent session where a person the question names appears, else the most recent one."""
    named = named_persons(kn, q)
    for rk in reversed(rks):
        if any(rk.record.person(p.id) is not None for _, p in named):
            return rk
    return rks[-1]


def ask_proxy(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    rk = session_of_named(kn, q, rks)
    record = rk.record
    proxies = record.session.proxies
    if not proxies:
        return None
    unit = session_unit(rk)
    if re.search(r"\bcombien\b", q):
        cites = [Cite(rk, unit, _proxy_quote(record, p.giver, p.holder, p.giver_id, p.holder_id)) for p in proxies[:2]]
        block = next((v for v in record.votes if v.proxies == len(proxies) and v.deliberation), None)
        delib = record.deliberation(block.deliberation) if block and block.deliberation else None
        if delib is not None:
            cites = deliberation_cites(rk, delib, block)[:1] + cites
        return Draft(True, f"{len(proxies)} délégations de vote ont été données ({session_label(record)}).",
                     "presences", 0.9, cites)
    named = [p for _, p in named_persons(kn, q) if record.person(p.id) is not None]
    if not named:
        lines = [f"{p.giver} → {p.holder}" for p in proxies]
        cites = [Cite(rk, unit, _proxy_quote(record, p.giver, p.holder, p.giver_id, p.holder_id)) for p in proxies[:3]]
        return Draft(True, f"Délégations de vote ({session_label(record)}) : " + " ; ".join(lines) + ".",
                     "presences", 0.85, cites)
    person = named[0]
    asks_giver = bool(re.search(r"qui (?:lui )?a (?:donne|confie|transmis|delegue)|qui avait donne|donne[a-z]* .*\ba (?:m|mme|monsieur|madame)?\s*" + re.escape(fold(surname_of(person.name))), q)) \
        and not re.search(r"\ba qui\b", q)
    as_holder = [p for p in proxies if p.holder_id == person.id]
    as_giver = [p for p in proxies if p.giver_id == person.id]
    if asks_giver and as_holder:
        chosen, text = as_holder, "{giver} a donné délégation de vote à {holder}"
    elif as_giver and not asks_giver:
        chosen, text = as_giver, "{giver} a donné délégation de vote à {holder}"
    elif as_holder:
        chosen, text = as_holder, "{giver} a donné délégation de vote à {holder}"
    else:
        return Draft(False, f"Aucune délégation de vote ne concerne {person.name} ({session_label(record)}).",
                     "presences", 0.6, [])
    parts = [text.format(giver=person_name(record, p.giver_id, p.giver), holder=person_name(record, p.holder_id, p.holder))
             for p in chosen]
    cites = [Cite(rk, unit, _proxy_quote(record, p.giver, p.holder, p.giver_id, p.holder_id)) for p in chosen[:3]]
    return Draft(True, " ; ".join(parts) + f" ({session_label(record)}).", "presences", 0.9, cites)


def ask_attendance(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    rk = session_of_named(kn, q, rks)
    record = rk.record
    s = record.session
    unit = session_unit(rk)
    named = [p for _, p in named_persons(kn, q) if record.person(p.id) is not None]
    present_keys = {fold(n) for n in s.present}
    excused_keys = {fold(n) for n in s.excused}
    absent_keys = {fold(n) for n in s.absent}
    if named:
        p = named[0]
        key = fold(p.name)
        proxy = next((x for x in s.proxies if x.giver_id == p.id), None)
        if key in present_keys:
            quote = f"Étaient présents : … {person_name(record, p.id, p.name)} …"
            return Draft(True, f"Oui, {p.name} était présent(e) ({session_label(record)}).", "presences", 0.9,
                         [Cite(rk, unit, quote)])
        if key in excused_keys or key in absent_keys:
            state = "excusé(e)" if key in excused_keys else "absent(e)"
            quote = f"Excusé(s) : … {person_name(record, p.id, p.name)} …"
            extra = ""
            cites = [Cite(rk, unit, quote)]
            if proxy is not None:
                extra = f", avec délégation de vote donnée à {proxy.holder}"
                cites.append(Cite(rk, unit, _proxy_quote(record, proxy.giver, proxy.holder, proxy.giver_id,
                                                         proxy.holder_id)))
            return Draft(True, f"Non, {p.name} était {state}{extra} ({session_label(record)}).", "presences", 0.9,
                         cites)
        mv = [m for m in s.movements if m.person_id == p.id]
        if mv:
            return Draft(True, f"{p.name} : {mv[0].text}", "presences", 0.8, [Cite(rk, unit, mv[0].text)])
        return None
    if re.search(r"\binvite", q):
        guests = [p for p in record.persons if p.guest and any(sp.person_id == p.id for sp in record.speeches)]
        cites = []
        for p in guests[:3]:
            sp = next(sp for sp in record.speeches if sp.person_id == p.id)
            ui = unit_index(rk, sp.id, "intervention")
            text = first_sentence_of(rk, ui) if ui is not None else None
            if text:
                cites.append(Cite(rk, rk.units[ui], text))
        if guests and cites:
            names = ", ".join(p.name + (f" ({p.roles[0]})" if p.roles else "") for p in guests)
            return Draft(True, f"Invités ayant pris la parole ({session_label(record)}) : {names}.", "presences", 0.8,
                         cites)
        return None
    for asked, kind, label in MOVEMENTS:
        if re.search(asked, q):
            mv = [m for m in s.movements if m.kind == kind]
            if mv:
                return Draft(True, f"{label} en cours de séance : " + ", ".join(m.person for m in mv) + ".",
                             "presences", 0.85, [Cite(rk, unit, m.text) for m in mv[:3]])
            return None
    if re.search(r"excus|absent", q):
        names = s.excused or s.absent
        if not names:
            return None
        label = "Excusé(s)" if s.excused else "Absent(s)"
        quote = f"{label} : " + ", ".join(names) + "."
        if re.search(r"\bcombien\b", q):
            return Draft(True, f"{len(names)} conseillers {label.lower()} ({session_label(record)}) : "
                         + ", ".join(names) + ".", "presences", 0.9, [Cite(rk, unit, quote)])
        return Draft(True, f"{label} ({session_label(record)}) : " + ", ".join(names) + ".", "presences", 0.9,
                     [Cite(rk, unit, quote)])
    if re.search(r"present", q) and s.present:
        quote = "Étaient présents : " + ", ".join(s.present) + "."
        if re.search(r"\bcombien\b", q):
            return Draft(True, f"{len(s.present)} conseillers étaient présents à l'appel ({session_label(record)}).",
                         "presences", 0.85, [Cite(rk, unit, quote)])
        return Draft(True, f"Présents ({session_label(record)}) : " + ", ".join(s.present) + ".", "presences", 0.85,
                     [Cite(rk, unit, quote)])
    return None



_ATTENDANCE = re.compile(r"\b(?:etai(?:t|ent)|est|sont|ete)\s+(?:il |elle |ils |elles )?(?:present|absent|excuse)|"
                         r"\bpresents\b|\babsents?\b|\babsentes?\b|\bexcuses?\b|\bexcusee?s?\b|\bpresence\b|"
                         r"en retard|arrive en cours|quitte (?:la seance|l hemicycle)")

KINDS = [
    Kind("presences", 20, lambda q, kn: bool(re.search(r"delegation|procuration|pouvoirs?\b", q))
         and not re.search(r"delegation de service", q), ask_proxy, specific=True),
    Kind("presences", 40, lambda q, kn: bool(_ATTENDANCE.search(q)), ask_attendance, specific=True),
]
