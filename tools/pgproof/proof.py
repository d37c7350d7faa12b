"""Prove a plan before anyone reviews it: copy the target's schema into a scratch
database, run the plan's statements there, and require the result to equal the desired
schema, by migra and by the independent catalog comparison.

The copy is made with PostgreSQL's own tools (pg_dump --schema-only | pg_restore), not
with migra, so the thing being checked is not used to build the check. No row of user
data leaves the target. The tools are the scratch server's own installation's when it
can read the target (pg_dump reads servers up to its own major), else the newest
installed; a pg_restore newer than the scratch server writes a script instead, from which
the settings that server does not know are left out (`schema_copy.py`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from . import catalog, db, execute, grants, scratch
from .schema_copy import copy_schema
from .catalog import Catalog, Difference
from .diff import migra_statements
from .errors import DiffError
from .exclusions import Exclusions
from .statement import Statement


@contextlib.contextmanager
def copy_of(target_url: str, server: scratch.ScratchServer, exclusions: Exclusions) -> Iterator[str]:
    """A scratch database with the target's schema (no data), dropped afterwards; its
    catalog is checked to equal the target's before it is used."""
    with server.database() as copy_url:
        copy_schema(target_url, copy_url, server)
        actual = catalog.describe(target_url, exclusions)
        _copy_invalid_indexes(copy_url, actual)
        grants.replicate(copy_url, server.url, actual, exclusions)  # managed owners and privileges
        differences = catalog.compare(catalog.describe(copy_url, exclusions, role="scratch"), actual)
        if differences:
            raise DiffError(
                "the scratch copy of the target does not match the target "
                f"({', '.join(d.label for d in differences[:5])}), so the plan cannot be proven; "
                + _fix_for(server, target_url)
            )
        yield copy_url


def _copy_invalid_indexes(copy_url: str, actual: Catalog) -> None:
    """pg_dump leaves out an index left INVALID on the target (a failed CREATE INDEX
    CONCURRENTLY). The copy gets it from its definition, marked invalid the same way,
    which the scratch superuser may do to a throwaway database."""
    invalid = [obj for obj in actual.of_kind("index") if obj.definition.get("valid") is False]
    if not invalid:
        return
    with db.connection(copy_url, role="scratch") as conn:
        with conn.cursor() as cur:
            for index in invalid:
                cur.execute("SELECT to_regclass(%s) IS NULL", (index.key,))
                if cur.fetchone()[0]:
                    cur.execute(index.definition["definition"])
                cur.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", (index.key,))
        conn.commit()


def _fix_for(server: scratch.ScratchServer, target_url: str) -> str:
    if server.mismatch is None:
        return "this is a gap of pgproof's catalog check: please report it with the objects named."
    target_major = db.probe(target_url).major
    return f"use a scratch server of PostgreSQL {target_major}, the target's major: {scratch.matching_hint(target_major)}."


def remaining(copy_url: str, goal_url: str | None, goal: Catalog, exclusions: Exclusions) -> list[str]:
    """What still differs between the copy and the goal, by the catalog comparison and by
    migra (when the goal database is at hand); empty when they converged."""
    found = [describe(d) for d in catalog.compare(goal, catalog.describe(copy_url, exclusions, role="scratch"))]
    if goal_url is not None:
        found += [f"migra still emits: {s.render()}" for s in migra_statements(copy_url, goal_url, exclusions)]
    return found


def describe(difference: Difference) -> str:
    return f"{difference.status} {difference.label}"


def run_on_copy(copy_url: str, statements: list[Statement]) -> None:
    """Run the statements on the copy exactly as apply would (no retries: nothing else
    uses the copy)."""
    try:
        execute.run(copy_url, statements, retry_delays=())
    except execute.StepFailure as failure:
        raise DiffError(
            f"the plan fails on a scratch copy of the target: {failure}; "
            "this is a gap of the diff engine: write this change into the schema in smaller steps and report it."
        ) from None


def prove(copy_url: str, statements: list[Statement], desired_url: str, desired: Catalog,
          exclusions: Exclusions) -> None:
    """Run `statements` on the copy and require it to equal the desired schema."""
    run_on_copy(copy_url, statements)
    left = remaining(copy_url, desired_url, desired, exclusions)
    if left:
        raise DiffError(
            "the plan does not converge: after its statements ran on a scratch copy of the target, "
            f"these still differ from the desired schema: {'; '.join(left[:8])}; "
            "this is a known gap of migra (see README); the plan was not written."
        )
