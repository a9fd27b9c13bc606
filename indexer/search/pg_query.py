"""The read side of the PostgreSQL backend: a parsed query → SQL over `tsvector`s, facets by
aggregation, BM25 in SQL, snippets by the product.  The same semantics as the Whoosh backend:
words ANDed, OR groups, exclusions, phrases (`<->`), prefixes (`:*`), fuzzy words expanded
over the terms table, filters from the one table of `filters`."""

from __future__ import annotations

import math
import re
import threading

from ..analysis import analyze, fold
from .backend import Budget, Matches, Request
from .filters import BY_KEY, BY_VALUE, FACETS
from .pg_backend import MAX_FUZZY_TERMS, SCHEMA, B, K1, _lexeme, connect
from .query import _DELIB_CONTEXT, _DELIB_NUMBER, _NUMBER_WORDS, Clause, ParsedQuery, _key
from .results import Hit
from .snippets import snippet
from .suggest import Vocabulary, _distance

#: SQL column of each index field a filter or facet names
_COLUMN = {"group": '"group"', "order": '"order"'}


def _col(field: str) -> str:
    return _COLUMN.get(field, field)


def _levenshtein(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _phrase(terms: list[str]) -> str:
    return " <-> ".join(_lexeme(t) for t in terms)


class _SqlBuilder:
    """A ParsedQuery → (SQL condition, parameters), with the terms that rank and highlight."""

    def __init__(self, conn, raw: str, budget: Budget) -> None:  # noqa: ANN001
        self.conn = conn
        self.budget = budget
        self.highlight_terms: set[str] = set()
        self.highlight_prefixes: list[str] = []
        self.score_terms: set[str] = set()
        self.numbers: set[str] = set(f"{a}-{b}" for a, b in _DELIB_NUMBER.findall(raw))
        self.short_numbers = set(_DELIB_CONTEXT.findall(raw))
        for short in self.short_numbers:
            self.numbers.update(self._numbers_ending(short))
        self.highlight_terms.update(self.numbers)

    def _numbers_ending(self, short: str) -> list[str]:
        suffix = "-" + short.lstrip("0")
        rows = self.conn.execute("SELECT DISTINCT number FROM minutes_units WHERE number LIKE %s",
                                 ("%" + suffix,)).fetchall()
        return [r[0] for r in rows if r[0] and r[0].endswith(suffix)]

    def clause(self, c: Clause) -> tuple[str, list] | None:
        if c.kind == "prefix":
            stem = _key(c.text).replace("-", "").replace("'", "").replace("’", "")
            if not c.negated:
                self.highlight_prefixes.append(stem)
                like = stem.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = self.conn.execute("SELECT term FROM minutes_terms WHERE term LIKE %s ORDER BY term LIMIT 64",
                                         (like,)).fetchall()
                self.score_terms.update(r[0] for r in rows)
            return "terms @@ %s::tsquery", [_lexeme(stem) + ":*"]
        if c.kind == "fuzzy":
            terms = analyze(c.text)
            if not terms:
                return None
            term = terms[0]
            rows = self.conn.execute("SELECT term, df FROM minutes_terms WHERE left(term, 1) = %s "
                                     "AND length(term) BETWEEN %s AND %s",
                                     (term[:1], len(term) - c.distance, len(term) + c.distance)).fetchall()
            near = [(t, df) for t, df in rows if t != term and _levenshtein(term, t, c.distance) <= c.distance]
            near.sort(key=lambda x: (_distance(term, x[0], c.distance), -x[1], x[0]))
            words = [term, *[t for t, _ in near[:MAX_FUZZY_TERMS - 1]]]
            if not c.negated:
                self.highlight_terms.update(words)
                self.score_terms.update(words)
            return "terms @@ %s::tsquery", [" | ".join(_lexeme(t) for t in words)]
        terms = analyze(c.text)
        if not terms:
            return None
        if not c.negated:
            self.highlight_terms.update(terms)
            self.score_terms.update(terms)
        sql, params = "terms @@ %s::tsquery", [_phrase(terms)]
        raw = re.sub(r"^n[°o]\.?\s*", "", c.text.strip(), flags=re.I)
        numbers: list[str] = []
        if _DELIB_NUMBER.fullmatch(raw):
            numbers.append(raw.replace("/", "-"))
        elif raw.isdigit() and raw in self.short_numbers:
            numbers.extend(self._numbers_ending(raw))
        if numbers:
            sql, params = f"({sql} OR number = ANY(%s))", [*params, numbers]
        return sql, params

    def words(self, pq: ParsedQuery) -> tuple[tuple[str, list] | None, tuple[str, list] | None]:
        must: list[tuple[str, list]] = []
        must_not: list[tuple[str, list]] = []
        for group in pq.groups:
            if self.numbers and len(group) == 1 and group[0].kind == "word" \
                    and _key(group[0].text).rstrip("s") in _NUMBER_WORDS:
                continue
            parts = []
            for c in group:
                if (must or must_not or parts) and self.budget.spent():
                    break
                part = self.clause(c)
                if part is not None:
                    parts.append(part)
            if not parts:
                continue
            joined = ("(" + " OR ".join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]])
            (must_not if group[0].negated else must).append(joined)
        main = (" AND ".join(p[0] for p in must), [x for p in must for x in p[1]]) if must else None
        excluded = (" OR ".join(p[0] for p in must_not), [x for p in must_not for x in p[1]]) if must_not else None
        return main, excluded


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
            conn = self._local.conn = connect(self.url)
            conn.autocommit = True
            if not self._schema_ready:
                conn.execute(SCHEMA)
                self._schema_ready = True
        return conn

    def generation(self) -> int:
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
        conn = self._conn()
        meta = dict(conn.execute("SELECT key, value FROM minutes_meta").fetchall())
        if not meta.get("units"):
            return None
        spent.start()
        pq, merged = request.parsed, request.filters
        result = Matches()
        with conn.transaction():
            builder = _SqlBuilder(conn, request.raw, spent)
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
            flag_cols = "".join(f", {cond} AS f_{key}" for key, cond in flags)
            facet_cols = ", ".join(sorted({_col(c) for c in FACETS.values()}))
            conn.execute(f"CREATE TEMP TABLE b ON COMMIT DROP AS SELECT docnum, {facet_cols}, len{flag_cols} "
                         f"FROM minutes_units WHERE {base_sql}", [*flag_params, *base_params])
            every = " AND ".join(f"f_{k}" for k, _ in flags) or "TRUE"
            parts = ["SELECT '*', '', count(*) FROM b WHERE " + every]
            if request.facets:
                for name, column in FACETS.items():
                    scope = " AND ".join(f"f_{k}" for k, _ in flags if k != name) or "TRUE"
                    parts.append(f"SELECT '{name}', {_col(column)}, count(*) FROM b WHERE {scope} "
                                 f"GROUP BY {_col(column)}")
            counts: dict[str, dict[str, int]] = {}
            for name, value, n in conn.execute(" UNION ALL ".join(parts)).fetchall():
                if name == "*":
                    result.total = n
                elif value:
                    counts.setdefault(name, {})[value] = n
            if request.facets:
                for name in FACETS:
                    items = counts.get(name, {}).items()
                    ordered = sorted(items, key=(lambda kv: kv[0]) if name in BY_VALUE else
                                     (lambda kv: (-kv[1], kv[0])), reverse=name in BY_VALUE)
                    result.facets[name] = dict(ordered[:100])
            start = (request.page - 1) * request.per_page
            limit = start + request.per_page
            if result.total and start < result.total:
                rows = self._top(conn, builder, request, every, meta, limit)
                result.hits = [self._hit(row, builder) for row in rows[start:limit]]
        if not spent.cut:
            result.suggestion = self._suggestion(conn, builder, pq, request.raw, meta["generation"])
        return result

    def _top(self, conn, builder: _SqlBuilder, request: Request, every: str, meta: dict, limit: int) -> list:  # noqa: ANN001
        fields = ", ".join("u." + c for c in ("id", "kind", "speaker", "person_id", '"group"', "item", "item_title",
                                                "session", "date", "page", "url", "title", "number", "body"))
        if request.sort != "relevance" or not builder.score_terms:
            order = "u.date ASC, u.\"order\" ASC" if request.sort == "date_asc" else "u.date DESC, u.\"order\" ASC"
            if request.sort == "relevance":
                order = "u.docnum"
            return conn.execute(f"SELECT 0.0, {fields} FROM b JOIN minutes_units u USING (docnum) WHERE {every} "
                                f"ORDER BY {order}, u.docnum LIMIT %s", (limit,)).fetchall()
        n = max(1, meta["units"])
        avg = max(1.0, meta["length"] / n)
        terms = sorted(builder.score_terms)
        dfs = dict(conn.execute("SELECT term, df FROM minutes_terms WHERE term = ANY(%s)", (terms,)).fetchall())
        terms = [t for t in terms if t in dfs]
        idfs = [math.log(n / (dfs[t] + 1)) + 1.0 for t in terms]
        numbers = sorted(builder.numbers)
        sql = (f"WITH s AS (SELECT b.docnum, sum(w.idf * t.tf * {K1 + 1.0} / (t.tf + {K1} * (1 - {B} + {B} * b.len / %s)))"
               f" AS score FROM b JOIN minutes_units u USING (docnum) "
               f"CROSS JOIN LATERAL (SELECT lexeme, coalesce(array_length(positions, 1), 1) AS tf FROM unnest(u.terms) "
               f"WHERE lexeme = ANY(%s)) t JOIN unnest(%s::text[], %s::float8[]) AS w(term, idf) ON w.term = t.lexeme "
               f"WHERE {every} GROUP BY b.docnum), "
               f"r AS (SELECT b.docnum, coalesce(s.score, 0) + CASE WHEN u.number = ANY(%s) AND u.kind = 'deliberation' "
               f"THEN 1000 ELSE 0 END AS score FROM b JOIN minutes_units u USING (docnum) LEFT JOIN s USING (docnum) "
               f"WHERE {every}) "
               f"SELECT round(r.score::numeric, 4)::float8, {fields} FROM r JOIN minutes_units u USING (docnum) "
               f"ORDER BY r.score DESC, u.docnum LIMIT %s")
        return conn.execute(sql, (avg, terms, terms, idfs, numbers, limit)).fetchall()

    @staticmethod
    def _hit(row: tuple, builder: _SqlBuilder) -> Hit:
        score, uid, kind, speaker, person_id, group, item, item_title, session, date, page, url, title, number, body = row
        return Hit(id=uid, kind=kind or "", speaker=speaker or "", person_id=person_id or "", group=group or "",
                   item=item or "", item_title=item_title or "", session=session, date=date or "", page=page,
                   snippet=snippet(body or "", builder.highlight_terms, builder.highlight_prefixes),
                   score=round(float(score), 4), url=url or "", title=title or "", number=number or "")

    def _suggestion(self, conn, builder: _SqlBuilder, pq: ParsedQuery, query: str, generation: int) -> str | None:  # noqa: ANN001
        replaced, changed = query, False
        for word in pq.words:
            terms = analyze(word)
            if not terms or any(c.isdigit() for c in word):
                continue
            known = conn.execute("SELECT count(*) FROM minutes_terms WHERE term = ANY(%s)", (terms,)).fetchone()[0]
            if known == len(set(terms)):
                continue
            fix = self._vocabulary(conn, generation).correct(word)
            if fix and fold(fix) != fold(word):
                replaced = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", fix, replaced, count=1)
                changed = True
        return replaced if changed else None
