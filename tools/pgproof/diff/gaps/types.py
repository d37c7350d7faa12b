"""Types and extensions: migra never diffs domains, re-creates an enum to add a label,
re-creates a composite type even while columns use it, and never moves an extension.

* Enum labels added (the old ones kept, in order): ALTER TYPE ... ADD VALUE replaces
  migra's rename / create / recast / drop, which fails as soon as a function takes the
  enum as an argument. Labels removed or reordered keep migra's re-creation; when a
  function uses the type that cannot work, and it is a named gap.
* Domains: CREATE DOMAIN (before migra's statements, which may use it), ALTER DOMAIN for
  the default, NOT NULL and constraints, DROP DOMAIN at the end. A changed base type is
  a named gap: ALTER DOMAIN cannot do it.
* Composite types in use (a column or function uses them): migra's DROP TYPE fails, so
  attributes are added and dropped with ALTER TYPE where that yields the desired
  attribute list; otherwise (a changed attribute type or order) it is a named gap.
* An extension whose schema changed: ALTER EXTENSION ... SET SCHEMA.
"""

from __future__ import annotations

from pgproof.read.catalog import Difference
from pgproof.core.statement import CATALOG, Statement, ident, literal, qualified
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import GapCode, Script

# migra renames an enum to `<name>__old_version_to_be_dropped` before re-creating it.
_MIGRA_OLD_SUFFIX = "__old_version_to_be_dropped"


def enum_values(script: Script) -> None:
    for difference in script.of_kind("type"):
        want, have = difference.desired, difference.actual
        if difference.status != "different" or want["kind"] != "enum" or have["kind"] != "enum":
            continue
        if [label for label in want["labels"] if label in have["labels"]] == have["labels"]:
            script.removed.update(_migra_recreation(script, difference))
            script.add(script.prologue, *_add_values(difference.key, have["labels"], want["labels"]))
            script.claim(difference)
        elif (script.actual.get("type", difference.key).info.get("functions")
              and script.find("type", difference.key, touched.DROP)):
            script.removed.update(_migra_recreation(script, difference))  # it would fail
            script.gap(GapCode.ENUM_RECREATED, difference)


def recreated_enum_defaults(script: Script) -> None:
    """An enum migra still re-creates (labels removed or reordered): migra drops each
    column's default before the recast and sets the *old* one back after it, which fails
    when the old default is a label the new type lacks ("invalid input value for enum").
    Where the default changes, the old one is not set back: the DROP DEFAULT before the
    recast stays, and the desired SET DEFAULT (migra's last one, after the recast)."""
    changed = {d.key for d in script.of_kind("column") if "default" in d.changed_fields}
    for difference in script.of_kind("type"):
        if difference.status != "different" or difference.desired["kind"] != "enum":
            continue
        if not script.find("type", difference.key, touched.DROP):
            continue  # not re-created (labels only added: see enum_values)
        _recast_arrays(script, difference.key)
        for column in _columns_of(script, difference.key) & changed:
            recasts = script.find("column", column, touched.COLUMN_TYPE)
            found = script.find("column", column, touched.COLUMN_DEFAULT)
            if not recasts or not found:
                continue
            setting = [i for i in found if i > recasts[0] and _only_default(script, i)]
            script.removed.update(setting[:-1])  # the old default set back; the last is the desired one
            if setting and setting[-1] < recasts[-1]:  # the desired one must follow the recast
                script.removed.add(setting[-1])
                script.add(script.after(recasts[-1]), script.migra[setting[-1]])


def _recast_arrays(script: Script, key: str) -> None:
    """migra recasts the columns of a re-created enum but not its array columns, so its
    DROP of the old type fails ("other objects depend on it"): each is recast here, just
    before that DROP, its default dropped before migra's rename of the old type (the
    rename must not run while a default uses the type) and the desired one set after."""
    enum = script.desired.get("type", key)
    drops = script.find("type", qualified(enum.schema, enum.name + _MIGRA_OLD_SUFFIX), touched.DROP)
    first = script.find("type", key)
    if not drops or not first:
        return
    for column in script.desired.of_kind("column"):
        had = script.actual.get("column", column.key)
        if column.definition["type"] != key + "[]" or had is None or had.definition["type"] != key + "[]":
            continue
        script.removed.update(script.find("column", column.key, touched.COLUMN_DEFAULT))
        alter = f"ALTER TABLE {column.parent} ALTER COLUMN {ident(column.name)}"
        if had.definition.get("default"):
            script.add(script.before(first[0]), Statement(f"{alter} DROP DEFAULT", origin=CATALOG))
        statements = [f"{alter} TYPE {key}[] USING {ident(column.name)}::text[]::{key}[]"]
        if column.definition.get("default"):
            statements.append(f"{alter} SET DEFAULT {column.definition['default']}")
        script.add(script.before(drops[0]), *(Statement(s, origin=CATALOG) for s in statements))


def _columns_of(script: Script, key: str) -> set[str]:
    return {c.key for c in script.desired.of_kind("column") if c.definition["type"] in (key, key + "[]")}


def _only_default(script: Script, position: int) -> bool:
    return all(t.action == touched.COLUMN_DEFAULT for t in script.touches[position])


