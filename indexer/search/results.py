"""What a search gives: hits (with HTML-escaped snippets) and the result page."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

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
