"""The web app: faceted search, timelines, session, person, deliberation and vœu pages.

`create_app(config)` builds a Flask app; every page is also served as JSON (see `twin`).
Run it with `minutes serve` (waitress) or `flask --app webapp run` for development.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask.globals import request_ctx
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from indexer.config import SERVER_THREADS, minutes_home

from . import filters
from .cache import ResponseCache, etag_of
from .store import Store, Unavailable
from .twin import respond, wants_json

#: seconds a request waits for the same page being rendered by another request
LOCK_WAIT = 30.0

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
    app.config.update(MINUTES_HOME=None, MINUTES_RESPONSE_CACHE=True, MINUTES_THREADS=SERVER_THREADS)
    if config:
        app.config.update(config)
    home = Path(app.config["MINUTES_HOME"]).resolve() if app.config["MINUTES_HOME"] else minutes_home()
    app.config["MINUTES_HOME"] = str(home)
    app.extensions["minutes"] = Store(home, threads=int(app.config["MINUTES_THREADS"]))
    app.jinja_env.autoescape = True
    app.jinja_env.bytecode_cache = _bytecode_cache()
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    filters.register(app)

    from .views import api, deliberations, home as home_view, persons, question, search, sessions, timeline, wishes

    for module in (home_view, search, sessions, timeline, persons, deliberations, wishes, question, api):
        app.register_blueprint(module.bp)

    app.extensions["minutes-cache"] = ResponseCache()
    app.before_request(_from_cache)
    app.after_request(_to_cache)
    app.teardown_request(_release_cache_lock)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Unavailable, _unavailable)
    return app


def _bytecode_cache() -> Any:
    """Compiled templates kept between starts (Jinja's per-user folder, mode 0700, keyed by each
    template's source), so a server starts without compiling them again; None if unavailable."""
    from jinja2 import FileSystemBytecodeCache

    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def _cache_key() -> tuple | None:
    """(index generation, URL, JSON?) for GET pages; None when the page must not be cached."""
    if request.method != "GET" or request.path.startswith("/static/"):
        return None
    if not current_app.config.get("MINUTES_RESPONSE_CACHE"):
        return None
    try:
        generation = current_app.extensions["minutes"].derived().generation
    except Unavailable:
        return None
    # the URL by its digest: a key is kept as long as its page, and a URL can be 100 KB long
    url = hashlib.blake2b(request.url.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return (generation, url, wants_json())


def _from_cache() -> Response | None:
    key = _cache_key()
    g.cache_key = key
    if key is None:
        return None
    cache = current_app.extensions["minutes-cache"]
    entry = cache.get(key)
    if entry is None:
        lock = cache.key_lock(key)  # a page being rendered is rendered once, the others wait for it
        if not lock.acquire(timeout=LOCK_WAIT):
            return None
        g.cache_lock = lock
        entry = cache.get(key)
        if entry is None:
            return None
        cache.done(key, lock)
        g.cache_lock = None
    status, headers, body = entry
    g.cache_key = None  # already stored
    response = Response(body, status=status, headers=headers)
    response.headers["X-Cache"] = "hit"
    return response.make_conditional(request)


def _release_cache_lock(_exc: BaseException | None = None) -> None:
    lock = g.pop("cache_lock", None)
    if lock is not None:
        current_app.extensions["minutes-cache"].done(g.get("cache_key"), lock)


def _to_cache(response: Response) -> Response:
    key = getattr(g, "cache_key", None)
    if key is None or response.status_code not in (200, 404) or response.direct_passthrough:
        return response
    body = response.get_data()
    response.set_etag(etag_of(body))
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "x-cache")]
    current_app.extensions["minutes-cache"].put(key, response.status_code, headers, body)
    response.headers["X-Cache"] = "miss"
    return response.make_conditional(request)


def _security_headers(response: Response) -> Response:
    current_app.extensions["minutes"].last_request = time.monotonic()
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
    if request_ctx.url_adapter is None:  # a request that cannot be routed (a Host header Werkzeug refuses)
        return Response(f"{data['title']} : {data['message']}\n", status=code, mimetype="text/plain")
    return respond(data, "error.html", status=code)


def _unavailable(exc: Unavailable) -> Any:
    data = {"page": "erreur", "status": 503, "title": "Service indisponible", "message": str(exc)}
    return respond(data, "error.html", status=503)
