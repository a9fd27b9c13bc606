"""Answer plain French questions from the minutes, with citations, offline.

    >>> ask("À quelle heure la séance a-t-elle été suspendue ?").answer   # doctest: +SKIP
    'La séance a été suspendue à 12 h 45 (séance du 22 septembre 2025).'

The question is folded (lower case, no accents) and classified into a kind by French
patterns (who presented, vote on, when suspended, who directs X, how much …); each
kind has an answerer in `indexer.qa.kinds` (routed by `indexer.qa.router`) that reads the parsed records and
returns an answer with 1 to 3 citations whose quote carries the fact.  When no
answerer can support an answer, the result says so plainly and offers the closest
passages as leads: a confident wrong answer is worse than none.
"""

from __future__ import annotations

import csv
import os
import re
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from .model import Record
from .people import fold
from .qa import common as E
from .qa.retrieval import leads
from .qa.router import classify
from .qa.scope import scope_of, select_parts
from .qa.text import QUESTION_WORDS, STOPWORDS, stem
from .qa.knowledge import Knowledge, RecordKnowledge, build

NOT_FOUND = "Je n'ai pas trouvé la réponse dans les procès-verbaux."
NO_INDEX = "Aucune séance n'est indexée : lancez d'abord « minutes index »."


@dataclass
class Citation:
    id: str
    session: str
    date: str
    speaker: str
    item: str
    quote: str
    url: str
    kind: str = ""


MAX_QUESTION_CHARS = 500  # a longer question is cut (and the answer says so)


@dataclass
class Answer:
    question: str
    found: bool
    answer: str
    kind: str
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    leads: list[Citation] = field(default_factory=list)  # closest passages when not found
    notice: str | None = None  # e.g. the question was cut at MAX_QUESTION_CHARS

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- classification

_POLITE = re.compile(r"^(?:(?:dis|dites|pouvez vous|peux tu|pourriez vous|sauriez vous|savez vous|sais tu)"
                     r"(?: moi| nous)?(?: dire)?|je (?:voudrais|veux|souhaite|souhaiterais|aimerais) savoir|"
                     r"j aimerais savoir|est ce que|est ce qu|on peut savoir|bonjour|merci)\s+")


def fold_question(question: str) -> str:
    """"Qu'a dit M. X ?" → "qu a dit m x"; polite openings ("Dites-moi", "Est-ce que") dropped."""
    q = fold(question)
    for _ in range(3):
        q2 = _POLITE.sub("", q)
        if q2 == q:
            break
        q = q2
    return q


def guess_kind(q: str) -> str:
    """A label for questions no answerer takes, for the JSON output."""
    return "inconnu"


# --------------------------------------------------------------------------- session filter

# --------------------------------------------------------------------------- answering

def _citation(c: E.Cite) -> Citation:
    u = c.unit
    item = c.rk.record.item(u.item)
    return Citation(id=u.id, session=u.session, date=u.date, speaker=u.speaker,
                    item=item.title if item else (u.item or ""), quote=c.quote, url=u.url, kind=u.kind)


#: Kinds answered from "the session" rather than from a topic.
SESSION_KINDS = frozenset({"presidence", "heure", "presences", "maire"})
_MUNICIPAL = re.compile(r"\b(?:conseil municipal|municipale?s?|mairie|commune de|ville de)\b")


def unknown_names(question: str, kn: Knowledge) -> list[str]:
    """Proper nouns of the question (capitalised, not first) that no indexed session knows, or a
    municipal council asked of an index that holds none."""
    words = re.findall(r"[\w’'-]+", question)
    known = frozenset().union(*(rk.name_tokens for rk in kn.parts))
    out = []
    for w in words[1:]:
        w = re.sub(r"^[LlDd]['’]", "", w)
        if len(w) > 2 and w[0].isupper() and not w.isupper():
            for tok in fold(w).split():
                if len(tok) > 2 and tok not in known and kn.df.get(stem(tok), 0) == 0:
                    out.append(w)
    q = fold(question)
    if _MUNICIPAL.search(q) and not any("municipal" in fold(rk.record.session.body) for rk in kn.parts):
        out.append("conseil municipal")
    return out


