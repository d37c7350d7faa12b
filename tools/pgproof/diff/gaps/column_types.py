"""Column type changes: defaults around them, and types PostgreSQL cannot convert.

* migra sets the new default before it changes the type, and leaves the old default in
  place while the type changes, so PostgreSQL refuses either ("default expression is of
  type text", "default for column cannot be cast automatically"). The old default is
  dropped just before the type change and the desired one set just after it.
* Where no cast leads from the old type to the new one (bigint -> timestamp), migra's
  `USING col::new_type` fails on the target. Which conversion is meant (seconds?
  milliseconds?) only the author knows: a named gap, `column-type-cast`, with the way out.
  `uncastable` holds the columns concerned, found on the scratch server by `diff`.
  Unless the schema says how the values convert, with a convert directive
  (`diff/conversions.py`): migra's ALTER ... TYPE then uses the directive's expression
  as its USING, and the gap is closed.
"""

from __future__ import annotations

from pgproof.core.statement import CATALOG, Statement, ident
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import GapCode, Script


def conversions(script: Script, using: dict[str, str]) -> None:
    """migra's `ALTER COLUMN ... TYPE` of each column the schema gives a conversion for,
    written again with the directive's USING expression (in place: the same touches)."""
    for difference in script.of_kind("column"):
        if difference.key not in using or difference.status != "different" or "type" not in difference.changed_fields:
            continue
        column = script.desired.get("column", difference.key)
        for position in script.find("column", difference.key, touched.COLUMN_TYPE):
            script.migra[position] = Statement(
                f"ALTER TABLE {column.parent} ALTER COLUMN {ident(column.name)} TYPE {difference.desired['type']} "
                f"USING {using[difference.key]}", origin=CATALOG)


def defaults(script: Script, uncastable: frozenset[str] = frozenset()) -> None:
    for difference in script.of_kind("column"):
        if difference.status != "different" or "type" not in difference.changed_fields:
            continue
        if difference.key in uncastable:
            script.gap(GapCode.COLUMN_TYPE_CAST, difference)
            script.removed.update(script.find("column", difference.key))
            continue
        changes = script.find("column", difference.key, touched.COLUMN_TYPE)
        if not changes:
            continue
        had = (difference.actual or {}).get("default")
        want = (difference.desired or {}).get("default")
        if not had and not want:
            continue
        script.removed.update(
            p for p in script.find("column", difference.key, touched.COLUMN_DEFAULT)
            if all(t.action == touched.COLUMN_DEFAULT for t in script.touches[p])
        )
        column = script.desired.get("column", difference.key)
        alter = f"ALTER TABLE {column.parent} ALTER COLUMN {ident(column.name)}"
        if had:
            script.add(script.before(changes[0]), Statement(f"{alter} DROP DEFAULT", origin=CATALOG))
        if want:
            script.add(script.after(changes[-1]), Statement(f"{alter} SET DEFAULT {want}", origin=CATALOG))


UNCASTABLE_SQL = """
SELECT NOT (s.oid = t.oid OR s.typcategory = 'S' OR t.typcategory = 'S'
            OR (s.typtype = 'e' AND t.typtype = 'e')  -- migra recasts enum to enum through text
            OR EXISTS (SELECT FROM pg_cast c WHERE c.castsource = s.oid AND c.casttarget = t.oid))
FROM (SELECT to_regtype(%s)::oid AS o1, to_regtype(%s)::oid AS o2) q
JOIN pg_type s0 ON s0.oid = q.o1 JOIN pg_type t0 ON t0.oid = q.o2
JOIN pg_type s ON s.oid = CASE WHEN s0.typtype = 'd' THEN s0.typbasetype ELSE s0.oid END  -- a domain casts as its base type
JOIN pg_type t ON t.oid = CASE WHEN t0.typtype = 'd' THEN t0.typbasetype ELSE t0.oid END
"""
