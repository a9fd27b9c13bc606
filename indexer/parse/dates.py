"""French dates and times as written in minutes → ISO strings."""

from __future__ import annotations

import re

from ..people import fold, fold_head

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
_MONTH = "(" + "|".join(MONTHS) + ")"
_WEEKDAY = r"(?:lundi |mardi |mercredi |jeudi |vendredi |samedi |dimanche )?"

_WRITTEN = re.compile(r"\b(1er|\d{1,2})\s+" + _MONTH + r"\s+((?:19|20)\d\d)\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d\d)\b")
# Phrases that introduce the date of the session itself (matched on folded text,
# where "28/03/2024" has become "28 03 2024").
_SESSION_CUES = re.compile(
    r"(seance|reunion|conseil municipal|conseil departemental|conseil communautaire|proces verbal|compte rendu)"
    r"[^\n]{0,80}?\b(?:du|le|en date du)\s+" + _WEEKDAY +
    r"(?:(1er|\d{1,2})\s+" + _MONTH + r"|(\d{1,2}) (\d{1,2})) ((?:19|20)\d\d)\b")
# A cue preceded by one of these words names another meeting (the convocation, the
# minutes being approved), not the session itself.
_OTHER_MEETING = re.compile(r"\b(convocation|convoque|destinataire|approbation|approuve|precedente?|derniere)\b")
# "L'an deux mille treize, le neuf juillet": the legal opening formula of French minutes.
_FORMULA = re.compile(r"\bl an ((?:[a-z]+ ){2,6}?)le (1er|\d{1,2}|[a-z]+(?: [a-z]+){0,3}?) " + _MONTH + r"\b")
# A date that belongs to a legal reference ("loi n° 2020-290 du 23 mars 2020").
_LEGAL_REF = re.compile(r"(?:\b(?:loi|decret|ordonnance|arrete|circulaire)\b[^.]{0,25}?|\bn(?: [a-z]?\d+)+)"
                        r" (?:du|en date du) $")

_UNITS = {
    "zero": 0, "un": 1, "une": 1, "premier": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
}


def iso(day: str, month: int, year: str) -> str | None:
    d = 1 if day == "1er" else int(day)
    if not (1 <= d <= 31 and 1 <= month <= 12):
        return None
    return f"{int(year):04d}-{month:02d}-{d:02d}"


def parse_french_date(text: str) -> str | None:
    """"22 septembre 2025" or "08/10/2025" → "2025-09-22"."""
    folded = fold(text)
    m = _WRITTEN.search(folded)
    if m:
        return iso(m.group(1), MONTHS[m.group(2)], m.group(3))
    m = _NUMERIC.search(text)
    if m:
        return iso(m.group(1), int(m.group(2)), m.group(3))
    return None


def french_number(words: str) -> int | None:
    """Spelled-out number up to 2099: "deux mille vingt-trois" → 2023, "neuf" → 9, "1er" → 1.

    Returns None when a word is not a number word ("deux mille dix-vingt" is accepted
    as 2030, which is why callers cross-check years).
    """
    tokens = [t for t in fold(words).split() if t != "et"]
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].isdigit():
        return int(tokens[0])
    if tokens == ["1er"]:
        return 1
    total, current = 0, 0
    for tok in tokens:
        if tok == "mille":
            total += (current or 1) * 1000
            current = 0
        elif tok in ("cent", "cents"):
            current = (current or 1) * 100
        elif tok in _UNITS:
            value = _UNITS[tok]
            if value == 20 and current % 100 == 4:  # quatre-vingt
                current = current - 4 + 80
            else:
                current += value
        else:
            return None
    return total + current


def formula_date(text: str) -> str | None:
    """The date of "L'an deux mille vingt-trois, le 5 décembre" → "2023-12-05"."""
    m = _FORMULA.search(fold_head(text))
    if not m:
        return None
    year = french_number(m.group(1))
    day = french_number(m.group(2))
    if year is None or day is None or not 1990 <= year <= 2099:
        return None
    return iso(str(day), MONTHS[m.group(3)], str(year))


