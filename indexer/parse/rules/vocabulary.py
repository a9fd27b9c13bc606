"""Vocabulary shared by the rules: civilities, names, titles, speech verbs.

Character classes for French capitals, the civility of a person ("Monsieur", "Mme",
"M."), a full name ("Jean-Claude THUILLIER"), a title ("le Maire", "la Présidente")
and the speech verbs of reported speech ("demande", "répond", "précise" …).
"""

from __future__ import annotations

import re


_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
_LOW = "a-zàâäçéèêëîïôöùûüÿœæ"
_CIV = r"(?:Monsieur|Madame|Mademoiselle|Mlle\.?|Mme\.?|MME|Mr\.?|M\.|M(?=\s))"
_UPWORD = rf"(?:[{_UP}][{_UP}'’\-]*[{_UP}]|Mc|Mac|LE|LA|DE|DU|D['’])"
_GIVEN = rf"[{_UP}][{_LOW}]+(?:-[{_UP}]?[{_LOW}]+)*"
# "Jean-Claude THUILLIER", "Trefina KERRAIN", "Paul LE BIHAN", "Sheila Mc CARRON", "LEBLANC"
_FULLNAME = rf"(?:{_GIVEN}\s+){{0,3}}{_UPWORD}(?:\s+{_UPWORD}){{0,3}}"
_TITLE = (r"(?:[Ll]e|[Ll]a)\s+(?:[Mm]aire|MAIRE|[Pp]r[ée]sidente?|PR[ÉE]SIDENTE?|"
          r"[Pp]remi(?:er|ère)\s+[Aa]djointe?|[Aa]djointe?(?:\s+au\s+[Mm]aire)?)")
# one person as the subject of a sentence: "M. TANGUY", "Madame le Maire", "Monsieur Tanguy"
_PERSON = rf"(?:{_CIV}\s*(?:{_TITLE}|{_FULLNAME}(?![{_LOW}])|{_GIVEN}(?:\s+{_GIVEN})?)|Le\s+[Mm]aire|La\s+[Mm]aire)"

_VERBS = (
    "demande", "indique", "précise", "estime", "répond", "rappelle", "souligne", "propose", "présente",
    "expose", "informe", "souhaite", "interroge", "explique", "ajoute", "confirme", "note", "intervient",
    "suppose", "dit", "déclare", "regrette", "remercie", "évoque", "signale", "cite", "comprend",
    "considère", "pense", "affirme", "constate", "relève", "insiste", "juge", "trouve", "annonce",
    "réplique", "approuve", "soutient", "craint", "déplore", "rapporte", "reconnaît", "admet",
    "observe", "mentionne", "questionne", "sollicite", "conclut", "poursuit", "complète", "détaille",
    "résume", "remarque", "objecte", "interpelle", "partage", "lit", "donne lecture", "prend la parole",
    "suggère", "reproche", "revient", "commente", "fait un rappel", "fait une remarque", "se pose",
    "exposent", "proposent", "présentent", "est favorable", "est défavorable", "est contre", "sont favorables",
    "sont défavorables", "a remarqué", "a indiqué", "a demandé", "a précisé", "a rappelé", "a expliqué",
    "a souligné", "a estimé", "a répondu", "a proposé", "a présenté", "a exposé", "a ajouté", "tient à",
    "interroge", "alerte", "attire l'attention", "soumet", "fait un bilan", "fait le point", "fait lecture",
    "fait un point", "fait une présentation", "reprend", "poursuit",
    "fait remarquer", "fait part", "fait savoir", "fait observer", "fait état", "fait lecture",
    "tient à", "s'interroge", "s'étonne", "s'inquiète", "s'indigne", "s'oppose", "se félicite",
    "s'enquiert", "se réjouit", "s'exprime", "s'abstient", "salue", "aborde", "demandent", "indiquent",
    "précisent", "estiment", "répondent", "rappellent", "soulignent", "expliquent", "ajoutent",
    "confirment", "souhaitent", "regrettent", "s'interrogent", "s'inquiètent", "s'indignent",
)
_VERB = "(?:" + "|".join(sorted((re.escape(v).replace("'", "['’]") for v in _VERBS), key=len, reverse=True)) + ")"
_CLITIC = r"(?:(?:lui|leur|nous|vous|y|en|ne|n['’]|l['’]|les|la|le)\s+|(?:n|l|y)['’])*"
_SUBJECT = rf"(?P<subject>{_PERSON}(?:\s*(?:,|et)\s*{_PERSON})*)(?:\s*,\s*(?P<srole>[^,.;:]{{3,70}}),)?"

# "Madame le Maire ouvre la séance et rappelle …", "Madame le maire, expose que …"
_OPENING = r"(?:(?:ouvre|réintègre|reprend) la séance(?: et|,)\s+)?"
_ADVERB = (r"(?:(?:ensuite|tout d['’]abord|également|alors|aussi|notamment|enfin|par ailleurs|au préalable|"
           r"d['’]abord|de nouveau|à nouveau|en outre|toutefois|cependant|donc)\s+)?")
# (the reported-speech and hand-over patterns built from these, `turns._REPORTED` and `turns._HANDOVER`,
# are compiled by the turn rules: only the municipal layout uses them)
_PERSON_RE = re.compile(_PERSON)
_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?»)…])\s+|(?<=\.\))\s+)")


