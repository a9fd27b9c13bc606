"""Municipal minutes: colon turns ("Monsieur MAHUET : …") and reported speech
("M. TANGUY demande pourquoi …").

French municipal councils write their minutes in a handful of ways:

- dialogue with a colon (L'Arbresle): ``Monsieur MAHUET : Il a toujours …``,
  ``Madame ROJON, Directrice générale des services : …``, ``Monsieur le Maire : …``;
- reported speech (Pierrefonds, Lannion): a sentence that opens with a person and a
  speech verb, ``M. TANGUY demande pourquoi …``, ``Madame le Maire explique que …``,
  often several in one paragraph;
- a rapporteur line ``Madame Trefina KERRAIN expose :`` followed by the report.

Agenda points are numbered (``1. Rue de l'Armistice …``, ``1 - Subvention …``,
``IV. PERSONNEL``) or carry a deliberation number (``DL-055-07-13 - …``,
``D2024-21 - Objet : …``, ``DÉLIBÉRATION N° 2023-45 : …``); votes are written
``Vote : Pour à l'unanimité``, ``- Pour : 16``, ``- Abstentions : 2 (M. X et M. Y)``,
``ADOPTÉ À L'UNANIMITÉ`` or ``… adoptent, à l'unanimité, la présente délibération``.

Parsing is one pass over the paragraphs of the document (one paragraph per line of
`Document.pages[i].text`); each rule is a small function with an example of what it
matches.  Text that belongs to nobody (exposés, tables) is kept as page passages so
that everything stays searchable.  A paragraph a rule chokes on gives a warning with
its page, never an exception.
"""

from __future__ import annotations

import re

from ..model import Coverage, Movement, Passage, Record, Session, Vote
from ..people import Roster, fold, fold_head
from ..sources import Document
from .dates import cue_date, date_from_name, find_session_date, formula_date
from ..sources.tables import is_row
from .report_tables import split_tables, table_lines, table_title
from .rules.text import Para
from .municipal_state import (_ensure_item, _CLOSES_TURN, _RAPPORTEUR_KEEPS, State, Turn, _close_turn, _close_vote, _document_order,
                              _leftover, _note_article, _open_turn, _recent_vote, _resolve, article_line)
from .municipal_items import _agenda_list_step, _heading_step, title_continues
from .rules.attendance import _LIST_HEAD, movement_line, parse_attendance
from .rules.header import (_IN_OFFICE, _OPENED, _SECRETARY, _START, body_of, clock_time, council_kind, last_end,
                           presidency)
from .rules.turns import (_REPORTED, bare_name_starts, known_names, _strip_civility, colon_turn, presents_file,
                          rapporteur_turn, reported_starts)
from .rules.votes import (_set_count, adopted_line, count_line, split_counts, majority_sentence, may_be_formula,
                          not_voting_line,
                          unanimous_sentence, vote_line, decision_sentence, election_line, elects_line, noted_line,
                          other_body, postponed_line, approved_without_remark)

# -- recognising ----------------------------------------------------------------------

_DEPARTMENTAL_MARK = re.compile(r"\(Rapport n°\s*\d+ du rapport du Pr[ée]sident\)|^M(?:ME|\.)\s+[A-Z\- ]+\.-", re.M)
_MUNICIPAL_MARK = re.compile(r"conseil municipal|compte rendu|proces verbal|commune de|ville de|mairie")


def recognises(doc: Document) -> bool:
    """French municipal minutes: "conseil municipal" near the top and turns of either kind.

    The departmental verbatim layout ("M. LE PRESIDENT.- …", "(Rapport n°3 du rapport
    du Président)") is left to the departmental parser.
    """
    text = doc.text
    head = text[:200_000]
    if ("(Rapport n°" in head or ".-" in head) and _DEPARTMENTAL_MARK.search(head):  # each mark has one
        return False
    head = fold(text[:4000])
    if not _MUNICIPAL_MARK.search(head):
        return False
    return "conseil municipal" in head or count_turns(text) >= 2


def count_turns(text: str) -> int:
    """How many colon turns and reported-speech openings the text holds."""
    n = 0
    for line in text.splitlines():
        line = " ".join(line.split())
        if colon_turn(line) or _REPORTED.match(line):
            n += 1
    return n


# structure that closes a turn ------------------------------------------------------------

_SEPARATOR = re.compile(r"\s*_{3,}\s*")


