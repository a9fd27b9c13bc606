"""Departmental acts: the vœux filed by groups and the adopted deliberations (visas, articles, vote,
receipt, annexed report), read after the debate."""

from __future__ import annotations

import re

from ..model import Deliberation, Wish
from ..people import fold
from .dates import parse_french_date
from .report_tables import split_tables, table_title
from .rules.vote_blocks import is_vote_block, parse_result, parse_vote_block
from .departmental import Para, _State, _sentence_case


# -- vœux ----------------------------------------------------------------------------

_WISH_TITLE = re.compile(r"^V(?:œ|oe)u\b", re.IGNORECASE)
_FILED_BY = re.compile(r"^(?:V(?:œ|oe)u\s+)?(?:d[ée]pos[ée]|pr[ée]sent[ée])\s+par\s+(?:le\s+)?(?P<group>.+?)\.?$",
                       re.IGNORECASE)
_RUNNING = re.compile(r"^(SEANCE DU CONSEIL|Conseil d[ée]partemental du|S[ée]ance du \d)", re.IGNORECASE)


def _parse_wishes(paras: list[Para], state: _State) -> None:
    blocks: list[list[Para]] = []
    for para in paras[1:]:
        first = para.text.splitlines()[0]
        if re.fullmatch(r"V(?:Œ|OE)UX", first.strip()):
            continue
        if _WISH_TITLE.match(first):
            blocks.append([para])
        elif blocks:
            blocks[-1].append(para)
    for n, block in enumerate(blocks, start=1):
        _wish(block, n, state)


def _wish(block: list[Para], n: int, state: _State) -> None:
    title = " ".join(block[0].text.split())
    group = ""
    m = _FILED_BY.match(title)
    body: list[Para] = []
    rest = block[1:]
    if m:  # "Vœu présenté par le groupe RN": the real title follows
        group = m.group("group")
        rest = [p for p in rest if not re.fullmatch(r"[*\s]+", p.text)]
        title = " ".join(rest[0].text.split()) if rest else title
        rest = rest[1:]
    for para in rest:
        flat = " ".join(para.text.split())
        fm = _FILED_BY.match(flat)
        if fm and not group:
            group = fm.group("group")
            continue
        if _RUNNING.match(flat) or re.fullmatch(r"[*\s]+", flat):
            continue
        body.append(para)
    signatories: list[str] = []
    while body and _is_signature_block(body[-1].text):
        signatories[:0] = _signature_names(body.pop().text)
    group_name = _canonical_group(group, state)
    wish = Wish(id=f"{state.record.session.id}/v{n}", title=title, group=group_name, signatories=[],
                text="\n\n".join(_keep_list_lines(p.text) for p in body), page=block[0].page)
    for raw in signatories:
        person = state.roster.add(raw, group=group_name)
        wish.signatories.append(person.name)
    state.record.wishes.append(wish)


def _keep_list_lines(text: str) -> str:
    """Join wrapped lines, but keep "- item" lines of a list on their own line."""
    out: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if out and not line.startswith(("- ", "• ")):
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


_SIG_NAME = re.compile(r"^(?:Monsieur |Madame |M\. |Mme )?[A-ZÀ-Ý][a-zà-ÿ]+(?:[- ][A-ZÀ-Ý][a-zà-ÿ]+)?\s+[A-ZÀ-Ý][A-ZÀ-Ý' -]+$")


def _signature_names(text: str) -> list[str]:
    names = []
    for line in text.splitlines():
        for part in line.split(","):
            part = part.strip().rstrip(".")
            if _SIG_NAME.match(part):
                names.append(part)
    return names


