"""pgproof's own schema in a target: the apply history, the data-fix runs and the rows
fixes removed, created idempotently by the first command that writes to the target.

The tool was called pgdeclare before (the name was taken on PyPI); databases it managed
then hold its schema under the former name. The first pgproof command that writes to
such a target carries it over: the schema is renamed (moved, not copied, so ids,
sequences and archived rows stay as they are) and the column defaults and comments that
named the former tool are rewritten. Where both schemas exist (the former tool ran again
after pgproof), the former one's rows are moved into pgproof's tables, fix-run ids
renumbered together with the archived rows that point at them, and the former schema is
dropped, in the same transaction. Until then read-only commands only read the former
schema, and diff and drift always leave it out.

Archived rows are stored whole as `json` (not `jsonb`): json keeps each value's text
exactly as the column type printed it, so the restore brings back the same bytes (jsonb
would turn a double precision -0 into 0).
"""

from __future__ import annotations

from pgproof.core.exclusions import FORMER_SCHEMA, SCHEMA

HISTORY = f"{SCHEMA}.apply_history"
RUNS = f"{SCHEMA}.fix_runs"
ARCHIVE = f"{SCHEMA}.archived_rows"

# Session settings a fix's statements read through the archive's column defaults, so a
# fix only writes `INSERT INTO pgproof.archived_rows (table_name, row) ...`.
FIX_SETTING = f"{SCHEMA}.fix"
RUN_SETTING = f"{SCHEMA}.run_id"

# Serialises the carry-over of two first runs at once ("pgproof own schema", crc32).
_CARRY_OVER_LOCK = 3_447_107_561

_HISTORY_COLUMNS = (
    "plan_checksum, plan_kind, target_fingerprint, desired_fingerprint, statements, hazards_allowed, "
    "database_user, os_user, client_host, started_at, finished_at, duration_ms, outcome, "
    "statements_done, fingerprint_after, error"
)
_RUN_COLUMNS = "fix, status, rows_changed, rows_archived, duration_s, started_at, finished_at, db_user"

_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {HISTORY} (
    id                  bigserial PRIMARY KEY,
    plan_checksum       text NOT NULL,
    plan_kind           text NOT NULL,
    target_fingerprint  text NOT NULL,
    desired_fingerprint text NOT NULL,
    statements          jsonb NOT NULL,
    hazards_allowed     text[] NOT NULL DEFAULT '{{}}',
    database_user       text NOT NULL DEFAULT current_user,
    os_user             text,
    client_host         text,
    started_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at         timestamptz,
    duration_ms         bigint,
    outcome             text NOT NULL DEFAULT 'running',
    statements_done     integer NOT NULL DEFAULT 0,
    fingerprint_after   text,
    error               text
);
CREATE TABLE IF NOT EXISTS {RUNS} (
    id            bigserial PRIMARY KEY,
    fix           text NOT NULL,
    status        text NOT NULL DEFAULT 'running',
    rows_changed  bigint NOT NULL DEFAULT 0,
    rows_archived bigint NOT NULL DEFAULT 0,
    duration_s    double precision,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    db_user       text NOT NULL DEFAULT session_user
);
CREATE TABLE IF NOT EXISTS {ARCHIVE} (
    fix         text NOT NULL DEFAULT current_setting('{FIX_SETTING}'),
    run_id      bigint NOT NULL DEFAULT current_setting('{RUN_SETTING}')::bigint,
    table_name  text NOT NULL,
    row         json NOT NULL,
    archived_at timestamptz NOT NULL DEFAULT now()
);
-- Which command wrote a row: its connections' application_name (db.session_tag), so a
-- row left running by a process that is gone is told from one that still works. Added
-- only when missing: an ALTER TABLE would wait behind a running apply's progress update.
DO $columns$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = '{HISTORY}'::regclass AND attname = 'session_tag') THEN
        ALTER TABLE {HISTORY} ADD COLUMN session_tag text DEFAULT current_setting('application_name');
        ALTER TABLE {HISTORY} ADD COLUMN catalog_after jsonb;
    END IF;
    -- The way back of each apply: the whole text of its rollback plan file (pgproof rollback N).
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = '{HISTORY}'::regclass AND attname = 'rollback_plan') THEN
        ALTER TABLE {HISTORY} ADD COLUMN IF NOT EXISTS rollback_plan text;
    END IF;
    -- The statement after which catalog_after was read (apply reads it after a step commits).
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = '{HISTORY}'::regclass AND attname = 'state_at') THEN
        ALTER TABLE {HISTORY} ADD COLUMN IF NOT EXISTS state_at integer;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = '{RUNS}'::regclass AND attname = 'session_tag') THEN
        ALTER TABLE {RUNS} ADD COLUMN session_tag text DEFAULT current_setting('application_name');
    END IF;
