"""The read side of the PostgreSQL backend: a parsed query → SQL over `tsvector`s, facets by
aggregation, BM25 in SQL, snippets by the product.  The same semantics as the Whoosh backend:
words ANDed, OR groups, exclusions, phrases (`<->`), prefixes (`:*`), fuzzy words expanded
over the terms table, filters from the one table of `filters`.

One search is one statement: the matching units are read once (a materialised CTE of their
length and facet codes; a phrase narrowed by the GIN index to the units holding all its words,
then matched on the occurrences of `minutes_postings`), then the total, the multi-select
facets and the top hits (BM25 from the postings' frequencies, in float8) are computed from it;
a second statement reads the stored fields of the page's hits.
The connection of each thread is kept, with JIT off (compiling a plan costs more than
running it here) and plans made for the values of each search.
"""

from __future__ import annotations

import re
import threading

from ..analysis import analyze, fold
from .backend import Budget, Matches, Request
from .expand import MAX_PREFIX_TERMS, Expansion, closest, levenshtein, prefix_stem
from .filters import BY_KEY, BY_VALUE, FACETS
from .pg_backend import CODE_COLUMNS, OCC, B, K1, _lexeme, connect, ensure_schema, rights
from .query import Clause, ParsedQuery
from .results import Hit
from .snippets import snippet
from .suggest import Vocabulary

#: SQL column of each index field a filter or facet names
_COLUMN = {"group": '"group"', "order": '"order"'}
#: settings of every search connection
_SETTINGS = ("SET jit = off; SET work_mem = '64MB'; SET plan_cache_mode = force_custom_plan; "
             "SET enable_seqscan = off")
_HIT_FIELDS = ("id", "kind", "speaker", "person_id", '"group"', "item", "item_title", "session", "date", "page",
               "url", "title", "number", "body")


def _col(field: str) -> str:
    return _COLUMN.get(field, field)


def _phrase(terms: list[str]) -> str:
    return " <-> ".join(_lexeme(t) for t in terms)


def _phrase_sql(terms: list[str]) -> tuple[str, list]:
    """The units holding `terms` in a row, from their occurrences in the postings (docnum × OCC +
    position: the k-th word of the phrase at the first one's position + k), narrowed first by
    the GIN index to the units holding them all."""
    joins = " ".join(f"JOIN (SELECT unnest(occ) AS o FROM minutes_postings WHERE term = %s) o{k} ON o{k}.o = o0.o + {k}"
                     for k in range(1, len(terms)))
    # `(… IN …) IS TRUE` keeps the occurrences a hashed subplan filtering the GIN index's units (a
    # semi-join would be planned from a guess of 10 occurrences per posting row: index probes by docnum)
    sql = (f"(terms @@ %s::tsquery AND (docnum IN (SELECT o0.o / {OCC} FROM (SELECT unnest(occ) AS o "
           f"FROM minutes_postings WHERE term = %s) o0 {joins})) IS TRUE)")
    return sql, [" & ".join(_lexeme(t) for t in dict.fromkeys(terms)), *terms]


class _SqlBuilder(Expansion):
    """A ParsedQuery → (SQL condition, parameters), with the terms that rank and highlight."""

    def __init__(self, conn, raw: str, budget: Budget, occurrences: bool = True) -> None:  # noqa: ANN001
        self.conn = conn
        self.occurrences = occurrences  # phrases from the postings' occurrences (schema 2), else from tsvectors
        super().__init__(raw, budget)

    def _numbers_ending(self, short: str) -> list[str]:
        suffix = "-" + short.lstrip("0")
        rows = self.conn.execute("SELECT DISTINCT number FROM minutes_units WHERE number LIKE %s",
                                 ("%" + suffix,)).fetchall()
        return [r[0] for r in rows if r[0] and r[0].endswith(suffix)]

    def clause(self, c: Clause) -> tuple[str, list] | None:
        if c.kind == "prefix":
            stem = prefix_stem(c.text)
            if not c.negated:
                like = stem.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = self.conn.execute("SELECT term FROM minutes_terms WHERE term LIKE %s ORDER BY term LIMIT %s",
                                         (like, MAX_PREFIX_TERMS)).fetchall()
                self.keep_prefix(stem, [r[0] for r in rows])
            return "terms @@ %s::tsquery", [_lexeme(stem) + ":*"]
        if c.kind == "fuzzy":
            terms = analyze(c.text)
            if not terms:
                return None
            term = terms[0]
            rows = self.conn.execute("SELECT term, df FROM minutes_terms WHERE left(term, 1) = %s "
                                     "AND length(term) BETWEEN %s AND %s",
                                     (term[:1], len(term) - c.distance, len(term) + c.distance)).fetchall()
            dfs = {t: df for t, df in rows if levenshtein(term, t, c.distance) <= c.distance}
            words = closest(term, dfs, c.distance, lambda t: dfs.get(t, 0))
            self.keep(c, words)
            return "terms @@ %s::tsquery", [" | ".join(_lexeme(t) for t in words)]
        terms = analyze(c.text)
        if not terms:
            return None
        self.keep(c, terms)
        sql, params = _phrase_sql(terms) if len(terms) > 1 and self.occurrences else \
            ("terms @@ %s::tsquery", [_phrase(terms)])
        numbers = self.number(c)
        if numbers:
            sql, params = f"({sql} OR number = ANY(%s))", [*params, numbers]
        return sql, params

    def words(self, pq: ParsedQuery) -> tuple[tuple[str, list] | None, tuple[str, list] | None]:
        must, must_not = self.groups(pq)
        joined = [("(" + " OR ".join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]])
                  for parts in must]
        excluded = [("(" + " OR ".join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]])
                    for parts in must_not]
        main = (" AND ".join(p[0] for p in joined), [x for p in joined for x in p[1]]) if joined else None
        out = (" OR ".join(p[0] for p in excluded), [x for p in excluded for x in p[1]]) if excluded else None
        return main, out


