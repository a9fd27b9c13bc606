"""Question kinds and their answerers.

Each answerer takes the folded question and the `Knowledge`, and returns a `Draft`
(found or not, answer text, citations as (record knowledge, unit index, quote)),
or None when it cannot say anything, so that the caller falls back to "not found"
with the closest passages as leads.  Nothing here knows any particular question:
every answer comes from the records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import AgendaItem, Deliberation, Person, Record, Vote, Wish
from ..people import fold, surname_of
from .knowledge import KIND_WEIGHTS, Knowledge, RecordKnowledge, Unit, vote_quote, wish_url
from .text import QUESTION_WORDS, STOPWORDS, looks_like_verb, stem, tokens

MONTHS = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
          "novembre", "decembre"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]


# --------------------------------------------------------------------------- drafts

@dataclass
class Cite:
    rk: RecordKnowledge
    unit: Unit
    quote: str


@dataclass
class Draft:
    found: bool
    answer: str
    kind: str
    confidence: float
    cites: list[Cite] = field(default_factory=list)


def french_date(iso: str) -> str:
    """"2025-09-22" → "22 septembre 2025"."""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})$", iso or "")
    if not m:
        return iso or "date inconnue"
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return f"{'1er' if d == 1 else d} {MONTHS_FR[mo - 1]} {y}"


def session_label(record: Record) -> str:
    return f"séance du {french_date(record.session.date)}"


def hhmm(value: str) -> str:
    """"12:45" → "12 h 45"."""
    h, _, m = (value or "").partition(":")
    return f"{int(h)} h {m}" if h.isdigit() else value


# --------------------------------------------------------------------------- topics

#: Words that frame a question rather than name its topic, folded.
FRAME_WORDS = frozenset("""
vote votes voter vote votee votees votes resultat resultats adopte adoptee adoptes adoptees adoption approuve
approuvee rejete rejetee unanimite scrutin voix abstention abstentions pour contre
presente presentee presenter presentait rapporteur rapporteure rapporteuse rapport rapports
parle parler evoque evoquee aborde abordee mentionne cite intervenu intervenue intervenus interventions intervention
sujet question propos theme thematique concernant relatif relative relatifs portant
dit declare affirme explique souligne pense pensait avis position positionne positions opinion selon
depose deposee deposes voeu voeux groupe groupes
numero deliberation deliberations
debattu debat discute discussion traite quand moment date jour
combien montant nombre cout total somme
seance conseil parole pris prendre prise intervenu abstenu abstenus
expose exposer presentation pose posees posee poser questions
abstenue abstenues abstiennent attitude comportement choix lors elu elue elus elues
pourcentage proportion taux signataire signataires signe signee signes
""".split())


def topic_stems(q: str, drop: set[str] | frozenset[str] = frozenset(), kn: Knowledge | None = None) -> list[str]:
    """Content stems of a folded question, without question and frame words (ordered, unique).

    With `kn`, a conjugated verb the corpus never uses ("verront") is dropped: it says
    nothing about the topic, whereas an unknown noun ("aéroport") must stay and fail.
    """
    out: list[str] = []
    for tok in q.split():
        if tok in STOPWORDS or tok in QUESTION_WORDS or tok in FRAME_WORDS or tok in drop:
            continue
        if kn is not None and tok in kn.ignore:
            continue
        if len(tok) < 2 and not tok.isdigit():
            continue
        st = stem(tok)
        if kn is not None and looks_like_verb(tok) and kn.df.get(st, 0) == 0:
            continue
        if st not in out:
            out.append(st)
    return out


def coverage(kn: Knowledge, topic: list[str], stems: frozenset[str] | set[str]) -> float:
    """IDF-weighted share of the topic found in `stems` (0 … 1)."""
    if not topic:
        return 0.0
    total = sum(kn.idf(t) for t in topic)
    got = sum(kn.idf(t) for t in topic if t in stems)
    return got / total if total else 0.0


def rarest_covered(kn: Knowledge, topic: list[str], stems: frozenset[str] | set[str]) -> bool:
    """The rarest topic word (the one that carries the question) is there."""
    if not topic:
        return False
    rarest = max(topic, key=kn.idf)
    return rarest in stems


def stems_of(text: str) -> frozenset[str]:
    return frozenset(stem(t) for t in tokens(text) if t not in STOPWORDS)


def acronyms(text: str) -> set[str]:
    """Initials of a capitalised word and the words after it: "Fonds Solidarité Logement" → {"fsl"},
    "l'Agence régionale de santé" → {"ars"} (2 to 5 words, "de", "la" … skipped)."""
    out = set()
    connectors = {"de", "du", "des", "la", "le", "les", "d", "l", "et", "à", "a", "au", "aux", "en"}
    for segment in re.split(r"[,;:()«»\"\-–]", text):
        words = [w for w in re.findall(r"[\wÀ-ÿ]+", segment) if w.lower() not in connectors]
        for i, w in enumerate(words):
            if not w[:1].isupper():
                continue
            for n in range(2, 6):
                if i + n > len(words):
                    break
                out.add(fold("".join(x[0] for x in words[i:i + n])).replace(" ", ""))
    return out


# --------------------------------------------------------------------------- look-ups

def item_text(record: Record, item: AgendaItem) -> str:
    delib = record.deliberation(item.deliberation) if item.deliberation else None
    extra = delib.title if delib else ""
    return f"{item.title} {extra}"


def deliberation_text(record: Record, d: Deliberation) -> str:
    item = record.item(d.item)
    short_report = d.report_title if len(d.report_title) < 300 else ""
    return f"{d.title} {item.title if item else ''} {short_report}"


#: Score of an object named by its number ("rapport n°3", "2025-361"), above any word match.
BY_NUMBER = 1.01


@dataclass
class Match:
    score: float
    rk: RecordKnowledge
    obj: object


def rank_objects(kn: Knowledge, topic: list[str], objects: list[tuple[RecordKnowledge, object, str]],
                 threshold: float = 0.6) -> list[Match]:
    """Objects whose text covers the topic well enough, best first (ties: most recent session)."""
    out = []
    for rk, obj, text in objects:
        stems = set(stems_of(text)) | acronyms(text)
        cov = coverage(kn, topic, stems)
        if cov >= threshold and rarest_covered(kn, topic, stems):
            out.append(Match(cov, rk, obj))
    out.sort(key=lambda m: (m.score, m.rk.record.session.date), reverse=True)
    return out


def find_deliberations(kn: Knowledge, q: str, topic: list[str]) -> list[Match]:
    """By number ("2025-361", "délibération 361", "rapport n°2"), else by topic."""
    by_number = []
    m = re.search(r"\b(\d{4}) (\d{1,4})\b", q)
    n = re.search(r"\bdeliberation (?:n )?(?:no )?(\d{1,4})\b", q)
    r = re.search(r"\brapport (?:n )?(?:no )?(\d{1,3})\b", q)
    for rk in kn.parts:
        for d in rk.record.deliberations:
            year, _, num = d.number.partition("-")
            if m and (m.group(1), m.group(2).lstrip("0")) == (year, num.lstrip("0")):
                by_number.append(Match(BY_NUMBER, rk, d))
            elif n and num.lstrip("0") == n.group(1).lstrip("0"):
                by_number.append(Match(BY_NUMBER, rk, d))
            elif r:
                item = rk.record.item(d.item)
                if item is not None and item.number == int(r.group(1)):
                    by_number.append(Match(BY_NUMBER, rk, d))
    if by_number:  # most recent session first
        return sorted(by_number, key=lambda m: m.rk.record.session.date, reverse=True)
    objects = [(rk, d, deliberation_text(rk.record, d)) for rk in kn.parts for d in rk.record.deliberations]
    return rank_objects(kn, topic, objects)


def find_items(kn: Knowledge, q: str, topic: list[str], threshold: float = 0.6) -> list[Match]:
    r = re.search(r"\b(?:rapport|point) (?:n )?(?:no )?(\d{1,3})\b", q)
    if r:
        hits = [Match(BY_NUMBER, rk, a) for rk in kn.parts for a in rk.record.agenda if a.number == int(r.group(1))]
        if hits:  # most recent session first
            return sorted(hits, key=lambda m: m.rk.record.session.date, reverse=True)
    objects = [(rk, a, item_text(rk.record, a)) for rk in kn.parts for a in rk.record.agenda]
    return rank_objects(kn, topic, objects, threshold)


def named_persons(kn: Knowledge, q: str) -> list[tuple[RecordKnowledge, Person]]:
    """Persons whose full name or surname appears in the folded question (longest names first)."""
    padded = f" {q} "
    found: dict[str, tuple[RecordKnowledge, Person]] = {}
    spans: list[tuple[int, int, str]] = []
    for rk in reversed(kn.parts):  # most recent first
        for p in rk.record.persons:
            full = fold(p.name)
            sur = fold(surname_of(p.name))
            for key in (full, sur):
                if not key or len(key) < 3:
                    continue
                if key in STOPWORDS or key in QUESTION_WORDS:  # "M. FAIT": only after a civility
                    hit = re.search(rf" (?:m|mme|monsieur|madame) ({re.escape(key)}) ", padded)
                    if hit:
                        spans.append((hit.start(1) - 1, hit.end(1) + 1, p.id))
                        found.setdefault(p.id, (rk, p))
                        break
                    continue
                pos = padded.find(f" {key} ")
                if pos >= 0:
                    spans.append((pos, pos + len(key) + 1, p.id))
                    found.setdefault(p.id, (rk, p))
                    break
    # "warot lemaire" names Sophie WAROT-LEMAIRE, not François LEMAIRE
    for a0, a1, pid in spans:
        if any(b0 <= a0 and a1 <= b1 and (b1 - b0) > (a1 - a0) for b0, b1, other in spans if other != pid):
            found.pop(pid, None)
    # a surname shared by several persons is kept only when the full name is given
    by_surname: dict[str, list[str]] = {}
    for pid, (_, p) in found.items():
        by_surname.setdefault(fold(surname_of(p.name)), []).append(pid)
    out = []
    for sur, pids in by_surname.items():
        if len(pids) == 1:
            out.append(found[pids[0]])
        else:
            full = [pid for pid in pids if f" {fold(found[pid][1].name)} " in padded]
            out.extend(found[pid] for pid in full)
    if not out and kn.parts:
        # "le Président" / "le Maire" alone: whoever chaired the most recent session asked about
        if re.search(r"\b(?:le|du|au|monsieur le|madame la|madame le) (?:president|presidente|maire)\b(?! d| de| du| des)",
                     padded):
            rk = max(kn.parts, key=lambda r: r.record.session.date)
            chair = rk.record.session.president
            p = next((x for x in rk.record.persons if fold(x.name) == fold(chair)), None) if chair else None
            if p is not None:
                out.append((rk, p))
    return out


def person_name(record: Record, pid: str | None, fallback: str = "") -> str:
    p = record.person(pid)
    if p is None:
        return fallback
    return f"{p.civility} {p.name}".strip()


def unit_index(rk: RecordKnowledge, unit_id: str, kind: str | None = None) -> int | None:
    for i, u in enumerate(rk.units):
        if u.id == unit_id and (kind is None or u.kind == kind):
            return i
    return None


def cite_unit(rk: RecordKnowledge, unit_id: str, quote: str, kind: str | None = None) -> Cite | None:
    i = unit_index(rk, unit_id, kind)
    return Cite(rk, rk.units[i], quote) if i is not None else None


def session_unit(rk: RecordKnowledge, anchor: str = "presences") -> Unit:
    s = rk.record.session
    return Unit(f"{s.id}#{anchor}", "seance", s.id, s.date, url=f"/seances/{s.id}#{anchor}")


# --------------------------------------------------------------------------- sentence retrieval

@dataclass
class Scored:
    score: float
    rk: RecordKnowledge
    si: int

    @property
    def sentence(self):
        return self.rk.sentences[self.si]

    @property
    def unit(self) -> Unit:
        return self.rk.units[self.sentence.unit]


QUANTITY_RE = re.compile(r"(?<![\w,.])\d+(?:[ \u00a0\u202f.,]\d+)*(?![\w])")


#: what follows the day of a date: "30 janvier", "22/09/2025"
_DAY_OF_DATE = re.compile(r"\s+(?:" + "|".join(MONTHS_FR + MONTHS) + r")\b|/\d", re.I)


def quantities(text: str) -> list[re.Match[str]]:
    """Numbers that state a quantity: not years alone, not the day of a date ("la séance du
    30 janvier" counts no sessions), not part of a word ("3D", "V2")."""
    return [m for m in QUANTITY_RE.finditer(text) if not re.fullmatch(r"(?:19|20)\d\d", m.group(0))
            and not (len(m.group(0)) <= 2 and _DAY_OF_DATE.match(text, m.end()))]


def context_stems(rk: RecordKnowledge, unit_idx: int) -> frozenset[str]:
    """What the surrounding speech and its agenda item are about."""
    unit = rk.units[unit_idx]
    item = rk.item_stems.get(unit.item or "", frozenset())
    if unit.kind == "rapport":  # an annexed report is too long to be a context
        return item
    return rk.unit_stems[unit_idx] | item


def best_sentences(kn: Knowledge, topic: list[str], *, kinds: set[str] | None = None,
                   person: str | None = None, min_cov: float = 0.0, limit: int = 10,
                   need_number: bool = False, context: bool = False, sentence_min: float = 0.45) -> list[Scored]:
    """Sentences ranked by IDF coverage of the topic (× the unit kind's weight).

    With `context`, topic words found only in the sentence's speech or agenda item title
    count for half.
    """
    from .knowledge import KIND_WEIGHTS

    if not topic:
        return []
    total = sum(kn.idf(t) for t in topic) or 1.0
    out: list[Scored] = []
    for rk in kn.parts:
        acc: dict[int, float] = {}
        for t in topic:
            w = kn.idf(t)
            for si in rk.postings.get(t, ()):
                acc[si] = acc.get(si, 0.0) + w
        for si, got in acc.items():
            sent = rk.sentences[si]
            if context and got / total < sentence_min:
                continue
            if context:
                ctx = context_stems(rk, sent.unit)
                got += 0.5 * sum(kn.idf(t) for t in topic if t not in sent.stems and t in ctx)
            cov = got / total
            if cov < min_cov:
                continue
            unit = rk.units[sent.unit]
            if kinds is not None and unit.kind not in kinds:
                continue
            if person is not None and unit.person_id != person:
                continue
            if need_number and not quantities(sent.text):
                continue
            score = cov * KIND_WEIGHTS.get(unit.kind, 0.8)
            n = len(sent.toks)
            if n > 80:  # very long sentences (lists) match by accident
                score *= 0.85
            elif n < 4:
                score *= 0.7
            out.append(Scored(score, rk, si))
    out.sort(key=lambda s: (s.score, s.rk.record.session.date), reverse=True)
    return out[:limit]


def leads(kn: Knowledge, q: str, limit: int = 3) -> list[Cite]:
    """The closest passages, offered when no answer is found."""
    topic = topic_stems(q, kn=kn)
    cites = []
    seen = set()
    for s in best_sentences(kn, topic, min_cov=0.3, limit=limit * 4):
        if s.unit.url in seen:
            continue
        seen.add(s.unit.url)
        cites.append(Cite(s.rk, s.unit, s.sentence.text))
        if len(cites) >= limit:
            break
    return cites


# --------------------------------------------------------------------------- kinds

def ask_time(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    events = [
        ("suspension", r"suspen|interromp|pause", "a été suspendue à", r"suspend"),
        ("resumption", r"repri|repren|reprend", "a repris à", r"repren|repris"),
        ("end", r"\bleve|termin|\bfin\b|fini|\bclos|clotur|achev|\bjusqu|\bdure", "a été levée à",
         r"lev[ée]e|termin|clos"),
        ("start", r"commenc|debut|ouvert|ouvre|ouverture|demarr", "a commencé à", r"d[ée]but|ouvert|commenc"),
    ]
    chosen = next((e for e in events if re.search(e[1], q)), None)
    if chosen is None:
        return None
    attr, _, verb, quote_re = chosen
    rk = rks[-1]
    value = getattr(rk.record.session, attr)
    if not value:
        return None
    h, _, m = value.partition(":")
    minutes = rf"(?:\s*{m})?" if m == "00" else rf"\s*{m}"
    time_re = re.compile(rf"\b{int(h)}\s*(?:h|heures?){minutes}\b", re.IGNORECASE)
    cites = []
    for sent in rk.sentences:
        if time_re.search(sent.text) and re.search(quote_re, sent.text, re.IGNORECASE):
            cites.append(Cite(rk, rk.units[sent.unit], sent.text))
            break
    if not cites:
        return None
    answer = f"La séance {verb} {hhmm(value)} ({session_label(rk.record)})."
    return Draft(True, answer, "heure", 0.95, cites)


def ask_session_role(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    rk = rks[-1]
    s = rk.record.session
    if re.search(r"secretar|secretaire", q):
        name, what, pat = s.secretary, "Secrétaire de séance", r"secr[ée]ta"
    else:
        name, what, pat = s.president, "Présidence de la séance", r"pr[ée]siden"
    if not name:
        return None
    key = fold(surname_of(name))
    cites = []
    for sent in rk.sentences:
        if key and f" {key} " in f" {' '.join(sent.toks)} " and re.search(pat, sent.text, re.IGNORECASE):
            cites.append(Cite(rk, rk.units[sent.unit], sent.text))
            break
    if not cites:
        return None
    answer = f"{what} : {name} ({session_label(rk.record)})."
    return Draft(True, answer, "presidence", 0.95, cites)


def _proxy_quote(record: Record, giver: str, holder: str, giver_id: str | None, holder_id: str | None) -> str:
    g = record.person(giver_id)
    absent = "absente" if g is not None and g.civility == "Mme" else "absent"
    return (f"{person_name(record, giver_id, giver)}, {absent}, délégation de vote donnée à "
            f"{person_name(record, holder_id, holder)}.")


def session_of_named(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> RecordKnowledge:
    """The most recent session where a person the question names appears, else the most recent one."""
    named = named_persons(kn, q)
    for rk in reversed(rks):
        if any(rk.record.person(p.id) is not None for _, p in named):
            return rk
    return rks[-1]


def ask_proxy(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    rk = session_of_named(kn, q, rks)
    record = rk.record
    proxies = record.session.proxies
    if not proxies:
        return None
    unit = session_unit(rk)
    if re.search(r"\bcombien\b", q):
        cites = [Cite(rk, unit, _proxy_quote(record, p.giver, p.holder, p.giver_id, p.holder_id)) for p in proxies[:2]]
        block = next((v for v in record.votes if v.proxies == len(proxies) and v.deliberation), None)
        delib = record.deliberation(block.deliberation) if block and block.deliberation else None
        if delib is not None:
            cites = _deliberation_cites(rk, delib, block)[:1] + cites
        return Draft(True, f"{len(proxies)} délégations de vote ont été données ({session_label(record)}).",
                     "presences", 0.9, cites)
    named = [p for _, p in named_persons(kn, q) if record.person(p.id) is not None]
    if not named:
        lines = [f"{p.giver} → {p.holder}" for p in proxies]
        cites = [Cite(rk, unit, _proxy_quote(record, p.giver, p.holder, p.giver_id, p.holder_id)) for p in proxies[:3]]
        return Draft(True, f"Délégations de vote ({session_label(record)}) : " + " ; ".join(lines) + ".",
                     "presences", 0.85, cites)
    person = named[0]
    asks_giver = bool(re.search(r"qui (?:lui )?a (?:donne|confie|transmis|delegue)|qui avait donne|donne[a-z]* .*\ba (?:m|mme|monsieur|madame)?\s*" + re.escape(fold(surname_of(person.name))), q)) \
        and not re.search(r"\ba qui\b", q)
    as_holder = [p for p in proxies if p.holder_id == person.id]
    as_giver = [p for p in proxies if p.giver_id == person.id]
    if asks_giver and as_holder:
        chosen, text = as_holder, "{giver} a donné délégation de vote à {holder}"
    elif as_giver and not asks_giver:
        chosen, text = as_giver, "{giver} a donné délégation de vote à {holder}"
    elif as_holder:
        chosen, text = as_holder, "{giver} a donné délégation de vote à {holder}"
    else:
        return Draft(False, f"Aucune délégation de vote ne concerne {person.name} ({session_label(record)}).",
                     "presences", 0.6, [])
    parts = [text.format(giver=person_name(record, p.giver_id, p.giver), holder=person_name(record, p.holder_id, p.holder))
             for p in chosen]
    cites = [Cite(rk, unit, _proxy_quote(record, p.giver, p.holder, p.giver_id, p.holder_id)) for p in chosen[:3]]
    return Draft(True, " ; ".join(parts) + f" ({session_label(record)}).", "presences", 0.9, cites)


def ask_attendance(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    rk = session_of_named(kn, q, rks)
    record = rk.record
    s = record.session
    unit = session_unit(rk)
    named = [p for _, p in named_persons(kn, q) if record.person(p.id) is not None]
    present_keys = {fold(n) for n in s.present}
    excused_keys = {fold(n) for n in s.excused}
    absent_keys = {fold(n) for n in s.absent}
    if named:
        p = named[0]
        key = fold(p.name)
        proxy = next((x for x in s.proxies if x.giver_id == p.id), None)
        if key in present_keys:
            quote = f"Étaient présents : … {person_name(record, p.id, p.name)} …"
            return Draft(True, f"Oui, {p.name} était présent(e) ({session_label(record)}).", "presences", 0.9,
                         [Cite(rk, unit, quote)])
        if key in excused_keys or key in absent_keys:
            state = "excusé(e)" if key in excused_keys else "absent(e)"
            quote = f"Excusé(s) : … {person_name(record, p.id, p.name)} …"
            extra = ""
            cites = [Cite(rk, unit, quote)]
            if proxy is not None:
                extra = f", avec délégation de vote donnée à {proxy.holder}"
                cites.append(Cite(rk, unit, _proxy_quote(record, proxy.giver, proxy.holder, proxy.giver_id,
                                                         proxy.holder_id)))
            return Draft(True, f"Non, {p.name} était {state}{extra} ({session_label(record)}).", "presences", 0.9,
                         cites)
        mv = [m for m in s.movements if m.person_id == p.id]
        if mv:
            return Draft(True, f"{p.name} : {mv[0].text}", "presences", 0.8, [Cite(rk, unit, mv[0].text)])
        return None
    if re.search(r"\binvite", q):
        guests = [p for p in record.persons if p.guest and any(sp.person_id == p.id for sp in record.speeches)]
        cites = []
        for p in guests[:3]:
            sp = next(sp for sp in record.speeches if sp.person_id == p.id)
            ui = unit_index(rk, sp.id, "intervention")
            text = _first_sentence_of(rk, ui) if ui is not None else None
            if text:
                cites.append(Cite(rk, rk.units[ui], text))
        if guests and cites:
            names = ", ".join(p.name + (f" ({p.roles[0]})" if p.roles else "") for p in guests)
            return Draft(True, f"Invités ayant pris la parole ({session_label(record)}) : {names}.", "presences", 0.8,
                         cites)
        return None
    if re.search(r"arriv|retard", q):
        mv = [m for m in s.movements if m.kind == "arrivée"]
        if mv:
            return Draft(True, "Arrivée(s) en cours de séance : " + ", ".join(m.person for m in mv) + ".",
                         "presences", 0.85, [Cite(rk, unit, m.text) for m in mv[:3]])
        return None
    if re.search(r"\bquitt|\bdeparts?\b|\bpartie?s?\b", q):
        mv = [m for m in s.movements if m.kind == "départ"]
        if mv:
            return Draft(True, "Départ(s) en cours de séance : " + ", ".join(m.person for m in mv) + ".",
                         "presences", 0.85, [Cite(rk, unit, m.text) for m in mv[:3]])
        return None
    if re.search(r"excus|absent", q):
        names = s.excused or s.absent
        if not names:
            return None
        label = "Excusé(s)" if s.excused else "Absent(s)"
        quote = f"{label} : " + ", ".join(names) + "."
        if re.search(r"\bcombien\b", q):
            return Draft(True, f"{len(names)} conseillers {label.lower()} ({session_label(record)}) : "
                         + ", ".join(names) + ".", "presences", 0.9, [Cite(rk, unit, quote)])
        return Draft(True, f"{label} ({session_label(record)}) : " + ", ".join(names) + ".", "presences", 0.9,
                     [Cite(rk, unit, quote)])
    if re.search(r"present", q) and s.present:
        quote = "Étaient présents : " + ", ".join(s.present) + "."
        if re.search(r"\bcombien\b", q):
            return Draft(True, f"{len(s.present)} conseillers étaient présents à l'appel ({session_label(record)}).",
                         "presences", 0.85, [Cite(rk, unit, quote)])
        return Draft(True, f"Présents ({session_label(record)}) : " + ", ".join(s.present) + ".", "presences", 0.85,
                     [Cite(rk, unit, quote)])
    return None


def _vote_phrase(v: Vote) -> str:
    parts = []
    if v.for_ is not None:
        parts.append(f"{v.for_} voix pour")
    if v.against is not None:
        parts.append(f"{v.against} contre")
    if v.abstention is not None:
        parts.append(f"{v.abstention} abstention{'s' if (v.abstention or 0) > 1 else ''}")
    result = v.result or "résultat non précisé"
    if v.unanimous and v.result:
        result += " à l'unanimité"
    return f"{result}, " + ", ".join(parts) if parts else result


def _vote_of(record: Record, d: Deliberation) -> Vote | None:
    if d.vote is not None:
        return d.vote
    return next((v for v in record.votes if v.deliberation == d.number or (d.item and v.item == d.item)), None)


def _deliberation_cites(rk: RecordKnowledge, d: Deliberation, vote: Vote | None) -> list[Cite]:
    cites = []
    vid = f"{rk.sid}/d/{d.number}"
    if vote is not None and vote.text:
        c = cite_unit(rk, vid, vote_quote(vote), "vote")
        if c is None:
            c = Cite(rk, Unit(vid, "vote", rk.sid, rk.record.session.date, item=d.item,
                              url=f"/deliberations/{d.number}", ref=d.number), vote_quote(vote))
        cites.append(c)
    c = cite_unit(rk, vid, f"Délibération n°{d.number} : {d.title}", "deliberation")
    if c is not None:
        cites.append(c)
    return cites


def ask_item_vote(kn: Knowledge, q: str, topic: list[str]) -> Draft | None:
    """Minutes without deliberations (municipal councils): the vote recorded under the agenda item."""
    for m in find_items(kn, q, topic):
        item: AgendaItem = m.obj  # type: ignore[assignment]
        rk = m.rk
        votes = [v for v in rk.record.votes if v.item == item.id and v.text]
        if not votes or (item.deliberation and rk.record.deliberation(item.deliberation)):
            continue
        v = votes[-1]
        k = rk.record.votes.index(v) + 1
        cite = cite_unit(rk, f"{rk.sid}/vote/{k:03d}", vote_quote(v), "vote")
        if cite is None:
            continue
        answer = f"« {item.title} » ({session_label(rk.record)}) : {_vote_phrase(v)}."
        if v.abstention_groups and v.abstention:
            answer += " Abstentions : " + " ; ".join(v.abstention_groups) + "."
        if v.against_groups and v.against:
            answer += " Contre : " + " ; ".join(v.against_groups) + "."
        if re.search(r"unanim", q):
            answer = ("Oui : " if v.unanimous else "Non, pas à l'unanimité : ") + answer
        return Draft(True, answer, "vote", round(0.55 + 0.35 * m.score, 2), [cite])
    return None


def ask_vote(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, {"conseillers", "conseiller", "presents", "presentes", "membres", "elus", "moment"}, kn=kn)
    matches = find_deliberations(kn, q, topic)
    if not matches:
        return ask_item_vote(kn, q, topic)
    best = matches[0]
    if len(matches) > 1 and matches[1].score == best.score and matches[1].rk is best.rk and best.score < BY_NUMBER:
        return None  # two deliberations fit equally: do not guess
    d: Deliberation = best.obj  # type: ignore[assignment]
    record = best.rk.record
    vote = _vote_of(record, d)
    if vote is None:
        return None
    phrase = _vote_phrase(vote)
    yes_no = ""
    if re.search(r"\b(a t il|a t elle|ont ils|est il|est elle)\b", q) and re.search(r"adopt|approuv|vote|rejet|refus", q):
        if re.search(r"unanim", q):
            yes_no = "Oui : " if vote.unanimous else "Non, pas à l'unanimité : "
        elif re.search(r"rejet|refus", q):
            yes_no = "Oui : " if vote.result.startswith("rejet") else "Non : " if vote.result.startswith("adopt") else ""
        else:
            yes_no = "Oui : " if vote.result.startswith("adopt") else "Non : " if vote.result.startswith("rejet") else ""
    if re.search(r"present", q) and vote.present:
        answer = (f"{vote.present} conseillers étaient présents au moment du vote sur « {d.title} » "
                  f"(délibération {d.number}, {session_label(record)}), avec {vote.proxies or 0} délégations de vote.")
        return Draft(True, answer, "vote", round(min(0.95, 0.6 + 0.35 * best.score), 2), _deliberation_cites(best.rk, d, vote))
    answer = (f"{yes_no}« {d.title} » (délibération {d.number}, {session_label(record)}) : {phrase}.")
    if re.search(r"groupe", q) and re.search(r"\bpour\b", q) and vote.for_groups:
        answer += " Pour : " + " ; ".join(vote.for_groups) + "."
    if vote.abstention_groups and vote.abstention:
        answer += " Abstentions : " + " ; ".join(vote.abstention_groups) + "."
    if vote.against_groups and vote.against:
        answer += " Contre : " + " ; ".join(vote.against_groups) + "."
    return Draft(True, answer, "vote", round(min(0.95, 0.6 + 0.35 * best.score), 2), _deliberation_cites(best.rk, d, vote))


GROUP_ALIASES = {
    "rn": "rassemblement national", "fn": "rassemblement national", "ps": "socialiste",
    "pc": "communiste", "pcf": "communiste", "upc": "union pour le pas de calais", "ni": "non inscrits",
    "lr": "republicains", "ump": "union pour un mouvement populaire",
}
_GENERIC_GROUP_WORDS = frozenset({"groupe", "republicain", "et", "le", "la", "les", "pour", "de", "du", "des", "l"})


def all_groups(kn: Knowledge) -> list[str]:
    groups: list[str] = []
    for rk in kn.parts:
        for p in rk.record.persons:
            if p.group and p.group not in groups:
                groups.append(p.group)
        for v in rk.record.votes:
            for g in v.for_groups + v.against_groups + v.abstention_groups:
                g = re.sub(r"\s*\(.*\)\s*$", "", g).strip()
                if g and g not in groups:
                    groups.append(g)
        for w in rk.record.wishes:
            if w.group and w.group not in groups:
                groups.append(w.group)
    return groups


def named_group(kn: Knowledge, q: str) -> str | None:
    """The political group a folded question names, by its distinctive words or a common alias."""
    qq = f" {q} "
    for alias, words in GROUP_ALIASES.items():
        if f" {alias} " in qq:
            qq += f" {words} "
    groups = all_groups(kn)
    word_sets = {g: set(fold(g).split()) - _GENERIC_GROUP_WORDS for g in groups}
    counts: dict[str, int] = {}
    for g, words in word_sets.items():
        distinctive = {w for w in words if sum(w in other for other in word_sets.values()) == 1} or words
        hits = sum(1 for w in distinctive if f" {w} " in qq)
        if hits:
            counts[g] = hits
    if not counts:
        return None
    return max(counts, key=lambda g: counts[g])


def ask_group_vote(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    group = named_group(kn, q)
    if group is None:
        return None
    drop = set(fold(group).split()) | set(GROUP_ALIASES) | {"elu", "elus", "elue", "elues", "membres", "conseillers"}
    topic = topic_stems(q, drop, kn=kn)
    matches = find_deliberations(kn, q, topic)
    if not matches:
        return None
    best = matches[0]
    if len(matches) > 1 and matches[1].score == best.score and best.score < BY_NUMBER:
        return None  # two deliberations fit equally: do not guess
    d: Deliberation = best.obj  # type: ignore[assignment]
    record = best.rk.record
    vote = _vote_of(record, d)
    if vote is None:
        return None
    key = fold(group)
    positions = []
    for label, groups in (("pour", vote.for_groups), ("contre", vote.against_groups),
                          ("abstention", vote.abstention_groups), ("ne prend pas part au vote", vote.not_voting_groups)):
        for g in groups:
            if fold(g).startswith(key):
                partial = re.search(r"\((.*)\)", g)
                positions.append((label, partial.group(1) if partial else ""))
    if not positions:
        if vote.unanimous:
            positions = [("pour", "")]
        else:
            return None
    phrases = []
    for label, who in positions:
        verb = {"pour": "a voté pour", "contre": "a voté contre", "abstention": "s'est abstenu"}.get(label, label)
        phrases.append(f"{verb} (seulement {who})" if who else verb)
    answer = (f"Sur « {d.title} » (délibération {d.number}, {session_label(record)}), le {group} "
              + " ; ".join(phrases) + f". Résultat : {_vote_phrase(vote)}.")
    if len(positions) > 1:
        answer = answer.replace(f"le {group} ", f"le {group} est partagé : ", 1)
    return Draft(True, answer, "position", round(min(0.95, 0.6 + 0.3 * best.score), 2), _deliberation_cites(best.rk, d, vote))


def ask_deliberation(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, kn=kn)
    matches = find_deliberations(kn, q, topic)
    if not matches:
        return None
    best = matches[0]
    if len(matches) > 1 and matches[1].score == best.score and best.score < BY_NUMBER:
        return None  # two deliberations fit equally: do not guess
    d: Deliberation = best.obj  # type: ignore[assignment]
    record = best.rk.record
    vote = _vote_of(record, d)
    answer = f"Délibération n°{d.number} : « {d.title} » ({session_label(record)})"
    if vote is not None and vote.result:
        answer += f", {_vote_phrase(vote)}"
    cites = _deliberation_cites(best.rk, d, vote)
    cites.sort(key=lambda c: c.unit.kind != "deliberation")
    return Draft(True, answer + ".", "deliberation", round(min(0.95, 0.6 + 0.35 * best.score), 2), cites)


def _first_sentence_of(rk: RecordKnowledge, unit_idx: int, min_words: int = 6) -> str | None:
    for si in rk.by_unit.get(unit_idx, []):
        sent = rk.sentences[si]
        if len(sent.toks) >= min_words:
            return sent.text
    sis = rk.by_unit.get(unit_idx, [])
    return rk.sentences[sis[0]].text if sis else None


def ask_rapporteur(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, kn=kn)
    all_matches = find_items(kn, q, topic)
    matches = [m for m in all_matches if m.obj.rapporteur]  # type: ignore[attr-defined]
    if not matches:
        # a segment with no rapporteur ("Intervention de M. GILARDI …"): whoever spoke most in it
        segment = [m for m in all_matches if m.score >= 0.8]
        return ask_speakers(kn, q, rks) if segment else None
    best = matches[0]
    ties = [m for m in matches if m.score == best.score and m.score < BY_NUMBER]
    if len(ties) > 1 and len({(m.rk.sid, m.obj.rapporteur) for m in ties}) > 1:  # type: ignore[attr-defined]
        return None  # two reports fit the words equally, with different rapporteurs: do not guess
    item: AgendaItem = best.obj  # type: ignore[assignment]
    rk = best.rk
    record = rk.record
    name = person_name(record, item.rapporteur, item.rapporteur or "")
    key = fold(surname_of(record.person(item.rapporteur).name)) if record.person(item.rapporteur) else ""
    cites = []
    # a sentence of the item's debate that names the rapporteur (the floor being given)
    for i, u in enumerate(rk.units):
        if u.kind != "intervention" or u.item != item.id:
            continue
        if u.person_id != item.rapporteur:
            for si in rk.by_unit.get(i, []):
                sent = rk.sentences[si]
                if key and f" {key} " in f" {' '.join(sent.toks)} ":
                    cites.append(Cite(rk, u, sent.text))
                    break
        if cites:
            break
    for i, u in enumerate(rk.units):
        if u.kind == "intervention" and u.item == item.id and u.person_id == item.rapporteur:
            text = _first_sentence_of(rk, i)
            if text:
                cites.append(Cite(rk, u, text))
            break
    if not cites:
        return None
    answer = f"Le rapport « {item.title} » a été présenté par {name} ({session_label(record)})."
    others = sorted({m.rk.record.session.date for m in matches[1:] if m.score == BY_NUMBER and m.rk is not rk})
    if others:
        answer += " D'autres séances ont un rapport de même numéro : " + ", ".join(map(french_date, others)) + "."
    return Draft(True, answer, "rapporteur", round(min(0.95, 0.6 + 0.35 * best.score), 2), cites[:3])


def ask_wish(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    topic = topic_stems(q, kn=kn)
    group = named_group(kn, q)
    if group is not None:
        topic = topic_stems(q, set(fold(group).split()) | set(GROUP_ALIASES), kn=kn)
    objects = [(rk, w, f"{w.title} {w.outcome} {w.text[:600]}") for rk in kn.parts for w in rk.record.wishes]
    matches = rank_objects(kn, topic, objects, 0.5) if topic else []
    if not matches and group is not None:
        return _wishes_of_group(kn, group)
    if not matches and re.search(r"\bvoeux\b", q) and (not topic or re.search(r"\bsuites?\b|devenir|\bsort\b", q)):
        return _all_wishes(kn)
    if not matches:
        return None
    best = matches[0]
    ties = [m for m in matches if m.score == best.score]
    if len(ties) > 1:  # "le vœu sur les gares" fits two vœux: name them all rather than pick one
        cites = [Cite(m.rk, Unit(m.obj.id, "voeu", m.rk.sid, m.rk.record.session.date, m.obj.group, None, None,
                                 wish_url(m.rk.record, m.obj), m.obj.page, ref=m.obj.id),
                      f"{m.obj.title} — Déposé par le {m.obj.group}") for m in ties[:3]]
        listing = " ; ".join(f"« {m.obj.title} », déposé par le {m.obj.group or 'groupe non précisé'}"
                             + (f" ({', '.join(m.obj.signatories)})" if re.search(r"signataire|\bsigne", q)
                                and m.obj.signatories else "") for m in ties)
        return Draft(True, f"{len(ties)} vœux correspondent : {listing}.", "voeu", round(0.5 + 0.3 * best.score, 2),
                     cites)
    w: Wish = best.obj  # type: ignore[assignment]
    rk = best.rk
    if not w.group and not w.signatories:
        return None
    quote = f"{w.title} — Déposé par le {w.group}" if w.group else w.title
    cites = [Cite(rk, Unit(w.id, "voeu", rk.sid, rk.record.session.date, w.group, None, None, wish_url(rk.record, w),
                           w.page, ref=w.id), quote)]
    # the debate sentence where the vœu is announced
    title_stems = stems_of(w.title)
    for s in best_sentences(kn, [t for t in topic if t in title_stems] or topic, kinds={"intervention"},
                            min_cov=0.6, limit=3):
        if s.rk is rk:
            cites.append(Cite(rk, s.unit, s.sentence.text))
            break
    if w.outcome:
        for i, u in enumerate(rk.units):
            if u.kind != "intervention":
                continue
            hit = next((rk.sentences[si] for si in rk.by_unit.get(i, [])
                        if "voeu" in rk.sentences[si].stems and stems_of(w.outcome) & rk.sentences[si].stems
                        and rk.sentences[si].stems & {stem(w) for w in ("transmettre", "transmis", "adopte", "rejete")}), None)
            if hit is not None:
                cites.append(Cite(rk, u, hit.text))
                break
    who = w.group or ", ".join(w.signatories[:3])
    signed = ""
    if w.signatories:
        more = f" et {len(w.signatories) - 3} autres" if len(w.signatories) > 3 else ""
        signed = f" (signataires : {', '.join(w.signatories[:3])}{more})"
    outcome = f" Suite donnée : {w.outcome}." if w.outcome else ""
    answer = f"Le vœu « {w.title} » a été déposé par le {who}{signed} ({session_label(rk.record)}).{outcome}"
    if re.search(r"signataire|\bsigne", q) and w.signatories and not re.search(r"\bcombien\b", q):
        answer = (f"Signataires du vœu « {w.title} » ({w.group}, {session_label(rk.record)}) : "
                  f"{', '.join(w.signatories)}.")
    if re.search(r"\bcombien\b", q) and re.search(r"sign", q) and w.signatories:
        n = len(w.signatories)
        answer = (f"{n} signataire{'s' if n > 1 else ''} pour le vœu « {w.title} » ({w.group}) : "
                  f"{', '.join(w.signatories)}.")
    return Draft(True, answer, "voeu", round(min(0.95, 0.6 + 0.35 * best.score), 2), cites)


def _all_wishes(kn: Knowledge) -> Draft | None:
    found = [(rk, w) for rk in kn.parts for w in rk.record.wishes]
    if not found:
        return None
    cites = [Cite(rk, Unit(w.id, "voeu", rk.sid, rk.record.session.date, w.group, None, None, wish_url(rk.record, w),
                           w.page, ref=w.id), f"{w.title} — Déposé par le {w.group}") for rk, w in found[:2]]
    rk0 = found[-1][0]
    for i, u in enumerate(rk0.units):  # the sentence that says what becomes of them
        hit = next((rk0.sentences[si] for si in rk0.by_unit.get(i, []) if u.kind == "intervention"
                    and "voeu" in rk0.sentences[si].stems
                    and rk0.sentences[si].stems & {stem(x) for x in ("transmettre", "adopter", "voter")}), None)
        if hit is not None:
            cites.insert(0, Cite(rk0, u, hit.text))
            break
    lines = " ; ".join(f"« {w.title} » ({w.group}{' : ' + w.outcome if w.outcome else ''})" for _, w in found)
    return Draft(True, f"{len(found)} vœu(x) : {lines}.", "voeu", 0.8, cites[:3])


def _wishes_of_group(kn: Knowledge, group: str) -> Draft | None:
    key = fold(group)
    found = [(rk, w) for rk in kn.parts for w in rk.record.wishes if fold(w.group).startswith(key)]
    if not found:
        return None
    cites = [Cite(rk, Unit(w.id, "voeu", rk.sid, rk.record.session.date, w.group, None, None, wish_url(rk.record, w),
                           w.page, ref=w.id), f"{w.title} — Déposé par le {w.group}") for rk, w in found[:3]]
    titles = " ; ".join(f"« {w.title} » ({french_date(rk.record.session.date)})" for rk, w in found)
    return Draft(True, f"Vœux déposés par le {group} : {titles}.", "voeu", 0.85, cites)


# -- who directs / presides a body ---------------------------------------------------

_NAME_RE = re.compile(
    r"(?:(?:M\.|Mme|Monsieur|Madame)\s+)?"
    r"((?:[A-ZÉÈ][a-zéèêëïîôöûüç]+(?:-[A-ZÉÈ][a-zéèêëïîôöûüç]+)?\s+)+"
    r"[A-ZÉÈÊËÏÎÔÇ][A-ZÉÈÊËÏÎÔÇ'’-]+(?:\s+[A-ZÉÈÊËÏÎÔÇ][A-ZÉÈÊËÏÎÔÇ'’-]+)*)"
    r"|(?:M\.|Mme|Monsieur|Madame)\s+([A-ZÉÈÊËÏÎÔÇ][A-ZÉÈÊËÏÎÔÇ'’-]{2,}(?:\s+[A-ZÉÈÊËÏÎÔÇ][A-ZÉÈÊËÏÎÔÇ'’-]+)*)"
)
_DIRECT_RE = r"directeur|directrice|dirigeant|dirigeante|dirige|tete"
_PRESIDE_RE = r"president|presidente|preside|presidence|tete"
_PAST_RE = re.compile(r"\b(ancien|ancienne|anciens|anciennes|ex|precede|precedee|succede|remplace|feu|regrette|"
                      r"regrettee|predecesseur|avait|a ete)\b")


def _org_tokens(text: str) -> list[str]:
    return [t for t in fold(text).split() if t not in STOPWORDS and t not in {"groupement", "gip", "association"}]


def _contains_seq(toks: list[str], seq: list[str]) -> int:
    """Index where `seq` starts in `toks`, or -1."""
    n = len(seq)
    for i in range(len(toks) - n + 1):
        if toks[i:i + n] == seq:
            return i
    return -1


def _acronym_in(toks: list[str], acro: str) -> int:
    """Index of a run of words whose initials spell the acronym ("ars" ← agence regionale sante)."""
    n = len(acro)
    for i in range(len(toks) - n + 1):
        if "".join(t[0] for t in toks[i:i + n]) == acro:
            return i
    return -1


def ask_body_head(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    m = re.search(r"\b(?:qui (?:dirige|preside|pilote|anime)|(?:directeur|directrice|dirigeant|dirigeante|president|"
                  r"presidente|responsable)(?: general| generale)? (?:de|du|des|d)|a la tete (?:de|du|des|d))\s+(.+)$", q)
    if not m:
        return None
    if re.search(r"\b(?:premier|premiere|ancien|ancienne|anciens|precedent|precedente|ex|predecesseur|avant)\b", q):
        return None  # a former holder: the minutes name them in passing, never reliably
    org = _org_tokens(m.group(1))
    if len(kn.parts) < 8:  # "… de L'Arbresle": the council's own name is not part of the body asked about
        council = {w for rk in kn.parts for w in fold(rk.record.session.body).split() if len(w) > 3}
        org = [t for t in org if t not in council] or org
    if not org:
        return None
    wants = _PRESIDE_RE if re.search(r"presid", q) else _DIRECT_RE if re.search(r"dirig|direct", q) else \
        f"{_DIRECT_RE}|{_PRESIDE_RE}"
    role_re = re.compile(rf"\b(?:{wants})\b")
    votes: dict[str, float] = {}
    evidence: dict[str, list[Cite]] = {}
    names: dict[str, str] = {}
    for rk in kn.parts:
        persons_by_key = {fold(surname_of(p.name)): p for p in rk.record.persons}
        role_stems = {stem(w) for w in wants.split("|")}
        candidates_si = sorted({si for st in role_stems for si in rk.postings.get(st, ())})
        for si in candidates_si:
            sent = rk.sentences[si]
            toks = [t for t in sent.toks if t not in STOPWORDS]
            pos = _contains_seq(toks, org)
            phrase = " ".join(org)
            if pos < 0 and len(org) == 1 and 2 <= len(org[0]) <= 6:
                pos = _acronym_in(toks, org[0])
                phrase = " ".join(toks[pos:pos + len(org[0])])
            if pos < 0:
                continue
            folded = " ".join(sent.toks)
            if not role_re.search(folded):
                continue
            unit = rk.units[sent.unit]
            candidates: list[tuple[float, str]] = []
            text = sent.text
            # first person: "je devenais Présidente de X", "en tant que directeur de X"
            if unit.kind == "intervention" and unit.person_id and re.search(
                    rf"\b(?:je (?:suis|devenais|deviens|suis devenue?|reste)|en (?:ma|sa) qualite|en tant qu)\b[^.]{{0,20}}"
                    rf"\b(?:{wants})\b", folded):
                candidates.append((3.0, unit.person_id))
            # the role must be tied to the body: "Directeur de La Coupole", "Présidente du GIP Pas-de-Calais
            # Actif", "X, représenté par son directeur" — not "Vice-président … la FDE" ten words later
            role_pos = []
            for mm in re.finditer(rf"(?i)\b(?:{wants.replace('e', '[eéè]')})", text):
                ahead = " ".join(t for t in fold(text[mm.start():mm.start() + 120]).split() if t not in STOPWORDS)
                behind = fold(text[max(0, mm.start() - 100):mm.start()])
                first_words = " ".join(ahead.split()[:3 + len(phrase.split())])
                if phrase and phrase in first_words:
                    role_pos.append(mm.start())
                elif re.search(r"\b(?:son|sa)\s*$", behind) and phrase in " ".join(
                        t for t in behind.split() if t not in STOPWORDS):
                    role_pos.append(mm.start())
            if not role_pos and not candidates:
                continue
            found_names = []
            for nm in _NAME_RE.finditer(text):
                full = (nm.group(1) or nm.group(2) or "").strip()
                person = persons_by_key.get(fold(surname_of(full)))
                if person is None and not nm.group(1):
                    continue
                found_names.append((nm, full, person))
            for rp in role_pos:
                # "NAME, Role de ORG" wins; else the nearest name, "Role de ORG, NAME" or "Role de ORG NAME"
                options = []
                for nm, full, person in found_names:
                    if nm.end() <= rp:
                        gap_text, before = text[nm.end():rp], True
                    elif nm.start() >= rp:
                        gap_text, before = text[rp:nm.start()], False
                    else:
                        continue
                    if _PAST_RE.search(fold(gap_text)) or len(gap_text) > 90:
                        continue
                    if before:
                        rank = 0 if re.fullmatch(r"\s*[,(]?\s*", gap_text) else len(gap_text)
                    else:
                        tail = gap_text.rsplit(",", 1)[-1] if "," in gap_text else gap_text
                        rank = 1 + len(tail) if "," in gap_text else len(gap_text)
                    options.append((rank, full, person))
                if not options:
                    continue
                rank, full, person = min(options, key=lambda o: o[0])
                weight = 2.0 if rank <= 40 else 1.0
                pid = person.id if person else fold(full).replace(" ", "-")
                names.setdefault(pid, person.name if person else full)
                candidates.append((weight, pid))
            if _PAST_RE.search(folded) and not candidates:
                continue
            # a signature: "Françoise VASSEUR" / "Présidente du GIP Pas-de-Calais Actif"
            if not candidates and si > 0 and rk.sentences[si - 1].unit == sent.unit:
                prev = rk.sentences[si - 1].text
                nm = _NAME_RE.fullmatch(prev.strip(" .,"))
                if nm:
                    full = (nm.group(1) or nm.group(2) or "").strip()
                    person = persons_by_key.get(fold(surname_of(full)))
                    pid = person.id if person else fold(full).replace(" ", "-")
                    names.setdefault(pid, person.name if person else full)
                    candidates.append((2.0, pid))
                    text = f"{prev} — {text}"
            if not candidates:
                continue
            best_w = max(w for w, _ in candidates)
            for w, pid in candidates:
                if w < best_w:
                    continue
                if pid not in names:
                    p = rk.record.person(pid)
                    names[pid] = p.name if p else pid
                votes[pid] = votes.get(pid, 0.0) + w
                evidence.setdefault(pid, []).append(Cite(rk, unit, text))
    # roles the parser read from speaker labels ("Madame ROJON, Directrice générale des services :")
    for rk in kn.parts:
        for p in rk.record.persons:
            for role in p.roles:
                froles = fold(role)
                if not role_re.search(froles) or _contains_seq([t for t in froles.split() if t not in STOPWORDS],
                                                               org) < 0:
                    continue
                sp = next((x for x in rk.record.speeches if x.person_id == p.id and role in x.label), None)
                ui = unit_index(rk, sp.id, "intervention") if sp is not None else None
                if sp is None or ui is None:
                    continue
                first = _first_sentence_of(rk, ui) or ""
                names.setdefault(p.id, p.name)
                votes[p.id] = votes.get(p.id, 0.0) + 2.0
                evidence.setdefault(p.id, []).append(Cite(rk, rk.units[ui], f"{sp.label} {first}".strip()))
    if not votes and re.search(r"\bqui dirige\b", q):  # an assembly is led by its president
        return ask_body_head(kn, re.sub(r"\bqui dirige\b", "qui preside", q), rks)
    if not votes:
        return None
    ranked = sorted(votes, key=lambda pid: votes[pid], reverse=True)
    top = ranked[0]
    if len(ranked) > 1 and votes[ranked[1]] == votes[top]:
        return None  # two people fit equally well: do not guess
    cites = evidence[top][:3]
    what = "direction" if wants == _DIRECT_RE else "présidence" if wants == _PRESIDE_RE else "direction ou présidence"
    answer = f"{names[top]} ({what}, d'après la {session_label(cites[0].rk.record)})."
    conf = min(0.95, 0.5 + 0.1 * votes[top])
    return Draft(True, answer, "direction", round(conf, 2), cites)


# -- who spoke / what did X say / how many / when ------------------------------------

def _in_group(rk: RecordKnowledge, person_id: str | None, group: str | None) -> bool:
    if group is None:
        return True
    p = rk.record.person(person_id)
    return p is not None and fold(p.group).startswith(fold(group))


def ask_speakers(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    group = named_group(kn, q) if re.search(r"\bgroupe\b|\belus?\b|" + "|".join(GROUP_ALIASES), q) else None
    drop = {"fait", "rendu", "qui", "point"}
    if group is not None:
        drop |= set(fold(group).split()) | set(GROUP_ALIASES) | {"elu", "elus"}
    topic = topic_stems(q, drop, kn=kn)
    if not topic:
        return None
    # an agenda segment whose title is the topic: its main speaker (not the chair, unless alone)
    for match in find_items(kn, q, topic, threshold=0.8)[:1]:
        item: AgendaItem = match.obj  # type: ignore[assignment]
        rk = match.rk
        words: dict[str, int] = {}
        first: dict[str, int] = {}
        for i, u in enumerate(rk.units):
            if u.kind == "intervention" and u.item == item.id and u.person_id and _in_group(rk, u.person_id, group):
                n = sum(len(rk.sentences[si].toks) for si in rk.by_unit.get(i, []))
                words[u.person_id] = words.get(u.person_id, 0) + n
                first.setdefault(u.person_id, i)
        president = next((p.id for p in rk.record.persons if fold(p.name) == fold(rk.record.session.president)), None)
        ranked = sorted(words, key=lambda pid: words[pid], reverse=True)
        main = [pid for pid in ranked if pid != president] or ranked
        if main:
            pid = main[0]
            text = _first_sentence_of(rk, first[pid])
            if text:
                name = person_name(rk.record, pid, pid)
                answer = f"{name}, au point « {item.title} » ({session_label(rk.record)})."
                cites = [Cite(rk, rk.units[first[pid]], text)]
                others = main[1:5]
                if others:
                    answer += " Ont aussi pris la parole : " + ", ".join(person_name(rk.record, o, o) for o in others) + "."
                    for o in others[:2]:
                        t2 = _first_sentence_of(rk, first[o])
                        if t2:
                            cites.append(Cite(rk, rk.units[first[o]], t2))
                return Draft(True, answer, "orateurs", round(0.6 + 0.3 * match.score, 2), cites)
    hits = best_sentences(kn, topic, kinds={"intervention"}, min_cov=0.65, limit=60)
    hits = [h for h in hits if (rarest_covered(kn, topic, h.sentence.stems)
            or (len(topic) >= 3 and coverage(kn, topic, h.sentence.stems) >= 0.65))
            and _in_group(h.rk, h.unit.person_id, group)]
    if not hits:
        return None
    per: dict[tuple[str, str], list[Scored]] = {}
    for h in hits:
        per.setdefault(h.unit.person_id or fold(h.unit.speaker), []).append(h)
    ranked = sorted(per.values(), key=lambda hs: (max(h.score for h in hs), len(hs)), reverse=True)
    names = []
    cites = []
    for hs in ranked[:5]:
        h = hs[0]
        names.append(person_name(h.rk.record, h.unit.person_id, h.unit.speaker))
        if len(cites) < 3:
            cites.append(Cite(h.rk, h.unit, h.sentence.text))
    top = ranked[0][0]
    answer = ", ".join(names[:5]) + (f" ({session_label(top.rk.record)})" if len({h[0].rk.sid for h in ranked}) == 1
                                     else "") + "."
    return Draft(True, answer, "orateurs", round(min(0.9, 0.4 + 0.5 * top.score), 2), cites)


def ask_quote(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    named = named_persons(kn, q)
    if not named:
        return None
    rk0, person = named[0]
    drop = set(fold(person.name).split())
    topic = topic_stems(q, drop, kn=kn)
    if not topic:
        return None
    hits = best_sentences(kn, topic, kinds={"intervention"}, person=person.id, min_cov=0.5, limit=3)
    hits = [h for h in hits if rarest_covered(kn, topic, h.sentence.stems) or h.score >= 0.75]
    if not hits:
        return None
    h = hits[0]
    name = person_name(h.rk.record, person.id, person.name)
    answer = f"{name} ({session_label(h.rk.record)}) : « {h.sentence.text} »"
    cites = [Cite(x.rk, x.unit, x.sentence.text) for x in hits]
    return Draft(True, answer, "citation", round(min(0.9, 0.4 + 0.5 * h.score), 2), cites)


def ask_count(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    rk = rks[-1]
    record = rk.record
    # counts the record holds as fields
    if re.search(r"en exercice", q):
        v = next((v for v in record.votes if v.in_office), None)
        value = record.session.in_office or (v.in_office if v else None)
        if value and v is not None:
            c = _deliberation_cites(rk, record.deliberation(v.deliberation), v)[:1] if v.deliberation and \
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
    topic = topic_stems(q, {"part", "quantite", "volume", "niveau"}, kn=kn)
    if not topic:
        return None
    money = bool(re.search(r"montant|cout|budget|somme|euros|financ|enveloppe|prix|tarif|coute", q))
    head = re.search(r"\b(?:montant|total|somme|taux|part|nombre|cout) (?:de la |de l |des |du |de |d )(\w+)", q)
    head_stem = stem(head.group(1)) if head and head.group(1) not in STOPWORDS else None
    m = re.search(r"\bcombien (?:de |d )(?:(?:nouveaux|nouvelles|nouvel|autres|grands|grandes|petits|petites|"
                  r"premiers|premieres|derniers|dernieres) )?(\w+)", q)
    counted = stem(m.group(1)) if m and m.group(1) not in STOPWORDS else None
    percent = bool(re.search(r"pourcentage|taux|pour cent|proportion|part\b", q))
    hits = best_sentences(kn, topic, min_cov=0.5, limit=80, need_number=True, context=True, sentence_min=0.2)
    good = []
    for h in hits:
        text = h.sentence.text
        if not rarest_covered(kn, topic, h.sentence.stems | context_stems(h.rk, h.sentence.unit)):
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
            after = [stem(t) for t in tokens(text[num.end():])[:5]]
            before = [stem(t) for t in tokens(text[:num.start()])[-5:]]
            rate = bool(before) and before[-1] in {"pour", "par"}  # "pour 100 000 habitants" is a rate
            # "les alarmes traitées, évoquées à 91 764": the noun may come first, unless another
            # number already counts it ("100 000 habitants contre 83")
            ahead = tokens(text[:num.start()])[-6:]
            noun_first = any(stem(t) == counted and (i == 0 or not ahead[i - 1].isdigit())
                             for i, t in enumerate(ahead) if i >= len(ahead) - 4) if counted else False
            money_after = bool(re.match(r"\s*(?:M€|k€|€|euros?\b|millions? d|milliards? d)", text[num.end():]))
            if noun_first and money_after:
                noun_first = False  # "une nouvelle inscription à hauteur de 320 000 €" is an amount, not a count
            if counted and (counted in after or noun_first) and not rate:
                near = 0.4
                break
            if any(t in topic for t in after[:3] + before[-3:]):
                near = max(near, 0.15)
        if counted and near < 0.4:
            continue  # "combien d'habitants": a sentence that counts something else is no answer
        if head_stem and head_stem not in h.sentence.stems:
            continue  # "le montant des recettes": a sentence about the expenses is no answer
        own = coverage(kn, topic, h.sentence.stems)
        if near >= 0.4:
            pass  # "32 agents" for "combien d'agents": the counted noun is there
        elif h.score < 0.6 * KIND_WEIGHTS.get(h.unit.kind, 0.8) or own < (0.3 if near else 0.45):
            continue
        good.append(Scored(h.score + near, h.rk, h.si))
    good.sort(key=lambda s: s.score, reverse=True)
    if not good:
        return None
    h = good[0]
    who = person_name(h.rk.record, h.unit.person_id, h.unit.speaker) if h.unit.kind == "intervention" else ""
    source = f"selon {who}" if who else {"rapport": "d'après le rapport", "deliberation": "d'après la délibération",
                                         "vote": "d'après le vote", "voeu": "d'après le vœu"}.get(h.unit.kind,
                                                                                                 "d'après le procès-verbal")
    answer = f"« {h.sentence.text} » ({source}, {session_label(h.rk.record)})"
    cites = [Cite(x.rk, x.unit, x.sentence.text) for x in good[:2]]
    return Draft(True, answer, "nombre", round(min(0.85, 0.3 + 0.5 * h.score), 2), cites)


_CREATION = r"\b(?:cree|creee|crees|creation|fonde|fondee|fondation|construit|construite|ne|nee|lance|lancee|" \
            r"inaugure|inauguree|ouvert|ouverte|mis en place|mise en place)\b"


def ask_date_fact(kn: Knowledge, q: str) -> Draft | None:
    """"Quand X a-t-il été créé ?": a sentence about X that gives a year, not the date of a debate."""
    topic = topic_stems(re.sub(_CREATION, " ", q), kn=kn)
    if not topic:
        return None
    for h in best_sentences(kn, topic, min_cov=0.5, limit=40, context=True, sentence_min=0.3):
        text = h.sentence.text
        if not re.search(r"\b(?:1[89]|20)\d\d\b", text) or not re.search(_CREATION, fold(text)):
            continue
        if not rarest_covered(kn, topic, h.sentence.stems | context_stems(h.rk, h.sentence.unit)):
            continue
        who = person_name(h.rk.record, h.unit.person_id, h.unit.speaker) if h.unit.kind == "intervention" else ""
        source = f"selon {who}, " if who else ""
        return Draft(True, f"« {text} » ({source}{session_label(h.rk.record)})", "date",
                     round(min(0.8, 0.3 + 0.5 * h.score), 2), [Cite(h.rk, h.unit, text)])
    # "Créé en 1995 sous le nom d'Inseraction 62" in a speech about the body asked of
    for rk in kn.parts:
        for ui, unit in enumerate(rk.units):
            if unit.kind not in {"intervention", "voeu"} or coverage(kn, topic, rk.unit_stems[ui]) < 0.9:
                continue
            for si in rk.by_unit.get(ui, []):
                text = rk.sentences[si].text
                if re.search(r"\b(?:1[89]|20)\d\d\b", text) and re.match(r"\s*(?:cree|creee|fonde|fondee|ne|nee)\b",
                                                                       fold(text)):
                    who = person_name(rk.record, unit.person_id, unit.speaker)
                    return Draft(True, f"« {text} » (selon {who}, {session_label(rk.record)})", "date", 0.6,
                                 [Cite(rk, unit, text)])
    return None


_DEBATE = r"parl|debat|evoqu|abord|examin|discut|\bvot|traite|presente|etudie|question"
_DATE_IN_TEXT = re.compile(r"\b\d{1,2}(?:er)?\s+(?:" + "|".join(MONTHS_FR) + r")\s+\d{4}\b|\b\d{1,2}/\d{1,2}/\d{4}\b",
                           re.IGNORECASE)


def ask_dated_fact(kn: Knowledge, q: str) -> Draft | None:
    """"Quand le comité sera-t-il consulté ?": the sentence on that topic that gives a date."""
    topic = topic_stems(q, kn=kn)
    if not topic:
        return None
    for h in best_sentences(kn, topic, min_cov=0.6, limit=20):
        text = h.sentence.text
        if not _DATE_IN_TEXT.search(text) or coverage(kn, topic, h.sentence.stems) < 0.6:
            continue
        if not rarest_covered(kn, topic, h.sentence.stems):
            continue
        who = person_name(h.rk.record, h.unit.person_id, h.unit.speaker) if h.unit.kind == "intervention" else ""
        source = f"selon {who}, " if who else ""
        return Draft(True, f"« {text} » ({source}{session_label(h.rk.record)})", "date",
                     round(min(0.8, 0.3 + 0.5 * h.score), 2), [Cite(h.rk, h.unit, text)])
    return None


def ask_when(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    if re.search(_CREATION, q) and not re.search(_DEBATE, q):
        return ask_date_fact(kn, q)
    if not re.search(_DEBATE, q) and not re.search(r"\bseance\b|\breunion\b", q):
        return ask_dated_fact(kn, q)  # a date the minutes state, not the date of a debate
    topic = topic_stems(q, {"parle", "evoque", "aborde", "examine", "etudie"}, kn=kn)
    if not topic:
        if re.search(r"seance", q):
            rk = rks[-1]
            d = rk.sentences[0] if rk.sentences else None
            if d is None:
                return None
            return Draft(True, f"La séance a eu lieu le {french_date(rk.record.session.date)}.", "date", 0.8,
                         [Cite(rk, rk.units[d.unit], d.text)])
        return None
    items = find_items(kn, q, topic, threshold=0.7)
    if items:
        m = items[0]
        item: AgendaItem = m.obj  # type: ignore[assignment]
        rk = m.rk
        first = next((i for i, u in enumerate(rk.units) if u.item == item.id and u.kind == "intervention"), None)
        if first is not None:
            text = _first_sentence_of(rk, first)
            if text:
                label = f"rapport n°{item.number}" if item.number else "point"
                return Draft(True, f"Le {french_date(rk.record.session.date)}, au {label} « {item.title} ».", "date",
                             round(0.6 + 0.3 * m.score, 2), [Cite(rk, rk.units[first], text)])
    hits = best_sentences(kn, topic, kinds={"intervention", "voeu", "deliberation"}, min_cov=0.7, limit=20)
    hits = [h for h in hits if rarest_covered(kn, topic, h.sentence.stems)]
    if not hits:
        return None
    dates = []
    cites = []
    for h in hits:
        d = h.rk.record.session.date
        item = h.rk.record.item(h.unit.item)
        label = f"{french_date(d)}" + (f" (point « {item.title} »)" if item else "")
        if label not in dates:
            dates.append(label)
            cites.append(Cite(h.rk, h.unit, h.sentence.text))
        if len(cites) >= 3:
            break
    return Draft(True, "Le " + " ; le ".join(dates) + ".", "date", round(min(0.85, 0.3 + 0.5 * hits[0].score), 2),
                 cites)


_ROLE_WORDS = (r"(?:Vice-)?[Pp]r[ée]sident(?:e)?|[Dd]irect(?:eur|rice)(?: général(?:e)?)?|[Mm]aire|[Aa]djoint(?:e)?|"
               r"[Cc]onseill(?:er|ère)|[Rr]apporteu(?:r|se)|[Ss]ecrétaire|[Dd]éputé(?:e)?|[Ss]énat(?:eur|rice)|[Pp]réfet")


def ask_person(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """"Qui est X ?", "À quel groupe appartient X ?": roles and group the minutes give."""
    named = named_persons(kn, q)
    if not named:
        return None
    rk, person = named[0]
    record = rk.record
    name = person_name(record, person.id, person.name)
    if re.search(r"\bgroupe\b", q):
        if not person.group:
            return None
        for w in record.wishes:
            if any(fold(x) == fold(person.name) for x in w.signatories) and fold(w.group) == fold(person.group):
                quote = f"{w.title} — Déposé par le {w.group} — signataires : … {person.name} …"
                cite = Cite(rk, Unit(w.id, "voeu", rk.sid, record.session.date, w.group, None, None, wish_url(record, w),
                                     w.page, ref=w.id), quote)
                return Draft(True, f"{name} siège au {person.group} ({session_label(record)}).", "personne", 0.85,
                             [cite])
        return None
    parts = surname_of(person.name).split("-")
    sur = re.escape(parts[0]) + "".join(f"(?:-{re.escape(x)})?" for x in parts[1:])
    after = re.compile(rf"{sur}\s*(?:,|\()\s*(?:qui est\s+)?(?:(?:maintenant|notre|votre|la|le|l')\s+)*"
                       rf"((?:{_ROLE_WORDS})[^.;)]{{0,90}})")
    before = re.compile(rf"(?:notre|votre|la|le|du|de la)\s+((?:{_ROLE_WORDS})[^.;,]{{0,60}}?),?\s+"
                        rf"(?:(?:M\.|Mme|Monsieur|Madame)\s+)?(?:[A-ZÉ][\w'-]+\s+)?{sur}")
    roles: list[tuple[str, Cite]] = []
    for part in kn.parts:
        for sent in part.sentences:
            if not re.search(sur, sent.text):
                continue
            for rx in (after, before):
                m = rx.search(sent.text)
                if m:
                    role = re.split(r",| et (?=[A-ZÉ])| pour | qui | afin | avec | auquel | auxquels | dont | que ", m.group(1))[0].strip(" ,-–")
                    if role and _PAST_RE.search(fold(role)) is None and role not in [r for r, _ in roles]:
                        roles.append((role, Cite(part, part.units[sent.unit], sent.text)))
    for role in person.roles:
        if not any(fold(role) in fold(r) or fold(r) in fold(role) for r, _ in roles):
            for part in kn.parts:
                hit = next((x for x in part.sentences if re.search(sur, x.text) and fold(role) in fold(x.text)), None)
                if hit is not None:
                    roles.insert(0, (role, Cite(part, part.units[hit.unit], hit.text)))
                    break
    if not roles:
        return None
    roles = roles[:3]
    extra = f" ; {person.group}" if person.group else ""
    answer = f"{name} : " + " ; ".join(r for r, _ in roles) + extra + "."
    return Draft(True, answer, "personne", 0.75, [c for _, c in roles])


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


#: Verbs that make "qui a … ?" a question about who spoke, not about someone the minutes mention.
SPEECH_VERBS = (r"\b(?:parle|evoque|aborde|mentionne|cite|intervenu|intervenue|pris la parole|demande|propose|"
                r"annonce|dit|declare|rendu hommage|fait le point|presente|lu|salue|remercie|interroge|questionne|"
                r"pose|defendu|critique|denonce|souligne|rappele|rappelle|explique|repondu|felicite|insiste|"
                r"exprime|alerte|regrette|plaide|reclame|souhaite|fait un expose|fait une intervention|"
                r"inquiete?|etonne|rejoui|indigne|alarme|insurge|oppose|soutenu|interpelle|invite|appele)\b")

_TITLE_SUBJECT = re.compile(r"^\(?\s*(?:M\.|Monsieur|Mme|Madame)\s+(?:le|la)\s+(?:Pr[ée]sident(?:e)?|Maire)\b")


def ask_mentioned(kn: Knowledge, q: str, rks: list[RecordKnowledge]) -> Draft | None:
    """"Qui a décroché un exploit au Championnat du Monde ?": the one person named in the sentence
    that covers the question (not whoever said it)."""
    m = re.match(r"qui (?:a ete|avait ete|est|etait|sera|a|avait|ont) (\w+)", q)
    verb = {m.group(1)} if m else set()
    topic = topic_stems(q, verb, kn=kn)
    if len(topic) < 2:
        return None
    for h in best_sentences(kn, topic, min_cov=0.7, limit=5):
        if not rarest_covered(kn, topic, h.sentence.stems):
            continue
        text = h.sentence.text
        rk = h.rk
        people = []
        if _TITLE_SUBJECT.match(text) and rk.record.session.president:
            people.append(rk.record.session.president)
        else:
            keys = {fold(surname_of(p.name)): p.name for p in rk.record.persons}
            for nm in _NAME_RE.finditer(text):
                full = (nm.group(1) or nm.group(2) or "").strip()
                name = keys.get(fold(surname_of(full)), full if nm.group(1) else "")
                if name and fold(name) != fold(h.unit.speaker) and name not in people \
                        and f" {fold(surname_of(name))} " not in f" {q} ":  # not the one the question names
                    people.append(name)
        if not people and h.unit.kind == "intervention" and re.search(r"\bje\b|\bj'", text, re.IGNORECASE):
            people.append(h.unit.speaker)  # "Je vais donc remettre … cette trompette": the speaker did it
        if len(people) != 1:
            return None  # nobody or several: do not guess who did it
        return Draft(True, f"{people[0]} (d'après la {session_label(rk.record)}).", "mention",
                     round(min(0.75, 0.2 + 0.5 * h.score), 2), [Cite(rk, h.unit, text)])
    return None
