"""Apply a reviewed plan to the target, exactly as it was reviewed.

Order of business, each refusal before anything changes:
1. the plan file is intact (else refused: edited), its hazards are all allowed (else
   refused, with the exact flag to rerun with), its data fixes are unchanged;
2. the role may make the changes (else one sentence, nothing changed);
3. a Postgres advisory lock: a second apply waits a bounded time, then is refused;
4. the target still has the fingerprint the plan was made against (else refused: stale),
   unless a failed apply of this same plan stopped at exactly the current state, which is
   then resumed;
5. data fixes (before), a preflight of the unique keys the statements build, the
   statements, data fixes (after); progress is recorded after every commit;
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
from pglast import parse_sql
from pglast.ast import IndexStmt

from . import catalog, db, execute, history, majors, privileges
from .errors import ApplyError, ConfigError, Refused
from .exclusions import Exclusions
from .hazards import KNOWN_CODES, TargetFacts, deparse, index_keys, table_key, unique_violations
from .plan import Plan, file_checksum, read

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
) -> Outcome:
    started = time.monotonic()
    plan = read(plan_path)
    _check_allowed(plan, allowed)
    fixes = _fixes_of(plan, fixes_folder)
    privileges.require_write(url, plan.statements)
    with _advisory_lock(url, lock_wait_s), db.connection(url) as conn:
        majors.refuse_upgraded_target(plan.target_version, db.server_version(conn).major)
        described = catalog.describe(url, exclusions)
        current = described.fingerprint()
        start_at = 1
        resumed = None
        if current != plan.target_fingerprint:
            when = history.succeeded(conn, plan.checksum)
            if when is not None and current == plan.desired_fingerprint:
                report(f"This plan was already applied on {when:%Y-%m-%d %H:%M %Z}; nothing to do.")
                return Outcome(plan, 0, None, True, time.monotonic() - started)
            done = history.resumable(conn, plan.checksum, current)
            if done is None:
                raise Refused(
                    "the plan is stale: the target changed since the plan was made "
                    f"(its fingerprint is {current[:12]}, the plan expects {plan.target_fingerprint[:12]}); "
                    "make a new plan with `pgproof plan` and review it."
                )
            start_at = resumed = done + 1
            report(f"Resuming a failed apply of this plan at statement {start_at}.")
        entry = history.start(
            conn, checksum=plan.checksum, kind=plan.kind, target_fp=plan.target_fingerprint,
            desired_fp=plan.desired_fingerprint, statements=[s.render() for s in plan.statements],
            allowed=sorted(allowed),
        )
        try:
            _run(url, conn, plan, fixes, entry, start_at, exclusions, described, report, progress)
        except BaseException as exc:
            fingerprint = _fingerprint_or_none(url, exclusions)
            with contextlib.suppress(psycopg2.Error):
                conn.rollback()
                history.finish(conn, entry, outcome="failed", fingerprint=fingerprint, error=str(exc)[:2000])
            raise
        final = catalog.describe(url, exclusions).fingerprint()
        if final != plan.desired_fingerprint:
            history.finish(conn, entry, outcome="failed", fingerprint=final, error="drift after apply")
            raise ApplyError(
                "every step ran, but the target still differs from the desired schema "
                f"(fingerprint {final[:12]}, expected {plan.desired_fingerprint[:12]}); "
                "run `pgproof drift` to see which objects, and report it."
            )
        history.finish(conn, entry, outcome="succeeded", fingerprint=final)
    run = len(plan.statements) - (start_at - 1)
    return Outcome(plan, run, resumed, False, time.monotonic() - started)


def _run(url, conn, plan: Plan, fixes, entry: int, start_at: int, exclusions: Exclusions,
         described: catalog.Catalog, report: Report, progress) -> None:
    if start_at == 1 and fixes["before"]:
        _run_fixes(url, fixes["before"], progress)
    _preflight(url, plan, start_at, described)  # data fixes change rows, never the catalog

    def committed(number: int) -> None:
        history.progress(conn, entry, number, catalog.describe(url, exclusions).fingerprint())

    try:
        execute.run(url, plan.statements, start_at=start_at, report=report, on_committed=committed)
    except execute.StepFailure as failure:
        applied = failure.first_in_failed_group - 1
        if applied == 0:
            state = "no statement was applied (data fixes that ran keep their changes, archived)"
        else:
            state = (f"statements 1-{applied} are applied and recorded, a clean point: fix the cause "
                     "and run the same apply again to finish")
        raise ApplyError(f"{failure}; {state}.") from None
    if fixes["after"]:
        _run_fixes(url, fixes["after"], progress)


def _run_fixes(url: str, todo: list, progress) -> None:
    from . import fixes as fix_runner  # only plans with data fixes need it

    fix_runner.run(url, todo, progress=progress)


def _check_allowed(plan: Plan, allowed: set[str]) -> None:
    unknown = sorted(allowed - KNOWN_CODES)
    if unknown:
        raise ConfigError(
            f"--allow-hazards names unknown hazard {unknown[0]!r}; known: {', '.join(sorted(KNOWN_CODES))}."
        )
    refused = [code for code in plan.hazard_codes if code not in allowed]
    if refused:
        first = next(
            f"statement {n}: {h.describe()}"
            for n, s in enumerate(plan.statements, start=1) for h in s.hazards if h.kind.code in refused
        )
        flag = ",".join(sorted(set(plan.hazard_codes)))
        raise Refused(
            f"the plan has hazards nobody allowed ({', '.join(refused)}; first, {first}); "
            f"after review, rerun with --allow-hazards {flag}"
        )


def _fixes_of(plan: Plan, folder: Path) -> dict[str, list]:
    """The plan's data fixes as they are on disk now; refused when one changed."""
    result: dict[str, list] = {"before": [], "after": []}
    if not plan.fixes:
        return result
    from . import fixes as fix_runner

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


def _preflight(url: str, plan: Plan, start_at: int, described: catalog.Catalog) -> None:
    """Unique keys the statements will build must have no duplicates now (the data fixes
    have run): fail before the first statement rather than in the middle."""
    with db.connection(url) as conn:
        conn.set_session(readonly=True)
        facts = TargetFacts(conn, described)
        for number, statement in enumerate(plan.statements, start=1):
            if number < start_at:
                continue
            try:
                node = parse_sql(statement.sql)[0].stmt
            except Exception:
                continue
            if isinstance(node, IndexStmt) and node.unique:
                where = deparse(node.whereClause) if node.whereClause else None
                found = unique_violations(table_key(node.relation), index_keys(node), node.idxname, facts,
                                          where, nulls_distinct=not node.nulls_not_distinct)
                for hazard in found:
                    raise ApplyError(
                        f"statement {number} would fail: {hazard.detail}; no statement was applied "
                        "(data fixes that ran keep their changes): add or fix a data fix, then plan again."
                    )


@contextlib.contextmanager
def _advisory_lock(url: str, wait_s: float) -> Iterator[None]:
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
        yield
    finally:
        conn.close()  # closing the session releases the lock


def _fingerprint_or_none(url: str, exclusions: Exclusions) -> str | None:
    try:
        return catalog.describe(url, exclusions).fingerprint()
    except Exception:
        return None
