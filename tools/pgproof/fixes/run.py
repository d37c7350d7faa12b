"""Data fixes: say how many rows each still has to fix, run the pending
ones in short batches, and record every run in the target.

A fix is `data_fixes/NNNN_name.sql` (or `.py`). A SQL fix starts with a comment header:

    -- phase: before                      (before or after the schema statements)
    -- resolves: uq_segments_video_text   (optional: constraints it prepares)
    -- check: SELECT count(*) FROM ...    (optional for batched fixes; indented comment
    --     lines continue it)

followed by either one statement (run once, in one transaction; `check` required) or two:
the *todo* query, listing the work (one row per row still to fix, or per slice of a big
table: a video, a page), and the *batch* statement, run on
each batch of todo rows in its own short transaction, with `$1, $2, ...` bound to arrays
of the todo's columns. The batch statement re-checks each row (the application keeps
writing meanwhile), so a stale todo row is skipped, never mis-fixed. Its row count is the
number of rows changed. Without `check`, the check is the todo's row count.

Because every batch commits on its own, an interrupted run keeps the batches it finished;
run again, the todo lists only what is left, and the end state is the same.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass

import psycopg2
import psycopg2.errors

from pgproof.ledger import archive
from pgproof.core import db
from pgproof.ledger import interrupted
from pgproof.fixes.batches import SESSION, Tally, run_batched, session
from pgproof.core.errors import FixError, Refused
from pgproof.fixes.files import PHASES, Fix, discover, python_module
from pgproof.fixes.preflight import Problem, UniqueKey, preflight, unique_keys
from pgproof.core.progress import SILENT, Progress

__all__ = [
    "PHASES", "Fix", "FixRun", "Problem", "Progress", "UniqueKey",
    "discover", "pending", "preflight", "run", "unique_keys",
]

# Two `fixes run` at once would race for the same rows: one advisory lock per database.
_ADVISORY_KEY = 1_530_365_108  # crc32("pgproof fixes")
_SETTLE_WAIT_S = 30  # how long a killed run's last batch may take to end on the server


@dataclass(frozen=True)
class FixRun:
    fix: str
    run_id: int
    rows_changed: int
    rows_archived: int
    seconds: float
    batches: int
    longest_batch_s: float  # the longest a batch transaction held its locks


# --- checks (read-only) -----------------------------------------------------------------

def pending(url: str, fixes: list[Fix]) -> list[tuple[Fix, int]]:
    """Each fix with the number of rows it still has to fix (0 = done).

    Read-only: runs only the checks, in a read-only transaction, so it works for a
    read-only role and never creates pgproof's schema.
    """
    result = []
    with db.connection(url) as conn:
        conn.set_session(readonly=True, autocommit=False)
        with conn.cursor() as cur:
            for setting in SESSION:
                cur.execute(setting)
            for fix in fixes:
                result.append((fix, _check(cur, fix, url)))
        conn.rollback()
    return result


# A check or todo may name a table or column the schema statements have not created yet
# (an "after" fix, or a new database): there is nothing to fix there yet.
_NOT_THERE_YET = {"42P01", "42703"}  # undefined_table, undefined_column


def _check(cur, fix: Fix, url: str) -> int:
    try:
        with _savepoint(cur):
            cur.execute(fix.check)
            row = cur.fetchone()
    except psycopg2.Error as exc:
        if exc.pgcode in _NOT_THERE_YET:
            return 0
        raise FixError(f"the check of {fix.path.name} failed: {db.server_message(exc, url)}; fix its check query.") from None
    try:
        return int(row[0] or 0) if row is not None and len(row) == 1 else int("not one value")
    except (TypeError, ValueError):
        raise FixError(f"the check of {fix.path.name} must return one integer, not {row!r}; fix its check query.") from None


@contextlib.contextmanager
def _savepoint(cur):
    """Inside a transaction, a failed statement must not abort the checks after it."""
    if cur.connection.autocommit:
        yield
        return
    cur.execute("SAVEPOINT pgproof_check")
    try:
        yield
    except psycopg2.Error:
        cur.execute("ROLLBACK TO SAVEPOINT pgproof_check")
        raise
    cur.execute("RELEASE SAVEPOINT pgproof_check")



# --- running ----------------------------------------------------------------------------

def run(
    url: str,
    fixes: list[Fix],
    *,
    phase: str | None = None,
    progress: Progress | None = None,
    jobs: int = 2,
    batch_rows: int | None = None,
    expected: dict[str, int] | None = None,
) -> list[FixRun]:
    """Run the pending fixes (of `phase`, or all) in order; record each run.
    `expected`: rows each fix was counted to fix (a plan's counts), shown as the total.

    Batches of a fix are independent by contract (each re-checks its own rows), so `jobs`
    connections run them side by side. `batch_rows` pins the batch size (tests); by
    default it adapts so each batch takes about batches.TARGET_BATCH_S.
    """
    chosen = [f for f in fixes if phase is None or f.phase == phase]
    with db.connection(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", (_ADVISORY_KEY,))
        if not cur.fetchone()[0]:
            raise Refused(
                f"another pgproof fixes run is working on {db.mask(url)}; "
                "wait for it to finish, then run again."
            )
        try:
            archive.ensure(cur)
        except psycopg2.errors.InsufficientPrivilege as exc:
            raise FixError(
                f"cannot run data fixes as this role on {db.mask(url)}: {db.server_message(exc, url)}; "
                "fixes run writes (the rows it fixes, pgproof.fix_runs, the archive): run it as the owner "
                "of the schema (fixes status works with a read-only role)."
            ) from None
        # Rows a killed run left `running`: we hold the lock, so their run is gone.
        interrupted.settle(conn, archive.RUNS, "status", wait_s=_SETTLE_WAIT_S)
        for setting in SESSION:
            cur.execute(setting)
        try:
            runs = _run_all(url, conn, cur, chosen, progress, jobs, batch_rows, expected)
        finally:
            # Closing does not end the server's session at once; release explicitly so
            # a run started right after this one is not refused.
            with contextlib.suppress(psycopg2.Error):
                cur.execute("SELECT pg_advisory_unlock(%s)", (_ADVISORY_KEY,))
    return runs


def _run_all(url, conn, cur, chosen: list[Fix], progress, jobs: int, batch_rows, expected) -> list[FixRun]:
    runs = []
    for fix in chosen:
        first = _pass(url, conn, cur, fix, progress, jobs, batch_rows, expected)
        if first is None:
            continue
        runs.append(first)
        left = _check(cur, fix, url)
        if left == 0:
            continue
        # Not done after a full pass: the application may have written such rows meanwhile,
        # so one more pass. A fix that changes nothing then, or leaves as many rows to fix
        # as before, breaks its own promise.
        second = _pass(url, conn, cur, fix, progress, jobs, batch_rows, None)
        if second is not None:
            runs.append(second)
        after = _check(cur, fix, url)
        changed = second.rows_changed if second else 0
        if after and (changed == 0 or after >= left):
            why = (f"the second pass changed {changed:,} rows again, so it is not idempotent (or its check "
                   "counts rows it does not fix)" if changed else
                   "the second pass changed nothing, so its statement does not fix what its check counts")
            raise FixError(
                f"{fix.path.name} ran twice and its check still counts {after:,} rows to fix: {why}; "
                "make the check count exactly the rows the fix changes, and the fix change only those."
            )
        if after:
            logging.getLogger("pgproof").warning(
                f"{fix.name}: {after:,} rows to fix were written while it ran (the second pass fixed "
                f"{changed:,}); the next run fixes them."
            )
    return runs


def _pass(url, conn, cur, fix: Fix, progress, jobs: int, batch_rows, expected) -> FixRun | None:
    """One run of `fix` over what its todo (or check) lists now; None when nothing is."""
    # A batched fix's todo is its check: counted once, then worked through.
    todo_rows = _open_todo(cur, fix, url) if fix.batched else _check(cur, fix, url)
    if todo_rows == 0:
        if fix.batched:
            cur.execute("CLOSE ALL")
        return None
    # Progress counts rows, what `fixes status` counts. A todo of slices (videos,
    # pages) does not say how many rows: the total is what the caller counted (a
    # plan's count), else unknown, rather than a second full check before the work.
    rows = (expected or {}).get(fix.name) if fix.counts_slices else todo_rows
    with (progress or SILENT).step(f"data fix {fix.name}", unit="rows", total=rows) as tick:
        return _run_one(url, conn, fix, todo_rows, rows, tick, jobs, batch_rows)


def _run_one(url, conn, fix: Fix, todo_rows: int, rows: int | None, tick, jobs: int, batch_rows) -> FixRun:
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {archive.RUNS} (fix) VALUES (%s) RETURNING id", (fix.name,))
    run_id = cur.fetchone()[0]
    started = time.perf_counter()
    tally = Tally()
    status = "failed"
    try:
        if fix.batched:
            run_batched(url, cur, fix, run_id, tally, tick, jobs, batch_rows, todo_rows, rows)
        else:
            _run_once(url, fix, run_id, tally, tick, todo_rows)
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        seconds = time.perf_counter() - started
        archived = _record(cur, run_id, status, seconds, tally.changed, failing=status != "done")
    return FixRun(fix.name, run_id, tally.changed, archived, seconds, tally.batches, tally.longest)


def _record(cur, run_id: int, status: str, seconds: float, changed: int, failing: bool) -> int:
    """Close the run's row in fix_runs; returns the rows it archived. When the run is
    already failing (say, the connection is gone), that error matters more than this one."""
    try:
        cur.execute(
            f"UPDATE {archive.RUNS} SET status = %s, duration_s = %s, finished_at = now(), rows_changed = %s, "
            f"rows_archived = (SELECT count(*) FROM {archive.ARCHIVE} WHERE run_id = %s) "
            "WHERE id = %s RETURNING rows_archived",
            (status, seconds, changed, run_id, run_id),
        )
        return cur.fetchone()[0]
    except psycopg2.Error:
        if not failing:
            raise
        return 0


def _run_once(url: str, fix: Fix, run_id: int, tally: Tally, tick, todo_rows: int) -> None:
    with db.connection(url) as conn:
        session(conn, fix, run_id)
        started = time.perf_counter()
        try:
            with conn.cursor() as cur:
                if fix.statement is not None:
                    cur.execute(fix.statement)
                    changed = max(cur.rowcount, 0)
                else:
                    changed = int(python_module(fix).run(cur))
            conn.commit()
        except psycopg2.Error as exc:
            conn.rollback()
            raise FixError(f"{fix.path.name} failed: {db.server_message(exc, url)}; nothing of it was kept.") from None
        tally.add(todo_rows, changed, time.perf_counter() - started)
        tick(changed, max(todo_rows, changed))


def _open_todo(cur, fix: Fix, url: str) -> int:
    """Run the todo query once and keep its rows server-side (WITH HOLD: materialised at
    commit), so no transaction stays open while the batches run and holds back vacuum."""
    try:
        cur.execute("CLOSE ALL")
        cur.execute(f"DECLARE pgproof_todo SCROLL CURSOR WITH HOLD FOR {fix.todo}")
        cur.execute("MOVE FORWARD ALL IN pgproof_todo")
        total = cur.rowcount
        cur.execute("MOVE ABSOLUTE 0 IN pgproof_todo")
    except psycopg2.Error as exc:
        if exc.pgcode in _NOT_THERE_YET:
            return 0
        raise FixError(f"the todo query of {fix.path.name} failed: {db.server_message(exc, url)}; fix it.") from None
    return total
