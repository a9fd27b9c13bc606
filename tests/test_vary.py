"""Pages with a JSON twin at the same URL (content negotiation on Accept) say `Vary: Accept`,
so that a shared cache never serves the JSON to a browser or the HTML to a script."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp import create_app

SID = "pas-de-calais-2025-09-22"
TWINS = ["/", "/recherche?q=budget", f"/seances/{SID}", "/seances", "/elus", "/deliberations",
         "/deliberations/2025-361", "/voeux", "/chronologie", "/question?q=Qui+a+pr%C3%A9sid%C3%A9+%3F", "/api",
         "/nulle-part"]


@pytest.fixture(scope="module")
def client(search_home: Path):
    return create_app({"MINUTES_HOME": str(search_home)}).test_client()


def _varies_on_accept(response) -> bool:  # noqa: ANN001
    return "accept" in {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}


@pytest.mark.parametrize("url", TWINS)
def test_negotiated_pages_vary_on_accept(client, url: str) -> None:
    for _ in range(2):  # rendered, then from the page cache
        html = client.get(url, headers={"Accept": "text/html"})
        assert html.content_type.startswith("text/html") and _varies_on_accept(html), (url, html.headers)
        as_json = client.get(url, headers={"Accept": "application/json"})
        assert as_json.content_type == "application/json" and _varies_on_accept(as_json), url


def test_a_not_modified_answer_keeps_vary(client) -> None:
    first = client.get("/elus", headers={"Accept": "text/html"})
    again = client.get("/elus", headers={"Accept": "text/html", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and _varies_on_accept(again)
