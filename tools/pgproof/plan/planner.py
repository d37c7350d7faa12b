"""Make a plan and its rollback: diff, online rewrite, hazards, then the proof on a
scratch copy of the target. Nothing here writes to the target."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

from pgproof.core import db, timing
from pgproof.diff import engine as diff
from pgproof.diff import copies
from pgproof.plan import hazards, online, proof
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
    renames: list[Rename] = (),
) -> Made:
    """The plan and its rollback from both sides, each read once; the forward proof (on a
    copy of the target) and the rollback proof (on a copy of the desired schema) run at
    the same time."""
    timeouts = {"lock_timeout_ms": lock_timeout_ms, "statement_timeout_ms": statement_timeout_ms}
    target_url, exclusions = both.target_url, both.exclusions
    found = renames_module.compare_with(both, list(renames), cast_url=both.desired_url)
    result = found.diff
    _refuse_gaps(result)
    with timing.phase("hazards (row counts)"), db.connection(target_url) as conn:
        conn.set_session(readonly=True)
        target_version = db.server_version(conn)
        majors.refuse_unverifiable(both.server.mismatch, result.differences, both.server.version.major, target_version.major)
        facts = TargetFacts(conn, result.actual)
        forward = hazards.classify(online.rewrite(result.statements, result.actual, **timeouts), facts)
        _refuse_unconvertible_embeddings(forward, facts)
    resolving = {key: f.name for f in reversed(fixes) if f.phase == "before" for key in f.resolves}
    forward = hazards.resolve_with_fixes(forward, resolving)
    back = renames_module.way_back(found, both.desired, both.target, cast_url=target_url)
    rollback = _rollback_statements(back.statements, result.desired, timeouts)

    def prove_forward() -> None:
        copy = both.target_copy or (lambda: copies.copy_of(target_url, both.server, exclusions,
                                                          both.target.catalog, both.cache))
        with copy() as copy_url:
            proof.prove(copy_url, forward, both.desired, exclusions, both.server)

    def prove_rollback() -> list[str]:
        left = [f"gap {g.code}: {g.message}" for g in back.gaps]
        with both.desired_copy() as copy_url:
            try:
                copies.run_on_copy(copy_url, rollback, both.server)
                left += proof.remaining(copy_url, both.target, exclusions)
            except DiffError as failure:  # a broken way back must not block a correct way forward
                left.append(str(failure))
        return left

    with timing.phase("proof"), ThreadPoolExecutor(max_workers=2, thread_name_prefix="pgproof-proof") as pool:
        rollback_proof = pool.submit(prove_rollback)
        prove_forward()
        rollback_left = rollback_proof.result()
    if rollback_left:
        log.warning("the rollback plan does not return to the current schema on a scratch copy: %s",
                    "; ".join(rollback_left[:3]))
    common = {
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "target": db.mask(target_url),
        "schema_source": schema_source,
        "target_version": str(target_version),
        "scratch_version": str(both.server.version),
    }
    mismatch = (both.server.mismatch,) if both.server.mismatch else ()
    forward_plan = Plan(
        kind=FORWARD, statements=tuple(forward), fixes=tuple(fixes), rollback_file=rollback_file,
        target_fingerprint=result.actual.fingerprint(), desired_fingerprint=result.desired.fingerprint(),
        notes=mismatch + tuple(result.notes), **common,
    )
    rollback_plan = Plan(
        kind=ROLLBACK, statements=tuple(rollback),
        target_fingerprint=result.desired.fingerprint(), desired_fingerprint=result.actual.fingerprint(),
        irreversible=tuple(_irreversible(forward, fixes)),
        notes=mismatch + tuple(f"proven NOT to work on a scratch copy, review before use: {left}" for left in rollback_left),
        **common,
    )
    return Made(forward_plan, rollback_plan)


def _refuse_gaps(result: diff.Diff) -> None:
    gaps = getattr(result, "gaps", None) or []
    if gaps:
        named = "; ".join(str(getattr(g, "message", g)) for g in gaps[:5])
        raise DiffError(f"the diff has gaps pgproof cannot close: {named}; no plan was written.")


def _refuse_unconvertible_embeddings(forward: list[Statement], facts: TargetFacts) -> None:
    """A vector dimension change fails on every stored embedding: say so at review time,
    not when apply runs."""
    found = [hit for statement in forward for hit in hazards.stored_embeddings(statement, facts)]
    if found:
        column, count = found[0]
        raise DiffError(
            f"{column} changes its vector dimension but holds {count:,} stored embeddings, which "
            "PostgreSQL cannot convert, so apply would fail; clear them first (a data fix in phase "
            "before that sets them to NULL, run with pgproof fixes run --phase before), plan again, "
            "and re-embed after apply; no plan was written."
        )


def _rollback_statements(statements: list[Statement], desired: Catalog, timeouts: dict) -> list[Statement]:
    """The way back, classified without row counts: the state it runs on does not exist yet."""
    return hazards.classify(online.rewrite(statements, desired, **timeouts), TargetFacts(None, desired))


def _irreversible(forward: list[Statement], fixes: list[FixStep]) -> list[str]:
    lines = [
        f"forward statement {n} {h.detail}: that data does not come back"
        for n, s in enumerate(forward, start=1) for h in s.hazards if h.kind is HazardKind.DATA_LOSS
    ]
    lines += [
        f"data fix {f.name} changed {f.rows:,} rows; rollback does not undo data fixes "
        "(rows a fix deleted are kept in pgproof.archived_rows; README, 'Restoring archived rows')"
        for f in fixes
    ]
    return lines
