"""One register of persons across the sessions of an archive.

Each record resolves its own labels to persons (`people.py`), so that one councillor
can come out of ten years of minutes under several ids: a name cut by the PDF text
layer (« M ichel LEBLANC », « Marie-Alice DEBUIS SER »), a first name spelt two ways
(« Carine » / « Karine DUTEIL »), accents or capitals that differ (« LUDER » /
« LÜDER »), a surname alone (« RIBERO ») for a councillor named in full elsewhere.

`build_registry(records)` merges those ids into one `Entry` per person, each merge
with the evidence that justifies it, and dates what the minutes say of them: the
groups and roles they held (first and last session), the sessions they appear in.
Ids that were merged away stay known as aliases, so old links still resolve.
Pure functions over records; nothing here knows about the web.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .model import Record
from .people import fold, surname_of

#: first names this close (edits) and the same surname are one person, if never listed together
FIRST_NAME_EDITS = 1
#: a surname alone this close to a full name's surname (edits), with that person in the session
SURNAME_EDITS = 1


@dataclass
class Held:
    """A group or role and the sessions in which the minutes give it."""

    value: str
    first: str  # ISO date of the first session
    last: str
    sessions: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "first": self.first, "last": self.last, "sessions": self.sessions}


@dataclass
class Entry:
    """One person of the archive."""

    id: str  # canonical id (the id of the most frequent spelling)
    name: str
    civility: str = ""
    ids: list[str] = field(default_factory=list)  # every per-record id merged here, canonical first
    names: list[str] = field(default_factory=list)  # every spelling of the name
    labels: list[str] = field(default_factory=list)  # every raw label
    groups: list[Held] = field(default_factory=list)
    roles: list[Held] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)  # session ids, in date order
    guest: bool = True
    evidence: list[str] = field(default_factory=list)  # why each other id was merged here

    @property
    def group(self) -> str:
        """The latest group the minutes give."""
        return max(self.groups, key=lambda h: h.last).value if self.groups else ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "civility": self.civility, "ids": self.ids,
                "names": self.names, "labels": self.labels, "group": self.group,
                "groups": [h.to_dict() for h in self.groups], "roles": [h.to_dict() for h in self.roles],
                "sessions": self.sessions, "guest": self.guest, "evidence": self.evidence}


@dataclass
class Registry:
    persons: dict[str, Entry]
    aliases: dict[str, str]  # per-record id -> canonical id

    def canonical(self, person_id: str | None) -> str | None:
        return self.aliases.get(person_id or "")

    def get(self, person_id: str | None) -> Entry | None:
        canonical = self.canonical(person_id)
        return self.persons.get(canonical) if canonical else None


def edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 as soon as it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _squeeze(name: str) -> str:
    """The name folded with every space and hyphen removed: « M ichel LEBLANC » → « michelleblanc »."""
    return fold(name).replace(" ", "")


def _first_name(name: str) -> str:
    surname = surname_of(name)
    rest = name.replace(surname, " ") if surname else name
    return fold(rest)


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[rb] = ra
        return True


def build_registry(records: list[Record]) -> Registry:
    """Merge the per-record persons of `records` (in date order) into one register."""
    names: dict[str, Counter[str]] = {}  # id -> spellings, counted by session
    seen_in: dict[str, list[Record]] = {}
    together: set[tuple[str, str]] = set()  # ids listed in the same session: never one person
    for record in records:
        ids = sorted({p.id for p in record.persons} | {sp.person_id for sp in record.speeches if sp.person_id})
        for p in record.persons:
            names.setdefault(p.id, Counter())[p.name] += 1
        for sp in record.speeches:
            if sp.person_id and sp.person_id not in names:
                names.setdefault(sp.person_id, Counter())[sp.speaker] += 1
        for pid in ids:
            seen_in.setdefault(pid, []).append(record)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                together.add((a, b))
    weight = {pid: len(rs) for pid, rs in seen_in.items()}
    for pid in names:
        weight.setdefault(pid, 0)
    union = _Union()
    evidence: dict[str, list[str]] = {}

    def label(pid: str) -> str:
        return names[pid].most_common(1)[0][0] if names.get(pid) else pid

    def merge(a: str, b: str, why: str) -> None:
        if union.join(a, b):
            evidence.setdefault(a, []).append(why)

    # 1. the same letters once spaces, hyphens, accents and capitals are ignored
    by_letters: dict[str, list[str]] = {}
    for pid in sorted(names, key=lambda k: (-weight[k], k)):
        by_letters.setdefault(_squeeze(label(pid)), []).append(pid)
    for group in by_letters.values():
        for other in group[1:]:
            merge(group[0], other, f"« {label(other)} » : mêmes lettres que « {label(group[0])} » "
                                   "(espaces, accents ou capitales près)")
    # 2. same surname, first names one letter apart, never listed in the same session
    full = [pid for pid in names if _first_name(label(pid))]
    by_surname: dict[str, list[str]] = {}
    for pid in sorted(full, key=lambda k: (-weight[k], k)):
        by_surname.setdefault(fold(surname_of(label(pid))), []).append(pid)
    for group in by_surname.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if union.find(a) == union.find(b) or (a, b) in together or (b, a) in together:
                    continue
                fa, fb = _first_name(label(a)), _first_name(label(b))
                if min(len(fa), len(fb)) >= 4 and edits(fa, fb, FIRST_NAME_EDITS) <= FIRST_NAME_EDITS:
                    merge(union.find(a), b, f"« {label(b)} » et « {label(a)} » : même nom, prénoms à une lettre "
                                            "près, jamais cités dans la même séance")
    # 3. a surname alone, close to the surname of one person listed in the same session
    for pid in sorted(names):
        if _first_name(label(pid)) or union.find(pid) != pid:
            continue
        surname = fold(label(pid))
        candidates = set()
        for record in seen_in.get(pid, []):
            for p in record.persons:
                if p.id == pid or not _first_name(p.name):
                    continue
                if edits(surname, fold(surname_of(p.name)), SURNAME_EDITS) <= SURNAME_EDITS:
                    candidates.add(union.find(p.id))
        if len(candidates) == 1:
            target = candidates.pop()
            merge(target, pid, f"« {label(pid)} » (nom seul) : un seul élu de la séance a un nom à une lettre "
                               f"près, « {label(target)} »")
    return _entries(records, names, weight, union, evidence)


def _entries(records: list[Record], names: dict[str, Counter[str]], weight: dict[str, int], union: _Union,
             evidence: dict[str, list[str]]) -> Registry:
    members: dict[str, list[str]] = {}
    for pid in names:
        members.setdefault(union.find(pid), []).append(pid)
    persons: dict[str, Entry] = {}
    aliases: dict[str, str] = {}
    for root, ids in members.items():
        ids.sort(key=lambda k: (-weight[k], k))
        spellings: Counter[str] = Counter()
        for pid in ids:
            spellings.update(names[pid])
        # the spellings with a first name, the most frequent letters; among those, the spelling in
        # fewest words (a name cut by the text layer has more), the most frequent, in mixed case
        letters: Counter[str] = Counter()
        for spelling, n in spellings.items():
            letters[_squeeze(spelling)] += n
        ranked = sorted(spellings.items(), key=lambda kv: (
            not _first_name(kv[0]), -letters[_squeeze(kv[0])], _squeeze(kv[0]), len(kv[0].split()), -kv[1],
            kv[0].isupper(), kv[0]))
        canonical = next((pid for pid in ids if ranked[0][0] in names[pid]), ids[0])
        ids.remove(canonical)
        ids.insert(0, canonical)
        entry = Entry(id=canonical, name=ranked[0][0], ids=ids, names=[n for n, _ in ranked],
                      evidence=[why for pid in ids for why in evidence.get(pid, [])])
        persons[canonical] = entry
        for pid in ids:
            aliases[pid] = canonical
    groups: dict[str, dict[str, Held]] = {}
    roles: dict[str, dict[str, Held]] = {}
    for record in records:
        date = record.session.date or ""
        present: set[str] = set()
        for p in record.persons:
            cid = aliases.get(p.id)
            if cid is None:
                continue
            entry = persons[cid]
            present.add(cid)
            entry.civility = entry.civility or p.civility
            entry.guest = entry.guest and p.guest
            entry.labels += [lb for lb in p.labels if lb not in entry.labels]
            if p.group:
                _hold(groups.setdefault(cid, {}), p.group, date)
            for role in p.roles:
                _hold(roles.setdefault(cid, {}), role, date)
        for sp in record.speeches:
            cid = aliases.get(sp.person_id or "")
            if cid is not None:
                present.add(cid)
                if sp.label and sp.label not in persons[cid].labels:
                    persons[cid].labels.append(sp.label)
        for cid in sorted(present):
            persons[cid].sessions.append(record.session.id)
    for cid, entry in persons.items():
        entry.groups = sorted(groups.get(cid, {}).values(), key=lambda h: (h.first, h.value))
        entry.roles = sorted(roles.get(cid, {}).values(), key=lambda h: (h.first, h.value))
    return Registry(persons=persons, aliases=aliases)


def _hold(held: dict[str, Held], value: str, date: str) -> None:
    known = held.get(value)
    if known is None:
        held[value] = Held(value=value, first=date, last=date, sessions=1)
        return
    known.first = min(known.first, date) if known.first else date
    known.last = max(known.last, date)
    known.sessions += 1
