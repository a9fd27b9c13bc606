"""Every page has a JSON twin: one function builds the view-model dict, both renderings use it.

`twin_route(bp, "/seances/<session_id>")` registers the HTML URL and the same URL with a
``.json`` suffix; `respond(data, "session.html")` renders the template with ``data`` or
returns ``data`` as JSON when the URL ends in ``.json`` or the client prefers JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, make_response, render_template, request


def json_rule(rule: str) -> str:
    return "/index.json" if rule == "/" else rule.rstrip("/") + ".json"


def twin_route(bp: Blueprint, rule: str, **options: Any) -> Callable[[Callable], Callable]:
    """Register `rule` and its ``.json`` twin for the same view function."""

    def decorate(view: Callable) -> Callable:
        endpoint = options.pop("endpoint", view.__name__)
        bp.add_url_rule(rule, endpoint=endpoint, view_func=view, **options)
        bp.add_url_rule(json_rule(rule), endpoint=endpoint + "_json", view_func=view, **options)
        return view

    return decorate


def wants_json() -> bool:
    if request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]


def json_url(path: str | None = None, args: Any = None) -> str:
    """The JSON twin of the current page (path + .json, same query string)."""
    path = path if path is not None else request.path
    if path.endswith(".json"):
        twin = path
    else:
        twin = json_rule(path)
    query = urlencode(list((args if args is not None else request.args).items(multi=True)))
    return twin + ("?" + query if query else "")


def respond(data: dict[str, Any], template: str, status: int = 200) -> Response:
    """The page as HTML or as its JSON twin.  Both say ``Vary: Accept``: the same URL gives
    either, so a shared cache must keep them apart."""
    if wants_json():
        response = jsonify(data)
        response.status_code = status
    else:
        response = make_response(render_template(template, data=data, json_href=json_url()), status)
    response.vary.add("Accept")
    return response
