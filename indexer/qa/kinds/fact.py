"""« Quelle commission a donné un avis favorable sur X ? »: the sentence naming the thing asked for."""

from __future__ import annotations

import re

from ..kind import Kind
from ..common import Cite, Draft, person_name, rarest_covered, session_label, topic_stems
from ..knowledge import Knowledge, RecordKnowledge
from ..retrieval import best_sentences, context_stems
from ..text import STOPWORDS, stem


def ask_fact(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """"Quelle commission a donné un avis favorable sur X ?": the sentence that names the thing asked
    for ("commission") and covers the rest of the question, quoted."""
    m = re.match(r"(?:a |de |pour |par |dans |sur )?(?:quel|quelle|quels|quelles) (?:(?:est|etait|sont|etaient) "
                 r"(?:le |la |l |les )?)?(\w+)", q)
    if not m or m.group(1) in STOPWORDS or m.group(1) in {"est", "etait", "sont", "a", "ont"}:
        return None
    naming = m.group(1) in {"nom", "noms", "titre", "intitule", "appellation"}
    topic = topic_stems(q, {"nom", "noms", "titre", "intitule", "appellation"} if naming else set(), kn=kn)
    asked = None if naming else stem(m.group(1))
    if (asked is not None and asked not in topic) or len(topic) < (2 if naming else 3):
        return None
    for h in best_sentences(kn, topic, min_cov=0.7, limit=10, context=True, sentence_min=0.45):
        if (asked is not None and asked not in h.sentence.stems) or not rarest_covered(kn, topic, h.sentence.stems
                                                               | context_stems(h.rk, h.sentence.unit)):
            continue
        text = h.sentence.text
        who = person_name(h.rk.record, h.unit.person_id, h.unit.speaker) if h.unit.kind == "intervention" else ""
        source = f"selon {who}" if who else {"rapport": "d'après le rapport", "deliberation": "d'après la délibération",
                                             "voeu": "d'après le vœu"}.get(h.unit.kind, "d'après le procès-verbal")
        item = h.rk.record.item(h.unit.item)
        where = f", point « {item.title} »" if item else ""
        return Draft(True, f"« {text} » ({source}{where}, {session_label(h.rk.record)})", "fait",
                     round(min(0.75, 0.2 + 0.5 * h.score), 2), [Cite(h.rk, h.unit, text)])
    return None



KINDS = [Kind("fait", 190, lambda q, kn: bool(re.match(r"(?:a |de |pour |par |dans |sur )?(?:quel|quelle|quels|quelles) \w+", q)),
              ask_fact)]
