"""Indexes: the largest blind spot. migra compares indexes without their operator class,
WITH options (ivfflat lists, hnsw m / ef_construction), key collations or NULLS NOT
DISTINCT, so a changed vector index never reaches the target.

* A changed definition under the same name: the desired pg_get_indexdef under a
  temporary name, DROP INDEX of the old one, RENAME of the new one (plans rewrite the
  first two to CONCURRENTLY), so queries always have an index; on a partitioned table
  (no CONCURRENTLY there) DROP INDEX, then CREATE.
* An index dropped together with its owner (migra drops a unique constraint or a
  materialized view and creates it again, but sees no reason to create the index):
  created again, before the constraint takes it over or after the view is back. The
  same for triggers on a re-created view.
* An index of a partitioned table: its definition reads `ON ONLY`, so it is created
  again that way, each partition's index created and attached to it (the partitions'
  own differences go with it). migra creates new ones the same way but never attaches
  the partitions' indexes, leaving the parent invalid: ALTER INDEX ... ATTACH PARTITION.
  Its `ADD CONSTRAINT ... USING INDEX` for a primary key or unique constraint of a
  partitioned table is refused by PostgreSQL: ADD CONSTRAINT with the definition
  instead, after the partitions' own constraints, whose indexes it then adopts.
* The index of a primary key or unique constraint whose own definition did not change
  (say WITH (fillfactor)): rebuilding it means dropping the constraint, which foreign
  keys may need; a named gap.
"""

from __future__ import annotations

import copy

from pgproof.read.catalog import CatalogObject
from pgproof.core.statement import CATALOG, Statement, ident, parse, qualified
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import Anchor, GapCode, Script


def recreated(script: Script) -> None:
    """Indexes and triggers dropped with their constraint or view, created again."""
    touches = script.all_touches()
    dropped = {(t.kind, t.key) for t in touches if t.action == touched.DROP}
    created = {(t.kind, t.key) for t in touches if t.action in (touched.CREATE, touched.REPLACE)}
    either = created | dropped  # once, not once per index: 15,000 indexes at 3,000 tables
    for index in script.desired.of_kind("index"):
        before = script.actual.get("index", index.key)
        if before is None or ("index", index.key) in either:
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
            statement = Statement(trigger.sql, origin=CATALOG)
            _after_view(script, trigger, statement)


def _after_view(script: Script, obj: CatalogObject, statement: Statement) -> None:
    anchor = script.anchor_of("view", obj.parent, touched.CREATE, touched.REPLACE)
    if anchor is not None:
        _recreate(script, anchor, obj, statement)


def _recreate(script: Script, anchor: Anchor, obj: CatalogObject, statement: Statement) -> None:
    script.add(anchor, statement)
    script.recreated.add(f"{obj.kind} {obj.key}")
    for difference in script.differences:
        if (difference.kind, difference.key) == obj.ref:
            script.claim(difference)


def rebuilt(script: Script) -> None:
    """Changed definitions (or an invalid index) under the same name: DROP and CREATE."""
    rebuilding = {
        d.key for d in script.of_kind("index")
        if d.status == "different" and d.ref not in script.claimed and not script.find("index", d.key)
    }
    for difference in script.of_kind("index"):
        if difference.key not in rebuilding:
            continue
        want = script.desired.get("index", difference.key)
        have = script.actual.get("index", difference.key)
        if want.info.get("constraint") or have.info.get("constraint"):
            script.gap(GapCode.CONSTRAINT_INDEX, difference)
            continue
        parent = want.info.get("partition_of")
        if parent and parent == have.info.get("partition_of") and parent in rebuilding:
            script.claim(difference)  # dropped and created again with its parent index
            continue
        script.claim(difference)
        table = script.actual.get("table", have.parent)
        if table is not None and table.partitioned:
            script.add(script.epilogue, Statement(f"DROP INDEX {difference.key}", origin=CATALOG),
                       *_create_tree(script, want))
        else:
            script.add(script.epilogue, *replacement(want))


TEMPORARY_PREFIX = "pgproof_new_"  # the name a replacement index is built under


def replacement(index: CatalogObject) -> list[Statement]:
    """A changed index replaced without a moment with no index (as pg-schema-diff does):
    the new one built under a temporary name (CONCURRENTLY once `online` rewrites it),
    then the old one dropped and the new one renamed."""

    from pgproof.core.sql import deparse

    node = copy.deepcopy(parse(index.sql)[0])  # the parsed tree is shared: change a copy
    temporary = (TEMPORARY_PREFIX + index.name)[:63]
    node.idxname = temporary
    return [
        Statement(deparse(node), origin=CATALOG),
        Statement(f"DROP INDEX {index.key}", origin=CATALOG),
        Statement(f"ALTER INDEX {qualified(index.schema, temporary)} RENAME TO {ident(index.name)}", origin=CATALOG),
    ]


def _create_tree(script: Script, index: CatalogObject) -> list[Statement]:
    """CREATE INDEX, and for a partitioned table's index (ON ONLY) each partition's
    index, created and attached, recursively for sub-partitions."""
    statements = [_create_index(index)]
    for child in script.desired.of_kind("index"):
        if child.info.get("partition_of") == index.key:
            statements += _create_tree(script, child)
            statements.append(Statement(f"ALTER INDEX {index.key} ATTACH PARTITION {child.key}", origin=CATALOG))
    return statements


def _create_index(index: CatalogObject) -> Statement:
    return Statement(index.sql, origin=CATALOG)


def attached(script: Script) -> None:
    """ATTACH PARTITION for partitions' indexes that a statement creates (migra never
    attaches them; an unattached parent index stays invalid)."""
    for child in script.desired.of_kind("index"):
        parent = child.info.get("partition_of")
        if not parent or ("index", child.key) in script.claimed:
            continue
        before = script.actual.get("index", child.key)
        created = script.anchor_of("index", child.key, touched.CREATE)
        if created is None or (before is not None and before.info.get("partition_of") == parent
                               and not script.find("index", child.key, touched.DROP)):
            continue
        anchors = [created]
        if (parent_created := script.anchor_of("index", parent, touched.CREATE)) is not None:
            anchors.append(parent_created)
        script.add(max(anchors), Statement(f"ALTER INDEX {parent} ATTACH PARTITION {child.key}", origin=CATALOG))


def partitioned_keys(script: Script) -> None:
    """Primary keys and unique constraints of partitioned tables, written in full."""
    for position, touches in enumerate(script.touches):
        for touch in touches:
            if touch.action != touched.ADD_CONSTRAINT_USING_INDEX or position in script.removed:
                continue
            constraint = script.desired.get("constraint", touch.key)
            table = script.desired.get("table", constraint.parent) if constraint else None
            if table is None or not table.partitioned:
                continue
            index = qualified(constraint.schema, touch.detail)
            script.claimed.add(("index", index))
            script.removed.add(position)
            script.removed.update(script.find("index", index, touched.CREATE))  # the constraint makes it
            anchors = [script.before(position)]
            for child in script.desired.of_kind("index"):
                if child.info.get("partition_of") == index:
                    script.claimed.add(("index", child.key))  # adopted by the constraint, not attached
                    anchors += [
                        script.after(p) for p in script.find(
                            "constraint", child.info.get("constraint") or "", touched.ADD_CONSTRAINT_USING_INDEX)
                    ]
            script.add(max(anchors), Statement(
                f"ALTER TABLE {constraint.parent} ADD CONSTRAINT {ident(constraint.name)} "
                f"{constraint.definition['definition']}",
                origin=CATALOG,
            ))
