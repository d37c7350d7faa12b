"""Apply a reviewed plan to the target, exactly as it was reviewed.

Order of business, each refusal before anything changes:
1. the plan file is intact (else refused: edited), its hazards are all allowed (else
   refused, with the exact flag to rerun with), its data fixes are unchanged;
2. the role may make the changes (else one sentence, nothing changed);
3. a Postgres advisory lock: a second apply waits a bounded time, then is refused;
4. whatever a dead apply of this plan left is settled (resume.py: its `running` row, the
   INVALID index of its interrupted build); the target must still have the fingerprint
   the plan was made against (else refused: stale), unless an unfinished apply of this
   same plan explains the current state, which is then resumed;
5. data fixes (before), a preflight of the unique keys the statements build, the
   statements, data fixes (after); progress is recorded with every commit (the step's
   number inside the transaction of a transactional step, the catalog after its COMMIT,
   outside its locks), and the lock checked before every step;
6. the target's fingerprint must now equal the desired one; the history row says how it
   ended.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors

from pgproof.read import catalog, majors
from pgproof.core import db, timing
from pgproof.execute import steps as execute
from pgproof.ledger import history
from pgproof.plan import pending_fixes as plan_fixes
from pgproof.apply import privileges, resume
from pgproof.ledger import interrupted
from pgproof.core.errors import ApplyError, ConfigError, ConnectionLost, Interrupted, PgProofError, Refused
from pgproof.core.exclusions import Exclusions
from pgproof.plan import row_checks, row_counts
from pgproof.plan.hazards import KNOWN_CODES
from pgproof.core.plan_file import FORWARD, Plan, file_checksum, pair, read, way_back

ADVISORY_KEY = 4_211_229_534  # crc32("pgproof apply"): one lock per database
Report = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    statements_run: int
    resumed_from: int | None
    already_applied: bool
    seconds: float


def apply(
    url: str,
    plan_path: Path,
    *,
    allowed: set[str],
    exclusions: Exclusions,
    fixes_folder: Path,
    lock_wait_s: float,
    report: Report,
    progress=None,
    hints: plan_fixes.Hints | None = None,
    row_check_timeout_ms: int = 60_000,
) -> Outcome:
    started = time.monotonic()
    hints = hints or plan_fixes.Hints()
    plan = read(plan_path)
    _check_allowed(plan, allowed, hints)
    way_back = _way_back(plan, plan_path, report)
    fixes = _fixes_of(plan, fixes_folder)
    plan_fixes.check_new(url, plan, fixes_folder, report, hints)
    privileges.require_write(url, plan.statements)
    db.new_session_tag()
    with _advisory_lock(url, lock_wait_s) as lock, db.connection(url) as conn:
        majors.refuse_upgraded_target(plan.target_version, db.server_version(conn).major)
        point, described = _where(url, conn, plan, exclusions, lock_wait_s, hints)
        if point is None:
            report(f"This plan was already applied on {described:%Y-%m-%d %H:%M %Z}; nothing to do.")
            return Outcome(plan, 0, None, True, time.monotonic() - started)
        if point.note:
            report(point.note)
        run = _Run(url, conn, plan, exclusions, lock, start_at=point.start_at)
        run.row_check_timeout_ms = row_check_timeout_ms
        run.entry = history.start(
            conn, checksum=plan.checksum, kind=plan.kind, target_fp=plan.target_fingerprint,
            desired_fp=plan.desired_fingerprint, statements=[s.render() for s in plan.statements],
            allowed=sorted(allowed), done=point.start_at - 1, fingerprint=described.fingerprint(),
            state=described.state(), rollback=way_back,
        )
        try:
            _run(run, fixes, described, report, progress)
            lock.check(run.done)
            with timing.phase("catalog"):
                final = catalog.describe(url, exclusions).fingerprint()
        except BaseException as exc:
            raise run.stopped(exc) from None
        if final != plan.desired_fingerprint:
            history.finish(conn, run.entry, outcome="failed", fingerprint=final, error="drift after apply")
            raise ApplyError(
                "every step ran, but the target still differs from the desired schema "
                f"(fingerprint {final[:12]}, expected {plan.desired_fingerprint[:12]}); "
                "run `pgproof drift` to see which objects, and report it."
            )
        try:
            history.finish(conn, run.entry, outcome="succeeded", fingerprint=final)
        except BaseException as exc:
            raise run.stopped(exc) from None
    ran = max(0, len(plan.statements) - (point.start_at - 1))
    return Outcome(plan, ran, point.start_at if point.start_at > 1 else None, False, time.monotonic() - started)


def _way_back(plan: Plan, plan_path: Path, report: Report) -> str | None:
    """The text of the plan file that leads back from `plan` (its rollback file beside it;
    for a rollback plan, its forward plan), recorded in the history so `pgproof rollback`
    finds it after the file is gone or overwritten; None, with a note, when there is none."""
    path = way_back(plan, plan_path)
    if path is None or not path.is_file():
        if plan.kind == FORWARD:
            report(f"note: {path} is not beside the plan, so this apply records no rollback for `pgproof rollback`.")
        return None
    try:
        other = read(path)
    except PgProofError:
        other = None
    forward, back = (plan, other) if plan.kind == FORWARD else (other, plan)
    if other is None or not pair(forward, back):
        report(f"note: {path} is not the way back from this plan, so this apply records no rollback for `pgproof rollback`.")
        return None
    return path.read_text(encoding="utf-8")


def _where(url: str, conn, plan: Plan, exclusions: Exclusions, wait_s: float, hints: plan_fixes.Hints):
    """(resume.Point, the target's catalog) to run from, or (None, when it succeeded) for
    a plan already applied; refused when the target is stale. First, whatever a dead
    apply left: its `running` row, the INVALID index of its interrupted build."""
    if history.readable(conn):
        history.ensure(conn)
        interrupted.settle(conn, history.TABLE, "outcome", wait_s)
    left = history.unfinished(conn, plan.checksum)
    if left is not None and left.statements_done < len(plan.statements):
        resume.drop_invalid_leftover(url, plan.statements[left.statements_done])
    with timing.phase("catalog"):
        described = catalog.describe(url, exclusions)
    current = described.fingerprint()
    when = history.succeeded(conn, plan.checksum)
    if when is not None and left is None and current == plan.desired_fingerprint:
        return None, when
    point = resume.where(plan, described, left)
    if point is None:
        raise Refused(
            "the plan is stale: the target changed since the plan was made "
            f"(its fingerprint is {current[:12]}, the plan expects {plan.target_fingerprint[:12]}); "
            f"make a new plan and review it: `{hints.plan()}`"
        )
    return point, described


class _Run:
    """One apply in progress: what is committed and recorded so far, and how it ends when
    something stops it (one sentence saying where the target stands)."""

    def __init__(self, url: str, conn, plan: Plan, exclusions: Exclusions, lock: _Lock, start_at: int) -> None:
        self.url, self.conn, self.plan, self.exclusions, self.lock = url, conn, plan, exclusions, lock
        self.start_at = start_at
        self.done = start_at - 1  # statements 1..done are applied and recorded
        self.entry = 0
        self.current: str = "the data fixes"
        self.row_check_timeout_ms = 60_000

    def record_in_transaction(self, cur, number: int) -> None:
        history.record_done(cur, self.entry, number)

    def committed(self, number: int) -> None:
        # After COMMIT, so the step's locks are gone while the catalog is read (a read of
        # the whole catalog inside the transaction stalled the application 0.3 s a step).
        self.done = number
        described = catalog.describe(self.url, self.exclusions)
        history.progress(self.conn, self.entry, number, described.fingerprint(), described.state())

    def before(self, number: int) -> None:
        self.current = f"statement {number}"
        self.lock.check(self.done)

    def stopped(self, exc: BaseException) -> BaseException:
        """Record how this apply ended (never on a dead connection) and say so."""
        lost = _connection_lost(exc) or (isinstance(exc, psycopg2.Error) and bool(self.conn.closed))
        outcome = "interrupted" if lost or isinstance(exc, (KeyboardInterrupt, LockLost)) else "failed"
        self._finish(outcome, db.mask(str(exc)) or type(exc).__name__)
        if isinstance(exc, KeyboardInterrupt):
            return self.interrupted(exc)
        if not lost or isinstance(exc, ConnectionLost):
            return exc
        if isinstance(exc, execute.StepFailure):
            detail = exc.message
        else:
            detail = db.server_message(exc) if isinstance(exc, psycopg2.Error) else str(exc)
        return ConnectionLost(
            f"lost the connection to the target during {self.current} ({db.mask(detail)}); {standing(self.done)}, "
            "and what was in flight is either committed or rolled back: run the same apply again "
            "to finish (it resumes where this one stopped)."
        )

    def interrupted(self, exc: KeyboardInterrupt) -> Interrupted:
        """Ctrl-C or SIGTERM: what was applied and what was not, in one sentence."""
        total = len(self.plan.statements)
        if isinstance(exc, execute.StepInterrupted):
            done = exc.number - 1
            left = f"statements {exc.number}-{total} were not applied" if exc.number < total \
                else f"statement {total} was not applied"
            return Interrupted(
                f"interrupted during statement {exc.number}: {exc.done}; {standing(done)}, {left}; "
                "run the same apply again to finish (it resumes where this one stopped)."
            )
        return Interrupted(
            f"interrupted during {self.current}; {standing(self.done)}, and what was in flight was "
            "committed or rolled back as a whole (a transaction never half-applies): run the same "
            "apply again to finish (it resumes where this one stopped)."
        )

    def _finish(self, outcome: str, error: str) -> None:
        for attempt in ("this connection", "a new one"):
            try:
                if attempt == "this connection":
                    if self.conn.closed:
                        continue
                    self.conn.rollback()
                    history.finish(self.conn, self.entry, outcome=outcome, fingerprint=None, error=error)
                else:
                    with db.connection(self.url) as fresh:
                        history.finish(fresh, self.entry, outcome=outcome, fingerprint=None, error=error)
                return
            except (psycopg2.Error, PgProofError):
                continue  # a rerun marks the row interrupted


def standing(done: int) -> str:
    """Where the target stands, for a sentence."""
    if done == 0:
        return "no statement was applied (data fixes that ran keep their finished batches, archived)"
    return "statement 1 is applied and recorded" if done == 1 else f"statements 1-{done} are applied and recorded"


def _connection_lost(exc: BaseException) -> bool:
    if isinstance(exc, execute.StepFailure):
        return exc.lost
    if isinstance(exc, ConnectionLost):
        return True
    # Without a SQLSTATE the server never answered: the connection itself broke.
    return isinstance(exc, psycopg2.Error) and exc.pgcode is None


def _run(run: _Run, fixes, described: catalog.Catalog, report: Report, progress) -> None:
    url, plan = run.url, run.plan
    if run.start_at == 1 and fixes["before"]:
        run.lock.check(run.done)
        with timing.phase("data fixes"):
            _run_fixes(url, fixes["before"], progress, plan)
    _preflight(url, plan, run.start_at, described, run.row_check_timeout_ms)  # fixes change rows, never the catalog
    try:
        with timing.phase("statements"):
            execute.run(url, plan.statements, start_at=run.start_at, report=report, on_committed=run.committed,
                        before_group=run.before, in_transaction=run.record_in_transaction, progress=progress)
    except execute.StepFailure as failure:
        if failure.lost:
            raise
        applied = failure.first_in_failed_group - 1
        if applied == 0:
            state = "no statement was applied (data fixes that ran keep their changes, archived)"
        else:
            state = (f"statements 1-{applied} are applied and recorded, a clean point: fix the cause "
                     "and run the same apply again to finish")
        raise ApplyError(f"{failure}; {state}.") from None
    if fixes["after"]:
        run.current = "the data fixes after the statements"
        run.lock.check(run.done)
        with timing.phase("data fixes"):
            _run_fixes(url, fixes["after"], progress, plan)
    run.current = "the check and record after the last statement"


def _run_fixes(url: str, todo: list, progress, plan: Plan) -> None:
    from pgproof.fixes import run as fix_runner  # only plans with data fixes need it

    fix_runner.run(url, todo, progress=progress, expected={f.name: f.rows for f in plan.fixes})


def checked(plan_path: Path, allowed: set[str], hints: plan_fixes.Hints) -> Plan:
    """The plan, read (refused when edited) and its hazards checked against `allowed`
    (refused when one is not): what must hold before anyone is asked to confirm."""
    plan = read(plan_path)
    _check_allowed(plan, allowed, hints)
    return plan


def _check_allowed(plan: Plan, allowed: set[str], hints: plan_fixes.Hints) -> None:
    unknown = sorted(allowed - KNOWN_CODES)
    if unknown:
        raise ConfigError(
            f"--allow-hazards names unknown hazard {unknown[0]!r}; known: {', '.join(sorted(KNOWN_CODES))}."
        )
    refused = [code for code in plan.hazard_codes if code not in allowed]
    if refused:
        first = (
            [f"statement {n}: {h.describe()}" for n, s in enumerate(plan.statements, start=1) for h in s.hazards
             if h.needs_ack and h.kind.code in refused]
            + [h.describe() for _, h in plan.fix_hazards if h.kind.code in refused]
        )[0]
        flag = ",".join(sorted(set(plan.hazard_codes)))
        raise Refused(
            f"the plan has hazards nobody allowed ({', '.join(refused)}; first, {first}); "
            f"after review, rerun with --allow-hazards {flag}: `{hints.apply(flag)}`"
        )


def _fixes_of(plan: Plan, folder: Path) -> dict[str, list]:
    """The plan's data fixes as they are on disk now; refused when one changed."""
    result: dict[str, list] = {"before": [], "after": []}
    if not plan.fixes:
        return result
    from pgproof.fixes import run as fix_runner

    on_disk = {fix.name: fix for fix in fix_runner.discover(folder)}
    for step in plan.fixes:
        fix = on_disk.get(step.name)
        if fix is None or file_checksum(fix.path) != step.checksum:
            raise Refused(
                f"data fix {step.name} is missing from {folder} or changed since the plan was made; "
                "make a new plan and review it."
            )
        result[step.phase].append(fix)
    return result


def _preflight(url: str, plan: Plan, start_at: int, described: catalog.Catalog, timeout_ms: int) -> None:
    """Rows that would make a statement fail (plan/row_checks.py), counted again now that
    the data fixes have run: fail before the first statement rather than in the middle."""
    with db.connection(url) as conn:
        conn.set_session(readonly=True)
        schema = row_checks.Schema(described, db.server_version(conn).major)
        todo = [c for c in row_checks.checks(list(plan.statements), schema) if c.statement >= start_at]
        for found in row_counts.recount(conn, todo, schema, timeout_ms):
            resolver = next((h.resolved_by for h in plan.statements[found.check.statement - 1].hazards
                             if h.resolved_by), None)
            ran = f" although data fix {resolver} ran" if resolver else ""
            raise ApplyError(
                f"statement {found.check.statement} would fail{ran}: {found.detail}; no statement was applied "
                "(data fixes that ran keep their changes): add or fix a data fix, then plan again."
            )


class LockLost(ApplyError):
    """The session holding the apply's advisory lock ended while the apply went on."""


class _Lock:
    """The advisory lock's own session; `check` fails once that session is gone."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def check(self, done: int) -> None:
        try:
            with self.conn.cursor() as cur:
                cur.execute("SELECT 1")
        except psycopg2.Error:
            raise LockLost(
                "the session holding this apply's advisory lock ended (terminated, or its connection "
                f"broke), so apply stopped at a clean point rather than run beside another apply: {standing(done)}; "
                "run the same apply again to finish."
            ) from None


@contextlib.contextmanager
def _advisory_lock(url: str, wait_s: float) -> Iterator[_Lock]:
    """One apply per database at a time, held for the whole apply on its own session."""
    conn = db.connect(url, autocommit=True)
    try:
        deadline = time.monotonic() + wait_s
        with conn.cursor() as cur:
            while True:
                cur.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,))
                if cur.fetchone()[0]:
                    break
                if time.monotonic() >= deadline:
                    cur.execute(
                        "SELECT a.pid, a.usename, a.backend_start FROM pg_locks l "
                        "JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.objid = %s AND l.granted LIMIT 1",
                        (ADVISORY_KEY & 0xFFFFFFFF,),
                    )
                    holder = cur.fetchone()
                    who = f" (backend {holder[0]}, user {holder[1]})" if holder else ""
                    raise Refused(
                        f"another pgproof apply is running on this database{who}; waited {wait_s:g} s; "
                        "run again when it has finished (apply_lock_wait_s sets the wait)."
                    )
                time.sleep(0.2)
        yield _Lock(conn)
    finally:
        conn.close()  # closing the session releases the lock
