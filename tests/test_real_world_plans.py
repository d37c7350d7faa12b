"""Issue 14's guarantees beyond the corpus: nothing smuggled into a plan, collations kept
by diff, a vector dimension change refused at review time, and a changed HNSW index that
keeps serving queries while it is rebuilt."""

from __future__ import annotations

import json
import threading
import time

import pytest
from pglast import parse_sql
from pglast.ast import DropStmt

from conftest import REPO, run_sql
from pgproof.diff import guard
from pgproof.read.catalog import Catalog, Difference
from pgproof.diff.engine import _split
from pgproof.core.errors import DiffError
from pgproof.core.statement import Statement

FOO = "CREATE TABLE foo (id int PRIMARY KEY);\n"
PAYLOAD = "x''); DROP TABLE foo; --"  # as it appears inside a SQL string literal
ROLE = "x'); DROP TABLE foo; --"

# Every place a name or label can carry a payload: (place, desired schema).
PLACES = {
    "enum label": f"CREATE TYPE answer AS ENUM ('{PAYLOAD}');",
    "enum label added": f"CREATE TYPE answer AS ENUM ('yes', '{PAYLOAD}');",
    "policy role": (
        f"CREATE TABLE t (x int);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
        f"CREATE POLICY p ON t FOR SELECT TO \"{ROLE}\" USING (true);"
    ),
    "policy name": "CREATE TABLE t (x int);\nCREATE POLICY \"x\"\"); DROP TABLE foo; --\" ON t USING (true);",
    "table, column and index names": (
        'CREATE TABLE "x""); DROP TABLE foo; --" ("y""); DROP TABLE foo; --" int);\n'
        'CREATE INDEX "i""); DROP TABLE foo; --" ON "x""); DROP TABLE foo; --" ("y""); DROP TABLE foo; --");'
    ),
    "comment": f"CREATE TABLE t (x int);\nCOMMENT ON TABLE t IS '{PAYLOAD}';\nCOMMENT ON COLUMN t.x IS '{PAYLOAD}';",
    "default": f"CREATE TABLE t (x int, y text DEFAULT '{PAYLOAD}');",
    "check and view literal": (
        f"CREATE TABLE t (x text CONSTRAINT t_x CHECK (x <> '{PAYLOAD}'));\n"
        f"CREATE VIEW v AS SELECT x, '{PAYLOAD}'::text AS y FROM t;"
    ),
    "function body and sequence name": (
        f"CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '{PAYLOAD}' $$;\n"
        'CREATE SEQUENCE "s""); DROP TABLE foo; --" MINVALUE 2;'
    ),
}


@pytest.fixture
def with_role(pg_server):
    run_sql(pg_server.url, f"""DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE.replace("'", "''")}')
        THEN CREATE ROLE "{ROLE}" NOLOGIN; END IF; END $$""")


@pytest.mark.parametrize("place", PLACES, ids=list(PLACES))
def test_a_payload_never_becomes_a_statement(pgproof, empty_db, tmp_path, with_role, place):
    run_sql(empty_db, FOO)
    schema = tmp_path / "schema.sql"
    schema.write_text(FOO + PLACES[place] + "\n")
    found = pgproof("diff", "--db", empty_db, "--schema", str(schema), "--exit-code")
    assert found.code == 2, found.err
    statements = [raw.stmt for raw in parse_sql(found.out)]
    assert not any(isinstance(s, DropStmt) for s in statements), found.out
    plan = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(tmp_path / "plan.sql"))
    assert plan.code in (0, 2), plan.err
    applied = pgproof("apply", str(tmp_path / "plan.sql"), "--db", empty_db, "--yes")
    assert applied.code == 0, applied.err
    assert run_sql(empty_db, "SELECT to_regclass('public.foo') IS NOT NULL") == [(True,)]
    assert pgproof("drift", "--db", empty_db, "--schema", str(schema)).code == 0


def test_a_chunk_of_migra_holding_two_statements_is_refused():
    with pytest.raises(DiffError, match="migra wrote 2 statements where it writes one"):
        _split("create type answer as enum ('x'); DROP TABLE foo; --');")


def _difference(kind: str, key: str) -> Difference:
    return Difference(kind=kind, key=key, status="missing", desired={}, actual=None)


@pytest.mark.parametrize("sql, why", [
    ("DROP TABLE public.foo", "changes table public.foo, in which the catalog comparison found no difference"),
    ("DELETE FROM public.t", "is a DeleteStmt, not a schema change"),
    ("SELECT pg_sleep(100)", "is a SelectStmt, not a schema change"),
    ("CREATE TABLE public.t (x int); DROP TABLE public.foo", "holds 2 statements instead of one"),
    ("CREATE TABLE public.t (x int", "does not parse"),
])
def test_the_guard_refuses_what_the_diff_did_not_find(sql, why):
    empty = Catalog(objects={})
    with pytest.raises(DiffError, match=why):
        guard.check([Statement("CREATE TABLE public.t (x int)"), Statement(sql)],
                    [_difference("table", "public.t")], empty, empty)


