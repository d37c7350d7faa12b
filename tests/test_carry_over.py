"""A target managed under the tool's former name (pgdeclare) keeps everything: read-only
commands leave the former schema alone, the first writing command moves it."""

from __future__ import annotations

import json

import psycopg2

from conftest import run_sql
from pgproof.core import db
from pgproof.ledger import own_schema

FORMER = own_schema.FORMER_SCHEMA
# What the former tool created: the same tables under its own name, its settings included.
FORMER_DDL = own_schema._DDL.replace(own_schema.SCHEMA, FORMER)


def _seed_former(url: str) -> None:
    run_sql(url, FORMER_DDL + f"""
        INSERT INTO {FORMER}.apply_history (plan_checksum, plan_kind, target_fingerprint, desired_fingerprint,
                                            statements, outcome, statements_done)
        VALUES ('sha256:old', 'forward', 'fp-a', 'fp-b', '["SELECT 1"]', 'succeeded', 1);
        INSERT INTO {FORMER}.fix_runs (fix, status, rows_changed, rows_archived) VALUES ('0000_old', 'done', 1, 1);
        SELECT set_config('{FORMER}.fix', '0000_old', false), set_config('{FORMER}.run_id', '1', false);
        INSERT INTO {FORMER}.archived_rows (table_name, row)
        SELECT 'public.segments', row_to_json(s) FROM public.segments s ORDER BY id LIMIT 1;
    """)


def _schemas(url: str) -> set[str]:
    return {r[0] for r in run_sql(url, f"SELECT nspname FROM pg_namespace WHERE nspname IN ('{FORMER}', 'pgproof')")}


def test_read_only_commands_leave_the_former_schema_alone(pgproof, legacy_db):
    _seed_former(legacy_db)
    history = pgproof("history", "--db", legacy_db)
    assert history.code == 0, history.err
    assert "succeeded" in history.out  # the former schema's applies are shown
    drift = pgproof("drift", "--db", legacy_db, "--format", "json")
    assert FORMER not in drift.out
    status = pgproof("fixes", "status", "--db", legacy_db)
    assert status.code == 0, status.err
    assert _schemas(legacy_db) == {FORMER}


def test_first_writing_command_moves_the_former_schema(pgproof, legacy_db):
    _seed_former(legacy_db)
    before = run_sql(legacy_db, f"SELECT id, row::text FROM {FORMER}.archived_rows a JOIN {FORMER}.fix_runs r ON r.id = a.run_id")
    result = pgproof("fixes", "run", "--db", legacy_db, "--yes")
    assert result.code == 0, result.err
    assert _schemas(legacy_db) == {"pgproof"}
    # Moved, not copied: same ids, same archived bytes, the old run still points at its rows.
    after = run_sql(legacy_db, f"""SELECT id, row::text FROM {own_schema.ARCHIVE} a JOIN {own_schema.RUNS} r
                                  ON r.id = a.run_id WHERE r.fix = '0000_old'""")
    assert after == before
    assert run_sql(legacy_db, f"SELECT count(*) FROM {own_schema.HISTORY}")[0][0] == 1
    # The defaults read pgproof's settings now: this run's rows were archived under its name.
    fixes = run_sql(legacy_db, f"SELECT DISTINCT fix FROM {own_schema.ARCHIVE} ORDER BY 1")
    assert ("0000_old",) in fixes and ("0001_remove_duplicate_segments",) in fixes
    comments = run_sql(legacy_db, "SELECT obj_description('pgproof.fix_runs'::regclass)")[0][0]
    assert comments.startswith("pgproof:")
    assert pgproof("drift", "--db", legacy_db).code in (0, 2)


def test_both_schemas_are_merged_into_pgproof(legacy_db):
    conn = psycopg2.connect(db.libpq_url(legacy_db))
    try:
        with conn.cursor() as cur:
            own_schema.ensure(cur)
            cur.execute(f"INSERT INTO {own_schema.RUNS} (fix, status) VALUES ('0009_new', 'done')")
        conn.commit()
    finally:
        conn.close()
    _seed_former(legacy_db)
    conn = psycopg2.connect(db.libpq_url(legacy_db))
    try:
        with conn.cursor() as cur:
            own_schema.ensure(cur)
            own_schema.ensure(cur)  # idempotent
        conn.commit()
    finally:
        conn.close()
    assert _schemas(legacy_db) == {"pgproof"}
    runs = run_sql(legacy_db, f"SELECT id, fix FROM {own_schema.RUNS} ORDER BY id")
    assert [fix for _, fix in runs] == ["0009_new", "0000_old"]
    old_run_id = runs[1][0]
    archived = run_sql(legacy_db, f"SELECT fix, run_id, row::text FROM {own_schema.ARCHIVE}")
    assert [(fix, run_id) for fix, run_id, _ in archived] == [("0000_old", old_run_id)]
    assert json.loads(archived[0][2])["id"] >= 1
    assert run_sql(legacy_db, f"SELECT plan_checksum FROM {own_schema.HISTORY}") == [("sha256:old",)]
