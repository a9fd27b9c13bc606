"""US city council minutes (English): roll-call numbers, numbered items, lettered sub-items, tallies.

What differs from French minutes is only the vocabulary; the record is the same:

    99-470 7. Ingersoll Liquor … Moved by McPherson to adopt. Motion Carried 6-1. Pass: Flagg.
    16. Resolution Ordering Construction of the following:
    99-479 (A) Elm & SW 7th Streets Sanitary Sewer … Moved by McPherson to adopt. Motion Carried 7-0.
    99-464 1. ROLL CALL: Present: Daniels, Coleman, Flagg, Hensley, McPherson, Belken and Vlassis.

Every item with a motion is a decision (its roll-call number is the deliberation number); the
tally ``6-1`` gives the ayes, and the second number is a nay only when no ``Pass:`` or ``Absent:``
names it otherwise; ``5-1-1`` is ayes, nays, passes.
"""

from __future__ import annotations

import re

from ..model import AgendaItem, Deliberation, Passage, Record, Session, Vote
from ..people import Roster, slug
from ..sources import Document

MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                      "september", "october", "november", "december"), 1)}
_DATE = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(\d{1,2}),?\s+((?:19|20)\d\d)\b", re.I)
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\s*([AP])\.?\s*M\.?", re.I)
_ITEM = re.compile(r"^(?:(?P<roll>\d{2}-\d{3,4})\s+)?(?P<n>\d{1,3})\.\s+(?P<title>\S.*)$")
_SUB = re.compile(r"^(?:(?P<roll>\d{2}-\d{3,4})\s+)?\((?P<letter>[A-Z])\)\s+(?P<title>\S.*)$")
_ROLL_ONLY = re.compile(r"^(?P<roll>\d{2}-\d{3,4})\s+(?P<title>[A-Z][A-Z ,/&'\-]{3,}\b.*)$")
_TALLY = re.compile(r"\bMotion\s+(?P<word>Carried|Passed|Failed|Lost|Defeated)\s+(?P<a>\d+)\s*-\s*(?P<b>\d+)"
                    r"(?:\s*-\s*(?P<c>\d+))?", re.I)
_NAMED = re.compile(r"\b(?P<kind>Nays?|Pass(?:es)?|Absent|Abstain(?:s|ed)?)\s*:\s*(?P<names>[^.:]+?)\s*(?:\.|$)")
_ABSTAINS = re.compile(r"Council Member\s+(?P<name>[A-Z][a-zA-Z'\-]+)[^.]{0,80}?\babstains?\b", re.I)
_PRESENT = re.compile(r"ROLL CALL\s*:\s*Present\s*:\s*(?P<names>[^.]+)\.")
_CITY = re.compile(r"\b(?P<city>[A-Z][A-Z .'\-]{2,40}?)\s+CITY COUNCIL\b")


def recognises(doc: Document) -> bool:
    """English council minutes: "City Council" near the top and motions with tallies."""
    head = doc.text[:5000]
    return bool(re.search(r"city council|board of (?:supervisors|aldermen)|town council", head, re.I)) \
        and len(_TALLY.findall(doc.text)) >= 1


def english_date(text: str) -> str:
    """``February 22, 1999 4:30 P.M.`` → "1999-02-22" (the first date of the header)."""
    m = _DATE.search(text)
    if not m:
        return ""
    return f"{m.group(3)}-{MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"


def english_time(text: str) -> str | None:
    """``4:30 P.M.`` → "16:30"; ``7:30 AM`` → "07:30"."""
    m = _TIME.search(text)
    if not m:
        return None
    hour = int(m.group(1)) % 12 + (12 if m.group(3).upper() == "P" else 0)
    return f"{hour:02d}:{m.group(2)}"


def split_names(text: str) -> list[str]:
    """"Flagg and Belken" → ["Flagg", "Belken"]."""
    return [n.strip() for n in re.split(r",|\band\b", text) if n.strip() and len(n.strip()) < 40]


