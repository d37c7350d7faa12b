"""Partitioned tables: what PostgreSQL does by itself that migra writes again.

A CHECK, a FOREIGN KEY or a trigger added to a partitioned table is copied to each
partition by PostgreSQL; migra also adds each copy, which then fails ("already exists").
Dropping a partitioned table's constraint, trigger or index drops the partitions'
copies; migra drops those too, before or after, which PostgreSQL refuses ("cannot drop
index ... because index ... requires it", "does not exist"). migra's statements for such
copies are left out, and the copies' differences go with their parent's. A plain table
turned into a partitioned one is re-created by migra: its `DROP TABLE` loses the rows,
and the plan says so (DATA_LOSS).
"""

from __future__ import annotations

from pgproof.core.statement import CATALOG
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import Script


def copies(script: Script) -> None:
    _foreign_keys_validated_at_once(script)
    for position, touches in enumerate(script.touches):
        for touch in touches:
            if touch.kind == "trigger" and touch.action in (touched.CREATE, touched.DROP):
                side = script.desired if touch.action == touched.CREATE else script.actual
                if side.get("trigger", touch.key) is None:  # a clone: not in the catalog
                    script.removed.add(position)
            elif touch.kind == "constraint":
                _constraint(script, position, touch)
            elif touch.kind == "index" and touch.action == touched.DROP:
                index = script.actual.get("index", touch.key)
                parent = index.info.get("partition_of") if index else None
                if parent and _dropped_index(script, parent):
                    script.removed.add(position)
    for difference in script.of_kind("index"):  # a partition's index goes with its parent's
        parent = (script.actual.get("index", difference.key) or _Nothing).info.get("partition_of")
        if difference.status == "extra" and parent and _dropped_index(script, parent):
            script.claim(difference)


def _constraint(script: Script, position: int, touch: touched.Touch) -> None:
    side = script.actual if touch.action == touched.DROP else script.desired
    sql = script.migra[position].sql.lower()
    if side.get("constraint", touch.key) is None and ("foreign key" in sql or "validate constraint" in sql
                                                       or touch.action == touched.DROP):
        if script.of_kind("constraint") and not _is_difference(script, touch.key):
            script.removed.add(position)  # a foreign key's internal copy, not in the catalog
            return
    if touch.action == touched.DROP:
        have = script.actual.get("constraint", touch.key)
        if have is not None and have.info.get("inherited"):
            script.removed.add(position)  # dropped with the parent's constraint, or refused
            script.claimed.add(("constraint", touch.key))
        return
    want = script.desired.get("constraint", touch.key)
    if (want is not None and want.info.get("inherited") and want.definition["type"] in ("c", "f")
            and script.actual.get("constraint", touch.key) is None):
        script.removed.add(position)
        script.claimed.add(("constraint", touch.key))


def _dropped_index(script: Script, key: str) -> bool:
    """Whether a statement drops the index, or the constraint or table it belongs to."""
    index = script.actual.get("index", key)
    owner = index.info.get("constraint") if index else None
    above = index.info.get("partition_of") if index else None
    return bool(script.find("index", key, touched.DROP)
                or (owner and script.find("constraint", owner, touched.DROP))
                or (index and script.find("table", index.parent, touched.DROP))
                or (above and _dropped_index(script, above)))


class _Nothing:
    info: dict = {}


def _foreign_keys_validated_at_once(script: Script) -> None:
    """migra adds every foreign key NOT VALID, then VALIDATEs it; PostgreSQL before 18
    refuses NOT VALID on a partitioned table, so there the key is added valid at once
    (unless the schema itself declares it NOT VALID)."""
    for position, touches in enumerate(script.touches):
        for touch in touches:
            if touch.kind != "constraint" or position in script.removed:
                continue
            want = script.desired.get("constraint", touch.key)
            table = script.desired.get("table", want.parent) if want else None
            if (want is None or table is None or not table.partitioned
                    or want.definition["type"] != "f" or not want.definition.get("validated", True)):
                continue
            statement = script.migra[position]
            if touch.action == touched.CREATE and statement.sql.rstrip().lower().endswith(" not valid"):
                script.replace(position, statement.with_(sql=statement.sql.rstrip()[: -len(" not valid")], origin=CATALOG))
            elif touch.action == touched.ALTER and "validate constraint" in statement.sql.lower():
                script.removed.add(position)


def _is_difference(script: Script, key: str) -> bool:
    return any(d.key == key for d in script.of_kind("constraint"))
