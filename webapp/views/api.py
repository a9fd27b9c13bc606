"""The API: the JSON twins of the pages, described by an OpenAPI 3 document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, url_for

from indexer.search.filters import openapi_parameters

from ..twin import respond, twin_route

bp = Blueprint("api", __name__)


def _param(name: str, description: str, *, where: str = "query", required: bool = False,
           repeated: bool = False, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = schema or {"type": "string"}
    if repeated:
        schema = {"type": "array", "items": schema}
    out = {"name": name, "in": where, "required": required or where == "path", "description": description,
           "schema": schema}
    if repeated:
        out.update({"style": "form", "explode": True})
    return out


def _op(summary: str, schema_ref: str, params: list[dict[str, Any]] | None = None,
        media: str = "application/json", not_found: bool = False) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {media: {"schema": {"$ref": schema_ref}}
                                                                         if schema_ref else {"schema": {"type": "string"}}}}}
    if not_found:
        responses["404"] = {"description": "Introuvable", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}
    return {"get": {"summary": summary, "parameters": params or [], "responses": responses}}


def openapi() -> dict[str, Any]:
    facets = openapi_parameters()  # from the library's one table of filters and facets
    q = _param("q", "requête : mots, \"phrase\", OR, -exclusion, préfixe*, orateur:…, groupe:…, date:2025-09")
    tri = _param("tri", "tri", schema={"type": "string", "enum": ["pertinence", "date"]})
    page = _param("page", "page de résultats", schema={"type": "integer", "minimum": 1})
    obj = {"type": "object", "additionalProperties": True}

    def schema(required: list[str], props: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"type": "object", "required": required, "properties": props or {k: {} for k in required},
                "additionalProperties": True}

    hit = schema(["id", "kind", "speaker", "person_id", "group", "item", "item_title", "session", "date", "page",
                  "snippet", "score", "url", "permalink"])
    return {
        "openapi": "3.0.3",
        "info": {"title": "minutes — API des procès-verbaux", "version": "1",
                 "description": "Chaque page du site a un jumeau JSON : la même adresse suivie de « .json » "
                                "(ou l'en-tête Accept: application/json). Les données sont celles de la page."},
        "servers": [{"url": "/"}],
        "paths": {
            "/index.json": _op("Accueil : compteurs et séances", "#/components/schemas/Home"),
            "/recherche.json": _op("Recherche à facettes (une page de résultats)", "#/components/schemas/Search",
                                   [q, *facets, tri, page]),
            "/recherche/export.json": _op("Tous les résultats d'une recherche (1000 au plus)",
                                          "#/components/schemas/Export", [q, *facets, tri]),
            "/recherche.csv": _op("Tous les résultats d'une recherche, en CSV", "", [q, *facets, tri],
                                  media="text/csv"),
            "/seances.json": _op("Liste des séances par année", "#/components/schemas/Sessions"),
            "/seances/{session_id}.json": _op("Une séance : présences, chronologie, débat par point",
                                              "#/components/schemas/Session",
                                              [_param("session_id", "identifiant de la séance", where="path")],
                                              not_found=True),
            "/chronologie.json": _op("Chronologie des débats (avec q : où et quand le sujet a été débattu)",
                                     "#/components/schemas/Timeline",
                                     [_param("q", "sujet"), _param("annee", "n'afficher qu'une année")]),
            "/elus.json": _op("Liste des personnes", "#/components/schemas/Persons"),
            "/elus/{slug}.json": _op("Une personne : interventions, mots distinctifs, activité",
                                     "#/components/schemas/Person",
                                     [_param("slug", "identifiant de la personne", where="path")], not_found=True),
            "/deliberations.json": _op("Liste des délibérations", "#/components/schemas/Deliberations",
                                       [_param("annee", "année"), _param("resultat", "adopté, rejeté…"),
                                        _param("texte", "texte dans le numéro, le titre ou les articles")]),
            "/deliberations/{number}.json": _op("Une délibération : visas, articles, vote, débat, rapport",
                                                "#/components/schemas/Deliberation",
                                                [_param("number", "numéro, ex. 2025-361", where="path")],
                                                not_found=True),
            "/deliberations/{number}/tableau-{n}.json": _op(
                "Un tableau d'une délibération (son rapport, ses articles) : titre, colonnes, lignes "
                "(la page : tableau-{n}, le CSV : tableau-{n}.csv)",
                "#/components/schemas/Table",
                [_param("number", "numéro, ex. 2025-361", where="path"),
                 _param("n", "rang du tableau dans la délibération", where="path", schema={"type": "integer"})],
                not_found=True),
            "/voeux.json": _op("Liste des vœux", "#/components/schemas/Wishes"),
            "/voeux/{session_id}/{number}.json": _op(
                "Un vœu", "#/components/schemas/Wish",
                [_param("session_id", "séance", where="path"),
                 _param("number", "rang du vœu dans la séance", where="path", schema={"type": "integer"})],
                not_found=True),
            "/api.json": _op("Liste des points d'accès", "#/components/schemas/Api"),
            "/accessibilite.json": _op("Déclaration d'accessibilité (RGAA 4.1)", "#/components/schemas/Accessibility"),
            "/question.json": _op("Réponse à une question, avec citations", "#/components/schemas/Question",
                                  [_param("q", "la question, en français")]),
        },
        "components": {"schemas": {
            "Error": schema(["page", "status", "title", "message"]),
            "Home": schema(["page", "counts", "sessions"]),
            "Hit": hit,
            "Search": schema(["page", "query", "total", "hits", "facets", "chips", "suggestion", "pagination"],
                             {"page": {"type": "string"}, "query": {"type": "string"}, "total": {"type": "integer"},
                              "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                              "facets": {"type": "array", "items": obj}, "chips": {"type": "array", "items": obj},
                              "suggestion": {"nullable": True}, "pagination": {"nullable": True}}),
            "Export": schema(["query", "total", "truncated", "hits"]),
            "Sessions": schema(["page", "total", "years"]),
            "Session": schema(["page", "session", "timeline", "agenda", "deliberations", "wishes"]),
            "Timeline": schema(["page", "query", "sessions", "hits", "years"]),
            "Persons": schema(["page", "total", "persons"]),
            "Person": schema(["page", "person", "totals", "sessions", "distinctive", "activity"]),
            "Deliberations": schema(["page", "filters", "total", "deliberations"]),
            "Deliberation": schema(["page", "deliberation", "session", "item", "debate"]),
            "Table": schema(["page", "deliberation", "table"]),
            "Wishes": schema(["page", "total", "wishes"]),
            "Wish": schema(["page", "wish", "session"]),
            "Question": schema(["page", "question", "answer"]),
            "Api": schema(["page", "openapi", "paths"]),
            "Accessibility": schema(["page", "standard", "conformity", "checks", "limits", "contact"]),
        }},
    }


@bp.route("/api/openapi.json")
def openapi_json() -> Any:
    return jsonify(openapi())


@twin_route(bp, "/api")
def api_page() -> Any:
    spec = openapi()
    data = {"page": "api", "openapi": url_for("api.openapi_json"),
            "paths": [{"path": path, "summary": ops["get"]["summary"]} for path, ops in spec["paths"].items()]}
    return respond(data, "api.html")
