"""Agenda items of municipal minutes: the "Ordre du jour" list and the body headings under any numbering."""

from __future__ import annotations

import re

from ..people import fold, slug
from .rules.text import Para, _is_bullet, _unbullet
from .rules.headings import (number_alone, number_prefix, numbered_deliberation_heading, strip_page_ref, sub_heading, _AGENDA_HEAD, _NUMBERED, _NUMBERED_BARE, _NUMBERED_DIGIT, deliberation_heading,
                             numbered_heading, roman_heading)
from .rules.turns import _HANDOVER, _RAPPORTEUR, _REPORTED, colon_turn, reported_starts
from .rules.votes import _ADOPTED, _VOTE_HEAD
from .rules.vocabulary import _CIV, _UP

from .municipal_state import _CLOSES_TURN, State, _close_turn, _close_vote, _ensure_item, _leftover


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
            state.step(Para(para.page, rest), state)
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
            and line[:1].isupper() and len(line.split()) >= 2)  # "DÉLIBÉRATIONS" alone is a section heading


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
            state.step(Para(para.page, rest), state)
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
            state.step(Para(para.page, rest), state)
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
            state.step(Para(para.page, rest), state)
        return True
    folded = fold(line) if state.plain_titles else ""
    for title, item_id in state.plain_titles.items():
        if folded.startswith(title):
            _close_turn(state)
            _close_vote(state)
            state.item = _ensure_item(state, item_id, None, line[:len(line)], para.page)
            rest = _split_title(line, state.item.title)[1]
            if rest:
                state.step(Para(para.page, rest), state)
            return True
    if _APPROVAL_HEAD.match(line) and len(line) < 200:  # "Approbation du procès-verbal de la séance du 24 juin"
        _close_turn(state)
        _close_vote(state)
        n = 1 + sum(1 for a in state.record.agenda if a.id.startswith("approbation-pv"))
        state.item = _ensure_item(state, f"approbation-pv-{n}", None, line.rstrip(" ."), para.page)
        return True
    if re.match(r"^(?:Informations?|QUESTIONS DIVERSES|Questions diverses|INFORMATIONS ET QUESTIONS DIVERSES|"
                r"Informations et questions diverses)\s*[:.]?\s*$", line):
        _close_turn(state)
        _close_vote(state)
        state.item = _ensure_item(state, slug(line.rstrip(" :.")), None, line.rstrip(" :."), para.page,
                                  kind="segment")
        return True
    return False


_APPROVAL_HEAD = re.compile(r"^(?:Approbation|APPROBATION|Adoption|ADOPTION)\s+(?:du|des|DU|DES)\s+(?:procès[- ]verba(?:l|ux)|"
                            r"PROC[EÈ]S[- ]VERBA(?:L|UX)|comptes?[- ]rendus?|COMPTES?[- ]RENDUS?|PV)\b")


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

