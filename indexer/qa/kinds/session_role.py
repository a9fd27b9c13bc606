"""Who chaired the session, who was its secretary: « Qui était secrétaire de séance ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ...people import fold, surname_of
from ..common import Cite, Draft, coverage, session_label, session_unit, topic_stems
from ..knowledge import Knowledge, RecordKnowledge


_CHAIR_FOR = re.compile(r"(?:M\.|Mme|Monsieur|Madame)\s+((?:[A-ZÉÈ][\w'’-]+\s+)*[A-ZÉÈ][A-ZÉÈÊËÏÎÔÇ'’-]{2,}|"
                        r"[A-ZÉÈ][\w'’-]+(?:\s+[A-ZÉÈ][\w'’-]+)*)[^.]{0,80}?\bpour pr[ée]sider\b")


def ask_chair_for(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """« Qui a présidé la séance pour le vote du compte administratif ? »: the member elected to chair
    while the mayor steps out (« ÉLIT Madame X … pour présider la séance pour le vote du … »)."""
    m = re.search(r"\bpour (?:le vote|l examen|la discussion)\b(.+)$", q)
    if not m:
        return None
    topic = topic_stems(m.group(1), kn=kn)
    for rk in reversed(rks):
        for sent in rk.sentences:
            if "presid" not in " ".join(sent.toks) or coverage(kn, topic, sent.stems) < 0.6:
                continue
            hit = _CHAIR_FOR.search(sent.text)
            if hit:
                return Draft(True, f"{hit.group(1).strip()} a présidé la séance pour ce vote ({session_label(rk.record)}).",
                             "presidence", 0.85, [Cite(rk, rk.units[sent.unit], sent.text)])
    return None


def ask_session_role(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    chair_for = ask_chair_for(kn, q, rks)
    if chair_for is not None:
        return chair_for
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
    for i, sent in enumerate(rk.sentences):
        if key and f" {key} " in f" {' '.join(sent.toks)} " and re.search(pat, sent.text, re.IGNORECASE):
            cites.append(Cite(rk, rk.units[sent.unit], sent.text))
            break
    if not cites:
        # « … à l'élection d'un secrétaire … » then « Mme X, ayant obtenu la majorité, a été désignée … »
        for i, sent in enumerate(rk.sentences[:-1]):
            after = rk.sentences[i + 1]
            if re.search(pat, sent.text, re.IGNORECASE) and f" {key} " in f" {' '.join(after.toks)} " \
                    and after.unit == sent.unit:
                cites.append(Cite(rk, rk.units[sent.unit], f"{sent.text} {after.text}"))
                break
    if not cites:
        return None
    answer = f"{what} : {name} ({session_label(rk.record)})."
    return Draft(True, answer, "presidence", 0.95, cites)



_ROLE_Q = re.compile(r"secretaire de seance|secretariat|secretaire|president de (?:la )?seance|"
                     r"qui (?:presidait|a preside|preside) (?:la |le |l )?(?:seance|reunion|assemblee|conseil)|sous la presidence|"
                     r"qui presidait\s*$")

KINDS = [Kind("presidence", 50, lambda q, kn: bool(_ROLE_Q.search(q)), ask_session_role, specific=True)]


def ask_mayor(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """« Qui est le maire ? »: who chairs the latest session asked about (a municipal council is chaired
    by its mayor), with that session's date, when the minutes call them mayor."""
    for rk in reversed(rks):
        s = rk.record.session
        if not s.president or "municipal" not in fold(s.body):
            continue
        key = fold(surname_of(s.president))
        latest = "la plus récente indexée" if rk is rks[-1] and not kn.years else ""
        when = f"{session_label(rk.record)}{', ' + latest if latest else ''}"
        for sent in rk.sentences[:80]:
            folded = f" {' '.join(sent.toks)} "
            if f" {key} " in folded and re.search(r"\bmaire\b", folded) and re.search(r"presid|maire", folded):
                return Draft(True, f"{s.president}, maire, présidait la {when}.", "maire", 0.85,
                             [Cite(rk, rk.units[sent.unit], sent.text)])
        # the header naming the chair is read into the record; the debate calls the chair the mayor
        chair = next((x for x in rk.sentences[:80] if re.match(r"(?:madame|monsieur) le maire\b", " ".join(x.toks))),
                     None)
        if chair is not None:
            return Draft(True, f"{s.president}, maire, présidait la {when}.", "maire", 0.8,
                         [Cite(rk, session_unit(rk, "deroule"), f"Présidence : {s.president}"),
                          Cite(rk, rk.units[chair.unit], chair.text)])
    return None


KINDS.append(Kind("maire", 45, lambda q, kn: bool(re.search(r"^qui (?:est|etait|sera) (?:le |la |l )?maire\b", q)),
                  ask_mayor, specific=True))
