"""The PostgreSQL backend (psycopg 3): units, records and the index in one database, shared by
several `minutes serve` processes on several machines.

Terms come from the product's own French analyser (`indexer.analysis`), stored as `tsvector`
with their positions (so both backends analyse identically and match the same documents)
under a GIN index that matches; ranking is BM25 over the same folded field as the Whoosh
backend (title ×3, speaker ×2, group, body), from `minutes_postings` (per term and session,
the units holding it, their term frequencies and every occurrence as docnum × OCC + position),
so that scoring never reads a `tsvector` and phrases are matched from the occurrences (a join
on position + k) instead of from the `tsvector` of every unit holding all their words;
facets are aggregations over integer codes (`c_<facet>` columns, labels in `minutes_labels`);
the unit rows keep their long fields (body, terms) out of line (`toast_tuple_target`), so a
match reads narrow rows.  Snippets are cut and escaped by the product (`snippets.snippet`).
Writing a batch of sessions is one transaction (rows computed by worker processes, copied in
with COPY, the GIN pending list merged and the tables analysed before the commit): a failure
mid-way leaves the previous state searchable.  The `generation` row changes with every commit.

Limits of `tsvector`: positions above 16,383 count as 16,383 and a term keeps 256 positions
per unit, so a phrase beyond the 16,383rd word of a unit is not found and term frequencies
stop at 256 (the occurrences keep exactly the tsvector's positions, so both give the same phrases).
A database of schema 1 (before the occurrences) is searched with the tsvectors and upgraded by
the next publish (one French line; the new column added in a short transaction of its own,
filled in the publish's, so searches meanwhile keep reading the tsvectors); one written before
`minutes_postings` and the facet codes existed must be filled again (drop its tables, run
`minutes index`).  The unit rows start with their fixed-width columns (length, facet codes),
which a match reads fastest.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..analysis import analyze
from .filters import FACETS
from ..sources import SourceError

K1, B = 1.2, 0.5  # as the Whoosh backend
MAX_POSITION = 16383
MAX_POSITIONS = 256

#: every table of the backend
TABLES = ("minutes_meta", "minutes_units", "minutes_terms", "minutes_postings", "minutes_labels", "minutes_vocab",
          "minutes_records")
#: the integer column that codes each facet's values (labels in minutes_labels)
CODE_COLUMNS = {name: f"c_{name}" for name in FACETS}

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS minutes_meta (key text PRIMARY KEY, value bigint NOT NULL);
INSERT INTO minutes_meta VALUES ('generation', 0), ('units', 0), ('length', 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS minutes_units (
    docnum bigserial PRIMARY KEY, len integer NOT NULL, {", ".join(f"{c} integer" for c in CODE_COLUMNS.values())},
    "order" integer, page integer, kind text, number text, date text, id text UNIQUE NOT NULL, session text NOT NULL,
    month text, year text, speaker text, speaker_f text, person_id text, "group" text, group_f text, role text,
    item text, item_title text, item_f text, item_no text, title text, url text,
    body text, terms tsvector NOT NULL, speaker_terms tsvector, group_terms tsvector, item_title_terms tsvector)
    WITH (toast_tuple_target = 128);
CREATE INDEX IF NOT EXISTS minutes_units_terms ON minutes_units USING gin (terms);
CREATE INDEX IF NOT EXISTS minutes_units_session ON minutes_units (session);
CREATE INDEX IF NOT EXISTS minutes_units_number ON minutes_units (number);
CREATE TABLE IF NOT EXISTS minutes_terms (term text PRIMARY KEY, df integer NOT NULL);
CREATE TABLE IF NOT EXISTS minutes_postings (term text NOT NULL, session text NOT NULL, docnums bigint[] NOT NULL,
    tfs smallint[] NOT NULL, occ bigint[], PRIMARY KEY (term, session));
CREATE INDEX IF NOT EXISTS minutes_postings_session ON minutes_postings (session);
CREATE TABLE IF NOT EXISTS minutes_vocab (session text NOT NULL, word text NOT NULL, n integer NOT NULL,
    PRIMARY KEY (session, word));
CREATE TABLE IF NOT EXISTS minutes_labels (code serial PRIMARY KEY, facet text NOT NULL, value text NOT NULL,
    UNIQUE (facet, value));
CREATE TABLE IF NOT EXISTS minutes_records (session text PRIMARY KEY, date text, record text NOT NULL);
"""