# -- the pass -----------------------------------------------------------------------------

_EMBEDDED_VOTE = re.compile(r"(?<=\S)\s+(?=(?:Vote|VOTE)\s*:)")
_BROKEN_CIVILITY = re.compile(
    "|".join(rf"\b{w[:i]} {w[i:]}\b" for w in ("Monsieur", "Madame", "Mademoiselle", "Mme") for i in range(1, len(w))))


# "… M. Thuillier D2025-011- Objet : Affectation des résultats" : a numbered deliberation heading
# run into the line before it by the text layer
_EMBEDDED_OBJET = re.compile(r"(?<=\S)\s+(?=[A-Z]{1,4}\s?\d{2,4}[-/.]\d{1,4}\s*[-–:]\s*Objet\s*:)")


def _embedded_pieces(part: str) -> list[str]:
    """``… les moyens. Abstentions : Mme A, M. B Contre : M. C`` → the prose, then one piece per count
    label; ``4 abstentions : Mme A, M. B D2025-011- Objet : Affectation …`` → the count, then the heading."""
    out = []
    for chunk in _EMBEDDED_OBJET.split(part) if "Objet" in part else (part,):
        chunk = chunk.strip()
        if chunk:
            out.extend(split_counts(chunk))
    return out


def repair_civilities(text: str) -> str:
    """PDF text splits words with a stray space: "M onsieur Jean-Claude THUILLIER" → "Monsieur …",
    "Mad ame le Maire" → "Madame le Maire"."""
    return _BROKEN_CIVILITY.sub(lambda m: m.group(0).replace(" ", ""), text)


def paragraphs(doc: Document) -> list[Para]:
    """One paragraph per non-blank line; horizontal rules ("_____") and a vote written at the
    end of a paragraph ("… évoquées. Vote : pour à l'unanimité") split paragraphs."""
    out = []
    for page in doc.pages:
        rows: list[str] = []  # the rows of a table (cells joined by " | ") make one paragraph
        for line in page.text.splitlines() + [""]:
            if is_row(line):
                rows.append(" ".join(line.split()))
                continue
            if rows:
                out.append(Para(page.number, "\n".join(rows)))
                rows = []
            # each split needs its literal ("___", "Vote"/"VOTE"): most lines skip the patterns
            for piece in _SEPARATOR.split(line) if "___" in line else (line,):
                for part in _EMBEDDED_VOTE.split(piece) if "Vote" in piece or "VOTE" in piece else (piece,):
                    part = repair_civilities(" ".join(part.split()))
                    for sub in _embedded_pieces(part):
                        out.append(Para(page.number, sub))
    return out


def parse(doc: Document) -> Record:
    from . import session_id

    text = doc.text
    record = Record(session=Session(id="", body="", date=""), layout="municipal")
    date = find_session_date(text) or ""
    if date:
        title_date, opening_date = cue_date(fold_head(text[:6000])), formula_date(text[:6000])
        if title_date and opening_date and title_date != opening_date:
            kept = "le titre" if date == title_date else "la formule d'ouverture" if date == opening_date else date
            record.warnings.append(f"dates contradictoires dans l'en-tête : titre {title_date}, formule d'ouverture "
                                   f"{opening_date} ; {kept} est retenu" + ("e" if kept.startswith("la ") else ""))
    else:
        date = date_from_name(doc.path.stem) or ""
        record.warnings.append("date de séance illisible dans le document : "
                               + (f"date lue dans le nom du fichier ({date})" if date else "date inconnue"))
    session = record.session
    session.id = session_id(doc.path.stem, date)
    session.date = date
    session.kind = "séance du conseil municipal"
    session.body = body_of(text)
    community = council_kind(text) if session.body == "Conseil municipal" else None
    if community:
        session.body, session.kind = community
    roster = Roster()
    state = State(record=record, roster=roster, members=set(), step=_step)
    paras = paragraphs(doc)
    _guard(record, 1, "en-tête", lambda: _parse_header(text, paras, state))
    # members named without civility can speak: "Franck Beysson répond …"
    state.known_names = known_names(p.name for p in roster.persons.values())
    attributed = 0
    for index, para in enumerate(paras):
        state.position = index
        _guard(record, para.page, "paragraphe", lambda p=para: _step(p, state))
        state.last_text = para.text
        if state.item is not None or state.turn is not None:
            attributed += len(para.text)  # read as part of an item or a speaker's turn
    record.coverage = Coverage(attributed=attributed / max(1, sum(len(p.text) for p in doc.pages)))
    _close_turn(state)
    _close_vote(state)
    if not record.agenda and record.votes:
        _single_deliberation(paras, state)
    _finish(state)
    if not record.speeches and not record.agenda:
        return _as_pages(doc, record)
    return record


