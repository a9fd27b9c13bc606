"""The same search against both backends: the embedded Whoosh index and PostgreSQL.

A real PostgreSQL server is started by the tests (`initdb` / `pg_ctl` in a temporary folder,
listening on a Unix socket only, as the `postgres` user when the tests run as root), filled
with the units of the bundled corpus by `pg_backend.publish`, and queried through the same
`indexer.search.search()` with MINUTES_DATABASE_URL set.  Skipped when PostgreSQL or psycopg
is missing, except under CI (`CI=true`), where they fail.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from indexer.index import load_records, units_of
from indexer.search import search

from .test_search import RELEVANCE

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def pg_server():
    """(folder of the socket, URL) of a fresh PostgreSQL server, stopped at the end."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg absent (pip install 'psycopg[binary]')")
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        _missing("PostgreSQL absent (initdb, pg_ctl)")
    folder = tempfile.mkdtemp(prefix="minutes-pg-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = os.path.join(folder, "data")
    subprocess.run(_as_postgres([initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True)
    options = f"-c listen_addresses='' -c unix_socket_directories={folder} -c fsync=off"
    subprocess.run(_as_postgres([pg_ctl, "-D", data, "-o", options, "-l", os.path.join(folder, "log"), "-w",
                                 "start"]), check=True, capture_output=True)
    try:
        yield folder, f"postgresql://postgres@/postgres?host={folder}"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_url(pg_server, search_home: Path) -> str:
    from indexer.search.pg_backend import publish

    _, url = pg_server
    records = load_records(search_home)
    assert records
    assert publish(url, [(r, units_of(r)) for r in records]) >= 1
    return url


def _both(query: str, home: Path, url: str, monkeypatch, **kwargs):  # noqa: ANN001, ANN202
    monkeypatch.delenv("MINUTES_DATABASE_URL", raising=False)
    whoosh = search(query, home=home, budget=None, **kwargs)
    monkeypatch.setenv("MINUTES_DATABASE_URL", url)
    pg = search(query, home=home, budget=None, **kwargs)
    monkeypatch.delenv("MINUTES_DATABASE_URL")
    return whoosh, pg


def test_relevance_queries_agree(pg_url: str, search_home: Path, monkeypatch) -> None:  # noqa: ANN001
    """Totals equal on every relevance query, top-10 overlap ≥ 80 % on average and on most queries."""
    overlaps = []
    for query, _, _ in RELEVANCE:
        whoosh, pg = _both(query, search_home, pg_url, monkeypatch, per_page=10)
        assert pg.total == whoosh.total, (query, pg.total, whoosh.total)
        top_w, top_p = {h.id for h in whoosh.hits}, {h.id for h in pg.hits}
        overlaps.append(len(top_w & top_p) / max(1, len(top_w)))
    mean = sum(overlaps) / len(overlaps)
    print(f"\ntop-10 overlap Whoosh/PostgreSQL: mean {mean:.0%}, min {min(overlaps):.0%} over {len(overlaps)} queries")
    assert mean >= 0.8 and sum(o >= 0.8 for o in overlaps) >= 0.8 * len(overlaps)


@pytest.mark.parametrize("query,filters", [
    ("budget", None), ("budget", {"kind": ["intervention"], "speaker": ["pajot"]}),
    ('"service civique"', None), ("teleassistence~ OR Mercosur", None), ("budg* -agriculture", None),
    ('budget date:2025-09 groupe:"rassemblement national"', None), ("orateur:pajot", None),
    ("du:2025-01-01 au:2025-12 budget", {"kind": ["voeu", "deliberation"]}),
    ("délibération 361", None), ("point:2 budget", None), ("type:voeu", None),
])
def test_same_matches_facets_and_snippets(pg_url: str, search_home: Path, monkeypatch, query: str,
                                          filters) -> None:  # noqa: ANN001
    whoosh, pg = _both(query, search_home, pg_url, monkeypatch, filters=filters)
    assert whoosh.total > 0 and pg.total == whoosh.total, (pg.total, whoosh.total)
    assert pg.facets == whoosh.facets
    assert pg.notice == whoosh.notice and pg.suggestion == whoosh.suggestion
    by_id = {h.id: h for h in whoosh.hits}
    for hit in pg.hits:
        if hit.id in by_id:
            assert hit.snippet == by_id[hit.id].snippet and "<script" not in hit.snippet
    date_w, date_p = _both(query, search_home, pg_url, monkeypatch, filters=filters, sort="date")
    assert [h.id for h in date_p.hits] == [h.id for h in date_w.hits]


def test_a_suggestion_for_an_unknown_word(pg_url: str, search_home: Path, monkeypatch) -> None:  # noqa: ANN001
    whoosh, pg = _both("teleassistence", search_home, pg_url, monkeypatch)
    assert pg.suggestion == whoosh.suggestion == "téléassistance"


def test_reindexing_is_transactional(pg_url: str, search_home: Path, monkeypatch) -> None:  # noqa: ANN001
    from indexer.search.pg_backend import DatabaseError, publish

    monkeypatch.setenv("MINUTES_DATABASE_URL", pg_url)
    before = search("budget", home=search_home)
    records = load_records(search_home)
    units = units_of(records[0])
    broken = list(units)
    broken[len(broken) // 2] = type(units[0])(**{**units[0].__dict__, "id": units[0].id + "/x", "text": "a\x00b"})
    with pytest.raises(Exception) as failure:  # PostgreSQL refuses a NUL in text, half-way through the session
        publish(pg_url, [(records[0], broken)])
    assert not isinstance(failure.value, DatabaseError) or "base" in str(failure.value)
    after = search("budget", home=search_home)
    assert after.total == before.total and [h.id for h in after.hits] == [h.id for h in before.hits]
    generation = publish(pg_url, [(records[0], units)])  # the same session again: replaced, not doubled
    again = search("budget", home=search_home)
    assert generation > 1 and again.total == before.total


def test_a_read_only_database_is_searched(pg_url: str, search_home: Path, monkeypatch) -> None:  # noqa: ANN001
    """A server pointed at a read-only streaming replica writes nothing: on a read-only session,
    searches and records are read as on the primary."""
    from indexer.search.pg_backend import load_records as database_records

    read_only = pg_url + "&options=-c%20default_transaction_read_only%3Don"
    monkeypatch.setenv("MINUTES_DATABASE_URL", pg_url)
    expected = search("budget", home=search_home)
    monkeypatch.setenv("MINUTES_DATABASE_URL", read_only)
    found = search("budget", home=search_home)
    assert found.total == expected.total > 0 and [h.id for h in found.hits] == [h.id for h in expected.hits]
    assert [r.session.id for r in database_records(read_only)] == [r.session.id for r in load_records(search_home)]


@pytest.mark.parametrize("url,expected", [
    ("postgresql://minutes:s3cret@127.0.0.1:1/minutes", "injoignable"),
    ("postgresql://personne@/postgres?host={socket}", "refusée"),
    ("postgresql://postgres@/absente?host={socket}", "inexistante"),
])
def test_an_unusable_database_is_one_french_line(pg_server, search_home: Path, url: str, expected: str) -> None:
    folder, _ = pg_server
    url = url.format(socket=folder)
    minutes = ROOT / ".venv" / "bin" / "minutes"
    cmd = [str(minutes)] if minutes.exists() else [sys.executable, "-m", "indexer"]
    run = subprocess.run([*cmd, "search", "budget"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "MINUTES_HOME": str(search_home), "MINUTES_DATABASE_URL": url})
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in run.stderr, run.stderr
    assert "s3cret" not in run.stderr and url.split("?")[0].replace("s3cret", "***") in lines[0]


def test_missing_rights_are_one_french_line(pg_server, pg_url: str, search_home: Path) -> None:  # noqa: ANN001
    """A login without rights on the schema or on the tables: one line naming the URL (not its
    password) and what to do, exit 2, for a search and for the records a server reads."""
    import psycopg

    from indexer.search.pg_backend import DatabaseError
    from indexer.search.pg_backend import load_records as database_records

    folder, _ = pg_server
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for role in ("sansschema", "sanstable"):
            conn.execute(f"DROP ROLE IF EXISTS {role}")
            conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'Secr3t'")
        conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        conn.execute("GRANT USAGE ON SCHEMA public TO sanstable")
    minutes = ROOT / ".venv" / "bin" / "minutes"
    cmd = [str(minutes)] if minutes.exists() else [sys.executable, "-m", "indexer"]
    try:
        for role in ("sansschema", "sanstable"):
            url = f"postgresql://{role}:Secr3t@/postgres?host={folder}"
            run = subprocess.run([*cmd, "search", "budget"], capture_output=True, text=True, timeout=60,
                                 env={**os.environ, "MINUTES_HOME": str(search_home), "MINUTES_DATABASE_URL": url})
            lines = run.stderr.strip().splitlines()
            assert run.returncode == 2 and len(lines) == 1, run.stderr
            assert "droits insuffisants" in lines[0] and f"{role}:***@" in lines[0] and "Secr3t" not in run.stderr
            with pytest.raises(DatabaseError, match="droits insuffisants"):
                database_records(url)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("GRANT ALL ON SCHEMA public TO PUBLIC")


def test_two_servers_share_one_database(pg_url: str, search_home: Path, tmp_path: Path) -> None:
    """Two `minutes serve` processes with empty homes serve the database's sessions, and both see a
    session removed by another machine's publish."""
    import json
    import time as clock

    from indexer.search.pg_backend import publish

    from .test_starvation import Server

    records = load_records(search_home)
    sid = records[0].session.id
    old = os.environ.get("MINUTES_DATABASE_URL")
    os.environ["MINUTES_DATABASE_URL"] = pg_url
    servers = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            servers.append(Server(tmp_path / name, "--workers", "1"))
        totals = set()
        for s in servers:
            _, status, body = s.get("/recherche.json?q=budget")
            assert status == 200
            totals.add(json.loads(body)["total"])
            assert s.get(f"/seances/{sid}")[1] == 200
        assert len(totals) == 1 and totals.pop() > 0
        publish(pg_url, [], removed=[sid])
        clock.sleep(2.5)  # the generation is re-read every 2 s
        for s in servers:
            _, status, body = s.get("/recherche.json?q=budget")
            assert status == 200 and json.loads(body)["total"] == 0
            assert s.get(f"/seances/{sid}")[1] == 404
    finally:
        if old is None:
            os.environ.pop("MINUTES_DATABASE_URL", None)
        else:
            os.environ["MINUTES_DATABASE_URL"] = old
        for s in servers:
            assert "Traceback" not in s.close()
        publish(pg_url, [(r, units_of(r)) for r in records])  # back as it was for the other tests


def test_minutes_index_writes_into_the_database(pg_server, search_home: Path, tmp_path: Path) -> None:
    """`minutes index` with MINUTES_DATABASE_URL publishes the sessions into PostgreSQL; a database
    that cannot be used gives one line, exit 2, and leaves the local index as it was."""
    import json

    import psycopg

    folder, url = pg_server
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS indexed")
        conn.execute("CREATE DATABASE indexed")
    target = f"postgresql://postgres@/indexed?host={folder}"
    minutes = ROOT / ".venv" / "bin" / "minutes"
    cmd = [str(minutes)] if minutes.exists() else [sys.executable, "-m", "indexer"]
    home = tmp_path / "home"

    def run(*argv: str, database: str) -> subprocess.CompletedProcess:
        return subprocess.run([*cmd, *argv], capture_output=True, text=True, timeout=600,
                              env={**os.environ, "MINUTES_HOME": str(home), "MINUTES_DATABASE_URL": database})

    bad = run("index", str(ROOT / "corpus"), "--quiet", database="postgresql://x:pw@127.0.0.1:1/none")
    assert bad.returncode == 2 and "injoignable" in bad.stderr and "pw@" not in bad.stderr, bad.stderr
    assert not list((home / "records").glob("*.json")) if (home / "records").exists() else True
    done = run("index", str(ROOT / "corpus"), "--quiet", database=target)
    assert done.returncode == 0, done.stderr
    found = run("search", "budget", "--json", database=target)
    local = subprocess.run([*cmd, "search", "budget", "--json"], capture_output=True, text=True, timeout=120,
                           env={**{k: v for k, v in os.environ.items() if k != "MINUTES_DATABASE_URL"},
                                "MINUTES_HOME": str(search_home)})
    assert found.returncode == 0 and json.loads(found.stdout)["total"] == json.loads(local.stdout)["total"] > 0


def _phrase_units(url: str) -> tuple[dict[str, set], dict[str, set]]:
    """For phrases of the bundled session (2 and 3 words, a word repeated, a stopword inside): the
    units the tsvectors match and those the postings' occurrences match."""
    import psycopg

    from indexer.analysis import analyze
    from indexer.search.pg_query import _phrase, _phrase_sql

    phrases = ["service civique", "conseil départemental", "projet de délibération",
               "débat d'orientation budgétaire",
               "vote pour vote", "président du conseil départemental", "plan climat air énergie territorial"]
    by_tsvector, by_occurrences = {}, {}
    with psycopg.connect(url, autocommit=True) as conn:
        for phrase in phrases:
            terms = analyze(phrase)
            assert len(terms) > 1, phrase
            sql, params = _phrase_sql(terms)
            by_tsvector[phrase] = {r[0] for r in conn.execute(
                "SELECT docnum FROM minutes_units WHERE terms @@ %s::tsquery", (_phrase(terms),)).fetchall()}
            by_occurrences[phrase] = {r[0] for r in conn.execute(
                f"SELECT docnum FROM minutes_units WHERE {sql}", params).fetchall()}
    return by_tsvector, by_occurrences


def test_phrases_from_the_postings_are_those_of_the_tsvectors(pg_url: str) -> None:
    by_tsvector, by_occurrences = _phrase_units(pg_url)
    assert sum(map(len, by_tsvector.values())) > 50
    assert by_occurrences == by_tsvector


def test_a_database_of_the_previous_version_is_upgraded(pg_server, search_home: Path, monkeypatch,
                                                       capsys) -> None:  # noqa: ANN001
    """A database written before the postings held occurrences (schema 1) is searched right
    (phrases from the tsvectors), and the next publish upgrades it, saying so in one French line."""
    import psycopg

    from indexer.search.pg_backend import publish, schema_version

    folder, admin = pg_server
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS ancienne")
        conn.execute("CREATE DATABASE ancienne")
    url = f"postgresql://postgres@/ancienne?host={folder}"
    records = load_records(search_home)
    publish(url, [(r, units_of(r)) for r in records])
    with psycopg.connect(url, autocommit=True) as conn:  # as the previous version wrote it
        conn.execute("ALTER TABLE minutes_postings DROP COLUMN occ")
        conn.execute("DELETE FROM minutes_meta WHERE key = 'schema'")
    capsys.readouterr()
    for query in ('"service civique"', '"conseil départemental" budget'):
        whoosh, pg = _both(query, search_home, url, monkeypatch)
        assert pg.total == whoosh.total > 0, query
    # the upgrade runs inside the publish: held half-way (after the occurrences are filled, before the
    # copy), searches are answered meanwhile, within a statement timeout, from the tsvectors
    import threading

    from indexer.search import pg_backend

    halfway, go_on, failed = threading.Event(), threading.Event(), []
    labels = pg_backend._labels

    def held_labels(*args):  # noqa: ANN002, ANN202
        halfway.set()
        assert go_on.wait(60)
        return labels(*args)

    def publishing() -> None:
        try:
            publish(url, [(records[0], units_of(records[0]))])
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failed.append(exc)

    monkeypatch.setattr(pg_backend, "_labels", held_labels)
    writer = threading.Thread(target=publishing)
    writer.start()
    try:
        assert halfway.wait(60)
        for query in ('"service civique"', "budget"):
            whoosh, pg = _both(query, search_home, url + "&options=-c%20statement_timeout%3D5000", monkeypatch)
            assert pg.total == whoosh.total > 0, query
    finally:
        go_on.set()
        writer.join(120)
    assert not failed, failed
    monkeypatch.setattr(pg_backend, "_labels", labels)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "version précédente" in lines[0] and "schéma 1" in lines[0], lines
    with psycopg.connect(url) as conn:
        assert schema_version(conn) == 2
    by_tsvector, by_occurrences = _phrase_units(url)
    assert by_occurrences == by_tsvector
    whoosh, pg = _both('"service civique"', search_home, url, monkeypatch)
    assert pg.total == whoosh.total > 0
    publish(url, [(records[0], units_of(records[0]))])
    assert capsys.readouterr().err == ""  # once only


@pytest.mark.parametrize("sort", ["relevance", "date", "date_asc"])
def test_pages_follow_each_other(pg_url: str, search_home: Path, monkeypatch, sort: str) -> None:  # noqa: ANN001
    """The hits of pages 1 to 3 are the first 15 of one page of 15, in the same order (as in Whoosh)."""
    monkeypatch.setenv("MINUTES_DATABASE_URL", pg_url)
    one = search("budget", home=search_home, per_page=15, sort=sort, budget=None)
    pages = [h.id for p in (1, 2, 3) for h in search("budget", home=search_home, per_page=5, page=p, sort=sort,
                                                     budget=None).hits]
    assert len(one.hits) == 15 and pages == [h.id for h in one.hits]
    monkeypatch.delenv("MINUTES_DATABASE_URL")
    whoosh = search("budget", home=search_home, per_page=5, page=2, sort=sort, budget=None)
    if sort != "relevance":
        assert [h.id for h in whoosh.hits] == pages[5:10]
