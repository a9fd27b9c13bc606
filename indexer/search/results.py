"""What a search gives: hits (with HTML-escaped snippets) and the result page."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Callable

MAX_PER_PAGE = 100
MAX_WINDOW = 1000  # deepest result reachable by paging


@dataclass
class Hit:
    id: str
    kind: str  # "intervention" | "deliberation" | "voeu" | "rapport" | "passage"
    speaker: str
    person_id: str
    group: str
    item: str  # agenda item id
    item_title: str
    session: str
    date: str
    page: int | None
    snippet: str  # HTML-escaped, matched words in <mark>
    score: float
    url: str  # permalink path
    title: str = ""
    number: str = ""  # deliberation number

    def to_dict(self) -> dict:
        return asdict(self)

    def link(self, templates: dict[str, str], quote: Callable[[str], str] = str) -> str:
        """This hit's permalink from the caller's URL templates (the library knows no URL).

        `templates` maps each place a hit can open to a template: "speech" (a speech or a
        page passage in its session: ``{session}``, ``{anchor}``), "item" (an agenda item:
        ``{item}``), "session", "deliberation" (``{number}``), "report" (passage
        ``{passage}`` of its annexed report), "table" (its table ``{table}``, its rank: 1, 2 …) and "wish"
        (``{wish}``, the vœu's number in its session); each value goes through `quote`.  A
        deliberation number the session repeats opens the session at its item (the page of
        the number shows the first)."""
        return link_of(self, templates, quote)


def link_of(hit: Hit, templates: dict[str, str], quote: Callable[[str], str] = str) -> str:
    """`hit.link(templates, quote)`."""
    anchor = hit.id.rsplit("/", 1)[-1]
    fields = {"session": quote(hit.session), "anchor": quote(anchor), "item": quote(hit.item or ""),
              "number": quote(hit.number or "")}
    if hit.kind in ("deliberation", "rapport", "tableau"):
        # "<session>/d/<key>", "<session>/r/<key>/003", "<session>/t/<key>/02-001": a key may hold "/"
        rest = hit.id.split("/", 2)[-1]
        key = rest if hit.kind == "deliberation" else rest.rsplit("/", 1)[0]
        if hit.number and key == hit.number:
            if hit.kind == "rapport":
                return templates["report"].format(**fields, passage=quote(anchor))
            if hit.kind == "tableau":
                return templates["table"].format(**fields, table=quote(anchor.split("-", 1)[0].lstrip("0") or "0"))
            return templates["deliberation"].format(**fields)
        return templates["item" if hit.item else "session"].format(**fields)
    if hit.kind == "voeu" and anchor[:1] == "v" and anchor[1:].isdigit():
        return templates["wish"].format(**fields, wish=anchor[1:])
    return templates["speech"].format(**fields)


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    notice: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"

    @property
    def pages(self) -> int:
        reachable = min(self.total, MAX_WINDOW)
        return max(1, -(-reachable // self.per_page))

    def to_dict(self) -> dict:
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "pages": self.pages, "sort": self.sort, "hits": [h.to_dict() for h in self.hits],
                "facets": self.facets, "suggestion": self.suggestion, "notice": self.notice,
                "filters": self.filters}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
