"""Session header rules: body, presidency, times, secretary.
"""

from __future__ import annotations

import re

from ...people import fold
from .vocabulary import _CIV, _FULLNAME, _UP


_TOWNNAME = rf"(?:L['’]\s?)?[{_UP}][\w\-]+(?:[ \-][{_UP}][\w\-]+)*"
_BODY = re.compile(rf"[Cc]onseil [Mm]unicipal de (?:la [Cc]ommune de |la [Vv]ille de )?(?P<name>{_TOWNNAME})")
_TOWN = re.compile(rf"^(?:Commune|Ville|Mairie) de (?P<name>{_TOWNNAME})")
# "sous la présidence de Madame Flore nce DEMOUY , maire" (words split by the PDF text layer)
_PRESIDENCY = re.compile(rf"sous la [Pp]r[ée]sidence de\s+(?P<who>(?:{_CIV}\s*)?[{_UP}][^,()]{{2,50}}?)\s*"
                         r"(?:,|\(|\b(?i:maire|président|présidente)\b|\.\s|\.?$)", re.M)
# "Présidence : M. Hubert BRIGAND", "Président de séance : Mme X"
_PRESIDENCY_LABEL = re.compile(rf"^Pr[ée]siden(?:ce|te?)(?: de (?:la )?séance)?\s*:\s*(?P<who>(?:{_CIV}\s*)?[{_UP}][^,()\n]{{2,50}}?)"
                               r"\s*(?:,|\(|$)", re.M)
# "… par Yves Nicolin, Président." (the convocation signed by the president), "Marc Baïetto, Maire"
_NAME_COMMA_TITLE = re.compile(rf"(?P<who>(?:{_CIV}\s*)?[{_UP}][\w\-]+(?:\s+[{_UP}][\w\-]+){{1,3}}),\s+"
                               r"(?P<role>Maire|Président|Présidente)\b")
# Signature block: "Le maire, Le secrétaire de séance" then "Daniel JUGY Julien PONS"
_SIGNATURE = re.compile(rf"^(?:Le|La)\s+(?:[Mm]aire|[Pp]r[ée]sidente?)\b[^\n]{{0,60}}\n(?:\s*\n)?"
                        rf"(?P<who>[{_UP}][\w\-]+(?:\s+[{_UP}][\w\-]+)?\s+[{_UP}][{_UP}\-]+)\b", re.M)


def presidency(text: str) -> tuple[str, str]:
    """Who presides, and as what: ``sous la présidence de Monsieur Dominique GOSSET Maire`` /
    ``sous la présidence de Marc Baïetto, Maire`` / ``Présidence : M. Hubert BRIGAND`` /
    ``… par Yves Nicolin, Président`` / a signature block ``Le maire,`` then ``Daniel JUGY``
    → (name, "Maire" | "Président" | "")."""
    head = text[:6000]
    for rule in (_PRESIDENCY, _PRESIDENCY_LABEL, _NAME_COMMA_TITLE):
        m = rule.search(head)
        if m:
            who = " ".join(m.group("who").split()).strip(" .")
            after = fold(text[m.end("who"):m.end("who") + 30] + " " + (m.groupdict().get("role") or ""))
            role = "Maire" if "maire" in after else "Président" if "presiden" in after else ""
            if len(who.split()) >= 2 or re.match(_CIV, who):
                return who, role
    m = _SIGNATURE.search(text[-4000:])
    if m:
        return " ".join(m.group("who").split()), "Maire" if "aire" in m.group(0).split("\n")[0] else "Président"
    return "", ""

_NUMWORD = (r"(?:zéro|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
            r"dix[\s\-]sept|dix[\s\-]huit|dix[\s\-]neuf|vingt(?:[\s\-](?:et[\s\-])?(?:une?|deux|trois))?|trente|quarante|"
            r"cinquante)(?:[\s\-](?:cinq|et[\s\-]une?))?")
# "20 heures 00", "18h00", "19 H 26", "vingt heures trente", "dix huit heures trente"
_CLOCK = rf"(\d{{1,2}}\s*(?:heures?|h|H)\s*\d{{0,2}}|{_NUMWORD}\s+heures?(?:\s+(?:{_NUMWORD}|et quart|et demie|précises))?)"
_TIME_AT = r"\b[àa]\s+" + _CLOCK
_OPENED = re.compile(r"[Ss]éance (?:est|a été) (?:ouverte|déclarée ouverte)[^.]{0,40}?" + _TIME_AT)
# "L'an deux mille …, le 9 juillet, à 20 heures 00", "Le jeudi 24 octobre 2013 à 17 h 30, le Conseil municipal …"
_START = re.compile(r"(?:séance (?:est )?ouverte|s['’]ouvrira|L['’]an\b|^\W*Le\s+(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|"
                    r"dimanche)?\s*\d{1,2}(?:er)?\s+\w+\s+\d{4})[^§]{0,160}?" + _TIME_AT, re.M | re.I)
