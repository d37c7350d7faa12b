"""Plans proven on a scratch server of another major than the target's.

PostgreSQL renders some definitions differently from one major to the next (a view
PostgreSQL 15 prints as ``SELECT c.id`` PostgreSQL 16 prints as ``SELECT id``). A plan
proven on another major cannot know how the target will render the objects it creates
or changes, so `apply` could run every step and still find the target different from
the desired fingerprint. Such a plan is refused before anything is written; a plan that
touches none of them is written with the mismatch named in its header.
"""

from __future__ import annotations

from pgproof import scratch
from pgproof.read.catalog import Difference
from pgproof.core.errors import DiffError, Refused

# The kinds whose definitions the server renders and whose rendering changes between majors.
RENDERED_KINDS = ("view", "function", "trigger", "policy", "rule")


def refuse_unverifiable(mismatch: str | None, differences: list[Difference], scratch_major: int,
                        target_major: int) -> None:
    """Raise when a plan made on another major creates or changes rendered definitions."""
    if mismatch is None:
        return
    touched = [d for d in differences if d.kind in RENDERED_KINDS and d.status != "extra"]
    if not touched:
        return
    names = ", ".join(f"{d.kind} {d.key}" for d in touched[:5]) + (" ..." if len(touched) > 5 else "")
    raise DiffError(
        f"the plan creates or changes {names}, whose definitions PostgreSQL {target_major} renders "
        f"differently from the scratch server's {scratch_major}, so apply could not verify them; "
        f"make the plan with a scratch of PostgreSQL {target_major}: {scratch.matching_hint(target_major)}."
    )


def refuse_upgraded_target(plan_target_version: str, target_major: int) -> None:
    """apply: a plan is proven for the major it was made against; a target upgraded
    since renders definitions its own way, so the plan is stale."""
    made_for = int(plan_target_version.split(".")[0])
    if made_for != target_major:
        raise Refused(
            f"the plan was made against PostgreSQL {made_for} and the target now runs {target_major}; "
            "nothing was changed: make a new plan with `pgproof plan` and review it."
        )