def filter_sql(key: str, value: str) -> tuple[str, list]:
    """The SQL condition of one filter value, from its row in `filters.FILTERS`."""
    f = BY_KEY[key]
    col = _col(f.fields[0]) if f.fields else ""
    if f.match == "date":
        return (f"{col} = %s", [value]) if len(value) == 10 else (f"{col} LIKE %s", [value + "%"])
    if f.match == "from":
        return f"{col} >= %s", [value]
    if f.match == "to":
        return f"{col} <= %s", [value if len(value) == 10 else value + "\uffff"]
    parts = [f"{_col(name)} = %s" for name in f.fields]
    params: list = [value] * len(f.fields)
    terms = analyze(value) if f.words else []
    if f.number and value.isdigit():
        parts.append(f"{f.number} = %s")
        params.append(value)
    elif terms:
        query = " & ".join(_lexeme(t) for t in terms) if f.all_words else _phrase(terms)
        parts.append(f"{f.words}_terms @@ %s::tsquery")
        params.append(query)
    return "(" + " OR ".join(parts) + ")", params


class PgBackend:
    """The Backend of one PostgreSQL database (MINUTES_DATABASE_URL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._vocab: tuple[int, Vocabulary] | None = None
        self._schema_ready = False

    def _conn(self):  # noqa: ANN202
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = connect(self.url)
            conn.autocommit = True
            try:
                with rights(self.url):
                    if not self._schema_ready:
                        ensure_schema(conn)
                        self._schema_ready = True
                    conn.execute(_SETTINGS)
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
        return conn

    def generation(self) -> int:
        with rights(self.url):
            return self._conn().execute("SELECT value FROM minutes_meta WHERE key = 'generation'").fetchone()[0]

    def forget(self) -> None:
        pass

    def _vocabulary(self, conn, generation: int) -> Vocabulary:  # noqa: ANN001
        cached = self._vocab
        if cached is None or cached[0] != generation:
            rows = conn.execute("SELECT word, sum(n) FROM minutes_vocab GROUP BY word").fetchall()
            cached = self._vocab = (generation, Vocabulary({w: int(n) for w, n in rows}))
        return cached[1]

    def run(self, request: Request, spent: Budget) -> Matches | None:
        with rights(self.url):
            return self._run(request, spent)

    def _run(self, request: Request, spent: Budget) -> Matches | None:
        conn = self._conn()
        meta = dict(conn.execute("SELECT key, value FROM minutes_meta").fetchall())
        if not meta.get("units"):
            return None
        spent.start()
        pq, merged = request.parsed, request.filters
        result = Matches()
        # one statement, one snapshot: total, facets, the page's hits with their stored fields and
        # the words of the query the index knows (for the suggestion)
        builder = _SqlBuilder(conn, request.raw, spent, occurrences=meta.get("schema", 1) >= 2)
        words, excluded = builder.words(pq)
        if words is None and not merged and not pq.excluded_filters and excluded is None:
            result.notice = "Aucun mot à chercher"
            return result
        base_sql, base_params = words if words is not None else ("TRUE", [])
        if excluded is not None:
            base_sql, base_params = f"({base_sql}) AND NOT ({excluded[0]})", [*base_params, *excluded[1]]
        for key, values in pq.excluded_filters.items():
            for v in values:
                cond, params = filter_sql(key, v)
                base_sql, base_params = f"({base_sql}) AND NOT {cond}", [*base_params, *params]
        flags, flag_params = [], []
        for key, values in merged.items():
            conds = [filter_sql(key, v) for v in values]
            flags.append((key, "(" + " OR ".join(c for c, _ in conds) + ")"))
            flag_params += [x for _, p in conds for x in p]
        start = (request.page - 1) * request.per_page
        words_checked = _suggestable(pq)
        wanted = sorted({t for _, terms in words_checked for t in terms})
        rows = conn.execute(*self._statement(builder, request, flags, flag_params, base_sql, base_params,
                                             meta, start, start + request.per_page, wanted)).fetchall()
        counts: dict[str, dict[str, int]] = {}
        page: list[tuple[int, float, list]] = []
        known: set[str] = set()
        for name, value, n, score, fields in rows:
            if name == "*":
                result.total = n
            elif name == "#":
                page.append((n, score, fields))
            elif name == "?":
                known.add(value)
            elif value:
                counts.setdefault(name, {})[value] = n
        if request.facets:
            for name in FACETS:
                items = counts.get(name, {}).items()
                ordered = sorted(items, key=(lambda kv: kv[0]) if name in BY_VALUE else
                                 (lambda kv: (-kv[1], kv[0])), reverse=name in BY_VALUE)
                result.facets[name] = dict(ordered[:100])
        result.hits = [self._hit(score, fields, builder) for _, score, fields in sorted(page, key=lambda r: r[0])]
        if not spent.cut:
            result.suggestion = self._suggestion(conn, words_checked, known, request.raw, meta["generation"])
        return result

    @staticmethod
    def _statement(builder: _SqlBuilder, request: Request, flags: list, flag_params: list, base_sql: str,
                   base_params: list, meta: dict, start: int, limit: int, wanted: list[str]) -> tuple[str, list]:
        """The one statement of a search: rows (name, value, count, score, fields) — ('*', '', total),
        (facet, value, count), ('#', '', rank, score, stored fields) for the hits ranked start+1 to
        `limit`, and ('?', term) for each of `wanted` the index knows."""
        scored = request.sort == "relevance" and bool(builder.score_terms)
        numbers = sorted(builder.numbers)
        # what the matches are read for: counts, facets and the order of the hits, nothing more
        columns = ["docnum", "len", *(CODE_COLUMNS[name] for name in FACETS), "kind"]
        columns += (["number"] if numbers else []) if scored else ["date", '"order"']
        flag_cols = "".join(f", {cond} AS f_{key}" for key, cond in flags)
        every = " AND ".join(f"f_{k}" for k, _ in flags) or "TRUE"
        terms = sorted(builder.score_terms)
        params: list = [*flag_params, *base_params]
        matches = f"SELECT {', '.join(columns)}{flag_cols} FROM minutes_units WHERE {base_sql}"
        # m: the matches of the words; t: those the filters keep (the same when there are none)
        sql = (f"WITH m AS MATERIALIZED ({matches}), t AS (SELECT * FROM m WHERE {every})" if flags
               else f"WITH t AS MATERIALIZED ({matches})")
        parts = ["SELECT '*'::text, ''::text, count(*)::bigint, 0::float8, NULL::text[] FROM t"]
        if request.facets:
            plain = []  # the facets counted over t (no selection of their own): one pass, grouping sets
            for name in FACETS:
                if not any(k == name for k, _ in flags):
                    plain.append(CODE_COLUMNS[name])
                    continue
                scope = " AND ".join(f"f_{k}" for k, _ in flags if k != name)
                source = f"m WHERE {scope}" if scope else "m"
                parts.append(f"SELECT '{name}', l.value, x.n, 0, NULL FROM (SELECT {CODE_COLUMNS[name]} AS code, "
                             f"count(*) AS n FROM {source} GROUP BY 1) x JOIN minutes_labels l USING (code)")
            if plain:  # codes are never NULL and unique over all facets (minutes_labels)
                parts.append(f"SELECT l.facet, l.value, x.n, 0, NULL FROM "
                             f"(SELECT coalesce({', '.join(plain)}) AS code, "
                             f"count(*) AS n FROM t GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in plain)})) x "
                             f"JOIN minutes_labels l USING (code)")
        if scored:
            n = max(1, meta["units"])
            avg = max(1.0, meta["length"] / n)
            kinds = _kind_weights()
            weight = f"(CASE t.kind {kinds} ELSE 1.0::float8 END)" if kinds else "1.0::float8"
            # BM25's tf part in float8 (numeric arithmetic costs more than the rest of the scoring)
            part = (f"p.idf * p.tf * {K1 + 1.0!r}::float8 / (p.tf + {K1 * (1 - B)!r}::float8 "
                    f"+ {K1 * B / avg!r}::float8 * t.len)")
            if len(terms) == 1:  # a unit has one posting of the one term (its session's): nothing to add up
                bm25, group = f"coalesce({part}, 0)", ""
            else:
                bm25 = f"coalesce(sum({part}), 0)"
                group = f" GROUP BY t.docnum, t.len, t.kind{', t.number' * bool(numbers)}"
            # a deliberation whose number the query names comes first
            boost = (" + CASE WHEN t.number = ANY(%s) AND t.kind = 'deliberation' THEN 1000 ELSE 0 END"
                     if numbers else "")
            sql += (f", w AS (SELECT term, ln({n}::float8 / (df + 1)) + 1.0 AS idf FROM minutes_terms "
                    f"WHERE term = ANY(%s)), "
                    f"p AS (SELECT x.docnum, x.tf, w.idf FROM minutes_postings JOIN w USING (term), "
                    f"unnest(docnums, tfs) AS x(docnum, tf)), "
                    f"s AS (SELECT t.docnum, {bm25} * {weight}{boost} AS score FROM t LEFT JOIN p USING (docnum)"
                    f"{group})")
            params += [terms, numbers] if numbers else [terms]
            top = ("SELECT docnum, score AS raw, round(score::numeric, 4)::float8 AS score FROM s "
                   "ORDER BY raw DESC, docnum")
            rank = "ORDER BY raw DESC, docnum"
        else:
            order = {"date_asc": 'date ASC, "order" ASC', "date": 'date DESC, "order" ASC'}.get(request.sort, "")
            order = f"{order + ', ' if order else ''}docnum"
            top = f"SELECT docnum, date, \"order\", 0.0::float8 AS score FROM t ORDER BY {order}"
            rank = f"ORDER BY {order}"
        # the first `limit` in order (a top-N sort), ranked, and the stored fields of the page's
        sql += (f", r AS (SELECT docnum, score, row_number() OVER ({rank}) AS rank FROM ({top} LIMIT {int(limit)}) x)")
        fields = ", ".join(f"u.{f}::text" for f in _HIT_FIELDS)
        parts.append(f"SELECT '#', '', r.rank, r.score, ARRAY[{fields}] FROM r JOIN minutes_units u USING (docnum) "
                     f"WHERE r.rank > {int(start)}")
        if wanted:
            parts.append("SELECT '?', term, 0, 0, NULL FROM minutes_terms WHERE term = ANY(%s)")
            params.append(wanted)
        return sql + " " + " UNION ALL ".join(parts), params

    @staticmethod
    def _hit(score: float, row: list, builder: _SqlBuilder) -> Hit:
        uid, kind, speaker, person_id, group, item, item_title, session, date, page, url, title, number, body = row
        return Hit(id=uid, kind=kind or "", speaker=speaker or "", person_id=person_id or "", group=group or "",
                   item=item or "", item_title=item_title or "", session=session, date=date or "",
                   page=int(page) if page is not None else None,
                   snippet=snippet(body or "", builder.highlight_terms, builder.highlight_prefixes),
                   score=round(float(score), 4), url=url or "", title=title or "", number=number or "")

    def _suggestion(self, conn, words: list, known: set[str], query: str,  # noqa: ANN001
                    generation: int) -> str | None:
        """The query with its unknown words (`words` from `_suggestable`, those of `known` in the
        index) corrected from the vocabulary, or None."""
        if not words:
            return None
        replaced, changed = query, False
        for word, terms in words:
            if all(t in known for t in terms):
                continue
            fix = self._vocabulary(conn, generation).correct(word)
            if fix and fold(fix) != fold(word):
                replaced = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", fix, replaced, count=1)
                changed = True
        return replaced if changed else None


def _suggestable(pq: ParsedQuery) -> list[tuple[str, list[str]]]:
    """The words of the query a suggestion may correct (none with a digit), with their terms."""
    words = [(w, analyze(w)) for w in pq.words]
    return [(w, t) for w, t in words if t and not any(c.isdigit() for c in w)]


def _kind_weights() -> str:
    """The relevance weight of a unit's kind (`units.KIND_WEIGHTS`), as the Whoosh backend applies it:
    the WHEN branches of a CASE over the kind."""
    from ..units import KIND_WEIGHTS

    return " ".join(f"WHEN '{kind}' THEN {float(w)}" for kind, w in sorted(KIND_WEIGHTS.items()))
