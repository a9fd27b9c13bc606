"""Person pages: who they are, every speech by session and item, their words, their activity."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, redirect, request, url_for

from indexer.people import fold, surname_of
from indexer.registry import Registry, build_registry

from .. import charts
from ..lexicon import Lexicon, distinctive_words, lexicon, sample_every, stem_counts
from ..twin import respond, twin_route
from .common import anchor, excerpt, store

bp = Blueprint("persons", __name__)


#: speeches read to learn how everyone speaks (every k-th speech beyond this many): bounds the cost
#: of the first person page on a large corpus; on the bundled session every speech is read
SAMPLE_SPEECHES = 2000
#: sessions whose speeches the person page lists (the latest spoken in); older ones link to their session
SHOWN_SESSIONS = 20


def registry() -> Registry:
    """One register of persons across the archive, once per index generation."""
    return store().memo("registry", lambda: build_registry(store().records()))


def entry_name(slug: str) -> str:
    entry = registry().get(slug)
    return entry.name if entry else ""


def canonical_id(person_id: str | None) -> str | None:
    return registry().canonical(person_id) or person_id


def background() -> tuple[dict[str | None, Counter[str]], Counter[str]]:
    """Stem counts of a deterministic sample of all speeches, by person and in total."""
    def compute() -> tuple[dict[str | None, Counter[str]], Counter[str]]:
        every = sample_every(sum(len(r.speeches) for r in store().records()), SAMPLE_SPEECHES)
        by_person: dict[str | None, Counter[str]] = {}
        n = 0
        for record in store().full_records():  # one at a time: the texts are not all held at once
            for sp in record.speeches:
                if n % every == 0:
                    by_person.setdefault(canonical_id(sp.person_id), Counter()).update(stem_counts(sp.text))
                n += 1
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
        name = set(fold(entry_name(slug)).split())  # their own name, quoted in reported speech, says nothing
        return [w for w in distinctive_words(own, Lexicon(+others, {})) if fold(w["word"]) not in name]
    return store().memo(f"lexicon:{slug}", compute)


def person_data(slug: str) -> dict[str, Any] | None:
    reg = registry()
    entry = reg.get(slug)
    if entry is None:
        return None
    ids = set(entry.ids)
    mine: list[tuple[Any, Any]] = []  # (session, speech): the person's speeches, never whole records
    sessions = []
    activity = []
    for sid in entry.sessions:
        light = store().light(sid)
        if light is None:
            continue
        # the full record (texts) only where the person spoke
        spoke_here = any(sp.person_id in ids for sp in light.speeches)
        record = (store().record(sid, keep=False) or light) if spoke_here else light
        speeches = [sp for sp in record.speeches if sp.person_id in ids]
        mine += [(record.session, sp) for sp in speeches]
        items: dict[str | None, list[Any]] = {}
        for sp in speeches:
            items.setdefault(sp.item, []).append(sp)
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
        s = record.session
        status = _attendance(record, ids, entry.names)
        sessions.append({"id": sid, "date": s.date, "body": s.body, "url": url_for("sessions.session", session_id=sid),
                         "speeches": len(speeches), "words": words, "attendance": status, "items": item_views})
        activity.append({"session": sid, "date": s.date, "count": len(speeches), "words": words,
                         "label": s.date, "href": url_for("sessions.session", session_id=sid)})
    words = distinctive(entry.id, [sp for _, sp in mine])
    known_roles = {fold(h.value) for h in entry.roles}
    speech_roles: dict[str, dict[str, Any]] = {}  # roles the debate gives them, with the dates
    for s, sp in mine:
        if not sp.role or fold(sp.role) in known_roles:
            continue
        held = speech_roles.setdefault(fold(sp.role), {"value": sp.role, "first": s.date,
                                                       "last": s.date, "sessions": set()})
        held["first"] = min(held["first"], s.date)
        held["last"] = max(held["last"], s.date)
        held["sessions"].add(s.id)
    info = {**entry.to_dict(), "roles": [h.to_dict() for h in entry.roles],
            "speech_roles": [{**h, "sessions": len(h["sessions"])} for h in
                             sorted(speech_roles.values(), key=lambda h: h["first"])],
            "labels": sorted(set(entry.labels))}
    spoke = [a for a in activity if a["count"]]
    newest_first = list(reversed(sessions))
    shown = 0
    for s in newest_first:  # the page lists the speeches of the SHOWN_SESSIONS latest sessions spoken in
        s["shown"] = bool(s["speeches"]) and shown < SHOWN_SESSIONS
        shown += bool(s["speeches"])
    return {
        "page": "elu", "person": info,
        "totals": {"speeches": len(mine), "words": sum(sp.words for _, sp in mine), "sessions": len(sessions),
                   "spoke_in": len(spoke), "first": sessions[0]["date"] if sessions else None,
                   "last": sessions[-1]["date"] if sessions else None},
        "sessions": newest_first,
        "distinctive": words,
        "activity": activity,
        "chart": charts.bar_chart(activity, value="words", height=110) if spoke else None,
        "feed": url_for("persons.person_feed", slug=entry.id),
    }


def _attendance(record: Any, ids: set[str], names: list[str]) -> str:
    """« présent », « excusé », « absent » or « procuration » as the session's lists say; "" if they do not."""
    s = record.session
    folded = {fold(n) for n in names}
    if any(fold(n) in folded for n in s.excused):
        return "excusé"
    if any(fold(n) in folded for n in s.absent):
        return "absent"
    if any(p.giver_id in ids or fold(p.giver) in folded for p in s.proxies):
        return "procuration donnée"
    if any(fold(n) in folded for n in s.present):
        return "présent"
    return ""


