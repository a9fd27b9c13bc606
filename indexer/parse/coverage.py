"""Coverage: what the text signals against what the parser read, so that a parse is never silently partial.

Counted on the document's own text, independently of the layout that read it:

- decision formulas (``après en avoir délibéré``, ``DECISION :``, ``à l'unanimité``, ``Motion Carried 6-1``,
  ``prend acte`` …) against the votes and outcomes read;
- numbered headings (``1.``, ``II -``, ``N° 2018-024``, ``2014/25 –``) against the agenda items read;
- the share of the text attributed to a speaker or an item;
- the dates seen in the opening, against the session date retained.

Each gap gives a French warning naming its page (« page 12 : 3 formules de décision, 1 vote lu »), and
`quality_line` sums the whole up in one line for ``minutes parse``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ..model import Coverage, Record
from ..people import fold, fold_head
from ..sources import Document
from .dates import MONTHS
from .rules.votes import (_NOT_A_DECISION, _holds, approved_without_remark, cued_decision, election_line, formula_lines,
                          noted_line, other_body, postponed_line)

_TALLY_EN = re.compile(r"\bMotion\s+(?:Carried|Passed|Failed|Lost|Defeated)\s+\d+\s*-\s*\d+", re.I)
_HEADING = re.compile(r"^(?:\d{1,3}(?:\.\d{1,2}){0,2}\s*(?:[.)°]|\s[-–])\s*[A-ZÀ-Ý«\"]|[IVX]{1,5}\s*[.\-–]\s+[A-ZÀ-Ý]|"
                      r"(?:N°\s*)?(?:19|20)\d\d\s*[/_.\-]\s*\d{1,4}\s*[-–:]\s*[A-ZÀ-Ý]|"
                      r"\d{2}-\d{3,4}\s+(?:\d{1,3}\.|\([A-Z]\))\s)")
_MAY_HEAD = re.compile(r"\s*[\dIVXN]")  # what a line `_HEADING` matches starts with
_DATE = re.compile(r"\b(1er|\d{1,2}) (" + "|".join(MONTHS) + r") ((?:19|20)\d\d)\b")
LOW = 0.6  # below this share of the signals read, the record is a partial reading


@dataclass
class TextSignals:
    """What the document's own text signals, whatever the record (`text_signals`)."""

    formulas: dict[int, int]  # page number -> decision formulas on it
    headings: int  # distinct lines shaped like a numbered heading
    dates_seen: list[str]  # ISO dates written in the opening


def text_signals(doc: Document) -> TextSignals:
    """The decision formulas, numbered headings and opening dates of a document's text: they
    depend on the text only, so that a run may count them in another process while it parses."""
    formulas: Counter[int] = Counter()
    headings: set[str] = set()
    for page in doc.pages:
        for raw, formula in zip(page.text.splitlines(), formula_lines(page.text)):
            if not formula and not _MAY_HEAD.match(raw):
                continue  # neither a formula nor a heading
            line = " ".join(raw.split())
            if not line:
                continue
            if _HEADING.match(line) and len(line) < 250 and len(line.split()) >= 3:
                headings.add(fold(line)[:60])  # a table of contents and the body give one heading
            if formula:
                n = _formulas_in(line)
                if n:
                    formulas[page.number] += n
    dates = {f"{m.group(3)}-{MONTHS[m.group(2)]:02d}-{int(1 if m.group(1) == '1er' else m.group(1)):02d}"
             for m in _DATE.finditer(fold_head(doc.text[:6000]))}
    return TextSignals(dict(formulas), len(headings), sorted(dates))


