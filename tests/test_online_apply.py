"""apply keeps the application working (issue 21, deliverables 4 and 5), on a real server:
a view dropped and re-created around a change is never missing for its readers, and
Ctrl-C or SIGTERM during a concurrent index build stops the build on the server."""

from __future__ import annotations

import signal
import subprocess
import sys
import os
import threading
import time

import psycopg2
import pytest

from conftest import REPO, run_sql
from pgproof.core import db, plan_file, transactions

CASE = REPO / "tests" / "cases" / "view_over_table_changed_with_index"
ROWS = 200_000


def make_plan(pgproof, url: str, tmp_path, schema: str):
    (tmp_path / "schema.sql").write_text(schema)
    path = tmp_path / "plan.sql"
    result = pgproof("plan", "--db", url, "--out", str(path), "--schema", str(tmp_path / "schema.sql"))
    assert result.code == 0, result.err
    return path, plan_file.read(path)


class Reader(threading.Thread):
    """Queries `sql` every few milliseconds in autocommit, keeping every error."""

    def __init__(self, url: str, sql: str) -> None:
        super().__init__(daemon=True)
        self.url, self.sql = url, sql
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.queries = 0

    def run(self) -> None:
        conn = psycopg2.connect(db.libpq_url(self.url))
        conn.autocommit = True
        with conn.cursor() as cur:
            while not self.stop.is_set():
                try:
                    cur.execute(self.sql)
                    cur.fetchall()
                    self.queries += 1
                except psycopg2.Error as exc:
                    self.errors.append(db.server_message(exc))
                time.sleep(0.003)
        conn.close()


def test_readers_of_a_recreated_view_see_no_error_during_apply(pgproof, empty_db, tmp_path):
    run_sql(empty_db, (CASE / "before.sql").read_text())
    run_sql(empty_db, "INSERT INTO authors SELECT g, 'a' || g FROM generate_series(1, 100) g; "
                      f"INSERT INTO posts SELECT g, g % 100 + 1, 'post ' || g, g % 50 FROM generate_series(1, {ROWS}) g")
    path, plan = make_plan(pgproof, empty_db, tmp_path, (CASE / "after.sql").read_text())
    # The view's drop, the change and its re-create are one transaction; the index build
    # and each VALIDATE run after it, each in its own.
    [(group, _)] = [(g, s) for g in transactions.groups(plan.statements) for _, s in g if "drop view" in s.sql]
    assert any("create or replace view" in s.sql for _, s in group)
    assert all(s.transactional for _, s in group)
    assert not any("VALIDATE" in s.sql.upper() for _, s in group)
    assert "-- transaction 1 of 4 (statements 1-8): ACCESS EXCLUSIVE lock on" in path.read_text()

    readers = [Reader(empty_db, "SELECT count(*) FROM top_posts"), Reader(empty_db, "SELECT count(*) FROM posts")]
    for reader in readers:
        reader.start()
    time.sleep(0.2)
    try:
        result = pgproof("apply", str(path), "--db", empty_db, "--yes",
                         "--allow-hazards", ",".join(plan.hazard_codes) or "none")
    finally:
        for reader in readers:
            reader.stop.set()
            reader.join()
    assert result.code == 0, result.err
    assert all(reader.queries > 10 for reader in readers)
    assert [reader.errors for reader in readers] == [[], []]


SLOW = """
CREATE TABLE public.posts (id bigint PRIMARY KEY, title text NOT NULL);
-- An index build of a few seconds on a small table: 2 ms for each row it reads.
CREATE FUNCTION public.slow(bigint) RETURNS bigint LANGUAGE plpgsql IMMUTABLE
    AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN $1; END $$;
"""


def building(url: str) -> int | None:
    rows = run_sql(url, "SELECT pid FROM pg_stat_activity WHERE query ILIKE 'CREATE INDEX CONCURRENTLY%' "
                        "AND state = 'active'")
    return rows[0][0] if rows else None


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_during_a_concurrent_index_build_cancels_it_on_the_server(signum, pg_major, pg_server, pgproof,
                                                                            empty_db, tmp_path):
    if signum == signal.SIGTERM and pg_major != 18:
        pytest.skip("SIGTERM takes Ctrl-C's path (cli/main.py): checked on PostgreSQL 18 only, to save CI time")
    run_sql(empty_db, SLOW)
    run_sql(empty_db, "INSERT INTO posts SELECT g, 'post ' || g FROM generate_series(1, 2000) g")
    desired = SLOW + "ALTER TABLE public.posts ADD COLUMN words integer;\n" \
                     "CREATE INDEX posts_slow ON public.posts (public.slow(id));\n"
    path, plan = make_plan(pgproof, empty_db, tmp_path, desired)
    assert [s.transactional for s in plan.statements] == [True, False]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgproof", "apply", str(path), "--db", empty_db, "--yes",
         "--allow-hazards", ",".join(plan.hazard_codes) or "none"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while building(empty_db) is None:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the build (about 4 s for each of its two scans)
    sent = time.monotonic()
    proc.send_signal(signum)
    while building(empty_db) is not None:
        assert time.monotonic() - sent < 2, "the server still builds the index 2 s after the signal"
        time.sleep(0.05)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 5, err
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted during statement 2" in err
    assert "builds index posts_slow on public.posts) was cancelled, and the INVALID index it left was removed" in err
    assert "statement 1 is applied and recorded, statement 2 was not applied" in err
    assert run_sql(empty_db, "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid") == []
    assert run_sql(empty_db, "SELECT to_regclass('public.posts_slow')") == [(None,)]
    assert run_sql(empty_db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'words'") == [(1,)]
