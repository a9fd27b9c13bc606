"""Record → readable plain text for the terminal."""

from __future__ import annotations

from .model import Record, Vote


def vote_line(vote: Vote | None) -> str:
    if vote is None:
        return "vote non indiqué"
    parts = []
    if vote.for_ is not None:
        parts.append(f"pour {vote.for_}")
    if vote.against is not None:
        parts.append(f"contre {vote.against}")
    if vote.abstention is not None:
        parts.append(f"abstention {vote.abstention}")
    if vote.unanimous and not parts:
        parts.append("unanimité")
    counts = ", ".join(parts)
    return f"{vote.result or 'résultat non indiqué'}" + (f" ({counts})" if counts else "")


def record_as_text(record: Record) -> str:
    s = record.session
    out = [f"{s.body or 'Séance'} — {s.date or 'date inconnue'}"]
    times = [f"{label} {value}" for label, value in (("ouverture", s.start), ("suspension", s.suspension),
                                                   ("reprise", s.resumption), ("levée", s.end)) if value]
    if times:
        out.append("Horaires : " + ", ".join(times))
    if s.president:
        out.append(f"Président : {s.president}")
    if s.secretary:
        out.append(f"Secrétaire : {s.secretary}")
    if s.present or s.excused:
        out.append(f"Présents : {len(s.present)} — excusés : {len(s.excused)} — procurations : {len(s.proxies)}")
    out.append("")
    out.append(f"Ordre du jour ({len(record.agenda)} point{'s' if len(record.agenda) > 1 else ''})")
    for item in record.agenda:
        num = f"{item.number}. " if item.number is not None else "– "
        out.append(f"  {num}{item.title}")
    out.append("")
    out.append(f"Interventions : {len(record.speeches)} ; orateurs : {len({sp.person_id for sp in record.speeches})}")
    for sp in record.speeches:
        first = sp.text.split("\n", 1)[0]
        out.append(f"  [{sp.order:03d}] {sp.speaker} ({sp.item or '-'}, p. {sp.page or '?'}) : {first[:90]}")
    if record.deliberations:
        out.append("")
        out.append(f"Délibérations ({len(record.deliberations)})")
        for d in record.deliberations:
            tables = ""
            if d.tables:
                rows = sum(len(t.rows) for t in d.tables)
                tables = f" · {len(d.tables)} tableau{'x' if len(d.tables) > 1 else ''} ({rows} ligne{'s' if rows > 1 else ''})"
            out.append(f"  {d.number} {d.title} — {vote_line(d.vote)}{tables}")
    if record.wishes:
        out.append("")
        out.append(f"Vœux ({len(record.wishes)})")
        for w in record.wishes:
            out.append(f"  {w.title} — {w.group} ({len(w.signatories)} signataires)")
    if record.passages:
        out.append("")
        what = "mise en page non reconnue" if record.layout in ("pages", "municipal-pages") else "hors interventions"
        n = len(record.passages)
        out.append(f"Passages ({what}) : {n} page{'s' if n > 1 else ''}")
    from .parse.coverage import quality_line

    out.append("")
    out.append(quality_line(record))
    return "\n".join(out)
