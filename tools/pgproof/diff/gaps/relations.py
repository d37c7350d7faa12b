"""Views and tables: dependents around a column type change, and properties migra never
writes (options, forced row security).

* PostgreSQL refuses to change the type of a column a view reads ("cannot alter type of
  a column used by a view or rule"). migra drops the view first only when it sees the
  view's own columns change; a typmod change (numeric -> numeric(10,2)) or a column read
  only in WHERE is not seen. Every view that reads an altered column (and every view
  reading those) is dropped before migra's first ALTER ... TYPE and created again, from
  the desired definition, after the last one, unless migra does either itself.
* Options (security_invoker, security_barrier, check_option, a table's fillfactor) are
  never compared by migra, and its CREATE OR REPLACE VIEW resets them: ALTER ... SET /
  RESET after the statement that creates the object, or at the end.
* FORCE ROW LEVEL SECURITY is never compared by migra: ALTER TABLE ... [NO] FORCE.
"""

from __future__ import annotations

from pgproof.read.catalog import CatalogObject
from pgproof.core.statement import CATALOG, Statement
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import Anchor, Script


def around_type_changes(script: Script) -> None:
    altered: dict[str, list[int]] = {}  # column key -> positions of migra's ALTER ... TYPE
    for position, touches in enumerate(script.touches):
        for touch in touches:
            if touch.kind == "column" and touch.action == touched.COLUMN_TYPE and position not in script.removed:
                altered.setdefault(touch.key, []).append(position)
    if not altered:
        return
    reads = {v.key: set(v.info.get("depends_on") or ()) for v in script.actual.of_kind("view")}
    hit = {key for key, deps in reads.items() if deps & altered.keys()}
    while True:  # views reading those views, and so on
        more = {key for key, deps in reads.items() if deps & hit} - hit
        if not more:
            break
        hit |= more
    first = min(p for ps in altered.values() for p in ps)
    last = max(p for ps in altered.values() for p in ps)
    order = _dependency_order(hit, reads)
    for key in reversed(order):  # readers before what they read
        if not any(p < first for p in script.find("view", key, touched.DROP)):
            script.add(script.before(first), _drop(script.actual.get("view", key)))
    for key in order:  # what is read before its readers
        view = script.desired.get("view", key)
        if view is None or any(p > first for p in script.find("view", key, touched.CREATE, touched.REPLACE)):
            continue
        anchors = [script.after(last)] + [
            a for base in reads[key] & hit
            if (a := script.anchor_of("view", base, touched.CREATE, touched.REPLACE)) is not None
        ]
        script.add(max(anchors), create_view(view))


def _dependency_order(keys: set[str], reads: dict[str, set[str]]) -> list[str]:
    """`keys` sorted so that every view comes after the views it reads; ties by name."""
    done: list[str] = []
    pending = sorted(keys)
    while pending:
        ready = [k for k in pending if not (reads[k] & set(pending)) - {k}]
        ready = ready or pending[:1]  # a cycle cannot happen in views; never loop forever
        done += ready
        pending = [k for k in pending if k not in ready]
    return done


def _drop(view: CatalogObject) -> Statement:
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return Statement(f"DROP {kind} {view.key}", origin=CATALOG)


def create_view(view: CatalogObject) -> Statement:
    """CREATE [MATERIALIZED] VIEW from the catalog's description, options included."""
    definition = view.definition
    kind = "MATERIALIZED VIEW" if definition["materialized"] else "VIEW"
    options = f" WITH ({', '.join(definition['options'])})" if definition["options"] else ""
    body = definition["definition"].strip().rstrip(";")
    return Statement(f"CREATE {kind} {view.key}{options} AS {body}", origin=CATALOG)


def options(script: Script) -> None:
    """SET / RESET the options of tables and views where they differ or were reset."""
    mine = {
        (t.kind, t.key) for p in script.placed for t in touched.read(p.statement)
        if t.action == touched.CREATE
    }
    for kind in ("table", "view"):
        for obj in script.desired.of_kind(kind):
            if (kind, obj.key) in mine:
                continue  # created by pgproof, with its options
            want = obj.definition.get("options") or []
            before = script.actual.get(kind, obj.key)
            have = (before.definition.get("options") or []) if before else []
            created = _created_by_migra(script, kind, obj.key)
            if created is not None:
                if want:  # migra writes no options, and CREATE OR REPLACE VIEW resets them
                    script.add(created, _alter(obj, "SET", want))
            elif want != have:
                _set_and_reset(script, obj, want, have)


def _created_by_migra(script: Script, kind: str, key: str) -> Anchor | None:
    positions = script.find(kind, key, touched.CREATE, touched.REPLACE)
    return script.after(positions[-1]) if positions else None


def _set_and_reset(script: Script, obj: CatalogObject, want: list[str], have: list[str]) -> None:
    setting = [o for o in want if o not in have]
    wanted_names = {o.split("=", 1)[0] for o in want}
    resetting = [o.split("=", 1)[0] for o in have if o.split("=", 1)[0] not in wanted_names]
    if setting:
        script.add(script.epilogue, _alter(obj, "SET", setting))
    if resetting:
        script.add(script.epilogue, _alter(obj, "RESET", resetting))


def _alter(obj: CatalogObject, verb: str, items: list[str]) -> Statement:
    if obj.kind == "table":
        kind = "TABLE"
    else:
        kind = "MATERIALIZED VIEW" if obj.materialized else "VIEW"
    return Statement(f"ALTER {kind} {obj.key} {verb} ({', '.join(items)})", origin=CATALOG)


def forced_row_security(script: Script) -> None:
    for difference in script.of_kind("table"):
        if difference.status == "different" and "force_row_security" in difference.changed_fields:
            force = "FORCE" if difference.desired["force_row_security"] else "NO FORCE"
            script.add(script.epilogue, Statement(
                f"ALTER TABLE {difference.key} {force} ROW LEVEL SECURITY", origin=CATALOG))