def test_diff_keeps_the_collation_of_a_new_tables_column(pgproof, empty_db, tmp_path):
    schema = tmp_path / "schema.sql"
    schema.write_text('CREATE TABLE t (title text COLLATE "C", body varchar(20) COLLATE "POSIX");\n')
    found = pgproof("diff", "--db", empty_db, "--schema", str(schema), "--exit-code")
    assert found.code == 2, found.err
    assert 'title text COLLATE pg_catalog."C"' in found.out
    assert 'COLLATE pg_catalog."POSIX"' in found.out


def test_vector_dimension_change_with_embeddings_is_refused_at_plan(pgproof, legacy_db, tmp_path):
    """No data fix of the plan clears the embeddings (0001 only sorts by them): refused,
    with a skeleton that clears them (tests/test_row_checks.py runs one)."""
    schema = tmp_path / "schema.sql"
    schema.write_text((REPO / "schema" / "schema.sql").read_text().replace("vector(1536)", "vector(768)"))
    out = tmp_path / "plan.sql"
    result = pgproof("plan", "--db", legacy_db, "--schema", str(schema), "--out", str(out))
    assert result.code == 3, result.err
    assert "rows hold an embedding in embedding of other than 768 dimensions" in result.err
    assert "Traceback" not in result.err and not out.exists()
    assert "SET embedding = NULL" in (tmp_path / "plan.fix-skeleton-public.segments.sql").read_text()


HNSW_ROWS = 6000
VECTORS = f"""
CREATE TABLE chunks (id int PRIMARY KEY, embedding vector(32));
INSERT INTO chunks SELECT i, (SELECT array_agg(sin(i * j)::real) FROM generate_series(1, 32) j)::vector(32)
FROM generate_series(1, {HNSW_ROWS}) i;
"""
PROBE = ("EXPLAIN (FORMAT JSON) SELECT id FROM chunks ORDER BY embedding <-> "
         "(SELECT embedding FROM chunks WHERE id = 1) LIMIT 5")


def _index_used(conn) -> str | None:
    with conn.cursor() as cur:
        cur.execute(PROBE)
        plan = json.dumps(cur.fetchone()[0])
    for name in ("pgproof_new_chunks_hnsw", "chunks_hnsw"):
        if f'"Index Name": "{name}"' in plan:
            return name
    return None


def test_changed_hnsw_index_keeps_serving_queries_while_rebuilt(pgproof, empty_db, tmp_path):
    import psycopg2

    from pgproof.core import db

    run_sql(empty_db, "CREATE EXTENSION IF NOT EXISTS vector;" + VECTORS
            + "CREATE INDEX chunks_hnsw ON chunks USING hnsw (embedding vector_l2_ops) WITH (m = 16);")
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE EXTENSION IF NOT EXISTS vector;\nCREATE TABLE chunks (id int PRIMARY KEY, embedding vector(32));\n"
                      "CREATE INDEX chunks_hnsw ON chunks USING hnsw (embedding vector_l2_ops)"
                      " WITH (m = 8, ef_construction = 200);\n")
    plan = tmp_path / "plan.sql"
    made = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(plan))
    assert made.code in (0, 2), made.err
    text = plan.read_text()
    create = text.index("CREATE INDEX CONCURRENTLY IF NOT EXISTS pgproof_new_chunks_hnsw")
    drop = text.index("DROP INDEX CONCURRENTLY IF EXISTS public.chunks_hnsw")
    rename = text.index("ALTER INDEX public.pgproof_new_chunks_hnsw RENAME TO chunks_hnsw")
    assert create < drop < rename

    conn = psycopg2.connect(db.libpq_url(empty_db))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET enable_seqscan = off")
    seen: list[str | None] = []
    done = threading.Event()
    result = {}

    def run_apply():
        result["apply"] = pgproof("apply", str(plan), "--db", empty_db, "--yes",
                                  "--allow-hazards", "INDEX_BUILD,INDEX_DROP")
        done.set()

    worker = threading.Thread(target=run_apply)
    try:
        worker.start()
        while not done.is_set():
            seen.append(_index_used(conn))
            time.sleep(0.005)
        seen.append(_index_used(conn))
    finally:
        worker.join(timeout=300)
        conn.close()
    assert result["apply"].code == 0, result["apply"].err
    assert len(seen) >= 5, "the rebuild was too fast to observe"
    assert None not in seen, f"{seen.count(None)} of {len(seen)} queries ran without an index"
    assert seen[-1] == "chunks_hnsw"
    assert pgproof("drift", "--db", empty_db, "--schema", str(schema)).code == 0