def tally(text: str) -> Vote | None:
    """``Motion Carried 6-1. Pass: Flagg.`` → 6 for, 1 abstention (Flagg); ``Motion Carried 5-1-1. Nays:
    Belken. Pass: McPherson.`` → 5/1/1; ``Motion Carried 6-1. Absent: Coleman.`` → 6 for, nobody against."""
    m = _TALLY.search(text)
    if not m:
        return None
    a, b, c = int(m.group("a")), int(m.group("b")), m.group("c")
    vote = Vote(text=text[m.start():m.end() + 120].strip(), for_=a)
    tail = text[m.end():m.end() + 300]
    named: dict[str, list[str]] = {}
    for n in _NAMED.finditer(tail):
        kind = n.group("kind").lower()
        key = "against" if kind.startswith("nay") else "absent" if kind == "absent" else "abstention"
        named.setdefault(key, []).extend(split_names(n.group("names")))
    for n in _ABSTAINS.finditer(tail):
        named.setdefault("abstention", []).append(n.group("name"))
    vote.against_groups = named.get("against", [])
    vote.abstention_groups = named.get("abstention", [])
    vote.absent_groups = named.get("absent", [])
    if c is not None:
        vote.against, vote.abstention = b, int(c)
    elif b and not named.get("against") and (named.get("abstention") or named.get("absent")):
        vote.against = 0
        if named.get("abstention"):
            vote.abstention = len(named["abstention"])
        else:
            vote.absent = len(named["absent"])
    else:
        vote.against = b
        if named.get("abstention"):
            vote.abstention = len(named["abstention"])
    vote.unanimous = not vote.against and not vote.abstention
    lead = text[max(0, m.start() - 400):m.start()]
    if m.group("word").lower() in ("failed", "lost", "defeated"):
        vote.result = "rejeté"
    elif re.search(r"\bwithdraw|\bto defer\b", lead, re.I):
        vote.result = "retiré"
    elif re.search(r"\breceive,?\s+(?:and\s+)?file\b", lead, re.I):
        vote.result = "pris acte"
    else:
        vote.result = "adopté"
    return vote


def parse(doc: Document) -> Record:
    from . import session_id

    text = doc.text
    date = english_date(text[:3000])
    record = Record(session=Session(id=session_id(doc.path.stem, date), body="", date=date,
                                    kind="city council meeting"), layout="citycouncil")
    session = record.session
    m = _CITY.search(text[:3000])
    city = " ".join(w.capitalize() for w in m.group("city").split()) if m else ""
    session.body = f"{city} City Council".strip()
    line = next((ln for ln in text[:3000].splitlines() if _DATE.search(ln)), "")
    session.start = english_time(line) or english_time(text[text.find(line):text.find(line) + 200] if line else "")
    adjourned = re.search(r"\badjourn\w*\s+at\s+(\d{1,2}:\d{2}\s*[AP]\.?\s*M\.?)", text, re.I)
    if adjourned:  # "Moved by McPherson to adjourn at 7:51 P.M."
        session.end = english_time(adjourned.group(1))
    if not date:
        record.warnings.append("date de séance introuvable dans le document")
    roster = Roster()
    m = _PRESENT.search(text)
    if m:
        for name in split_names(m.group("names")):
            session.present.append(roster.add(name).name)
    absent = re.search(r"ROLL CALL.{0,300}?Absent\s*:\s*(?P<names>[^.]+)\.", text, re.S)
    if absent:
        session.absent = [roster.add(n).name for n in split_names(absent.group("names"))]
    _items(doc, record)
    record.persons = roster.all()
    return record


