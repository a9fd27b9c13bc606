"""Vote rules: counts, unanimity, results, named dissent.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

from ...model import Vote
from ...people import fold
from .vocabulary import _FULLNAME, _PERSON, _PERSON_RE


_VOTE_HEAD = re.compile(r"^(?:Vote|VOTE|Votes?)\s*:\s*(?P<rest>.*)$")
_COUNT_LINE = re.compile(
    r"^[-–•]?\s*(?P<kind>(?i:pour|contre|abstentions?|absentions?|refus de vote|"
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
_NOT_VOTING = (rf"^(?P<who>{_PERSON}(?:\s*(?:,|et)\s*{_PERSON})*)(?:\s*,[^,]{{3,80}},)?\s+ne\s+"
               r"(?:prend|prennent|participe|participent)\s+pas\s+(?:part\s+)?(?:au|à ce)\s+vote")


@lru_cache(maxsize=1)
def _not_voting() -> re.Pattern[str]:
    """`_NOT_VOTING` compiled on first use (~6 ms: only the municipal layout reads these lines)."""
    return re.compile(_NOT_VOTING)


def not_voting_line(line: str) -> list[str]:
    """``Mme DANAN, M. GOSSOT et Mme HUDO ne prennent pas part au vote.`` → the three names;
    ``Madame Jacqueline HEURTAULT, présidente de l'association, ne prend pas part au vote.`` → one."""
    if "vote" not in line:  # the pattern ends in « vote », case kept
        return []
    m = _not_voting().match(line)
    return split_names(m.group("who")) if m else []


# "Pour 20", "Contre 2 (M. X, Mme Y)", "Abstentions 1": a count line of a vote table without a colon
_BARE_COUNT = re.compile(r"^[-–•]?\s*(?P<kind>(?i:pour|contre|abstentions?))\s+(?P<n>\d{1,3})\s*(?:voix)?\s*"
                         r"(?P<names>\([^)]*\))?\s*$")


