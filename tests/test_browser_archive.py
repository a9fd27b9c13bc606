"""The web app in real Chromium on a small archive index (four Pierrefonds sessions, 2015–2024):
axe on every page kind, no horizontal scroll at 390 px, screenshots at 1280 and 390 px in
test-artifacts/archive/, and what a phone user needs: facets first and folded, charts legible."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from . import archive
from .test_browser import ARTIFACTS, AXE, browser  # noqa: F401 (the shared Chromium fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not archive.available(), reason="../shared/corpus-multi/pierrefonds absent")]

SHOTS = ARTIFACTS / "archive"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    from werkzeug.serving import make_server

    from webapp import create_app

    app = create_app({"MINUTES_HOME": str(archive.archive_home())})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def pages(base_url: str) -> dict[str, str]:
    import json
    import urllib.request

    def get(path: str) -> dict:
        with urllib.request.urlopen(base_url + path) as r:  # noqa: S310 (the local test server)
            return json.loads(r.read())
    old = get("/deliberations.json?annee=2015")["deliberations"][0]["url"]
    numbered = get("/deliberations.json?annee=2024")["deliberations"][0]["url"]
    session = get("/seances.json")["years"][0]["sessions"][0]["id"]
    record = get(f"/seances/{session}.json")
    speech = next(e for item in record["agenda"] for e in item["entries"] if e["type"] == "speech")
    return {"accueil": "/", "recherche": "/recherche?q=subvention", "seances": "/seances",
            "seance": f"/seances/{session}", "chronologie": "/chronologie", "chronologie-sujet": "/chronologie?q=subvention",
            "elus": "/elus", "elu": "/elus/ronan-tanguy", "deliberations": "/deliberations",
            "deliberation-ancienne": old, "deliberation": numbered, "citer": speech["cite_url"],
            "accessibilite": "/accessibilite"}


KINDS = ("accueil", "recherche", "seances", "seance", "chronologie", "chronologie-sujet", "elus", "elu",
         "deliberations", "deliberation-ancienne", "deliberation", "citer", "accessibilite")


@pytest.mark.parametrize("kind", KINDS)
def test_axe_and_screenshots_at_1280_and_390(browser, base_url: str, pages: dict[str, str], kind: str) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True, locale="fr-FR")
        pg = context.new_page()
        try:
            pg.goto(base_url + pages[kind])
            overflow = pg.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{kind} déborde de {overflow}px à {width}px"
            pg.screenshot(path=str(SHOTS / f"{kind}-{width}.png"), full_page=True)
            pg.add_script_tag(path=str(AXE))
            result = pg.evaluate("""async () => { const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }""")
            bad = [v for v in result if v["impact"] in ("serious", "critical")]
            assert not bad, (kind, width, bad)
        finally:
            context.close()


def test_on_a_phone_the_facets_come_first_and_folded(browser, base_url: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(base_url + "/recherche?q=subvention")
        facets = pg.locator("aside.facets").bounding_box()
        results = pg.locator("section.results").bounding_box()
        assert facets["y"] < results["y"] and facets["y"] < 900  # in the first screen
        folded = pg.locator("aside.facets details.facet:not([open])")
        assert folded.count() >= 1
        # a folded facet opens without any script
        summary = folded.first.locator("summary")
        summary.click()
        assert pg.locator("aside.facets details.facet[open]").count() >= 3
        # the time-axis chart: the phone copy is the one shown, its year labels at a readable size
        assert pg.locator("svg.chart-narrow").first.is_visible()
        assert not pg.locator("svg.chart-wide").first.is_visible()
        size = pg.evaluate("""() => { const t = [...document.querySelectorAll('svg.chart-narrow text.tick')]
            .find(e => /^20\\d\\d$/.test(e.textContent)); return t.getBoundingClientRect().height; }""")
        assert size >= 9, size
    finally:
        context.close()


def test_chronology_has_a_labelled_row_per_year(browser, base_url: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(base_url + "/chronologie")
        labels = pg.evaluate("""() => [...document.querySelectorAll('svg.calendar.chart-narrow .year-label')]
            .map(t => [t.textContent, t.getBoundingClientRect().height])""")
        assert [y for y, _ in labels] == [str(y) for y in range(2015, 2025)]
        assert all(h >= 9 for _, h in labels)
        dots = pg.locator("svg.calendar.chart-narrow circle.dot")
        assert dots.count() == 4
        # dots sit at their dates: the 2015 session on the first row, the 2024 one on the last
        ys = pg.evaluate("() => [...document.querySelectorAll('svg.calendar.chart-narrow circle.dot')].map(c => +c.getAttribute('cy'))")
        assert ys == sorted(ys) and ys[0] < ys[-1]
    finally:
        context.close()


def test_a_permalink_into_a_folded_debate_opens_it(browser, base_url: str, pages: dict[str, str]) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    try:
        import json
        import urllib.request
        with urllib.request.urlopen(base_url + pages["seance"] + ".json") as r:  # noqa: S310
            record = json.loads(r.read())
        folded = next(item for item in record["agenda"] if len(item["entries"]) > 2)
        speech = [e for e in folded["entries"] if e["type"] == "speech"][-1]
        pg.goto(base_url + pages["seance"] + "#" + speech["anchor"])
        assert pg.locator(f"#{speech['anchor']}").is_visible()
    finally:
        context.close()


def test_on_a_phone_the_session_chart_fits_with_legible_labels(browser, base_url: str, pages: dict[str, str]) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(base_url + pages["seance"])
        chart = pg.locator("svg.gantt-narrow")
        assert chart.is_visible() and not pg.locator("svg.gantt").is_visible()
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # nothing cut at the right edge
        sizes = pg.evaluate("""() => [...document.querySelectorAll('svg.gantt-narrow .row-label')]
            .map(t => [t.getBoundingClientRect().height, t.getBoundingClientRect().right])""")
        assert sizes and all(h >= 9 and right <= 390 for h, right in sizes), sizes
        assert pg.locator("svg.gantt-narrow .tick").count() >= 2  # a labelled time axis
    finally:
        context.close()
