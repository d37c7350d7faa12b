"""Where an interrupted apply stands, so that running the same apply again finishes it.

An apply can stop at any moment: its connection terminated, its process killed, its
server shut down. What it leaves behind, and how a rerun reads it:

* a history or fix-run row still `running`: it belongs to a dead command when no live
  session carries the row's session tag (db.session_tag); the rerun holds the advisory
  lock, so the dead command lost it. Such rows become `interrupted`, after waiting for
  the dead command's last statement, which the server may still be finishing;
* an INVALID index left by an interrupted `CREATE INDEX CONCURRENTLY`: dropped, so the
  step (`IF NOT EXISTS`) builds it again;
* a step the server finished after its client died (the index built, but not recorded):
  the objects that changed since the last record are exactly those the step touches, so
  the step counts as done;
* every statement committed, not recorded as succeeded: the target has the desired
  fingerprint; the rerun records it.

Transactional steps record their number inside their own transaction (history.
record_done), so for them "committed but not recorded" cannot happen; the catalog after
them is recorded once they committed, outside their locks. A stop in between leaves the
catalog of an earlier step (`Unfinished.read_at`): the objects changed since are then
exactly those the steps after it touch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pglast.ast import IndexStmt

from pgproof.read import catalog
from pgproof.core import db
from pgproof.ledger import history
from pgproof.diff.gaps import touched
from pgproof.core.plan_file import Plan
from pgproof.core.statement import Statement, qualified

def concurrent_index(statement: Statement) -> str | None:
    """The qualified name of the index a CREATE INDEX CONCURRENTLY step builds."""
    if statement.transactional:
        return None
    node = statement.nodes[0]
    if not isinstance(node, IndexStmt) or not node.concurrent or not node.idxname:
        return None
    return qualified(node.relation.schemaname or "public", node.idxname)


def drop_invalid_leftover(url: str, statement: Statement) -> str | None:
    """Drop the INVALID index an interrupted build of `statement` left; returns its name."""
    name = concurrent_index(statement)
    if name is None:
        return None
    with db.connection(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", (name,))
        row = cur.fetchone()
        if not (row and row[0]):
            return None
        cur.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    return name


@dataclass(frozen=True)
class Point:
    start_at: int  # the first statement to run (len + 1: only the after-fixes and the check)
    note: str | None  # what the rerun recognised, for the report


def where(plan: Plan, current: catalog.Catalog, left: history.Unfinished | None) -> Point | None:
    """Where to resume this plan on a target whose catalog is `current`; None when the
    target is in no state this plan or an interrupted apply of it explains (stale)."""
    fingerprint = current.fingerprint()
    if fingerprint == plan.target_fingerprint:
        return Point(1, "Resuming an interrupted apply of this plan from the start." if left else None)
    if left is None:
        return None
    total = len(plan.statements)
    done = left.statements_done
    resumed = Point(done + 1, "Every statement of an interrupted apply of this plan is applied; finishing it "
                              "(data fixes after, the check, the record)." if done >= total else
                              f"Resuming an interrupted apply of this plan at statement {done + 1}.")
    if fingerprint == left.fingerprint:
        return resumed
    if fingerprint == plan.desired_fingerprint:
        return Point(total + 1, "Every statement of an interrupted apply of this plan was committed; recording it.")
    if left.state is None:
        return None
    changed = _changed(left.state, current.state())
    recorded = plan.statements[left.read_at:done]  # committed after the catalog was last read
    if changed <= _touched_by(recorded, current):
        return resumed
    if done < total and not plan.statements[done].transactional:
        if changed <= _touched_by([*recorded, plan.statements[done]], current):
            return Point(done + 2, f"Statement {done + 1} of an interrupted apply was finished by the server; "
                                   f"resuming at statement {done + 2}.")
    return None


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def _touched_by(steps: Sequence[Statement], current: catalog.Catalog) -> set[str]:
    """The "kind key" entries steps may change: their objects and the comments on them."""
    keys = {f"{t.kind} {t.key}" for step in steps for t in touched.read(step)}
    return keys | {f"{obj.kind} {obj.key}" for obj in current.of_kind(catalog.COMMENT) if obj.parent in keys}
