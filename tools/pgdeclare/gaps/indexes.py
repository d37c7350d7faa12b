"""Indexes: the largest blind spot. migra compares indexes without their operator class,
WITH options (ivfflat lists, hnsw m / ef_construction), key collations or NULLS NOT
DISTINCT, so a changed vector index never reaches the target.

* A changed definition under the same name: DROP INDEX, then the desired
  pg_get_indexdef (plain statements; plans rewrite them to CONCURRENTLY).
* An index dropped together with its owner (migra drops a unique constraint or a
  materialized view and creates it again, but sees no reason to create the index):
  created again, before the constraint takes it over or after the view is back. The
  same for triggers on a re-created view.
* The index of a primary key or unique constraint whose own definition did not change
  (say WITH (fillfactor)): rebuilding it means dropping the constraint, which foreign
  keys may need; a named gap.
"""

from __future__ import annotations

from ..catalog import CatalogObject
from ..statement import CATALOG, Statement
from . import touched
from .script import GapCode, Script


def recreated(script: Script) -> None:
    """Indexes and triggers dropped with their constraint or view, created again."""
    touches = script.all_touches()
    dropped = {(t.kind, t.key) for t in touches if t.action == touched.DROP}
    created = {(t.kind, t.key) for t in touches if t.action in (touched.CREATE, touched.REPLACE)}
    for index in script.desired.of_kind("index"):
        before = script.actual.get("index", index.key)
        if before is None or ("index", index.key) in created | dropped:
            continue
        owner = before.info.get("constraint")
        if owner and ("constraint", owner) in dropped:
            # migra adds a primary key or unique constraint back USING INDEX: it must exist
            uses = script.find("constraint", owner, touched.ADD_CONSTRAINT_USING_INDEX)
            if uses:
                _recreate(script, script.before(uses[0]), index, _create_index(index))
        elif ("view", before.parent) in dropped:
            _after_view(script, index, _create_index(index))
    for trigger in script.desired.of_kind("trigger"):
        if script.actual.get("trigger", trigger.key) is None or ("trigger", trigger.key) in created:
            continue
        if ("view", trigger.parent) in dropped:
            statement = Statement(trigger.definition["definition"], origin=CATALOG)
            _after_view(script, trigger, statement)


def _after_view(script: Script, obj: CatalogObject, statement: Statement) -> None:
    anchor = script.anchor_of("view", obj.parent, touched.CREATE, touched.REPLACE)
    if anchor is not None:
        _recreate(script, anchor, obj, statement)


def _recreate(script: Script, anchor, obj: CatalogObject, statement: Statement) -> None:
    script.add(anchor, statement)
    script.recreated.add(f"{obj.kind} {obj.key}")
    for difference in script.differences:
        if (difference.kind, difference.key) == obj.ref:
            script.claim(difference)


def rebuilt(script: Script) -> None:
    """Changed definitions (or an invalid index) under the same name: DROP and CREATE."""
    for difference in script.of_kind("index"):
        if (difference.status != "different" or difference.ref in script.claimed
                or script.find("index", difference.key)):
            continue
        want = script.desired.get("index", difference.key)
        have = script.actual.get("index", difference.key)
        if want.info.get("constraint") or have.info.get("constraint"):
            script.gap(GapCode.CONSTRAINT_INDEX, difference)
            continue
        script.claim(difference)
        script.add(
            script.epilogue,
            Statement(f"DROP INDEX {difference.key}", origin=CATALOG),
            _create_index(want),
        )


def _create_index(index: CatalogObject) -> Statement:
    return Statement(index.definition["definition"], origin=CATALOG)
