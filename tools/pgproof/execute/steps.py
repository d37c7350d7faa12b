"""Run a plan's statements in their transaction groups (core/transactions.py: computed
once when the plan is made),  a step that hit lock_timeout is retried with backoff, and a failed concurrent
index build leaves no INVALID index behind.

Used by `apply` on the target and by the plan's proof on a scratch copy, so both run the
same SQL the same way: the text of `plan.render_step`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import psycopg2
from pglast.ast import IndexStmt

from pgproof.core import db, interrupts
from pgproof.execute import server_progress
from pgproof.core.plan_file import render_step
from pgproof.core.transactions import groups
from pgproof.core.progress import Progress
from pgproof.core.statement import Statement, qualified, split_sql

LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout expired
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0)


@dataclass
class StepFailure(Exception):
    """A statement failed for good. Steps before `first_in_failed_group` are committed."""

    number: int  # the statement that failed (1-based)
    first_in_failed_group: int  # statements from here on were rolled back
    message: str
    sqlstate: str | None
    lost: bool = False  # the connection broke: statement `number` may or may not have run

    def __str__(self) -> str:
        if self.lost:
            return f"the connection to the target broke during statement {self.number} ({self.message})"
        return f"statement {self.number} failed: {self.message}"


Report = Callable[[str], None]


def run(
    url: str,
    statements: Sequence[Statement],
    *,
    start_at: int = 1,
    report: Report | None = None,
    retry_delays: Sequence[float] = RETRY_DELAYS_S,
    on_committed: Callable[[int], None] | None = None,
    before_group: Callable[[int], None] | None = None,
    in_transaction: InTransaction | None = None,
    progress: Progress | None = None,
) -> None:
    """Run statements `start_at`..end on `url`. `before_group(n)` runs before the group
    starting at statement n (apply checks its lock there: a clean point);
    `in_transaction(cursor, n)` runs inside a transactional group's transaction, just
    before its COMMIT; `on_committed(n)` is called each time statements up to n are
    durably applied. With `progress`, each statement is a step and a long one (one with
    hazards) is watched from a second connection. Raises StepFailure."""
    say = report or (lambda message: None)
    shown = _Shown(url, progress, len(statements)) if progress is not None else None
    with db.connection(url, role="target") as conn:
        for group in groups(statements):
            if group[-1][0] < start_at:
                continue
            todo = [(n, s) for n, s in group if n >= start_at]
            attempts = len(retry_delays) + 1
            for attempt in range(1, attempts + 1):
                if before_group:
                    before_group(todo[0][0])
                try:
                    _run_group(url, conn, todo, say, in_transaction, shown)
                    break
                except _Failed as failed:
                    if failed.lost:
                        raise StepFailure(failed.number, todo[0][0], failed.message, failed.sqlstate, lost=True) from None
                    if failed.sqlstate == LOCK_NOT_AVAILABLE and attempt < attempts:
                        delay = retry_delays[attempt - 1]
                        say(f"statement {failed.number} waited longer than its lock_timeout; retry {attempt} in {delay:g} s")
                        time.sleep(delay)
                        continue
                    raise StepFailure(failed.number, todo[0][0], failed.message, failed.sqlstate) from None
            if on_committed:
                on_committed(todo[-1][0])


InTransaction = Callable[[object, int], None]


class StepInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a statement that runs outside a transaction: the server's
    statement was cancelled and what it left removed; statements before it are applied."""

    def __init__(self, number: int, done: str) -> None:
        super().__init__(done)
        self.number, self.done = number, done


class _Failed(Exception):
    def __init__(self, number: int, message: str, sqlstate: str | None, lost: bool = False) -> None:
        super().__init__(message)
        self.number, self.message, self.sqlstate, self.lost = number, message, sqlstate, lost


class _Shown:
    """Each statement as a progress step; those with hazards watched on the server."""

    def __init__(self, url: str, progress: Progress, count: int) -> None:
        self.url, self.progress, self.count = url, progress, count

    @contextlib.contextmanager
    def step(self, conn, number: int, statement: Statement) -> Iterator[None]:
        title = f"statement {number} of {self.count}: {server_progress.describe(statement.sql)}"
        with self.progress.step(title, unit="", total=None) as tick:
            if statement.hazards:
                with server_progress.watched(self.url, conn.get_backend_pid(), tick):
                    yield
            else:
                yield


