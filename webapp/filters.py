"""Jinja filters and globals: French dates, numbers, anchors."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")

KIND_LABELS = {"intervention": "Intervention", "deliberation": "Délibération", "voeu": "Vœu",
               "rapport": "Rapport annexé", "tableau": "Tableau", "passage": "Page du document"}


def date_fr(value: Any) -> str:
    """"2025-09-22" → "22 septembre 2025"; anything else unchanged."""
    try:
        d = date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return str(value or "")
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"


def span_fr(first: Any, last: Any) -> str:
    """A period between two session dates: « le 3 mars 2020 » or « du 3 mars 2020 au 9 juin 2023 »."""
    if not first:
        return ""
    if not last or str(last) == str(first):
        return f"le {date_fr(first)}"
    return f"du {date_fr(first)} au {date_fr(last)}"


def number_fr(value: Any) -> str:
    """12345 → "12 345" (narrow no-break space, as in French typography)."""
    try:
        return f"{int(value):,}".replace(",", "\u202f")
    except (TypeError, ValueError):
        return str(value if value is not None else "")


def percent(value: Any) -> str:
    try:
        return f"{round(float(value) * 100)} %"
    except (TypeError, ValueError):
        return ""


def plural(count: Any, singular: str, plural_form: str | None = None) -> str:
    n = int(count or 0)
    word = singular if n <= 1 else (plural_form or singular + "s")
    return f"{number_fr(n)} {word}"


def noun(count: Any, singular: str, plural_form: str | None = None) -> str:
    """The word alone, agreed with the count (French: 0 and 1 take the singular)."""
    n = int(count or 0)
    return singular if n <= 1 else (plural_form or singular + "s")


def shorten(value: Any, limit: int = 80) -> str:
    """A long label cut at a word boundary with an ellipsis (the full text goes in a title attribute)."""
    text = " ".join(str(value or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(" ,;:-–") + "…"


def kind_label(value: Any) -> str:
    return KIND_LABELS.get(str(value), str(value or ""))


def narrow_chart(chart: dict[str, Any], value: str = "count") -> dict[str, Any]:
    """The phone-width copy of a time-axis bar chart, from the same bars (labels keep their size)."""
    from .charts import bar_chart

    return bar_chart(chart.get("bars", []), value=value, width=360.0, height=float(chart.get("height", 120)))


def source_link(session_id: Any, page: Any = None) -> str | None:
    """The link to a page of a session's indexed PDF, or None when it cannot be served."""
    from .views.common import source_url

    return source_url(str(session_id), int(page) if page else None)


def stated_number(session_id: Any, number: Any) -> str:
    """A hit's deliberation number only when the minutes state one (never a made-up key)."""
    from .views.common import stated_number as stated

    return stated(str(session_id), str(number or ""))


def register(app: Flask) -> None:
    from .links import site_links

    app.add_template_global(site_links)
    app.add_template_filter(date_fr)
    app.add_template_filter(number_fr)
    app.add_template_filter(percent)
    app.add_template_filter(kind_label)
    app.add_template_filter(shorten)
    app.add_template_global(plural)
    app.add_template_global(noun)
    app.add_template_global(span_fr)
    app.add_template_global(narrow_chart)
    app.add_template_global(source_link)
    app.add_template_global(stated_number)
