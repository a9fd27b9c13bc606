"""Jinja filters and globals: French dates, numbers, anchors."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")

KIND_LABELS = {"intervention": "Intervention", "deliberation": "Délibération", "voeu": "Vœu",
               "rapport": "Rapport annexé", "passage": "Page du document"}


def date_fr(value: Any) -> str:
    """"2025-09-22" → "22 septembre 2025"; anything else unchanged."""
    try:
        d = date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return str(value or "")
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"


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


def kind_label(value: Any) -> str:
    return KIND_LABELS.get(str(value), str(value or ""))


def register(app: Flask) -> None:
    app.add_template_filter(date_fr)
    app.add_template_filter(number_fr)
    app.add_template_filter(percent)
    app.add_template_filter(kind_label)
    app.add_template_global(plural)
