"""Heading rules: agenda items under any numbering.
"""

from __future__ import annotations

import re

from .vocabulary import _UP


_AGENDA_HEAD = re.compile(r"^(?:ORDRE DU JOUR|Ordre du jour)(?:\s+de la séance)?\s*:?\s*(?P<rest>.*)$", re.I)
_NUMBERED = re.compile(rf"^(?P<n>\d{{1,2}})\s*(?:[.)°]|\s[-–])\s*(?P<title>[{_UP}«\"“'’].*)$")
_NUMBERED_BARE = re.compile(rf"^(?P<n>\d{{1,2}})\s+(?P<title>[{_UP}«\"“\d].*)$")  # agenda list rows only
_NUMBERED_DIGIT = re.compile(r"^(?P<n>\d{1,2})\s*(?:[.)°]|\s[-–])\s*(?P<title>\d.*)$")
_ROMAN = re.compile(rf"^(?P<n>[IVX]{{1,5}})\s*[.\-–]\s+(?P<title>[{_UP}].*)$")
_DELIB_HEAD = re.compile(
    r"^(?:(?P<a>DL-\d+-\d+-\d+|D\d{4}-\d+|DEL\s?\d+-\d+-\d+)\s*[-–:]?\s*(?:Objet\s*:\s*)?"
    r"|D[ÉEée]LIB[ÉEée]RATION\s+(?:N°|n°|no|N)\s*(?P<b>[\w\-/]+)\s*[:\-–]\s*)(?P<title>.+)$")


def numbered_heading(line: str) -> tuple[int, str] | None:
    """``1. Approbation du procès-verbal …`` / ``1 - Subvention à l'association …`` → (1, title)."""
    m = _NUMBERED.match(line)
    if not m:
        return None
    return int(m.group("n")), m.group("title").strip()


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
    return (m.group("a") or m.group("b")).strip(), m.group("title").strip()


