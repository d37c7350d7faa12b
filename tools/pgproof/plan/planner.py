"""Make a plan and its rollback: diff, online rewrite, hazards, then the proof on a
scratch copy of the target. Nothing here writes to the target."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psycopg2.extensions import connection as Connection

from pgproof.core import db, timing
from pgproof.diff import engine as diff
from pgproof.diff import copies
from pgproof.plan import hazards, keep, online, order, proof, row_checks, row_counts
from pgproof.plan import rehearsal as rows
from pgproof.read import majors
from pgproof.diff import renames as renames_module
from pgproof.read.catalog import Catalog
from pgproof.core.errors import DiffError
from pgproof.core.hazard import HazardKind
from pgproof.plan.hazards import TargetFacts
from pgproof.diff.renames import Rename
from pgproof.core.plan_file import FORWARD, ROLLBACK, FixStep, Plan
from pgproof.diff.sides import Sides
from pgproof.core.statement import Statement
from pgproof.core import transactions
from pgproof.fixes import prepare
from pgproof.fixes.files import Fix

log = logging.getLogger("pgproof")


@dataclass(frozen=True)
class Made:
    forward: Plan
    rollback: Plan


def make(
    both: Sides,
    *,
    fixes: list[FixStep],
    lock_timeout_ms: int,
    statement_timeout_ms: int,
    schema_source: str,
    rollback_file: str,
    renames: Sequence[Rename] = (),
    fix_keys: dict[str, tuple[str, ...]] | None = None,
    row_check_timeout_ms: int = 60_000,
    fix_files: Sequence[Fix] = (),
    rehearsal: str = rows.VIOLATING,
) -> Made:
    """The plan and its rollback from both sides, each read once; the forward proof (on a
    copy of the target) and the rollback proof (on a copy of the desired schema) run at
    the same time. `fix_keys`: each data fix's name -> the names it resolves
    (`row_checks.fix_keys`; without it, what the fixes declare). Refused
    (`row_counts.Unresolved`) when rows of the target make a statement fail and no data
    fix of the plan resolves them. Every data fix in `fix_files` is prepared against the
    schema it will meet (`fixes/prepare.py`): phase before on the target, phase after on
    the proof's copy once the statements ran. `rehearsal` says which of the target's rows
    the proof copies and rehearses the plan's fixes and statements with
    (`plan/rehearsal.py`)."""
    timeouts = {"lock_timeout_ms": lock_timeout_ms, "statement_timeout_ms": statement_timeout_ms}
    target_url, exclusions = both.target_url, both.exclusions
    found = renames_module.compare_with(both, list(renames), cast_url=both.casts)
    result = found.diff
    _refuse_gaps(result)
    with timing.phase("data-fix prepare"):
        deferred, unprepared = prepare.on_target(target_url, fix_files)
    with timing.phase("hazards (row counts)"), db.connection(target_url) as conn:
        conn.set_session(readonly=True)
        target_version = db.server_version(conn)
        majors.refuse_unverifiable(both.server.mismatch, result.differences, both.server.version.major, target_version.major)
        forward, counted = forward_statements(conn, result, target_version.major, timeouts, row_check_timeout_ms)
        keeping = kept_steps(conn, result, forward, keep.opt_outs(list(both.files)))
        forward = keeping.statements
    keys = fix_keys if fix_keys is not None else {f.name: f.resolves for f in fixes}
    resolving = {key: f.name for f in reversed(fixes) if f.phase == "before" for key in keys.get(f.name, ())}
    row_counts.refuse_unresolved(counted, lambda names: hazards.resolver(names, resolving))
    forward = transactions.assign(hazards.resolve_with_fixes(forward, resolving))
    back = renames_module.way_back(found, both.desired, both.target, cast_url=target_url)
    rollback = _rollback_statements(back.statements, result.desired, timeouts,
                                    lambda online: keep.rollback(online, keeping.kept, result.actual))

    in_plan = {step.name for step in fixes}
    plan_fixes = [fix for fix in fix_files if fix.name in in_plan]

    def prove_forward() -> rows.Rehearsed:
        copy = both.target_copy or (lambda: copies.copy_of(target_url, both.server, exclusions,
                                                          both.target.catalog, both.cache))
        with copy() as copy_url:
            unprepared.extend(prepare.on_copy(copy_url, deferred, prepare.BEFORE_COPY))
            rehearsed = _copy_rows(target_url, copy_url, rehearsal, plan_fixes, forward, _violating(counted))

            def prepare_after() -> None:
                with timing.phase("data-fix prepare"):
                    unprepared.extend(prepare.on_copy(copy_url, prepare.pieces_of(fix_files, "after"), prepare.AFTER))

            proof.prove(copy_url, forward, both.desired, exclusions, both.server, rows=[t.table for t in rehearsed.tables],
                        fixes=plan_fixes, after_statements=prepare_after)
            if keeping.kept:  # what the rollback restores exists only where the plan ran
                kept_left.extend(prove_back(copy_url))
            return rehearsed

    def prove_back(copy_url: str) -> list[str]:
        try:
            copies.run_on_copy(copy_url, rollback, both.server)
            return proof.remaining(copy_url, both.target, exclusions)
        except DiffError as failure:  # a broken way back must not block a correct way forward
            return [str(failure)]

    def prove_rollback() -> list[str]:
        left = [f"gap {g.code}: {g.message}" for g in back.gaps]
        if keeping.kept:  # proven on the forward proof's copy, once the plan ran there
            return left
        with both.desired_copy() as copy_url:
            left += prove_back(copy_url)
        return left

    kept_left: list[str] = []
    with timing.phase("proof"), ThreadPoolExecutor(max_workers=2, thread_name_prefix="pgproof-proof") as pool:
        rollback_proof = pool.submit(prove_rollback)
        rehearsed = prove_forward()
        rollback_left = rollback_proof.result() + kept_left
    if rollback_left:
        log.warning("the rollback plan does not return to the current schema on a scratch copy: %s",
                    "; ".join(rollback_left[:3]))
    common: dict[str, Any] = {
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "target": db.mask(target_url),
        "schema_source": schema_source,
        "target_version": str(target_version),
        "scratch_version": str(both.server.version),
    }
    mismatch = (both.server.mismatch,) if both.server.mismatch else ()
    forward_plan = Plan(
        kind=FORWARD, statements=tuple(forward), fixes=tuple(fixes), rollback_file=rollback_file,
        target_fingerprint=result.actual.fingerprint(), desired_fingerprint=result.desired.fingerprint(),
        notes=mismatch + tuple(result.notes) + tuple(result.coverage_notes) + tuple(unprepared),
        rehearsal=rehearsed.header(), **common,
    )
    rollback_plan = Plan(
        kind=ROLLBACK, statements=tuple(rollback),
        target_fingerprint=result.desired.fingerprint(), desired_fingerprint=result.actual.fingerprint(),
        irreversible=tuple(_irreversible(forward, fixes)),
        notes=mismatch + tuple(f"proven NOT to work on a scratch copy, review before use: {left}" for left in rollback_left),
        **common,
    )
    return Made(forward_plan, rollback_plan)


def _copy_rows(target_url: str, copy_url: str, mode: str, fixes: list[Fix],
               statements: list[Statement], violating: list[rows.Wanted]) -> rows.Rehearsed:
    """The target's rows the rehearsal needs, copied into the proof's copy: the rows the
    fixes' checks count and the rows the row checks found violating (`violating`)."""
    if mode == rows.NONE:
        return rows.Rehearsed(rows.NONE)
    tables, words = rows.names_in([sql for fix in fixes for _, sql, _ in fix.parts()] + [s.sql for s in statements])
    wanted = rows.rows_counted_by(fixes) + violating
    sampled = tables | rows.touched_tables(statements) if mode == rows.SAMPLE else set()
    with timing.phase("rehearsal (copy rows)"):
        copied, notes = rows.copy_rows(target_url, copy_url, wanted, sample_tables=sampled, words=words,
                                       sample_rows=rows.SAMPLE_ROWS if mode == rows.SAMPLE else None)
    return rows.Rehearsed(mode, tuple(copied), tuple(notes))


