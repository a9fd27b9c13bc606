"""Vœux: who filed them, signatories, what became of them."""

from __future__ import annotations

import re

from ..kind import Kind
from ...model import Wish
from ...people import fold
from ..common import (
    Cite, Draft, GROUP_ALIASES, french_date, named_group, rank_objects, session_label, stems_of, topic_stems,
)
from ..knowledge import Knowledge, RecordKnowledge, Unit, wish_url
from ..retrieval import best_sentences
from ..text import stem


def ask_wish(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, kn=kn)
    group = named_group(kn, q)
    if group is not None:
        topic = topic_stems(q, set(fold(group).split()) | set(GROUP_ALIASES), kn=kn)
    objects = [(rk, w, f"{w.title} {w.outcome} {w.text[:600]}") for rk in kn.parts for w in rk.record.wishes]
    matches = rank_objects(kn, topic, objects, 0.5) if topic else []
    if not matches and group is not None:
        return _wishes_of_group(kn, group)
    if not matches and re.search(r"\bvoeux\b", q) and (not topic or re.search(r"\bsuites?\b|devenir|\bsort\b", q)):
        return _all_wishes(kn)
    if not matches:
        return None
    best = matches[0]
    ties = [m for m in matches if m.score == best.score]
    if len(ties) > 1:  # "le vœu sur les gares" fits two vœux: name them all rather than pick one
        cites = [Cite(m.rk, Unit(m.obj.id, "voeu", m.rk.sid, m.rk.record.session.date, m.obj.group, None, None,
                                 wish_url(m.rk.record, m.obj), m.obj.page, ref=m.obj.id),
                      f"{m.obj.title} — Déposé par le {m.obj.group}") for m in ties[:3]]
        listing = " ; ".join(f"« {m.obj.title} », déposé par le {m.obj.group or 'groupe non précisé'}"
                             + (f" ({', '.join(m.obj.signatories)})" if re.search(r"signataire|\bsigne", q)
                                and m.obj.signatories else "") for m in ties)
        return Draft(True, f"{len(ties)} vœux correspondent : {listing}.", "voeu", round(0.5 + 0.3 * best.score, 2),
                     cites)
    w: Wish = best.obj  # type: ignore[assignment]
    rk = best.rk
    if not w.group and not w.signatories:
        return None
    quote = f"{w.title} — Déposé par le {w.group}" if w.group else w.title
    cites = [Cite(rk, Unit(w.id, "voeu", rk.sid, rk.record.session.date, w.group, None, None, wish_url(rk.record, w),
                           w.page, ref=w.id), quote)]
    # the debate sentence where the vœu is announced
    title_stems = stems_of(w.title)
    for s in best_sentences(kn, [t for t in topic if t in title_stems] or topic, kinds={"intervention"},
                            min_cov=0.6, limit=3):
        if s.rk is rk:
            cites.append(Cite(rk, s.unit, s.sentence.text))
            break
    if w.outcome:
        for i, u in enumerate(rk.units):
            if u.kind != "intervention":
                continue
            hit = next((rk.sentences[si] for si in rk.by_unit.get(i, [])
                        if "voeu" in rk.sentences[si].stems and stems_of(w.outcome) & rk.sentences[si].stems
                        and rk.sentences[si].stems & {stem(w) for w in ("transmettre", "transmis", "adopte", "rejete")}), None)
            if hit is not None:
                cites.append(Cite(rk, u, hit.text))
                break
    who = w.group or ", ".join(w.signatories[:3])
    signed = ""
    if w.signatories:
        more = f" et {len(w.signatories) - 3} autres" if len(w.signatories) > 3 else ""
        signed = f" (signataires : {', '.join(w.signatories[:3])}{more})"
    outcome = f" Suite donnée : {w.outcome}." if w.outcome else ""
    answer = f"Le vœu « {w.title} » a été déposé par le {who}{signed} ({session_label(rk.record)}).{outcome}"
    if re.search(r"signataire|\bsigne", q) and w.signatories and not re.search(r"\bcombien\b", q):
        answer = (f"Signataires du vœu « {w.title} » ({w.group}, {session_label(rk.record)}) : "
                  f"{', '.join(w.signatories)}.")
    if re.search(r"\bcombien\b", q) and re.search(r"sign", q) and w.signatories:
        n = len(w.signatories)
        answer = (f"{n} signataire{'s' if n > 1 else ''} pour le vœu « {w.title} » ({w.group}) : "
                  f"{', '.join(w.signatories)}.")
    return Draft(True, answer, "voeu", round(min(0.95, 0.6 + 0.35 * best.score), 2), cites)


def _all_wishes(kn: Knowledge) -> Draft | None:
    found = [(rk, w) for rk in kn.parts for w in rk.record.wishes]
    if not found:
        return None
    cites = [Cite(rk, Unit(w.id, "voeu", rk.sid, rk.record.session.date, w.group, None, None, wish_url(rk.record, w),
                           w.page, ref=w.id), f"{w.title} — Déposé par le {w.group}") for rk, w in found[:2]]
    rk0 = found[-1][0]
    for i, u in enumerate(rk0.units):  # the sentence that says what becomes of them
        hit = next((rk0.sentences[si] for si in rk0.by_unit.get(i, []) if u.kind == "intervention"
                    and "voeu" in rk0.sentences[si].stems
                    and rk0.sentences[si].stems & {stem(x) for x in ("transmettre", "adopter", "voter")}), None)
        if hit is not None:
            cites.insert(0, Cite(rk0, u, hit.text))
            break
    lines = " ; ".join(f"« {w.title} » ({w.group}{' : ' + w.outcome if w.outcome else ''})" for _, w in found)
    return Draft(True, f"{len(found)} vœu(x) : {lines}.", "voeu", 0.8, cites[:3])


def _wishes_of_group(kn: Knowledge, group: str) -> Draft | None:
    key = fold(group)
    found = [(rk, w) for rk in kn.parts for w in rk.record.wishes if fold(w.group).startswith(key)]
    if not found:
        return None
    cites = [Cite(rk, Unit(w.id, "voeu", rk.sid, rk.record.session.date, w.group, None, None, wish_url(rk.record, w),
                           w.page, ref=w.id), f"{w.title} — Déposé par le {w.group}") for rk, w in found[:3]]
    titles = " ; ".join(f"« {w.title} » ({french_date(rk.record.session.date)})" for rk, w in found)
    return Draft(True, f"Vœux déposés par le {group} : {titles}.", "voeu", 0.85, cites)



KINDS = [Kind("voeu", 10, lambda q, kn: bool(re.search(r"\bvoeu", q))
              and not (re.search(r"\bcombien\b", q) and not re.search(r"\bvoeux\b|\bsign", q)), ask_wish, specific=True)]
