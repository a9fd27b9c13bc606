"""French text helpers for question answering: folding, tokens, stems, numbers.

The fold is `people.fold` (the index's `analysis.fold`, word runs collapsed) and the stem the
index's `analysis.stem`, cut at STEM_CHARS, with a few rules of its own (numbers and acronyms kept
whole, -soudre participles).

    >>> content_stems("Qui a parlé des élus de l'aéroport ?")
    ['parl', 'elu', 'aeroport']
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..analysis import stem as index_stem
from ..people import fold

STOPWORDS = frozenset("""
a à ai aie ait as au aux avec avez avons avait avaient ayant c ça ce ceci cela celle celles celui ces cet cette
ceux chez ci comme d dans de des du donc elle elles en entre es est et été etre être eu eux fait faites
il ils j je l la le les leur leurs lui m ma mais me meme même mes moi mon n ne ni nos notre nous o on ont ou où
par pas peu plus pour qu que quel quelle quelles quels qui quoi s sa sans se ses si son sont sur t ta te tes
toi ton tous tout toute toutes tu un une vos votre vous y à afin ainsi alors apres après aussi autre autres avant
bien car celle-ci cependant certains chaque dont deja déjà encore ete etait était etaient étaient ici lors
moins non oui peut plusieurs puis quand quelque sera seront soit sous tant tres très trop vers voici voila
voilà va vont cet elle-meme lequel laquelle lesquels lesquelles auquel duquel est-ce ceux-ci ca
notamment egalement evidemment particulierement simplement seulement justement actuellement directement
exactement absolument forcement certainement vraiment totalement largement rapidement clairement entierement
uniquement reellement recemment frequemment apparemment suffisamment constamment precedemment differemment
effectivement finalement notam
""".split())

#: Question words and verbs of asking, never part of a topic.
QUESTION_WORDS = frozenset("""
qui quoi quel quelle quels quelles quand comment combien pourquoi est ce t il elle ils elles
a ete etait y avait on savoir dire dites sait recu recue recus recues obtenu obtenue obtenus obtenues
eu eue eues eus vu pris mis veut veulent voulait voulaient voudrait peut peuvent pouvait pourra pourront doit doivent
devait devra devront souhaite souhaitent souhaitait va vont allait ira iront font faisait sera seront serait
seraient aura auront aurait donne donnee donnes donnees exprime exprimee exprimes m mme mmes monsieur madame messieurs mesdames mlle
""".split())

#: Words a council uses for the same act: a sentence with the first also counts for the second (stems).
SYNONYMS = {
    "remerci": "hommag", "remerc": "hommag", "salu": "hommag", "felicit": "hommag",
    "lectur": "lu",
    "mont": "pri", "tarif": "pri", "cout": "pri",  # "le prix du repas" is stated as its amount or tariff
}

_VERB_ENDINGS = re.compile(r"(?:ront|ont|ent|aient|ait|erait|ez|iez)$")


def looks_like_verb(token: str) -> bool:
    """A conjugated form ("verront", "comptaient"): unknown verbs must not decide a topic."""
    return len(token) > 4 and bool(_VERB_ENDINGS.search(token))

STEM_CHARS = 7
_NUMBER_RE = re.compile(r"\d[\d\s\u202f\u00a0.,]*\d|\d")


def tokens(text: str) -> list[str]:
    """Folded word tokens: "L'Aéroport de Calais-Fréthun" → ['l', 'aeroport', 'de', 'calais', 'frethun']."""
    return fold(text).split()


#: -soudre verbs whose participle and infinitive share no stem with their noun: « le syndicat va être
#: dissous » is about « la dissolution », « le litige est résolu » about « la résolution »
_SOUDRE = re.compile(r"(dis|re)(?:soudre|sous|soute|soutes|solv\w*)")


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """The index's stem (`analysis.stem`: plural -s/-x stripped, Snowball French) of a folded token."""
    if token.isdigit() or len(token) <= 3:  # "ARS", "FSL": acronyms stay whole
        return token
    soudre = _SOUDRE.fullmatch(token)
    if soudre:
        return soudre.group(1) + "solu"
    # Snowball keeps "benefici" (bénéficier) apart from "benefic" (bénéficié): a common prefix of
    # STEM_CHARS is enough to be the same word here
    return index_stem(token)[:STEM_CHARS]


def content_stems(text: str, extra_stop: frozenset[str] = frozenset()) -> list[str]:
    """Stems of the words that carry meaning, in order, duplicates kept."""
    out = []
    for tok in tokens(text):
        if tok in STOPWORDS or tok in extra_stop or (len(tok) < 2 and not tok.isdigit()):
            continue
        out.append(stem(tok))
    return out


def has_number(text: str) -> bool:
    return bool(re.search(r"\d", text))


def numbers_in(text: str) -> list[str]:
    return [m.group(0).strip() for m in _NUMBER_RE.finditer(text)]
