"""The PostgreSQL backend (psycopg 3): units, records and the index in one database, shared by
several `minutes serve` processes on several machines.

Terms come from the product's own French analyser (`indexer.analysis`), stored as `tsvector`
with their positions (so both backends analyse identically and match the same documents);
GIN indexes match, facets are aggregations, ranking is BM25 over the same folded field as
the Whoosh backend (title ×3, speaker ×2, group, body), snippets are cut and escaped by the
product (`snippets.snippet`).  Writing a batch of sessions is one transaction: a failure
mid-way leaves the previous state searchable.  The `generation` row changes with every commit.

Limits of `tsvector`: positions above 16,383 count as 16,383 and a term keeps 256 positions
per unit, so a phrase beyond the 16,383rd word of a unit is not found and term frequencies
stop at 256.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..analysis import analyze
from ..sources import SourceError

K1, B = 1.2, 0.5  # as the Whoosh backend
MAX_FUZZY_TERMS = 64
MAX_POSITION = 16383
MAX_POSITIONS = 256

SCHEMA = """
CREATE TABLE IF NOT EXISTS minutes_meta (key text PRIMARY KEY, value bigint NOT NULL);
INSERT INTO minutes_meta VALUES ('generation', 0), ('units', 0), ('length', 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS minutes_units (
    docnum bigserial PRIMARY KEY, id text UNIQUE NOT NULL, session text NOT NULL, kind text, date text, month text,
    year text, "order" integer, speaker text, speaker_f text, person_id text, "group" text, group_f text, role text,
    item text, item_title text, item_f text, item_no text, number text, title text, page integer, url text,
    body text, len integer NOT NULL, terms tsvector NOT NULL, speaker_terms tsvector, group_terms tsvector,
    item_title_terms tsvector);
CREATE INDEX IF NOT EXISTS minutes_units_terms ON minutes_units USING gin (terms);
CREATE INDEX IF NOT EXISTS minutes_units_session ON minutes_units (session);
CREATE INDEX IF NOT EXISTS minutes_units_number ON minutes_units (number);
CREATE TABLE IF NOT EXISTS minutes_terms (term text PRIMARY KEY, df integer NOT NULL);
CREATE TABLE IF NOT EXISTS minutes_vocab (session text NOT NULL, word text NOT NULL, n integer NOT NULL,
    PRIMARY KEY (session, word));
CREATE TABLE IF NOT EXISTS minutes_records (session text PRIMARY KEY, date text, record text NOT NULL);
"""


class DatabaseError(SourceError):
    """The database cannot be used: one French line naming the URL (never its password)."""


def safe_url(url: str) -> str:
    """`url` without its password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(adresse illisible)"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def connect(url: str):  # noqa: ANN201
    """A psycopg connection, or DatabaseError with what to do."""
    try:
        import psycopg
    except ImportError as exc:
        raise DatabaseError(f"{safe_url(url)} : le module psycopg n'est pas installé ; "
                            "installez-le (pip install 'psycopg[binary]') ou retirez MINUTES_DATABASE_URL") from exc
    try:
        return psycopg.connect(url, connect_timeout=10)
    except psycopg.OperationalError as exc:
        text = str(exc).lower()
        if "password" in text or "authentication" in text or "role" in text:
            what = "connexion refusée (utilisateur ou mot de passe) ; vérifiez MINUTES_DATABASE_URL"
        elif "does not exist" in text:
            what = "base de données inexistante ; créez-la (createdb) ou corrigez MINUTES_DATABASE_URL"
        else:
            what = "base injoignable ; vérifiez que le serveur PostgreSQL tourne et l'adresse MINUTES_DATABASE_URL"
        raise DatabaseError(f"{safe_url(url)} : {what}") from exc
    except (psycopg.Error, ValueError) as exc:
        raise DatabaseError(f"{safe_url(url)} : adresse de base de données invalide ({type(exc).__name__}) ; "
                            "attendu postgresql://utilisateur@hôte/base") from exc


# -- writing ----------------------------------------------------------------------

def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(text: str) -> tuple[str, int]:
    """The tsvector literal of `text` by the product's analyser (positions from 1), and its length."""
    positions: dict[str, list[int]] = {}
    n = 0
    for n, term in enumerate(analyze(text), 1):
        lst = positions.setdefault(term, [])
        if len(lst) < MAX_POSITIONS:
            lst.append(min(n, MAX_POSITION))
    return " ".join(f"{_lexeme(t)}:{','.join(map(str, dict.fromkeys(p)))}" for t, p in positions.items()), n


def _unit_row(u) -> tuple:  # noqa: ANN001 - an indexer.units.Unit
    folded = "\n\n".join(x for x in (u.title, u.title, u.title, u.speaker, u.speaker, u.group, u.text) if x)
    terms, length = tsvector(folded)
    return (u.id, u.session, u.kind, u.date or "0000-00-00", u.date[:7], u.date[:4] or "inconnue", u.order,
            u.speaker, u.speaker or "", u.person_id, u.group, u.group or "", u.role, u.item, u.item_title,
            (u.item_title or u.item) or "", u.item_no, u.number, u.title, u.page, u.url, u.text, length, terms,
            tsvector(u.speaker)[0], tsvector(u.group)[0], tsvector(u.item_title)[0]), set(analyze(folded))


_COLUMNS = ("id", "session", "kind", "date", "month", "year", "order", "speaker", "speaker_f", "person_id", "group",
            "group_f", "role", "item", "item_title", "item_f", "item_no", "number", "title", "page", "url", "body",
            "len", "terms", "speaker_terms", "group_terms", "item_title_terms")


def publish(url: str, sessions: list[tuple[Any, list]], removed: list[str] = ()) -> int:
    """Write sessions — (record, its units) pairs — replacing what each had, and delete the
    `removed` session ids, in one transaction; the new generation."""
    from ..units import vocabulary

    conn = connect(url)
    try:
        with conn.transaction():
            conn.execute(SCHEMA)
            conn.execute("LOCK TABLE minutes_meta IN EXCLUSIVE MODE")  # one writer at a time
            for session_id in [*removed, *(r.session.id for r, _ in sessions)]:
                _delete(conn, session_id)
            cols = ", ".join(f'"{c}"' for c in _COLUMNS)
            marks = ", ".join("%s::tsvector" if c.endswith("terms") else "%s" for c in _COLUMNS)
            added_units = added_length = 0
            df: Counter[str] = Counter()
            for record, units in sessions:
                rows = []
                for u in units:
                    row, distinct = _unit_row(u)
                    rows.append(row)
                    df.update(distinct)
                    added_length += row[22]
                added_units += len(rows)
                with conn.cursor() as cur:
                    cur.executemany(f"INSERT INTO minutes_units ({cols}) VALUES ({marks})", rows)
                    cur.executemany("INSERT INTO minutes_vocab VALUES (%s, %s, %s)",
                                    [(record.session.id, w, n) for w, n in vocabulary(units).items()])
                conn.execute("INSERT INTO minutes_records VALUES (%s, %s, %s)",
                             (record.session.id, record.session.date, record.to_json(indent=None)))
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO minutes_terms VALUES (%s, %s) ON CONFLICT (term) "
                                "DO UPDATE SET df = minutes_terms.df + excluded.df", sorted(df.items()))
            conn.execute("UPDATE minutes_meta SET value = value + %s WHERE key = 'units'", (added_units,))
            conn.execute("UPDATE minutes_meta SET value = value + %s WHERE key = 'length'", (added_length,))
            conn.execute("DELETE FROM minutes_terms WHERE df <= 0")
            conn.execute("UPDATE minutes_meta SET value = value + 1 WHERE key = 'generation'")
            return conn.execute("SELECT value FROM minutes_meta WHERE key = 'generation'").fetchone()[0]
    finally:
        conn.close()


