"""Links built from the app's URL templates are the ones url_for writes, and hits' permalinks
come from the templates the web app gives (the library knows no URL)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import url_for

from indexer.index import load_records
from indexer.search.results import Hit
from indexer.units import units_of
from webapp import create_app
from webapp.links import path_quote, person_link, session_link, site_links, templates
from webapp.views.search import SearchLinks, _toggle


@pytest.fixture(scope="module")
def app(search_home: Path):
    return create_app({"MINUTES_HOME": str(search_home), "TESTING": True})


def _hit(unit) -> Hit:  # noqa: ANN001 - a Unit
    return Hit(id=unit.id, kind=unit.kind, speaker=unit.speaker, person_id=unit.person_id, group=unit.group,
               item=unit.item, item_title=unit.item_title, session=unit.session, date=unit.date, page=unit.page,
               snippet="", score=0.0, url="", title=unit.title, number=unit.number)


def test_every_unit_links_where_the_indexer_pointed(app, search_home: Path) -> None:
    """Speeches, deliberations, report passages, vœux: the permalink from the web app's templates
    is the page each unit was written for (a unit's stored url is what the pages served so far)."""
    units = [u for r in load_records(search_home) for u in units_of(r)]
    kinds = {u.kind for u in units}
    assert {"intervention", "deliberation", "voeu", "rapport"} <= kinds
    with app.test_request_context("/"):
        links = templates()
        for u in units:
            assert _hit(u).link(links, path_quote) == u.url, u.id


def test_templates_follow_the_application_root(app) -> None:
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/pv"}):
        assert session_link("a-2025-01-01", "s001") == "/pv/seances/a-2025-01-01#s001"
        assert person_link("jean-dupont") == "/pv/elus/jean-dupont"
        assert site_links()["css"] == url_for("static", filename="css/site.css")
        assert templates()["wish"].format(session="x", wish=3) == "/pv/voeux/x/3"
    with app.test_request_context("/"):
        assert session_link("a-2025-01-01") == "/seances/a-2025-01-01"
        assert [href for href, _, _ in site_links()["nav"]][0] == "/recherche"


@pytest.mark.parametrize("value", ["é è", "a&b=c", "100 %", "L'an #2", "x/y?z", "+-@"])
def test_search_links_equal_url_for(app, value: str) -> None:
    """Facet toggles, pages, sorts and exports: the same string url_for gives for the same arguments."""
    params = {"q": f"budget {value}", "sort": "date", "page": 3, "selected": {"groupe": ["Union", value]}}
    links = SearchLinks(params)
    with app.test_request_context("/recherche"):
        toggled = _toggle(params["selected"], "orateur", value)
        assert links.toggle("orateur", value) == url_for("search.search", q=params["q"], tri="date",
                                                          groupe=["Union", value], orateur=[value])
        assert links.toggle("groupe", value) == url_for("search.search", q=params["q"], tri="date", groupe=["Union"])
        assert links.href(page=2) == url_for("search.search", q=params["q"], tri="date", page=2, **toggled
                                             if False else {"groupe": ["Union", value]})
        assert links.href("search.export_csv", page=None) == url_for("search.export_csv", q=params["q"],
                                                                     tri="date", groupe=["Union", value])
        plain = SearchLinks({"q": "", "sort": "pertinence", "page": 1, "selected": {}})
        assert plain.href() == url_for("search.search")
        back = dict(parse_qsl(urlsplit(links.toggle("seance", value)).query))
        assert back["seance"] == value and back["q"] == params["q"]


def test_the_cli_links_hits_to_the_same_pages(app, search_home: Path) -> None:
    from indexer.cli import SEARCH_LINKS

    units = [u for r in load_records(search_home) for u in units_of(r)]
    with app.test_request_context("/"):
        web = templates()
        assert all(_hit(u).link(SEARCH_LINKS, path_quote) == _hit(u).link(web, path_quote) for u in units)
