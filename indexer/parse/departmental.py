"""Verbatim minutes of a departmental council (the Pas-de-Calais layout).

The document has three parts:

1. the procès-verbal: speaker turns written ``M. LE PRESIDENT.- …`` /
   ``MME CAUWET.- …``, numbered reports announced by ``(Rapport n°2 du rapport du
   Président)`` under their title in capitals, vote blocks ``Pour : 76 voix (…)``
   followed by ``(Adopté)``, stage directions (``Applaudissements.``), attendance;
2. the vœux filed by political groups (``Vœu … / Déposé par le groupe …``);
3. the deliberations, each opened by ``Accusé de réception en préfecture : …`` and
   numbered ``(N°2025-361)``, followed by its annexed ``RAPPORT N°k``.

Each rule is a small function over one paragraph (a block of lines between blank
lines), with an example of what it matches in its docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import AgendaItem, Person, Record, Session, Speech, StageDirection, Vote
from ..people import Roster, fold, fold_head, slug
from ..sources import Document
from .dates import find_session_date, parse_time
from .rules.vote_blocks import is_vote_block, parse_result, parse_vote_block

# -- recognising --------------------------------------------------------------

_TURN = re.compile(r"^(?P<civ>M\.|MM\.|MME|Mme|Mlle|MLLE|M)\s+(?P<name>[A-ZÀ-ÖØ-Ý][A-ZÀ-ÖØ-Ýa-zà-ÿ' \-]{1,60}?)\s*\.\s?-\s*(?P<rest>.*)$",
                   re.DOTALL)
_REPORT_HEADER = re.compile(r"\(\s*Rapport n°\s*(\d+)\s+du rapport du Pr[ée]sident\s*\)", re.IGNORECASE)


def recognises(doc: Document) -> bool:
    """Verbatim turns ending in ".-" and at least a few of them."""
    turns = sum(1 for line in doc.text.splitlines() if _is_turn(line))
    return turns >= 5


def _is_turn(line: str) -> bool:
    m = _TURN.match(line.strip())
    return bool(m) and _looks_like_label_name(m.group("name"))


def _looks_like_label_name(name: str) -> bool:
    """"LE PRESIDENT", "HINGREZ-CEREDA" — a name in capitals, not a sentence."""
    letters = [c for c in name if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    return bool(letters) and upper / len(letters) > 0.8


# -- paragraphs -----------------------------------------------------------------

@dataclass
class Para:
    text: str
    page: int | None


_MARKUP = [
    (re.compile(r"\^\{([^}]*)\}"), r"\1"),
    (re.compile(r"</?(?:u|p|b|i|em|strong|span|ul|li|br)[^>]*>", re.I), " "),
    (re.compile(r"\*\*"), ""),
    (re.compile(r"\*(\([^)]*\))\*"), r"\1"),  # *(rires)*
    (re.compile(r"\(\*([^*]*)\*\)"), r"(\1)"),  # (*rires*)
    (re.compile(r"\*([^*\n]+)\*"), r"\1"),
]


_RULE = re.compile(r"-{2,}[\s\t-]*")  # a horizontal rule of a text conversion


def clean_inline(text: str) -> str:
    """Remove markdown/HTML left by a conversion (idempotent on clean text)."""
    if "*" not in text and "<" not in text and "^" not in text:  # what every pattern needs
        return text
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    return text


def paragraphs(doc: Document) -> list[Para]:
    out: list[Para] = []
    # Only a PDF's pages are real; a text conversion's "pages" are not the document's.
    multi_page = doc.kind == "pdf"
    for page in doc.pages:
        for block in re.split(r"\n\s*\n", page.text):
            lines = [clean_inline(line).strip() for line in block.splitlines()]
            lines = [line for line in lines if line and not (line.startswith("--") and _RULE.fullmatch(line))]
            if lines:
                out.append(Para("\n".join(lines), page.number if multi_page else None))
    return out


# -- table of contents ------------------------------------------------------------

_TOC_LINE = re.compile(r"^(\d{1,2})\s+-\s+(.+?)\s*(?:\t+|\s{2,}|\s\|\s|\s)(\d{1,4})$")


def table_of_contents(paras: list[Para]) -> dict[int, tuple[str, int]]:
    """"2 - Budget supplémentaire de l'exercice 2025 - Affectation du résultat<TAB>11" → {2: (title, 11)}."""
    toc: dict[int, tuple[str, int]] = {}
    for para in paras[:80]:
        for line in para.text.splitlines():
            m = _TOC_LINE.match(line.replace("\t", "\t"))
            if m and int(m.group(1)) == len(toc) + 1:
                toc[int(m.group(1))] = (m.group(2).strip(), int(m.group(3)))
    return toc


# -- parts of the document ---------------------------------------------------------

def _part_index(paras: list[Para], pattern: str, start: int = 0, case: bool = False) -> int | None:
    rx = re.compile(pattern, 0 if case else re.IGNORECASE)
    for i in range(start, len(paras)):
        if rx.search(paras[i].text.splitlines()[0]):
            return i
    return None


# -- stage directions ------------------------------------------------------------

_STAGE = re.compile(
    r"^(?:\(.*\)\.?|applaudissements.*|projection .*|diffusion .*|rires.*|brouhaha.*|"
    r"l'assembl[ée]e\b.*|retour de .*|suspension .*|"
    r"(?:m\.|mme|mm\.|monsieur|madame)\s.{0,80}\b(?:quitte|quittent|entre|entrent|revient|reviennent|rejoint|"
    r"rejoignent|sort|sortent|arrive|arrivent|va chercher|remercie|remet|procède)\b.*)$",
    re.IGNORECASE | re.DOTALL,
)
_INLINE_STAGE = re.compile(r"\s*\((rires|applaudissements|brouhaha|exclamations|sourires)[^)]*\)", re.IGNORECASE)


def is_stage_direction(text: str) -> bool:
    """"Applaudissements.", "Mme GAUTHIER quitte l'hémicycle.", "(M. Alexandre MALFAIT procède à l'appel)".

    Short paragraphs only: a long paragraph in parentheses is not a direction.
    """
    flat = " ".join(text.split())
    if len(flat) > 240 or _REPORT_HEADER.search(flat):
        return False
    if flat.startswith("(") and not flat.endswith(")") and not flat.endswith(")."):
        return False
    return bool(_STAGE.match(flat))


# -- attendance --------------------------------------------------------------------

_PRESENT = re.compile(r"^[ÉE]taient pr[ée]sents?\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_EXCUSED = re.compile(r"^Excus[ée]\(?e?\)?\(?s?\)?\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_ABSENT = re.compile(r"^Absent\(?e?\)?\(?s?\)?\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_PROXY = re.compile(r"^(?P<giver>.+?),?\s+absente?,?\s+d[ée]l[ée]gation de vote donn[ée]e [àa]\s+(?P<holder>.+?)\.?$",
                    re.IGNORECASE)
_ARRIVAL = re.compile(r"^(?P<who>(?:M\.|Mme)\s+[^,]+?)\s+(?P<what>va arriver|arrive|est arriv[ée]e?)\b.*$", re.IGNORECASE)
_PERSON_NAME = re.compile(r"(?:M\.|Mme|Monsieur|Madame)\s+[A-ZÀ-Ý][\w'À-ÿ-]*(?:\s+[A-ZÀ-Ý][\w'À-ÿ-]*)*")


def name_list(text: str) -> list[str]:
    """"M. Jean-Claude LEROY, Mme Mireille HINGREZ-CÉRÉDA, …" → ["M. Jean-Claude LEROY", …]."""
    flat = " ".join(text.split()).rstrip(".")
    return [n.strip() for n in re.split(r",\s*|\s+et\s+", flat) if n.strip()]


# -- session times -------------------------------------------------------------------

_START = re.compile(r"s[ée]ance (?:d[ée]bute|est ouverte|s'ouvre)\s+[àa]\s+([^,]+?)\s+sous la pr[ée]sidence de\s+"
                    r"(?P<president>(?:M\.|Mme)\s+[^,]+),(?P<rest>.*)", re.IGNORECASE | re.DOTALL)
_SECRETARY = re.compile(r"(?P<sec>(?:M\.|Mme)\s+[^,]+?)\s+assure la fonction de secr[ée]taire", re.IGNORECASE)
_SUSPENDED = re.compile(r"s[ée]ance est suspendue [àa] (.+)", re.IGNORECASE)
_RESUMED = re.compile(r"s[ée]ance reprend [àa] (.+)", re.IGNORECASE)
_CLOSED = re.compile(r"s[ée]ance est lev[ée]e [àa] (.+)", re.IGNORECASE)


# -- the parser ----------------------------------------------------------------------

@dataclass
class _State:
    record: Record
    roster: Roster
    toc: dict[int, tuple[str, int]]
    item: AgendaItem | None = None
    speech: Speech | None = None
    order: int = 0
    last_vote: Vote | None = None
    president: Person | None = None
    pending_heading: list[str] = field(default_factory=list)


def parse(doc: Document) -> Record:
    from .departmental_acts import _parse_deliberations, _parse_wishes

    paras = paragraphs(doc)
    date = find_session_date(doc.text) or ""
    body = _body(doc.text)
    session = Session(id=slug(doc.path.stem) or date, body=body, date=date)
    record = Record(session=session, layout="departmental")
    roster = Roster()

    wishes_at = _part_index(paras, r"^(DEUXI[ÈE]ME PARTIE|V(?:Œ|OE)UX)$") or len(paras)
    delib_at = _part_index(paras, r"^(TROISI[ÈE]ME PARTIE|Accus[ée] de r[ée]ception en pr[ée]fecture)", wishes_at) or len(paras)
    debate_at = _part_index(paras, r"^PROC[ÈE]S-VERBAL DE S[ÉE]ANCE$", case=True) or 0

    # Names first: attendance lists anywhere in the document give full names.
    for para in paras:
        for rx in (_PRESENT, _EXCUSED, _ABSENT):
            m = rx.match(para.text)
            if m:
                for name in name_list(m.group(1)):
                    if _PERSON_NAME.fullmatch(name):
                        roster.add(name)

    state = _State(record=record, roster=roster, toc=table_of_contents(paras[:debate_at + 1]))
    _parse_debate(paras[debate_at:wishes_at], state)
    _parse_wishes(paras[wishes_at:delib_at], state)
    _parse_deliberations(paras[delib_at:], state)
    _finish(state)
    return record


def _body(text: str) -> str:
    head = fold_head(text[:3000])
    m = re.search(r"conseil departemental du ([a-z -]+?)\s*(?:\n|reunion|seance|$)", head)
    if m:
        place = m.group(1).strip()
        return "Conseil départemental du " + "-".join(w.capitalize() if w not in ("de", "du") else w
                                                      for w in place.split(" ")).replace("-De-", "-de-")
    return "Conseil départemental"


def _new_item(state: _State, *, title: str, number: int | None, kind: str, page: int | None) -> AgendaItem:
    order = len(state.record.agenda) + 1
    item_id = f"rapport-{number}" if number is not None else _segment_id(title, state)
    item = AgendaItem(id=item_id, order=order, title=title, number=number, kind=kind, page=page)
    state.record.agenda.append(item)
    state.item = item
    return item


def _segment_id(title: str, state: _State) -> str:
    base = "-".join(slug(title).split("-")[:4]) or "segment"
    existing = {a.id for a in state.record.agenda}
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _sentence_case(caps: str) -> str:
    text = " ".join(caps.split())
    if text.upper() != text:
        return text
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]


def _is_caps_heading(text: str) -> bool:
    """"INTERVENTION DE MONSIEUR HUGO GILARDI DIRECTEUR GÉNÉRAL DE L'AGENCE RÉGIONALE DE SANTÉ"."""
    if len(text) >= 400:
        return False
    letters = "".join(filter(str.isalpha, text))
    return len(letters) >= 12 and sum(map(str.isupper, letters)) / len(letters) > 0.9


def _add_stage(state: _State, text: str, page: int | None) -> None:
    state.order += 1
    state.record.stage_directions.append(StageDirection(
        id=f"{state.record.session.id}/d{state.order:03d}", order=state.order, text=" ".join(text.split()),
        item=state.item.id if state.item else None, page=page))


def _close_speech(state: _State) -> None:
    sp = state.speech
    if sp is not None:
        sp.text = sp.text.strip()
        sp.words = len(sp.text.split())
    state.speech = None


def _append(state: _State, text: str) -> None:
    if state.speech is None:
        return
    text = " ".join(text.split("\n"))
    for m in _INLINE_STAGE.finditer(text):
        _add_stage(state, m.group(0).strip(), state.speech.page)
    text = _INLINE_STAGE.sub("", text).strip()
    if text:
        state.speech.text += ("\n\n" if state.speech.text else "") + text


def _parse_debate(paras: list[Para], state: _State) -> None:
    from .departmental_room import _attendance, _movement, _segment_from_direction, _segment_from_speech

    record, roster = state.record, state.roster
    session = record.session
    _new_item(state, title="Ouverture de la séance", number=None, kind="segment", page=paras[0].page if paras else None)
    state.item.page = state.item.page or 1
    i = 0
    while i < len(paras):
        para = paras[i]
        text = para.text
        flat = " ".join(text.split())
        i += 1

        if i == 1 and re.search(r"PROC[ÈE]S-VERBAL", flat):
            continue
        if re.fullmatch(r"(CONSEIL D[ÉE]PARTEMENTAL.*|R[ÉE]UNION DU .*|S[ÉE]ANCE DU .*)", flat, re.IGNORECASE) and state.speech is None:
            continue

        # Session opening: "(La séance débute à 10 heures 03 sous la présidence de M. X, …, M. Y assure …)"
        # (the opening, resumption, suspension and closing patterns each need « séance » and a space)
        times = "ance " in flat.lower()
        m = _START.search(flat) if times else None
        if m and not session.start:
            session.start = parse_time(m.group(1))
            president = roster.add(m.group("president"), role=_role_after(m.group("rest")) or "Président")
            state.president = president
            session.president = president.name
            roster.add_title("LE PRESIDENT", president)
            sec = _SECRETARY.search(flat)
            if sec:
                secretary = roster.add(sec.group("sec"), role="Secrétaire de séance")
                session.secretary = secretary.name
            _close_speech(state)
            _add_stage(state, flat, para.page)
            continue
        if times and _RESUMED.search(flat) and flat.startswith("("):
            session.resumption = parse_time(_RESUMED.search(flat).group(1))
            _close_speech(state)
            _add_stage(state, flat, para.page)
            continue
        m = _SUSPENDED.search(flat) if times else None
        if m and len(flat) < 120:
            session.suspension = parse_time(m.group(1))
            _close_speech(state)
            _add_stage(state, flat, para.page)
            continue
        m = _CLOSED.search(flat) if times else None
        if m and len(flat) < 120:
            session.end = parse_time(m.group(1))
            _close_speech(state)
            _add_stage(state, flat, para.page)
            break  # signatures follow

        # Speaker turn.
        turn = _TURN.match(text)
        if turn and _looks_like_label_name(turn.group("name")):
            _close_speech(state)
            _start_speech(state, turn, para)
            continue

        # Attendance inside the debate.
        if _attendance(flat, state):
            continue

        # Report heading: title lines in capitals + "(Rapport n°N du rapport du Président)".
        m = _REPORT_HEADER.search(flat)
        if m:
            number = int(m.group(1))
            heading = _REPORT_HEADER.sub("", text).strip()
            toc_title, toc_page = state.toc.get(number, ("", None))
            title = toc_title or _sentence_case(heading) or f"Rapport n°{number}"
            _close_speech(state)
            _new_item(state, title=title, number=number, kind="rapport", page=para.page or toc_page)
            continue

        # Vote block and its result.
        if is_vote_block(flat):
            vote = parse_vote_block(flat)
            vote.item = state.item.id if state.item else None
            vote.page = para.page
            record.votes.append(vote)
            state.last_vote = vote
            continue
        result = parse_result(flat)
        if result:
            if state.last_vote is not None and not state.last_vote.result:
                state.last_vote.result = result
            continue

        # A heading in capitals between turns opens an unnumbered segment.
        if _is_caps_heading(flat) and not flat.startswith("("):
            if i < len(paras) and _REPORT_HEADER.search(paras[i].text):
                # the report's title, set apart from its "(Rapport n°N …)" line by a blank line
                paras[i] = Para(text + "\n" + paras[i].text, paras[i].page)
                continue
            _close_speech(state)
            guest = _guest_from_heading(flat, state)
            title = f"Intervention de {guest.civility} {guest.name}, {guest.roles[0][:1].lower()}{guest.roles[0][1:]}" \
                if guest else _sentence_case(flat)
            _new_item(state, title=title, number=None, kind="segment", page=para.page)
            continue

        if is_stage_direction(flat):
            _add_stage(state, flat, para.page)
            _movement(flat, state)
            _segment_from_direction(flat, state)
            continue

        _segment_from_speech(flat, state)
        _append(state, text)
    _close_speech(state)


def _role_after(rest: str) -> str:
    """", Président du Conseil départemental, M. X assure …" → "Président du Conseil départemental"."""
    first = rest.strip().split(",")[0].strip()
    return first if first and not first.startswith(("M.", "Mme")) else ""


def _start_speech(state: _State, turn: re.Match, para: Para) -> None:
    record, roster = state.record, state.roster
    label = text_label = f"{turn.group('civ')} {turn.group('name').strip()}.-"
    name = turn.group("name").strip()
    if fold(name) in ("le president", "la presidente") and state.president is not None:
        person = state.president
        roster.note_label(person, text_label)
        role = "président"
    else:
        person = roster.find(name)
        if person is None:
            full = _full_name_in_record(name, state)
            guest = True
            person = roster.add(f"{_civility(turn.group('civ'))} {full}".strip(), guest=guest)
        roster.note_label(person, label)
        role = "invité" if person.guest else ""
    state.order += 1
    speech = Speech(id=f"{record.session.id}/s{state.order:03d}", order=state.order, label=label,
                    speaker=person.name, person_id=person.id, item=state.item.id if state.item else None,
                    text="", page=para.page or (state.item.page if state.item else None), role=role)
    record.speeches.append(speech)
    state.speech = speech
    _append(state, turn.group("rest"))
    for line in para.text.splitlines()[1:]:
        _append(state, line)


def _civility(civ: str) -> str:
    return "Mme" if civ.lower().startswith(("mme", "mlle")) else "M."


def _full_name_in_record(surname: str, state: _State) -> str:
    """Look for "Hugo GILARDI" / "Monsieur Hugo GILARDI" earlier in the debate text and headings."""
    pattern = re.compile(r"\b([A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?)\s+" + re.escape(surname) + r"\b")
    for item in state.record.agenda:
        m = pattern.search(item.title.title().replace(surname.title(), surname))
        if m:
            return f"{m.group(1)} {surname}"
    for sp in state.record.speeches:
        m = pattern.search(sp.text)
        if m and m.group(1) not in ("Monsieur", "Madame", "Merci"):
            return f"{m.group(1)} {surname}"
    return surname


def _guest_from_heading(flat: str, state: _State) -> Person | None:
    """"INTERVENTION DE MONSIEUR HUGO GILARDI DIRECTEUR GÉNÉRAL DE L'AGENCE RÉGIONALE DE SANTÉ"
    registers Hugo GILARDI as a guest with his role."""
    m = re.match(r"INTERVENTION DE (MONSIEUR|MADAME) ([A-ZÀ-Ý-]+) ([A-ZÀ-Ý' -]+?)\s*,?\s+((?:DIRECT|PR[ÉE]SID|MAIRE|PR[ÉE]FET|SECR[ÉE]TAIRE)[A-ZÀ-Ý' -]*)$", flat)
    if not m:
        return None
    civ = "M." if m.group(1) == "MONSIEUR" else "Mme"
    first = m.group(2).title()
    person = state.roster.add(f"{civ} {first} {m.group(3)}", role=_institution_case(m.group(4)), guest=True)
    person.guest = True
    return person


def _institution_case(caps: str) -> str:
    """"DIRECTEUR GÉNÉRAL DE L'AGENCE RÉGIONALE DE SANTÉ" → "Directeur général de l'Agence régionale de santé"."""
    text = _sentence_case(caps)
    return re.sub(r"\b(de l'|du |de la |des )([a-zà-ÿ])", lambda m: m.group(1) + m.group(2).upper(), text, count=1)


def _finish(state: _State) -> None:
    record = state.record
    items = {a.id: a for a in record.agenda}
    for delib in record.deliberations:
        item = items.get(delib.item or "")
        if item is not None:
            item.deliberation = delib.number
            # the deliberation's title is the report's; prefer the table of contents' spelling
            if fold(item.title).split() and _similar(item.title, delib.title):
                delib.title = item.title
            delib.speeches = [s.id for s in record.speeches if s.item == item.id]
            for vote in record.votes:
                if vote.item == item.id:
                    vote.deliberation = delib.number
    # Rapporteur: whoever speaks first once a numbered report is opened (the chair, for some).
    for item in record.agenda:
        first = next((sp for sp in record.speeches if sp.item == item.id), None)
        if item.kind == "rapport" and first is not None:
            item.rapporteur = first.person_id
            if not first.role:
                first.role = "rapporteur"
    # Groups stated in vote blocks by name: "Groupe Union pour le Pas-de-Calais (M. Bruno COUSEIN, …)".
    for vote in record.votes:
        for g in vote.for_groups + vote.against_groups + vote.abstention_groups:
            m = re.match(r"^(Groupe .+?)\s*\((.+)\)$", g)
            if m:
                for name in name_list(m.group(2)):
                    person = state.roster.find(name)
                    if person and not person.group:
                        person.group = m.group(1)
    if record.wishes and any(re.search(r"transmettre ces v(?:œ|oe)ux au Gouvernement", s.text) for s in record.speeches):
        for wish in record.wishes:
            wish.outcome = "transmis au Gouvernement"
    session = record.session
    for vote in record.votes:
        if vote.in_office:
            session.in_office = vote.in_office
            break
    for item in record.agenda:
        if item.kind == "segment" and item.page is None:
            item.page = None
    record.persons = state.roster.all()
    # speeches keep the canonical spelling chosen at the end (accents preferred)
    names = {p.id: p.name for p in record.persons}
    for sp in record.speeches:
        sp.speaker = names.get(sp.person_id or "", sp.speaker)
    if state.president is not None:
        session.president = names.get(state.president.id, session.president)


def _similar(a: str, b: str) -> bool:
    wa, wb = set(fold(a).split()), set(fold(b).split())
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) > 0.5
