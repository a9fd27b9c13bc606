"""Speaker labels → persons.

A document names the same person many ways: "M. LE PRESIDENT.-", "M. Jean-Claude
LEROY", "MME HINGREZ-CEREDA", "Mireille HINGREZ-CÉRÉDA", "Madame le Maire".  The
`Roster` collects full names (attendance lists, signatures) and resolves each
label to one `Person`, keeping every variant it saw.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from .model import Person

CIVILITIES = {
    "m": "M.", "m.": "M.", "mr": "M.", "monsieur": "M.",
    "mme": "Mme", "mme.": "Mme", "madame": "Mme", "mlle": "Mme", "mademoiselle": "Mme",
}


#: byte → itself for a-z and 0-9, else a space
_WORD_BYTES = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256)).lower()
_COMBINING: re.Pattern[str] | None = None


def _combining() -> re.Pattern[str]:
    """Every combining mark of the Basic Multilingual Plane (those `analysis.fold` drops), as
    one character class of ranges, made on first use."""
    global _COMBINING
    if _COMBINING is None:
        marks = [c for c in range(0x10000) if unicodedata.combining(chr(c))]
        ranges: list[list[int]] = []
        for c in marks:
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
        _COMBINING = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]+")
    return _COMBINING


def fold(text: str) -> str:
    """`analysis.fold` (lowercase, accents and ligatures folded), then every run of characters other
    than a-z and 0-9 as one space: "HINGREZ-CÉRÉDA" → "hingrez cereda".

    The same result as ``" ".join(re.sub("[^a-z0-9]+", " ", analysis.fold(text)).split())``, made
    with whole-string operations (decomposition, one regular expression, a byte table) rather than
    a test per character: questions and their index fold every sentence."""
    text = text.lower()
    if not text.isascii():
        text = text.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
        text = _combining().sub("", unicodedata.normalize("NFKD", text)).lower()
    return b" ".join(text.encode("ascii", "replace").translate(_WORD_BYTES).split()).decode("ascii")


#: a document's opening, folded once for the several rules that read it (session date, layout, coverage)
fold_head = lru_cache(maxsize=8)(fold)

# the folded names of a roster's persons, looked up by every `Roster.find` (once per person each)
_fold_name = lru_cache(maxsize=4096)(fold)


def slug(text: str) -> str:
    return fold(text).replace(" ", "-")


def split_civility(name: str) -> tuple[str, str]:
    """"Mme Mireille HINGREZ-CÉRÉDA" → ("Mme", "Mireille HINGREZ-CÉRÉDA")."""
    name = name.strip().strip(",;.").strip()
    head, _, rest = name.partition(" ")
    civ = CIVILITIES.get(head.lower())
    if civ and rest:
        return civ, rest.strip()
    return "", name


def surname_of(name: str) -> str:
    """The upper-case part of a French name: "Jean-Claude LEROY" → "LEROY".

    Falls back to the last word when nothing is written in capitals.
    """
    words = name.split()
    caps = [w for w in words if _is_upper_word(w)]
    if caps:
        return " ".join(caps)
    return words[-1] if words else ""


def _is_upper_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


class Roster:
    """The persons of one session, built up as the parser meets names."""

    def __init__(self) -> None:
        self.persons: dict[str, Person] = {}
        self._by_surname: dict[str, list[str]] = {}
        self._titles: dict[str, str] = {}  # folded title ("le president") → person id
        self._spellings: dict[str, Counter] = {}  # person id → how often each spelling of the name was seen

    # -- building -------------------------------------------------------------
    def add(self, full_name: str, *, group: str = "", role: str = "", guest: bool = False,
            label: str = "") -> Person:
        """Register a full name ("M. Jean-Claude LEROY"); returns the person (merged if known)."""
        civility, name = split_civility(full_name)
        name = " ".join(name.split())
        existing = self.find(name)
        if existing is None:
            pid = slug(name)
            existing = Person(id=pid, name=name, civility=civility, guest=guest)
            self.persons[pid] = existing
            self._by_surname.setdefault(fold(surname_of(name)), []).append(pid)
        if fold(name) == fold(existing.name):
            self._spellings.setdefault(existing.id, Counter())[name] += 1
        if civility and not existing.civility:
            existing.civility = civility
        if group and not existing.group:
            existing.group = group
        if role and role not in existing.roles:
            existing.roles.append(role)
        if label:
            self.note_label(existing, label)
        return existing

    def add_title(self, title: str, person: Person) -> None:
        """Let a title such as "LE PRESIDENT" or "le Maire" resolve to a person."""
        self._titles[fold(title)] = person.id

    def note_label(self, person: Person, label: str) -> None:
        label = label.strip()
        if label and label not in person.labels:
            person.labels.append(label)

    # -- resolving ------------------------------------------------------------
    def find(self, name: str) -> Person | None:
        """Exact match on the folded full name, then a title, then the surname if it is unambiguous.

        "Mme GAUTHIER" picks among several GAUTHIER by civility; a full name never
        merges into a person with another first name.
        """
        civility, bare = split_civility(name)
        key = fold(bare)
        if not key:
            return None
        for p in self.persons.values():
            if _fold_name(p.name) == key:
                return p
        if key in self._titles:
            return self.persons[self._titles[key]]
        ids = self._by_surname.get(key, [])
        if civility and len(ids) > 1:
            ids = [pid for pid in ids if self.persons[pid].civility in ("", civility)]
        if len(ids) == 1:
            return self.persons[ids[0]]
        # "Hugo GILARDI" when only "GILARDI" is known so far
        candidates = {pid for s, pids in self._by_surname.items() if s and key.endswith(" " + s)
                      for pid in pids if _fold_name(self.persons[pid].name) == s}
        if len(candidates) == 1:
            return self.persons[candidates.pop()]
        return self._find_loose(key)

    def _find_loose(self, key: str) -> Person | None:
        """Last resorts for PDF text: words split by a stray space ("GEV AERT", "Flore nce
        DEMOUY") and a compound surname named by its first part ("DUPERRAY" for "Sylvie
        DUPERRAY BARDEAU"); only when exactly one person fits."""
        tight = key.replace(" ", "")
        for p in self.persons.values():
            if _fold_name(p.name).replace(" ", "") == tight:
                return p
        found = {pid for s, pids in self._by_surname.items()
                 if s.replace(" ", "") == tight or (" " not in key and s.split()[0] == key and " " in s)
                 for pid in pids}
        if len(found) == 1:
            return self.persons[found.pop()]
        return None

    def resolve(self, label: str, name: str, *, role: str = "", guest: bool = False) -> Person:
        """Resolve a speaker label whose name part is `name` ("LE PRESIDENT", "HINGREZ-CEREDA").

        Unknown names become new persons, so that every speech has a speaker.
        """
        person = self.find(name)
        if person is None:
            civility, _ = split_civility(label)
            person = self.add(f"{civility} {name}".strip(), role=role, guest=guest)
        elif role and role not in person.roles:
            person.roles.append(role)
        self.note_label(person, label)
        return person

    def all(self) -> list[Person]:
        """Every person, named with the spelling seen most often (accents break ties)."""
        for pid, counts in self._spellings.items():
            self.persons[pid].name = max(counts, key=lambda n: (counts[n], _accent_count(n)))
        return sorted(self.persons.values(), key=lambda p: fold(surname_of(p.name)))


def _accent_count(text: str) -> int:
    return sum(1 for c in text if ord(c) > 127)