#: the layout this code writes: 2 = `minutes_postings.occ` holds every occurrence (docnum × OCC + position),
#: so that phrases are matched from the postings without reading the units' tsvectors
SCHEMA_VERSION = 2
#: docnum × OCC + position codes an occurrence (positions run from 1 to MAX_POSITION)
OCC = MAX_POSITION + 1

#: a database of schema 1 gets the occurrences from the tsvectors of its units (the column is added
#: by `publish` in a short transaction of its own: an ALTER TABLE here would hold an exclusive lock,
#: so searches would wait, until the end of the publish)
_MIGRATE_1 = f"""
UPDATE minutes_postings p SET occ = x.occ FROM (
    SELECT v.lexeme AS term, u.session, array_agg(u.docnum * {OCC} + pos ORDER BY u.docnum, pos) AS occ
    FROM minutes_units u, unnest(u.terms) AS v, unnest(v.positions) AS pos GROUP BY 1, 2) x
WHERE p.term = x.term AND p.session = x.session;
"""


def schema_version(conn) -> int:  # noqa: ANN001
    """The layout of the database's tables: 1 when written before the version was recorded."""
    row = conn.execute("SELECT value FROM minutes_meta WHERE key = 'schema'").fetchone()
    return int(row[0]) if row else 1


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


@contextmanager
def rights(url: str) -> Iterator[None]:
    """A statement refused for want of rights (or on a read-only server) becomes one French
    line naming the URL (never its password) and what to do."""
    import psycopg

    try:
        yield
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.InvalidSchemaName,
            psycopg.errors.ReadOnlySqlTransaction) as exc:
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DatabaseError(f"{safe_url(url)} : droits insuffisants ({detail}) ; accordez-les à cet utilisateur "
                            "(GRANT, ou une base qu'il possède) ou corrigez MINUTES_DATABASE_URL") from exc


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


def tsvector(text: str) -> tuple[str, int, dict]:
    """The tsvector literal of `text` by the product's analyser (positions from 1), its length,
    and its distinct terms (with their positions)."""
    positions: dict[str, list[int]] = {}
    n = 0
    for n, term in enumerate(analyze(text), 1):
        lst = positions.setdefault(term, [])
        if len(lst) < MAX_POSITIONS:
            lst.append(min(n, MAX_POSITION))
    return " ".join(f"{_lexeme(t)}:{','.join(map(str, dict.fromkeys(p)))}" for t, p in positions.items()), n, \
        positions


def _columns(u) -> dict:  # noqa: ANN001 - an indexer.units.Unit
    """The columns of a unit that need no analysis (those of the facets among them)."""
    return {"session": u.session, "kind": u.kind, "date": u.date or "0000-00-00", "month": u.date[:7],
            "year": u.date[:4] or "inconnue", "speaker_f": u.speaker or "", "group_f": u.group or "",
            "item_f": (u.item_title or u.item) or ""}


def _unit_row(u, codes: tuple = ()) -> tuple[tuple, dict]:  # noqa: ANN001 - an indexer.units.Unit
    folded = "\n\n".join(x for x in (u.title, u.title, u.title, u.speaker, u.speaker, u.group, u.text) if x)
    terms, length, distinct = tsvector(folded)
    c = _columns(u)
    return (u.id, c["session"], c["kind"], c["date"], c["month"], c["year"], u.order,
            u.speaker, c["speaker_f"], u.person_id, u.group, c["group_f"], u.role, u.item, u.item_title,
            c["item_f"], u.item_no, u.number, u.title, u.page, u.url, u.text, length, terms,
            tsvector(u.speaker)[0], tsvector(u.group)[0], tsvector(u.item_title)[0], *codes), distinct


_COLUMNS = ("id", "session", "kind", "date", "month", "year", "order", "speaker", "speaker_f", "person_id", "group",
            "group_f", "role", "item", "item_title", "item_f", "item_no", "number", "title", "page", "url", "body",
            "len", "terms", "speaker_terms", "group_terms", "item_title_terms", *CODE_COLUMNS.values())


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_line(values) -> str:  # noqa: ANN001
    """One line of COPY's text format."""
    return "\t".join("\\N" if v is None else str(v).translate(_COPY_ESCAPES) for v in values) + "\n"


