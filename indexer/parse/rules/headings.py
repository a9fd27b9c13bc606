"""Heading rules: agenda items under any numbering.
"""

from __future__ import annotations

import re

from .vocabulary import _UP


_AGENDA_HEAD = re.compile(r"^(?:ORDRE DU JOUR|Ordre du jour|SOMMAIRE|Sommaire|TABLE DES MATI[EÈ]RES|Table des mati[eè]res)"
                          r"(?:\s+de la séance)?\s*:?\s*(?P<rest>.*)$", re.I)
_NUMBERED = re.compile(rf"^(?P<n>\d{{1,2}})\s*(?:[.)°]|\s[-–])\s*(?P<title>[{_UP}«\"“'’].*)$")
_NUMBERED_BARE = re.compile(rf"^(?P<n>\d{{1,2}})\s+(?P<title>[{_UP}«\"“\d].*)$")  # agenda list rows only
_NUMBERED_DIGIT = re.compile(r"^(?P<n>\d{1,2})\s*(?:[.)°]|\s[-–])\s*(?P<title>\d.*)$")
_ROMAN = re.compile(rf"^(?P<n>[IVX]{{1,5}})\s*[.\-–]\s+(?P<title>[{_UP}].*)$")
_DELIB_HEAD = re.compile(
    r"^(?:(?P<a>DL-\d+-\d+-\d+|D\d{4}-\d+|DEL\s?\d+-\d+-\d+)\s*[-–:]?\s*(?:Objet\s*:\s*)?"
    r"|(?i:D[ÉE]LIB[ÉE]RATION)\s+(?:N°|n°|no|N)\s*(?P<b>[\w\-/.]+)\s*[:\-–]\s*(?:Objet\s*:\s*)?"
    r"|N°\s*(?P<c>(?:19|20)\d\d\s*[-.]\s*\d{1,4})\s*[:\-–]\s*(?:Objet\s*:\s*)?)(?P<title>\S.+)$")


def numbered_heading(line: str) -> tuple[int, str] | None:
    """``1. Approbation du procès-verbal …`` / ``1 - Subvention à l'association …`` → (1, title).
    Not a budget table row (``10 - Dotations, fonds divers 150 000,00``)."""
    m = _NUMBERED.match(line)
    if not m or _AMOUNT_END.search(m.group("title")):
        return None
    return int(m.group("n")), m.group("title").strip()


_AMOUNT_END = re.compile(r"\d{1,3}(?:[  .]\d{3})*,\d{2}\s*(?:€|euros?)?\s*$")


def roman_heading(line: str) -> tuple[int, str] | None:
    """``IV. PERSONNEL`` / ``II. Finances`` → (4, "PERSONNEL")."""
    m = _ROMAN.match(line)
    if not m:
        return None
    value = roman_value(m.group("n"))
    return (value, m.group("title").strip()) if value else None


def roman_value(numeral: str) -> int | None:
    """"IX" → 9."""
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, c in enumerate(numeral):
        v = values[c]
        total += -v if i + 1 < len(numeral) and values[numeral[i + 1]] > v else v
    return total or None


def deliberation_heading(line: str) -> tuple[str, str] | None:
    """``DL-055-07-13 - Signature du marché …`` / ``D2024-21 - Objet : Désignation …`` /
    ``DELIBERATION N° 2023-45 : Budget …`` → (number, title)."""
    m = _DELIB_HEAD.match(line)
    if not m:
        return None
    return (m.group("a") or m.group("b") or m.group("c")).replace(" ", "").strip(), m.group("title").strip()




_NUMBER_PREFIX = re.compile(r"^(?:N°|n°|No\.?|Délibération\s+n°)\s*(?P<number>\d[\w\-/.]*\d|\d+)\s*[-–:]\s*(?P<title>\S.*)$")
_PAGE_REF = re.compile(r"\s*(?:\.{2,}|…)?\s*(?:page|p\.)\s*\d{1,3}(?:\s+page)?\s*$", re.I)
_SUB_HEADING = re.compile(rf"^(?P<n>\d{{1,2}}(?:\.\d{{1,2}}){{1,3}})\.?\s+(?P<title>[{_UP}«\"“].*)$")


def number_prefix(title: str) -> tuple[str, str] | None:
    """``N° 2018-024 - Exercice 2017 – Budget principal …`` (the title of ``3 – N° 2018-024 - …``)
    → ("2018-024", "Exercice 2017 – Budget principal …"): an item number followed by its deliberation number."""
    m = _NUMBER_PREFIX.match(title)
    return (m.group("number"), m.group("title").strip()) if m else None


def strip_page_ref(title: str) -> str:
    """``Compte rendu des décisions prises par le Maire page 03`` → without its table-of-contents page."""
    return _PAGE_REF.sub("", title).strip()


def sub_heading(line: str) -> tuple[str, str] | None:
    """``6.1 Ecole`` / ``6.5.2 Panneau Pocket`` → ("6.1", "Ecole"): a sub-item of item 6."""
    m = _SUB_HEADING.match(line)
    if not m or len(m.group("title")) > 200:
        return None
    return m.group("n"), m.group("title").strip()


# "2014/25 – DECISIONS MODIFICATIVES", "N°2014/26 - ACQUISITION …": a year and a sequence number
_YEAR_NUMBER_HEAD = re.compile(rf"^(?:N°\s*)?(?P<number>(?:19|20)\d\d\s*[/_]\s*\d{{1,4}})\s*[-–:]\s*(?P<title>[{_UP}«\"“].*)$")
# "2018.07.06 - 2 CREATION D'UNE COMMUNE NOUVELLE": the session date and a sequence number
_DATED_NUMBER_HEAD = re.compile(rf"^(?P<number>(?:19|20)\d\d[.\-]\d\d[.\-]\d\d\s*-\s*[0-9Il]{{1,3}})\s+(?P<title>[{_UP}«\"“].*)$")
# "DELIBERATION DU CONSEIL MUNICIPAL N° DEL2024_ 22" with its title on the next line
_NUMBER_ALONE = re.compile(r"^(?:(?:EXTRAIT DU REGISTRE DES )?(?i:D[ÉE]LIB[ÉE]RATIONS?)\b[^:]{0,60}?\b)?(?:N°|n°|No)\s*"
                           r"(?P<number>[A-Za-z]{0,4}\s?\d[\w\-/.]*(?:\s?[_\-/]\s?\d+)?)\s*$")


def numbered_deliberation_heading(line: str) -> tuple[str, str] | None:
    """``2014/25 – DECISIONS MODIFICATIVES …`` / ``N°2014/26 - ACQUISITION TERRAIN …`` /
    ``2018.07.06 - 2 CREATION D'UNE COMMUNE NOUVELLE`` → (number, title)."""
    m = _YEAR_NUMBER_HEAD.match(line) or _DATED_NUMBER_HEAD.match(line)
    if not m:
        return None
    return " ".join(m.group("number").split()), m.group("title").strip()


def number_alone(line: str) -> str | None:
    """``DELIBERATION DU CONSEIL MUNICIPAL N° DEL2024_ 22`` → "DEL2024_22": a deliberation number whose
    title is on the next line."""
    m = _NUMBER_ALONE.match(line)
    return m.group("number").replace(" ", "") if m else None
