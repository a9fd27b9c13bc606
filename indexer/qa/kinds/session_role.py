"""Who chaired the session, who was its secretary: « Qui était secrétaire de séance ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ...people import fold, surname_of
from ..common import Cite, Draft, session_label
from ..knowledge import Knowledge, RecordKnowledge


def ask_session_role(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    rk = rks[-1]
    s = rk.record.session
    if re.search(r"secretar|secretaire", q):
        name, what, pat = s.secretary, "Secrétaire de séance", r"secr[ée]ta"
    else:
        name, what, pat = s.president, "Présidence de la séance", r"pr[ée]siden"
    if not name:
        return None
    key = fold(surname_of(name))
    cites = []
    for sent in rk.sentences:
        if key and f" {key} " in f" {' '.join(sent.toks)} " and re.search(pat, sent.text, re.IGNORECASE):
            cites.append(Cite(rk, rk.units[sent.unit], sent.text))
            break
    if not cites:
        return None
    answer = f"{what} : {name} ({session_label(rk.record)})."
    return Draft(True, answer, "presidence", 0.95, cites)



_ROLE_Q = re.compile(r"secretaire de seance|secretariat|secretaire|president de (?:la )?seance|"
                     r"qui (?:presidait|a preside|preside) (?:la )?(?:seance|reunion|assemblee|conseil)|sous la presidence|"
                     r"qui presidait\s*$")

KINDS = [Kind("presidence", 50, lambda q, kn: bool(_ROLE_Q.search(q)), ask_session_role, specific=True)]