@twin_route(bp, "/elus/<slug>")
def person(slug: str) -> Any:
    canonical = registry().canonical(slug)
    if canonical and canonical != slug:  # a spelling merged into another: one page per person
        target = url_for("persons.person_json" if request.path.endswith(".json") else "persons.person", slug=canonical)
        return redirect(target, code=301)
    data = person_data(slug)
    if data is None:
        abort(404)
    return respond(data, "person.html")


def persons_data() -> dict[str, Any]:
    reg = registry()
    speeches: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for r in store().records():
        for sp in r.speeches:
            cid = reg.canonical(sp.person_id)
            if cid:
                speeches[cid] += 1
                words[cid] += sp.words
    by_id = {r.session.id: r.session.date for r in store().records()}
    people = []
    for pid, e in reg.persons.items():
        dates = [by_id[sid] for sid in e.sessions if by_id.get(sid)]
        people.append({"id": pid, "name": e.name, "civility": e.civility, "group": e.group, "guest": e.guest,
                       "speeches": speeches[pid], "words": words[pid], "sessions": len(e.sessions),
                       "first": min(dates) if dates else None, "last": max(dates) if dates else None,
                       "variants": len(e.ids) - 1, "url": url_for("persons.person", slug=pid)})
    people.sort(key=lambda p: (fold(surname_of(p["name"])), fold(p["name"])))
    return {"page": "elus", "total": len(people), "speakers": sum(1 for p in people if p["speeches"]),
            "merged": sum(p["variants"] for p in people), "persons": people}


@bp.route("/elus/<slug>/flux.atom")
def person_feed(slug: str) -> Any:
    """The person's latest speeches (50), newest first."""
    from .feeds import atom_response

    entry = registry().get(slug)
    if entry is None:
        abort(404)
    ids = set(entry.ids)
    entries = []
    for light in reversed(store().records()):
        if not any(sp.person_id in ids for sp in light.speeches):
            continue
        record = store().record(light.session.id, keep=False) or light
        for sp in record.speeches:
            if sp.person_id in ids:
                item = record.item(sp.item)
                entries.append({"id": sp.id, "updated": record.session.date,
                                "title": f"{entry.name} — {item.title.rstrip(' |') if item else 'séance'}"[:300],
                                "url": url_for("sessions.session", session_id=record.session.id, _anchor=anchor(sp.id)),
                                "summary": excerpt(sp.text, 400)})
        if len(entries) >= 50:
            break
    return atom_response(f"Interventions de {entry.name}", url_for("persons.person", slug=entry.id), entries[:50])


@twin_route(bp, "/elus")
def persons() -> Any:
    return respond(persons_data(), "persons.html")
