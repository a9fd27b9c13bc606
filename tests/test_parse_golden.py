"""Golden-file tests: the parse of the bundled session, pinned.

When a parse changes on purpose, regenerate with
`UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_parse_golden.py` and review
the diff of tests/golden/*.json like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from indexer.parse import parse_file
from indexer.people import fold

from .golden_summary import first_sentence, last_sentence, summary

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "corpus" / "pas-de-calais-2025-09-22.txt"
GOLDEN = ROOT / "tests" / "golden" / "pas-de-calais-2025-09-22.json"


COUNCILS = ROOT.parent / "shared" / "corpus-councils"
# Five documents of the annotated set, one per way of writing minutes, all text files so that the
# golden does not move with PDF text extraction: a table of contents with ordinal and deliberation
# numbers, year/sequence deliberation numbers, reported speech in questions diverses, a single
# unnumbered deliberation, an OCR text with dated numbers and a vote some members do not take part in.
# (The agglomeration and the US city council are pinned by the scorer and tests/test_parse_rules.py.)
OTHER_COUNCILS = {
    "chatillon-sur-seine-2018-04-04": "chatillon-sur-seine/text1.txt",
    "ouzous-2014-11-06": "ouzous/text3.txt",
    "illats-2018-12-13": "illats/text5.txt",
    "eybens-2013-10-24": "eybens/text2.txt",
    "avranches-2018-07-06": "avranches/Proc%C3%A8s-verbal%20du%20conseil%20municipal%20du%206%20juillet%202018.pdf.txt",
}


@pytest.fixture(scope="module")
def record():
    return parse_file(BUNDLED)


def _check_golden(current: dict, golden: Path) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    for key in expected:
        assert current[key] == expected[key], f"parse of {key!r} changed: regenerate and review the diff"


def test_golden_file_matches(record):
    _check_golden(summary(record), GOLDEN)


@pytest.mark.parametrize("name", sorted(OTHER_COUNCILS))
def test_other_councils_golden(name, monkeypatch):
    monkeypatch.setenv("MINUTES_OCR", "0")  # the parse is pinned, not tesseract's reading of scanned pages
    source = COUNCILS / OTHER_COUNCILS[name]
    if not source.exists():
        pytest.skip(f"{source} absent")
    current = summary(parse_file(source))
    current["session"]["id"] = name  # the file names of the set are not the councils' names
    _check_golden(current, ROOT / "tests" / "golden" / f"{name}.json")


def test_session(record):
    s = record.session
    assert s.body == "Conseil départemental du Pas-de-Calais"
    assert s.date == "2025-09-22"
    assert (s.start, s.suspension, s.resumption, s.end) == ("10:03", "12:45", "14:39", "15:26")
    assert s.president == "Jean-Claude LEROY"
    assert s.secretary == "Alexandre MALFAIT"
    assert len(s.proxies) == 7
    assert len(s.excused) == 7
    assert "Mireille HINGREZ-CÉRÉDA" in s.present
    lemaire = next(p for p in s.proxies if p.giver == "François LEMAIRE")
    assert lemaire.holder == "André KUCHCINSKI"
    chochois = next(p for p in s.proxies if p.giver == "Sébastien CHOCHOIS")
    assert chochois.holder == "Mireille HINGREZ-CÉRÉDA"  # written "HINGREZ CEREDA" in the text
    assert any(m.person == "Emmanuelle LAPOUILLE" and m.kind == "arrivée" for m in s.movements)
    assert any(m.person == "Karine GAUTHIER" and m.kind == "départ" for m in s.movements)


def test_agenda(record):
    numbered = [a for a in record.agenda if a.number is not None]
    assert [a.number for a in numbered] == list(range(1, 13))
    assert numbered[0].title == "Partenariat éducatif avec les collèges publics du Pas-de-Calais"
    assert numbered[1].title == "Budget supplémentaire de l'exercice 2025 - Affectation du résultat"
    segments = [fold(a.title) for a in record.agenda if a.number is None]
    for expected in ("ouverture", "hommage", "rentree scolaire", "gilardi", "voeux"):
        assert any(expected in title for title in segments), expected


def test_speeches(record):
    speeches = record.speeches
    assert len(speeches) == 90
    assert len({fold(sp.speaker) for sp in speeches}) == 26
    president = [sp for sp in speeches if sp.label in ("M. LE PRESIDENT.-", "M. LE PRÉSIDENT.-")]
    assert len(president) == 47 and {sp.person_id for sp in president} == {"jean-claude-leroy"}
    hingrez = [sp for sp in speeches if sp.label == "MME HINGREZ-CEREDA.-"]
    assert {sp.speaker for sp in hingrez} == {"Mireille HINGREZ-CÉRÉDA"}
    gilardi = next(p for p in record.persons if p.id == "hugo-gilardi")
    assert gilardi.guest and gilardi.roles == ["Directeur général de l'Agence régionale de santé"]
    assert [sp.order for sp in speeches] == sorted(sp.order for sp in speeches)
    tellier = [sp for sp in speeches if sp.person_id == "jean-marc-tellier"]
    assert len(tellier) == 3 and all(sp.item == "rapport-2" for sp in tellier)


def test_chosen_speeches_exact_text(record):
    by_label = {}
    for sp in record.speeches:
        by_label.setdefault(sp.label, []).append(sp)
    pajot = by_label["M. PAJOT.-"][1]
    assert first_sentence(pajot.text) == "Merci, Monsieur le Président."
    assert last_sentence(pajot.text) == "Je vous remercie."
    assert "nous nous abstenons sur ce rapport" in pajot.text
    cauwet = by_label["MME CAUWET.-"][0]
    assert cauwet.text == "7,03 €."
    warot = by_label["MME WAROT-LEMAIRE.-"][0]
    assert warot.text.startswith("Monsieur le Président, mes chers collègues,")
    assert last_sentence(warot.text) == "Je vous remercie pour votre attention."
    assert "Projection de photos" not in warot.text  # a stage direction, kept apart


def test_stage_directions_kept_apart(record):
    texts = [d.text for d in record.stage_directions]
    assert "Mme GAUTHIER quitte l'hémicycle." in texts
    assert "Projection de photos." in texts
    assert "(rires)" in texts
    assert any(t.startswith("Applaudissements") for t in texts)
    assert not any("(rires)" in sp.text for sp in record.speeches)


def test_budget_vote(record):
    vote = record.deliberation("2025-361").vote
    assert (vote.for_, vote.against, vote.abstention) == (54, 0, 24)
    assert vote.abstention_groups == ["Groupe Union pour le Pas-de-Calais", "Groupe Rassemblement National"]
    assert (vote.present, vote.proxies, vote.result) == (71, 7, "adopté")


def test_every_vote(record):
    assert len(record.votes) == 24  # 12 in the debate, 12 in the deliberations
    debate = [v for v in record.votes if v is not None][:12]
    assert all(v.result == "adopté" for v in record.votes)
    expected_for = [76, 54, 78, 78, 78, 78, 78, 78, 78, 78, 78, 76]
    assert [v.for_ for v in debate] == expected_for
    assert [d.vote.for_ for d in record.deliberations] == expected_for


def test_deliberations(record):
    numbers = [d.number for d in record.deliberations]
    assert numbers == [f"2025-{n}" for n in range(360, 372)]
    for k, d in enumerate(record.deliberations, start=1):
        assert d.item == f"rapport-{k}"
        assert d.visas and d.articles and d.vote is not None
        assert d.signed_place == "Arras" and d.signed_date == "2025-09-22"
        assert d.receipt_id.startswith("062-226200012-20250922-")
        assert d.report, d.number
    d361 = record.deliberation("2025-361")
    assert d361.published == "2025-10-08"
    assert d361.title == "Budget supplémentaire de l'exercice 2025 - Affectation du résultat"
    assert any(s.endswith("/s036") for s in d361.speeches)


def test_wishes(record):
    assert len(record.wishes) == 5
    groups = [w.group for w in record.wishes]
    assert groups == ["Groupe Socialiste, Républicain et Citoyen"] * 2 + ["Groupe Communiste et Républicain"] * 2 + [
        "Groupe Rassemblement National"]
    mercosur = record.wishes[-1]
    assert "Mercosur" in mercosur.title and mercosur.signatories == ["Ludovic PAJOT"]
    assert record.wishes[2].signatories[0] == "Jean-Marc TELLIER"
    assert "Eurostar" in record.wishes[1].text


def test_persons(record):
    hingrez = next(p for p in record.persons if p.id == "mireille-hingrez-cereda")
    assert hingrez.name == "Mireille HINGREZ-CÉRÉDA"
    assert "MME HINGREZ-CEREDA.-" in hingrez.labels
    assert hingrez.group == "Groupe Socialiste, Républicain et Citoyen"
    leroy = next(p for p in record.persons if p.id == "jean-claude-leroy")
    assert {"M. LE PRESIDENT.-", "M. LE PRÉSIDENT.-"} <= set(leroy.labels)
    cousein = next(p for p in record.persons if p.id == "bruno-cousein")
    assert cousein.group == "Groupe Union pour le Pas-de-Calais"


def test_json_contract(record):
    data = json.loads(record.to_json())
    for key in ("date", "start", "end", "president", "secretary", "present", "excused", "proxies"):
        assert key in data["session"]
    assert {"id", "number", "title"} <= set(data["agenda"][0])
    assert {"id", "label", "speaker", "person_id", "item", "text", "page"} <= set(data["speeches"][0])
    assert {"for", "against", "abstention", "result"} <= set(data["deliberations"][0]["vote"])
    assert {"title", "group", "signatories"} <= set(data["wishes"][0])
    assert {"id", "name", "group", "labels"} <= set(data["persons"][0])
    assert data["warnings"] == []
