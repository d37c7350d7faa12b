"""Views over a relation that migra drops and creates again.

migra re-creates a table whose kind changes (a plain table made partitioned) and a view
whose columns change, but leaves alone the views that read it, so PostgreSQL refuses
the DROP ("other objects depend on it"). Each such view (and every view reading it) is
dropped before the first of those drops and created again from the desired definition
at the end; `order` then keeps each view after what it reads.
"""

from __future__ import annotations

from pgproof.diff.gaps import touched
from pgproof.diff.gaps.relations import create_view
from pgproof.diff.gaps.script import Script


def around_recreated(script: Script) -> None:
    drops: dict[str, int] = {}
    for position, touches in enumerate(script.touches):
        for touch in touches:
            if touch.kind in ("table", "view") and touch.action == touched.DROP and position not in script.removed:
                drops.setdefault(touch.key, position)
    recreated = {key for key in drops if script.desired.get("table", key) or script.desired.get("view", key)}
    if not recreated:
        return
    readers = {v.key: set(v.info.get("depends_on") or ()) for v in script.actual.of_kind("view")}
    hit: set[str] = set()
    frontier = set(recreated)
    while frontier:
        more = {key for key, reads in readers.items() if reads & frontier} - hit - set(drops)
        hit |= more
        frontier = more
    if not hit:
        return
    first = min(drops[key] for key in recreated)
    for key in sorted(hit, reverse=True):
        view = script.actual.get("view", key)
        kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
        script.add(script.before(first), _statement(f"DROP {kind} {key}"))
    for key in sorted(hit):
        if (wanted := script.desired.get("view", key)) is not None:
            script.add(script.epilogue, create_view(wanted))


def _statement(sql: str):
    from pgproof.core.statement import CATALOG, Statement
    return Statement(sql, origin=CATALOG)
