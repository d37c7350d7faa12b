"""pgdeclare's own schema in the target: the record of every data-fix run, and the rows
fixes removed, so nothing a fix deletes is ever lost.

Created on the first `fixes run` (never by `fixes status`, which must work for a
read-only role), idempotently. The schema is excluded from diff and drift by default.

Archived rows are stored whole as `json` (not `jsonb`): json keeps each value's text
exactly as the column type printed it, so the restore brings back the same bytes (jsonb
would turn a double precision -0 into 0). Columns are matched by name on restore, so
an archive survives later schema changes of its table.
"""

from __future__ import annotations

SCHEMA = "pgdeclare"
RUNS = f"{SCHEMA}.fix_runs"
ARCHIVE = f"{SCHEMA}.archived_rows"

# Session settings a fix's statements read through the archive's column defaults, so a
# fix only writes `INSERT INTO pgdeclare.archived_rows (table_name, row) ...`.
FIX_SETTING = "pgdeclare.fix"
RUN_SETTING = "pgdeclare.run_id"

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
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
COMMENT ON TABLE {RUNS} IS 'pgdeclare: one row per data fix run (status running, done, interrupted or failed)';
CREATE TABLE IF NOT EXISTS {ARCHIVE} (
    fix         text NOT NULL DEFAULT current_setting('{FIX_SETTING}'),
    run_id      bigint NOT NULL DEFAULT current_setting('{RUN_SETTING}')::bigint,
    table_name  text NOT NULL,
    row         json NOT NULL,
    archived_at timestamptz NOT NULL DEFAULT now()
);
-- BRIN: nearly free to maintain on an append-only table, and it finds one run's rows.
CREATE INDEX IF NOT EXISTS archived_rows_run_id ON {ARCHIVE} USING brin (run_id);
COMMENT ON TABLE {ARCHIVE} IS 'pgdeclare: rows removed by data fixes, whole; see restore_statement()';
"""


def ensure(cur) -> None:
    """Create the schema and its tables when missing; safe to run any number of times."""
    cur.execute(DDL)


def restore_statement(fix: str, table: str) -> str:
    """The one statement that puts every row `fix` archived from `table` back."""
    return (
        f"INSERT INTO {table} SELECT (json_populate_record(NULL::{table}, row)).* "
        f"FROM {ARCHIVE} WHERE fix = {_literal(fix)} AND table_name = {_literal(table)};"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
