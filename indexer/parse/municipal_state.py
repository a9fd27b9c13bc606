"""The state carried through the municipal pass, and the helpers that open and close turns, votes
and items (shared by `municipal` and `municipal_items`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..model import AgendaItem, Deliberation, Person, Record, ReportTable, Speech, Vote
from ..people import Roster, fold, surname_of
from .rules.text import _unbullet
from .rules.turns import _one_edit, known_names
from .rules.votes import _set_count, finish_vote
from .rules.vocabulary import _PERSON_RE, _UP


# -- data carried through the pass ----------------------------------------------------

_CLOSES_TURN = re.compile(
    r"^(?:EXPOSE|EXPOSÉ|DECISION|DÉCISION|Vu |VU |Considérant|CONSIDÉRANT|Il est proposé|Il est demandé|"
    r"Le Conseil Municipal,? après|Le conseil municipal,? après|Après avoir entendu|[EÉ]tes-vous d['’]accord|"
    r"Informations?\s*:|Questions diverses|QUESTIONS DIVERSES|La séance est|Séance levée|"
    r"Arrivée d|Départ d|Sortie d)")
_RAPPORTEUR_KEEPS = re.compile(r"^(?:Vu |VU |Considérant|CONSIDÉRANT|Il est proposé|Il est demandé)")


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
    #: (item id, "le Festival des Forêts"): « Pour le Festival des Forêts, M. X estime … » names what the
    #: count lines that follow vote on (one line of a deliberation voted part by part)
    subject: tuple[str | None, str] | None = None
    body_positions: dict[str, int] = field(default_factory=dict)  # item id -> paragraph of its body heading
    open_title: AgendaItem | None = None  # a heading in capitals that may go on in the next paragraph
    leftovers: dict[int, list[str]] = field(default_factory=dict)
    articles: dict[str, list[str]] = field(default_factory=dict)  # item id -> decision articles
    tables: dict[str | None, list[ReportTable]] = field(default_factory=dict)  # item id -> its tables
    last_text: str = ""  # the paragraph read before this one (a table's title stands above it)
    known_names: set[str] = field(default_factory=set)  # folded names and surnames of the members
    step: Callable[..., None] | None = None  # the pass's paragraph step, for text that follows a heading


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


_ARTICLE = re.compile(rf"^(?:[-–•]\s*)?(?P<word>(?:D['’]\s?|DE\s+)?[{_UP}]{{3,}})(?:\s+(?:ET|QUE|ACTE))*\s+[a-zàâçéèêëîïôûù'’]")
_NOT_ARTICLE = {"vu", "considerant", "vote", "adopte", "expose", "decision", "ordre", "objet", "pour", "contre"}


def article_line(line: str) -> bool:
    """``- FIXE le montant de la RODP …`` / ``D'AUTORISER le maire à signer …`` / ``DIT que …``:
    a decision article (not ``VU le budget …``)."""
    m = _ARTICLE.match(line)
    if not m:
        return False
    word = fold(m.group("word")).replace("d ", "").replace("de ", "")
    # a verb in capitals ("DECIDE", "AUTORISE", "PREND", "DIT", "D'APPROUVER"), not an acronym ("TVA", "SCI")
    return word not in _NOT_ARTICLE and bool(re.search(r"(?:e|ent|er|it|t|d|s)$", word))


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
    state.known_names |= known_names([person.name])  # "Monsieur Gilles BAILLET …" then "Gilles BAILLET lui demande …"
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


def _leftover(state: State, page: int, text: str) -> None:
    """Text that is nobody's speech still ends up searchable, as a page passage."""
    state.leftovers.setdefault(page, []).append(text)