_QUOTED = re.compile(r"«\s*([^»]{2,80}?)\s*»|\"([^\"]{2,80})\"|“([^”]{2,80})”")


def quoted_names(question: str) -> list[str]:
    """The names a question quotes (« #Destination 62 », "Pass Permis"), folded: what it is about."""
    return [" ".join(fold(next(g for g in m.groups() if g)).split()) for m in _QUOTED.finditer(question)
            if fold(next(g for g in m.groups() if g)).strip()]


def holds_quoted(names: list[str], cites: list[E.Cite]) -> bool:
    """Every quoted name is written in a cited sentence or the title of its agenda item: an answer
    about « #Destination 62 » never rests on a sentence that only says « à destination des … »."""
    texts = []
    for c in cites:
        item = c.rk.record.item(c.unit.item)
        texts.append(" " + " ".join(fold(c.quote + " " + (item.title if item else "")).split()) + " ")
    return all(any(f" {n} " in t for t in texts) for n in names)


def answer_with(kn: Knowledge, question: str) -> Answer:
    """Answer one question against already-built knowledge."""
    q = fold_question(question)
    if not kn.parts:
        return Answer(question, False, NO_INDEX, "inconnu", 0.0)
    sc = select_parts(kn, q)
    scoped = sc.kn
    kinds = classify(q, kn)
    first_kind = kinds[0][0] if kinds else guess_kind(q)
    if not scoped.parts:  # a day or month the archive holds no session of
        return Answer(question, False, f"{NOT_FOUND} {sc.missing[0].upper()}{sc.missing[1:]}.", first_kind, 0.0)
    rks = sorted(scoped.parts, key=lambda rk: (rk.record.session.date, rk.sid))
    if scoped.years:  # questions about "the session" read the sessions of the years named
        rks = [rk for rk in rks if int(rk.record.session.date[:4] or 0) in scoped.years] or rks
    if unknown_names(question, kn) or sc.missing:
        # "… à L'Arbresle ?" on an index without L'Arbresle, "… en 2019" without a 2019 session: questions
        # about "the session" must not answer for another council or another year
        kinds = [(n, h) for n, h in kinds if n not in SESSION_KINDS]
    quoted = quoted_names(question)
    for name, handler in kinds:
        draft = handler(scoped, q, rks)
        if draft is not None and not draft.found and draft.final:
            lead_cites = [_citation(c) for c in draft.cites[:3]] or [_citation(c) for c in leads(scoped, q)]
            return Answer(question, False, f"{NOT_FOUND} {draft.answer}", draft.kind or name, 0.0, [], lead_cites)
        if draft is None or not draft.found or not draft.cites:
            continue
        if quoted and not holds_quoted(quoted, draft.cites[:3]):
            continue  # the evidence does not name what the question quotes
        cites = [_citation(c) for c in draft.cites[:3]]
        return Answer(question, True, draft.answer, draft.kind or name, draft.confidence, cites)
    lead_cites = [_citation(c) for c in leads(scoped, q)]
    text = f"{NOT_FOUND} {sc.missing[0].upper()}{sc.missing[1:]}." if sc.missing else NOT_FOUND
    if lead_cites:
        text += " Passages les plus proches : voir les pistes ci-dessous."
    return Answer(question, False, text, first_kind, 0.0, [], lead_cites)


def knowledge_of(records: list[Record]) -> Knowledge:
    """Knowledge for records held in memory (tests, the bundled file without an index)."""
    return Knowledge.of([build(r) for r in records])


#: Up to this many indexed sessions, every question reads them all; beyond, the search
#: index picks the sessions worth reading.
ALL_SESSIONS_UP_TO = 8
#: Sessions read per question on a large index (plus the most recent one).
CANDIDATE_SESSIONS = 10
#: ... or fewer when they are long: the sessions the search ranks first, up to this many units
#: (ten municipal minutes of ~40 units; five departmental sessions of ~650), at least MIN_SESSIONS.
UNIT_BUDGET = 3000
MIN_SESSIONS = 4