def _single_deliberation(paras: list[Para], state: State) -> None:
    """A document that is one deliberation without a number: its subject is the first paragraph after
    the attendance lists (``Secrétaire de séance : …`` then ``Délégation de service public : … –
    Avenant n°5 …``), up to five lines ending with a full stop; the votes read are its decision."""
    last_list = max((i for i, p in enumerate(paras[:80]) if _LIST_HEAD.match(p.text)), default=None)
    if last_list is None:
        return
    lines, page = [], paras[last_list + 1].page if last_list + 1 < len(paras) else 1
    for para in paras[last_list + 1:last_list + 6]:
        if _LIST_HEAD.match(para.text) or reported_starts(para.text):
            break
        lines.append(para.text)
        if para.text.endswith("."):
            break
    title = " ".join(lines).rstrip(" .")
    if not title or len(title) > 400:
        return
    state.item = _ensure_item(state, "deliberation", None, title, page)
    total = max(1, sum(len(p.text) for p in paras))
    state.record.coverage.attributed = max(state.record.coverage.attributed,
                                           sum(len(p.text) for p in paras[last_list + 1:]) / total)
    for vote in state.record.votes:
        if vote.item is None:
            state.vote = vote
            state.record.votes.remove(vote)
            _close_vote(state)


def _guard(record: Record, page: int, what: str, action) -> None:
    """Run one rule; an odd page gives a warning, never an exception."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - one bad paragraph must not sink the document
        record.warnings.append(f"page {page} : {what} non analysé ({type(exc).__name__}: {exc})")


def _parse_header(text: str, paras: list[Para], state: State) -> None:
    session, roster = state.record.session, state.roster
    parse_attendance(paras, state)  # full names first: the presidency line may be garbled
    who, role = presidency(text)
    if who:
        president = roster.add(who, role=role)
        state.members.add(president.id)
        session.president = president.name
        titles = ["le maire", "la maire", "maire"] if role or "maire" in fold_head(text[:3000]) else []
        for title in titles + ["le president", "la presidente"]:
            roster.add_title(title, president)
    m = _OPENED.search(text[:20000]) or _START.search(text[:4000])
    if m:  # "La séance est ouverte à 20 h 30", else the hour of the opening formula
        session.start = clock_time(m.group(1))
    end = last_end(text)
    if end:
        session.end = clock_time(end.group(1))
    m = _IN_OFFICE.search(text[:6000])
    if m:
        session.in_office = int(m.group(1))
    if not session.secretary:
        flat = " ".join(p.text for p in paras[:80])
        for rule in _SECRETARY[1:]:
            m = rule.search(flat)
            if m:
                person = roster.add(m.group("who"))
                session.secretary = person.name
                break
    session.secretary = session.secretary.strip()


def _step(para: Para, state: State) -> None:
    line = para.text
    if "\n" in line or is_row(line):  # a table: kept as a table, for the decision of its item
        _table_step(para, state)
        return
    heading, state.open_title = state.open_title, None
    if heading is not None and not heading.title and len(line) < 250 and not line.endswith(":"):
        heading.title = re.sub(r"^Objet\s*:\s*", "", line, flags=re.I)  # "DELIBERATION … N° DEL2024_22" then its title
        state.open_title = heading if line.isupper() else None
        return
    if heading is not None and title_continues(heading.title, line):
        heading.title = f"{heading.title} {line}"
        return
    if _agenda_list_step(para, state):
        return
    if _heading_step(para, state):
        return
    if _vote_step(para, state):
        state.subject = None  # a vote read: « Pour X, … » said before it is not about the next count lines
        return
    subject = _SUBJECT.match(line)
    if subject:
        state.subject = (state.item.id if state.item else None, subject.group("what"))
    if article_line(line):
        _note_article(state, line)
    mv = movement_line(line)
    if mv:
        _close_turn(state)
        person = _resolve(state.roster, mv[1], _strip_civility(mv[1]))
        _leftover(state, para.page, line)
        state.record.session.movements.append(Movement(person=person.name, kind=mv[0], text=line, person_id=person.id,
                                                       item=state.item.id if state.item else None))
        return
    rapporteur = presents_file(line)
    if rapporteur:
        _close_turn(state)
        person = state.roster.resolve(rapporteur, _strip_civility(rapporteur))
        if state.item is not None:
            state.item.rapporteur = person.id
        _leftover(state, para.page, line)
        return
    rap = rapporteur_turn(line)
    if rap:
        _open_turn(state, Turn(label=rap[0], name=rap[1], role="rapporteur", reported=True, page=para.page,
                               kind="rapporteur"))
        if rap[2]:
            state.turn.parts.append(rap[2])
        if state.item is not None and state.item.rapporteur is None:
            state.item.rapporteur = state.roster.resolve(rap[0], rap[1]).id
        return
    col = colon_turn(line)
    if col:
        label, name, role, rest = col
        if fold(name) in ("le maire", "la maire", "le president", "la presidente") and not role:
            role = "maire" if "maire" in fold(name) else "président"
        _open_turn(state, Turn(label=label + " :", name=name, role=role, reported=False, page=para.page, kind="colon"))
        if rest:
            state.turn.parts.append(rest)
        return
    if _CLOSES_TURN.match(line) and not (state.turn and state.turn.kind == "rapporteur"
                                         and _RAPPORTEUR_KEEPS.match(line)):
        _close_turn(state)
        _leftover(state, para.page, line)
        return
    starts = reported_starts(line)
    if state.known_names:
        seen = {pos for pos, *_ in starts}
        starts = sorted(starts + [b for b in bare_name_starts(line, state.known_names) if b[0] not in seen])
    if not starts:
        if state.turn is not None:
            state.turn.parts.append(line)
        else:
            _leftover(state, para.page, line)
        return
    head = line[:starts[0][0]].strip()
    if head:
        if state.turn is not None:
            state.turn.parts.append(head)
        else:
            _leftover(state, para.page, head)
    for i, (pos, label, name, role) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(line)
        chunk = line[pos:end].strip()
        # a new explicit subject is a new intervention, even by the same speaker; pronoun
        # continuations ("Il précise …") open nothing and stay in the turn
        _open_turn(state, Turn(label=label, name=name, role=role, reported=True, page=para.page, kind="reported"))
        state.turn.parts.append(chunk)


# « Pour le Festival des Forêts, Monsieur Papin estime … »: what the count lines after it vote on
_SUBJECT = re.compile(r"^Pour\s+(?P<what>(?:le|la|les|l['’])\s*[^,;:]{3,80}?|[A-Z][^,;:]{2,60}?),\s+"
                      r"(?:M\.|Mme|Monsieur|Madame|MM\.|Mlle)\s")


def _already_counted(vote: Vote, kind: str) -> bool:
    """A closed vote whose count of this kind was already read from a count line."""
    attr = {"pour": "for_groups", "contre": "against_groups", "abstention": "abstention_groups"}.get(kind,
                                                                                                 "not_voting_groups")
    return bool(getattr(vote, attr)) and "\n" in vote.text


def _vote_step(para: Para, state: State) -> bool:
    line = para.text
    vote = vote_line(line)
    if vote is not None:
        _close_turn(state)
        _close_vote(state)
        vote.page = para.page
        state.vote = vote
        if vote.unanimous or vote.for_ is not None:
            _close_vote(state)
        return True
    names = not_voting_line(line)
    if names:
        _close_turn(state)
        target = state.vote or _recent_vote(state)
        if target is None:
            state.pending_not_voting = (state.item.id if state.item else None, names)
        else:
            _set_count(target, "nppv", len(names), names)
        _leftover(state, para.page, line)
        return True
    counted = count_line(line)
    if counted is not None:
        kind, count, names = counted
        _close_turn(state)
        target = state.vote or _recent_vote(state) or Vote(page=para.page)
        subject = state.subject if state.subject and state.subject[0] == (state.item.id if state.item else None) \
            else None
        state.subject = None
        if target is not state.vote and (subject or _already_counted(target, kind)):
            # a second count block under the item, or one about what « Pour le Festival …, » named: a vote of its own
            target = Vote(page=para.page, text=f"Pour {subject[1]} :" if subject else "")
        if target is not state.vote and not any(v is target for v in state.record.votes):
            state.vote = target
        _set_count(target, kind, count, names)
        if "unanimité" in names:
            target.unanimous = True
        elif kind in ("contre", "abstention") and (count or names):
            target.unanimous = False  # "à l'unanimité :" then "4 abstentions : …": unanimity of the votes cast
        target.text = (target.text + "\n" + line).strip()
        close = line.find(")")
        tail = line[close + 1:].strip() if close >= 0 else ""
        if tail and reported_starts(tail):  # "- Abstentions : 3 (…) M. THUILLIER estime …"
            target.text = target.text[:len(target.text) - len(tail)].rstrip()
            _close_vote(state)
            _step(Para(para.page, tail), state)
        return True
    adopted = adopted_line(line)
    formula = may_be_formula(line)  # else none of the sentence rules below can match (not `elects_line`)
    sentence = None if adopted or len(line) > 400 or not formula or reported_starts(line) or other_body(line) else (
        decision_sentence(line) or unanimous_sentence(line) or majority_sentence(line))
    if adopted is None and sentence is None and not reported_starts(line):
        item_vote = _recent_vote(state)
        if item_vote is not None and elects_line(line) and item_vote.result == "adopté":
            item_vote.result = "élection"  # "- élit Nicolas CHARGUEROS …" under a vote already read
        elif item_vote is None and state.item is not None and formula:
            # "- prend acte du rapport annuel …": no vote, the council takes note; "Sont élus …": an election
            sentence = noted_line(line) or election_line(line) or postponed_line(line) or approved_without_remark(line)
    vote = adopted or sentence
    if vote is not None:
        _close_turn(state)
        _close_vote(state)
        if sentence is not None:
            _leftover(state, para.page, line)
            _note_article(state, line)
            if state.item is not None and any(v.item == state.item.id for v in state.record.votes):
                return True  # "après en avoir délibéré, à l'unanimité" restating a vote already read
        vote.page = para.page
        state.vote = vote
        _close_vote(state)
        return True
    if state.vote is not None:
        _close_vote(state)
    return False


def _table_step(para: Para, state: State) -> None:
    """The rows of a table, titled by the line above them (« … présente les demandes de subventions
    2025 : »), go to the current item's decision; its caption lines stay text."""
    title = table_title(state.last_text) if state.last_text else ""
    prose, tables = split_tables(para.text, para.page, "exposé")
    for t in tables:
        t.title = t.title if t.title and t.title != para.text.split("\n", 1)[0] else (t.title or title)
        state.tables.setdefault(state.item.id if state.item else None, []).append(t)
    for caption in (ln for ln in prose.split("\n") if ln.strip()):
        _step(Para(para.page, caption), state)


