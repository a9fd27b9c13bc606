"""Attendance rules: present, excused, absent, proxies, secretary, arrivals and departures.
"""

from __future__ import annotations

import re
from typing import Any

from ...model import Movement, Proxy, Session
from ...people import fold
from .headings import _AGENDA_HEAD, numbered_heading
from .text import Para, _is_bullet, _unbullet
from .turns import colon_turn
from .vocabulary import _CIV, _GIVEN, _LOW, _PERSON, _UP

_LIST_HEAD = re.compile(
    r"^(?P<head>(?:[EÉ]taient |Sont )?présents?|(?:[EÉ]tai(?:en)?t )?absents?,? excusés? et (?:a|ont) donné pouvoir|"
    r"Pouvoirs?|Procurations?|Absents?[-\s]+excusés?|Excusés?(?: (?:ayant|ont) donné pouvoir)?|"
    r"(?:[EÉ]tai(?:en)?t )?absents?(?: non excusés?)?|"
    r"Assistai(?:en)?t|Secrétaires?(?: de séance)?)\s*:\s*(?P<rest>.*)$", re.I)



def parse_attendance(paras: list[Para], state: Any) -> None:
    """Present / excused / absent lists and proxies from the opening paragraphs.

    ``Présents : Madame Florence DEMOUY, …``, ``Pouvoirs :`` then ``- Madame X à Monsieur Y``,
    ``Etait absent, excusé et a donné pouvoir : A à B, C à D``, ``Procurations : A (procuration à B) - …``,
    ``Absent excusé :`` then ``- Madame Z``, ``Secrétaire : Madame Karine DUTEIL``.
    """
    session = state.record.session
    current = ""
    seen = skipping = False  # an agenda announced in the convocation may come before the lists
    for para in _join_split_names(paras[:60]):
        line = para.text
        m = _LIST_HEAD.match(line)
        if skipping and not m:
            continue
        skipping = False
        if not m and (_AGENDA_HEAD.match(line) or numbered_heading(line) or colon_turn(line)):
            if seen:
                break
            skipping = True
            continue
        if re.match(r"^[^:]{3,50}:\s*\d{1,3}\s*$", line) and (not m or m.group("rest").strip().isdigit()):
            continue  # "Elus en exercice : 29", "Absents : 6": a count between the lines of a list, not a list
        if m:
            seen = True
            current = _list_kind(m.group("head"))
            line = m.group("rest")
            if not line:
                continue
        elif not current or current == "secretary" or not (_is_bullet(line) or _is_name_list(line)):
            current = ""
            continue
        _add_listed(current, _unbullet(line), state, session)


def _join_split_names(paras: list[Para]) -> list[Para]:
    """"… Monsieur Ronan" then "TANGUY" (a name cut by the page layout) → one paragraph."""
    out: list[Para] = []
    for para in paras:
        if out and re.fullmatch(rf"[{_UP}][{_UP}'’\- ]{{1,40}}\.?", para.text) \
                and re.search(rf"{_CIV}\s*{_GIVEN}$", out[-1].text):
            out[-1] = Para(out[-1].page, f"{out[-1].text} {para.text}")
        else:
            out.append(para)
    return out


def _list_kind(head: str) -> str:
    f = fold(head)
    if "pouvoir" in f or "procuration" in f:
        return "proxies"
    if "excuse" in f:
        return "excused"
    if "absent" in f:
        return "absent"
    if "assist" in f:
        return "guests"
    if "secretaire" in f:
        return "secretary"
    return "present"


_STATUS = re.compile(r"^\s*(?:excusée?s?|absente?s?)\s*\.?\s*$", re.I)


def _is_name_list(line: str) -> bool:
    chunks = [c for c in re.split(r",|\s[-–]\s|;", line) if c.strip() and not _STATUS.match(c)]
    return bool(chunks) and all(_clean_name(c) for c in chunks[:3])


def _clean_name(chunk: str) -> str:
    """"Madame Karine DUTEIL (arrivée à 18h36)" → "Madame Karine DUTEIL"; "" when not a name."""
    chunk = re.sub(r"\([^)]*\)?", "", chunk)
    chunk = re.sub(r"_{2,}.*$", "", chunk)
    chunk = " ".join(chunk.strip(" -–").replace(" -", "-").split()).strip(" .;:-–")
    chunk = _rejoin_name(chunk)
    chunk = re.sub(r"^et\s+", "", chunk)
    if not chunk or len(chunk) > 60 or ":" in chunk:  # "Délégation de service public : SAEML …" is no name
        return ""
    if not _NAME_MARK.search(chunk) and not _PLAIN_NAME.match(chunk):
        return ""
    return chunk


# "Christine Aranéo", "Jean-Yves Boire", "Antoine Vermorel-Marques", "Adina Lupu Bratiloveanu": a name in a
# list of names written without civility nor capitals
_PLAIN_NAME = re.compile(rf"^{_GIVEN}(?:\s+(?:(?:de|du|d['’]|le|la|van|von)\s*)?{_GIVEN}){{1,3}}$")