#: Sessions' knowledge kept in memory per process, by their number of sentences (a generated departmental
#: session has ~12 000 and takes ~9 MB, a municipal one a few hundred): one long session or a whole
#: municipal archive.  A session out of it is read again from the disk cache in milliseconds: at 100 generated
#: sessions budgets of 100 000, 30 000 and 15 000 gave the same answer CPU p95 (172-192 ms, bench_answer.py).
#: MINUTES_QA_BUDGET overrides it.
KNOWLEDGE_BUDGET = int(os.environ.get("MINUTES_QA_BUDGET", "") or 15_000)


class KnowledgeCache:
    """Each session's knowledge, loaded from disk once (concurrent first requests wait for the one
    load), the least recently used dropped beyond `budget` sentences."""

    def __init__(self, budget: int = KNOWLEDGE_BUDGET) -> None:
        self.budget = budget
        self._items: OrderedDict[tuple[str, str, str], RecordKnowledge | None] = OrderedDict()
        self._weight = 0
        self._guard = threading.Lock()
        self._loading: dict[tuple[str, str, str], threading.Lock] = {}

    @staticmethod
    def _weigh(rk: RecordKnowledge | None) -> int:
        return 1 + (len(rk.sentences) if rk is not None else 0)

    def __call__(self, home: str, session_id: str, key: str) -> RecordKnowledge | None:
        k = (home, session_id, key)
        with self._guard:
            if k in self._items:
                self._items.move_to_end(k)
                return self._items[k]
            lock = self._loading.setdefault(k, threading.Lock())
        with lock:
            with self._guard:
                if k in self._items:
                    return self._items[k]
            from .qa.store import load_knowledge

            rk = load_knowledge(Path(home), session_id, key)
            with self._guard:
                self._items[k] = rk
                self._weight += self._weigh(rk)
                while self._weight > self.budget and len(self._items) > 1:
                    _, old = self._items.popitem(last=False)
                    self._weight -= self._weigh(old)
                self._loading.pop(k, None)
            return rk

    def cache_clear(self) -> None:
        with self._guard:
            self._items.clear()
            self._weight = 0

    def __len__(self) -> int:
        return len(self._items)


#: One session's preprocessing (sentences, stems, postings), from the disk cache written at index time
#: (`qa.store`), keyed by the record key: a re-parse (new content, newer parser) is another key.
_record_knowledge = KnowledgeCache()


def _sessions(home: Path) -> list[tuple[str, str, str]]:
    """(date, session id, cache key) of every indexed session, oldest first; the key changes
    whenever the session's record is rewritten (new content, newer parser: `qa.store.record_key`)."""
    from .records import read_manifest
    from .qa.store import record_key

    sessions = read_manifest(home).get("sessions", {})
    return sorted((str(v.get("date") or ""), sid, record_key(v)) for sid, v in sessions.items())


#: Questions that count the sessions of a year read every one of them.
_COUNTS_SESSIONS = re.compile(r"\bcombien de (?:seances|reunions|conseils)\b")


