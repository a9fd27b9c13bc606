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
from dataclasses import dataclass, field

from ..model import AgendaItem, Coverage, Deliberation, Movement, Passage, Person, Record, Session, Speech, Vote
from ..people import Roster, fold, slug, surname_of
from ..sources import Document
from .dates import cue_date, date_from_name, find_session_date, formula_date, parse_time
from .rules.text import Para, _is_bullet, _unbullet
from .rules.attendance import movement_line, parse_attendance
from .rules.header import _END, _IN_OFFICE, _OPENED, _SECRETARY, _START, body_of, presidency
from .rules.headings import (number_alone, number_prefix, numbered_deliberation_heading, strip_page_ref, sub_heading, _AGENDA_HEAD, _NUMBERED, _NUMBERED_BARE, _NUMBERED_DIGIT, deliberation_heading,
                             numbered_heading, roman_heading)
from .rules.turns import (bare_name_starts, _RAPPORTEUR, _strip_civility, colon_turn, presents_file, rapporteur_turn,
                          reported_starts)
from .rules.votes import (_ADOPTED, _VOTE_HEAD, _set_count, adopted_line, count_line, finish_vote,
                          majority_sentence, not_voting_line, unanimous_sentence, vote_line,
                          decision_sentence, elects_line, noted_line)
from .rules.vocabulary import _CIV, _HANDOVER, _PERSON_RE, _REPORTED, _UP

# -- data carried through the pass ----------------------------------------------------

@dataclass
class Turn:
    label: str
    name: str  # name part to resolve ("MAHUET", "le Maire")
    role: str
    reported: bool
    page: int
    kind: str  # "colon" | "reported" | "rapporteur"
    parts: list[str] = field(default_factory=list)
    person_label: str = ""  # the speaker's own label when the subject names several people


@dataclass
class State:
    record: Record
    roster: Roster
    members: set[str]
    list_titles: dict[str, str] = field(default_factory=dict)  # item id -> title from the agenda list
    plain_titles: dict[str, str] = field(default_factory=dict)  # folded unnumbered list title -> item id
    item: AgendaItem | None = None
    turn: Turn | None = None
    vote: Vote | None = None  # open "Vote :" block
    in_list: bool = False
    list_misses: int = 0
    last_number: int = 0
    last_roman: int = 0
    order: int = 0
    position: int = 0  # index of the paragraph being read
    pending_not_voting: tuple[str | None, list[str]] | None = None  # "X ne prend pas part au vote" before the vote
    body_positions: dict[str, int] = field(default_factory=dict)  # item id -> paragraph of its body heading
    open_title: AgendaItem | None = None  # a heading in capitals that may go on in the next paragraph
    leftovers: dict[int, list[str]] = field(default_factory=dict)
    articles: dict[str, list[str]] = field(default_factory=dict)  # item id -> decision articles
    known_names: set[str] = field(default_factory=set)  # folded names and surnames of the members


# -- recognising ----------------------------------------------------------------------

_DEPARTMENTAL_MARK = re.compile(r"\(Rapport n°\s*\d+ du rapport du Pr[ée]sident\)|^M(?:ME|\.)\s+[A-Z\- ]+\.-", re.M)
_MUNICIPAL_MARK = re.compile(r"conseil municipal|compte rendu|proces verbal|commune de|ville de|mairie")


def recognises(doc: Document) -> bool:
    """French municipal minutes: "conseil municipal" near the top and turns of either kind.

    The departmental verbatim layout ("M. LE PRESIDENT.- …", "(Rapport n°3 du rapport
    du Président)") is left to the departmental parser.
    """
    text = doc.text
    if _DEPARTMENTAL_MARK.search(text[:200_000]):
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

_CLOSES_TURN = re.compile(
    r"^(?:EXPOSE|EXPOSÉ|DECISION|DÉCISION|Vu |VU |Considérant|CONSIDÉRANT|Il est proposé|Il est demandé|"
    r"Le Conseil Municipal,? après|Le conseil municipal,? après|Après avoir entendu|[EÉ]tes-vous d['’]accord|"
    r"Informations?\s*:|Questions diverses|QUESTIONS DIVERSES|La séance est|Séance levée|"
    r"Arrivée d|Départ d|Sortie d)")
_RAPPORTEUR_KEEPS = re.compile(r"^(?:Vu |VU |Considérant|CONSIDÉRANT|Il est proposé|Il est demandé)")
_SEPARATOR = re.compile(r"\s*_{3,}\s*")