_SPLIT_LOWER = re.compile(rf"(?<=[{_LOW}]) (?!(?:de|du|des|le|la|van|von)\b|d['’])([{_LOW}]+)\b")
_SPLIT_UPPER = re.compile(rf"(?<=[{_LOW}] )([{_UP}]) ([{_UP}]{{2,}})\b")
_NAME_MARK = re.compile(rf"[{_UP}]{{2,}}|^{_CIV}\s*[{_UP}]")


def _rejoin_name(name: str) -> str:
    """Letters split off by the PDF text layer: "Jean-Ja cques CARRETERO" → "Jean-Jacques CARRETERO",
    "Joachim L ÜDER" → "Joachim LÜDER" (particles such as "de" are kept)."""
    name = _SPLIT_LOWER.sub(r"\1", name)
    return _SPLIT_UPPER.sub(r"\1\2", name)


def _add_listed(kind: str, line: str, state: Any, session: Session) -> None:
    roster = state.roster
    line = re.sub("[\ue000-\uf8ff•▪►]|\\s[−–-]\\s|(?<=\\))[−–-]\\s", ";", line)  # "A à B  C à D", "A − B": bullets inside a paragraph
    if kind == "proxies":
        for giver, holder in proxy_pairs(line):
            g = roster.add(giver)
            h = roster.add(holder)
            state.members.update({g.id, h.id})
            session.proxies.append(Proxy(giver=g.name, holder=h.name, giver_id=g.id, holder_id=h.id))
            if g.name not in session.excused:
                session.excused.append(g.name)
        return
    for chunk in re.split(r",|\s[-–]\s|;|\s+et\s+(?=" + _CIV + r")|\s+(?=(?:Monsieur|Madame|Mademoiselle|Mme|M\.)\s+[A-ZÉ])",
                          line):
        if _STATUS.match(chunk):  # "Monsieur Jean-Marc GOSSOT, excusé" under "Absents :"
            if kind == "absent" and "excus" in chunk.lower() and session.absent:
                session.excused.append(session.absent.pop())
            continue
        arrival = re.search(r"\((arrivée?|parti|partie|départ)[^)]*?(\d{1,2}\s*h\s*\d{0,2})\)", chunk, re.I)
        name = _clean_name(chunk)
        if not name:
            continue
        if kind == "guests":
            civ_name, _, role = name.partition(",")
            person = roster.add(civ_name.strip(), role=role.strip(), guest=True)
            continue
        person = roster.add(name)
        if kind == "secretary":
            session.secretary = ", ".join(filter(None, [session.secretary, person.name]))
            state.members.add(person.id)
            continue
        state.members.add(person.id)
        target = {"present": session.present, "excused": session.excused, "absent": session.absent}[kind]
        if person.name not in target:
            target.append(person.name)
        if arrival:
            mkind = "arrivée" if fold(arrival.group(1)).startswith("arriv") else "départ"
            session.movements.append(Movement(person=person.name, kind=mkind, person_id=person.id,
                                              text=chunk.strip()))


_PROXY_PAIR = re.compile(r"(?P<giver>[^,;()]+?)\s*(?:\(\s*(?:procuration|pouvoir)\s+à\s+|(?:,\s*)?(?:donne|a donné)\s+pouvoir\s+à\s+|"
                         r",?\s*représentée?\s+par\s+|\s+à\s+)(?P<holder>[^,;()]+?)\s*\)?\s*(?=$|,|;|\s[-–]\s)")


def proxy_pairs(line: str) -> list[tuple[str, str]]:
    """``Madame Emmanuelle LEMAITRE à Monsieur Romain RIBEIRO`` / ``Yves NEDELLEC (procuration à
    Marie-Annick GUILLOU) - Fabien CANEVET (procuration à Patrice KERVAON)`` / ``M. X donne pouvoir à
    M. Y`` / ``M. X représenté par M. Y`` → [(giver, holder), …]."""
    out = []
    for m in _PROXY_PAIR.finditer(line):
        giver, holder = _clean_name(_unbullet(m.group("giver").strip())), _clean_name(m.group("holder"))
        if giver and holder:
            out.append((giver, holder))
    return out




_MOVEMENT = re.compile(rf"^(?P<kind>Arrivée|Départ|Sortie|Retour)\s+de\s+(?P<who>{_PERSON})")


_LEAVES = re.compile(rf"^(?P<who>{_PERSON})\s+(?P<verb>quitte|sort de|réintègre|rejoint|revient dans|regagne)\s+"
                     r"(?:la|l['’])\s*(?:séance|salle|réunion|pièce|assemblée)\b\s*(?:à\s+\d{1,2}\s*h\s*\d{0,2})?\s*\.?$")


def movement_line(line: str) -> tuple[str, str] | None:
    """``Arrivée de Madame DEFOSSEZ à 19h03.`` → ("arrivée", "Madame DEFOSSEZ");
    ``Madame le maire quitte la séance.`` → ("départ", "Madame le maire"); ``… réintègre la séance.`` → "retour"."""
    m = _MOVEMENT.match(line)
    if m:
        kind = {"Arrivée": "arrivée", "Départ": "départ", "Sortie": "départ", "Retour": "retour"}[m.group("kind")]
        return kind, m.group("who")
    m = _LEAVES.match(line)
    if m:
        return ("départ" if m.group("verb") in ("quitte", "sort de") else "retour"), m.group("who")
    return None
