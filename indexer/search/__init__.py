"""Full-text search over the units of every indexed session, behind one interface.

Query language (words are ANDed)::

    budget "service civique" Mercosur OR Eurostar -Calais téléassist* teleassistence~
    orateur:pajot groupe:"rassemblement national" point:2 seance:2025-09-22 type:voeu
    date:2025-09  du:2024-01-01 au:2025-12-31

The package: `filters` (the one table of filters and facets, from which the CLI options,
the web parameters, the facets and the OpenAPI description are built), `query` (the query
language), `results` (hits and pages), `snippets` (highlighting), `suggest` (spelling),
`backend` (what a backend does, and the time budget), `whoosh_backend` / `whoosh_engine`
(the embedded Whoosh index: every Whoosh import is there).  Syntax that cannot be
understood never raises: the query falls back to its plain words and
`SearchResult.notice` says so.  Searches run concurrently; one that takes more than
SEARCH_BUDGET seconds is cut, with a notice.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import Any

from ..index import home_dir
from .backend import Backend, Budget, Request
from .filters import FACETS, FILTER_ALIASES, FILTER_KEYS, FILTERS, KIND_ALIASES, Filter  # noqa: F401
from .query import MAX_QUERY_CHARS, NOTICE_SYNTAX, Clause, ParsedQuery, normalise_filters, parse_query  # noqa: F401
from .results import MAX_PER_PAGE, MAX_WINDOW, Hit, SearchResult  # noqa: F401
from .snippets import SNIPPET_CHARS, snippet  # noqa: F401
from .suggest import Vocabulary  # noqa: F401

SORTS = ("relevance", "date", "date_asc")
#: seconds a search may spend expanding, uniting and scoring before it is cut (with a notice)
SEARCH_BUDGET = 1.0

_DEFAULT: Any = object()


def backend_for(home: str) -> Backend:
    """The backend of one index home: PostgreSQL when MINUTES_DATABASE_URL is set, else the
    Whoosh index of `home` (one backend per home or database per process)."""
    url = os.environ.get("MINUTES_DATABASE_URL", "").strip()
    with _backends_lock:  # two threads asking at once get the same one (lru_cache would make two)
        return _pg_backend(url) if url else _whoosh_backend(home)


_backends_lock = threading.Lock()


@functools.lru_cache(maxsize=8)
def _whoosh_backend(home: str) -> Backend:
    from .whoosh_backend import WhooshBackend

    return WhooshBackend(Path(home))


@functools.lru_cache(maxsize=8)
def _pg_backend(url: str) -> Backend:
    from .pg_query import PgBackend

    return PgBackend(url)


def forget_queries(home: Path | None = None) -> None:
    """Drop what searches of `home` computed and kept (posting sets, phrases, filters), not what is
    computed once per index generation (facet columns, lengths): a benchmark's "new" query."""
    backend_for(str(home_dir(home))).forget()


def warm(home: Path | None = None) -> None:
    """Open the current generation's searcher and read what every search of it needs (live
    documents, lengths, facet columns), so that the first search after a start or a commit
    does not pay for it."""
    backend = backend_for(str(home_dir(home)))
    prepare = getattr(backend, "warm", None)
    if prepare is not None:
        prepare()


def search(query: str, *, filters: dict[str, list[str]] | None = None, page: int = 1, per_page: int = 20,
           sort: str = "relevance", home: Path | None = None, facets: bool = True,
           budget: float | None = _DEFAULT) -> SearchResult:  # type: ignore[assignment]
    """Search the index of `home` (default $MINUTES_HOME).

    A search that takes more than `budget` seconds (default SEARCH_BUDGET; None: no limit)
    stops expanding and scoring, and gives what it found with a notice.

    `filters` uses FILTER_KEYS (or their French names): values of one key are ORed
    (multi-select), keys are ANDed, and they add to the filters typed in the query.
    Facet counts for a key ignore that key's own filter, so choices stay visible.
    """
    query = query or ""
    truncated = None
    if len(query) > MAX_QUERY_CHARS:
        truncated = f"Requête tronquée à {MAX_QUERY_CHARS} caractères"
        query = query[:MAX_QUERY_CHARS]
    pq = parse_query(query)
    notice = " ; ".join(n for n in (truncated, pq.notice) if n) or None
    param_filters, filter_notice = normalise_filters(filters)
    notice = notice or filter_notice
    merged: dict[str, list[str]] = {k: list(v) for k, v in param_filters.items()}
    for k, values in pq.filters.items():
        for v in values:
            if v not in merged.setdefault(k, []):
                merged[k].append(v)
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    max_page = max(1, MAX_WINDOW // per_page)
    page = max(1, int(page or 1))
    if page > max_page:
        notice = notice or f"Seuls les {MAX_WINDOW} premiers résultats sont accessibles"
        page = max_page
    sort = sort if sort in SORTS else "relevance"
    result = SearchResult(query=query, total=0, page=page, per_page=per_page, notice=notice, filters=merged,
                          sort=sort)
    if not query.strip() and not merged:
        return result

    spent = Budget(SEARCH_BUDGET if budget is _DEFAULT else budget)
    request = Request(raw=query, parsed=pq, filters=merged, page=page, per_page=per_page, sort=sort, facets=facets)
    found = backend_for(str(home_dir(home))).run(request, spent)
    if found is None:
        result.notice = result.notice or "Aucun index : lancez « minutes index » d'abord"
        return result
    result.total, result.hits, result.facets, result.suggestion = found.total, found.hits, found.facets, \
        found.suggestion
    if found.notice:
        result.notice = result.notice or found.notice
    if spent.cut:
        cut = (f"Recherche écourtée : requête trop coûteuse, arrêtée après {spent.seconds:g} s "
               "(résultats partiels) ; simplifiez-la (moins de mots approchés ~ ou de préfixes *)")
        result.notice = f"{result.notice} ; {cut}" if result.notice else cut
    return result


def suggest(word: str, *, home: Path | None = None) -> str | None:
    """The closest indexed word to `word` (accents restored), or None if `word` is known or nothing is close."""
    result = search(word, home=home, per_page=1, facets=False)
    return result.suggestion
