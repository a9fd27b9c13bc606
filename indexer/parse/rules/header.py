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

_TIME_AT = r"\bà\s+(\d{1,2}\s*(?:h|H|heures?)\s*\d{0,2})"
_OPENED = re.compile(r"[Ss]éance (?:est|a été) (?:ouverte|déclarée ouverte)[^.]{0,40}?" + _TIME_AT)
_START = re.compile(r"(?:séance (?:est )?ouverte|s['’]ouvrira|L['’]an\b)[^§]{0,160}?" + _TIME_AT)
_END = re.compile(r"(?:séance (?:est|a été) (?:levée|close|clôturée)|[Ll]evée de (?:la )?séance|[Ff]in de (?:la )?séance)"
                  r"[^.]{0,40}?(\d{1,2}\s*(?:h|H|heures?)\s*\d{0,2})")
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


_COMMUNITY = re.compile(rf"\b(?:conseil(?:lers)?\s+communautaires?|communauté\s+(?:d['’]agglomération|de\s+communes|"
                        rf"urbaine))\b[^.]{{0,30}}?\b(?:de\s+(?:la\s+)?)?(?P<name>{_TOWNNAME}\s+(?:Agglomération|Métropole|"
                        rf"Communauté)|(?:Communauté|Métropole)\s+[^.,;]{{3,40}})", re.I)


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


