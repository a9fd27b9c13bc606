"""Who directs or presides a body the minutes mention: « Qui préside Pas-de-Calais Actif ? »."""

from __future__ import annotations

import re

from ..kind import Kind
from ...people import fold, surname_of
from ..common import Cite, Draft, NAME_RE, PAST_RE, first_sentence_of, session_label, unit_index
from ..knowledge import Knowledge, RecordKnowledge
from ..text import STOPWORDS, stem


_DIRECT_RE = r"directeur|directrice|dirigeant|dirigeante|dirige|tete"


_PRESIDE_RE = r"president|presidente|preside|presidence|tete"


def _org_tokens(text: str) -> list[str]:
    return [t for t in fold(text).split() if t not in STOPWORDS and t not in {"groupement", "gip", "association"}]


def _contains_seq(toks: list[str], seq: list[str]) -> int:
    """Index where `seq` starts in `toks`, or -1."""
    n = len(seq)
    for i in range(len(toks) - n + 1):
        if toks[i:i + n] == seq:
            return i
    return -1


def _acronym_in(toks: list[str], acro: str) -> int:
    """Index of a run of words whose initials spell the acronym ("ars" ← agence regionale sante)."""
    n = len(acro)
    for i in range(len(toks) - n + 1):
        if "".join(t[0] for t in toks[i:i + n]) == acro:
            return i
    return -1