def _session_copy(units: list, docnums: list[int], codes: list[tuple]) -> tuple[str, str, str, dict[str, int], int]:
    """The COPY text of one session's units, postings and vocabulary, its terms' document
    frequencies and its total length (run in a worker process when there are several sessions)."""
    from ..units import vocabulary

    lines, length = [], 0
    postings: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for docnum, u, unit_codes in zip(docnums, units, codes):
        row, distinct = _unit_row(u, unit_codes)
        lines.append(_copy_line((docnum, *row)))
        doc, base = str(docnum), docnum * OCC
        for term, positions in distinct.items():
            entry = postings.get(term)
            if entry is None:
                entry = postings[term] = ([], [], [])
            unique = dict.fromkeys(positions)  # as the tsvector keeps them (in order)
            entry[0].append(doc)
            entry[1].append(str(len(unique)))
            entry[2].extend(str(base + p) for p in unique)
        length += row[22]
    session = units[0].session if units else ""
    post = "".join(_copy_line((t, session, "{" + ",".join(d) + "}", "{" + ",".join(f) + "}", "{" + ",".join(o) + "}"))
                   for t, (d, f, o) in postings.items())
    vocab = "".join(_copy_line((session, w, n)) for w, n in vocabulary(units).items())
    return "".join(lines), post, vocab, {t: len(d) for t, (d, _, _) in postings.items()}, length


def _workers(sessions: int) -> int:
    if sessions < 2:
        return 1
    try:
        wanted = int(os.environ.get("MINUTES_WORKERS") or 0)
    except ValueError:
        wanted = 0
    return max(1, min(sessions, wanted or os.cpu_count() or 1))


def publish(url: str, sessions: list[tuple[Any, list]], removed: list[str] = ()) -> int:
    """Write sessions — (record, its units) pairs — replacing what each had, and delete the
    `removed` session ids, in one transaction; the new generation.  The rows of several
    sessions are computed by MINUTES_WORKERS processes (default: the cores) while the
    transaction copies them in."""
    conn = connect(url)
    pool = None
    try:
        with rights(url), conn.transaction():  # a catalog change only, so searches never wait long for it
            conn.execute("SELECT pg_advisory_xact_lock(7206001)")  # one such change at a time
            if conn.execute("SELECT to_regclass('minutes_postings') IS NOT NULL AND NOT EXISTS (SELECT FROM "
                            "pg_attribute WHERE attrelid = to_regclass('minutes_postings') AND attname = 'occ' "
                            "AND NOT attisdropped)").fetchone()[0]:
                conn.execute("ALTER TABLE minutes_postings ADD COLUMN occ bigint[]")  # filled by _upgrade
        with rights(url), conn.transaction():
            conn.execute(SCHEMA)
            conn.execute("LOCK TABLE minutes_meta IN EXCLUSIVE MODE")  # one writer at a time
            _upgrade(conn, url)
            # into empty tables, the GIN index is built once after the copy (faster than entry by entry)
            fresh = bool(sessions) and conn.execute("SELECT NOT EXISTS (SELECT FROM minutes_units)").fetchone()[0]
            if fresh:
                conn.execute("DROP INDEX IF EXISTS minutes_units_terms")
            for session_id in [*removed, *(r.session.id for r, _ in sessions)]:
                _delete(conn, session_id)
            cols = ", ".join(f'"{c}"' for c in ("docnum", *_COLUMNS))
            added_units = added_length = 0
            df: Counter[str] = Counter()
            labels = _labels(conn, [u for _, units in sessions for u in units])
            jobs = []
            for _, units in sessions:
                jobs.append((units, [r[0] for r in conn.execute(
                    "SELECT nextval(pg_get_serial_sequence('minutes_units', 'docnum')) FROM generate_series(1, %s)",
                    (len(units),)).fetchall()],
                    [tuple(labels[name, _columns(u)[column]] for name, column in FACETS.items()) for u in units]))
            procs = _workers(len(jobs))
            if procs > 1:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                pool = ProcessPoolExecutor(procs, mp_context=multiprocessing.get_context("fork"))
                done = pool.map(_session_copy, *zip(*jobs)) if jobs else iter(())
            else:
                done = (_session_copy(*job) for job in jobs)
            for (record, units), (rows, postings, vocab, counts, length) in zip(sessions, done):
                df.update(counts)
                added_units += len(units)
                added_length += length
                with conn.cursor() as cur:
                    for table, text in ((f"minutes_units ({cols})", rows),
                                        ("minutes_postings (term, session, docnums, tfs, occ)", postings),
                                        ("minutes_vocab (session, word, n)", vocab)):
                        if text:
                            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                                copy.write(text)
                conn.execute("INSERT INTO minutes_records VALUES (%s, %s, %s)",
                             (record.session.id, record.session.date, record.to_json(indent=None)))
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO minutes_terms VALUES (%s, %s) ON CONFLICT (term) "
                                "DO UPDATE SET df = minutes_terms.df + excluded.df", sorted(df.items()))
            conn.execute("UPDATE minutes_meta SET value = value + %s WHERE key = 'units'", (added_units,))
            conn.execute("UPDATE minutes_meta SET value = value + %s WHERE key = 'length'", (added_length,))
            conn.execute("DELETE FROM minutes_terms WHERE df <= 0")
            if fresh:
                conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
                conn.execute("CREATE INDEX minutes_units_terms ON minutes_units USING gin (terms)")
            elif added_units:  # the new entries into the GIN index proper
                conn.execute("SELECT gin_clean_pending_list('minutes_units_terms'::regclass)")
            if added_units:  # statistics for the planner
                conn.execute("ANALYZE minutes_units, minutes_terms, minutes_postings")
            conn.execute("UPDATE minutes_meta SET value = value + 1 WHERE key = 'generation'")
            return conn.execute("SELECT value FROM minutes_meta WHERE key = 'generation'").fetchone()[0]
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        conn.close()