END
$columns$;
-- BRIN: nearly free to maintain on an append-only table, and it finds one run's rows.
CREATE INDEX IF NOT EXISTS archived_rows_run_id ON {ARCHIVE} USING brin (run_id);
"""

# Idempotent: also rewrites what a carried-over schema still says of the former name.
_NAMING = f"""
ALTER TABLE {ARCHIVE}
    ALTER COLUMN fix SET DEFAULT current_setting('{FIX_SETTING}'),
    ALTER COLUMN run_id SET DEFAULT current_setting('{RUN_SETTING}')::bigint;
COMMENT ON TABLE {HISTORY} IS '{SCHEMA}: one row per apply of a plan';
COMMENT ON TABLE {RUNS} IS '{SCHEMA}: one row per data fix run (status running, done, interrupted or failed)';
COMMENT ON TABLE {ARCHIVE} IS '{SCHEMA}: rows removed by data fixes, whole; see restore_statement()';
"""

_RENAME_FORMER = f"""
DO $carry$
BEGIN
    PERFORM pg_advisory_xact_lock({_CARRY_OVER_LOCK});
    IF to_regnamespace('{FORMER_SCHEMA}') IS NOT NULL AND to_regnamespace('{SCHEMA}') IS NULL THEN
        ALTER SCHEMA {FORMER_SCHEMA} RENAME TO {SCHEMA};
    END IF;
END
$carry$;
"""

_MERGE_FORMER = f"""
DO $merge$
BEGIN
    IF to_regnamespace('{FORMER_SCHEMA}') IS NULL THEN
        RETURN;
    END IF;
    IF to_regclass('{FORMER_SCHEMA}.apply_history') IS NOT NULL THEN
        INSERT INTO {HISTORY} ({_HISTORY_COLUMNS})
        SELECT {_HISTORY_COLUMNS} FROM {FORMER_SCHEMA}.apply_history ORDER BY id;
    END IF;
    CREATE TEMP TABLE pgproof_run_ids (old_id bigint PRIMARY KEY, new_id bigint) ON COMMIT DROP;
    IF to_regclass('{FORMER_SCHEMA}.fix_runs') IS NOT NULL THEN
        INSERT INTO pgproof_run_ids
        SELECT id, nextval(pg_get_serial_sequence('{RUNS}', 'id')) FROM {FORMER_SCHEMA}.fix_runs ORDER BY id;
        INSERT INTO {RUNS} (id, {_RUN_COLUMNS})
        SELECT m.new_id, {", ".join("r." + c.strip() for c in _RUN_COLUMNS.split(","))}
        FROM {FORMER_SCHEMA}.fix_runs r JOIN pgproof_run_ids m ON m.old_id = r.id;
    END IF;
    IF to_regclass('{FORMER_SCHEMA}.archived_rows') IS NOT NULL THEN
        INSERT INTO {ARCHIVE} (fix, run_id, table_name, row, archived_at)
        SELECT a.fix, COALESCE(m.new_id, a.run_id), a.table_name, a.row, a.archived_at
        FROM {FORMER_SCHEMA}.archived_rows a LEFT JOIN pgproof_run_ids m ON m.old_id = a.run_id;
    END IF;
    DROP SCHEMA {FORMER_SCHEMA} CASCADE;
END
$merge$;
"""


def ensure(cur) -> None:
    """Create the schema and its tables when missing, carrying over the former schema
    first; safe to run any number of times, and all in one transaction (a multi-statement
    query is one implicit transaction on an autocommit connection too)."""
    cur.execute(_RENAME_FORMER + _DDL + _NAMING + _MERGE_FORMER)


def readable(cur, table: str) -> str | None:
    """The qualified name to read `table` (apply_history, fix_runs, archived_rows) from:
    pgproof's, else the former schema's while it has not been carried over, else None."""
    for schema in (SCHEMA, FORMER_SCHEMA):
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{schema}.{table}",))
        if cur.fetchone()[0]:
            return f"{schema}.{table}"
    return None