def _violating(counted: list[row_counts.Counted]) -> list[rows.Wanted]:
    """The rows each row check counted (a data fix of the plan resolves them, or the plan
    was refused), so the rehearsal proves the fix does: by ctid, which the check's
    predicate over its alias selects. A conversion only tried (not exact) is left out: its
    predicate may raise on the very rows it is about."""
    return [(c.check.table, f"ctid IN (SELECT {row_checks.ROW}.ctid FROM {c.check.table} AS {row_checks.ROW} "
                            f"WHERE {c.check.rows_predicate()})")
            for c in counted if c.rows and c.check.exact]


def _refuse_gaps(result: diff.Diff) -> None:
    gaps = getattr(result, "gaps", None) or []
    if gaps:
        named = "; ".join(str(getattr(g, "message", g)) for g in gaps[:5])
        raise DiffError(f"the diff has gaps pgproof cannot close: {named}; no plan was written.")


def _rollback_statements(statements: list[Statement], desired: Catalog, timeouts: dict[str, int],
                         restore: Callable[[list[Statement]], list[Statement]]) -> list[Statement]:
    """The way back, classified without row counts: the state it runs on does not exist
    yet. `restore` puts back what the plan kept, once the statements are in their order."""
    ordered = restore(_online(statements, desired, timeouts))
    return transactions.assign(hazards.classify(ordered, TargetFacts(None, desired)))