def measure(doc: Document, record: Record, signals: Callable[[], TextSignals] | None = None) -> Coverage:
    """Compare the text's signals with the record and add a warning per gap.  `signals`: a function
    that gives `text_signals(doc)`, counted elsewhere meanwhile (if it fails, they are counted here)."""
    text = None
    if signals is not None:
        try:
            text = signals()
        except Exception:  # noqa: BLE001 - another process that could not count them: counted here
            pass
    text = text or text_signals(doc)
    formulas = text.formulas
    votes: Counter[int] = Counter(v.page or 0 for v in record.votes)
    decided_items = {v.item for v in record.votes if v.item} | {d.item for d in record.deliberations if d.item}
    total_chars = sum(len(p.text) for p in doc.pages) or 1
    attributed = record_attributed(record)
    if record.coverage is not None:  # measured by the layout during its pass
        attributed = max(attributed, int(record.coverage.attributed * total_chars))
    cov = Coverage(
        decision_formulas=sum(formulas.values()),
        votes_read=len(record.votes),
        numbered_headings=text.headings,
        items=sum(1 for a in record.agenda if a.number is not None or a.deliberation),
        decided_items=len(decided_items),
        attributed=round(min(1.0, attributed / total_chars), 3),
        dates_seen=list(text.dates_seen),
    )
    gaps = []
    short = cov.votes_read < cov.decision_formulas  # pages are only checked when the whole falls short
    for page_no in sorted(formulas) if short else ():
        near = sum(votes.get(p, 0) for p in (page_no - 1, page_no, page_no + 1))
        if formulas[page_no] > near:
            gaps.append(page_no)
            n, v = formulas[page_no], votes.get(page_no, 0)
            record.warnings.append(f"page {page_no} : {n} formule{'s' if n > 1 else ''} de décision, "
                                   f"{v} vote{'s' if v > 1 else ''} lu{'s' if v > 1 else ''}")
    cov.pages_with_gaps = gaps
    if cov.decision_formulas and cov.votes_read < cov.decision_formulas * LOW:
        record.warnings.append(f"lecture partielle : {cov.decision_formulas} formules de décision, "
                               f"{cov.votes_read} votes lus")
    if cov.numbered_headings >= 3 and cov.items == 0:
        record.warnings.append(f"lecture partielle : {cov.numbered_headings} titres numérotés, aucun point lu")
    if cov.items >= 3 and cov.decided_items == 0:
        record.warnings.append(f"lecture partielle : {cov.items} points lus, aucun vote ni résultat lu")
    if record.session.date and cov.dates_seen and record.session.date not in cov.dates_seen \
            and record.layout not in ("citycouncil",):
        record.warnings.append(f"date retenue {record.session.date} absente des dates de l'en-tête "
                               f"({', '.join(cov.dates_seen[:4])})")
    cov.partial = bool((cov.decision_formulas and cov.votes_read < cov.decision_formulas * LOW)
                       or (cov.numbered_headings >= 3 and cov.items == 0)
                       or (cov.items >= 3 and cov.decided_items == 0)
                       or cov.attributed < 0.2)
    return cov


_VOTE_OR_RESULT = re.compile(r"^\W*(?:Vote|VOTE)\s*:|^\W*ADOPT[ÉE]|^\W*REJET[ÉE]")


@lru_cache(maxsize=16_384)
def _formulas_in(line: str) -> int:
    """How many decision formulas a line holds (whitespace collapsed, one `formula_lines` kept): the
    same lines come back within and across documents (« Vote : Pour à l'unanimité »)."""
    if _NOT_A_DECISION.match(line) or other_body(line):
        return 0
    n = len(_TALLY_EN.findall(line)) if _holds(line, ("motion",)) else 0
    if n:
        return n
    # (decision_sentence's own checks are those just made, and the line's formula words)
    decided = len(line) <= 400 and cued_decision(line) is not None
    return int(decided or noted_line(line) is not None or election_line(line) is not None
               or postponed_line(line) is not None or approved_without_remark(line) is not None
               or _VOTE_OR_RESULT.match(line) is not None)


def record_attributed(record: Record) -> int:
    """Characters the layout attributed to an item or a speaker (speeches, deliberations, item passages)."""
    chars = sum(len(sp.text) for sp in record.speeches)
    chars += sum(len(d.report) + sum(len(a) for a in d.articles) + len(d.title) for d in record.deliberations)
    # the tables moved out of reports and articles, cell by cell (with the " | " between cells)
    chars += sum(len(c) + 3 for d in record.deliberations for t in d.tables for row in [*t.header, *t.rows] for c in row)
    chars += sum(len(v.text) for v in record.votes)
    chars += sum(len(p.text) for p in record.passages if "-" in p.id.rsplit("/", 1)[-1])  # item passages
    return chars


def quality_line(record: Record) -> str:
    """``lecture complète : 24 points, 23 votes lus sur 24 formules de décision, 81 % du texte attribué``."""
    c = record.coverage
    if c is None:
        return "lecture : couverture non mesurée"
    head = "lecture partielle" if c.partial else "lecture complète"
    gaps = len(c.pages_with_gaps)
    return (f"{head} : {_n(c.items, 'point')} sur {_n(c.numbered_headings, 'titre numéroté', 'titres numérotés')}, "
            f"{_n(c.votes_read, 'vote lu', 'votes lus')} sur {_n(c.decision_formulas, 'formule de décision', 'formules de décision')}, "
            f"{round(c.attributed * 100)} % du texte attribué à un orateur ou un point"
            + (f", {_n(gaps, 'page à vérifier', 'pages à vérifier')} ({', '.join(map(str, c.pages_with_gaps[:6]))})"
               if gaps else ""))


def _n(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n <= 1 else (many or one + 's')}"
