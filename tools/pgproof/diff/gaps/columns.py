"""Columns and their sequences: what migra writes wrongly or not at all.

* Sequences are created bare (`create sequence x` is bigint where serial made integer)
  and their options (and identity options such as START WITH) are never compared:
  ALTER SEQUENCE sets type, bounds, increment, start, cache and cycle.
* A changed generation expression comes out as `SET DEFAULT`, which PostgreSQL refuses
  for generated columns: ALTER COLUMN ... SET EXPRESSION instead (PostgreSQL 17 and
  later); before 17 the stored column is dropped and added again with the new
  expression (its values are computed, so none is lost; its position is not compared).
* PostgreSQL 18's virtual generated columns come out as STORED: the column is added as
  VIRTUAL instead (or, in a table migra creates, dropped and added again as VIRTUAL).
"""

from __future__ import annotations

from pgproof.read.catalog import Difference
from pgproof.core.statement import CATALOG, Statement, ident, literal
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import GapCode, Script


def sequences(script: Script) -> None:
    """ALTER SEQUENCE for sequences whose options differ or that migra creates bare."""
    for difference in script.of_kind("sequence"):
        if difference.desired is None:
            continue
        if difference.status == "different" and difference.changed_fields == ["owned_by"]:
            continue  # migra emits OWNED BY itself
        script.claim(difference)
        want, have = difference.desired, difference.actual
        bounds_changed = have is not None and (want["min"], want["max"]) != (have["min"], have["max"])
        if bounds_changed:  # keep the counter, moved inside the new bounds if it is outside
            script.add(script.epilogue, Statement(_into_bounds(difference.key, want), origin=CATALOG))
        # A sequence new in this plan was never used: RESTART puts it at its START, which
        # the bare sequence migra creates (last value 1) would otherwise contradict.
        restart = " RESTART" if have is None else ""
        script.add(script.epilogue, Statement(
            f"ALTER SEQUENCE {difference.key} AS {want['type']} INCREMENT BY {want['increment']} "
            f"MINVALUE {want['min']} MAXVALUE {want['max']} START WITH {want['start']} "
            f"CACHE {want['cache']} {'CYCLE' if want['cycle'] else 'NO CYCLE'}{restart}",
            origin=CATALOG,
        ))


def _into_bounds(key: str, want: dict) -> str:
    """setval that keeps a used sequence's position, or moves it to the nearest new bound
    (as not yet called) when the new MINVALUE / MAXVALUE would exclude it."""
    low, high = int(want["min"]), int(want["max"])
    return (
        f"SELECT setval({literal(key)}, LEAST(GREATEST(last_value, {low}), {high}), "
        f"is_called AND last_value BETWEEN {low} AND {high}) FROM {key}"
    )


def generated(script: Script) -> None:
    """Generated columns whose expression or kind (stored, virtual) differs."""
    for difference in script.of_kind("column"):
        want = (difference.desired or {}).get("generated")
        have = (difference.actual or {}).get("generated")
        if want == have or difference.status == "extra":
            continue
        if difference.status == "missing":
            if want.startswith("v"):  # migra writes stored ones correctly
                _add_virtual(script, difference)
            continue
        _change_generation(script, difference, want, have)


def _add_virtual(script: Script, difference: Difference) -> None:
    column = script.desired.get("column", difference.key)
    definition = difference.desired
    add = Statement(
        f"ALTER TABLE {column.parent} ADD COLUMN {ident(column.name)} {definition['type']}"
        + (f" COLLATE {definition['collation']}" if definition["collation"] else "")
        + f" GENERATED ALWAYS AS ({definition['generated'][2:]}) VIRTUAL"
        + (" NOT NULL" if definition["not_null"] else ""),
        origin=CATALOG,
    )
    added = script.find("column", difference.key, touched.ADD_COLUMN)
    if added:
        script.replace(added[0], add)
        script.claim(difference)
        return
    created = script.find("table", column.parent, touched.CREATE)
    if created:  # the new table is empty: drop migra's stored column and add it again
        drop = Statement(f"ALTER TABLE {column.parent} DROP COLUMN {ident(column.name)}", origin=CATALOG)
        script.add(script.after(created[0]), drop, add)
        script.claim(difference)


def _change_generation(script: Script, difference: Difference, want: str | None, have: str | None) -> None:
    if script.find("column", difference.key, touched.ALTER):
        return  # migra got it right (DROP EXPRESSION)
    column = script.desired.get("column", difference.key)
    # migra treats the expression as a default; PostgreSQL refuses that for generated columns.
    defaults = [
        i for i in script.find("column", difference.key, touched.COLUMN_DEFAULT)
        if all(t.action == touched.COLUMN_DEFAULT for t in script.touches[i])
    ]
    script.removed.update(defaults)
    anchor = script.before(defaults[0]) if defaults else script.epilogue
    alter = f"ALTER TABLE {column.parent} ALTER COLUMN {ident(column.name)}"
    if want and have and want[0] == have[0] and (script.actual.server_major or 18) < 17:
        definition = difference.desired
        script.add(
            anchor,
            Statement(f"ALTER TABLE {column.parent} DROP COLUMN {ident(column.name)}", origin=CATALOG),
            Statement(
                f"ALTER TABLE {column.parent} ADD COLUMN {ident(column.name)} {definition['type']}"
                + (f" COLLATE {definition['collation']}" if definition["collation"] else "")
                + f" GENERATED ALWAYS AS ({want[2:]}) STORED" + (" NOT NULL" if definition["not_null"] else ""),
                origin=CATALOG,
            ),
        )
        script.claim(difference)
    elif want and have and want[0] == have[0]:
        script.add(anchor, Statement(f"{alter} SET EXPRESSION AS ({want[2:]})", origin=CATALOG))
        script.claim(difference)
    elif have and have.startswith("s") and not want:
        script.add(anchor, Statement(f"{alter} DROP EXPRESSION", origin=CATALOG))
        script.claim(difference)
    else:
        script.gap(GapCode.GENERATED_KIND, difference)
