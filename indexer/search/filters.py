"""The one table of search filters and facets.

Each row names a filter: its library key, the French name used as web parameter and CLI
option, the other names a query accepts (`orateur:`, `oratrice:` …), its French label and
help, how a value is matched (`match` and the index fields), and the index column counted
as a facet (None: a filter without a facet).  The query parser, `normalise_filters`, the
CLI options of `minutes search`, the web parameters and facets of /recherche, the OpenAPI
description and the backends' filter queries are all built from this table: a new filter
or facet (say « rapporteur ») is one more row here (and its field in the index).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..units import KINDS


@dataclass(frozen=True)
class Filter:
    key: str  # library key ("speaker")
    param: str  # web parameter and CLI option ("orateur" → ?orateur=… and --orateur)
    aliases: tuple[str, ...]  # other names accepted in queries and filter dicts (folded)
    label: str  # French label of the facet or filter
    help: str  # French help (CLI and OpenAPI)
    match: str  # "exact" (a value of `fields`, or the words of `words`), "date", "from", "to"
    fields: tuple[str, ...] = ()  # index fields holding exact values
    words: str = ""  # index field matched by the value's words (all of them, in order)
    all_words: bool = False  # the words of the value anywhere in `words` (not as a phrase)
    number: str = ""  # index field matched by a value made of digits only
    facet: str | None = None  # index column counted as a facet
    web: bool = True  # a parameter of /recherche (facets are; date bounds are typed in the query)


FILTERS: tuple[Filter, ...] = (
    Filter("speaker", "orateur", ("oratrice", "speaker"), "Orateur", "filtrer par orateur (nom ou identifiant)",
           "exact", fields=("speaker_f", "person_id"), words="speaker", facet="speaker_f"),
    Filter("group", "groupe", ("group",), "Groupe", "filtrer par groupe politique",
           "exact", fields=("group_f",), words="group", facet="group_f"),
    Filter("item", "point", ("item",), "Point de l'ordre du jour",
           "filtrer par point de l'ordre du jour (id, numéro ou mots du titre)",
           "exact", fields=("item", "item_f"), words="item_title", all_words=True, number="item_no", facet="item_f"),
    Filter("session", "seance", ("session",), "Séance", "filtrer par séance (identifiant ou date)",
           "exact", fields=("session", "date"), facet="session"),
    Filter("kind", "type", ("kind",), "Type", ", ".join(KINDS), "exact", fields=("kind",), facet="kind"),
    Filter("year", "annee", ("year",), "Année", "filtrer par année (AAAA)", "exact", fields=("year",),
           facet="year"),
    Filter("date", "date", (), "Date", "AAAA, AAAA-MM ou AAAA-MM-JJ", "date", fields=("date",), web=False),
    Filter("from", "du", ("from",), "Du", "à partir de cette date", "from", fields=("date",), web=False),
    Filter("to", "au", ("to",), "Au", "jusqu'à cette date", "to", fields=("date",), web=False),
)

BY_KEY: dict[str, Filter] = {f.key: f for f in FILTERS}
#: every name a query or a filter dict may use → library key
FILTER_ALIASES: dict[str, str] = {name: f.key for f in FILTERS for name in (f.param, f.key, *f.aliases)}
FILTER_KEYS: tuple[str, ...] = tuple(f.key for f in FILTERS)
#: facet key → index column, in sidebar order
FACETS: dict[str, str] = {f.key: f.facet for f in FILTERS if f.facet}
#: facets whose values are listed by value (newest first), not by count
BY_VALUE = ("year", "session")
DATE_KEYS = ("date", "from", "to", "year")

KIND_ALIASES = {"intervention": "intervention", "interventions": "intervention", "discours": "intervention",
                "deliberation": "deliberation", "deliberations": "deliberation", "delib": "deliberation",
                "voeu": "voeu", "voeux": "voeu", "rapport": "rapport", "rapports": "rapport",
                "tableau": "tableau", "tableaux": "tableau",
                "passage": "passage", "passages": "passage", "page": "passage"}


def web_facets() -> tuple[tuple[str, str, str], ...]:
    """(web parameter, library key, French label) of each facet of /recherche, in order."""
    return tuple((f.param, f.key, f.label) for f in FILTERS if f.facet and f.web)


def add_cli_options(parser) -> None:  # noqa: ANN001 - an argparse parser
    """One repeatable --<param> option per filter."""
    for f in FILTERS:
        parser.add_argument(f"--{f.param}", action="append", dest=f"filter_{f.key}", metavar="VALEUR", help=f.help)


def cli_filters(args) -> dict[str, list[str]]:  # noqa: ANN001 - argparse namespace
    """The filters given as CLI options, by library key."""
    return {f.key: values for f in FILTERS if (values := getattr(args, f"filter_{f.key}", None))}


def openapi_parameters() -> list[dict]:
    """The repeated query parameters of /recherche, as OpenAPI 3 parameter objects."""
    return [{"name": f.param, "in": "query", "required": False,
             "description": f"filtre « {f.label.lower()} » (répétable : valeurs en OU) ; {f.help}",
             "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True}
            for f in FILTERS if f.web]