def composites(script: Script) -> None:
    for difference in script.of_kind("type"):
        want, have = difference.desired, difference.actual
        if difference.status != "different" or want["kind"] != "composite" or have["kind"] != "composite":
            continue
        if not _in_use(script, difference.key):
            continue  # migra's DROP TYPE and CREATE TYPE work
        recreation = script.find("type", difference.key)
        script.removed.update(recreation)
        names = [name for name, _ in want["attributes"]]
        kept = [a for a in have["attributes"] if a[0] in names]
        added = [a for a in want["attributes"] if a[0] not in {name for name, _ in have["attributes"]}]
        if kept + added != want["attributes"]:
            script.gap(GapCode.TYPE_IN_USE, difference)
            continue
        anchor = script.before(recreation[0]) if recreation else script.epilogue
        script.add(anchor, *(
            Statement(f"ALTER TYPE {difference.key} DROP ATTRIBUTE {ident(name)}", origin=CATALOG)
            for name, _ in have["attributes"] if name not in names
        ), *(
            Statement(f"ALTER TYPE {difference.key} ADD ATTRIBUTE {ident(name)} {type_}", origin=CATALOG)
            for name, type_ in added
        ))
        script.claim(difference)


def _in_use(script: Script, key: str) -> bool:
    typed = (key, key + "[]")
    return bool(script.actual.get("type", key).info.get("functions")) or any(
        c.definition["type"] in typed for c in script.actual.of_kind("column")
    )


def extensions(script: Script) -> None:
    """ALTER EXTENSION ... SET SCHEMA; after migra has created the schema."""
    for difference in script.of_kind("extension"):
        if difference.status == "different" and not script.find("extension", difference.key):
            script.add(script.prologue, Statement(
                f"ALTER EXTENSION {difference.key} SET SCHEMA {ident(difference.desired['schema'])}",
                origin=CATALOG,
            ))
            script.claim(difference)


def _add_values(key: str, have: list[str], want: list[str]) -> list[Statement]:
    # ADD VALUE may run in a transaction, but the new label cannot be used before it
    # commits; running it on its own lets later statements (defaults) use it.
    result = []
    for i, label in enumerate(want):
        if label in have:
            continue
        if i > 0:
            where = f"AFTER {literal(want[i - 1])}"
        else:
            where = f"BEFORE {literal(next(x for x in want if x in have))}" if have else ""
        result.append(Statement(
            f"ALTER TYPE {key} ADD VALUE {literal(label)} {where}".rstrip(),
            origin=CATALOG, transactional=False,
        ))
    return result


def _migra_recreation(script: Script, difference: Difference) -> list[int]:
    """Positions of migra's statements that re-create the enum: rename, create, recast
    the columns, drop and set their defaults again, drop the old type."""
    enum = script.desired.get("type", difference.key)
    old_key = qualified(enum.schema, enum.name + _MIGRA_OLD_SUFFIX)
    columns = {
        c.key for c in script.desired.of_kind("column")
        if c.definition["type"] in (difference.key, difference.key + "[]")
    }
    positions = set(script.find("type", difference.key)) | set(script.find("type", old_key))
    defaults: dict[str, list[int]] = {}
    for i, touches in enumerate(script.touches):
        if not touches or not all(t.kind == "column" and t.key in columns for t in touches):
            continue
        if all(t.action == touched.COLUMN_TYPE for t in touches):
            positions.add(i)
        elif all(t.action == touched.COLUMN_DEFAULT for t in touches) and len(touches) == 1:
            defaults.setdefault(touches[0].key, []).append(i)
    # migra drops each column's default around the recast and sets it back; a default
    # that really changes is its last SET DEFAULT, which stays.
    changed = {d.key for d in script.of_kind("column") if "default" in d.changed_fields}
    for column, found in defaults.items():
        positions.update(found[:-1] if column in changed else found)
    return sorted(positions)


def domains(script: Script) -> None:
    for difference in script.of_kind("type"):
        definition = difference.desired or difference.actual
        if definition["kind"] != "domain" or script.find("type", difference.key):
            continue
        if difference.status == "missing":
            script.add(script.prologue, _create_domain(difference.key, difference.desired))
        elif difference.status == "extra":
            script.add(script.epilogue, Statement(f"DROP DOMAIN {difference.key}", origin=CATALOG))
        elif {"base", "collation"} & set(difference.changed_fields):
            script.gap(GapCode.DOMAIN_BASE_TYPE, difference)
            continue
        else:
            script.add(script.prologue, *_alter_domain(difference))
        script.claim(difference)


def _create_domain(key: str, want: dict) -> Statement:
    parts = [f"CREATE DOMAIN {key} AS {want['base']}"]
    if want.get("collation"):
        parts.append(f"COLLATE {want['collation']}")
    if want["default"] is not None:
        parts.append(f"DEFAULT {want['default']}")
    if want["not_null"]:
        parts.append("NOT NULL")
    for name, check in sorted((want["constraints"] or {}).items()):
        parts.append(f"CONSTRAINT {ident(name)} {check}")
    return Statement(" ".join(parts), origin=CATALOG)


def _alter_domain(difference: Difference) -> list[Statement]:
    want, have, key = difference.desired, difference.actual, difference.key
    sql = []
    if want["default"] != have["default"]:
        sql.append(f"ALTER DOMAIN {key} " + (
            f"SET DEFAULT {want['default']}" if want["default"] is not None else "DROP DEFAULT"))
    if want["not_null"] != have["not_null"]:
        sql.append(f"ALTER DOMAIN {key} {'SET' if want['not_null'] else 'DROP'} NOT NULL")
    wanted, present = want["constraints"] or {}, have["constraints"] or {}
    for name in sorted(present):
        if wanted.get(name) != present[name]:
            sql.append(f"ALTER DOMAIN {key} DROP CONSTRAINT {ident(name)}")
    for name in sorted(wanted):
        if present.get(name) != wanted[name]:  # like migra's checks: NOT VALID, then VALIDATE
            sql.append(f"ALTER DOMAIN {key} ADD CONSTRAINT {ident(name)} {wanted[name]} NOT VALID")
            sql.append(f"ALTER DOMAIN {key} VALIDATE CONSTRAINT {ident(name)}")
    return [Statement(s, origin=CATALOG) for s in sql]