def _items(doc: Document, record: Record) -> None:
    sid = record.session.id
    item: AgendaItem | None = None
    parent = 0
    extra = False
    subs: dict[int, set[str]] = {}
    texts: dict[str, list[str]] = {}
    leftovers: dict[int, list[str]] = {}
    pages: dict[str, int] = {}

    def add(item_id: str, number, title: str, page: int, roll: str | None) -> AgendaItem:
        found = record.item(item_id)
        if found is None:
            found = AgendaItem(id=item_id, order=len(record.agenda) + 1, title=title, number=number, page=page)
            record.agenda.append(found)
        elif title and not found.title:
            found.title = title
        if roll:
            found.deliberation = roll
        return found

    for page in doc.pages:
        for raw in page.text.splitlines():
            line = " ".join(raw.split())
            if not line:
                continue
            m = _ITEM.match(line)
            s = _SUB.match(line)
            r = _ROLL_ONLY.match(line) if not (m or s) else None
            if m and (m.group("roll") or int(m.group("n")) == parent + 1):
                n = int(m.group("n"))
                if m.group("roll") and n < parent and n == 1:
                    extra = True  # items added after the agenda restart their numbering
                parent = n
                number = f"Extra {n}" if extra else n
                item_id = f"point-{slug(str(number))}"
                title = _title(m.group("title"))
                if record.item(item_id) is not None and item is not None and item.id.startswith(item_id + "-"):
                    record.item(item_id).title = title  # "17." printed after its own "(A)"
                else:
                    item = add(item_id, number, title, page.number, m.group("roll"))
            elif s and parent:
                letter = s.group("letter")
                owner = parent if letter not in subs.get(parent, set()) else parent + 1
                if owner != parent:  # "(A)" printed before its "17." header
                    add(f"point-{owner}", owner, "", page.number, None)
                subs.setdefault(owner, set()).add(letter)
                base = f"Extra {owner}" if extra else str(owner)
                item = add(f"point-{slug(base)}-{letter.lower()}", f"{base}({letter})", _title(s.group("title")),
                           page.number, s.group("roll"))
            elif r:
                item = add(slug(r.group("title")[:40]), None, _title(r.group("title")), page.number, r.group("roll"))
            if item is None:
                leftovers.setdefault(page.number, []).append(line)
                continue
            texts.setdefault(item.id, []).append(line)
            pages.setdefault(item.id, page.number)
    found: dict[str, list[Vote]] = {}
    for it in record.agenda:
        joined = " ".join(texts.get(it.id, []))  # a tally may be cut over two lines ("Motion" / "Carried 7-0.")
        starts = [m.start() for m in _TALLY.finditer(joined)]
        for k, start in enumerate(starts):
            vote = tally(joined[starts[k - 1] if k else 0:starts[k + 1] if k + 1 < len(starts) else len(joined)])
            if vote is not None:
                found.setdefault(it.id, []).append(vote)
    for it in record.agenda:
        # Two columns flattened: a parent's motion printed under its "(A)", which then holds two motions
        # while the parent, not a "for the following:" header, holds none.
        parent_id = it.id.rsplit("-", 1)[0] if isinstance(it.number, str) and "(" in it.number else None
        parent = record.item(parent_id) if parent_id else None
        if parent is not None and len(found.get(it.id, [])) >= 2 and not found.get(parent.id) \
                and not re.search(r"\bfollowing\s*:?\s*$", parent.title + ":"):
            found[parent.id] = [found[it.id].pop(0)]
    for it in record.agenda:
        joined = " ".join(texts.get(it.id, []))
        for vote in found.get(it.id, []):
            vote.page, vote.item = pages.get(it.id, it.page), it.id
            if re.search(r"\bWITHDRAWN\b", joined):
                vote.result = "retiré"
            record.votes.append(vote)
            _decide(record, sid, it, vote)
        if re.search(r"\bWITHDRAWN\b", joined) and not any(v.item == it.id for v in record.votes):
            vote = Vote(result="retiré", item=it.id, page=it.page, text="WITHDRAWN")
            record.votes.append(vote)
            _decide(record, sid, it, vote)
    for item_id, lines in texts.items():
        it = record.item(item_id)
        record.passages.append(Passage(id=f"{sid}/p{it.page or 0:03d}-{item_id}", page=it.page or 0,
                                       text="\n\n".join(lines)))
    for page_no, lines in sorted(leftovers.items()):
        record.passages.append(Passage(id=f"{sid}/p{page_no:03d}", page=page_no, text="\n\n".join(lines)))


def _title(text: str) -> str:
    """The item's title: up to its first motion ("Moved by …")."""
    return re.split(r"\s*\bMoved by\b", text)[0].strip().rstrip(":").strip()


def _decide(record: Record, sid: str, item: AgendaItem, vote: Vote) -> None:
    number = item.deliberation or f"{sid}-{item.id}"
    delib = record.deliberation(number)
    if delib is None:
        delib = Deliberation(number=number, title=item.title, item=item.id, page=vote.page,
                             numbered=bool(item.deliberation))
        record.deliberations.append(delib)
    if delib.vote is None:
        delib.vote = vote
    vote.deliberation = number
