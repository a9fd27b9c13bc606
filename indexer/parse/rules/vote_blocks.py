"""Vote blocks → Vote.

Departmental blocks come as labelled counts, on one line or several:

    Pour : 54 voix (Groupe Socialiste, Républicain et Citoyen ; … (M. Bruno COUSEIN, …) ; Non-inscrits)
    Contre : 0 voix
    Nombre d'abstentions : 24 voix (Groupe Union pour le Pas-de-Calais ; Groupe Rassemblement National)
    Nombre de Conseillers départementaux présents au moment du vote : 71

followed by a result line such as "(Adopté)".
"""

from __future__ import annotations

import re

from ...model import Vote

# Longest labels first: "Nombre d'abstentions" must win over "Abstention".
_LABELS: list[tuple[str, str]] = [
    ("in_office", r"Nombre de (?:Conseillers?|membres|élus)[^:]{0,40}?en exercice"),
    ("present", r"Nombre de (?:Conseillers?|membres|élus)[^:]{0,40}?présents?(?: au moment du vote)?"),
    ("proxies", r"Nombre de (?:délégations de vote|pouvoirs|procurations)"),
    ("absent", r"Absent(?:e)?s? sans délégation de vote|Absents? non représentés?"),
    ("expressed", r"Nombre de suffrages exprimés|Suffrages exprimés"),
    ("abstention", r"Nombre d'abstentions|Abstentions?"),
    ("not_voting", r"Ne (?:prend|prennent) pas part au vote|Non-participation au vote"),
    ("for_", r"Pour"),
    ("against", r"Contre"),
]
_LABEL_RE = re.compile(
    r"(?<![\w'])(?:" + "|".join(f"(?P<{name}>{pat})" for name, pat in _LABELS) + r")\s*:\s*(?P<count>\d+)",
    re.IGNORECASE,
)
_RESULT_RE = re.compile(r"^\(?\s*(adopt[ée]e?s?|rejet[ée]e?s?)\s*(?:à l'unanimité)?\s*\)?\.?$", re.IGNORECASE)


def _label_names(text: str) -> set[str]:
    if ":" not in text:  # every label is followed by its colon and count
        return set()
    return {name for m in _LABEL_RE.finditer(text) for name, _ in _LABELS if m.group(name)}


def is_vote_block(text: str) -> bool:
    """True for "Pour : 76 voix (…) Contre : 0 voix …" and the "Nombre de Conseillers … : 78" form."""
    names = _label_names(text)
    return ("for_" in names and bool(names & {"against", "abstention"})) or {"in_office", "present"} <= names


def parse_result(text: str) -> str | None:
    """"(Adopté)" → "adopté", "(Rejeté)" → "rejeté"."""
    m = _RESULT_RE.match(text.strip())
    if not m:
        return None
    return "adopté" if m.group(1).lower().startswith("adopt") else "rejeté"


def parse_vote_block(text: str) -> Vote:
    """Parse the counts and the groups or names given for each."""
    vote = Vote(text=" ".join(text.split()))
    matches = list(_LABEL_RE.finditer(text))
    for i, m in enumerate(matches):
        name = next(n for n, _ in _LABELS if m.group(n))
        count = int(m.group("count"))
        tail_end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        groups = _groups(text[m.end():tail_end])
        if name == "expressed":
            continue
        if getattr(vote, name) is None:
            setattr(vote, name, count)
            attr = "for_groups" if name == "for_" else f"{name}_groups"
            if groups and hasattr(vote, attr):
                setattr(vote, attr, groups)
    if vote.for_ is not None and not vote.against and not vote.abstention:
        vote.unanimous = True
    return vote


def _groups(tail: str) -> list[str]:
    """"voix (Groupe A ; Groupe B (M. X, Mme Y) ; Non-inscrits)" → ["Groupe A", "Groupe B (M. X, Mme Y)", "Non-inscrits"]."""
    start = tail.find("(")
    if start < 0:
        return []
    depth, end = 0, len(tail)
    for j in range(start, len(tail)):
        if tail[j] == "(":
            depth += 1
        elif tail[j] == ")":
            depth -= 1
            if depth == 0:
                end = j
                break
    inner = tail[start + 1:end]
    parts, depth, current = [], 0, []
    for ch in inner:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == ";" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [" ".join(p.split()) for p in parts if p.strip()]
