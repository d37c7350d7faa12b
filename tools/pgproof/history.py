"""The audit trail in the target: every apply, with the plan's checksum and statements,
who ran it, when, how long, and how it ended. It is what Alembic's version table and its
migration files were together, and what lets a failed apply resume where it stopped."""

from __future__ import annotations

import getpass
import json
import socket
from dataclasses import dataclass
from datetime import datetime

from . import db, own_schema

from .own_schema import HISTORY as TABLE


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
        own_schema.ensure(cur)
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
    table = _readable(conn)
    if table is None:
        return None
    with conn.cursor() as cur:
        cur.execute(
            f"""SELECT statements_done FROM {table}
                WHERE plan_checksum = %s AND outcome = 'failed' AND fingerprint_after = %s
                ORDER BY id DESC LIMIT 1""",
            (checksum, fingerprint),
        )
        row = cur.fetchone()
    conn.rollback()
    return row[0] if row else None


def succeeded(conn, checksum: str) -> datetime | None:
    """When this plan was applied successfully, if it was."""
    table = _readable(conn)
    if table is None:
        return None
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT finished_at FROM {table} WHERE plan_checksum = %s AND outcome = 'succeeded' ORDER BY id DESC LIMIT 1",
            (checksum,),
        )
        row = cur.fetchone()
    conn.rollback()
    return row[0] if row else None


def entries(url: str, limit: int = 50) -> list[Entry]:
    """The latest applies, newest first (works with a read-only role)."""
    with db.connection(url) as conn:
        table = _readable(conn)
        if table is None:
            return []
        with conn.cursor() as cur:
            cur.execute(
                f"""SELECT id, plan_checksum, plan_kind, database_user, os_user, started_at, duration_ms,
                           outcome, jsonb_array_length(statements), statements_done, error
                    FROM {table} ORDER BY id DESC LIMIT %s""",
                (limit,),
            )
            return [Entry(*row) for row in cur.fetchall()]


def _readable(conn) -> str | None:
    # Before the carry-over, a read-only command reads the former schema's history.
    with conn.cursor() as cur:
        return own_schema.readable(cur, "apply_history")


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return None
