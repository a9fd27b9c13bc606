"""The scope of a question: which sessions it is about (a day, a month, years, a council).

    >>> scope_of("qui etait secretaire de seance lors du conseil municipal du 19 aout 2021").day
    '2021-08-19'
    >>> scope_of("qui etait maire de pierrefonds en 2024").years
    (2024,)

A day or a month names sessions: only those are read, and when the archive holds none
the answer says so (« aucune séance du 15 juillet 2019 dans les procès-verbaux indexés »).
A year is softer: « en 2024 » may be the year of the session or of the fact a later
session reports (« 410 ménages … en 2024 »), so sessions of that year come first and
evidence from any other session must state the year itself (`Knowledge.years`, `Knowledge.fits_years`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..people import fold
from .common import MONTHS, french_date
from .knowledge import Knowledge, RecordKnowledge

_GENERIC_BODY_WORDS = frozenset({"conseil", "de", "du", "des", "la", "le", "l", "d", "et", "commune", "ville",
                                 "seance", "assemblee"})
#: Words naming the kind of council, never a topic.
_KIND_OF_BODY = frozenset({"municipal", "municipale", "departemental", "departementale", "communautaire",
                           "regional", "regionale"})
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"


@dataclass(frozen=True)
class Scope:
    day: str | None = None  # "2021-08-19"
    month: str | None = None  # "2018-07"
    years: tuple[int, ...] = ()  # years named anywhere in the question (sessions or facts)
    words: frozenset[str] = frozenset()  # folded words of the day or month named ("27", "janvier", "2025")
    since: int | None = None  # « depuis 2010 », « à partir de 2018 »: a range of years, not one year

    @property
    def dated(self) -> bool:
        return bool(self.day or self.month)

    def label(self) -> str:
        """« du 15 juillet 2019 », « de juillet 2018 », « de 2019 »."""
        if self.day:
            return f"du {french_date(self.day)}"
        if self.month:
            y, m = self.month.split("-")
            return f"de {MONTHS_FR_LOWER[int(m) - 1]} {y}"
        return "de " + " ou ".join(str(y) for y in self.years)

    def holds(self, date: str) -> bool:
        """The session of this ISO date is inside the day or month scope."""
        return bool((self.day and date == self.day) or (self.month and date.startswith(self.month)))


MONTHS_FR_LOWER = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                   "novembre", "décembre"]


#: What comes before a date of a fact, not of a session: "au 31 décembre 2024", "depuis juin 2023".
_FACT_DATE = re.compile(r"(?:\bau|\baux|depuis(?: le)?|avant(?: le)?|apres(?: le)?|jusqu (?:au|en)|a compter du|"
                        r"a partir (?:du|de)|d ici)\s*$")


def scope_of(q: str) -> Scope:
    """The day, month and years a folded question names; a day or month of a fact (« au 31 décembre
    2024 », « depuis juin 2023 ») names no session, only its year."""
    day = month = None
    patterns = [
        (r"\b(\d{1,2}|1er) (" + "|".join(MONTHS) + rf") ({_YEAR})\b",
         lambda m: f"{m.group(3)}-{MONTHS.index(m.group(2)) + 1:02d}-{1 if m.group(1) == '1er' else int(m.group(1)):02d}"),
        (rf"\b({_YEAR}) (\d{{2}}) (\d{{2}})\b", lambda m: f"{m.group(1)}-{m.group(2)}-{m.group(3)}"),
        (rf"\b(\d{{1,2}}) (\d{{1,2}}) ({_YEAR})\b",
         lambda m: f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if int(m.group(2)) <= 12 else None),
    ]
    words: frozenset[str] = frozenset()
    for rx, make in patterns:
        m = re.search(rx, q)
        if m and not _FACT_DATE.search(q[:m.start()]):
            day = make(m)
            if day:
                words = frozenset(m.group(0).split())
                break
    if day is None:
        m = re.search(r"\b(" + "|".join(MONTHS) + rf") ({_YEAR})\b", q)
        if m and not _FACT_DATE.search(q[:m.start()]) and not re.search(r"\b\d{1,2} $|\b1er $", q[:m.start()]):
            month = f"{m.group(2)}-{MONTHS.index(m.group(1)) + 1:02d}"
            words = frozenset(m.group(0).split())
    since_m = _SINCE.search(q)
    since = int(since_m.group(1)) if since_m else None
    years = tuple(sorted({int(m.group(0)) for m in re.finditer(rf"\b{_YEAR}\b", q)
                          if not (since_m and m.start() == since_m.start(1))}))
    return Scope(day, month, years, words, since)


#: « depuis 2010 », « depuis l'année 2010 », « à partir de 2018 », « à compter de 2020 »: every year
#: from then on (« entre 2017 et 2020 » names two years)
_SINCE = re.compile(rf"\b(?:depuis|a partir de|a compter de)(?: l annee| l an)? ({_YEAR})\b(?! et\b| jusqu)")


def body_words(rk: RecordKnowledge) -> set[str]:
    """Distinctive words of the council's name ("pierrefonds", "lannion"); the session id only when
    the body is unknown (an id such as "compte-rendu-…" names no council)."""
    words = set(fold(rk.record.session.body or rk.sid).split())
    return {w for w in words - _GENERIC_BODY_WORDS if len(w) > 3 and not w.isdigit()}


def body_filter(parts: list[RecordKnowledge], q: str) -> list[RecordKnowledge]:
    """Sessions of the council the question names ("du Pas-de-Calais", "municipal de Lannion").

    A word shared by many councils ("municipal") weighs less than a name ("lannion"):
    only the sessions with the best score are kept.
    """
    padded = f" {q} "
    words = {rk.sid: body_words(rk) for rk in parts}
    df: dict[str, int] = {}
    for ws in words.values():
        for w in ws:
            df[w] = df.get(w, 0) + 1
    scores = {sid: sum(1 / df[w] for w in ws if f" {w} " in padded) for sid, ws in words.items()}
    best = max(scores.values(), default=0.0)
    if best <= 0:
        return []
    return [rk for rk in parts if scores[rk.sid] == best]


@dataclass
class Scoped:
    """The knowledge a question reads, and what its scope left out."""

    kn: Knowledge
    scope: Scope
    missing: str | None = None  # « aucune séance … » when the scope names sessions the archive lacks


def select_parts(kn: Knowledge, q: str) -> Scoped:
    """The sessions a question names by council, day, month or year."""
    scope = scope_of(q)
    parts = kn.parts
    ignore: frozenset[str] = frozenset()
    padded = f" {q} "
    if len({rk.record.session.body for rk in parts}) > 1:
        chosen = body_filter(parts, q)
        if chosen:  # "au conseil municipal de Lannion" says which council, not what about
            ignore = frozenset(w for rk in chosen for w in body_words(rk) if f" {w} " in padded)
            parts = chosen
    ignore |= frozenset(w for w in _KIND_OF_BODY if f" conseil {w} " in padded)
    missing = None
    years: frozenset[int] = frozenset()
    ignore = ignore | scope.words  # "du 27 janvier 2025" says which session, not what about
    if scope.dated:
        dated = [rk for rk in parts if scope.holds(rk.record.session.date)]
        if not dated:
            missing = f"aucune séance {scope.label()} dans les procès-verbaux indexés"
        parts = dated
    elif scope.since is not None:  # « depuis 2010 »: the sessions from then on, none of them required
        parts = [rk for rk in parts if int(rk.record.session.date[:4] or 0) >= scope.since]
        if not parts:
            missing = f"aucune séance depuis {scope.since} dans les procès-verbaux indexés"
    if not scope.dated and scope.years:
        years = frozenset(scope.years)
        if not any(int(rk.record.session.date[:4] or 0) in years for rk in parts):
            missing = f"aucune séance {scope.label()} dans les procès-verbaux indexés"
    if parts is kn.parts and not years and not ignore:
        return Scoped(kn, scope, missing)
    return Scoped(Knowledge(parts=parts, df=kn.df, total=kn.total, ignore=ignore, years=years), scope, missing)
