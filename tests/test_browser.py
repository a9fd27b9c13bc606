"""The web app in real headless Chromium (Debian's package, driven by Playwright).

The server runs in a thread on 127.0.0.1 with a free port, against an index of the
bundled session built in a temporary MINUTES_HOME.  Screenshots of the main pages go
to test-artifacts/.  Without Chromium the tests are skipped on a workstation but FAIL
in CI (CI=true), so they can never silently disappear there.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("MINUTES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = ROOT / "webapp" / "static" / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SESSION = "pas-de-calais-2025-09-22"

MAIN_PAGES = {
    "accueil": "/",
    "recherche": "/recherche?q=budget",
    "seance": f"/seances/{SESSION}",
    "chronologie": "/chronologie?q=Mercosur",
    "elu": "/elus/jean-marc-tellier",
    "deliberation": "/deliberations/2025-361",
    "deliberations": "/deliberations",
    "voeux": "/voeux",
    "question": "/question?q=Le+budget+suppl%C3%A9mentaire+a-t-il+%C3%A9t%C3%A9+adopt%C3%A9+%3F",
    "introuvable": "/seances/inconnue",
    "accessibilite": "/accessibilite",
    "citer": f"/seances/{SESSION}/s002/citer",
    "elus": "/elus",
    "seances": "/seances",
}


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)


@pytest.fixture(scope="module")
def base_url(search_home: Path) -> Iterator[str]:
    from werkzeug.serving import make_server

    from webapp import create_app

    app = create_app({"MINUTES_HOME": str(search_home)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not _chromium_available():
        message = f"Chromium introuvable à {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " : les tests navigateur sont obligatoires en CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()


def _in_viewport(pg, selector: str) -> bool:
    return pg.evaluate("""(sel) => { const el = document.querySelector(sel); if (!el) return false;
        const r = el.getBoundingClientRect(); return r.top >= -2 && r.top < window.innerHeight; }""", selector)


# -- scenarios --------------------------------------------------------------------------

def test_search_then_facet_then_permalink_lands_on_the_speech(page, base_url: str) -> None:
    page.goto(f"{base_url}/recherche?q=budget")
    total_before = int(re.search(r"(\d+) résultats", page.locator("#titre-resultats").inner_text()).group(1))
    facet = page.locator("a.facet-value[data-facet='orateur']", has_text="TELLIER")
    facet.click()
    page.wait_for_url(re.compile(r"orateur="))
    chip = page.locator("a.chip")
    assert chip.count() == 1 and "TELLIER" in chip.inner_text()
    heading = page.locator("#titre-resultats").inner_text()
    total_after = int(re.search(r"(\d+) résultats?", heading).group(1))
    assert 0 < total_after < total_before
    hits = page.locator("li.hit")
    for i in range(hits.count()):
        assert "TELLIER" in hits.nth(i).locator(".hit-head").inner_text()
    link = hits.first.locator("a.permalink")
    href = link.get_attribute("href")
    anchor = href.split("#", 1)[1]
    assert re.fullmatch(r"s\d{3}", anchor)
    link.click()
    page.wait_for_url(re.compile(rf"/seances/{SESSION}#{anchor}$"))
    target = page.locator(f"article#{anchor}")
    assert target.count() == 1
    assert "TELLIER" in target.locator(".speaker").inner_text()
    assert page.evaluate("() => document.querySelector(':target') && document.querySelector(':target').id") == anchor
    assert _in_viewport(page, f"#{anchor}")
    # the chip removes its filter with a plain link
    page.go_back()
    page.locator("a.chip").click()
    page.wait_for_url(re.compile(r"^(?!.*orateur=).*$"))
    assert page.locator("a.chip").count() == 0


def test_session_timeline_shows_the_12_numbered_items(page, base_url: str) -> None:
    page.goto(f"{base_url}/seances/{SESSION}")
    rows = page.locator("svg.gantt g.tl-item.numbered")
    assert rows.count() == 12
    assert [rows.nth(i).get_attribute("data-number") for i in range(12)] == [str(n) for n in range(1, 13)]
    assert page.locator("svg.gantt").is_visible()
    badges = page.locator("svg.gantt .vote-badge")
    assert badges.count() == 12
    # the bars follow the clock: each numbered item starts after the previous one
    xs = page.evaluate("""() => [...document.querySelectorAll('svg.gantt g.tl-item.numbered')]
        .map(g => parseFloat(g.querySelector('rect.bar-bg').getAttribute('x')))""")
    assert xs == sorted(xs) and xs[0] < xs[-1]
    # the table alternative has the same rows
    assert page.locator("table.timeline-table tbody tr").count() == rows.count() + page.locator(
        "svg.gantt g.tl-item:not(.numbered)").count()
    # clicking an item goes to its debate
    rows.nth(1).locator("a").click()
    page.wait_for_url(re.compile(r"#point-rapport-2$"))
    assert _in_viewport(page, "#point-rapport-2")


def test_person_page_of_tellier_lists_his_3_speeches(page, base_url: str) -> None:
    page.goto(f"{base_url}/elus/jean-marc-tellier")
    assert "Jean-Marc TELLIER" in page.locator("h1").inner_text()
    speeches = page.locator("li.person-speech")
    assert speeches.count() == 3
    speeches.first.locator("a.permalink").click()
    page.wait_for_url(re.compile(rf"/seances/{SESSION}#s\d{{3}}$"))
    anchor = page.url.rsplit("#", 1)[1]
    assert "TELLIER" in page.locator(f"article#{anchor} .speaker").inner_text()


def test_keyboard_skip_link_and_visible_focus(page, base_url: str) -> None:
    page.goto(f"{base_url}/recherche?q=budget")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "skip-link" in focused
    assert page.locator(".skip-link").is_visible()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"
    # the search box is reachable by keyboard and submits with Enter
    page.locator("#q").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("téléassistance")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=t%C3%A9l%C3%A9assistance"))
    assert page.locator("li.hit").count() > 0


def test_pages_run_no_script_and_break_no_csp_rule(page, base_url: str) -> None:
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.on("pageerror", lambda exc: messages.append(str(exc)))
    for url in MAIN_PAGES.values():
        page.goto(base_url + url)
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages


def test_xss_query_is_shown_as_text(page, base_url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{base_url}/recherche?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert page.locator("#q").input_value() == "<script>alert(1)</script>"
    page.goto(f"{base_url}/question?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert dialogs == []


@pytest.mark.parametrize("name", list(MAIN_PAGES))
def test_axe_finds_no_serious_violation(browser, base_url: str, name: str) -> None:
    # axe is injected only here; bypass_csp lets the test inject it into our strict-CSP pages
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    try:
        pg.goto(base_url + MAIN_PAGES[name])
        pg.add_script_tag(path=str(AXE))
        result = pg.evaluate("""async () => { const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }""")
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, bad
    finally:
        context.close()


@pytest.mark.parametrize("name", list(MAIN_PAGES))
def test_screenshots_and_no_horizontal_scroll_at_360px(browser, base_url: str, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 390, 360):
        context = browser.new_context(viewport={"width": width, "height": 800})
        pg = context.new_page()
        try:
            pg.goto(base_url + MAIN_PAGES[name])
            overflow = pg.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} déborde de {overflow}px à {width}px"
            if width != 360:
                pg.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=name not in ("seance", "deliberation"))
        finally:
            context.close()


def test_browser_launches(browser) -> None:
    assert browser.version.split(".")[0].isdigit()


def test_missing_chromium_fails_in_ci_instead_of_skipping(tmp_path: Path) -> None:
    """In CI a missing browser is a failure, not a skip: run this file's launch test without one."""
    import subprocess
    import sys

    env = {**os.environ, "CI": "true", "MINUTES_CHROMIUM": str(tmp_path / "pas-de-chromium")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"{__file__}::test_browser_launches"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode != 0, run.stdout
    assert "skipped" not in run.stdout and "obligatoires en CI" in run.stdout
    env["CI"] = "false"
    local = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                            f"{__file__}::test_browser_launches"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert local.returncode == 0 and "skipped" in local.stdout


def test_the_session_page_folds_its_long_debates(page, base_url: str) -> None:
    """The bundled session was 94,815 px tall with every speech open: debates are folded now."""
    page.goto(f"{base_url}/seances/{SESSION}")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 20_000, height
    folds = page.locator("details.debate-fold")
    assert folds.count() >= 12
    folds.first.locator("summary").click()  # opens with no script
    assert folds.first.locator("article.speech").first.is_visible()
