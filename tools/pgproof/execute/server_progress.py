"""What a long statement is doing on the server, read from a second connection while it
runs: the phase and blocks or tuples of an index build (`pg_stat_progress_create_index`),
and whether it waits for a lock. VALIDATE and other scans have no progress view: their
line shows that they run, and for how long.

The watcher only connects once a statement has run for `DELAY_S`, so the many short
statements of a plan never pay for a second connection.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import psycopg2

from pgproof.core import db
from pgproof.core.progress import Tick

DELAY_S = 0.3
EVERY_S = 0.2

_QUERY = """
SELECT a.wait_event_type, a.wait_event, p.phase, p.blocks_done, p.blocks_total,
       p.tuples_done, p.tuples_total, p.lockers_done, p.lockers_total
FROM pg_stat_activity AS a
LEFT JOIN pg_stat_progress_create_index AS p ON p.pid = a.pid
WHERE a.pid = %s
"""


@contextlib.contextmanager
def watched(url: str, pid: int, tick: Tick) -> Iterator[None]:
    """Report what backend `pid` is doing to `tick` until the block ends."""
    done = threading.Event()
    thread = threading.Thread(target=_watch, args=(url, pid, tick, done), daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=2)


def _watch(url: str, pid: int, tick: Tick, done: threading.Event) -> None:
    if done.wait(DELAY_S):
        return
    try:
        conn = db.connect(url, autocommit=True)
    except Exception:  # watching is a courtesy: never let it break the statement
        return
    try:
        with conn.cursor() as cur:
            while not done.is_set():
                cur.execute(_QUERY, (pid,))
                row = cur.fetchone()
                if row is not None:
                    _report(row, tick)
                done.wait(EVERY_S)
    except psycopg2.Error:
        pass
    finally:
        conn.close()


def _report(row: tuple, tick: Tick) -> None:
    wait_type, wait_event, phase, blocks_done, blocks_total, tuples_done, tuples_total, \
        lockers_done, lockers_total = row
    waiting = f"waiting for a lock ({wait_event})" if wait_type == "Lock" else None
    if phase is None:  # no progress view for this statement: it runs, or waits
        tick(detail=waiting or "running")
        return
    if blocks_total:
        tick(blocks_done, blocks_total, unit="blocks", detail=waiting or phase)
    elif tuples_total:
        tick(tuples_done, tuples_total, unit="tuples", detail=waiting or phase)
    elif lockers_total:
        tick(lockers_done, lockers_total, unit="transactions", detail=waiting or phase)
    else:
        tick(detail=waiting or phase)


def describe(sql: str) -> str:
    """A few words naming what a statement does, for its progress line (never a cut SQL
    text: the plan shows the statement whole)."""
    from pglast.ast import AlterTableStmt, IndexStmt
    from pglast.enums import AlterTableType

    from pgproof.core.sql import table_key
    from pgproof.core.statement import parse

    node = parse(sql)[0]
    if isinstance(node, IndexStmt):
        kind = "unique index" if node.unique else "index"
        return f"builds {kind} {node.idxname} on {table_key(node.relation)}"
    if isinstance(node, AlterTableStmt):
        table = table_key(node.relation)
        for cmd in node.cmds or ():
            if getattr(cmd, "subtype", None) == AlterTableType.AT_ValidateConstraint:
                return f"validates constraint {cmd.name} on {table}"
        return f"alters {table}"
    return node.__class__.__name__.removesuffix("Stmt").lower()