def candidate_sessions(home: Path, question: str, sessions: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The sessions a question is about: all of them on a small index; else those named by
    day or month (or the most recent alone, to say there is none); else those where the session
    table (`qa.sessions`) finds the question's words — around the years it names, if any (a tariff "2016" is
    voted in 2015, an account "2024" in 2025) — plus the latest session of each year named
    (every session of it for « combien de séances »), and the most recent."""
    if len(sessions) <= ALL_SESSIONS_UP_TO:
        return sessions
    q = fold_question(question)
    scope = scope_of(q)
    if scope.dated:
        dated = [s for s in sessions if scope.holds(s[0])]
        return dated[-CANDIDATE_SESSIONS:] if dated else sessions[-1:]
    from .qa.sessions import table_of

    chosen: list[tuple[str, str, str]] = []
    for year in scope.years:
        of_year = [s for s in sessions if s[0][:4] == str(year)]
        chosen += of_year if _COUNTS_SESSIONS.search(q) else of_year[-1:]
    words = [w for w in q.split() if len(w) > 2 and w not in STOPWORDS and w not in QUESTION_WORDS
             and w not in E.FRAME_WORDS and not (w.isdigit() and len(w) == 4)]
    wanted: list[str] = []
    if words:
        allowed = None
        if scope.years:
            lo, hi = str(min(scope.years) - 1), str(max(scope.years) + 1)
            allowed = {s[1] for s in sessions if lo <= s[0][:4] <= hi}
        if scope.since is not None:  # « depuis 2010 »: sessions from then on
            since = {s[1] for s in sessions if s[0][:4] >= str(scope.since)}
            allowed = since if allowed is None else allowed & since
        limit = CANDIDATE_SESSIONS + 2 * len(scope.years)
        from .records import read_manifest

        sizes = {sid: int(v.get("units") or 0) for sid, v in read_manifest(home).get("sessions", {}).items()}
        budget = 0
        table = table_of(home, [(sid, key) for _, sid, key in sessions])
        for sid in table.ranked_sessions([stem(w) for w in words[:8]], allowed):
            wanted.append(sid)
            budget += sizes.get(sid, 0)
            if len(wanted) >= limit or (len(wanted) >= MIN_SESSIONS and budget >= UNIT_BUDGET):
                break
    by_id = {s[1]: s for s in sessions}
    chosen += [by_id[sid] for sid in wanted if sid in by_id and by_id[sid] not in chosen]
    if sessions[-1] not in chosen:
        chosen.append(sessions[-1])
    return sorted(set(chosen))


def knowledge(home: Path | None = None, question: str = "") -> Knowledge:
    """The knowledge needed for `question` from the index in `home` (default $MINUTES_HOME).

    Each session's preprocessing is cached by its content hash, so a re-index that
    changes nothing costs nothing and a changed session is rebuilt alone.  Without a
    question (a server warming up): the most recent session and the session table.
    """
    from .records import home_dir

    root = home_dir(home)
    sessions = _sessions(root)
    if not question.strip() and len(sessions) > ALL_SESSIONS_UP_TO:
        # no question (a server warming up): the session table too, that every question reads
        from .qa.sessions import table_of

        table_of(root, [(sid, key) for _, sid, key in sessions])
    keys = tuple((sid, sha) for _, sid, sha in candidate_sessions(root, question, sessions))
    return _merged(str(root), keys)


def _merged(home: str, keys: tuple[tuple[str, str], ...]) -> Knowledge:
    """The knowledge of the sessions `keys`, merged for one question and not kept: merging costs
    microseconds, whereas a kept merge held its sessions beyond `KnowledgeCache`'s budget."""
    parts = [rk for sid, sha in keys if (rk := _record_knowledge(home, sid, sha)) is not None]
    return Knowledge.of(parts)



def ask(question: str, home: Path | None = None) -> Answer:
    """Answer a French question from the indexed minutes of `home` (default $MINUTES_HOME)."""
    typed = " ".join((question or "").split())
    question = typed[:MAX_QUESTION_CHARS]
    if not question:
        return Answer(question, False, "Posez une question, par exemple « Qui a présenté le rapport sur le budget ? ».",
                      "inconnu", 0.0)
    answer = answer_with(knowledge(home, question), question)
    if len(typed) > MAX_QUESTION_CHARS:
        answer.notice = f"Question tronquée à {MAX_QUESTION_CHARS} caractères"
    return answer


# --------------------------------------------------------------------------- evaluation

@dataclass
class EvalRow:
    id: str
    question: str
    expect: str
    note: str
    ok: bool = False
    cited: bool = False
    answer: str = ""
    found: bool = False
    kind: str = ""
    ms: float = 0.0
    family: str = ""  # the file's "kind" column, when it has one ("why;scoped-date" → "why")


