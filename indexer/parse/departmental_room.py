"""What happens in the departmental chamber besides speeches: attendance read from the president's
words, arrivals and departures, and the unnumbered segments of the debate (tributes, points, vœux)."""

from __future__ import annotations

import re

from ..model import Movement, Proxy
from .departmental import (_ABSENT, _ARRIVAL, _EXCUSED, _PERSON_NAME, _PRESENT, _PROXY, _State, _new_item,
                           name_list)


def _attendance(flat: str, state: _State) -> bool:
    session, roster = state.record.session, state.roster
    for rx, target in ((_PRESENT, session.present), (_EXCUSED, session.excused), (_ABSENT, session.absent)):
        m = rx.match(flat)
        if m:
            if not target:
                for name in name_list(m.group(1)):
                    person = roster.add(name) if _PERSON_NAME.fullmatch(name) else None
                    target.append(person.name if person else name)
            return True
    m = _PROXY.match(flat)
    if m:
        giver = roster.add(m.group("giver"))
        holder = roster.find(m.group("holder")) or roster.add(m.group("holder"))
        session.proxies.append(Proxy(giver=giver.name, holder=holder.name, giver_id=giver.id, holder_id=holder.id))
        return True
    m = _ARRIVAL.match(flat)
    if m and len(flat) < 160:
        person = roster.add(m.group("who"))
        session.movements.append(Movement(person=person.name, kind="arrivée", text=flat, person_id=person.id,
                                          item=state.item.id if state.item else None))
        return True
    return False


_MOVE = re.compile(r"^(?:Retour de\s+)?(?P<who>(?:M\.|Mme)\s+[A-ZÀ-Ý][\wÀ-ÿ'-]*(?:\s+[A-ZÀ-Ý][\wÀ-ÿ'-]*)?)\s*"
                   r"(?P<verb>quitte|sort|entre|revient|rejoint|dans l'h[ée]micycle)?")


def _movement(flat: str, state: _State) -> None:
    """"Mme GAUTHIER quitte l'hémicycle." → a departure; "Retour de Mme GAUTHIER dans l'hémicycle." → a return."""
    kind = None
    if re.search(r"\bquitte\b|\bsort\b", flat, re.I):
        kind = "départ"
    elif flat.lower().startswith("retour de") or re.search(r"\brevient\b|\brejoint\b", flat, re.I):
        kind = "retour"
    if kind is None:
        return
    m = _MOVE.match(flat)
    if not m:
        return
    person = state.roster.find(m.group("who"))
    if person is None:
        return
    state.record.session.movements.append(Movement(person=person.name, kind=kind, text=flat, person_id=person.id,
                                                   item=state.item.id if state.item else None))


def _segment_from_direction(flat: str, state: _State) -> None:
    """After "L'Assemblée, debout, observe une minute de silence." the president's address begins."""
    if re.search(r"minute de silence", flat, re.I) and state.item and state.item.id.startswith("hommage"):
        _new_item(state, title="Propos introductif du Président", number=None, kind="segment", page=state.item.page)


_TRIBUTE = re.compile(r"(?:d[ée]c[èe]s|disparition) de (?:notre |[a-zé]+ ){0,3}(?:coll[èe]gue )?"
                      r"(?P<name>[A-ZÀ-Ý][a-zà-ÿ-]+(?:\s+[A-ZÀ-Ý][A-ZÀ-Ý'-]+)+)")
_POINT_ON = re.compile(r"de faire le point sur (?P<topic>(?:la|le|les|l')\s?[^.,;!?]+)", re.IGNORECASE)
_WISHES_ANNOUNCED = re.compile(r"\bv(?:œ|oe)ux qui ont [ée]t[ée] d[ée]pos[ée]s|\bj'ai re[çc]u des v(?:œ|oe)ux", re.IGNORECASE)


def _segment_from_speech(flat: str, state: _State) -> None:
    """Unnumbered segments announced in the chair's words:

    - "… nous avons appris le décès de notre ancien collègue Rachid BEN AMOR …" → Hommage à Rachid BEN AMOR
    - "J'ai demandé à Mireille HINGREZ-CEREDA de faire le point sur la rentrée scolaire." → Point sur la rentrée scolaire
      (from the next speech on)
    - "… j'ai reçu des vœux qui ont été déposés …" → Clôture de la séance et vœux
    """
    if state.speech is None or state.president is None or state.speech.person_id != state.president.id:
        return
    m = _TRIBUTE.search(flat)
    if m and not any(a.id.startswith("hommage") for a in state.record.agenda):
        _new_item(state, title=f"Hommage à {m.group('name')}", number=None, kind="segment", page=state.speech.page)
        return
    m = _POINT_ON.search(flat)
    if m:
        topic = m.group("topic").strip()
        state.pending_heading = [f"Point sur {topic}"]
        state.speech.text += ""  # the announcing speech stays in the current item
        _new_item(state, title=f"Point sur {topic}", number=None, kind="segment", page=state.speech.page)
        return
    if _WISHES_ANNOUNCED.search(flat):
        _new_item(state, title="Clôture de la séance et vœux", number=None, kind="segment", page=state.speech.page)
