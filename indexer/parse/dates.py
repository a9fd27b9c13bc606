"""French dates and times as written in minutes → ISO strings."""

from __future__ import annotations

import re

from ..people import fold

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}

_WRITTEN = re.compile(r"\b(1er|\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+((?:19|20)\d\d)\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d\d)\b")
# Phrases that introduce the date of the session itself.
_SESSION_CUES = re.compile(
    r"(seance|reunion|conseil municipal|conseil departemental|proces verbal|compte rendu)"
    r"[^\n]{0,80}?\b(?:du|le|en date du)\s+(?:lundi |mardi |mercredi |jeudi |vendredi |samedi |dimanche )?"
    r"(1er|\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+((?:19|20)\d\d)")


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


def find_session_date(text: str, head: int = 6000) -> str | None:
    """The session's date, read from the opening of the document.

    Prefers a date introduced by "séance du", "réunion du", "conseil municipal du"…,
    then the first written-out date, then the first numeric date.
    """
    opening = fold(text[:head])
    m = _SESSION_CUES.search(opening)
    if m:
        return iso(m.group(2), MONTHS[m.group(3)], m.group(4))
    return parse_french_date(text[:head])


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
