"""The app's URL templates: one url_for per kind of page, then plain string formatting.

A search page has about a hundred links; url_for for each cost a third of the page.  The
templates are built once per application root (``request.script_root``) from the routes
themselves, so they follow the routes, and each value is quoted as werkzeug quotes it: the
links are the ones url_for writes.  They are also what the web app gives the library for
the permalinks of hits (`Hit.link`): the library knows no URL.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, request, url_for

#: what werkzeug's default converter leaves unescaped in a path segment
PATH_SAFE = "!$&'()*+,/:;=@"
#: placeholder values given to url_for, replaced by template fields afterwards
_MARK = "zzq{}qzz"
_NUMBER = 987654321


def path_quote(value: str) -> str:
    return quote(str(value), safe=PATH_SAFE)


def _build() -> dict[str, str]:
    def mark(name: str) -> str:
        return _MARK.format(name)

    def field(url: str, *names: str) -> str:
        for name in names:
            url = url.replace(mark(name), "{" + name + "}")
        return url.replace(str(_NUMBER), "{wish}")

    session = field(url_for("sessions.session", session_id=mark("session")), "session")
    return {
        "session": session,
        "speech": session + "#{anchor}",
        "item": session + "#point-{item}",
        "deliberation": field(url_for("deliberations.deliberation", number=mark("number")), "number"),
        "report": field(url_for("deliberations.deliberation", number=mark("number")), "number") + "#r{passage}",
        "table": field(url_for("deliberations.table", number=mark("number"), n=mark("table")), "number", "table"),
        "wish": field(url_for("wishes.wish", session_id=mark("session"), number=_NUMBER), "session"),
        "person": field(url_for("persons.person", slug=mark("person")), "person"),
    }


def templates() -> dict[str, str]:
    """The URL templates of this app under the current request's root."""
    cache = current_app.extensions.setdefault("minutes-links", {})
    root = request.script_root
    found = cache.get(root)
    if found is None:
        found = cache[root] = _build()
    return found


def session_link(session_id: str, anchor: str | None = None) -> str:
    url = templates()["session"].format(session=path_quote(session_id))
    return f"{url}#{quote(anchor, safe='%!#$&()*+,/:;=?@' + chr(39))}" if anchor else url


def person_link(person_id: str | None) -> str | None:
    return templates()["person"].format(person=path_quote(person_id)) if person_id else None


#: the main navigation: (endpoint, label, page key)
NAV = (("search.search", "Recherche", "recherche"), ("timeline.timeline", "Chronologie", "chronologie"),
       ("sessions.sessions", "Séances", "seances"), ("persons.persons", "Élus", "elus"),
       ("deliberations.deliberations", "Délibérations", "deliberations"), ("wishes.wishes", "Vœux", "voeux"),
       ("question.question", "Question", "question"))


def site_links() -> dict:
    """The links every page carries (stylesheet, navigation, footer), once per application root."""
    cache = current_app.extensions.setdefault("minutes-site-links", {})
    root = request.script_root
    found = cache.get(root)
    if found is None:
        found = cache[root] = {
            "css": url_for("static", filename="css/site.css"), "home": url_for("home.index"),
            "api": url_for("api.api_page"), "accessibility": url_for("home.accessibility"),
            "nav": [(url_for(endpoint), label, key) for endpoint, label, key in NAV]}
    return found