def count_line(line: str) -> tuple[str, int | None, list[str]] | None:
    """``- Abstentions : 2 (M. THUILLIER et M. LEBLANC)`` → ("abstention", 2, ["M. THUILLIER", "M. LEBLANC"]);
    ``Contre : 1, M.TANGUY`` → ("contre", 1, ["M.TANGUY"]); ``Abstentions : M. Leblanc, M. Thuillier et
    M. Papin.`` → ("abstention", None, [3 names])."""
    line = re.sub(r"^[^\w(]+", "", line)
    lead = _LEADING_COUNT.match(line)
    if lead:  # "4 abstentions : Mme Debuisser, M. Leblanc" → "abstentions : 4, Mme Debuisser, M. Leblanc"
        line = f"{lead.group('kind')} : {lead.group('n')}, {line[lead.end():]}"
    m = _COUNT_LINE.match(line)
    if not m:
        b = _BARE_COUNT.match(line)
        if not b:
            return None
        kind = fold(b.group("kind"))
        return ("abstention" if kind.startswith("abstention") else kind), int(b.group("n")), \
            split_names((b.group("names") or "").strip("()"))
    kind = fold(m.group("kind"))
    kind = "abstention" if kind.startswith(("abstention", "absention")) else ("pour" if kind == "pour" else
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


# "4 abstentions : Mme Debuisser, M. Leblanc", "1 contre : M. Leblanc": the count before the label
_LEADING_COUNT = re.compile(r"^(?P<n>\d{1,3})\s+(?:voix\s+)?(?P<kind>(?i:pour|contre|abstentions?))\s*:\s*")
# a count label inside a line: "− Pour : 6, Madame X, Monsieur Y − Contre : 4, Monsieur Z",
# "Abstentions : Mme A, M. B Contre : M. C" (the next label after a name, capitalised)
_NEXT_COUNT = re.compile(r"\s+(?:[−–•-]\s*)?(?=(?:\d{1,3}\s+)?(?:Pour|Contre|Abstentions?|Absentions?|POUR|CONTRE|ABSTENTIONS?)"
                         r"\s*:\s*(?:\d|M\.|Mme\b|Mlle\b|Madame\b|Monsieur\b|[A-ZÉ]{2,}))")


def split_counts(line: str) -> list[str]:
    """``− Pour : 6, Madame BOURBIER, Monsieur GAUTHIER − Contre : 4, Monsieur GOSSOT − Abstentions : 9,
    Madame HEURTAULT`` → one piece per label (the for, against and abstention lines written on one line);
    ``Abstentions : Mme Debuisser, M. Leblanc Contre : M. Papin, M. Tanguy`` → two pieces; a line with
    one label → itself."""
    if ":" not in line:  # every label `_NEXT_COUNT` splits at has its colon
        return [line]
    pieces = [p.strip() for p in _NEXT_COUNT.split(re.sub(r"^[^\w(]+", "", line)) if p.strip(" −–•-")]
    return pieces if len(pieces) > 1 and all(count_line(p) for p in pieces[1:]) else [line]


def split_names(text: str) -> list[str]:
    """"M. THUILLIER, M. LEBLANC et M. TANGUY)" → ["M. THUILLIER", "M. LEBLANC", "M. TANGUY"];
    stops at a relative clause ("M. TANGUY qui indique …")."""
    text = re.split(r"\s+qui\s+|\s+car\s+|\s+parce\s|\s+en raison\s", text)[0]
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




# -- decision formulas: one sentence that carries the council's decision ------------------

# Another body's decision reported in the minutes (bureau, commission, syndicate): not a council vote.
_OTHER_BODY = re.compile(r"^\W*(?:N°.{0,80}?)?(?:le|la)\s+(?:bureau|commission|comité|syndicat|conférence)\b", re.I)
# "N° DBC 2021-094 - … Le bureau communautaire, après en avoir délibéré à l'unanimité :"
_OTHER_BODY_DECIDES = re.compile(r"\b(?:le|la)\s+(?:bureau|commission|comité|conférence)\b[^.;]{0,40}?"
                                 r"\b(?:après en avoir délibéré|a délibéré|adopte|approuve|décide)", re.I)
_NOT_A_DECISION = re.compile(r"^\W*(?:vu|considérant|attendu|il est proposé|il est demandé|proposition d|"
                             r"rappel|pour mémoire)\b", re.I)
# The cue of a decision sentence, one rule per way of writing it, each with the words (case folded) a line
# it matches must hold: a line is tried only against the rules whose words it has (`_has_cue`).
_CUE_RULES = [
    (("avoir",), r"après en avoir délibéré"),
    (("cision",), r"^\W*d[ée]cision\s*:"),
    (("vote",), r"\bvote\s+(?:favorable|défavorable|contre)"),
    (("adopt", "approuv", "rejet", "accept", "retenu", "refus"),
     r"\b(?:délibération|proposition|motion|point|dossier|demande|projet)\s+(?:est\s+)?(?:non\s+)?"
     r"(?:adoptée?|approuvée?|rejetée?|acceptée?|retenue?|refusée?)"),
    (("adopt",), r"^\W*adoption\s+(?:à|par)\b"),
    (("accept", "approuv", "adopt", "rejet", "refus"),
     r"\b(?:accepte|approuve|adopte|rejette|refuse)\s+(?:cette|ces|la|les|ladite|lesdites)\s+(?:propositions?|"
     r"délibérations?|motions?|demandes?)\b"),
    (("conseil", "assembl"),
     r"\b(?:conseil|assemblée)\b[^.;]{0,160}?\b(?:adopte|approuve|accepte|décide|valide|rejette|refuse|"
     r"émet un avis|donne un avis|vote|n['’]adopte pas|ne retient pas)\b"),
    (("unanimit",), r"\b[àa] l['’]\s?unanimit[ée]"),
    (("majorit",), r"\b[àa] la majorit[ée]"),
    (("voix",), r"\bpar\s+\d+\s+voix\b|\b\d+\s+voix\s+(?:pour|contre)\b"),
    (("pour", "contre", "abstention"), r"^\W*\d+\s+(?:voix\s+)?(?:pour|contre|abstentions?)\s*[,/;]"),
]
_DECISION_CUE = re.compile("|".join(rule for _, rule in _CUE_RULES), re.I)
_CUE_GATED = [(words, re.compile(rule, re.I)) for words, rule in _CUE_RULES]
# each gate word → the cue patterns that need it (a line is tested for each word once)
_CUE_BY_WORD = tuple((w, tuple(rule for words, rule in _CUE_GATED if w in words))
                     for w in dict.fromkeys(w for words, _ in _CUE_GATED for w in words))
# the cue « le conseil … adopte »: every match starts at one of these words (case folded), where it is
# tried alone instead of searched from every position of the line
_BODY_CUE = next(rule for words, rule in _CUE_GATED if words == ("conseil", "assembl"))
_BODY_CUE_STARTS = ("conseil", "assemblée")
_UNANIMITY = re.compile(r"\b[àa] l['’]\s?unanimit[ée]|\bunanimement\b|\bunanimit[ée]\b", re.I)
_UNANIMITY_VOICES = re.compile(r"unanimit[ée][^()\d]{0,40}\(\s*(?P<n>\d+)\s*(?:voix|votants?|membres?)?\s*\)", re.I)
_WORD_NUMBER = (r"(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
                r"vingt|trente|quarante|cinquante|soixante)(?:[\s\-]+(?:et[\s\-]+)?(?:un|une|deux|trois|quatre|cinq|six|"
                r"sept|huit|neuf|dix|onze|vingts?))*")
_TALLY_ANY = re.compile(
    rf"(?P<n>\d+|{_WORD_NUMBER})\s+(?:voix\s+|votes?\s+|suffrages?\s+)?(?P<kind>pour|contre|abstentions?|"
    r"refus de vote|(?:membres?\s+)?(?:ne prenant|ne participant) pas (?:part )?au vote)\b\s*(?:\((?P<names>[^)]*)\))?",
    re.I)
_RESULT_WORDS = [
    ("rejeté", re.compile(r"\b(?:rejet(?:é|ée|és|ées|te)|refus(?:é|ée|e)|n['’]adopte pas|n['’]approuve pas|"
                          r"ne retient pas|non retenue?|non adoptée?|repouss(?:é|ée|e))\b", re.I)),
    ("retiré", re.compile(r"\b(?:retir(?:é|ée|e)\s+de\s+l['’]ordre du jour|est retirée?|(?:point|dossier|projet)"
                          r"[^.;]{0,60}?\bretirée?)\b", re.I)),
    ("reporté", re.compile(r"\b(?:(?:est|sont|sera|seront)\s+(?:reportée?s?|ajournée?s?)|ajourne\b|report(?:é|ée)\s+à)",
                           re.I)),
    ("pris acte", re.compile(r"\b(?:prend acte|prennent acte|donne acte|pris acte|dont acte)\b", re.I)),
    ("élection", re.compile(r"\b(?:élit|élisent|(?:est|sont)\s+(?:élue?s?|proclamée?s?\s+élue?s?))", re.I)),
    ("avis défavorable", re.compile(r"\b(?:émet|donne|rend)\s+un\s+avis\s+défavorable", re.I)),
    ("avis favorable", re.compile(r"\b(?:émet|donne|rend)\s+un\s+avis\s+favorable", re.I)),
    ("adopté", re.compile(r"\b(?:adopt\w*|approuv\w*|accept\w*|valid\w*|décide|vote favorable|favorable|"
                          r"vote\s+(?:en|les?|la|l['’]|des?|un|une|pour)\b)", re.I)),
]


def word_count(token: str) -> int | None:
    """"14" → 14; "quatorze" → 14; "vingt-six" → 26."""
    if token.isdigit():
        return int(token)
    from ..dates import french_number

    return french_number(token.replace("-", " "))


def result_word(text: str) -> str:
    """The outcome a sentence states: ``… rejette la proposition`` → "rejeté"; ``prend acte du rapport``
    → "pris acte"; ``le point est retiré de l'ordre du jour`` → "retiré"; ``élit M. X`` → "élection";
    ``accepte à l'unanimité`` → "adopté"; "" when it states none."""
    for result, rule in _RESULT_WORDS:
        if rule.search(text):
            return result
    return ""


# A word every decision formula contains (each pattern of coverage's `_TALLY_EN`, `decision_sentence`'s cue,
# `unanimous_sentence`, `majority_sentence`, `noted_line`, `election_line`, `postponed_line`,
# `approved_without_remark` and the vote/adopted heads matches only a line that has one of these, case
# folded): a line without any is no formula, and the dozen patterns are not tried on it (most lines of a text).
# Not `elects_line` (« élit », « proclame »).
_FORMULA_WORDS = ("motion", "avoir", "cision", "vote", "adopt", "approuv", "rejet", "accept", "retenu", "refus",
                  "conseil", "assembl", "unanimit", "majorit", "voix", "acte", "élu", "report", "retir", "ajourn",
                  "abord", "remarque", "observation")
_COUNT_WORDS = ("pour", "contre", "abstention")  # after a number: "2 contre, 1 abstention"
_FORMULA_WORD = re.compile("|".join(_FORMULA_WORDS) + r"|\d\s+(?:" + "|".join(_COUNT_WORDS) + ")", re.I)
_COUNT = re.compile(r"\d\s+(?:" + "|".join(_COUNT_WORDS) + ")", re.I)
# the spaces of `_COUNT` inside one line of a text: any but the line breaks of str.splitlines (re's \s is
# str.isspace; no space character has a case)
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_INLINE_SPACE = frozenset(c for c in map(chr, range(0x3001)) if c.isspace() and c not in _LINE_BREAKS)
# letters the patterns' case folding (re.I) matches with an ASCII letter and str.lower() does not
_FOLDED_APART = ("ı", "ſ", "İ")


def _folds_apart(text: str) -> bool:
    """Whether the text has one of `_FOLDED_APART` (substring tests: faster than a character class)."""
    return any(map(text.__contains__, _FOLDED_APART))


def may_be_formula(line: str) -> bool:
    """Whether the line has one of `_FORMULA_WORDS` (or a count), as `_FORMULA_WORD` finds them."""
    low = line.lower()
    if any(map(low.__contains__, _FORMULA_WORDS)):
        return True  # (a word found in the lowered line is found by the pattern: no word holds « i̇ »)
    if _folds_apart(line):
        return _FORMULA_WORD.search(line) is not None
    return any(map(low.__contains__, _COUNT_WORDS)) and _COUNT.search(line) is not None


# the words (case folded) a line needs for each of these rules to match it
_NO_REMARK_WORDS = ("remarque", "observation")
_POSTPONED_WORDS = ("report", "retir", "ajourn", "abord")
_BODIES = ("bureau", "commission", "comit", "syndicat", "conférence")  # `_OTHER_BODY`, `_OTHER_BODY_DECIDES`


def _holds(line: str, words: tuple[str, ...]) -> bool:
    """Whether the lowered line has one of `words` (or a letter that re.I folds apart from lower())."""
    if _folds_apart(line):
        return True
    low = line.lower()
    return any(map(low.__contains__, words))


def formula_lines(text: str) -> list[bool]:
    """``[may_be_formula(line) for line in text.splitlines()]``, each word looked for once in the whole
    lowered text (`str.lower` keeps every offset but for « İ », which `_folds_apart` sends to the line test)."""
    lines = text.splitlines(keepends=True)
    if _folds_apart(text):
        return [may_be_formula(" ".join(ln.split())) for ln in lines]
    low = text.lower()
    ends = list(accumulate(map(len, lines)))
    found = bytearray(len(lines))
    for w in _FORMULA_WORDS:
        i = low.find(w)
        while i >= 0:
            k = bisect_right(ends, i)
            found[k] = 1
            i = low.find(w, ends[k])  # the next line
    # `_COUNT` within a line: a count word right after spaces of the line that follow a digit (\d is
    # str.isdecimal); each run of spaces is looked at for the one word it precedes: linear time
    for w in _COUNT_WORDS:
        i = low.find(w)
        while i >= 0:
            k = bisect_right(ends, i)
            if not found[k]:
                j = i
                while j and low[j - 1] in _INLINE_SPACE:
                    j -= 1
                if j == i or not j or not low[j - 1].isdecimal():
                    i = low.find(w, i + 1)
                    continue
                found[k] = 1
            i = low.find(w, ends[k])  # the next line
    return list(map(bool, found))


def _has_cue(line: str) -> bool:
    """`_DECISION_CUE.search(line)`, trying only the rules whose words the line has."""
    if _folds_apart(line):
        return _DECISION_CUE.search(line) is not None
    low = line.lower()
    tried: set[re.Pattern[str]] = set()
    for word, rules in _CUE_BY_WORD:
        if word in low:
            for rule in rules:
                if rule not in tried:
                    if _body_cue(line, low) if rule is _BODY_CUE else rule.search(line):
                        return True
                    tried.add(rule)
    return False


def _body_cue(line: str, low: str) -> bool:
    """`_BODY_CUE.search(line)`, the pattern matched at each « conseil » / « assemblée » of the lowered
    line (its offsets are the line's: no letter of `_FOLDED_APART`, the only one lower() lengthens)."""
    for word in _BODY_CUE_STARTS:
        i = low.find(word)
        while i >= 0:
            if _BODY_CUE.match(line, i):
                return True
            i = low.find(word, i + 1)
    return False


def decision_sentence(line: str) -> Vote | None:
    """One sentence that carries a council decision, in any phrasing:

    ``DECISION : le Conseil Municipal accepte à l'unanimité, les propositions ci-dessus.``,
    ``Vote favorable à l'unanimité.``, ``Délibération adoptée par 14 voix POUR``,
    ``Le Conseil communautaire, après en avoir délibéré, avec 74 voix pour, 2 contre et 2 abstentions :``,
    ``0 contre, 0 abstention, 11 pour``, ``6 voix Contre, 0 Abstention, 5 pour`` (rejected: the counts
    decide), ``… à l'unanimité (26 voix), décide :``, ``LE CONSEIL MUNICIPAL, A L'UNANIMITE, ACCEPTE``.
    Not a visa (``Vu …``, ``Considérant …``) nor another body's decision (``Le bureau … a délibéré``)."""
    if len(line) > 400 or not may_be_formula(line) or _NOT_A_DECISION.match(line) or other_body(line):
        return None
    return cued_decision(line)


def cued_decision(line: str) -> Vote | None:
    """`decision_sentence` of a line already known to be a possible formula (`may_be_formula`), neither a
    visa (`_NOT_A_DECISION`) nor another body's decision (`other_body`), of at most 400 characters."""
    if not _has_cue(line):
        return None
    vote = Vote(text=line)
    tallies = list(_TALLY_ANY.finditer(line))
    for t in tallies:
        n = word_count(t.group("n"))
        if n is not None:
            _set_count(vote, t.group("kind") if not fold(t.group("kind")).startswith(("ne ", "membre", "refus"))
                       else "nppv", n, t.group("names") or "")
    unanimous = _UNANIMITY.search(line)
    if unanimous:
        vote.unanimous = True
        m = _UNANIMITY_VOICES.search(line)
        if m and vote.for_ is None:
            vote.for_ = int(m.group("n"))
        _unanimity_exceptions(line, vote)
    word = result_word(line)
    has_counts = vote.for_ is not None or vote.against is not None or vote.abstention is not None
    if not (unanimous or has_counts or word or re.search(r"majorit", line, re.I)):
        return None  # "Le Conseil Municipal, après en avoir délibéré," the vote comes on the next line
    if word and word not in ("adopté",):
        vote.result = word
    elif vote.for_ is not None and vote.against is not None and vote.against >= vote.for_:
        vote.result = "rejeté"  # the counts decide, whatever the words say
    elif word == "adopté" or unanimous or has_counts or re.search(r"majorit", line, re.I):
        vote.result = "adopté" if not (vote.for_ is not None and vote.against is not None
                                       and vote.against >= vote.for_) else "rejeté"
    return vote


_NOTED = re.compile(r"^\W*(?:le conseil[^,;:]{0,40}[,:]?\s*)?(?:prend|prennent|donne|de\s+prendre)\s+acte\b|\bdont acte\b",
                    re.I)
_ELECTS = re.compile(r"^\W*(?:le conseil[^,;:]{0,40}[,:]?\s*)?(?:élit|élisent|proclame)\b|\b(?:est|sont)\s+(?:proclamée?s?\s+)?élue?s?\b", re.I)


_NO_REMARK = re.compile(r"\bne\s+(?:fait|font|faisant|suscite|suscitent)\s+l['’]objet\s+d['’]aucune\s+(?:remarque|observation)|"
                        r"\b(?:approuvée?s?|adoptée?s?)\s+sans\s+(?:remarque|observation)", re.I)


def approved_without_remark(line: str) -> Vote | None:
    """``Les procès-verbaux des conseils des 24 juin et 22 juillet ne font l'objet d'aucune remarque
    particulière.`` / ``Le procès-verbal est approuvé sans observation.`` → adopted without a vote count."""
    return Vote(text=line, result="adopté") if len(line) < 400 and _holds(line, _NO_REMARK_WORDS) \
        and _NO_REMARK.search(line) else None


def noted_line(line: str) -> Vote | None:
    """``- prend acte du rapport annuel 2020 …`` / ``Information sur les marchés … DONT ACTE.`` →
    the council takes note (no vote)."""
    if len(line) > 400 or not _holds(line, ("acte",)) or not _NOTED.search(line):
        return None
    return Vote(text=line, result="pris acte")


def elects_line(line: str) -> bool:
    """``- élit Nicolas CHARGUEROS …`` / ``M. X est élu délégué …``: the decision is an election."""
    return len(line) < 400 and bool(_ELECTS.search(line))


_ELECTED = re.compile(r"^\W*(?:(?:par conséquent|ainsi|en conséquence),?\s+)?(?:sont|est)\s+(?:proclamée?s?\s+)?élue?s?\b|"
                      r"\b(?:est|sont)\s+proclamée?s?\s+élue?s?\b|\bayant obtenu la majorité absolue\b", re.I)


def election_line(line: str) -> Vote | None:
    """``Sont élus délégués pour les élections sénatoriales …`` / ``M. X, ayant obtenu la majorité absolue,
    est proclamé élu maire`` → an election (not adopted or rejected)."""
    if len(line) > 400 or not _holds(line, ("élu", "majorit")) or not _ELECTED.search(line):
        return None
    return Vote(text=line, result="élection")


_POSTPONED = re.compile(r"^\W*(?:ce|le|la|cette)\s+(?:projet(?:\s+de\s+délibération)?|point|dossier|question|délibération|"
                        r"sujet)\b[^.;]{0,80}?\b(?:est|sera)\s+(?P<word>reporté|retiré|ajourné|abordé ultérieurement)e?", re.I)


def postponed_line(line: str) -> Vote | None:
    """``Ce projet de délibération est reporté au conseil du 25 novembre prochain.`` → "reporté";
    ``Le point est retiré de l'ordre du jour.`` → "retiré": no decision this session."""
    m = _POSTPONED.match(line) if len(line) < 400 and _holds(line, _POSTPONED_WORDS) else None
    if not m:
        return None
    word = m.group("word").lower()
    return Vote(text=line, result="retiré" if word == "retiré" else "reporté")


def other_body(line: str) -> bool:
    """``Le bureau communautaire, après en avoir délibéré à l'unanimité :``: another body decides."""
    return _holds(line, _BODIES) and bool(_OTHER_BODY.match(line) or _OTHER_BODY_DECIDES.search(line))


# "à l'unanimité moins deux abstentions", "à l'unanimité moins 1 voix contre (M. X)"
_LESS = re.compile(rf"unanimit[ée]\s+moins\s+(?P<n>\d+|{_WORD_NUMBER})\s+(?:voix\s+)?(?P<kind>abstentions?|contre|"
                   r"voix)?\s*(?:\((?P<names>[^)]*)\))?", re.I)
# "…, M. X s'abstenant", "Mme Y et M. Z votant contre", "M. X ne prenant pas part au vote"
_PARTICIPLE = re.compile(rf"(?P<who>{_PERSON}(?:\s*(?:,|et)\s*{_PERSON})*)\s+(?P<how>s['’]abstenant|votant contre|"
                         r"ne prenant pas part au vote)")


def _unanimity_exceptions(line: str, vote: Vote) -> None:
    """``à l'unanimité moins deux abstentions (M. X, Mme Y)`` / ``à l'unanimité, M. X s'abstenant`` /
    ``à l'unanimité des suffrages exprimés, Mme Y et M. Z votant contre``: unanimity with exceptions."""
    m = _LESS.search(line)
    if m:
        n = word_count(m.group("n"))
        kind = fold(m.group("kind") or "voix")
        _set_count(vote, "contre" if kind.startswith(("contre", "voix")) else "abstention", n, m.group("names") or "")
    for p in _PARTICIPLE.finditer(line):
        names = split_names(p.group("who"))
        how = fold(p.group("how"))
        kind = "abstention" if "abstenant" in how else "contre" if "contre" in how else "nppv"
        _set_count(vote, kind, len(names), names)
    if vote.against or vote.abstention:
        vote.unanimous = False
