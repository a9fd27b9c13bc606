"""Shared look-ups and phrasing for question kinds: drafts and citations, dates, topic words,
agenda items, deliberations, persons and groups named in a question, votes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import AgendaItem, Deliberation, Person, Record, Vote
from ..people import fold, surname_of
from .knowledge import Knowledge, RecordKnowledge, Unit, vote_quote
from .text import QUESTION_WORDS, STOPWORDS, looks_like_verb, stem, tokens


MONTHS = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
          "novembre", "decembre"]


MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]


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
    final: bool = False  # not found, and no other kind may answer instead (its text says why)


def french_date(iso: str) -> str:
    """"2025-09-22" → "22 septembre 2025"."""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})$", iso or "")
    if not m:
        return iso or "date inconnue"
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not 1 <= mo <= 12:  # not a date (a question may hold any digits): shown as written
        return iso
    return f"{'1er' if d == 1 else d} {MONTHS_FR[mo - 1]} {y}"


def session_label(record: Record) -> str:
    return f"séance du {french_date(record.session.date)}"


def hhmm(value: str) -> str:
    """"12:45" → "12 h 45"."""
    h, _, m = (value or "").partition(":")
    return f"{int(h)} h {m}" if h.isdigit() else value


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
pourcentage proportion taux signataire signataires signe signee signes annee annees
retenu retenue retenus retenues attribue attribuee attribues attribuees
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
        if kn is not None and (tok in kn.ignore or (tok.isdigit() and len(tok) == 4 and int(tok) in kn.years)):
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
        if not kn.fits_years(rk, text):
            continue
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


def single_best(matches: list[Match], *, within_session: bool = False) -> Match | None:
    """The best match, or None when the next one fits as well (do not guess); a number
    named in the question always decides.  `within_session`: a tie matters only inside one session."""
    if not matches:
        return None
    best = matches[0]
    if (len(matches) > 1 and matches[1].score == best.score and best.score < BY_NUMBER
            and (not within_session or matches[1].rk is best.rk)):
        return None
    return best


def chosen_deliberation(matches: list[Match], *, within_session: bool = False
                        ) -> tuple[Match, Deliberation, Vote | None] | None:
    """The one deliberation the question is about (`single_best`) with its vote, or None."""
    best = single_best(matches, within_session=within_session)
    if best is None:
        return None
    d: Deliberation = best.obj  # type: ignore[assignment]
    return best, d, vote_of(best.rk.record, d)


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
            if not full and _one_person(sur, [found[pid][1].name for pid in pids]):
                # one person spelt several ways across an archive ("M. TANGUY", "Ronan TANGUY"): the fullest name
                full = [max(pids, key=lambda pid: len(found[pid][1].name))]
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


def _one_person(surname: str, names: list[str]) -> bool:
    """Names with this surname whose given names never disagree ("TANGUY", "Ronan TANGUY")."""
    given = {" ".join(t for t in fold(n).split() if t not in surname.split()) for n in names} - {""}
    return len(given) <= 1


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


def vote_phrase(v: Vote) -> str:
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


def vote_of(record: Record, d: Deliberation) -> Vote | None:
    if d.vote is not None:
        return d.vote
    return next((v for v in record.votes if v.deliberation == d.number or (d.item and v.item == d.item)), None)


def deliberation_cites(rk: RecordKnowledge, d: Deliberation, vote: Vote | None) -> list[Cite]:
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
                if re.match(r"(?:M\.|MM\.|Mme|Mmes|Monsieur|Madame|Messieurs|Mesdames)\s", g):
                    continue  # a municipal vote lists persons, not groups
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


def first_sentence_of(rk: RecordKnowledge, unit_idx: int, min_words: int = 6) -> str | None:
    for si in rk.by_unit.get(unit_idx, []):
        sent = rk.sentences[si]
        if len(sent.toks) >= min_words:
            return sent.text
    sis = rk.by_unit.get(unit_idx, [])
    return rk.sentences[sis[0]].text if sis else None


NAME_RE = re.compile(
    r"(?:(?:M\.|Mme|Monsieur|Madame)\s+)?"
    r"((?:[A-ZÉÈ][a-zéèêëïîôöûüç]+(?:-[A-ZÉÈ][a-zéèêëïîôöûüç]+)?\s+)+"
    r"[A-ZÉÈÊËÏÎÔÇ][A-ZÉÈÊËÏÎÔÇ'’-]+(?:\s+[A-ZÉÈÊËÏÎÔÇ][A-ZÉÈÊËÏÎÔÇ'’-]+)*)"
    r"|(?:M\.|Mme|Monsieur|Madame)\s+([A-ZÉÈÊËÏÎÔÇ][A-ZÉÈÊËÏÎÔÇ'’-]{2,}(?:\s+[A-ZÉÈÊËÏÎÔÇ][A-ZÉÈÊËÏÎÔÇ'’-]+)*)"
)


PAST_RE = re.compile(r"\b(ancien|ancienne|anciens|anciennes|ex|precede|precedee|succede|remplace|feu|regrette|"
                      r"regrettee|predecesseur|avait|a ete)\b")


def in_group(rk: RecordKnowledge, person_id: str | None, group: str | None) -> bool:
    if group is None:
        return True
    p = rk.record.person(person_id)
    return p is not None and fold(p.group).startswith(fold(group))


#: Verbs that make "qui a … ?" a question about who spoke, not about someone the minutes mention.
SPEECH_VERBS = (r"\b(?:parle|evoque|aborde|mentionne|cite|intervenu|intervenue|pris la parole|demande|propose|"
                r"annonce|dit|declare|rendu hommage|fait le point|presente|lu|salue|remercie|interroge|questionne|"
                r"pose|defendu|critique|denonce|souligne|rappele|rappelle|explique|repondu|felicite|insiste|"
                r"exprime|alerte|regrette|plaide|reclame|souhaite|fait un expose|fait une intervention|"
                r"inquiete?|etonne|rejoui|indigne|alarme|insurge|oppose|soutenu|interpelle|invite|appele)\b")

