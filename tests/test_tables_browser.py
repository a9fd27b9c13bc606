"""Tables in real Chromium: the deliberation page of the bundled budget (217 tables) stays short,
its tables folded; a search hit's link to a table opens it."""

from __future__ import annotations

import pytest

from .test_browser import base_url, browser, page  # noqa: F401 - the server and browser fixtures

pytestmark = pytest.mark.browser


def test_the_budget_deliberation_page_is_short_and_its_tables_open_on_demand(page, base_url: str) -> None:  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base_url}/deliberations/2025-361")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 15_000, height  # 80,503 px when the tables were text of the report
    fold = page.locator("#tableaux details.tables-fold").first
    assert fold.locator("> summary").inner_text().startswith("217 tableaux")
    assert not page.locator("#t01").is_visible()
    fold.locator("> summary").click()
    assert page.locator("#t01").is_visible()
    assert "|" not in page.locator("#tableaux").inner_text()


def test_a_search_hit_on_a_table_row_opens_the_table(page, base_url: str) -> None:  # noqa: F811
    page.goto(f"{base_url}/recherche?q=2+698+113,97")
    link = page.locator("a[href*='/deliberations/2025-361/tableau-']").first
    link.click()
    page.wait_for_url("**/deliberations/2025-361/tableau-*")
    assert page.locator("td", has_text="2 698 113,97").first.is_visible()
    assert page.locator("thead th", has_text="Fonction").first.is_visible()
