"""The audit trail in the target: every apply, with the plan's checksum and statements,
who ran it, when, how long, and how it ended. It is what Alembic's version table and its
migration files were together, and what lets a failed apply resume where it stopped."""

from __future__ import annotations

import getpass
import json
import socket
from dataclasses import dataclass
from datetime import datetime

import psycopg2.errors

from pgproof.core import db
from pgproof.ledger import own_schema
from pgproof.core.errors import ConfigError

from pgproof.ledger.own_schema import HISTORY as TABLE


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
    finished_at: datetime | None = None
    target_fingerprint: str | None = None
    fingerprint_after: str | None = None
    has_rollback: bool = False  # its rollback plan is recorded (pgproof rollback ID)

    def to_data(self) -> dict:
        """The entry for `history --format json`."""
        return {
            "id": self.id, "plan_checksum": self.plan_checksum, "plan_kind": self.plan_kind,
            "database_user": self.database_user, "os_user": self.os_user,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_ms": self.duration_ms, "outcome": self.outcome, "statements": self.statements,
            "statements_done": self.statements_done, "error": self.error,
            "target_fingerprint": self.target_fingerprint, "fingerprint_after": self.fingerprint_after,
            "rollback_recorded": self.has_rollback,
        }


@dataclass(frozen=True)
class Recorded:
    """One apply as `pgproof rollback` needs it."""

    entry: Entry
    rollback_plan: str | None  # the rollback plan file's text, when one was recorded


def ensure(conn) -> None:
    with conn.cursor() as cur:
        own_schema.ensure(cur)
    conn.commit()


@dataclass(frozen=True)
class Unfinished:
    """The latest apply of a plan that did not succeed: where it stood when it stopped."""

    id: int
    outcome: str  # failed or interrupted
    statements_done: int  # statements 1..n were committed (recorded in their transaction)
    fingerprint: str | None  # the target's catalog fingerprint after statement `state_at`
    state: dict[str, str] | None  # catalog.Catalog.state() after statement `state_at`
    state_at: int | None = None  # None: read after `statements_done` (rows written before 0.3)

    @property
    def read_at(self) -> int:
        """The statement after which `fingerprint` and `state` were read: a transactional
        step records its number in its own transaction and the catalog after it commits,
        outside its locks, so a stop in between leaves the catalog of an earlier step."""
        return self.statements_done if self.state_at is None else self.state_at


def start(conn, *, checksum: str, kind: str, target_fp: str, desired_fp: str,
          statements: list[str], allowed: list[str], done: int = 0,
          fingerprint: str | None = None, state: dict | None = None, rollback: str | None = None) -> int:
    """A new history row; `done`, `fingerprint` and `state` say where it starts from (a
    resumed apply starts where the one before stopped); `rollback` is the text of the
    plan's rollback plan file, kept so the way back outlives the file."""
    ensure(conn)
    with conn.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {TABLE} (plan_checksum, plan_kind, target_fingerprint, desired_fingerprint,
                                     statements, hazards_allowed, os_user, client_host,
                                     statements_done, fingerprint_after, catalog_after, rollback_plan)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
            (checksum, kind, target_fp, desired_fp, json.dumps(statements), allowed,
             _os_user(), socket.gethostname(), done, fingerprint, _json(state), rollback),
        )
        entry_id = cur.fetchone()[0]
    conn.commit()
    return entry_id


def progress(conn, entry_id: int, statements_done: int, fingerprint: str, state: dict | None = None) -> None:
    """Statements 1..`statements_done` are applied; commits."""
    with conn.cursor() as cur:
        record_progress(cur, entry_id, statements_done, fingerprint, state)
    conn.commit()


def record_progress(cur, entry_id: int, statements_done: int, fingerprint: str, state: dict | None) -> None:
    """The same, inside the caller's transaction."""
    cur.execute(
        f"""UPDATE {TABLE} SET statements_done = %s, fingerprint_after = %s, catalog_after = %s, state_at = %s
            WHERE id = %s""",
        (statements_done, fingerprint, _json(state), statements_done, entry_id),
    )


