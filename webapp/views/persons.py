"""Person pages: who they are, every speech by session and item, their words, their activity."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, url_for

from indexer.people import fold, surname_of

from .. import charts
from ..lexicon import Lexicon, distinctive_words, lexicon, sample_every, stem_counts
from ..twin import respond, twin_route
from .common import anchor, excerpt, store

bp = Blueprint("persons", __name__)


#: speeches read to learn how everyone speaks (every k-th speech beyond this many): bounds the cost
#: of the first person page on a large corpus; on the bundled session every speech is read
SAMPLE_SPEECHES = 2000


def background() -> tuple[dict[str | None, Counter[str]], Counter[str]]:
    """Stem counts of a deterministic sample of all speeches, by person and in total."""
    def compute() -> tuple[dict[str | None, Counter[str]], Counter[str]]:
        speeches = [sp for r in store().records() for sp in r.speeches]
        by_person: dict[str | None, Counter[str]] = {}
        for sp in speeches[::sample_every(len(speeches), SAMPLE_SPEECHES)]:
            by_person.setdefault(sp.person_id, Counter()).update(stem_counts(sp.text))
        total: Counter[str] = Counter()
        for counts in by_person.values():
            total.update(counts)
        return by_person, total
    return store().memo("lexicon:sample", compute)


def distinctive(slug: str, speeches: list[Any]) -> list[dict[str, Any]]:
    """The person's distinctive words against everyone else's (sampled) speeches."""
    def compute() -> list[dict[str, Any]]:
        by_person, total = background()
        others = Counter(total)
        others.subtract(by_person.get(slug, Counter()))
        own = lexicon(sp.text for sp in speeches[::sample_every(len(speeches), SAMPLE_SPEECHES)])
        return distinctive_words(own, Lexicon(+others, {}))
    return store().memo(f"lexicon:{slug}", compute)


def person_data(slug: str) -> dict[str, Any] | None:
    person = store().derived().persons.get(slug)
    records = store().records()
    mine = [(r, sp) for r in records for sp in r.speeches if sp.person_id == slug]
    if person is None and not mine:
        return None
    sessions = []
    activity = []
    for record in records:
        speeches = [sp for r, sp in mine if r is record]
        if not speeches:
            continue
        items: dict[str | None, list[Any]] = {}
        for sp in speeches:
            items.setdefault(sp.item, []).append(sp)
        sid = record.session.id
        item_views = []
        for item_id, sps in items.items():
            item = record.item(item_id)
            item_views.append({
                "id": item_id, "number": item.number if item else None,
                "title": item.title.rstrip(" |") if item else "Hors ordre du jour",
                "url": url_for("sessions.session", session_id=sid, _anchor=f"point-{item_id}") if item else None,
                "speeches": [{"id": sp.id, "anchor": anchor(sp.id), "order": sp.order, "page": sp.page,
                              "words": sp.words, "role": sp.role, "reported": sp.reported,
                              "excerpt": excerpt(sp.text),
                              "url": url_for("sessions.session", session_id=sid, _anchor=anchor(sp.id))}
                             for sp in sps],
            })
        words = sum(sp.words for sp in speeches)
        sessions.append({"id": sid, "date": record.session.date, "body": record.session.body,
                         "url": url_for("sessions.session", session_id=sid), "speeches": len(speeches),
                         "words": words, "items": item_views})
        activity.append({"session": sid, "date": record.session.date, "count": len(speeches), "words": words,
                         "label": record.session.date, "href": url_for("sessions.session", session_id=sid)})
    words = distinctive(slug, [sp for _, sp in mine])
    labels = Counter(sp.label for _, sp in mine)
    roles = Counter(sp.role for _, sp in mine if sp.role)
    info = {"id": slug, "name": person.name if person else mine[0][1].speaker,
            "civility": person.civility if person else "", "group": person.group if person else "",
            "roles": (list(person.roles) if person else []) + [r for r in roles if person is None or r not in person.roles],
            "labels": sorted(set(person.labels if person else []) | set(labels)),
            "guest": person.guest if person else False}
    return {
        "page": "elu", "person": info,
        "totals": {"speeches": len(mine), "words": sum(sp.words for _, sp in mine), "sessions": len(sessions)},
        "sessions": list(reversed(sessions)),
        "distinctive": words,
        "activity": activity,
        "chart": charts.bar_chart(activity, value="words", height=110) if activity else None,
    }


@twin_route(bp, "/elus/<slug>")
def person(slug: str) -> Any:
    data = person_data(slug)
    if data is None:
        abort(404)
    return respond(data, "person.html")


def persons_data() -> dict[str, Any]:
    speeches: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for r in store().records():
        for sp in r.speeches:
            if sp.person_id:
                speeches[sp.person_id] += 1
                words[sp.person_id] += sp.words
    people = []
    for pid, p in store().derived().persons.items():
        people.append({"id": pid, "name": p.name, "civility": p.civility, "group": p.group, "guest": p.guest,
                       "speeches": speeches[pid], "words": words[pid], "url": url_for("persons.person", slug=pid)})
    people.sort(key=lambda p: (fold(surname_of(p["name"])), fold(p["name"])))
    return {"page": "elus", "total": len(people), "speakers": sum(1 for p in people if p["speeches"]),
            "persons": people}


@twin_route(bp, "/elus")
def persons() -> Any:
    return respond(persons_data(), "persons.html")
