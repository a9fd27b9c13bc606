"""How many, how much: a number stated in the minutes next to the topic asked about."""

from __future__ import annotations

import re

from ..kind import Kind
from ..common import (
    Cite, Draft, deliberation_cites, cite_unit, coverage, person_name, rarest_covered, session_label,
    topic_stems,
)
from ..knowledge import KIND_WEIGHTS, Knowledge, RecordKnowledge, Unit, wish_url
from ..retrieval import Scored, best_sentences, context_stems, quantities
from ..text import STOPWORDS, stem, tokens


def ask_count(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    rk = rks[-1]
    record = rk.record
    # counts the record holds as fields
    if re.search(r"en exercice", q):
        v = next((v for v in record.votes if v.in_office), None)
        value = record.session.in_office or (v.in_office if v else None)
        if value and v is not None:
            c = deliberation_cites(rk, record.deliberation(v.deliberation), v)[:1] if v.deliberation and \
                record.deliberation(v.deliberation) else []
            if c and str(value) in c[0].quote:
                return Draft(True, f"{value} conseillers sont en exercice ({session_label(record)}).", "nombre", 0.9, c)
    if re.search(r"\bdeliberations\b", q) and re.search(r"combien", q) and record.deliberations:
        adopted = [d for d in record.deliberations if d.vote is not None and d.vote.result.startswith("adopt")]
        cites = [c for d in record.deliberations[:3]
                 for c in [cite_unit(rk, f"{rk.sid}/d/{d.number}", f"Délibération n°{d.number} : {d.title}",
                                     "deliberation")] if c is not None]
        if cites:
            first, last = record.deliberations[0].number, record.deliberations[-1].number
            return Draft(True, f"{len(record.deliberations)} délibérations ({first} à {last}), dont {len(adopted)} "
                         f"adoptées ({session_label(record)}).", "nombre", 0.85, cites)
    if re.search(r"\bvoeux\b", q) and re.search(r"combien", q) and record.wishes:
        cites = [Cite(rk, Unit(w.id, "voeu", rk.sid, record.session.date, w.group, None, None, wish_url(record, w)),
                      f"{w.title} — Déposé par le {w.group}") for w in record.wishes[:3]]
        return Draft(True, f"{len(record.wishes)} vœux ont été déposés ({session_label(record)}) : "
                     + " ; ".join(w.title for w in record.wishes) + ".", "nombre", 0.85, cites)
    topic = topic_stems(q, {"part", "quantite", "volume", "niveau", "denombre", "denombres", "denombree",
                            "denombrees", "recense", "recenses", "recensee", "recensees"}, kn=kn)
    if not topic:
        return None
    money = bool(re.search(r"montant|cout|budget|somme|euros|financ|enveloppe|prix|tarif|coute", q))
    head = re.search(r"\b(?:montant|total|somme|taux|part|nombre|cout) (?:de la |de l |des |du |de |d )(\w+)", q)
    head_stem = stem(head.group(1)) if head and head.group(1) not in STOPWORDS else None
    m = re.search(r"\bcombien (?:de |d )(?:(?:nouveaux|nouvelles|nouvel|autres|grands|grandes|petits|petites|"
                  r"premiers|premieres|derniers|dernieres) )?(\w+)", q)
    counted = stem(m.group(1)) if m and m.group(1) not in STOPWORDS else None
    asked_numbers = {t for t in q.split() if t.isdigit() and not (len(t) == 4 and int(t) in kn.years)
                     and t not in kn.ignore}
    percent = bool(re.search(r"pourcentage|taux|pour cent|proportion|part\b", q))
    hits = best_sentences(kn, topic, min_cov=0.5, limit=80, need_number=True, context=True, sentence_min=0.2)
    good = []
    for h in hits:
        text = h.sentence.text
        around = h.sentence.stems | context_stems(h.rk, h.sentence.unit)
        if not rarest_covered(kn, topic, around) and coverage(kn, topic, around) < 0.7:
            continue
        if money and not re.search(r"€|euros?\b|M€|millions?|milliards?", text):
            continue
        if percent and "%" not in text and "pour cent" not in text:
            continue
        nums = quantities(text)
        if not nums:
            continue
        # a number right next to a topic word ("18 500 bénéficiaires") is what is asked,
        # and right before the counted noun of "combien de X" most of all
        near = 0.0
        for num in nums:
            after = [stem(t) for t in tokens(text[num.end():num.end() + NEAR_CHARS])[:5]]
            before = [stem(t) for t in tokens(text[max(0, num.start() - NEAR_CHARS):num.start()])[-5:]]
            rate = bool(before) and before[-1] in {"pour", "par"}  # "pour 100 000 habitants" is a rate
            # "les alarmes traitées, évoquées à 91 764": the noun may come first, unless another
            # number already counts it ("100 000 habitants contre 83")
            ahead = tokens(text[max(0, num.start() - NEAR_CHARS):num.start()])[-8:]
            reach = 6 if ahead[-2:] == ["nombre", "de"] else 4  # "les résidences secondaires (au nombre de 84)"
            noun_first = any(stem(t) == counted and (i == 0 or not (ahead[i - 1].isdigit() or ahead[i - 1] in {"par", "pour"}))
                             for i, t in enumerate(ahead) if i >= len(ahead) - reach) if counted else False
            money_after = bool(re.match(r"\s*(?:M€|k€|€|euros?\b|millions? d|milliards? d)", text[num.end():]))
            if noun_first and money_after:
                noun_first = False  # "une nouvelle inscription à hauteur de 320 000 €" is an amount, not a count
            if counted and (counted in after or noun_first) and not rate:
                near = 0.4
                break
            if any(t in topic for t in after[:3] + before[-3:]):
                near = max(near, 0.15)
        if counted and near < 0.4 and _counts_the_subject(h.rk, h.si, counted):
            near = 0.4  # « … l'intérêt des jeunes. Ils sont plus de 850 000 à avoir effectué … »
        if counted and near < 0.4:
            continue  # "combien d'habitants": a sentence that counts something else is no answer
        if asked_numbers and not asked_numbers <= set(h.sentence.toks):
            continue  # "un dépôt de plus de 6 m3": a sentence about 2 m3 is no answer
        if head_stem and head_stem not in h.sentence.stems | head_context(h.rk, h.sentence.unit):
            continue  # "le montant des recettes": a sentence about the expenses is no answer
        own = coverage(kn, topic, h.sentence.stems)
        if near >= 0.4:
            pass  # "32 agents" for "combien d'agents": the counted noun is there
        elif h.score < 0.6 * KIND_WEIGHTS.get(h.unit.kind, 0.8) or own < (0.3 if near else 0.45):
            continue
        good.append(Scored(h.score + near, h.rk, h.si))
    good.sort(key=lambda s: s.score, reverse=True)
    if counted or money:
        weak = not good or coverage(kn, topic, good[0].sentence.stems) < 0.5
        if weak:  # the passage about the topic may give the figure in a sentence that names nothing else
            passages = [g for g in counted_in_passages(kn, topic, counted, money, head_stem)
                        if (not asked_numbers or asked_numbers <= set(g.sentence.toks)) and threshold_ok(q, g.sentence.text)]
            if passages and (not good or passages[0].score >= 0.8):
                good = passages
    good = [g for g in good if threshold_ok(q, g.sentence.text)]
    if not good:
        return None
    h = good[0]
    who = person_name(h.rk.record, h.unit.person_id, h.unit.speaker) if h.unit.kind == "intervention" else ""
    source = f"selon {who}" if who else {"rapport": "d'après le rapport", "deliberation": "d'après la délibération",
                                         "vote": "d'après le vote", "voeu": "d'après le vœu"}.get(h.unit.kind,
                                                                                                 "d'après le procès-verbal")
    answer = f"« {h.sentence.text} » ({source}, {session_label(h.rk.record)})"
    of_year = _figure_of_year(h.sentence.text, kn.years)
    if of_year:  # « 850 000 depuis 2010, dont 150 000 en 2024 »: the figure of the year asked first
        answer = f"{of_year} : {answer}"
    cites = [Cite(x.rk, x.unit, x.sentence.text) for x in good[:2]]
    return Draft(True, answer, "nombre", round(min(0.85, 0.3 + 0.5 * h.score), 2), cites)



_PRONOUN_COUNT = re.compile(r"\b(?:ils|elles) (?:sont|etaient|seront) (?:plus de |pres de |environ |quelque |au moins )?\d")


def _counts_the_subject(rk: RecordKnowledge, si: int, counted: str) -> bool:
    """« … l'intérêt des jeunes. Ils sont plus de 850 000 à avoir effectué une mission »: the number counts
    the pronoun, whose noun (the one asked) ends the sentence before, in the same passage."""
    if not _PRONOUN_COUNT.search(" ".join(rk.sentences[si].toks)):
        return False
    sis = rk.by_unit.get(rk.sentences[si].unit, [])
    k = sis.index(si) if si in sis else 0
    return k > 0 and counted in rk.sentences[sis[k - 1]].stems


def _figure_of_year(text: str, years: frozenset[int]) -> str:
    """« … depuis 2010, dont 150 000 en 2024 » with 2024 asked → "150 000 en 2024"; "" when the sentence
    gives no figure tied to one year asked."""
    if len(years) != 1:
        return ""
    year = next(iter(years))
    m = re.search(rf"(?<![\d,.])(\d{{1,3}}(?:[ \u00a0\u202f.]\d{{3}})*|\d+)\s+(?:en|pour|au titre de)\s+(?:l['’]année\s+)?{year}\b",
                  text)
    return f"{m.group(1)} en {year}" if m else ""


def head_context(rk: RecordKnowledge, ui: int) -> frozenset[str]:
    """Where the noun a figure is "the amount of" may stand besides its sentence: the item title, and a
    short page passage (a list of rates under its heading); not a whole speech about many things."""
    unit = rk.units[ui]
    stems = rk.item_stems.get(unit.item or "", frozenset())
    if unit.kind == "passage" and len(rk.by_unit.get(ui, [])) <= MAX_PASSAGE_SENTENCES:
        stems = stems | rk.unit_stems[ui]
    return stems


#: Characters either side of a number read to know what it counts (a table row can be 100 000 long).
NEAR_CHARS = 120

#: A passage longer than this (an annexed report) is no context for a lone figure.
MAX_PASSAGE_SENTENCES = 25
#: Sentences either side of a lone figure that say what it is about.
WINDOW = 4

_MORE = r"(?:plus de|au dela de|au dessus de|superieure? a|superieurs? a|excedant|depassant)"
_LESS = r"(?:moins de|en dessous de|en deca de|inferieure? a|inferieurs? a|jusqu a)"


def threshold_ok(q: str, text: str) -> bool:
    """« plus de 6 m3 » asks for the rate beyond 6 (« au-delà de 6 m3 »), not « de 2 à 6 m3 »."""
    folded = " ".join(tokens(text))
    for rx in (_MORE, _LESS):
        m = re.search(rx + r" (\d+)", q)
        if m and not re.search(rx + rf" {m.group(1)}\b", folded):
            return False
    return True


def _states_figure(text: str, counted: str | None, money: bool) -> bool:
    """A number right before the counted noun (« 6 offres »), after it (« au nombre de 84 »), or in euros."""
    for num in quantities(text):
        after = [stem(t) for t in tokens(text[num.end():num.end() + NEAR_CHARS])[:2]]
        ahead = [stem(t) for t in tokens(text[max(0, num.start() - NEAR_CHARS):num.start()])[-6:]]
        money_after = bool(re.match(r"\s*(?:M€|k€|€|euros?\b)", text[num.end():]))
        if ahead and ahead[-1] in {"pour", "par"}:
            continue  # "78 médecins pour 100 000 habitants" is a rate
        if counted and not money_after and (counted in after or (counted in ahead and "nombr" in ahead)):
            return True
        if money and not counted and money_after:
            return True
    return False


_DIGIT = re.compile(r"\d")


def counted_in_passages(kn: Knowledge, topic: list[str], counted: str | None, money: bool,
                        head_stem: str | None = None) -> list[Scored]:
    """« Combien d'offres … pour le marché de la rue X ? » → « 6 offres ont été reçues »: the topic is in the
    sentences around the figure (same passage, a few sentences either side) or its item's title, the
    sentence itself only gives the number next to the counted noun (or in euros)."""
    out: list[Scored] = []
    for rk in kn.parts:
        holding = {t: frozenset(rk.postings.get(t, ())) for t in topic}  # topic stem → its sentences
        texts = rk.texts
        for ui, unit in enumerate(rk.units):
            if unit.kind == "rapport":
                continue  # a long report covers any topic somewhere: no context for a lone figure
            sis = rk.by_unit.get(ui, [])
            item_stems = rk.item_stems.get(unit.item or "", frozenset())
            item = rk.record.item(unit.item)
            if not kn.fits_years(rk, item.title if item else ""):
                continue
            for k, si in enumerate(sis):
                text = texts[si]
                if not _DIGIT.search(text) or not _states_figure(text, counted, money):
                    continue  # cheap test first: most sentences give no figure of the kind asked
                sent = rk.sentences[si]
                window = sis[max(0, k - WINDOW):k + WINDOW + 1]
                stems = {t for t in topic if t in item_stems or any(x in holding[t] for x in window)}
                cov = coverage(kn, topic, stems)
                if cov < 0.6 or (not rarest_covered(kn, topic, stems) and cov < 0.75):
                    continue
                if head_stem and head_stem not in sent.stems | head_context(rk, ui):
                    continue  # "le montant des recettes": a sentence about the expenses is no answer
                out.append(Scored(cov + (0.2 if counted else 0.0), rk, si))
    out.sort(key=lambda s: (s.score, s.rk.record.session.date), reverse=True)
    return out


_COUNT_Q = re.compile(r"\bcombien\b|quel(?:le)?s? (?:est |etait |a ete |sont )?(?:le |la |l |les )?"
                      r"(?:montant|nombre|cout|budget|total|somme|taux|pourcentage|part|enveloppe|effectif|tarif|prix|"
                      r"investissement|depense|subvention|dotation|credit|aide|financement)|\bcoute\b")

KINDS = [Kind("nombre", 140, lambda q, kn: bool(_COUNT_Q.search(q)), ask_count)]
