"""Prove a plan before anyone reviews it: run the plan's statements on a copy of the
target's schema (`diff/copies.py`) and require the result to equal the desired schema,
by migra and by the independent catalog comparison.
"""

from __future__ import annotations

from pgproof.core.errors import DiffError
from pgproof.core.exclusions import Exclusions
from pgproof.core.statement import Statement
from pgproof.diff.copies import run_on_copy
from pgproof.diff.engine import Side, migration, read
from pgproof.read import catalog
from pgproof.read.catalog import Difference
from pgproof.scratch import ScratchServer


def remaining(copy_url: str, goal: Side, exclusions: Exclusions) -> list[str]:
    """What still differs between the copy and the goal, by the catalog comparison and by
    migra; empty when they converged. The copy is read once; the goal was read before."""
    copy = read(copy_url, exclusions, role="scratch")
    found = [describe(d) for d in catalog.compare(goal.catalog, copy.catalog)]
    found += [f"migra still emits: {s.render()}" for s in migration(copy, goal)]
    return found


def describe(difference: Difference) -> str:
    return f"{difference.status} {difference.label}"


def prove(copy_url: str, statements: list[Statement], desired: Side, exclusions: Exclusions,
          server: ScratchServer) -> None:
    """Run `statements` on the copy and require it to equal the desired schema."""
    run_on_copy(copy_url, statements, server)
    left = remaining(copy_url, desired, exclusions)
    if left:
        raise DiffError(
            "the plan does not converge: after its statements ran on a scratch copy of the target, "
            f"these still differ from the desired schema: {'; '.join(left[:8])}; "
            "this is a known gap of migra (see README); the plan was not written."
        )
