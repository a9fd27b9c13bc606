"""Vote rules: counts, unanimity, results, named dissent.
"""

from __future__ import annotations

import re

from ...model import Vote
from ...people import fold
from .vocabulary import _FULLNAME, _PERSON, _PERSON_RE


_VOTE_HEAD = re.compile(r"^(?:Vote|VOTE|Votes?)\s*:\s*(?P<rest>.*)$")
_COUNT_LINE = re.compile(
    r"^[-–•]?\s*(?P<kind>(?i:pour|contre|abstentions?|refus de vote|"
    r"ne prend(?:nent)? pas part au vote|ne participe(?:nt)? pas au vote))\s*:\s*(?P<rest>.*)$")
_ADOPTED = re.compile(r"^(?P<word>ADOPT[ÉE]E?S?|REJET[ÉE]E?S?|APPROUV[ÉE]E?S?)\b(?P<rest>.*)$")
_UNANIMOUS_SENTENCE = re.compile(
    r"\b(?:adopt\w*|approuv\w*|d[ée]lib[ée]r[ée]|d[ée]cide\w*|valid\w*)\b[^.;]{0,60}?\bà l['’]unanimit[ée]", re.I)
_TALLY = re.compile(
    r"(?P<n>\d+)\s+(?:voix\s+)?(?P<kind>pour|contre|abstentions?)\b\s*(?:\((?P<names>[^)]*)\))?", re.I)


def vote_line(line: str) -> Vote | None:
    """``Vote : Pour à l'unanimité`` → unanimous; ``Vote : 15 voix pour, 2 voix contre (M. X et
    Mme Y), 1 abstention (M. Z).`` → counts and names; ``Vote :`` alone → an empty block that
    the following ``- Pour : 16`` lines fill."""
    m = _VOTE_HEAD.match(line)
    if not m:
        return None
    vote = Vote(text=line)
    rest = m.group("rest")
    if re.search(r"unanimit", rest, re.I):
        vote.unanimous = True
        if re.match(r"\s*contre\b", rest, re.I):
            vote.result = "rejeté"
    tallies = list(_TALLY.finditer(rest)) or list(_TALLY_AFTER.finditer(rest))  # "15 voix pour" / "Pour, 17"
    for t in tallies:
        _set_count(vote, t.group("kind"), int(t.group("n")), t.group("names") or "")
    return vote


_TALLY_AFTER = re.compile(r"\b(?P<kind>pour|contre|abstentions?)\s*[,:]\s*(?P<n>\d+)\b\s*(?:\((?P<names>[^)]*)\))?", re.I)
_NOT_VOTING = re.compile(rf"^(?P<who>{_PERSON}(?:\s*(?:,|et)\s*{_PERSON})*)(?:\s*,[^,]{{3,80}},)?\s+ne\s+"
                         r"(?:prend|prennent|participe|participent)\s+pas\s+(?:part\s+)?(?:au|à ce)\s+vote")


def not_voting_line(line: str) -> list[str]:
    """``Mme DANAN, M. GOSSOT et Mme HUDO ne prennent pas part au vote.`` → the three names;
    ``Madame Jacqueline HEURTAULT, présidente de l'association, ne prend pas part au vote.`` → one."""
    m = _NOT_VOTING.match(line)
    return split_names(m.group("who")) if m else []


def count_line(line: str) -> tuple[str, int | None, list[str]] | None:
    """``- Abstentions : 2 (M. THUILLIER et M. LEBLANC)`` → ("abstention", 2, ["M. THUILLIER", "M. LEBLANC"]);
    ``Contre : 1, M.TANGUY`` → ("contre", 1, ["M.TANGUY"]); ``Abstentions : M. Leblanc, M. Thuillier et
    M. Papin.`` → ("abstention", None, [3 names])."""
    m = _COUNT_LINE.match(re.sub(r"^[^\w(]+", "", line))
    if not m:
        return None
    kind = fold(m.group("kind"))
    kind = "abstention" if kind.startswith("abstention") else ("pour" if kind == "pour" else
                                                              "contre" if kind == "contre" else "nppv")
    rest = m.group("rest").strip()
    n = re.match(r"(\d+)", rest)
    count = int(n.group(1)) if n else None
    if count is None and re.match(r"(?i)unanimit|à l['’]unanimit", rest):
        return kind, None, ["unanimité"]
    names_text = rest[n.end():] if n else rest
    inner = re.search(r"\(([^)]*)\)?", names_text)
    names = split_names(inner.group(1) if inner else names_text)
    return kind, count, names


