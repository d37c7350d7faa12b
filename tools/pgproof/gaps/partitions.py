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

from . import touched
from .script import Script


def copies(script: Script) -> None:
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
