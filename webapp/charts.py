"""Geometry of the inline SVG charts, computed on the server (pure functions → dicts).

Templates draw the shapes; each chart also has a text alternative in the page (a table
or a list), so nothing depends on seeing the picture.  No inline styles (the CSP forbids
them): colours are SVG attributes or CSS classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

#: restrained palette for speakers within an agenda item (the chair keeps the grey)
PALETTE = ("#2f6690", "#b5651d", "#3a7d44", "#7b4f9d", "#a23b3b", "#2a7f8a", "#8c7b2d")
CHAIR_COLOUR = "#9aa0a6"
OTHERS_COLOUR = "#c9ccd1"


def _hours(start: int, duration: float) -> list[tuple[float, str]]:
    """Full hours (half hours for a short session) inside the session, as (offset minutes, "11 h")."""
    step = 30 if duration <= 180 else 60
    out = []
    first = (start // step + 1) * step
    for clock in range(first, int(start + duration) + 1, step):
        label = f"{clock // 60} h" + (f" {clock % 60:02d}" if clock % 60 else "")
        out.append((float(clock - start), label))
    return out


def session_gantt(timeline: dict[str, Any], chair: str | None, start_clock: int | None) -> dict[str, Any]:
    """One row per agenda item, bars on the time axis, speaker shares inside each bar."""
    width, left, right_col, top, row = 820.0, 250.0, 96.0, 34.0, 26.0
    plot = width - left - right_col - 8
    duration = max(float(timeline["duration"]), 1.0)
    items = timeline["items"]
    height = top + row * len(items) + 30  # room for the known times under the rows

    def x(minute: float) -> float:
        return round(left + plot * minute / duration, 2)

    ticks = []
    if timeline["timed"] and start_clock is not None:
        ticks = [{"x": x(m), "label": label} for m, label in _hours(start_clock, duration)]
    else:
        step = max(duration / 5, 1)
        ticks = [{"x": x(step * k), "label": f"{int(step * k)} min"} for k in range(0, 6)]
    known = [{"x": x(k["minute"]), "label": f"{k['label']} {k['time']}", "time": k["time"]}
             for k in timeline["known_times"]]
    breaks = [{"x": x(b["start"]), "w": round(x(b["end"]) - x(b["start"]), 2)} for b in timeline["breaks"]]
    rows = []
    for i, item in enumerate(items):
        y = top + i * row
        spans = [(x(s["start"]), x(s["end"])) for s in item["spans"]]
        segments = _stack(spans, item["speakers"], chair)
        rows.append({
            "id": item["id"], "number": item["number"], "y": y, "cy": y + row / 2,
            "label": short_label(item["number"], item["title"]),
            "title": item["title"],
            "bars": [{"x": a, "w": max(round(b - a, 2), 2.0)} for a, b in spans],
            "segments": segments,
            "badge": item["vote"]["result"] if item.get("vote") else "",
            "badge_x": width - right_col + 8,
        })
    return {"width": width, "height": height, "left": left, "top": top, "row": row,
            "plot_right": left + plot, "ticks": ticks, "known": known, "breaks": breaks, "rows": rows}


def short_label(number: int | None, title: str, limit: int = 32) -> str:
    """"2. Budget supplémentaire de l'exe…": the row label of the session chart."""
    title = " ".join(title.rstrip(" |").split())
    prefix = f"{number}. " if number is not None else ""
    room = limit - len(prefix)
    if len(title) > room:
        title = title[:room - 1].rstrip(" ,;:-–") + "…"
    return prefix + title


def _stack(spans: Sequence[tuple[float, float]], speakers: Sequence[dict[str, Any]],
           chair: str | None) -> list[dict[str, Any]]:
    """Cut the item's bars into speaker segments proportional to their words."""
    total = sum(b - a for a, b in spans)
    if total <= 0 or not speakers:
        return []
    colours = _colours(speakers, chair)
    segments = []
    cursor = 0.0
    for speaker, colour in zip(speakers, colours):
        length = total * float(speaker["share"])
        for a, b in _cut(spans, cursor, cursor + length):
            if b - a >= 0.3:
                segments.append({"x": round(a, 2), "w": round(b - a, 2), "fill": colour,
                                 "name": speaker["name"], "pct": round(100 * float(speaker["share"]))})
        cursor += length
    return segments


