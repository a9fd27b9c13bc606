"""A reviewable summary of a parsed record, pinned as a golden file.

Long texts are summarised by their first and last sentence and word count, so a
change to the parse shows up as a small, readable diff of the golden JSON.
"""

from __future__ import annotations

import re
from dataclasses import asdict

from indexer.model import Record


def first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.!?…])(?:\s|$)", text.strip(), re.DOTALL)
    return " ".join((m.group(1) if m else text).split())[:200]


def last_sentence(text: str) -> str:
    parts = re.split(r"(?<=[.!?…])\s+", text.strip())
    return " ".join(parts[-1].split())[-200:] if parts else ""


def summary(record: Record) -> dict:
    s = record.session
    return {
        "session": {k: getattr(s, k) for k in ("id", "body", "date", "start", "suspension", "resumption", "end",
                                               "president", "secretary", "in_office")}
        | {"present": len(s.present), "excused": s.excused, "absent": s.absent,
           "proxies": [f"{p.giver} → {p.holder}" for p in s.proxies],
           "movements": [f"{m.kind}: {m.person} ({m.item})" for m in s.movements]},
        "agenda": [f"{a.id} | {a.number} | {a.title} | {a.deliberation} | {a.rapporteur}" for a in record.agenda],
        "speeches": [
            {"id": sp.id, "label": sp.label, "speaker": sp.speaker, "person_id": sp.person_id, "item": sp.item,
             "role": sp.role, "page": sp.page, "words": sp.words,
             "first": first_sentence(sp.text), "last": last_sentence(sp.text)}
            for sp in record.speeches
        ],
        "stage_directions": [f"{d.order} {d.item}: {d.text}" for d in record.stage_directions],
        "votes": [
            {"item": v.item, "deliberation": v.deliberation, "for": v.for_, "against": v.against,
             "abstention": v.abstention, "absent": v.absent, "present": v.present, "proxies": v.proxies,
             "result": v.result, "for_groups": v.for_groups, "abstention_groups": v.abstention_groups,
             "absent_groups": v.absent_groups}
            for v in record.votes
        ],
        "deliberations": [
            {"number": d.number, "title": d.title, "item": d.item, "visas": len(d.visas),
             "articles": [first_sentence(a) for a in d.articles], "result": d.vote.result if d.vote else None,
             "signed": f"{d.signed_place} {d.signed_date}", "receipt": d.receipt_id, "published": d.published,
             "report_words": len(d.report.split()), "speeches": len(d.speeches)}
            for d in record.deliberations
        ],
        # tables kept as tables: per deliberation, how many and their rows; each one's place, size and first row
        "tables": [f"{d.number} | {t.part} | p. {t.page} | {t.title[:80]} | {len(t.header)} en-tête(s), "
                   f"{len(t.rows)} ligne(s) | {' ; '.join(c for c in t.rows[0] if c)[:120]}"
                   for d in record.deliberations for t in d.tables],
        "wishes": [{"title": w.title, "group": w.group, "signatories": w.signatories, "outcome": w.outcome,
                    "first": first_sentence(w.text)} for w in record.wishes],
        "persons": [f"{p.id} | {p.civility} {p.name} | {p.group} | {'; '.join(p.roles)} | {' / '.join(p.labels)}"
                    + (" | invité" if p.guest else "") for p in record.persons],
        "warnings": record.warnings,
        "coverage": asdict(record.coverage) if record.coverage else None,
        "named_dissent": [f"{v.item}: contre {v.against_groups} / abstention {v.abstention_groups}"
                          for v in record.votes if v.against_groups or v.abstention_groups],
    }