def cue_date(text: str) -> str | None:
    """The first date introduced by "séance du", "Conseil municipal du", "réunion du"…

    A cue that follows "convocation", "destinataire", "approbation"… names another
    meeting and is skipped.
    """
    for m in _SESSION_CUES.finditer(text):
        before = text[max(0, m.start() - 60):m.start()]
        if _OTHER_MEETING.search(before):
            continue
        if m.group(2):
            return iso(m.group(2), MONTHS[m.group(3)], m.group(6))
        return iso(m.group(4), int(m.group(5)), m.group(6))
    return None


def first_plain_date(text: str) -> str | None:
    """The first written-out or numeric date that is not part of a legal reference."""
    folded = fold_head(text)
    for m in _WRITTEN.finditer(folded):
        if not _LEGAL_REF.search(folded[max(0, m.start() - 50):m.start()]):
            return iso(m.group(1), MONTHS[m.group(2)], m.group(3))
    for m in _NUMERIC.finditer(text):
        if not _LEGAL_REF.search(fold(text[max(0, m.start() - 50):m.start()]) + " "):
            return iso(m.group(1), int(m.group(2)), m.group(3))
    return None


def find_session_date(text: str, head: int = 6000) -> str | None:
    """The session's date, read from the opening of the document.

    Prefers a date introduced by "séance du", "réunion du", "conseil municipal du"…
    (skipping the convocation and the minutes being approved), then the legal
    opening formula ("L'an deux mille treize, le neuf juillet"), then the first date
    that is not part of a legal reference ("loi n° … du 23 mars 2020").  The title
    wins over the formula: in Pierrefonds' minutes of 26 June 2023 the formula says
    "le 29 juin" by mistake, and the next minutes approve those "du 26 juin 2023".
    """
    opening = text[:head]
    folded = fold_head(opening)
    met = met_date(folded)
    if met:
        return met
    cue, formula = cue_date(folded), formula_date(opening)
    if cue and formula and cue != formula:
        cue_at = min((m.start() for m in _SESSION_CUES.finditer(folded)), default=0)
        formula_at = _FORMULA.search(folded).start()
        if cue_at > formula_at:  # a date cited after the opening formula ("compte rendu de la séance du …")
            return formula
    return cue or formula or first_plain_date(opening)


# "Le 25 mars 2024, le conseil municipal de la commune de THYEZ s'est réuni …": the meeting formula.
_MET = re.compile(r"\ble (?:" + _WEEKDAY + r")?(1er|\d{1,2}) " + _MONTH + r" ((?:19|20)\d\d)\s*(?:a [^,]{1,30})?,?\s*"
                  r"(?:le|la) (?:conseil|assemblee|comite)[^.]{0,140}?\bs est reuni")


def met_date(folded: str) -> str | None:
    """``Le 25 mars 2024, le conseil municipal … s'est réuni`` → "2024-03-25" (folded text)."""
    m = _MET.search(folded)
    return iso(m.group(1), MONTHS[m.group(2)], m.group(3)) if m else None


_NAME_DATE = (
    re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(\d\d)[-_.]?(\d\d)(?!\d)"),  # 20250306, 2025-03-06
    re.compile(r"(?<!\d)(\d{1,2})[-_.](\d{1,2})[-_.]((?:19|20)\d\d)(?!\d)"),  # 14-12-2015
)


def date_from_name(name: str) -> str | None:
    """A date spelled in a file name: "CM-05-decembre-2023", "compte-rendu-14-12-2015", "20250306-PV".

    Only a fallback: the date inside the document is the one to trust.
    """
    folded = fold(name)
    m = re.search(r"\b(1er|\d{1,2}) " + _MONTH + r" ((?:19|20)\d\d)\b", folded)
    if m:
        return iso(m.group(1), MONTHS[m.group(2)], m.group(3))
    m = _NAME_DATE[0].search(name)
    if m and 1 <= int(m.group(2)) <= 12:
        return iso(m.group(3), int(m.group(2)), m.group(1))
    m = _NAME_DATE[1].search(name)
    if m:
        return iso(m.group(1), int(m.group(2)), m.group(3))
    return None


_TIME = re.compile(r"(\d{1,2})\s*(?:heures?|h)\s*(\d{2})?\b", re.I)


def parse_time(text: str) -> str | None:
    """"10 heures 03" / "14h39" / "20 h" → "10:03"."""
    m = _TIME.search(text)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"
