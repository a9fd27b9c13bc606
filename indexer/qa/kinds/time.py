"""Times of the session: « À quelle heure la séance a-t-elle été suspendue ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ..common import Cite, Draft, hhmm, session_label
from ..knowledge import Knowledge, RecordKnowledge


def ask_time(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    events = [
        ("suspension", r"suspen|interromp|pause", "a été suspendue à", r"suspend"),
        ("resumption", r"repri|repren|reprend", "a repris à", r"repren|repris"),
        ("end", r"\bleve|termin|\bfin\b|fini|\bclos|clotur|achev|\bjusqu|\bdure", "a été levée à",
         r"lev[ée]e|termin|clos"),
        ("start", r"commenc|debut|ouvert|ouvre|ouverture|demarr", "a commencé à", r"d[ée]but|ouvert|commenc"),
    ]
    chosen = next((e for e in events if re.search(e[1], q)), None)
    if chosen is None:
        return None
    attr, _, verb, quote_re = chosen
    rk = rks[-1]
    value = getattr(rk.record.session, attr)
    if not value:
        return None
    h, _, m = value.partition(":")
    minutes = rf"(?:\s*{m})?" if m == "00" else rf"\s*{m}"
    time_re = re.compile(rf"\b{int(h)}\s*(?:h|heures?){minutes}\b", re.IGNORECASE)
    cites = []
    for si in rk.texts.matching(time_re):
        text = rk.texts[si]
        if re.search(quote_re, text, re.IGNORECASE):
            cites.append(Cite(rk, rk.units[rk.sentences[si].unit], text))
            break
    if not cites:
        return None
    answer = f"La séance {verb} {hhmm(value)} ({session_label(rk.record)})."
    return Draft(True, answer, "heure", 0.95, cites)



_TIME_EVENT = r"suspen|interromp|repri|repren|reprend|leve|termin|commenc|debut|ouvert|clos|clotur|\bfin\b|achev"


def asks_time(q: str, kn: Knowledge) -> bool:
    """« À quelle heure … », « début de séance », « quand la séance a-t-elle repris » (not « qui a proposé de reprendre »)."""
    if re.search(r"^qui\b", q):
        return False
    if re.search(r"^(?:heure (?:de |d )?)?(?:debut|fin|ouverture|cloture|suspension|reprise|levee) de (?:la )?seance", q):
        return True
    return bool((re.search(r"quelle heure|\bheures?\b", q) and re.search(r"seance|" + _TIME_EVENT, q)) or (
        re.search(r"^quand\b|a quel moment", q) and re.search(r"seance", q) and re.search(_TIME_EVENT, q)))


KINDS = [Kind("heure", 60, asks_time, ask_time, specific=True)]
