"""The web app: faceted search, timelines, session, person, deliberation and vœu pages.

`create_app(config)` builds a Flask app; every page is also served as JSON (see `twin`).
Run it with `minutes serve` (waitress) or `flask --app webapp run` for development.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from indexer.config import minutes_home

from . import filters
from .store import Store, Unavailable
from .twin import respond

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class SafeJSONProvider(DefaultJSONProvider):
    """JSON with <, > and & written as \\u escapes: the same values, never readable as HTML."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.json = SafeJSONProvider(app)
    app.config.update(MINUTES_HOME=None, JSON_SORT_KEYS=False)
    if config:
        app.config.update(config)
    home = Path(app.config["MINUTES_HOME"]).resolve() if app.config["MINUTES_HOME"] else minutes_home()
    app.config["MINUTES_HOME"] = str(home)
    app.extensions["minutes"] = Store(home)
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    filters.register(app)

    from .views import api, deliberations, home as home_view, persons, question, search, sessions, timeline, wishes

    for module in (home_view, search, sessions, timeline, persons, deliberations, wishes, question, api):
        app.register_blueprint(module.bp)

    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Unavailable, _unavailable)
    return app


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
    return response


_TITLES = {404: "Page introuvable", 405: "Méthode non autorisée", 400: "Requête incorrecte",
           500: "Erreur interne"}
_MESSAGES = {404: "Cette page n'existe pas ou plus. Vérifiez l'adresse, ou cherchez ce que vous voulez.",
             405: "Cette adresse ne s'utilise pas ainsi.", 400: "La requête n'a pas pu être comprise."}


def _http_error(exc: HTTPException) -> Any:
    code = exc.code or 500
    data = {"page": "erreur", "status": code, "title": _TITLES.get(code, "Erreur"),
            "message": _MESSAGES.get(code, "Une erreur est survenue.")}
    return respond(data, "error.html", status=code)


def _unavailable(exc: Unavailable) -> Any:
    data = {"page": "erreur", "status": 503, "title": "Service indisponible", "message": str(exc)}
    return respond(data, "error.html", status=503)
