"""Atom feeds (RFC 4287): a search, a person's speeches, the decisions — to follow a topic."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Response, render_template, request


def _stamp(value: str) -> str:
    """An ISO date as an Atom date-time (midnight UTC); now when there is none."""
    if value and len(value) >= 10:
        return f"{value[:10]}T00:00:00Z"
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_response(title: str, page_url: str, entries: list[dict[str, Any]]) -> Response:
    """entries: {id, title, url, updated (ISO date), summary}; URLs are paths of this site."""
    host = request.host_url.rstrip("/")
    items = [{**e, "url": host + e["url"], "id": "tag:" + request.host.split(":")[0] + ",minutes:" + e["id"],
              "updated": _stamp(e.get("updated", ""))} for e in entries]
    updated = max((e["updated"] for e in items), default=_stamp(""))
    body = render_template("feed.xml", title=title, self_url=request.url, page_url=host + page_url,
                           feed_id="tag:" + request.host.split(":")[0] + ",minutes:" + request.full_path,
                           updated=updated, entries=items)
    return Response(body, mimetype="application/atom+xml")