def _cut(spans: Sequence[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    """The parts of the concatenated spans between offsets lo and hi, as real x ranges."""
    out = []
    offset = 0.0
    for a, b in spans:
        length = b - a
        s, e = max(lo, offset), min(hi, offset + length)
        if e > s:
            out.append((a + s - offset, a + e - offset))
        offset += length
    return out


def _colours(speakers: Sequence[dict[str, Any]], chair: str | None) -> list[str]:
    out, k = [], 0
    for sp in speakers:
        if chair and sp.get("person_id") == chair:
            out.append(CHAIR_COLOUR)
        elif k < len(PALETTE):
            out.append(PALETTE[k])
            k += 1
        else:
            out.append(OTHERS_COLOUR)
    return out


def speaker_colours(speakers: Sequence[dict[str, Any]], chair: str | None) -> list[str]:
    return _colours(speakers, chair)


def bar_chart(points: Sequence[dict[str, Any]], *, value: str = "count", height: float = 120.0,
              width: float = 640.0) -> dict[str, Any]:
    """Vertical bars (one per session, in date order) with year labels under the axis."""
    n = len(points)
    left, bottom, top = 36.0, 22.0, 8.0
    plot_w, plot_h = width - left - 8, height - bottom - top
    top_value = max((float(p[value]) for p in points), default=0.0) or 1.0
    slot = plot_w / max(n, 1)
    bar_w = max(min(slot * 0.7, 28.0), 1.5)
    bars = []
    years = []
    last_year = None
    for i, p in enumerate(points):
        h = plot_h * float(p[value]) / top_value
        x = left + slot * i + (slot - bar_w) / 2
        bars.append({**p, "x": round(x, 2), "y": round(top + plot_h - h, 2), "w": round(bar_w, 2),
                     "h": round(max(h, 0.0), 2)})
        year = str(p.get("date", ""))[:4]
        if year and year != last_year:
            x = round(left + slot * i + slot / 2, 2)
            if not years or x - years[-1]["x"] >= 40:  # labels never overlap
                years.append({"x": x, "label": year})
            last_year = year
    return {"width": width, "height": height, "left": left, "top": top, "base": top + plot_h,
            "max": top_value, "bars": bars, "years": years}


def calendar_axis(entries: Sequence[dict[str, Any]], *, width: float = 760.0, height: float = 84.0) -> dict[str, Any]:
    """Sessions as dots on a calendar axis; the dot's area follows its hit count, if any."""
    days = [_day(e["date"]) for e in entries]
    known = [d for d in days if d is not None]
    if not known:
        return {"width": width, "height": height, "dots": [], "years": []}
    lo, hi = min(known), max(known)
    lo_y, hi_y = date(lo.year, 1, 1), date(hi.year + 1, 1, 1)
    span = max((hi_y - lo_y).days, 1)
    left, right, axis_y = 12.0, 12.0, height - 26
    plot = width - left - right
    top_hits = max((int(e.get("hits") or 0) for e in entries), default=0)
    dots = []
    for e, d in zip(entries, days):
        if d is None:
            continue
        hits = int(e.get("hits") or 0)
        r = 3.5 + (7.5 * (hits / top_hits) ** 0.5 if top_hits else 0.0)
        dots.append({"id": e["id"], "date": e["date"], "hits": hits,
                     "cx": round(left + plot * (d - lo_y).days / span, 2), "cy": axis_y - 16, "r": round(r, 2)})
    years = []
    for year in range(lo_y.year, hi_y.year):
        years.append({"x": round(left + plot * (date(year, 1, 1) - lo_y).days / span, 2), "label": str(year)})
    return {"width": width, "height": height, "axis_y": axis_y, "left": left, "right": width - right,
            "dots": dots, "years": years}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None