def forward_statements(conn: Connection, result: diff.Diff, target_major: int, timeouts: dict[str, int],
                       row_check_timeout_ms: int) -> tuple[list[Statement], list[row_counts.Counted]]:
    """The diff's statements as a plan runs them (online, ordered, with their hazards and
    the rows that would make them fail, counted on `conn`, read-only), before data fixes
    resolve any and before the transaction groups are assigned. The warm-equals-cold test
    of the corpus calls it too."""
    forward = hazards.classify(_online(result.statements, result.actual, timeouts), TargetFacts(conn, result.actual))
    with timing.phase("row checks"):
        schema = row_checks.Schema(result.actual, target_major)
        counted = row_counts.count_all(conn, row_checks.checks(forward, schema), schema, row_check_timeout_ms)
    return row_counts.with_hazards(forward, counted), counted


def kept_steps(conn: Connection, result: diff.Diff, statements: list[Statement], skip: dict[str, str]) -> keep.Rewritten:
    """The forward statements with the steps that keep what they destroy (plan/keep.py);
    `conn` reads the target's keys. The warm-equals-cold test of the corpus calls it too."""
    pid = keep.plan_id(result.actual.fingerprint(), result.desired.fingerprint())
    return keep.forward(statements, conn, result.actual, skip, pid)


def _online(statements: list[Statement], before: Catalog, timeouts: dict[str, int]) -> list[Statement]:
    """The online rewrite, ordered so that the transaction boundaries keep the
    application working (plan/order.py); the groups are assigned once hazards are known."""
    return order.arrange(online.rewrite(statements, before, **timeouts))


def _irreversible(forward: list[Statement], fixes: list[FixStep]) -> list[str]:
    lines = [
        f"forward statement {n} {h.detail}: that data does not come back"
        for n, s in enumerate(forward, start=1) for h in s.hazards if h.kind is HazardKind.DATA_LOSS and not h.kept
    ]
    lines += [
        f"data fix {f.name} changed {f.rows:,} rows; rollback does not undo data fixes "
        "(rows a fix deleted are kept in pgproof.archived_rows; docs/data-fixes.md, 'Restoring archived rows')"
        for f in fixes
    ]
    return lines
