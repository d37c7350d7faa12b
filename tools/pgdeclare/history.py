"""The audit trail in the target: every apply, with the plan's checksum and statements,
who ran it, when, how long, and how it ended. It is what Alembic's version table and its
migration files were together, and what lets a failed apply resume where it stopped."""

from __future__ import annotations

import getpass
import json
import socket
from dataclasses import dataclass
from datetime import datetime

from . import db

SCHEMA = "pgdeclare"
TABLE = f"{SCHEMA}.apply_history"

_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {TABLE} (
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
COMMENT ON TABLE {TABLE} IS 'pgdeclare: one row per apply of a plan';
"""


@dataclass(frozen=True)
class Entry:
    id: int
    plan_checksum: str
    plan_kind: str
    database_user: str
    os_user: str | None
    started_at: datetime
    duration_ms: int | None
    outcome: str
    statements: int
    statements_done: int
    error: str | None


def ensure(conn) -> None:
    with conn.cursor() as cur:
        cur.execute(_DDL)
    conn.commit()


def start(conn, *, checksum: str, kind: str, target_fp: str, desired_fp: str,
          statements: list[str], allowed: list[str]) -> int:
    ensure(conn)
    with conn.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {TABLE} (plan_checksum, plan_kind, target_fingerprint, desired_fingerprint,
                                     statements, hazards_allowed, os_user, client_host)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
            (checksum, kind, target_fp, desired_fp, json.dumps(statements), allowed,
             _os_user(), socket.gethostname()),
        )
        entry_id = cur.fetchone()[0]
    conn.commit()
    return entry_id


def progress(conn, entry_id: int, statements_done: int, fingerprint: str) -> None:
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE {TABLE} SET statements_done = %s, fingerprint_after = %s WHERE id = %s",
            (statements_done, fingerprint, entry_id),
        )
    conn.commit()


def finish(conn, entry_id: int, *, outcome: str, fingerprint: str | None, error: str | None = None) -> None:
    with conn.cursor() as cur:
        cur.execute(
            f"""UPDATE {TABLE}
                SET outcome = %s, fingerprint_after = COALESCE(%s, fingerprint_after), error = %s,
                    finished_at = clock_timestamp(),
                    duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint
                WHERE id = %s""",
            (outcome, fingerprint, error, entry_id),
        )
    conn.commit()


def resumable(conn, checksum: str, fingerprint: str) -> int | None:
    """Statements already done by a failed apply of this plan that left the target at
    `fingerprint`; None when there is nothing to resume."""
    if not _exists(conn):
        return None
    with conn.cursor() as cur:
        cur.execute(
            f"""SELECT statements_done FROM {TABLE}
                WHERE plan_checksum = %s AND outcome = 'failed' AND fingerprint_after = %s
                ORDER BY id DESC LIMIT 1""",
            (checksum, fingerprint),
        )
        row = cur.fetchone()
    conn.rollback()
    return row[0] if row else None


def succeeded(conn, checksum: str) -> datetime | None:
    """When this plan was applied successfully, if it was."""
    if not _exists(conn):
        return None
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT finished_at FROM {TABLE} WHERE plan_checksum = %s AND outcome = 'succeeded' ORDER BY id DESC LIMIT 1",
            (checksum,),
        )
        row = cur.fetchone()
    conn.rollback()
    return row[0] if row else None


def entries(url: str, limit: int = 50) -> list[Entry]:
    """The latest applies, newest first (works with a read-only role)."""
    with db.connection(url) as conn:
        if not _exists(conn):
            return []
        with conn.cursor() as cur:
            cur.execute(
                f"""SELECT id, plan_checksum, plan_kind, database_user, os_user, started_at, duration_ms,
                           outcome, jsonb_array_length(statements), statements_done, error
                    FROM {TABLE} ORDER BY id DESC LIMIT %s""",
                (limit,),
            )
            return [Entry(*row) for row in cur.fetchall()]


def _exists(conn) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,))
        return bool(cur.fetchone()[0])


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return None
