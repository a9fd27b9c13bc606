"""Turn rules: who speaks, in every way French minutes write it.

Each rule matches one construct; its docstring shows the line it matches.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...people import fold
from .vocabulary import (_ADVERB, _CIV, _CLITIC, _FULLNAME, _GIVEN, _LOW, _OPENING, _PERSON, _PERSON_RE,
                         _SENTENCE_START, _SUBJECT, _TITLE, _UP, _UPWORD, _VERB)

# compiled here rather than with the vocabulary (~14 ms of compilation): only the municipal layout,
# which these turn rules serve, reads reported speech; a departmental document's parse never needs them
_REPORTED = re.compile(rf"{_SUBJECT}\s*,?\s+{_OPENING}{_CLITIC}{_ADVERB}(?P<verb>{_VERB})(?![{_LOW}])")
# "Madame le Maire passe la parole à M. RIBEIRO qui explique …"
# "… passe la parole à M. RIBEIRO, adjoint aux finances. Il rappelle …" / "… donne la parole à Monsieur
# LEBLANC pour ses questions diverses."
_HANDOVER = re.compile(rf"{_PERSON}\s+(?:passe|donne|cède)\s+(?:à\s+)?la\s+parole\s+(?:à\s+)?(?P<subject>{_PERSON})"
                       rf"(?:\s*,\s*(?P<srole>[^.;:,]{{3,70}}?)(?=\s*[.,]|\s+q\s?ui\b))?")

_COLON_TURN = re.compile(rf"^(?P<label>{_CIV}\s*(?P<name>{_TITLE}|{_FULLNAME}|{_GIVEN})"
                         rf"(?:\s*,\s*(?P<role>[^:]{{3,80}}?))?)\s*:\s*(?P<text>.*)$")



def colon_turn(line: str) -> tuple[str, str, str, str] | None:
    """``Madame ROJON, Directrice générale des services : Ce n'est pas possible …``
    → (label, name, role, text).  Also ``Monsieur le Maire : …``, ``Mademoiselle VENET : …``."""
    m = _COLON_TURN.match(line)
    if not m:
        return None
    name = m.group("name")
    if not _looks_like_name(name):
        return None
    role = (m.group("role") or "").strip()
    if role and (any(c.isdigit() for c in role) or len(role.split()) > 8 or _A_VERB.search(role)):
        return None
    return m.group("label").strip(), name.strip(), role, m.group("text").strip()


_AN_UPPER = re.compile(rf"[{_UP}]")
_A_VERB = re.compile(rf"\b{_VERB}\b")


def _looks_like_name(name: str) -> bool:
    """"MAHUET", "le Maire", "Jean-Claude THUILLIER", "Tanguy" — not "Présents" or "Vote"."""
    f = fold(name)
    if f in {"vote", "pour", "contre", "objet", "presents", "absents", "pouvoirs", "secretaire"}:
        return False
    return bool(_AN_UPPER.search(name))


_RAPPORTEUR = re.compile(rf"^(?P<label>(?P<subject>{_PERSON})(?:\s*,\s*(?P<srole>[^,:]{{3,70}}),)?)\s+"
                         r"(?:expose|rapporte|présente)\s*:\s*(?P<text>.*)$")


def rapporteur_turn(line: str) -> tuple[str, str, str] | None:
    """``Madame Trefina KERRAIN expose :`` → (label, name, text after the colon)."""
    m = _RAPPORTEUR.match(line)
    if not m:
        return None
    return m.group("label").strip(), _strip_civility(m.group("subject")), m.group("text").strip()


_PRESENTS_FILE = re.compile(rf"^(?P<subject>{_PERSON})\s+présente\s+le\s+(?:dossier|rapport|point)\b\s*\.?\s*$")


def presents_file(line: str) -> str | None:
    """``M. ZANNETTACCI présente le dossier.`` → "M. ZANNETTACCI" (the item's rapporteur)."""
    m = _PRESENTS_FILE.match(line)
    return m.group("subject") if m else None


def reported_starts(text: str) -> list[tuple[int, str, str, str]]:
    """Sentences of a paragraph that open with a person and a speech verb.

    ``M. THUILLIER demande quand … Madame le Maire indique que …`` →
    [(0, "M. THUILLIER", "THUILLIER", ""), (52, "Madame le Maire", "le Maire", "")]:
    (offset, label, name to resolve, role).  ``Madame le Maire passe la parole à
    Mme DECKER qui explique …`` gives Mme DECKER.
    """
    return list(_reported_starts(text))  # the municipal pass asks up to four times for one line


@lru_cache(maxsize=256)
def _reported_starts(text: str) -> tuple[tuple[int, str, str, str], ...]:
    out: list[tuple[int, str, str, str]] = []
    for s in _SENTENCE_START.finditer(text):
        pos = s.end()
        if pos >= len(text):
            continue
        rest = text[pos:pos + 260]
        m = _HANDOVER.match(rest) or _REPORTED.match(rest) or _after_leading_clause(rest)
        if not m or _PROCEDURE.match(rest, m.start("verb") if "verb" in m.re.groupindex and m.group("verb") else 0):
            continue
        subject = m.group("subject")
        first = _PERSON_RE.match(subject)
        label = subject.strip()
        name = _strip_civility(first.group(0) if first else subject)
        out.append((pos, label, name, (m.group("srole") or "").strip()))
    return tuple(out)


# "M. le Maire soumet cette proposition à délibération": procedure, not an intervention
_PROCEDURE = re.compile(r"soumet\b[^.;]{0,80}?\b(?:au vote|aux voix|à (?:la )?délibération|à l['’]approbation|au conseil)\b")


_LEADING_CLAUSE = re.compile(r"(?:Considérant|Afin|Pour|Suite|Après|Compte tenu|Dans|En|Au vu|Vu|Concernant|"
                             r"S['’]agissant|Sur|Par ailleurs|Enfin|Ensuite|Puis|Lors)\b[^.;:]{0,140}?,\s+")


def _after_leading_clause(sentence: str) -> re.Match[str] | None:
    """``Considérant les offres reçues, Madame le maire propose de retenir …``: the speaker comes
    after a short opening clause; the whole sentence is theirs."""
    m = _LEADING_CLAUSE.match(sentence)
    if not m:
        return None
    return _HANDOVER.match(sentence, m.end()) or _REPORTED.match(sentence, m.end())


_CIVILITY_REST = re.compile(rf"{_CIV}\s*(.*)$")  # compiled once: the pattern string is long


def _strip_civility(person: str) -> str:
    """"Madame le Maire" → "le Maire"; "M. TANGUY" → "TANGUY"; "M.TANGUY" → "TANGUY"."""
    person = " ".join(person.split())
    m = _CIVILITY_REST.match(person)
    return (m.group(1) if m and m.group(1) else person).strip()




_BARE_SUBJECT = re.compile(rf"(?P<subject>{_GIVEN}(?:[\s\-]+{_GIVEN}){{0,2}}(?:[\s\-]+(?:{_GIVEN}|{_UPWORD}))(?:\s+{_UPWORD})?)"
                           rf"\s*,?\s+{_OPENING}{_CLITIC}{_ADVERB}"
                           rf"(?P<verb>{_VERB})(?![{_LOW}])")


def bare_name_starts(text: str, known: set[str]) -> list[tuple[int, str, str, str]]:
    """Reported speech opened by a member's name without civility: ``Franck Beysson répond que …``,
    ``Jean-Yves Boire n'a rien … Il explique``.  Only names of the session's members (`known`: folded
    full names and surnames) count, so that ``Cette Convention précise …`` is nobody."""
    out = []
    for s in _SENTENCE_START.finditer(text):
        pos = s.end()
        m = _BARE_SUBJECT.match(text, pos)
        if not m:
            continue
        subject = m.group("subject")
        folded = fold(subject).replace("-", " ")
        surname = folded.split()[-1]
        if folded in known or surname in known or (len(surname) >= 5 and any(
                len(k) >= 5 and " " not in k and _one_edit(surname, k) for k in known)):
            # the full name when listed as written, else the surname, which resolves to the listed member
            # one letter away ("Denis Vanecke" for "Denis Vanhecke")
            out.append((pos, subject, subject if folded in known else subject.split()[-1], ""))
    return out


def known_names(names) -> set[str]:
    """Folded full names and surnames of the members, hyphens as spaces: "Antoine Vermorel-Marques" →
    {"antoine vermorel marques", "marques"}."""
    out: set[str] = set()
    for name in names:
        folded = fold(name).replace("-", " ")
        if len(folded.split()) >= 2:
            out.update({folded, folded.split()[-1]})
    return out


def _one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap apart: "vanecke" / "vanhecke"."""
    if a == b or abs(len(a) - len(b)) > 1 or not b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]