# -- the pass -----------------------------------------------------------------------------

_EMBEDDED_VOTE = re.compile(r"(?<=\S)\s+(?=(?:Vote|VOTE)\s*:)")
_BROKEN_CIVILITY = re.compile(
    "|".join(rf"\b{w[:i]} {w[i:]}\b" for w in ("Monsieur", "Madame", "Mademoiselle", "Mme") for i in range(1, len(w))))


def repair_civilities(text: str) -> str:
    """PDF text splits words with a stray space: "M onsieur Jean-Claude THUILLIER" → "Monsieur …",
    "Mad ame le Maire" → "Madame le Maire"."""
    return _BROKEN_CIVILITY.sub(lambda m: m.group(0).replace(" ", ""), text)


def paragraphs(doc: Document) -> list[Para]:
    """One paragraph per non-blank line; horizontal rules ("_____") and a vote written at the
    end of a paragraph ("… évoquées. Vote : pour à l'unanimité") split paragraphs."""
    out = []
    for page in doc.pages:
        for line in page.text.splitlines():
            for piece in _SEPARATOR.split(line):
                for part in _EMBEDDED_VOTE.split(piece):
                    part = repair_civilities(" ".join(part.split()))
                    if part:
                        out.append(Para(page.number, part))
    return out


def parse(doc: Document) -> Record:
    from . import session_id

    text = doc.text
    record = Record(session=Session(id="", body="", date=""), layout="municipal")
    date = find_session_date(text) or ""
    if date:
        title_date, opening_date = cue_date(fold(text[:6000])), formula_date(text[:6000])
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
    roster = Roster()
    state = State(record=record, roster=roster, members=set())
    paras = paragraphs(doc)
    _guard(record, 1, "en-tête", lambda: _parse_header(text, paras, state))
    for person in roster.persons.values():  # members named without civility can speak: "Franck Beysson répond …"
        if len(person.name.split()) >= 2:
            state.known_names.add(fold(person.name))
            state.known_names.add(fold(person.name).split()[-1])
    attributed = 0
    for index, para in enumerate(paras):
        state.position = index
        _guard(record, para.page, "paragraphe", lambda p=para: _step(p, state))
        if state.item is not None or state.turn is not None:
            attributed += len(para.text)  # read as part of an item or a speaker's turn
    record.coverage = Coverage(attributed=attributed / max(1, sum(len(p.text) for p in doc.pages)))
    _close_turn(state)
    _close_vote(state)
    _finish(state)
    if not record.speeches and not record.agenda:
        return _as_pages(doc, record)
    return record


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
        titles = ["le maire", "la maire", "maire"] if role or "maire" in fold(text[:3000]) else []
        for title in titles + ["le president", "la presidente"]:
            roster.add_title(title, president)
    m = _OPENED.search(text[:20000]) or _START.search(text[:4000])
    if m:  # "La séance est ouverte à 20 h 30", else the hour of the opening formula
        session.start = parse_time(m.group(1))
    ends = list(_END.finditer(text))
    if ends:
        session.end = parse_time(ends[-1].group(1))
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
    heading, state.open_title = state.open_title, None
    if heading is not None and not heading.title and len(line) < 250 and not line.endswith(":"):
        heading.title = line  # "DELIBERATION … N° DEL2024_22" then its title
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
        return
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
        _open_turn(state, Turn(label=rap[0], name=rap[1], role="rapporteur", reported=False, page=para.page,
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


def _agenda_list_step(para: Para, state: State) -> bool:
    """The "Ordre du jour" list: numbered titles, used to name and check body headings."""
    line = para.text
    m = _AGENDA_HEAD.match(line)
    if m and len(line) < 60:
        _close_turn(state)
        state.in_list, state.list_misses = True, 0
        return True
    if not state.in_list:
        return False
    if fold(line) in ("n objet", "n  objet", "objet"):
        return True
    entries = _list_entries(line, state)
    rest = ""
    if entries:
        kind, n, title = entries[-1]
        cut, rest = _split_title(title, None)
        entries[-1] = (kind, n, cut)
    if entries:
        state.list_misses = 0
        for kind, n, title in entries:
            item_id = f"point-{n}" if kind == "n" else f"partie-{n}"
            if item_id in state.list_titles:  # the body restarts the numbering
                _end_list(state)
                return False
            title = strip_page_ref(title)
            state.list_titles[item_id] = title
            _ensure_item(state, item_id, n, title, para.page)
            if kind == "n":
                state.last_number = n
            else:
                state.last_roman = n
            state.item = state.record.item(item_id)
        if rest:  # the debate starts in the same paragraph as the last title
            _end_list(state)
            _step(Para(para.page, rest), state)
        return True
    if _is_bullet(line) and state.last_number and not state.last_roman:
        item_id = f"point-{state.last_number}"
        state.list_titles[item_id] += " – " + _unbullet(line)
        state.record.item(item_id).title = state.list_titles[item_id]
        return True
    if _is_bullet(line):  # sub-points of a part ("I. Finances" then "- RODP …")
        _leftover(state, para.page, line)
        return True
    if not state.list_titles and not state.plain_titles and plain_list_title(line):
        # a one-point agenda: "ORDRE DU JOUR" then "Désignation des délégués … des sénateurs"
        item = _ensure_item(state, f"sujet-{len(state.plain_titles) + 1}", None, line, para.page)
        state.plain_titles[fold(line)] = item.id
        state.list_misses += 1
        return True
    state.list_misses += 1
    if state.list_misses >= 2 or reported_starts(line) or colon_turn(line) or _VOTE_HEAD.match(line):
        _end_list(state)
        return False
    _leftover(state, para.page, line)  # a stray line inside the list
    return True


def plain_list_title(line: str) -> bool:
    """``Désignation des délégués du conseil municipal … en vue de l'élection des sénateurs``:
    a title, not a sentence (short, no final full stop, nobody speaking)."""
    return (len(line) < 200 and not line.endswith(".") and not reported_starts(line) and not colon_turn(line)
            and line[:1].isupper())


def _end_list(state: State) -> None:
    """A list of three or more titles was the agenda, not the debate: what follows it,
    before the first body heading, belongs to no item yet.  (L'Arbresle writes
    "ORDRE DU JOUR" then straight "I. DESIGNATION …" and its debate.)"""
    state.in_list = False
    if len(state.list_titles) >= 3:
        state.item = None


def _list_entries(line: str, state: State) -> list[tuple[str, int, str]]:
    """``4 Vente de documents … de Lannion 5 École municipale …`` (rows merged) → [("n", 4, …), ("n", 5, …)]."""
    r = roman_heading(line)
    if r:
        return [("r", r[0], r[1])]
    m = _NUMBERED.match(line) or _NUMBERED_BARE.match(line)
    if not m:
        return []
    n = int(m.group("n"))
    if n not in (state.last_number + 1, state.last_number + 2) and f"point-{n}" not in state.list_titles:
        return []
    out = []
    rest = m.group("title")
    while True:
        nxt = re.search(rf"\s(?P<n>{n + 1})\s*(?:[.)]|\s[-–])?\s+(?=[{_UP}«\"“\d])", rest)
        if not nxt:
            out.append(("n", n, rest.strip()))
            break
        out.append(("n", n, rest[:nxt.start()].strip()))
        rest = rest[nxt.end():]
        n += 1
    return out


def _heading_step(para: Para, state: State) -> bool:
    line = para.text
    alone = number_alone(line)
    if alone and not state.record.item("delib-" + slug(alone)):
        _close_turn(state)
        _close_vote(state)
        item = _ensure_item(state, "delib-" + slug(alone), None, "", para.page)
        item.deliberation = alone
        state.item = state.open_title = item  # its title is the next paragraph
        return True
    d = deliberation_heading(line)
    numbered = numbered_deliberation_heading(line) if not d else None
    if numbered and any(a.deliberation == numbered[0] for a in state.record.agenda):
        _leftover(state, para.page, line)  # a closing list of the deliberations taken
        return True
    d = d or numbered
    if d:
        number, title = d
        title, rest = _split_title(title, None)
        item_id = "delib-" + slug(number)
        while state.record.item(item_id) is not None:
            item_id += "-bis"
        _close_turn(state)
        _close_vote(state)
        item = _ensure_item(state, item_id, None, title.rstrip(" :"), para.page)
        item.deliberation = number
        state.item = item
        state.open_title = None if rest else item
        if rest:
            _step(Para(para.page, rest), state)
        return True
    r = roman_heading(line)
    if r:
        n, title = r
        item_id = f"partie-{n}"
        known = state.list_titles.get(item_id)
        if known is not None:
            if not _same_start(known, title):
                return False
        elif not (title.isupper() and (n == state.last_roman + 1 or n == 1)):
            return False
        title, rest = _split_title(title, known)
        _close_turn(state)
        _close_vote(state)
        state.last_roman = n
        state.item = _ensure_item(state, item_id, n, known or title, para.page)
        state.open_title = None if rest else state.item
        if rest:
            _step(Para(para.page, rest), state)
        return True
    sub = sub_heading(line) if state.last_number else None
    if sub and sub[0].split(".")[0] == str(state.last_number):  # "6.1 Ecole" under item 6
        _close_turn(state)
        _close_vote(state)
        state.item = _ensure_item(state, "point-" + sub[0].replace(".", "-"), sub[0], sub[1], para.page)
        return True
    h = numbered_heading(line)
    if h is None:  # "11 - 1 Boulevard Mendès France …": a title that starts with a number, when listed
        m = _NUMBERED_DIGIT.match(line)
        if m and f"point-{int(m.group('n'))}" in state.list_titles:
            h = int(m.group("n")), m.group("title").strip()
    if h is None:  # "1 Subventions associatives": a bare number, when the agenda list announced it
        m = _NUMBERED_BARE.match(line)
        known = state.list_titles.get(f"point-{int(m.group('n'))}") if m else None
        if m and known is not None and _same_start(known, m.group("title")):
            h = int(m.group("n")), m.group("title").strip()
    if h:
        n, title = h
        item_id = f"point-{n}"
        prefixed = number_prefix(title)  # "3 – N° 2018-024 - Exercice 2017 …"
        if prefixed:
            title = prefixed[1]
        known = state.list_titles.get(item_id)
        if known is not None:
            if not _same_start(known, title):
                return False
        elif not (n == state.last_number + 1 or (n == 1 and state.last_number == 0)):
            return False
        title, rest = _split_title(title, known)
        _close_turn(state)
        _close_vote(state)
        state.last_number = n
        state.item = _ensure_item(state, item_id, n, known or title, para.page)
        if prefixed and not state.item.deliberation:
            state.item.deliberation = prefixed[0]
        state.open_title = None if rest or known else state.item
        if rest:
            _step(Para(para.page, rest), state)
        return True
    folded = fold(line) if state.plain_titles else ""
    for title, item_id in state.plain_titles.items():
        if folded.startswith(title):
            _close_turn(state)
            _close_vote(state)
            state.item = _ensure_item(state, item_id, None, line[:len(line)], para.page)
            rest = _split_title(line, state.item.title)[1]
            if rest:
                _step(Para(para.page, rest), state)
            return True
    if re.match(r"^(?:Informations?|QUESTIONS DIVERSES|Questions diverses)\s*[:.]?\s*$", line):
        _close_turn(state)
        _close_vote(state)
        state.item = _ensure_item(state, slug(line.rstrip(" :.")), None, line.rstrip(" :."), para.page,
                                  kind="segment")
        return True
    return False


def title_continues(title: str, line: str) -> bool:
    """``II. APPROBATION DU COMPTE RENDU DE LA SEANCE DU CONSEIL`` then ``MUNICIPAL DU 27 MAI 2013``:
    a heading in capitals broken over two paragraphs."""
    return (title.isupper() and line.isupper() and len(line) < 120 and not roman_heading(line)
            and not deliberation_heading(line) and not _ADOPTED.match(line) and not _CLOSES_TURN.match(line))


def _same_start(a: str, b: str) -> bool:
    """Body heading and agenda-list title agree on their first letters (spaces and case aside)."""
    fa, fb = fold(a).replace(" ", ""), fold(b).replace(" ", "")
    k = min(12, len(fa), len(fb))
    return k > 0 and fa[:k] == fb[:k]


def _split_title(title: str, known: str | None) -> tuple[str, str]:
    """A heading merged with the text that follows it → (title, rest).

    With the agenda-list title known, the heading is its length; otherwise the title
    ends where a reported-speech sentence or a vote starts, or at 300 characters.
    """
    if known:
        end = _aligned_end(title, known)
        if end is not None:
            return title[:end].strip(), title[end:].strip()
    cut = _first_speech_inside(title)
    m = re.search(r"\s(?:Vote|VOTE)\s*:", title)
    if m and (cut is None or m.start() < cut):
        cut = m.start()
    if cut is not None:
        return title[:cut].strip(), title[cut:].strip()
    if len(title) > 300:
        m = re.search(r"[.!?]\s", title[:300])
        if m:
            return title[:m.start() + 1], title[m.end():]
    return title, ""


def _first_speech_inside(text: str) -> int | None:
    """Where a reported-speech sentence starts inside a title, even without a full stop
    before it ("… Agence Nationale du Sport Monsieur le Maire dit sa satisfaction …")."""
    for m in re.finditer(rf"(?<=\s)(?={_CIV}|Le [Mm]aire|La [Mm]aire)", text):
        rest = text[m.start():m.start() + 260]
        if _HANDOVER.match(rest) or _REPORTED.match(rest) or _RAPPORTEUR.match(rest):
            return m.start()
    return None


def _aligned_end(text: str, reference: str) -> int | None:
    """Index in `text` just past the letters of `reference` (compared folded, spaces ignored)."""
    ref = fold(reference).replace(" ", "")
    folded: dict[str, str] = {}
    i = j = 0
    while j < len(ref) and i < len(text):
        ch = text[i]
        c = folded.get(ch)
        if c is None:
            c = folded[ch] = fold(ch).replace(" ", "")
        if not c:
            i += 1
            continue
        if not ref.startswith(c, j):
            return None if j < len(ref) * 0.8 else i
        j += len(c)
        i += 1
    return i if j >= len(ref) else None


def _ensure_item(state: State, item_id: str, number: int | None, title: str, page: int,
                 kind: str = "rapport") -> AgendaItem:
    item = state.record.item(item_id)
    if item is None:
        item = AgendaItem(id=item_id, order=len(state.record.agenda) + 1, title=title, number=number, kind=kind,
                          page=page)
        state.record.agenda.append(item)
    else:
        item.page = page  # the body heading is where the item starts
        if len(title) > len(item.title):
            item.title = title
    if not state.in_list:
        state.body_positions.setdefault(item_id, state.position)
    return item


def _document_order(agenda: list[AgendaItem], body_positions: dict[str, int]) -> list[AgendaItem]:
    """Items in the order of the debate: by body heading; an item only listed in the agenda
    (its pages unreadable) stays after the item listed before it."""
    keyed, last = [], -1.0
    for item in agenda:
        key = float(body_positions[item.id]) if item.id in body_positions else last + 0.001
        keyed.append((key, item))
        last = key
    return [item for _, item in sorted(keyed, key=lambda pair: pair[0])]


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
        if target is not state.vote and not any(v is target for v in state.record.votes):
            state.vote = target
        _set_count(target, kind, count, names)
        if "unanimité" in names:
            target.unanimous = True
        target.text = (target.text + "\n" + line).strip()
        close = line.find(")")
        tail = line[close + 1:].strip() if close >= 0 else ""
        if tail and reported_starts(tail):  # "- Abstentions : 3 (…) M. THUILLIER estime …"
            target.text = target.text[:len(target.text) - len(tail)].rstrip()
            _close_vote(state)
            _step(Para(para.page, tail), state)
        return True
    adopted = adopted_line(line)
    sentence = None if adopted or len(line) > 400 or reported_starts(line) else (
        decision_sentence(line) or unanimous_sentence(line) or majority_sentence(line))
    if adopted is None and sentence is None and not reported_starts(line):
        item_vote = _recent_vote(state)
        if item_vote is not None and elects_line(line) and item_vote.result == "adopté":
            item_vote.result = "élection"  # "- élit Nicolas CHARGUEROS …" under a vote already read
        elif item_vote is None and state.item is not None:
            sentence = noted_line(line)  # "- prend acte du rapport annuel …": no vote, the council takes note
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


_ARTICLE = re.compile(rf"^(?:[-–•]\s*)?(?P<word>(?:D['’]\s?|DE\s+)?[{_UP}]{{3,}})(?:\s+(?:ET|QUE|ACTE))*\s+[a-zàâçéèêëîïôûù'’]")
_NOT_ARTICLE = {"vu", "considerant", "vote", "adopte", "expose", "decision", "ordre", "objet", "pour", "contre"}


def article_line(line: str) -> bool:
    """``- FIXE le montant de la RODP …`` / ``D'AUTORISER le maire à signer …`` / ``DIT que …``:
    a decision article (not ``VU le budget …``)."""
    m = _ARTICLE.match(line)
    return bool(m) and fold(m.group("word")).replace("d ", "").replace("de ", "") not in _NOT_ARTICLE


def _note_article(state: State, line: str) -> None:
    if state.item is not None:
        state.articles.setdefault(state.item.id, []).append(_unbullet(line))


def _recent_vote(state: State) -> Vote | None:
    """The last vote of the current item, which a following "Abstentions : …" line completes."""
    if state.record.votes and state.item is not None and state.record.votes[-1].item == state.item.id:
        return state.record.votes[-1]
    return None


def _close_vote(state: State) -> None:
    vote = state.vote
    state.vote = None
    if vote is None:
        return
    finish_vote(vote)
    if any(v is vote for v in state.record.votes):  # identity: two votes may read alike
        return
    vote.item = state.item.id if state.item else None
    if state.pending_not_voting and state.pending_not_voting[0] == vote.item and vote.not_voting is None:
        _set_count(vote, "nppv", len(state.pending_not_voting[1]), state.pending_not_voting[1])
    state.pending_not_voting = None
    state.record.votes.append(vote)
    item = state.item
    if item is not None:  # every voted item is a decision, numbered or not
        number = item.deliberation or decision_number(state.record.session.id, item)
        delib = state.record.deliberation(number)
        if delib is None or delib.item != item.id:
            delib = Deliberation(number=number, title=item.title, item=item.id, page=vote.page,
                                 numbered=bool(item.deliberation))
            state.record.deliberations.append(delib)
        delib.vote = vote
        vote.deliberation = number


def decision_number(session_id: str, item: AgendaItem) -> str:
    """A decision without a deliberation number gets one unique across sessions, from its item:
    "pierrefonds-cm-2023-12-05-point-3"."""
    return f"{session_id}-{item.id}"


def _open_turn(state: State, turn: Turn) -> None:
    _close_turn(state)
    _close_vote(state)
    state.turn = turn


def _close_turn(state: State) -> None:
    turn = state.turn
    state.turn = None
    if turn is None:
        return
    text = "\n\n".join(p.strip() for p in turn.parts if p.strip())
    if not text:
        return
    roster, record = state.roster, state.record
    if not turn.role and fold(turn.name) in ("le maire", "la maire", "le president", "la presidente"):
        turn.role = "maire" if "maire" in fold(turn.name) else "président"  # "Madame le Maire indique …"
    stated_role = turn.role if turn.kind == "colon" and turn.role not in ("maire", "président") else ""
    own_label = turn.label
    first = _PERSON_RE.match(turn.label) if turn.reported else None
    if first and first.group(0).strip() != turn.label:
        own_label = first.group(0).strip()  # "M. DUTILLOY et Madame le Maire" → "M. DUTILLOY"
    person = _resolve(roster, own_label, turn.name, role=stated_role)
    if person.id not in state.members and turn.role and turn.kind == "colon":
        person.guest = True
    if state.item is None:
        state.item = _ensure_item(state, "ouverture", None, "Ouverture de la séance", turn.page, kind="segment")
    state.order += 1
    record.speeches.append(Speech(
        id=f"{record.session.id}/s{state.order:03d}", order=state.order, label=turn.label, speaker=person.name,
        person_id=person.id, item=state.item.id if state.item else None, text=text, page=turn.page,
        role=turn.role, reported=turn.reported, words=len(text.split())))


def _resolve(roster: Roster, label: str, name: str, role: str = "") -> Person:
    """Roster resolution, then a misspelt surname ("M. LEBANC", "Mme DEBUISSIER", "M. RIBERO")
    matched to the one member whose surname is a single edit away."""
    if roster.find(name) is None:
        near = near_surname(name, roster.persons.values())
        if near is not None:
            roster.note_label(near, label)
            if role and role not in near.roles:
                near.roles.append(role)
            return near
    return roster.resolve(label, name, role=role)


def near_surname(name: str, persons) -> Person | None:
    """The only person whose surname is one edit (insertion, deletion, substitution or swap)
    away from `name`; names shorter than five letters are never guessed."""
    key = fold(name).replace(" ", "")
    if len(key) < 5 or " " in fold(name):
        return None
    found = [p for p in persons if _one_edit(key, fold(surname_of(p.name)).replace(" ", ""))]
    return found[0] if len(found) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1 or not b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def _leftover(state: State, page: int, text: str) -> None:
    """Text that is nobody's speech still ends up searchable, as a page passage."""
    state.leftovers.setdefault(page, []).append(text)


def _finish(state: State) -> None:
    record = state.record
    for page, parts in sorted(state.leftovers.items()):
        record.passages.append(Passage(id=f"{record.session.id}/p{page:03d}", page=page, text="\n\n".join(parts)))
    for delib in record.deliberations:
        item = record.item(delib.item)
        if item is not None:
            delib.title = item.title
            delib.articles = state.articles.get(item.id, [])
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
