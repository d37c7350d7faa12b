"""Make a plan and its rollback: diff, online rewrite, hazards, then the proof on a
scratch copy of the target. Nothing here writes to the target."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from . import db, diff, hazards, majors, online, proof, timing
from . import renames as renames_module
from .catalog import Catalog
from .errors import DiffError
from .exclusions import Exclusions
from .hazards import HazardKind, TargetFacts
from .renames import Rename
from .plan import FORWARD, ROLLBACK, FixStep, Plan
from .scratch import ScratchServer
from .statement import Statement

log = logging.getLogger("pgproof")


@dataclass(frozen=True)
class Made:
    forward: Plan
    rollback: Plan


def make(
    *,
    target_url: str,
    desired_url: str,
    server: ScratchServer,
    exclusions: Exclusions,
    fixes: list[FixStep],
    lock_timeout_ms: int,
    statement_timeout_ms: int,
    schema_source: str,
    rollback_file: str,
    renames: list[Rename] = (),
) -> Made:
    timeouts = {"lock_timeout_ms": lock_timeout_ms, "statement_timeout_ms": statement_timeout_ms}
    found = renames_module.compute_with(target_url, desired_url, exclusions, list(renames), server)
    result = found.diff
    _refuse_gaps(result)
    with db.connection(target_url) as conn:
        conn.set_session(readonly=True)
        target_version = db.server_version(conn)
        majors.refuse_unverifiable(server.mismatch, result.differences, server.version.major, target_version.major)
        forward = hazards.classify(
            online.rewrite(result.statements, result.actual, **timeouts), TargetFacts(conn, result.actual)
        )
    with timing.phase("proof"), proof.copy_of(target_url, server, exclusions) as copy_url:
        back = renames_module.compute_with(
            desired_url, copy_url, exclusions, renames_module.reverse(found.applied), server).diff
        rollback = _rollback_statements(back.statements, result.desired, timeouts)
        proof.prove(copy_url, forward, desired_url, result.desired, exclusions)
        rollback_left = [f"gap {g.code}: {g.message}" for g in back.gaps]
        try:
            proof.run_on_copy(copy_url, rollback)
            rollback_left += proof.remaining(copy_url, target_url, result.actual, exclusions)
        except DiffError as failure:  # a broken way back must not block a correct way forward
            rollback_left.append(str(failure))
    if rollback_left:
        log.warning("the rollback plan does not return to the current schema on a scratch copy: %s",
                    "; ".join(rollback_left[:3]))
    common = {
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "target": db.mask(target_url),
        "schema_source": schema_source,
        "target_version": str(target_version),
        "scratch_version": str(server.version),
    }
    mismatch = (server.mismatch,) if server.mismatch else ()
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