def split_names(text: str) -> list[str]:
    """"M. THUILLIER, M. LEBLANC et M. TANGUY)" → ["M. THUILLIER", "M. LEBLANC", "M. TANGUY"];
    stops at a relative clause ("M. TANGUY qui indique …")."""
    text = re.split(r"\s+qui\s+|\s+car\s+|\s+parce\s", text)[0]
    out = []
    for chunk in re.split(r",|;|\s+et\s+|\s+-\s+", text):
        chunk = chunk.strip(" .:()-–")
        if chunk and _PERSON_RE.match(chunk) or (chunk and re.fullmatch(_FULLNAME, chunk)):
            out.append(" ".join(chunk.split()))
    return out


def adopted_line(line: str) -> Vote | None:
    """``ADOPTÉ À L'UNANIMITÉ`` / ``ADOPTÉ PAR 25 VOIX POUR ET 8 ABSTENTIONS`` / ``REJETÉ``."""
    m = _ADOPTED.match(line)
    if not m:
        return None
    vote = Vote(text=line, result="rejeté" if m.group("word").startswith("REJET") else "adopté")
    rest = m.group("rest")
    if re.search(r"UNANIMIT", rest, re.I):
        vote.unanimous = True
    for t in _TALLY.finditer(rest):
        _set_count(vote, t.group("kind"), int(t.group("n")), t.group("names") or "")
    return vote


def unanimous_sentence(line: str) -> Vote | None:
    """``… les membres du conseil municipal adoptent, à l'unanimité, la présente délibération.`` /
    ``Le Conseil Municipal, après en avoir délibéré, à l'unanimité :`` → unanimous, adopté."""
    m = _UNANIMOUS_SENTENCE.search(line)
    if not m:
        return None
    return Vote(text=line, unanimous=True, result="adopté")


_MAJORITY_SENTENCE = re.compile(r"\b(?:délibéré|adopt\w*|approuv\w*)\b[^.;]{0,60}?\bà la majorité\b", re.I)


def majority_sentence(line: str) -> Vote | None:
    """``Le Conseil Municipal, après en avoir délibéré, à la majorité :`` → adopté, not unanimous."""
    if not _MAJORITY_SENTENCE.search(line):
        return None
    return Vote(text=line, result="adopté")


def _set_count(vote: Vote, kind: str, count: int | None, names: str | list[str]) -> None:
    kind = fold(kind)
    name_list = split_names(names) if isinstance(names, str) else names
    name_list = [n for n in name_list if n != "unanimité"]
    if kind.startswith("pour"):
        vote.for_ = count
        vote.for_groups = name_list or vote.for_groups
    elif kind.startswith("contre"):
        vote.against = count if count is not None else (len(name_list) or None)
        vote.against_groups = name_list or vote.against_groups
    elif kind.startswith("abstention"):
        vote.abstention = count if count is not None else (len(name_list) or None)
        vote.abstention_groups = name_list or vote.abstention_groups
    else:
        vote.not_voting = count if count is not None else (len(name_list) or None)
        vote.not_voting_groups = name_list or vote.not_voting_groups


def finish_vote(vote: Vote) -> Vote:
    """Result from the counts when the text does not say it."""
    if not vote.result:
        if vote.unanimous:
            vote.result = "adopté"
        elif vote.for_ is not None:
            vote.result = "adopté" if vote.for_ > (vote.against or 0) else "rejeté"
        elif vote.against is not None or vote.abstention is not None:
            vote.result = "adopté" if not vote.against else ""
    return vote