def _upgrade(conn, url: str) -> None:  # noqa: ANN001
    """A database written by an earlier version brought to SCHEMA_VERSION (in the writer's
    transaction), said in one French line when it held units."""
    version = schema_version(conn)
    if version >= SCHEMA_VERSION:
        return
    if conn.execute("SELECT EXISTS (SELECT FROM minutes_units)").fetchone()[0]:
        print(f"{safe_url(url)} : base écrite par une version précédente (schéma {version}) ; mise à niveau "
              f"vers le schéma {SCHEMA_VERSION} (positions des termes ajoutées aux postings, une seule fois)",
              file=sys.stderr, flush=True)
    conn.execute(_MIGRATE_1)
    conn.execute("INSERT INTO minutes_meta VALUES ('schema', %s) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (SCHEMA_VERSION,))


def _labels(conn, units: list) -> dict[tuple[str, str], int]:  # noqa: ANN001
    """The code of every (facet, value) of `units`, new values added to minutes_labels."""
    wanted = sorted({(name, _columns(u)[column]) for u in units for name, column in FACETS.items()})
    if wanted:
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO minutes_labels (facet, value) VALUES (%s, %s) ON CONFLICT DO NOTHING", wanted)
    rows = conn.execute("SELECT facet, value, code FROM minutes_labels").fetchall()
    return {(facet, value): code for facet, value, code in rows}


def _delete(conn, session_id: str) -> None:  # noqa: ANN001
    gone = conn.execute("DELETE FROM minutes_units WHERE session = %s RETURNING len", (session_id,)).fetchall()
    if gone:
        df = conn.execute("DELETE FROM minutes_postings WHERE session = %s RETURNING term, cardinality(docnums)",
                          (session_id,)).fetchall()
        with conn.cursor() as cur:
            cur.executemany("UPDATE minutes_terms SET df = df - %s WHERE term = %s", [(n, t) for t, n in df])
        conn.execute("UPDATE minutes_meta SET value = value - %s WHERE key = 'units'", (len(gone),))
        conn.execute("UPDATE minutes_meta SET value = value - %s WHERE key = 'length'", (sum(g[0] for g in gone),))
    conn.execute("DELETE FROM minutes_vocab WHERE session = %s", (session_id,))
    conn.execute("DELETE FROM minutes_records WHERE session = %s", (session_id,))


def ensure_schema(conn) -> None:  # noqa: ANN001
    """The tables created when one is missing; nothing written when all exist, so that a
    reader may use a read-only streaming replica."""
    missing = conn.execute("SELECT count(*) FROM unnest(%s::text[]) AS t(name) WHERE to_regclass(name) IS NULL",
                           (list(TABLES),)).fetchone()[0]
    if missing:
        conn.execute(SCHEMA)


def load_records(url: str) -> list:
    """Every record stored in the database, by date."""
    from ..model import Record

    conn = connect(url)
    try:
        with rights(url):
            ensure_schema(conn)
            rows = conn.execute("SELECT record FROM minutes_records ORDER BY date, session").fetchall()
        conn.commit()
    finally:
        conn.close()
    return [Record.from_json(text) for (text,) in rows]
