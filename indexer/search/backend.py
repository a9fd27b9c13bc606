"""What the search library asks of an index backend, and the time budget every backend honours.

`indexer.search.search()` parses the query and the filters (backend-neutral: `query`,
`filters`), then hands a `Request` to the backend of the index home, which matches, counts
the facets, ranks, cuts snippets (with `snippets.snippet`, so highlighting is the same
everywhere) and suggests spellings.  The Whoosh backend (`whoosh_backend`) holds every
Whoosh import.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from .query import ParsedQuery
from .results import Hit


class Budget:
    """The time one search may take.  The expensive steps (expanding fuzzy and prefix words,
    uniting their documents, scoring their terms, reading phrase positions) look at it and
    stop when it is spent, so that one costly query cannot hold a thread for long.  What one
    index generation needs once (columns, lengths) is not counted: the backend `start`s the
    budget after preparing it."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.cut = False
        self.start()

    def start(self) -> None:
        self.deadline = None if self.seconds is None else time.monotonic() + self.seconds

    def spent(self) -> bool:
        if self.deadline is not None and not self.cut and time.monotonic() > self.deadline:
            self.cut = True
        return self.cut


@dataclass
class Request:
    """One search, parsed and validated."""

    raw: str  # the query as typed (cut at MAX_QUERY_CHARS)
    parsed: ParsedQuery
    filters: dict[str, list[str]]  # by library key: parameters and typed filters merged
    page: int
    per_page: int
    sort: str  # "relevance" | "date" | "date_asc"
    facets: bool


@dataclass
class Matches:
    """What a backend found for a Request."""

    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    notice: str | None = None  # e.g. "Aucun mot à chercher"


class Backend(Protocol):
    """The read side of an index backend."""

    def generation(self) -> Any:
        """A value that changes with every commit of the index (-1: no index)."""

    def run(self, request: Request, budget: Budget) -> Matches | None:
        """Match, count facets, rank, cut snippets; None when there is no index."""

    def forget(self) -> None:
        """Drop what searches computed and kept (not what one index generation needs)."""
