"""The web app on a small archive (four Pierrefonds sessions, 2015–2024): what a user of many
sessions sees — every decision of every year, one person across spellings, exports and feeds."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from . import archive

pytestmark = pytest.mark.skipif(not archive.available(), reason="../shared/corpus-multi/pierrefonds absent")

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def client():
    from webapp import create_app

    return create_app({"MINUTES_HOME": str(archive.archive_home()), "TESTING": True}).test_client()


def test_decisions_of_every_year_including_votes_without_a_number(client) -> None:
    data = client.get("/deliberations.json").get_json()
    years = {y["value"]: y["count"] for y in data["options"]["years"]}
    assert set(years) == {"2015", "2017", "2020", "2024"} and all(years.values())
    old = client.get("/deliberations.json?annee=2015").get_json()
    assert old["total"] == years["2015"] and old["numbered"] == 0
    first = old["deliberations"][0]
    assert first["number"] == "" and first["result"] == "adopté"  # no made-up number shown
    page = client.get(first["url"]).get_data(as_text=True)
    assert "Décision du 14 décembre 2015" in page and "Délibération n°" not in page
    numbered = client.get("/deliberations.json?annee=2024").get_json()
    assert numbered["numbered"] > 0 and all(d["number"].startswith("D2024") for d in numbered["deliberations"])
    # filters: words (all of them, accents ignored), result, session
    words = client.get("/deliberations.json?texte=subvention+armistice").get_json()
    assert words["total"] >= 2 and all("armistice" in d["title"].lower() for d in words["deliberations"])
    assert {d["date"][:4] for d in words["deliberations"]} >= {"2015", "2024"}
    by_session = client.get(f"/deliberations.json?seance={old['deliberations'][0]['session']}").get_json()
    assert by_session["total"] == old["total"]
    assert client.get("/deliberations.json?resultat=rejeté").get_json()["total"] == 0


def test_a_decision_links_the_same_subject_in_other_years(client) -> None:
    hit = client.get("/deliberations.json?texte=armistice&annee=2024").get_json()["deliberations"][0]
    data = client.get(hit["url"] + ".json").get_json()
    related_years = {r["date"][:4] for r in data["related"]}
    assert "2015" in related_years, data["related"]
    html = client.get(hit["url"]).get_data(as_text=True)
    assert "Le même sujet, au fil des séances" in html


def test_a_vote_without_groups_is_not_a_vote_by_group(client) -> None:
    url = client.get("/deliberations.json?annee=2015").get_json()["deliberations"][1]["url"]
    html = client.get(url).get_data(as_text=True)
    assert "Vote par groupe" not in html and "Groupes ou élus" not in html


def test_one_person_across_spellings_with_a_redirect_from_the_others(client) -> None:
    persons = client.get("/elus.json").get_json()["persons"]
    names = [p["name"] for p in persons]
    for bad in ("M ichel LEBLANC", "R onan TANGUY", "RIBERO", "Marie-Alice DEBUIS SER"):
        assert bad not in names
    assert names.count("Michel LEBLANC") == 1
    duteil = [p for p in persons if "DUTEIL" in p["name"]]
    assert len(duteil) == 1
    # « RIBERO » (a surname alone, 2020) is Romain RIBEIRO: its old id redirects to his page
    r = client.get("/elus/ribero")
    assert r.status_code == 301 and r.headers["Location"].endswith("/elus/romain-ribeiro")
    assert client.get("/elus/ribero.json").headers["Location"].endswith("/elus/romain-ribeiro.json")
    ribeiro = client.get("/elus/romain-ribeiro.json").get_json()
    assert "ribero" in ribeiro["person"]["ids"] and "RIBERO" in ribeiro["person"]["evidence"][0]
    tanguy = client.get("/elus/ronan-tanguy.json").get_json()
    assert tanguy["totals"]["sessions"] == 4 and tanguy["totals"]["first"] == "2015-12-14"
    html = client.get("/elus/ronan-tanguy").get_data(as_text=True)
    assert "Ses séances" in html and "14 décembre 2015" in html and "10 décembre 2024" in html


def test_scdl_csv_has_the_schema_columns_and_nothing_guessed(client) -> None:
    r = client.get("/deliberations.scdl.csv")
    assert r.status_code == 200 and r.content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True)), delimiter=";"))
    assert rows[0] == ["COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM",
                       "DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE", "VOTE_EFFECTIF",
                       "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION", "DELIB_URL"]
    body = rows[1:]
    assert len(body) == client.get("/deliberations.json").get_json()["total"]
    old = [row for row in body if row[3].startswith("2015")]
    assert old and all(row[2] == "" for row in old)  # no number in the minutes: DELIB_ID empty
    assert all(row[1] == "" and row[4] == "" and row[5] == "" for row in body)  # never stated: never guessed
    # counts only where the minutes give them: unanimity alone gives no invented VOTE_POUR
    export = {d["url"]: d["vote"] for d in client.get("/deliberations/export").get_json()["deliberations"]}
    for row in body:
        vote = export[row[16]]
        assert row[13] == ("" if vote is None or vote["for"] is None else str(vote["for"]))
    assert any(row[13] == "" for row in old) and any(export[row[16]] and export[row[16]]["unanimous"] for row in old)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[3]) and row[16].startswith("http") for row in body)
    assert "deliberations.scdl.csv" in client.get("/deliberations").get_data(as_text=True)


def test_atom_feeds_for_decisions_a_person_and_a_search(client) -> None:
    for url in ("/deliberations/flux.atom?annee=2024", "/elus/ronan-tanguy/flux.atom", "/flux/recherche.atom?q=subvention"):
        r = client.get(url)
        assert r.status_code == 200 and r.content_type.startswith("application/atom+xml"), url
        feed = ET.fromstring(r.get_data())
        entries = feed.findall(f"{ATOM}entry")
        assert entries, url
        for e in entries:
            assert e.find(f"{ATOM}title").text and e.find(f"{ATOM}id").text
            assert e.find(f"{ATOM}link").get("href").startswith("http")
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", e.find(f"{ATOM}updated").text)
    dates = [e.find(f"{ATOM}updated").text for e in
             ET.fromstring(client.get("/elus/ronan-tanguy/flux.atom").get_data()).findall(f"{ATOM}entry")]
    assert dates == sorted(dates, reverse=True)


def test_json_export_of_decisions_carries_text_and_vote(client) -> None:
    data = client.get("/deliberations/export?annee=2024").get_json()
    assert data["total"] > 0
    d = data["deliberations"][0]
    assert d["vote"] is not None and "result" in d["vote"] and d["url"].startswith("http")


def test_home_examples_come_from_the_indexed_sessions(client) -> None:
    examples = client.get("/index.json").get_json()["examples"]
    assert examples["search"] and "Mercosur" not in examples["search"] and "2025-361" not in examples["search"]
    for q in examples["search"]:
        assert client.get("/recherche.json", query_string={"q": q}).get_json()["total"] > 0, q


def test_french_plurals_on_every_page(client) -> None:
    sessions = client.get("/seances.json").get_json()
    urls = ["/", "/deliberations", "/elus", "/chronologie", "/recherche?q=subvention", "/elus/ronan-tanguy"]
    urls += [s["url"] for y in sessions["years"] for s in y["sessions"]]
    for url in urls:
        html = client.get(url).get_data(as_text=True)
        text = re.sub(r"<[^>]+>", " ", html)
        bad = re.findall(r"(?<![\d,.])\b[01]\s+(?:autres|excusés|présents|procurations|mots|passages|"
                         r"interventions|séances|pages|délibérations|décisions)\b", text)
        assert not bad, (url, bad)


def test_session_page_folds_its_debates(client) -> None:
    html = client.get(f"/seances/{client.get('/seances.json').get_json()['years'][0]['sessions'][0]['id']}")
    body = html.get_data(as_text=True)
    assert body.count('<details class="debate-fold">') >= 1


def test_citation_of_a_speech(client) -> None:
    session = client.get("/seances.json").get_json()["years"][0]["sessions"][0]["id"]
    record = client.get(f"/seances/{session}.json").get_json()
    speech = next(e for item in record["agenda"] for e in item["entries"] if e["type"] == "speech" and e["page"])
    html = client.get(speech["cite_url"]).get_data(as_text=True)
    assert f"p. {speech['page']}" in html and "@misc{" in html
    csl = client.get(speech["cite_url"].replace("/citer", "/citation.csl")).get_json(force=True)
    assert csl[0]["type"] == "speech" and csl[0]["page"] == str(speech["page"]) and csl[0]["URL"].endswith(speech["anchor"])
    bib = client.get(speech["cite_url"].replace("/citer", "/citation.bib")).get_data(as_text=True)
    assert bib.startswith("@misc{") and f"pages = {{{speech['page']}}}" in bib


def test_accessibility_statement_linked_from_every_page(client) -> None:
    r = client.get("/accessibilite")
    assert r.status_code == 200 and "RGAA 4.1" in r.get_data(as_text=True)
    for url in ("/", "/deliberations", "/elus/ronan-tanguy", "/chronologie"):
        assert 'href="/accessibilite"' in client.get(url).get_data(as_text=True), url


def test_a_vote_naming_councillors_lists_them_without_calling_them_groups(client) -> None:
    hit = client.get("/deliberations.json?texte=gratuite+bibliotheque").get_json()["deliberations"][0]
    html = client.get(hit["url"]).get_data(as_text=True)
    assert "Vote par groupe" not in html
    assert re.search(r'<th scope="col">Élus</th>', html) and "Mme DEFOSSEZ" in html



def test_source_pdf_pages_are_served_from_the_indexed_file_only(client) -> None:
    sessions = [s for y in client.get("/seances.json").get_json()["years"] for s in y["sessions"]]
    sid = next(s["id"] for s in sessions if s["date"] == "2024-12-10")
    record = client.get(f"/seances/{sid}.json").get_json()
    assert record["session"]["source_url"] == f"/sources/{sid}.pdf"
    speech = next(e for item in record["agenda"] for e in item["entries"] if e["type"] == "speech" and e["page"])
    assert speech["source_url"] == f"/sources/{sid}.pdf#page={speech['page']}"
    html = client.get(f"/seances/{sid}").get_data(as_text=True)
    assert f'href="/sources/{sid}.pdf#page={speech["page"]}">p. {speech["page"]}</a>' in html
    r = client.get(f"/sources/{sid}.pdf")
    assert r.status_code == 200 and r.content_type == "application/pdf"
    assert r.get_data() == (archive.PIERREFONDS / "20241210-PV.pdf").read_bytes()
    # decisions and search hits link their page too
    delib = client.get(f"/deliberations.json?seance={sid}").get_json()["deliberations"][0]
    assert client.get(delib["url"] + ".json").get_json()["deliberation"]["source_url"].startswith(f"/sources/{sid}.pdf#page=")
    assert f"/sources/{sid}.pdf#page=" in client.get("/recherche?q=subvention").get_data(as_text=True)
    # no request path reaches the disk: only indexed session ids
    for bad in ("..%2F..%2Fetc%2Fpasswd", "inconnue", "%2e%2e"):
        assert client.get(f"/sources/{bad}.pdf").status_code == 404


def test_search_hits_have_real_titles_and_long_facet_values_are_shortened(client) -> None:
    html = client.get("/recherche?q=subvention").get_data(as_text=True)
    titles = [unescape(re.sub(r"<[^>]+>", "", t)).strip()
              for t in re.findall(r'<h3 class="hit-title">(.*?)</h3>', html, re.S)]
    assert titles
    for t in titles:  # the decision or item, never the file name or a made-up key
        assert not re.search(r"compte-rendu|\.pdf|-pv\b", t, re.I), t
    assert "délibération compte-rendu" not in html
    labels = re.findall(r'class="facet-value[^"]*"[^>]*title="([^"]+)"[^>]*>.*?<span class="facet-label">([^<]+)</span>',
                        html, re.S)
    assert labels, "a long agenda title should be shortened with its full text on hover"
    for full, short in labels:
        assert short.endswith("…") and len(short) <= 50 and unescape(full).startswith(unescape(short)[:20])
    assert '<details class="facet"' in html  # folded without any script