_END = re.compile(r"(?:séance[^.]{0,200}?(?:est|a été) (?:levée|close|clôturée)|[Ll]evée de (?:la )?séance|"
                  r"[Ff]in de (?:la )?séance|lève la séance|clôt la séance)[^.]{0,40}?" + _CLOCK, re.I)
# every way `_END` has of closing the session names it: a match starts at most this many characters
# before a « séance » (« levée de la séance »)
_END_LEAD = len("levée de la ")


def last_end(text: str) -> re.Match[str] | None:
    """The last match of ``_END.finditer(text)``, trying only the positions that can start one (up to
    `_END_LEAD` characters before each « séance »), in order, as finditer would find them."""
    if "ſ" in text or "İ" in text:  # « ſ » matches « s » under re.I; « İ » lowers to two characters
        ends = list(_END.finditer(text))
        return ends[-1] if ends else None
    low = text.lower()
    last, pos = None, 0
    at = low.find("séance")
    while at >= 0:
        for start in range(max(pos, at - _END_LEAD), at + 1):
            m = _END.match(text, start)
            if m:
                last, pos = m, m.end()
                break
        at = low.find("séance", max(at + 1, pos))
    return last


def clock_time(text: str) -> str | None:
    """``19 H 26`` → "19:26"; ``vingt heures trente`` → "20:30"; ``dix huit heures trente`` → "18:30"."""
    from ..dates import french_number, parse_time

    found = parse_time(text)
    if found:
        return found
    m = re.match(rf"\s*({_NUMWORD})\s+heures?(?:\s+({_NUMWORD}|et quart|et demie))?", text, re.I)
    if not m:
        return None
    hour = french_number(m.group(1).replace("-", " "))
    tail = (m.group(2) or "").lower()
    minute = 15 if tail == "et quart" else 30 if tail == "et demie" else french_number(tail.replace("-", " ")) if tail else 0
    if hour is None or minute is None or hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


_SECRETARY = (
    re.compile(r"^Secrétaires?(?: de séance)?\s*:\s*(?P<who>.+)$", re.I),
    re.compile(rf"(?P<who>{_CIV}\s*{_FULLNAME})\s*(?:,[^,]{{0,60}},)?\s+(?:est|a été)\s+(?:désigné|nommé|élu)e?(?:\(e\))?"
               rf"(?:\s+\S+){{0,4}}?\s+secrétaire"),
    re.compile(rf"(?P<who>{_CIV}\s*{_FULLNAME})\s*,\s*ayant obtenu la majorité des suffrages"),
)
_IN_OFFICE = re.compile(r"(?:conseillers|membres) en exercice\s*:?\s*(\d+)", re.I)


def town_name(raw: str) -> str:
    """"PIERREFONDS" → "Pierrefonds"; "L'ARBRESLE" → "L'Arbresle"; "L’Arbresle" → "L'Arbresle"."""
    raw = raw.replace("’", "'").strip()
    if raw.isupper():
        raw = "-".join(w.capitalize() for w in raw.lower().split("-"))
        raw = re.sub(r"\bL'(\w)", lambda m: "L'" + m.group(1).upper(), raw.title())
    return raw.replace("' ", "'")


_COMMUNITY = re.compile(rf"\b(?i:conseil(?:lers)?\s+communautaires?\s+(?:de\s+(?:la\s+)?|d['’]))(?P<name>{_TOWNNAME}"
                        rf"(?:\s+(?:Agglomération|Métropole|Communauté))?)")


def council_kind(text: str) -> tuple[str, str] | None:
    """``les conseillers communautaires de Roannais Agglomération, se sont réunis`` →
    ("Conseil communautaire de Roannais Agglomération", "séance du conseil communautaire"): an
    intercommunal council, not a municipal one."""
    m = _COMMUNITY.search(text[:6000])
    if not m:
        return None
    return f"Conseil communautaire de {m.group('name').strip()}", "séance du conseil communautaire"


def body_of(text: str) -> str:
    """"le Conseil Municipal de la Commune de L'Arbresle" → "Conseil municipal de L'Arbresle"."""
    m = _BODY.search(text[:6000])
    name = m.group("name") if m and not fold(m.group("name")).startswith(("du ", "des ")) else ""
    if not name or fold(name) in {"la", "le", "du"}:
        for line in text[:1500].splitlines():
            t = _TOWN.match(line.strip())
            if t:
                name = t.group("name")
                break
    if not name:
        return "Conseil municipal"
    name = town_name(name)
    return f"Conseil municipal {'d' + chr(39) if name[0] in 'AEIOUYÉÈaeiouy' else 'de '}{name}"