@contextlib.contextmanager
def _quiet(conn, number: int, statement: Statement) -> Iterator[None]:
    yield


def _run_group(url: str, conn, todo: list[tuple[int, Statement]], say: Report, in_transaction: InTransaction | None,
               shown: _Shown | None = None) -> None:
    transactional = todo[0][1].transactional
    conn.autocommit = not transactional
    current = todo[0][0]
    try:
        with conn.cursor() as cur:
            for number, statement in todo:
                current = number
                started = time.monotonic()
                with (shown.step if shown else _quiet)(conn, number, statement):
                    for sql in split_sql(render_step(statement)):
                        if transactional:
                            cur.execute(sql)
                        else:
                            _cancellable(url, conn, cur, sql, number, statement)
                if shown is None:
                    say(f"statement {number} done in {time.monotonic() - started:.2f} s")
            if transactional and in_transaction:
                in_transaction(cur, todo[-1][0])
        if transactional:
            conn.commit()
    except psycopg2.Error as exc:
        message = db.server_message(exc)
        if conn.closed:  # no clean-up on a dead connection: the rerun does it
            raise _Failed(current, message, exc.pgcode, lost=True) from None
        try:
            if transactional:
                conn.rollback()
            else:
                _drop_invalid_index(conn, todo[0][1])
        except psycopg2.Error as cleanup:
            if conn.closed:
                raise _Failed(current, message, exc.pgcode, lost=True) from None
            raise _Failed(current, f"{message} (and its clean-up failed: {db.server_message(cleanup)})",
                          exc.pgcode) from None
        raise _Failed(current, message, exc.pgcode) from None
    finally:
        if not conn.closed:
            conn.autocommit = False


def _cancellable(url: str, conn, cur, sql: str, number: int, statement: Statement) -> None:
    """Run one statement of a CONCURRENTLY step so that Ctrl-C or SIGTERM stops it on the
    server too: psycopg2 hands Python the signal only once the server has answered, which
    for an index build can be minutes. The statement runs on a thread; the main thread
    waits, and on the signal cancels it with pg_cancel_backend from a second connection,
    then removes the INVALID index the build leaves (with further signals held)."""
    finished = threading.Event()
    failed: list[BaseException] = []
    pid = conn.get_backend_pid()

    def work() -> None:
        try:
            cur.execute(sql)
        except BaseException as exc:  # handed to the main thread
            failed.append(exc)
        finally:
            finished.set()

    worker = threading.Thread(target=work, name="pgproof-statement", daemon=True)
    worker.start()
    try:
        while not finished.wait(0.05):
            pass
    except KeyboardInterrupt:
        with interrupts.held():
            cancelled = _cancel(url, pid, finished)
            removed = ""
            if cancelled and not conn.closed:
                try:
                    _drop_invalid_index(conn, statement)
                    removed = ", and the INVALID index it left was removed"
                except psycopg2.Error as exc:
                    removed = f"; removing the INVALID index it left failed ({db.server_message(exc)})"
        if cancelled and failed:
            done = f"the server's statement {number} ({server_progress.describe(statement.sql)}) was cancelled{removed}"
            raise StepInterrupted(number, done) from None
        raise StepInterrupted(number, f"statement {number} had finished on the server when it was cancelled") from None
    if failed:
        raise failed[0]


def _cancel(url: str, pid: int, finished: threading.Event) -> bool:
    """pg_cancel_backend(pid) from a second connection, then wait for the statement to
    end; False when it had already finished."""
    if finished.is_set():
        return False
    with db.connection(url, role="target", autocommit=True) as other, other.cursor() as cur:
        cur.execute("SELECT pg_cancel_backend(%s)", (pid,))
    finished.wait(30)
    return True


def _drop_invalid_index(conn, statement: Statement) -> None:
    """A failed CREATE INDEX CONCURRENTLY leaves an INVALID index; remove it."""
    node = statement.nodes[0]
    if not isinstance(node, IndexStmt) or not node.idxname:
        return
    name = qualified(node.relation.schemaname or "public", node.idxname)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT NOT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(%s)", (name,)
        )
        row = cur.fetchone()
        if row and row[0]:
            cur.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
