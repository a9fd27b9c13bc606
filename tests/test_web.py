"""The web app through Flask's test client, on a real index of the bundled session."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import pytest

from webapp import create_app
from webapp.store import Unavailable, library
from webapp.views.search import csv_cell

SESSION = "pas-de-calais-2025-09-22"
XSS = "<script>alert(1)</script>"

MAIN_PAGES = [
    "/", "/recherche?q=budget", f"/seances/{SESSION}", "/seances", "/chronologie", "/chronologie?q=Mercosur",
    "/elus", "/elus/jean-marc-tellier", "/deliberations", "/deliberations/2025-361", "/voeux",
    f"/voeux/{SESSION}/1", "/question?q=Le+budget+suppl%C3%A9mentaire+a-t-il+%C3%A9t%C3%A9+adopt%C3%A9+%3F", "/accessibilite",
]


@pytest.fixture(scope="module")
def client(search_home: Path):
    app = create_app({"MINUTES_HOME": str(search_home), "TESTING": True})
    return app.test_client()


def twin(url: str) -> str:
    path, _, query = url.partition("?")
    path = "/index.json" if path == "/" else path + ".json"
    return path + ("?" + query if query else "")


# -- every page, its JSON twin, headers -------------------------------------------------

@pytest.mark.parametrize("url", MAIN_PAGES)
def test_page_and_json_twin(client, url: str) -> None:
    html = client.get(url)
    assert html.status_code == 200, url
    assert html.content_type.startswith("text/html")
    body = html.get_data(as_text=True)
    assert '<html lang="fr">' in body and 'href="#contenu"' in body and "<main" in body
    data = client.get(twin(url))
    assert data.status_code == 200 and data.content_type == "application/json"
    assert isinstance(data.get_json(), dict) and data.get_json()["page"]
    by_accept = client.get(url, headers={"Accept": "application/json"})
    assert by_accept.content_type == "application/json"
    assert by_accept.get_json() == data.get_json()
    assert f'href="{twin(url).split("?")[0]}' in body  # the page links its twin


@pytest.mark.parametrize("url", MAIN_PAGES)
def test_security_headers_and_no_inline_code(client, url: str) -> None:
    r = client.get(url)
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'self'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]
    body = r.get_data(as_text=True)
    assert "<script" not in body  # pages work without JavaScript and nothing inline would run under the CSP
    assert not re.search(r"\sstyle=", body) and " on" + "click=" not in body
    assert "http://" not in body.replace("http://www.w3.org", "") and "https://" not in body  # no CDN


def test_browsers_get_html_and_json_clients_get_json(client) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/elus", headers={"Accept": browser}).content_type.startswith("text/html")
    assert client.get("/elus", headers={"Accept": "*/*"}).content_type.startswith("text/html")
    assert client.get("/elus", headers={"Accept": "application/json"}).content_type == "application/json"


# -- escaping ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/recherche?q={}", "/recherche.json?q={}", "/question?q={}", "/chronologie?q={}",
                                 "/deliberations?texte={}", "/recherche?q=budget&orateur={}"])
def test_user_input_is_escaped(client, url: str) -> None:
    r = client.get(url.format(XSS))
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<script>alert(1)" not in body
    if url.startswith("/recherche.json"):
        assert r.get_json()["query"] == XSS  # the same value, written with \u escapes
    else:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_snippets_keep_marks_but_escape_the_document(client) -> None:
    body = client.get("/recherche?q=budget").get_data(as_text=True)
    assert "<mark>" in body.lower()
    assert "<script" not in body


# -- errors and static files ---------------------------------------------------------------

@pytest.mark.parametrize("url", ["/nulle-part", "/seances/inconnue", "/elus/personne-inconnue", "/deliberations/1999-1",
                                 f"/voeux/{SESSION}/99"])
def test_not_found_in_french(client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    body = unescape(r.get_data(as_text=True))
    assert "Page introuvable" in body and "n'existe pas" in body
    j = client.get(url + ".json")
    assert j.status_code == 404 and j.get_json()["title"] == "Page introuvable"


@pytest.mark.parametrize("url", ["/static/../indexer/cli.py", "/static/%2e%2e/indexer/cli.py",
                                 "/static/..%2fpyproject.toml", "/static/css/../../store.py",
                                 "/static//etc/passwd", "/static/%2fetc%2fpasswd"])
def test_no_path_traversal_in_static(client, url: str) -> None:
    r = client.get(url, follow_redirects=True)
    assert r.status_code == 404
    body = r.get_data(as_text=True)
    assert "import" not in body and "root:" not in body


def test_static_css_is_served(client) -> None:
    r = client.get("/static/css/site.css")
    assert r.status_code == 200 and "text/css" in r.content_type
    assert ":focus-visible" in r.get_data(as_text=True)


# -- search -----------------------------------------------------------------------------

def test_search_facets_chips_and_permalinks(client) -> None:
    data = client.get("/recherche.json?q=budget").get_json()
    assert data["total"] > 20
    params = [f["param"] for f in data["facets"]]
    assert params == ["orateur", "groupe", "point", "seance", "type", "annee"]
    hit = data["hits"][0]
    assert hit["permalink"].startswith("/") and "<mark>" in hit["snippet"].lower()
    speakers = next(f for f in data["facets"] if f["param"] == "orateur")["values"]
    pajot = next(v for v in speakers if "PAJOT" in v["value"])
    narrowed = client.get(twin(pajot["href"])).get_json()
    assert narrowed["total"] == pajot["count"] < data["total"]
    assert all("PAJOT" in h["speaker"] for h in narrowed["hits"])
    assert [c["value"] for c in narrowed["chips"]] == [pajot["value"]]
    back = client.get(twin(narrowed["chips"][0]["remove"])).get_json()
    assert back["total"] == data["total"] and back["chips"] == []


@pytest.mark.parametrize("kind", ["intervention", "deliberation", "voeu", "rapport"])
def test_every_kind_of_hit_links_to_a_page_that_exists(client, kind: str) -> None:
    hits = client.get(f"/recherche.json?q=departement&type={kind}").get_json()["hits"]
    assert hits
    for hit in hits[:5]:
        page = client.get(hit["permalink"].split("#")[0])
        assert page.status_code == 200, hit["permalink"]


def test_search_multi_select_within_a_facet_is_an_or(client) -> None:
    one = client.get("/recherche.json?q=budget&type=intervention").get_json()["total"]
    other = client.get("/recherche.json?q=budget&type=deliberation").get_json()["total"]
    both = client.get("/recherche.json?q=budget&type=intervention&type=deliberation").get_json()
    assert one and other and both["total"] == one + other
    html = client.get("/recherche?q=budget&type=intervention&type=deliberation").get_data(as_text=True)
    assert html.count('class="chip"') == 2


def test_search_sort_pagination_and_suggestion(client) -> None:
    by_date = client.get("/recherche.json?q=budget&tri=date").get_json()
    assert by_date["sort"] == "date"
    first = client.get("/recherche.json?q=budget").get_json()
    assert first["pagination"]["pages"] > 1 and first["pagination"]["next"]
    second = client.get(twin(first["pagination"]["next"])).get_json()
    assert second["pagination"]["page"] == 2
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    typo = client.get("/recherche?q=teleassistence").get_data(as_text=True)
    assert "Vouliez-vous dire" in typo and "téléassistance" in typo


def test_search_chart_has_a_text_alternative(client) -> None:
    body = client.get("/recherche?q=budget").get_data(as_text=True)
    assert '<svg' in body and 'aria-labelledby="graphique-resultats-titre"' in body and "Données du graphique" in body


def test_csv_export_has_every_hit_and_no_formulas(client) -> None:
    total = client.get("/recherche.json?q=budget").get_json()["total"]
    r = client.get("/recherche.csv?q=budget")
    assert r.status_code == 200 and r.content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "date", "session"]
    assert len(rows) - 1 == total
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    exported = client.get("/recherche/export.json?q=budget").get_json()
    assert exported["total"] == total and len(exported["hits"]) == total


@pytest.mark.parametrize("value,expected", [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+33", "'+33"),
                                            ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("budget", "budget"),
                                            (None, ""), (12, "12")])
def test_csv_cells_cannot_be_formulas(value, expected) -> None:
    assert csv_cell(value) == expected


def test_exports_give_whole_speeches_and_the_vote(client) -> None:
    """A researcher exporting a search gets each speech whole (not its 240-character snippet)
    and, for a deliberation, its vote in a column of its own."""
    from indexer.index import load_record, units_of

    record = load_record(SESSION, client.application.config["MINUTES_HOME"])
    texts = {u.id: u.text for u in units_of(record)}
    r = client.get("/recherche.csv?q=budget")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    long_ones = [row for row in rows if len(texts.get(row["id"], "")) > 1000]
    assert long_ones, "the bundled session has long speeches about the budget"
    for row in long_ones:
        assert row["text"].lstrip("'") == texts[row["id"]]
    votes = [row["vote"] for row in rows if row["kind"] == "deliberation"]
    assert votes and all(v.strip() for v in votes)
    hits = client.get("/recherche/export.json?q=budget").get_json()["hits"]
    assert {h["id"]: h["text"] for h in hits}[long_ones[0]["id"]] == texts[long_ones[0]["id"]]


# -- session page -----------------------------------------------------------------------

def test_session_page_facts_and_timeline(client) -> None:
    data = client.get(f"/seances/{SESSION}.json").get_json()
    s = data["session"]
    assert (s["start"], s["suspension"], s["resumption"], s["end"]) == ("10:03", "12:45", "14:39", "15:26")
    assert s["president"]["name"] == "Jean-Claude LEROY" and s["secretary"]["name"] == "Alexandre MALFAIT"
    assert len(s["proxies"]) == 7
    items = data["timeline"]["items"]
    assert [i["number"] for i in items if i["number"] is not None] == list(range(1, 13))
    budget = next(i for i in items if i["number"] == 2)
    assert budget["vote"]["label"] == "adopté — 54 pour, 24 abstentions"
    assert any(sp["name"] == "Jean-Marc TELLIER" for sp in budget["speakers"])
    assert abs(sum(sp["share"] for sp in budget["speakers"]) - 1) < 0.01
    html = client.get(f"/seances/{SESSION}").get_data(as_text=True)
    assert len(re.findall(r'<g class="tl-item numbered" data-number="\d+"', html)) == 12
    assert "<table class=\"timeline-table\">" in html  # the table alternative


def test_session_debate_anchors_directions_votes(client) -> None:
    html = client.get(f"/seances/{SESSION}").get_data(as_text=True)
    ids = re.findall(r'<article class="speech[^"]*" id="(s\d{3})"', html)
    assert len(ids) == len(set(ids)) >= 85
    assert 'id="s038"' in html
    assert 'class="stage-direction"' in html and "Applaudissements" in html
    assert html.count('<table class="vote">') >= 12
    assert 'href="/deliberations/2025-361"' in html
    assert 'href="/elus/jean-marc-tellier"' in html


# -- person, deliberation, vœux, question, timeline -------------------------------------

def test_person_page_of_tellier(client) -> None:
    data = client.get("/elus/jean-marc-tellier.json").get_json()
    assert data["person"]["name"] == "Jean-Marc TELLIER"
    assert data["totals"]["speeches"] == 3
    speeches = [sp for s in data["sessions"] for i in s["items"] for sp in i["speeches"]]
    assert len(speeches) == 3 and all(sp["url"].startswith(f"/seances/{SESSION}#s") for sp in speeches)
    words = [w["word"] for w in data["distinctive"]]
    assert words and all(w["z"] > 0 for w in data["distinctive"])
    assert not {"président", "monsieur", "les", "nous"} & set(words)  # neither chair talk nor stopwords
    assert data["activity"] and data["activity"][0]["count"] == 3


def test_distinctive_words_differ_between_speakers(client) -> None:
    tellier = {w["stem"] for w in client.get("/elus/jean-marc-tellier.json").get_json()["distinctive"]}
    cauwet = {w["stem"] for w in client.get("/elus/maryse-cauwet.json").get_json()["distinctive"]}
    assert tellier and cauwet and not tellier & cauwet


def test_deliberation_page(client) -> None:
    data = client.get("/deliberations/2025-361.json").get_json()
    d = data["deliberation"]
    assert d["title"].startswith("Budget supplémentaire")
    rows = {r["position"]: r for r in d["vote"]["rows"]}
    assert rows["Pour"]["count"] == 54 and rows["Contre"]["count"] == 0 and rows["Abstention"]["count"] == 24
    assert "Groupe Rassemblement National" in rows["Abstention"]["groups"]
    assert d["visas"] and d["articles"] and d["receipt_id"] and d["published"]
    assert data["debate"] and all(sp["url"].startswith(f"/seances/{SESSION}#s") for sp in data["debate"])
    assert d["report"] and d["report"][0]["anchor"] == "r001"
    html = client.get("/deliberations/2025-361").get_data(as_text=True)
    assert 'id="r001"' in html and "Vote par groupe" in html


def test_deliberations_list_filters(client) -> None:
    assert client.get("/deliberations.json").get_json()["total"] == 12
    budget = client.get("/deliberations.json?texte=budget+suppl%C3%A9mentaire").get_json()
    assert [d["number"] for d in budget["deliberations"]] == ["2025-361"]
    assert client.get("/deliberations.json?resultat=rejet%C3%A9").get_json()["total"] == 0
    assert client.get("/deliberations.json?annee=2025").get_json()["total"] == 12
    assert client.get("/deliberations.json?annee=1999").get_json()["total"] == 0


def test_wishes(client) -> None:
    data = client.get("/voeux.json").get_json()
    assert data["total"] == 5
    first = client.get(twin(data["wishes"][0]["url"])).get_json()
    assert first["wish"]["title"] and first["wish"]["group"] and first["wish"]["signatories"]


def test_question_page_answers_with_citations(client) -> None:
    data = client.get("/question.json?q=Le budget suppl%C3%A9mentaire a-t-il %C3%A9t%C3%A9 adopt%C3%A9 ?").get_json()
    answer = data["answer"]
    assert answer["found"] and "54" in answer["answer"] and answer["citations"]
    html = client.get("/question?q=Le budget suppl%C3%A9mentaire a-t-il %C3%A9t%C3%A9 adopt%C3%A9 ?").get_data(as_text=True)
    assert "Posez une question" in html and "54" in html


def test_timeline_of_debates(client) -> None:
    plain = client.get("/chronologie.json").get_json()
    assert plain["sessions"] == 1 and plain["years"][0]["year"] == "2025"
    assert len(plain["years"][0]["sessions"][0]["agenda"]) >= 12
    topic = client.get("/chronologie.json?q=Mercosur").get_json()
    assert topic["sessions"] == 1 and topic["total_hits"] >= 1
    entry = topic["years"][0]["sessions"][0]
    assert entry["hits"] >= 1 and entry["topic"]
    nothing = client.get("/chronologie.json?q=zzzzqqq").get_json()
    assert nothing["sessions"] == 0 and nothing["years"] == []


def test_home_counts_and_forms(client) -> None:
    data = client.get("/index.json").get_json()
    assert data["counts"]["sessions"] == 1 and data["counts"]["deliberations"] == 12
    html = client.get("/").get_data(as_text=True)
    assert "Posez une question" in html and 'action="/recherche"' in html and 'action="/question"' in html


# -- API description ------------------------------------------------------------------------

def test_openapi_describes_every_json_twin(client) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    samples = {"{session_id}": SESSION, "{slug}": "jean-marc-tellier", "{number}": "2025-361", "{n}": "1"}
    for path in spec["paths"]:
        url = path
        for key, value in samples.items():
            url = url.replace(key, value)
        if "/voeux/" in url:
            url = url.replace("2025-361", "1")
        r = client.get(url + ("?q=budget" if "recherche" in url or "question" in url else ""))
        assert r.status_code == 200, url
    app_rules = {str(rule) for rule in client.application.url_map.iter_rules() if str(rule).endswith(".json")}
    documented = {p.replace("{", "<").replace("}", ">") for p in spec["paths"]}
    for rule in app_rules - {"/api/openapi.json"}:
        normalised = rule.replace("<int:number>", "<number>")
        assert normalised in documented, rule


# -- missing pieces give a clear French message ----------------------------------------------

def test_missing_library_module_is_reported_in_french() -> None:
    with pytest.raises(Unavailable, match="n'est pas installé"):
        library("module_qui_n_existe_pas")


def test_empty_home_says_what_to_do(tmp_path: Path) -> None:
    client = create_app({"MINUTES_HOME": str(tmp_path), "TESTING": True}).test_client()
    body = unescape(client.get("/").get_data(as_text=True))
    assert "Aucune séance n'est encore indexée" in body and "minutes index" in body
    assert client.get("/seances/x").status_code == 404


# -- page cache follows the index ------------------------------------------------------------

def test_pages_are_cached_until_the_index_changes(tmp_path: Path, monkeypatch) -> None:
    from indexer.index import index_paths

    import webapp.store

    monkeypatch.setattr(webapp.store, "GENERATION_TTL", 0.0)
    client = create_app({"MINUTES_HOME": str(tmp_path), "TESTING": True}).test_client()
    first = client.get("/index.json")
    assert first.get_json()["counts"]["sessions"] == 0
    again = client.get("/index.json")
    assert again.headers["X-Cache"] == "hit" and again.get_json() == first.get_json()
    assert client.get("/index.json", headers={"If-None-Match": again.headers["ETag"].strip('"')}).status_code == 304
    index_paths([Path(__file__).resolve().parent.parent / "corpus"], home=tmp_path)
    fresh = client.get("/index.json")
    assert fresh.headers["X-Cache"] == "miss" and fresh.get_json()["counts"]["sessions"] == 1


def test_a_session_just_indexed_opens_at_once(tmp_path: Path, monkeypatch) -> None:
    """A search hit can name a session indexed a moment ago: its page must not be a 404,
    even while the app still trusts its last look at the index (GENERATION_TTL)."""
    from indexer.index import index_paths

    import webapp.store

    monkeypatch.setattr(webapp.store, "GENERATION_TTL", 600.0)
    client = create_app({"MINUTES_HOME": str(tmp_path), "TESTING": True}).test_client()
    assert client.get("/seances.json").status_code == 200  # records read: none yet
    index_paths([Path(__file__).resolve().parent.parent / "corpus"], home=tmp_path)
    assert client.get("/seances/pas-de-calais-2025-09-22.json").status_code == 200


# -- many sessions: the timeline of debates stays compact ------------------------------------

@pytest.fixture(scope="module")
def many_sessions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer.benchgen import generate
    from indexer.index import index_records

    home = tmp_path_factory.mktemp("many-sessions")
    index_records(generate(26, chars_per_session=2000), home=home)
    return home


@pytest.mark.slow
def test_timeline_of_many_sessions_is_grouped_by_year_and_paged(many_sessions: Path) -> None:
    client = create_app({"MINUTES_HOME": str(many_sessions), "TESTING": True}).test_client()
    overview = client.get("/chronologie.json").get_json()
    assert overview["sessions"] == 26 and overview["compact"]
    years = [y["year"] for y in overview["years"]]
    assert years == sorted(years, reverse=True) and len(years) >= 2
    assert all(not s["agenda"] for y in overview["years"] for s in y["sessions"])  # agendas are on year pages
    assert len(overview["chart"]["dots"]) == 26
    html = client.get("/chronologie").get_data(as_text=True)
    assert len(html) < 120_000 and html.count('class="tl-session"') == 26
    year = overview["years_nav"][-1]
    page = client.get(twin(year["href"])).get_json()
    assert [y["year"] for y in page["years"]] == [year["year"]]
    assert all(s["agenda"] for s in page["years"][0]["sessions"])
    topic = client.get("/chronologie.json?q=budget").get_json()
    assert 1 <= topic["sessions"] <= 26 and topic["total_hits"] >= topic["sessions"]
    latest = topic["years"][0]["sessions"][0]  # hits are grouped from the most recent ones
    assert latest["topic"] and latest["topic"][0]["speakers"]
    for group in topic["years"]:
        dates = [s["date"] for s in group["sessions"]]
        # newest first inside a year, as the years are (never one order for years and another inside)
        assert dates == sorted(dates, reverse=True) and all(d.startswith(group["year"]) for d in dates)
    persons = client.get("/elus.json").get_json()
    busiest = max(persons["persons"], key=lambda p: p["speeches"])
    person = client.get(f"/elus/{busiest['id']}.json").get_json()
    assert person["totals"]["sessions"] > 1 and len(person["activity"]) == person["totals"]["sessions"]
    # the page lists the speeches of the 20 latest sessions spoken in; the table links all of them
    page_html = client.get(f"/elus/{busiest['id']}").get_data(as_text=True)
    listed = page_html.count('<section class="person-session"')
    assert listed == min(20, person["totals"]["spoke_in"]), (listed, person["totals"])
    assert page_html.count("<tr><th scope=\"row\">") >= person["totals"]["sessions"]
    assert person["distinctive"]


def test_concurrent_requests_for_one_page_render_it_once(search_home: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    app = create_app({"MINUTES_HOME": str(search_home), "TESTING": True})
    url = f"/seances/{SESSION}?concurrent=1"

    def fetch(_: int) -> tuple[int, str]:
        r = app.test_client().get(url)
        return r.status_code, r.headers.get("X-Cache", "")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(16)))
    assert all(status == 200 for status, _ in results)
    assert [cache for _, cache in results].count("miss") == 1


def test_unexpected_error_is_a_french_page_without_traceback(search_home: Path) -> None:
    app = create_app({"MINUTES_HOME": str(search_home)})

    def boom() -> str:
        raise RuntimeError("secret detail")

    app.add_url_rule("/boom", "boom", boom)
    r = app.test_client().get("/boom")
    body = unescape(r.get_data(as_text=True))
    assert r.status_code == 500 and "Erreur interne" in body
    assert "Traceback" not in body and "secret detail" not in body
    assert r.headers["Content-Security-Policy"]


def test_slow_questions_cannot_take_every_server_thread(search_home: Path, monkeypatch) -> None:
    import threading
    import time

    import webapp.store

    app = create_app({"MINUTES_HOME": str(search_home), "TESTING": True, "MINUTES_RESPONSE_CACHE": False})
    store = app.extensions["minutes"]
    release = threading.Event()
    real_ask = library("answer").ask
    asked = threading.Semaphore(0)

    def slow_ask(question, home=None):
        asked.release()  # one more question holding its thread
        release.wait(10)
        return real_ask(question, home=home)

    monkeypatch.setattr(library("answer"), "ask", slow_ask)
    in_flight = webapp.store.SERVER_THREADS - webapp.store.PAGE_THREADS
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(app.test_client().get("/question?q=Qui+a+pr%C3%A9sid%C3%A9+%3F").status_code))
               for _ in range(in_flight)]
    for t in threads:
        t.start()
    assert all(asked.acquire(timeout=20) for _ in threads)  # every slow question in flight
    started = time.monotonic()
    busy = app.test_client().get("/question?q=Qui+a+pr%C3%A9sid%C3%A9+%3F")
    assert busy.status_code == 503 and "réessayez" in unescape(busy.get_data(as_text=True))
    assert time.monotonic() - started < 5  # refused at once, not after waiting
    assert app.test_client().get("/elus").status_code == 200  # other pages are served meanwhile
    release.set()
    for t in threads:
        t.join(20)
    assert results == [200] * in_flight  # the slow questions were all answered
    assert store.ask("Qui a présidé la séance ?").to_dict()["found"]


def test_serve_builds_the_index_only_when_there_is_none(tmp_path: Path) -> None:
    from webapp.serve import ensure_index

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    assert ensure_index(tmp_path, corpus) is True
    client = create_app({"MINUTES_HOME": str(tmp_path), "TESTING": True}).test_client()
    assert client.get("/index.json").get_json()["counts"]["sessions"] == 1
    assert ensure_index(tmp_path, corpus) is False


# -- a parse that could not read the document says so ------------------------------------

def test_session_read_partially_says_lecture_partielle(tmp_path: Path) -> None:
    """Minutes whose layout the parser cannot read: the session page says « Lecture partielle »,
    with what was read, and its JSON twin carries the coverage; a complete reading does not."""
    from indexer.index import index_paths

    text = ["COMMUNE DE SAINT-EXEMPLE", "PROCÈS-VERBAL DU CONSEIL MUNICIPAL", "Séance du 12 mars 2024", ""]
    text += ["La discussion porte sur les travaux de voirie communale et les montants engagés. " * 8, ""] * 6
    source = tmp_path / "src" / "cm-2024-03-12.txt"
    source.parent.mkdir()
    source.write_text("\n".join(text), encoding="utf-8")
    home = tmp_path / "home"
    index_paths([source], home=home)
    app = create_app({"MINUTES_HOME": str(home), "TESTING": True}).test_client()
    sid = app.get("/seances.json").get_json()["years"][0]["sessions"][0]["id"]
    body = app.get(f"/seances/{sid}").get_data(as_text=True)
    assert "Lecture partielle" in body and "0 % du texte rattaché" in body
    assert app.get(f"/seances/{sid}.json").get_json()["coverage"]["partial"] is True


def test_session_read_completely_has_no_partial_notice(client) -> None:
    body = client.get(f"/seances/{SESSION}").get_data(as_text=True)
    assert "Lecture partielle" not in body
    assert client.get(f"/seances/{SESSION}.json").get_json()["coverage"]["partial"] is False


def test_the_page_cache_drops_the_pages_of_an_older_index_generation() -> None:
    """After a re-index, the pages of the previous index state are no longer asked for: the first
    page of the new state frees them rather than letting them fill the cache's budget."""
    from webapp.cache import ResponseCache

    cache = ResponseCache()
    cache.put((1, "/seances", False), 200, [], b"x" * 1000)
    cache.put((1, "/elus", False), 200, [], b"y" * 1000)
    assert cache.get((1, "/seances", False)) is not None
    cache.put((2, "/seances", False), 200, [], b"z" * 10)
    assert cache.get((1, "/seances", False)) is None and cache.get((1, "/elus", False)) is None
    assert cache.get((2, "/seances", False))[2] == b"z" * 10 and cache._bytes == 10