def _delete(conn, session_id: str) -> None:  # noqa: ANN001
    gone = conn.execute("DELETE FROM minutes_units WHERE session = %s RETURNING len, terms", (session_id,)).fetchall()
    if gone:
        df: Counter[str] = Counter()
        for _, terms in gone:
            df.update(re.findall(r"'((?:[^']|'')*)'", terms))
        with conn.cursor() as cur:
            cur.executemany("UPDATE minutes_terms SET df = df - %s WHERE term = %s",
                            [(n, t.replace("''", "'")) for t, n in df.items()])
        conn.execute("UPDATE minutes_meta SET value = value - %s WHERE key = 'units'", (len(gone),))
        conn.execute("UPDATE minutes_meta SET value = value - %s WHERE key = 'length'", (sum(g[0] for g in gone),))
    conn.execute("DELETE FROM minutes_vocab WHERE session = %s", (session_id,))
    conn.execute("DELETE FROM minutes_records WHERE session = %s", (session_id,))


def load_records(url: str) -> list:
    """Every record stored in the database, by date."""
    from ..model import Record

    conn = connect(url)
    try:
        conn.execute(SCHEMA)
        rows = conn.execute("SELECT record FROM minutes_records ORDER BY date, session").fetchall()
        conn.commit()
    finally:
        conn.close()
    return [Record.from_json(text) for (text,) in rows]
