"""Yes/no questions: « Le conseil a-t-il approuvé X ? » → « Oui » / « Non », with the decision cited.

The decision is the sentence about the topic that decides (« DÉCIDE », « APPROUVE », « donne un avis
favorable », « se prononce contre » …) in the sessions asked about; « Non » when it decides not to
(« de ne pas », « refuse », « rejeté »), else the vote recorded under its item says adopted or rejected.
"""

from __future__ import annotations

import re

from ..common import Cite, Draft, session_label, topic_stems
from ..kind import Kind
from ..knowledge import Knowledge, RecordKnowledge
from ..retrieval import topic_sentences
from .vote_names import item_vote_cite

_DECIDES = re.compile(r"\b(?:decide|decident|approuve|adopte|autorise|accepte|valide|avis favorable|d accord|"
                      r"se prononce|demande|propose|est approuve|est adopte|delibere|emet|refuse|rejette|vote)\b")
_ARTICLE = re.compile(r"(?:article \d+ )?(?:decide|approuve|adopte|autorise|accepte|valide|refuse|emet|donne)\b")
_NEGATIVE = re.compile(r"\bde ne pas\b|\bne pas\b|\bn a pas\b|\brefus\w*|\brejet\w*|\bdefavorable\b|"
                       r"\bse prononce\w* (?:donc )?contre\b|\bn est pas\b|\bne (?:\w+ )?pas\b")
_QUESTION_NEGATIVE = re.compile(r"\brefus\w*|\brejet\w*|\bcontre\b")


def ask_yes_no(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, {"decide", "decider", "donne", "accorde", "defini", "definir", "fait", "demander"}, kn=kn)
    if len(topic) < 2:
        return None
    best = None
    for h in topic_sentences(kn, topic, min_cov=0.45, limit=30):
        folded = " ".join(h.sentence.toks)
        score = h.score + (0.2 if _DECIDES.search(folded) else 0.0)
        if _ARTICLE.match(folded) or h.unit.kind == "deliberation":  # the decision itself, not its context
            score += 0.25
        if best is None or score > best[0]:
            best = (score, h)
    if best is None or best[0] < 0.6:
        return None
    score, h = best
    rk = h.rk
    folded = " ".join(h.sentence.toks)
    item = rk.record.item(h.unit.item)
    votes = [v for v in rk.record.votes if item is not None and v.item == item.id and v.text]
    cites = [Cite(rk, h.unit, h.sentence.text)]
    if _NEGATIVE.search(folded):
        yes = False
    elif votes and votes[-1].result:
        yes = votes[-1].result.startswith("adopt")
        cites.append(item_vote_cite(rk, votes[-1]))
    elif _DECIDES.search(folded):
        yes = True
    else:
        return None
    if _QUESTION_NEGATIVE.search(q):
        yes = not yes
    word = "Oui" if yes else "Non"
    return Draft(True, f"{word} : « {h.sentence.text} » ({session_label(rk.record)}).", "oui-non",
                 round(min(0.85, 0.3 + 0.45 * score), 2), cites)


def asks_yes_no(q: str, kn: Knowledge) -> bool:
    if re.match(r"(?:que|qu|ou)\b", q) or re.search(r"\b(?:qui|quel\w*|lequel|laquelle|lesquel\w*|quand|comment|pourquoi|"
                                                   r"combien)\b", q):
        return False
    return bool(re.search(r"\b(?:a t il|a t elle|ont ils|ont elles|est il|est elle|sont ils|sont elles)\b", q))


KINDS = [Kind("oui-non", 115, asks_yes_no, ask_yes_no, specific=True)]
