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


def session_gantt_narrow(timeline: dict[str, Any], chair: str | None, start_clock: int | None,
                         width: float = 360.0) -> dict[str, Any]:
    """The phone copy of the session chart: each item's label on its own line above its bar, the
    time axis the whole width, so that nothing has to scroll and the labels keep their size."""
    left, right, top, row = 8.0, 8.0, 30.0, 38.0
    plot = width - left - right
    duration = max(float(timeline["duration"]), 1.0)
    items = timeline["items"]
    height = top + row * len(items) + 26

    def x(minute: float) -> float:
        return round(left + plot * minute / duration, 2)

    if timeline["timed"] and start_clock is not None:
        hours = _hours(start_clock, duration)
        step = max(1, -(-len(hours) // 5))  # at most about five labels across a phone
        ticks = [{"x": x(m), "label": label} for m, label in hours[::step]]
    else:
        step = max(duration / 4, 1)
        ticks = [{"x": x(step * k), "label": f"{int(step * k)} min"} for k in range(0, 5)]
    known = [{"x": x(k["minute"]), "time": k["time"]} for k in timeline["known_times"]]
    breaks = [{"x": x(b["start"]), "w": round(x(b["end"]) - x(b["start"]), 2)} for b in timeline["breaks"]]
    rows = []
    for i, item in enumerate(items):
        y = top + i * row
        spans = [(x(s["start"]), x(s["end"])) for s in item["spans"]]
        vote = item.get("vote") or {}
        rows.append({"id": item["id"], "number": item["number"], "y": y, "label_y": y + 13, "bar_y": y + 18,
                     "label": short_label(item["number"], item["title"], limit=36 if vote.get("result") else 48) +
                     (f" — {vote['result']}" if vote.get("result") else ""),
                     "title": item["title"],
                     "bars": [{"x": a, "w": max(round(b - a, 2), 2.0)} for a, b in spans],
                     "segments": _stack(spans, item["speakers"], chair)})
    return {"width": width, "height": height, "top": top, "row": row, "bar_h": 12.0, "ticks": ticks,
            "known": known, "breaks": breaks, "rows": rows}


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
    """Vertical bars on a true time axis: each session at its date, every year labelled.

    Two sessions a year apart are a year apart on the axis, whatever lies between them.
    `width` is the drawing's own width: the page draws a wide and a narrow copy so that the
    labels keep their size on a phone."""
    left, bottom, top, right = 36.0, 22.0, 8.0, 10.0
    plot_w, plot_h = width - left - right, height - bottom - top
    top_value = max((float(p[value]) for p in points), default=0.0) or 1.0
    days = [_day(p.get("date")) for p in points]
    known = [d for d in days if d is not None]
    if not known:
        return {"width": width, "height": height, "left": left, "top": top, "base": top + plot_h,
                "max": top_value, "bars": [], "years": []}
    lo, hi = date(min(known).year, 1, 1), date(max(known).year + 1, 1, 1)
    span = max((hi - lo).days, 1)
    single = hi.year - lo.year == 1 and len(known) <= 1
    slot = plot_w / max(len(points), 1)
    bar_w = max(min(plot_w * 20 / span, slot * 0.8, 14.0), 2.0)
    bars = []
    for p, d in zip(points, days):
        if d is None:
            continue
        h = plot_h * float(p[value]) / top_value
        x = left + plot_w * (d - lo).days / span - bar_w / 2
        if single:
            x = left + plot_w / 2 - bar_w / 2
        bars.append({**p, "x": round(min(max(x, left), left + plot_w - bar_w), 2), "y": round(top + plot_h - h, 2),
                     "w": round(bar_w, 2), "h": round(max(h, 0.0), 2)})
    years = []
    step = 1
    year_w = plot_w * 365 / span
    while year_w * step < 34:  # labels never overlap
        step += 1
    for year in range(lo.year, hi.year):
        x = round(left + plot_w * (date(year, 1, 1) - lo).days / span, 2)
        years.append({"x": x, "mid": round(min(x + year_w / 2, left + plot_w - 14), 2),
                      "label": str(year) if (year - lo.year) % step == 0 else ""})
    return {"width": width, "height": height, "left": left, "top": top, "base": top + plot_h,
            "right": left + plot_w, "max": top_value, "bars": bars, "years": years}


MONTH_INITIALS = ("J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D")
MONTH_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def calendar_axis(entries: Sequence[dict[str, Any]], *, width: float = 760.0, height: float | None = None) -> dict[str, Any]:
    """Sessions as dots on a calendar: one row per year (labelled), months across.

    The dot's area follows its hit count, if any.  A narrow `width` (a phone) gets month
    initials instead of abbreviations."""
    days = [_day(e["date"]) for e in entries]
    known = [d for d in days if d is not None]
    if not known:
        return {"width": width, "height": height or 60.0, "dots": [], "years": [], "months": []}
    first, last = min(known).year, max(known).year
    row, top, left, right = 26.0, 24.0, 46.0, 10.0
    rows = last - first + 1
    height = height or top + row * rows + 6
    plot = width - left - right
    top_hits = max((int(e.get("hits") or 0) for e in entries), default=0)
    names = MONTH_INITIALS if width < 500 else MONTH_SHORT
    months = [{"x": round(left + plot * (m + 0.5) / 12, 2), "x0": round(left + plot * m / 12, 2), "label": names[m]}
              for m in range(12)]
    years = [{"label": str(y), "y": round(top + row * (y - first) + row / 2, 2),
              "y0": round(top + row * (y - first), 2)} for y in range(first, last + 1)]
    dots = []
    for e, d in zip(entries, days):
        if d is None:
            continue
        hits = int(e.get("hits") or 0)
        r = 4.5 + (6.5 * (hits / top_hits) ** 0.5 if top_hits else 0.0)
        start = date(d.year, 1, 1)
        length = (date(d.year + 1, 1, 1) - start).days
        dots.append({"id": e["id"], "date": e["date"], "hits": hits,
                     "cx": round(left + plot * (d - start).days / length, 2),
                     "cy": round(top + row * (d.year - first) + row / 2, 2), "r": round(r, 2)})
    return {"width": width, "height": height, "left": left, "right": width - right, "top": top, "row": row,
            "dots": dots, "years": years, "months": months}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None
