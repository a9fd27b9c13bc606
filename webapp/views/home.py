"""Home: one search box, one question box, the sessions, a few counts."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from flask import Blueprint

from indexer.analysis import STOPWORDS, fold
from indexer.model import Record
from indexer.people import surname_of

from ..links import path_quote, templates
from ..store import Unavailable
from ..twin import respond, twin_route
from .common import session_summary, store

bp = Blueprint("home", __name__)


def home_data() -> dict[str, Any]:
    notices: list[str] = []
    try:
        records = store().records()
    except Unavailable as exc:
        records, notices = [], [str(exc)]
    if not records and not notices:
        notices.append("Aucune séance n'est encore indexée : lancez « minutes index corpus/ ».")
    persons = {sp.person_id for r in records for sp in r.speeches if sp.person_id}
    counts = {
        "sessions": len(records),
        "speeches": sum(len(r.speeches) for r in records),
        "speakers": len(persons),
        "deliberations": sum(len(r.deliberations) for r in records),
        "wishes": sum(len(r.wishes) for r in records),
        "words": sum(sp.words for r in records for sp in r.speeches),
    }
    sessions = [session_summary(r) for r in reversed(records)]
    return {"page": "accueil", "counts": counts, "sessions": sessions[:30],
            "more_sessions": max(len(sessions) - 30, 0), "notices": notices,
            "examples": store().memo("home:examples", lambda: examples(records, _recent(records))) if records else
            {"search": [], "question": []}}


#: words of agenda titles that name no subject
_BLAND = frozenset(fold(w) for w in """rapport rapports point points délibération délibérations conseil municipal
municipale séance séances approbation adoption procès-verbal verbal compte rendu communication communications
questions diverses décision décisions désignation divers ordre jour présentation modification modifications
convention conventions année exercice monsieur madame maire président ouverture clôture installation
secrétaire approbation précédente précédent""".split())


def _topic_words(records: list[Record]) -> list[str]:
    """The words that name the most agenda items across the archive (subjects, not formulas)."""
    counts: Counter[str] = Counter()
    forms: dict[str, str] = {}
    places = {w for r in records for w in fold(r.session.body or "").split()}  # « Pierrefonds » names no subject
    for record in records:
        seen = set(places)
        for item in record.agenda:
            for word in re.findall(r"[^\W\d_]{6,}", item.title):
                key = fold(word)
                if key in STOPWORDS or key in _BLAND or key in seen:
                    continue
                seen.add(key)
                counts[key] += 1
                forms.setdefault(key, word.lower())
    return [forms[k] for k, _ in counts.most_common(6)]


def _recent(records: list[Record], n: int = 5) -> list[Record]:
    """The full records (texts) of the `n` latest of `records`."""
    full = [store().record(r.session.id) for r in records[-n:]]
    return [r for r in full if r is not None]


def examples(records: list[Record], recent: list[Record] | None = None) -> dict[str, list[str]]:
    """Example searches and questions drawn from the indexed sessions, so that each one finds something.
    `recent`: the full records of the latest five (default: the last five of `records`)."""
    topics = _topic_words(records)
    search = topics[:2]
    latest = records[-1]
    numbered = next((d.number for r in reversed(records) for d in r.deliberations if d.number), None)
    if numbered:
        search.append(numbered)
    words: Counter[str] = Counter()
    recent = records[-5:] if recent is None else recent
    for record in recent:
        for sp in record.speeches:
            if sp.person_id and not sp.role.startswith("présid"):
                words[sp.speaker] += sp.words
    for speaker, _ in words.most_common(3):  # a speaker and a subject they spoke of
        said = fold(" ".join(sp.text for r in recent for sp in r.speeches if sp.speaker == speaker))
        topic = next((t for t in topics if fold(t) in said), None)
        if topic:
            search.append(f"orateur:{fold(surname_of(speaker)).split(' ')[0]} {topic}")
            break
    question = []
    if topics:
        topic = topics[min(2, len(topics) - 1)]
        question.append(f"Qui a parlé d'{topic} ?" if fold(topic)[0] in "aeiouyh" else f"Qui a parlé de {topic} ?")
    if latest.session.date:
        from ..filters import date_fr
        question.append(f"Qui a présidé la séance du {date_fr(latest.session.date)} ?")
    return {"search": search, "question": question}


@bp.route("/flux/recherche.atom")
def search_feed() -> Any:
    """The latest passages matching a search (q and the search page's filters), newest first."""
    from flask import request, url_for

    from .feeds import atom_response

    q = request.args.get("q", "")[:500]
    filters = {key: [v[:200] for v in request.args.getlist(param) if v.strip()][:10]
               for param, key in (("orateur", "speaker"), ("groupe", "group"), ("point", "item"),
                                  ("seance", "session"), ("type", "kind"), ("annee", "year"))}
    filters = {k: v for k, v in filters.items() if v}
    entries = []
    if q.strip() or filters:
        result = store().search(q, filters=filters, page=1, per_page=50, sort="date", facets=False)
        links = templates()
        for hit in result.hits:
            title = hit.title or hit.item_title or f"Séance du {hit.date}"
            entries.append({"id": hit.id, "updated": hit.date, "url": hit.link(links, path_quote),
                            "title": (f"{hit.speaker} — " if hit.speaker else "") + title[:250],
                            "summary": re.sub(r"</?mark>", "", hit.snippet or "")})
    import html as _html
    for e in entries:
        e["summary"] = _html.unescape(e["summary"])
    page = url_for("search.search", q=q or None, **{p: request.args.getlist(p) for p in
                                                    ("orateur", "groupe", "point", "seance", "type", "annee")
                                                    if request.args.getlist(p)})
    return atom_response(f"Recherche « {q} »" if q else "Recherche", page, entries)


@twin_route(bp, "/accessibilite")
def accessibility() -> Any:
    """The accessibility statement (RGAA 4.1): what was checked, how, and whom to tell."""
    return respond({"page": "accessibilite", "title": "Déclaration d'accessibilité", "standard": "RGAA 4.1",
                    "conformity": "partiellement conforme",
                    "checks": ["axe-core (règles WCAG 2.1 A et AA) dans Chromium sur chaque type de page, "
                               "à 1280 et 390 px de large : aucune violation grave ou critique",
                               "navigation au clavier : lien d'évitement, focus visible, formulaires",
                               "aucun script nécessaire : filtres, listes repliées (<details>) et graphiques "
                               "fonctionnent sans JavaScript ; chaque graphique a un tableau équivalent",
                               "pages lisibles à 390 px sans défilement horizontal"],
                    "limits": ["l'audit RGAA complet (106 critères) n'a pas été mené par un auditeur externe",
                               "les PDF sources des collectivités ne sont pas balisés : leur accessibilité ne "
                               "dépend pas de ce site",
                               "le texte des procès-verbaux est reproduit tel qu'extrait des PDF, coquilles comprises"],
                    "contact": "Signalez tout défaut d'accessibilité à l'équipe qui publie ce site (adresse de "
                               "contact de la collectivité) ; sans réponse satisfaisante, saisissez le Défenseur "
                               "des droits (defenseurdesdroits.fr)."}, "accessibility.html")


@twin_route(bp, "/")
def index() -> Any:
    return respond(home_data(), "home.html")