def _is_signature_block(text: str) -> bool:
    """"Mireille HINGREZ-CEREDA, Présidente du groupe …" / "Anouk BRETON, Valérie CUVILLIER, …" / "Monsieur Ludovic PAJOT"."""
    lines = text.splitlines()
    named = sum(1 for line in lines if _SIG_NAME.match(line.split(",")[0].strip().rstrip(".")))
    return named >= max(1, len(lines) // 2) and len(text) < 2000


def _canonical_group(raw: str, state: _State) -> str:
    """"groupe socialiste, républicain et citoyen" → "Groupe Socialiste, Républicain et Citoyen";
    "groupe RN" → "Groupe Rassemblement National" (initials), using the groups named in vote blocks."""
    raw = " ".join(raw.split()).rstrip(".")
    if not raw:
        return ""
    known = _known_groups(state)
    key = fold(raw if raw.lower().startswith("groupe") else f"groupe {raw}")
    for g in known:
        if fold(g) == key:
            return g
    abbrev = key.replace("groupe ", "").replace(" ", "")
    for g in known:
        words = [w for w in fold(g).split() if w not in ("groupe", "pour", "le", "la", "de", "du", "et", "des")]
        if "".join(w[0] for w in words) == abbrev:
            return g
    return raw[:1].upper() + raw[1:]


def _known_groups(state: _State) -> list[str]:
    seen: list[str] = []
    for vote in state.record.votes:
        for g in vote.for_groups + vote.against_groups + vote.abstention_groups + vote.absent_groups:
            g = re.sub(r"\s*\(.*\)$", "", g)
            if g.lower().startswith("groupe") and g not in seen:
                seen.append(g)
    return seen


# -- deliberations ---------------------------------------------------------------------

_RECEIPT = re.compile(r"^Accus[ée] de r[ée]ception en pr[ée]fecture\s*:\s*(\S+)", re.IGNORECASE)
_DELIB_NUMBER = re.compile(r"^\(N°\s*(\d{4}-\d+)\)$")
_PUBLISHED = re.compile(r"^Publication [ée]lectronique le\s*:\s*(.+)$", re.IGNORECASE)
_ARTICLE = re.compile(r"^Article\s+(\d+|premier|1er|unique)\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_DECISION = re.compile(r"^(?:DECIDE|D[ÉE]CIDE|DONNE ACTE|PREND ACTE|ARR[ÊE]TE|ADOPTE)\b[^:]*:\s*(.*)$")
_SIGNED = re.compile(r"^([A-ZÀ-Ý][A-ZÀ-Ý' -]+),\s+le\s+(.+\d{4})$")
_ANNEX_REPORT = re.compile(r"^RAPPORT N°\s*(\d+)", re.IGNORECASE)


def _parse_deliberations(paras: list[Para], state: _State) -> None:
    blocks: list[list[Para]] = []
    for para in paras:
        if _RECEIPT.match(para.text):
            blocks.append([para])
        elif blocks:
            blocks[-1].append(para)
    for block in blocks:
        delib = _deliberation(block, state)
        if delib is not None:
            state.record.deliberations.append(delib)


def _deliberation(block: list[Para], state: _State) -> Deliberation | None:
    receipt = _RECEIPT.match(block[0].text).group(1)
    number_at = next((i for i, p in enumerate(block) if _DELIB_NUMBER.match(p.text.strip())), None)
    if number_at is None:
        state.record.warnings.append(f"délibération sans numéro après l'accusé de réception {receipt}")
        return None
    number = _DELIB_NUMBER.match(block[number_at].text.strip()).group(1)
    heading = " ".join(block[number_at - 1].text.split()) if number_at else ""
    delib = Deliberation(number=number, title=_sentence_case(heading), receipt_id=receipt, page=block[0].page)
    for para in block[1:number_at]:
        m = _PUBLISHED.match(" ".join(para.text.split()))
        if m:
            delib.published = parse_french_date(m.group(1)) or ""
    section = "visas"
    article: list[str] = []
    report: list[str] = []
    for para in block[number_at + 1:]:
        text = para.text
        if "|" in text and section in ("report", "articles"):  # tables kept as tables, out of the text
            part = "rapport" if section == "report" else (article[0].rstrip(" :").lower() if article else "décision")
            text, found = split_tables(text, para.page, part)
            flat = " ".join(text.split())
            for t in found:
                t.at, t.joined = len(report) + (1 if flat else 0), bool(flat)
                if not t.title and not flat and section == "report" and report:
                    t.title = table_title(report[-1])
            delib.tables += found
            if not flat:
                continue
        flat = " ".join(text.split())
        if section == "report":
            report.append(flat)
            continue
        m = _ANNEX_REPORT.match(flat)
        if m:
            section = "report"
            number_k = int(m.group(1))
            delib.item = f"rapport-{number_k}"
            delib.report_page = para.page
            continue
        if section == "visas":
            decision = _DECISION.match(flat)
            if decision:
                section = "articles"
                flat = decision.group(1).strip()
                if not flat:
                    continue
            else:
                delib.visas.extend(" ".join(v.split()) for v in re.split(r"\n(?=Vu )", para.text)
                                   if v.startswith("Vu "))
                continue
        if section == "articles":
            m = _ARTICLE.match(flat)
            if m:
                if article:
                    delib.articles.append(" ".join(article))
                article = [f"Article {m.group(1)} :"] + ([m.group(2)] if m.group(2) else [])
                continue
            if flat.startswith("Dans les conditions de vote"):
                if article:
                    delib.articles.append(" ".join(article))
                    article = []
                section = "vote"
                continue
            article.append(flat)
            continue
        if section == "vote":
            if is_vote_block(flat):
                delib.vote = parse_vote_block(flat)
                delib.vote.deliberation = number
                delib.vote.page = para.page
                continue
            result = parse_result(flat)
            if result and delib.vote is not None:
                delib.vote.result = result
                continue
            m = _SIGNED.match(flat)
            if m:
                delib.signed_place = m.group(1).title()
                delib.signed_date = parse_french_date(m.group(2)) or ""
                section = "annexes"
            continue
    if article:
        delib.articles.append(" ".join(article))
    delib.report = "\n\n".join(report)
    if report:
        delib.report_title = report[0][:300]
    if delib.vote is not None:
        delib.vote.item = delib.item
        state.record.votes.append(delib.vote)
    return delib


# -- tying things together -----------------------------------------------------------
