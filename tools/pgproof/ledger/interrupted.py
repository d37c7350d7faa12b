"""Rows of a command that died while it ran (an apply's history row, a fix run): a
later command holding the same advisory lock marks them interrupted."""

from __future__ import annotations

import time

from pgproof.core import db
from pgproof.core.errors import Refused

_POLL_S = 0.2


def settle(conn, table: str, status_column: str, wait_s: float) -> int:
    """Mark the `running` rows of `table` whose command is gone as `interrupted`; returns
    how many. Waits up to `wait_s` for a dead command's sessions that are still finishing
    a statement (its client was killed mid-statement); refuses when they outlast it."""
    deadline = time.monotonic() + wait_s
    while True:
        with conn.cursor() as cur:
            cur.execute(
                f"""SELECT r.id, r.session_tag,
                           (SELECT min(a.pid) FROM pg_stat_activity a
                            WHERE a.application_name = r.session_tag AND a.pid <> pg_backend_pid()
                              AND a.datname = current_database())
                    FROM {table} r WHERE r.{status_column} = 'running' ORDER BY r.id""",
            )
            rows = cur.fetchall()
        conn.rollback()
        alive = [(row_id, pid) for row_id, tag, pid in rows if pid is not None and tag != db.session_tag()]
        dead = [row_id for row_id, tag, pid in rows if pid is None]
        if not alive or time.monotonic() >= deadline:
            break
        time.sleep(_POLL_S)
    if alive:
        row_id, pid = alive[0]
        raise Refused(
            f"row {row_id} of {table} is still running on backend {pid} although its pgproof "
            f"no longer holds the lock; waited {wait_s:g} s: wait for that statement to end "
            f"(or end it with SELECT pg_terminate_backend({pid})) and run the same command again."
        )
    if dead:
        with conn.cursor() as cur:
            cur.execute(
                f"UPDATE {table} SET {status_column} = 'interrupted', finished_at = coalesce(finished_at, now()) "
                f"WHERE id = ANY(%s) AND {status_column} = 'running'",
                (dead,),
            )
        conn.commit()
    return len(dead)
