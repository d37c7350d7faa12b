"""Data fixes that appeared since a plan was made: apply names them, and refuses the plan
when one of them would change what its statements need (it resolves a unique key a
statement builds: the plan's proof and its hazards did not know that fix)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pglast.ast import AlterTableStmt, Constraint, IndexStmt

from pgproof.core.errors import Refused
from pgproof.core.hints import Hints
from pgproof.core.plan_file import Plan

__all__ = ["Hints", "check_new", "keys_built"]


def check_new(url: str, plan: Plan, folder: Path, report: Callable[[str], None], hints: Hints) -> None:
    from pgproof.fixes import run as fix_runner  # only when the folder has fixes the plan does not

    known = {f.name for f in plan.fixes}
    new = [fix for fix in fix_runner.discover(folder) if fix.name not in known]
    if not new:
        return
    built = keys_built(plan)
    for fix, rows in fix_runner.pending(url, new):
        if not rows:
            continue
        needed = [key for key in fix.resolves if key in built]
        if needed and fix.phase == "before":
            raise Refused(
                f"data fix {fix.name} appeared since the plan was made and resolves {needed[0]}, which "
                f"statement {built[needed[0]]} builds ({rows:,} rows to fix); make a new plan and review it: "
                f"`{hints.plan()}`"
            )
        report(
            f"note: data fix {fix.name} ({fix.phase}, {rows:,} rows to fix) appeared since the plan was made; "
            f"this apply does not run it: see `{hints.fixes('status')}`, run it with `{hints.fixes('run')}`."
        )


def keys_built(plan: Plan) -> dict[str, int]:
    """Unique indexes and constraints the plan's statements create -> statement number."""
    built: dict[str, int] = {}
    for number, statement in enumerate(plan.statements, start=1):
        for node in statement.nodes:
            if isinstance(node, IndexStmt) and node.unique and node.idxname:
                built.setdefault(node.idxname, number)
            elif isinstance(node, AlterTableStmt):
                for cmd in node.cmds or ():
                    constraint = getattr(cmd, "def_", None)
                    if isinstance(constraint, Constraint) and constraint.conname:
                        built.setdefault(constraint.conname, number)
    return built
