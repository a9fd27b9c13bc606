"""A deterministic multi-session corpus for benchmarks, built from the bundled session.

`generate(n)` yields `n` records derived from the parsed bundled record: dates
spread over the years (about one session a month from 2016), speakers reassigned
among the roster, speeches and reports recombined from the bundled paragraphs
with deterministic variations, deliberations renumbered per year.  Each session
carries about as much text as the bundled file (~2 MB), so n=100 is ~200 MB.

Same `n` and `seed`, same corpus, byte for byte.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import re
from collections.abc import Iterator
from pathlib import Path

from .config import DEFAULT_CORPUS
from .model import Deliberation, Record, Session, Speech, Vote, Wish

BUNDLED = DEFAULT_CORPUS / "pas-de-calais-2025-09-22.txt"
FIRST_DATE = dt.date(2016, 1, 18)
DAYS_BETWEEN = 33

# Deterministic word swaps, so that sessions are not word-for-word copies.
VARIANTS = {
    "budget": ["budget", "budget", "financement"], "collèges": ["collèges", "établissements"],
    "projet": ["projet", "programme", "dispositif"], "important": ["important", "essentiel", "majeur"],
    "Département": ["Département", "Département", "Conseil départemental"],
    "jeunes": ["jeunes", "jeunes", "lycéens", "étudiants"], "routes": ["routes", "voiries"],
    "santé": ["santé", "santé", "soins"], "emploi": ["emploi", "insertion"],
    "solidarité": ["solidarité", "entraide"], "territoire": ["territoire", "canton", "bassin de vie"],
}
EXTRA_TOPICS = ["éolien", "méthanisation", "covoiturage", "canicule", "inondation", "numérique", "vélo",
                "biodiversité", "logement", "ruralité", "handicap", "tourisme", "littoral", "agriculture",
                "téléassistance", "autonomie", "cantine", "transport scolaire", "fibre optique", "patrimoine"]


def bundled_record(path: Path = BUNDLED) -> Record:
    from .parse import parse_file

    return parse_file(path)


def source_paragraphs(path: Path = BUNDLED) -> list[str]:
    """Every paragraph of the bundled source text (including annex tables the record
    does not keep), used to give each generated session the bundled file's volume."""
    text = path.read_text(encoding="utf-8")
    return [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.strip()) > 40]


def _vary(text: str, rng: random.Random) -> str:
    def swap(m: re.Match) -> str:
        return rng.choice(VARIANTS[m.group(0)])

    text = _VARIANT_RE.sub(swap, text)
    return re.sub(r"\b(\d{2,3})\b", lambda m: str(int(m.group(1)) + rng.randint(0, 9)), text)


_VARIANT_RE = re.compile(r"\b(" + "|".join(map(re.escape, VARIANTS)) + r")\b")


def generate(n: int, *, seed: int = 0, base: Record | None = None, paragraphs: list[str] | None = None,
             chars_per_session: int | None = None) -> Iterator[Record]:
    """Yield `n` generated session records (lazily: only one is in memory at a time)."""
    base = base or bundled_record()
    paragraphs = paragraphs if paragraphs is not None else source_paragraphs()
    target = chars_per_session or BUNDLED.stat().st_size
    speech_paras = [p for s in base.speeches for p in s.paragraphs]
    persons = [p for p in base.persons if any(s.person_id == p.id for s in base.speeches)]
    per_year: dict[int, int] = {}
    for i in range(n):
        rng = random.Random(f"{seed}-{i}")
        date = FIRST_DATE + dt.timedelta(days=DAYS_BETWEEN * i)
        sid = f"cd62-{date.isoformat()}"
        yield _session(base, i, sid, date, rng, speech_paras, persons, paragraphs, target, per_year)


def _session(base: Record, i: int, sid: str, date: dt.date, rng: random.Random, speech_paras: list[str],
             persons: list, paragraphs: list[str], target: int, per_year: dict[int, int]) -> Record:
    session = copy.deepcopy(base.session)
    session = Session(**{**session.__dict__, "id": sid, "date": date.isoformat(), "source": f"{sid}.txt",
                         "sha256": f"generated-{sid}"})
    agenda = copy.deepcopy(base.agenda)
    titles = [a.title for a in agenda if a.number is not None]
    rng.shuffle(titles)
    for a in agenda:
        if a.number is not None:
            a.title = titles.pop()
    mapping = {p.id: rng.choice(persons) for p in persons}
    topic = EXTRA_TOPICS[i % len(EXTRA_TOPICS)]
    speeches: list[Speech] = []
    size = 0
    for k, sp in enumerate(base.speeches, start=1):
        who = mapping.get(sp.person_id or "", None)
        paras = sp.paragraphs
        if len(paras) > 2:  # recombine: keep the opening, borrow from elsewhere
            paras = paras[:1] + [rng.choice(speech_paras) for _ in paras[1:]]
        text = _vary("\n\n".join(paras), rng)
        if k % 7 == 0:
            text += f"\n\nJe voudrais aussi dire un mot du dossier {topic} pour notre territoire."
        size += len(text)
        speeches.append(Speech(id=f"{sid}/s{sp.order:03d}", order=sp.order, label=sp.label,
                               speaker=who.name if who else sp.speaker, person_id=who.id if who else sp.person_id,
                               item=sp.item, text=text, page=sp.page, role=sp.role, words=len(text.split())))
    wishes = []
    for k, w in enumerate(base.wishes, start=1):
        text = _vary(w.text, rng)
        size += len(text)
        wishes.append(Wish(id=f"{sid}/v{k}", title=w.title, group=w.group, signatories=list(w.signatories),
                           text=text, page=w.page))
    deliberations: list[Deliberation] = []
    remaining = max(0, target - size)
    share = remaining // max(1, len(base.deliberations))
    for d in base.deliberations:
        per_year[date.year] = per_year.get(date.year, 0) + 1
        number = f"{date.year}-{per_year[date.year]:03d}"
        report = _report(rng, paragraphs, share)
        item = next((a for a in agenda if a.id == d.item), None)
        if item is not None:
            item.deliberation = number
        vote = copy.deepcopy(d.vote) if d.vote else Vote(result="adopté")
        vote.deliberation = number
        deliberations.append(Deliberation(
            number=number, title=item.title if item else d.title, item=d.item, visas=list(d.visas),
            articles=[_vary(a, rng) for a in d.articles], vote=vote, signed_place=d.signed_place,
            signed_date=date.isoformat(), report_title=item.title if item else d.report_title, report=report,
            page=d.page, report_page=d.report_page))
    return Record(session=session, agenda=agenda, speeches=speeches, deliberations=deliberations, wishes=wishes,
                  persons=copy.deepcopy(base.persons), layout="generated")


def _report(rng: random.Random, paragraphs: list[str], size: int) -> str:
    out: list[str] = []
    total = 0
    start = rng.randrange(len(paragraphs))
    k = start
    while total < size:
        p = paragraphs[k % len(paragraphs)]
        if rng.random() < 0.3:
            p = _vary(p, rng)
        out.append(p)
        total += len(p) + 2
        k += rng.randint(1, 3)
    return "\n\n".join(out)


def write_text_session(folder: Path, name: str = "cd62-2031-06-30.txt", path: Path = BUNDLED) -> Path:
    """One more session as a text file (the bundled text with a new date), for incremental-add timing."""
    folder.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8").replace("22 SEPTEMBRE 2025", "30 JUIN 2031")
    out = folder / name
    out.write_text(text + "\n\nSéance générée pour la mesure d'ajout incrémental.\n", encoding="utf-8")
    return out
