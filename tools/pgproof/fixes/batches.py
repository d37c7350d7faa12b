"""Applying a batched fix: its todo rows, fetched from a server-side cursor, handed out in
consecutive batches to a pool of connections, each batch in its own short transaction.

Batch sizes adapt so a batch takes about TARGET_BATCH_S: row locks the application may
wait for are held that long, not for the whole run. A failed batch rolls back alone; the
finished ones stay, which is what makes an interrupted run resumable.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import psycopg2

from pgproof.ledger import archive
from pgproof.core import db
from pgproof.core.errors import FixError

if TYPE_CHECKING:
    from pgproof.fixes.files import Fix
    from pgproof.core.progress import Tick

# Batches aim at this duration: far under the ~1 s a transaction may hold row locks the
# application waits for, and long enough that per-batch overhead stays small.
TARGET_BATCH_S = 0.1
FIRST_BATCH_ROWS = 1000
MAX_BATCH_ROWS = 50_000
# One sort or hash of a big table's keys fits in memory instead of spilling to disk.
WORK_MEM = "64MB"
# Session settings of every fix connection. No parallel query: a parallel hash join
# builds its hash table once per worker (three times the work for a todo), and the CPUs
# are better left to the application and to our own batch connections.
SESSION = (f"SET work_mem = '{WORK_MEM}'", "SET max_parallel_workers_per_gather = 0")
# Waiting longer than this for a row the application holds fails the batch (and the run)
# instead of queueing the application behind us.
LOCK_TIMEOUT = "5s"


class Tally:
    """What a run has done so far; kept up to date, so an interrupted run is recorded too."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = self.changed = self.batches = 0  # done: todo rows handled
        self.longest = 0.0

    def add(self, rows: int, changed: int, seconds: float) -> None:
        with self.lock:
            self.done += rows
            self.changed += changed
            self.batches += 1
            self.longest = max(self.longest, seconds)


def session(conn, fix: Fix, run_id: int) -> None:
    """Settings of a connection that runs a fix; the archive's defaults read the last two."""
    with conn.cursor() as cur:
        for setting in SESSION:
            cur.execute(setting)
        cur.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        # A generic plan for a batch of 10 ids and one of 50,000 can differ wildly.
        cur.execute("SET plan_cache_mode = force_custom_plan")
        cur.execute(f"SELECT set_config('{archive.FIX_SETTING}', %s, false), "
                    f"set_config('{archive.RUN_SETTING}', %s, false)", (fix.name, str(run_id)))


def run_batched(url: str, cur, fix: Fix, run_id: int, tally: Tally, tick: Tick,
                jobs: int, batch_rows: int | None, total: int, rows: int | None = None) -> None:
    """Work through the open cursor pgproof_todo (`total` todo rows) with `jobs`
    connections; `tick` hears the rows changed, of `rows` when that is known."""
    def report() -> None:
        slices = f"{tally.done:,}/{total:,} todo rows, " if fix.counts_slices else ""
        tick(tally.changed, max(rows, tally.changed) if rows is not None else None,
             detail=f"{slices}{tally.batches:,} batches")

    feeder = _Feeder(cur, tally, batch_rows, fix.batch_size)
    workers = [_Worker(url, fix, run_id, feeder) for _ in range(max(1, min(jobs, 16)))]
    for worker in workers:
        worker.start()
    try:
        while any(w.is_alive() for w in workers):
            for worker in workers:
                worker.join(timeout=0.1)
            report()
            if feeder.error:
                break
    except KeyboardInterrupt:
        feeder.stop(None)
        for worker in workers:
            worker.cancel()
        for worker in workers:
            worker.join()
        raise
    finally:
        for worker in workers:
            worker.join()
        cur.execute("CLOSE pgproof_todo")
    if feeder.error:
        raise feeder.error
    report()


class _Feeder:
    """Hands out consecutive batches of todo rows, sized so a batch takes about
    TARGET_BATCH_S. Shared by the workers; the todo cursor lives on the main connection."""

    def __init__(self, cur, tally: Tally, batch_rows: int | None, first: int | None = None) -> None:
        self.cur = cur
        self.tally = tally
        self.fixed_size = batch_rows
        self.size = batch_rows or first or FIRST_BATCH_ROWS
        self.lock = threading.Lock()
        self.error: BaseException | None = None
        self.stopped = False

    def next(self) -> list[tuple] | None:
        with self.lock:
            if self.stopped:
                return None
            self.cur.execute(f"FETCH FORWARD {int(self.size)} FROM pgproof_todo")
            return self.cur.fetchall() or None

    def finished(self, rows: int, changed: int, seconds: float) -> None:
        self.tally.add(rows, changed, seconds)
        if not self.fixed_size:
            with self.lock:
                # Towards the target duration, growing by half at most (a slower stretch of
                # the table must not double a batch that was already at the target).
                wanted = rows / max(seconds, 1e-3) * TARGET_BATCH_S
                self.size = int(max(self.size / 2, 1, min(self.size * 1.5, wanted, MAX_BATCH_ROWS)))

    def stop(self, error: BaseException | None) -> None:
        with self.lock:
            self.stopped = True
            if error is not None and self.error is None:
                self.error = error


class _Worker(threading.Thread):
    """One connection applying batches, each in its own transaction."""

    def __init__(self, url: str, fix: Fix, run_id: int, feeder: _Feeder) -> None:
        super().__init__(daemon=True)
        self.url, self.fix, self.run_id, self.feeder = url, fix, run_id, feeder
        self.conn: psycopg2.extensions.connection | None = None

    def cancel(self) -> None:
        conn = self.conn
        if conn is not None and not conn.closed:
            conn.cancel()

    def run(self) -> None:
        try:
            with db.connection(self.url) as conn:
                self.conn = conn
                session(conn, self.fix, self.run_id)
                apply = self._sql(conn) if self.fix.batch else self._python()
                conn.commit()
                while (rows := self.feeder.next()) is not None:
                    started = time.perf_counter()
                    with conn.cursor() as cur:
                        changed = apply(cur, rows)
                    conn.commit()
                    self.feeder.finished(len(rows), changed, time.perf_counter() - started)
        except psycopg2.Error as exc:
            if self.conn is not None and not self.conn.closed:
                self.conn.rollback()
            self.feeder.stop(FixError(
                f"a batch of {self.fix.path.name} failed: {db.server_message(exc, self.url)}; "
                "that batch was rolled back and the finished ones are kept, so fix the cause and run again."
            ))
        except BaseException as exc:  # keep the first error; the main thread re-raises it
            self.feeder.stop(exc)

    def _sql(self, conn):
        with conn.cursor() as cur:
            cur.execute(f"PREPARE pgproof_batch AS {self.fix.batch}")

        def apply(cur, rows: list[tuple]) -> int:
            columns = [list(column) for column in zip(*rows)]
            cur.execute(f"EXECUTE pgproof_batch ({', '.join(['%s'] * len(columns))})", columns)
            return max(cur.rowcount, 0)

        return apply

    def _python(self):
        from pgproof.fixes.files import python_module

        module = python_module(self.fix)
        return lambda cur, rows: int(module.batch(cur, rows))