def _finish(state: State) -> None:
    record = state.record
    decided = {d.item for d in record.deliberations}
    for item_id, tables in state.tables.items():  # tables of an item without a decision: text of its page
        if item_id not in decided:
            for t in tables:
                state.leftovers.setdefault(t.page or 1, []).append(table_lines(t))
    for page, parts in sorted(state.leftovers.items()):
        record.passages.append(Passage(id=f"{record.session.id}/p{page:03d}", page=page, text="\n\n".join(parts)))
    for delib in record.deliberations:
        item = record.item(delib.item)
        if item is not None:
            delib.title = item.title
            delib.articles = state.articles.get(item.id, [])
            delib.tables = state.tables.get(item.id, [])
            delib.speeches = [s.id for s in record.speeches if s.item == item.id]
    # speeches before the first item were filed under "ouverture": keep it first
    record.agenda = _document_order(record.agenda, state.body_positions)
    record.agenda.sort(key=lambda a: a.id != "ouverture")
    for i, item in enumerate(record.agenda, 1):
        item.order = i
    record.persons = state.roster.all()


def _as_pages(doc: Document, record: Record) -> Record:
    """No speeches and no items: one passage per page, with a warning, keeping the session header."""
    from . import parse_pages

    pages = parse_pages(doc)
    pages.session = record.session
    for passage in pages.passages:
        passage.id = f"{record.session.id}/p{passage.page:03d}"
    pages.warnings = [w for w in record.warnings] + [
        "procès-verbal municipal sans interventions ni points d'ordre du jour reconnus : indexé page par page"]
    pages.persons = record.persons
    pages.votes = record.votes
    pages.layout = "municipal-pages"
    return pages