def record_done(cur, entry_id: int, statements_done: int) -> None:
    """Statements 1..`statements_done` are applied, inside the caller's transaction: a
    step's statements and the record that they ran commit together, so no rerun finds them
    committed but not recorded. It costs one row update, not a catalog read: the step's
    locks are held until COMMIT (the catalog follows with `progress`, after it)."""
    cur.execute(f"UPDATE {TABLE} SET statements_done = %s WHERE id = %s", (statements_done, entry_id))


def unfinished(conn, checksum: str) -> Unfinished | None:
    """The latest failed or interrupted apply of this plan, unless one succeeded since."""
    table = _readable(conn)
    if table is None:
        return None
    with conn.cursor() as cur:
        cur.execute(
            f"""SELECT id, outcome, statements_done, fingerprint_after, catalog_after, state_at FROM {table}
                WHERE plan_checksum = %s ORDER BY id DESC LIMIT 1""",
            (checksum,),
        )
        row = cur.fetchone()
    conn.rollback()
    if row is None or row[1] not in ("failed", "interrupted"):
        return None
    return Unfinished(*row)


def _json(state: dict | None) -> str | None:
    return json.dumps(state, sort_keys=True) if state is not None else None


def finish(conn, entry_id: int, *, outcome: str, fingerprint: str | None, error: str | None = None) -> None:
    with conn.cursor() as cur:
        cur.execute(
            f"""UPDATE {TABLE}
                SET outcome = %s, fingerprint_after = COALESCE(%s, fingerprint_after), error = %s,
                    finished_at = clock_timestamp(),
                    duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint
                WHERE id = %s""",
            (outcome, fingerprint, db.mask(error)[:2000] if error else None, entry_id),
        )
    conn.commit()


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
        try:
            return _entries(conn, limit)
        except psycopg2.errors.InsufficientPrivilege as exc:
            user = db.database_user(url)
            raise ConfigError(
                f"this role cannot read the apply history of {db.mask(url)} ({db.server_message(exc, url)}); "
                f"GRANT USAGE ON SCHEMA {own_schema.SCHEMA} TO {user}; GRANT SELECT ON {TABLE} TO {user}."
            ) from None


_ENTRY = """SELECT id, plan_checksum, plan_kind, database_user, os_user, started_at, duration_ms,
                   outcome, jsonb_array_length(statements), statements_done, error, finished_at,
                   target_fingerprint, fingerprint_after, {rollback} IS NOT NULL"""


def _entries(conn, limit: int) -> list[Entry]:
    table = _readable(conn)
    if table is None:
        return []
    with conn.cursor() as cur:
        cur.execute(_ENTRY.format(rollback=_rollback_column(cur, table)) + f" FROM {table} ORDER BY id DESC LIMIT %s",
                    (limit,))
        return [Entry(*row) for row in cur.fetchall()]


def recorded(url: str, entry_id: int) -> Recorded | None:
    """Apply `entry_id` of the target's history with its rollback plan; None when the
    history has no such apply (works with a read-only role)."""
    with db.connection(url) as conn, conn.cursor() as cur:
        table = own_schema.readable(cur, "apply_history")
        if table is None:
            return None
        column = _rollback_column(cur, table)
        cur.execute(_ENTRY.format(rollback=column) + f", {column} FROM {table} WHERE id = %s", (entry_id,))
        row = cur.fetchone()
    return Recorded(Entry(*row[:-1]), row[-1]) if row else None


def _rollback_column(cur, table: str) -> str:
    """rollback_plan, or NULL in a history no pgproof 0.2 has written to yet (a read-only
    command does not add the column)."""
    cur.execute("SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'rollback_plan'"
                " AND NOT attisdropped)", (table,))
    return "rollback_plan" if cur.fetchone()[0] else "NULL::text"


def readable(conn) -> str | None:
    """The history table to read, if the target has one (pgproof's or the former one)."""
    return _readable(conn)


def _readable(conn) -> str | None:
    # Before the carry-over, a read-only command reads the former schema's history.
    with conn.cursor() as cur:
        return own_schema.readable(cur, "apply_history")


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return None