def read_questions(path: Path) -> list[EvalRow]:
    rows = []
    kind_col = None
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.reader(fh, delimiter="\t"):
            if rec and rec[0].strip().lower() == "id":
                names = [c.strip().lower() for c in rec]
                kind_col = names.index("kind") if "kind" in names else None
                continue
            if not rec or rec[0].startswith("#") or len(rec) < 3:
                continue
            row = EvalRow(rec[0].strip(), rec[1].strip(), rec[2].strip(), rec[3].strip() if len(rec) > 3 else "")
            if kind_col is not None and len(rec) > kind_col:
                row.family = rec[kind_col].split(";")[0].strip()
            rows.append(row)
    return rows


def citation_supports(ans: Answer, regex: str) -> bool:
    """A cited quote carries the fact (for who and when questions: the speaker or date it is attributed to)."""
    pat = re.compile(regex, re.IGNORECASE)
    return any(pat.search(c.quote) or pat.search(fold(c.quote)) or (c.speaker and pat.search(c.speaker))
               or pat.search(E.french_date(c.date)) for c in ans.citations)


def evaluate(rows: list[EvalRow], answer: Callable[[str], Answer]) -> list[EvalRow]:
    for row in rows:
        started = time.perf_counter()
        ans = answer(row.question)
        row.ms = (time.perf_counter() - started) * 1000
        row.answer, row.found, row.kind = ans.answer, ans.found, ans.kind
        if row.expect == "NOT_FOUND":
            row.ok = not ans.found
            row.cited = row.ok
        else:
            pat = re.compile(row.expect, re.IGNORECASE)
            row.ok = ans.found and bool(pat.search(ans.answer) or pat.search(fold(ans.answer)))
            row.cited = row.ok and citation_supports(ans, row.expect)
    return rows


def report(rows: list[EvalRow], out: TextIO | None = None) -> dict:
    out = out if out is not None else sys.stdout
    answerable = [r for r in rows if r.expect != "NOT_FOUND"]
    unanswerable = [r for r in rows if r.expect == "NOT_FOUND"]
    ok = sum(r.ok for r in rows)
    cited = sum(r.cited for r in answerable)
    correct = sum(r.ok for r in answerable)
    declined = sum(1 for r in answerable if not r.found)
    wrong = sum(1 for r in answerable if r.found and not r.ok)
    refused = sum(r.ok for r in unanswerable)
    for r in rows:
        if not r.ok or (r.expect != "NOT_FOUND" and not r.cited):
            flag = "ÉCHEC" if not r.ok else "CITATION"
            print(f"{flag} {r.id} [{r.kind}] {r.question}\n    attendu : {r.expect}\n    obtenu : {r.answer[:200]}",
                  file=out)
    times = sorted(r.ms for r in rows)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))] if times else 0.0
    summary = {
        "questions": len(rows), "accuracy": ok / len(rows) if rows else 0.0,
        "citation_accuracy": cited / correct if correct else 0.0,
        "not_found_correct": refused, "not_found_total": len(unanswerable),
        "declined_answerable": declined, "wrong_answers": wrong, "p95_ms": p95,
    }
    print(f"exactitude : {ok}/{len(rows)} ({summary['accuracy']:.0%})", file=out)
    print(f"citations exactes : {cited}/{correct} réponses justes ({summary['citation_accuracy']:.0%})", file=out)
    print(f"« non trouvé » attendu : {refused}/{len(unanswerable)} bien refusées ; "
          f"questions répondables refusées : {declined} ; réponses fausses affirmées : {wrong}", file=out)
    print(f"temps par question : p95 {p95:.0f} ms", file=out)
    families = sorted({r.family for r in rows if r.family})
    if families:
        print("par type : " + " ; ".join(f"{f} {sum(r.ok for r in rows if r.family == f)}/"
                                          f"{sum(1 for r in rows if r.family == f)}" for f in families), file=out)
    return summary
