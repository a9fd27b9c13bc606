"""Whoosh queries of the words and filters of a search; exact and date filters read from the
columns of their fields instead (`column_filter`)."""

from __future__ import annotations

import numpy as np
from whoosh import query as Q

from ..analysis import analyze
from .filters import BY_KEY


def terms_query(field: str, terms: list[str], boost: float = 1.0) -> Q.Query:
    if len(terms) == 1:
        return Q.Term(field, terms[0], boost=boost)
    return Q.Phrase(field, terms, boost=boost)


def filter_query(key: str, value: str) -> Q.Query:
    """The documents passing one filter value, from its row in `filters.FILTERS`."""
    f = BY_KEY[key]
    if f.match == "date":
        return Q.Term(f.fields[0], value) if len(value) == 10 else Q.Prefix(f.fields[0], value)
    if f.match == "from":
        return Q.TermRange(f.fields[0], value, None)
    if f.match == "to":
        return Q.TermRange(f.fields[0], None, value if len(value) == 10 else value + "\uffff")
    parts: list[Q.Query] = [Q.Term(name, value) for name in f.fields]
    terms = analyze(value) if f.words else []
    if f.number and value.isdigit():
        parts.append(Q.Term(f.number, value))
    elif terms:
        parts.append(Q.And([Q.Term(f.words, t) for t in terms]) if f.all_words else terms_query(f.words, terms))
    return parts[0] if len(parts) == 1 else Q.Or(parts)


def column_filter(view, key: str, value: str) -> np.ndarray | None:  # noqa: ANN001 - a whoosh_engine.View
    """Documents passing a filter on exact values or dates, from the columns of its fields
    (each distinct value tested once, documents by their value codes) instead of decoding
    the posting lists of its terms; None for a filter that matches words or numbers, or on
    fields without a column (then its query is run)."""
    f = BY_KEY[key]
    schema = view.searcher.schema
    if f.words or f.number or not value or not f.fields or \
            any(name not in schema or schema[name].column_type is None for name in f.fields):
        return None
    if f.match == "exact" or (f.match == "date" and len(value) == 10):
        test = value.__eq__
    elif f.match == "date":
        test = lambda label: label.startswith(value)  # noqa: E731
    elif f.match == "from":
        test = lambda label: label >= value  # noqa: E731
    elif f.match == "to":
        bound = value if len(value) == 10 else value + "\uffff"
        test = lambda label: label <= bound  # noqa: E731
    else:
        return None
    out = None
    for name in f.fields:
        labels, codes = view.codes(name)
        # an ID's column holds its one term; an empty value has none (no document matches it)
        passing = np.array([isinstance(v, str) and v != "" and test(v) for v in labels] or [False])
        docs = passing[codes] if len(codes) else view.none()
        out = docs if out is None else out | docs
    return view.live(out)