def ask_body_head(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    m = re.search(r"\b(?:qui (?:dirige|preside|pilote|anime)|(?:directeur|directrice|dirigeant|dirigeante|president|"
                  r"presidente|responsable)(?: general| generale)? (?:de|du|des|d)|a la tete (?:de|du|des|d))\s+(.+)$", q)
    if not m:
        return None
    if re.search(r"\b(?:premier|premiere|ancien|ancienne|anciens|precedent|precedente|ex|predecesseur|avant)\b", q):
        return None  # a former holder: the minutes name them in passing, never reliably
    org = _org_tokens(m.group(1))
    if len(kn.parts) < 8:  # "… de L'Arbresle": the council's own name is not part of the body asked about
        council = {w for rk in kn.parts for w in fold(rk.record.session.body).split() if len(w) > 3}
        org = [t for t in org if t not in council] or org
    if not org:
        return None
    wants = _PRESIDE_RE if re.search(r"presid", q) else _DIRECT_RE if re.search(r"dirig|direct", q) else \
        f"{_DIRECT_RE}|{_PRESIDE_RE}"
    role_re = re.compile(rf"\b(?:{wants})\b")
    votes: dict[str, float] = {}
    evidence: dict[str, list[Cite]] = {}
    names: dict[str, str] = {}
    for rk in kn.parts:
        persons_by_key = {fold(surname_of(p.name)): p for p in rk.record.persons}
        role_stems = {stem(w) for w in wants.split("|")}
        candidates_si = sorted({si for st in role_stems for si in rk.postings.get(st, ())})
        for si in candidates_si:
            sent = rk.sentences[si]
            toks = [t for t in sent.toks if t not in STOPWORDS]
            pos = _contains_seq(toks, org)
            phrase = " ".join(org)
            if pos < 0 and len(org) == 1 and 2 <= len(org[0]) <= 6:
                pos = _acronym_in(toks, org[0])
                phrase = " ".join(toks[pos:pos + len(org[0])])
            if pos < 0:
                continue
            folded = " ".join(sent.toks)
            if not role_re.search(folded):
                continue
            unit = rk.units[sent.unit]
            candidates: list[tuple[float, str]] = []
            text = sent.text
            # first person: "je devenais Présidente de X", "en tant que directeur de X"
            if unit.kind == "intervention" and unit.person_id and re.search(
                    rf"\b(?:je (?:suis|devenais|deviens|suis devenue?|reste)|en (?:ma|sa) qualite|en tant qu)\b[^.]{{0,20}}"
                    rf"\b(?:{wants})\b", folded):
                candidates.append((3.0, unit.person_id))
            # the role must be tied to the body: "Directeur de La Coupole", "Présidente du GIP Pas-de-Calais
            # Actif", "X, représenté par son directeur" — not "Vice-président … la FDE" ten words later
            role_pos = []
            for mm in re.finditer(rf"(?i)\b(?:{wants.replace('e', '[eéè]')})", text):
                ahead = " ".join(t for t in fold(text[mm.start():mm.start() + 120]).split() if t not in STOPWORDS)
                behind = fold(text[max(0, mm.start() - 100):mm.start()])
                first_words = " ".join(ahead.split()[:3 + len(phrase.split())])
                if phrase and phrase in first_words:
                    role_pos.append(mm.start())
                elif re.search(r"\b(?:son|sa)\s*$", behind) and phrase in " ".join(
                        t for t in behind.split() if t not in STOPWORDS):
                    role_pos.append(mm.start())
            if not role_pos and not candidates:
                continue
            found_names = []
            for nm in NAME_RE.finditer(text):
                full = (nm.group(1) or nm.group(2) or "").strip()
                person = persons_by_key.get(fold(surname_of(full)))
                if person is None and not nm.group(1):
                    continue
                found_names.append((nm, full, person))
            for rp in role_pos:
                # "NAME, Role de ORG" wins; else the nearest name, "Role de ORG, NAME" or "Role de ORG NAME"
                options = []
                for nm, full, person in found_names:
                    if nm.end() <= rp:
                        gap_text, before = text[nm.end():rp], True
                    elif nm.start() >= rp:
                        gap_text, before = text[rp:nm.start()], False
                    else:
                        continue
                    if PAST_RE.search(fold(gap_text)) or len(gap_text) > 90:
                        continue
                    if before:
                        rank = 0 if re.fullmatch(r"\s*[,(]?\s*", gap_text) else len(gap_text)
                    else:
                        tail = gap_text.rsplit(",", 1)[-1] if "," in gap_text else gap_text
                        rank = 1 + len(tail) if "," in gap_text else len(gap_text)
                    options.append((rank, full, person))
                if not options:
                    continue
                rank, full, person = min(options, key=lambda o: o[0])
                weight = 2.0 if rank <= 40 else 1.0
                pid = person.id if person else fold(full).replace(" ", "-")
                names.setdefault(pid, person.name if person else full)
                candidates.append((weight, pid))
            if PAST_RE.search(folded) and not candidates:
                continue
            # a signature: "Françoise VASSEUR" / "Présidente du GIP Pas-de-Calais Actif"
            if not candidates and si > 0 and rk.sentences[si - 1].unit == sent.unit:
                prev = rk.sentences[si - 1].text
                nm = NAME_RE.fullmatch(prev.strip(" .,"))
                if nm:
                    full = (nm.group(1) or nm.group(2) or "").strip()
                    person = persons_by_key.get(fold(surname_of(full)))
                    pid = person.id if person else fold(full).replace(" ", "-")
                    names.setdefault(pid, person.name if person else full)
                    candidates.append((2.0, pid))
                    text = f"{prev} — {text}"
            if not candidates:
                continue
            best_w = max(w for w, _ in candidates)
            for w, pid in candidates:
                if w < best_w:
                    continue
                if pid not in names:
                    p = rk.record.person(pid)
                    names[pid] = p.name if p else pid
                votes[pid] = votes.get(pid, 0.0) + w
                evidence.setdefault(pid, []).append(Cite(rk, unit, text))
    # roles the parser read from speaker labels ("Madame ROJON, Directrice générale des services :")
    for rk in kn.parts:
        for p in rk.record.persons:
            for role in p.roles:
                froles = fold(role)
                if not role_re.search(froles) or _contains_seq([t for t in froles.split() if t not in STOPWORDS],
                                                               org) < 0:
                    continue
                sp = next((x for x in rk.record.speeches if x.person_id == p.id and role in x.label), None)
                ui = unit_index(rk, sp.id, "intervention") if sp is not None else None
                if sp is None or ui is None:
                    continue
                first = first_sentence_of(rk, ui) or ""
                names.setdefault(p.id, p.name)
                votes[p.id] = votes.get(p.id, 0.0) + 2.0
                evidence.setdefault(p.id, []).append(Cite(rk, rk.units[ui], f"{sp.label} {first}".strip()))
    if not votes and re.search(r"\bqui dirige\b", q):  # an assembly is led by its president
        return ask_body_head(kn, re.sub(r"\bqui dirige\b", "qui preside", q), rks)
    if not votes:
        return None
    ranked = sorted(votes, key=lambda pid: votes[pid], reverse=True)
    top = ranked[0]
    if len(ranked) > 1 and votes[ranked[1]] == votes[top]:
        return None  # two people fit equally well: do not guess
    cites = evidence[top][:3]
    what = "direction" if wants == _DIRECT_RE else "présidence" if wants == _PRESIDE_RE else "direction ou présidence"
    answer = f"{names[top]} ({what}, d'après la {session_label(cites[0].rk.record)})."
    conf = min(0.95, 0.5 + 0.1 * votes[top])
    return Draft(True, answer, "direction", round(conf, 2), cites)



_HEAD_Q = re.compile(r"^qui (?:dirige|preside|pilote|anime)\b|^qui (?:est|etait|sera) (?:le |la |l )?(?:\w+ )?"
                     r"(?:directeur|directrice|dirigeant|dirigeante|president|presidente|responsable)\b|"
                     r"^qui (?:est|etait) a la tete\b")

KINDS = [Kind("direction", 70, lambda q, kn: bool(_HEAD_Q.search(q))
              and not re.search(r"\bseance\b|presid\w* (?:la |l )?(?:reunion|assemblee|conseil)", q),
              ask_body_head, specific=True)]
