"""Statements for what migra cannot see, derived from the independent catalog comparison.

migra's known gaps (migra 3.0.1663481299, the last release) closed here:

* COMMENT ON is never emitted: comments are diffed here from pg_description.
* An object migra drops and creates again (a changed view) loses its comments: they are
  emitted again after the re-creation.
* Sequences are created bare (`create sequence x`, so bigint where serial made integer)
  and their options are never compared: ALTER SEQUENCE sets type, bounds, increment,
  start, cache and cycle.
"""

from __future__ import annotations

from pglast import parse_sql
from pglast.ast import DropStmt
from pglast.parser import ParseError

from .catalog import COMMENT, Catalog, Difference
from .statement import CATALOG, COMMENTS, Statement


def comment_statements(
    differences: list[Difference], desired: Catalog, migra: list[Statement]
) -> list[Statement]:
    """COMMENT ON statements that make the target's comments equal to the desired ones."""
    wanted: dict[str, str | None] = {}
    for difference in differences:
        if difference.kind != COMMENT:
            continue
        if difference.desired is not None:
            wanted[difference.key] = difference.desired["text"]
        elif _parent_exists(difference.parent, desired):
            wanted[difference.key] = None  # the object stays, its comment goes
    for note in _comments_of_recreated(migra, desired):
        wanted.setdefault(note.key, note.definition["text"])
    return [
        Statement(f"COMMENT ON {target} IS {literal(text)}", origin=COMMENTS)
        for target, text in sorted(wanted.items())
    ]


def sequence_statements(differences: list[Difference]) -> list[Statement]:
    """ALTER SEQUENCE for sequences whose options differ or that migra creates bare."""
    result = []
    for difference in differences:
        if difference.kind != "sequence" or difference.desired is None:
            continue
        if difference.status == "different" and difference.changed_fields == ["owned_by"]:
            continue  # migra emits OWNED BY itself
        want = difference.desired
        result.append(Statement(
            f"ALTER SEQUENCE {difference.key} AS {want['type']} INCREMENT BY {want['increment']} "
            f"MINVALUE {want['min']} MAXVALUE {want['max']} START WITH {want['start']} "
            f"CACHE {want['cache']} {'CYCLE' if want['cycle'] else 'NO CYCLE'}",
            origin=CATALOG,
        ))
    return result


def literal(text: str | None) -> str:
    """A SQL string literal (standard_conforming_strings), or NULL."""
    if text is None:
        return "NULL"
    return "'" + text.replace("'", "''") + "'"


def _parent_exists(parent: str | None, desired: Catalog) -> bool:
    if not parent:
        return False
    kind, _, key = parent.partition(" ")
    return desired.get(kind, key) is not None


def _comments_of_recreated(migra: list[Statement], desired: Catalog):
    """Desired comments of objects (and their columns) that a migra statement drops:
    migra creates them again, without their comments."""
    dropped = _dropped_names(migra)
    if not dropped:
        return []
    owners = {
        f"{obj.kind} {obj.key}"
        for obj in desired.objects.values()
        if obj.kind != COMMENT and (obj.schema, obj.name) in dropped
    }
    owned_tables = {o.split(" ", 1)[1] for o in owners}
    result = []
    for note in desired.of_kind(COMMENT):
        owner_kind, _, owner_key = (note.parent or "").partition(" ")
        owner = desired.get(owner_kind, owner_key)
        if note.parent in owners or (owner is not None and owner.parent in owned_tables):
            result.append(note)
    return result


def _dropped_names(statements: list[Statement]) -> set[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    for statement in statements:
        try:
            parsed = parse_sql(statement.sql)
        except ParseError:
            continue
        for raw in parsed:
            node = raw.stmt
            if isinstance(node, DropStmt):
                for obj in node.objects or ():
                    parts = [getattr(p, "sval", None) for p in (obj if isinstance(obj, tuple) else (obj,))]
                    parts = [p for p in parts if p]
                    if len(parts) >= 2:
                        names.add((parts[-2], parts[-1]))
    return names
