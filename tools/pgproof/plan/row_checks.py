"""Which statements of a plan can fail on rows the target already holds, and the query
that finds those rows: pure logic over parsed statements and the target's catalog, no
database (the counting is `plan/row_counts.py`).

A check is a predicate over one table's rows (or, for a unique key, its duplicate
groups). The kinds, and how each predicate is sound:

* a NOT NULL column added without a default (nor identity, nor generated): every row;
* SET NOT NULL, and a CHECK (col IS NOT NULL) (the online form of SET NOT NULL): NULLs;
* ADD CHECK, NOT VALID too (its VALIDATE comes later), and VALIDATE of a check the
  target already has: rows where the expression is false (NULL passes, as in PostgreSQL);
* ADD FOREIGN KEY: rows whose key has no match (MATCH SIMPLE: a NULL part passes; MATCH
  FULL: only an all-NULL key passes); a referenced table new in the plan is empty;
* ADD UNIQUE / PRIMARY KEY and CREATE UNIQUE INDEX: groups of equal keys (NULLs apart,
  unless NULLS NOT DISTINCT); a primary key also refuses NULLs;
* ALTER COLUMN TYPE: rows whose value does not convert, by the conversion's own rule
  where it is known exactly (enum labels, vector dimensions, integer ranges, numeric
  precision, text input on PostgreSQL 16+ through `pg_input_is_valid`); otherwise the
  conversion itself is evaluated over the table: an error proves at least one row, and
  that is said (`exact=False`). An enum label dropped is such a type change (migra
  re-creates the enum and converts through text).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any
from dataclasses import dataclass, field

from pglast.ast import (
    AlterEnumStmt, AlterTableCmd, AlterTableStmt, ColumnDef, ColumnRef, Constraint,
    CreateEnumStmt, CreateStmt, IndexStmt, JoinExpr, Node, NullTest, RangeVar, SelectStmt, String, TypeCast, TypeName,
)
from pglast.enums import AlterTableType, ConstrType, NullTestType, ObjectType

from pgproof.core.sql import deparse, nodes_under, table_key
from pgproof.core.statement import Statement, ident, literal, qualified, try_parse
from pgproof.read.catalog import Catalog

ROW = "pgproof_row"  # the alias of the checked table in every query
INT_RANGES = {"smallint": (-32768, 32767), "integer": (-2147483648, 2147483647),
              "bigint": (-9223372036854775808, 9223372036854775807)}
NUMERIC_SOURCES = {"smallint", "integer", "bigint", "numeric", "real", "double precision"}
STRING_TYPES = {"text", "character varying", "character", "name", "citext", "bpchar"}


@dataclass(frozen=True)
class RowCheck:
    statement: int  # the plan's statement (from 1) that fails on these rows
    kind: str  # not_null_added, not_null, check, foreign_key, unique, type_change
    table: str  # public.sources
    what: str  # the rows, as a sentence part: "have NULL in title, which statement 3 sets NOT NULL"
    columns: tuple[str, ...] = ()  # quoted column names the rows are wrong in
    constraint: str | None = None
    violates: str | None = None  # a predicate over `ROW`; None for unique (groups)
    groups: tuple[str, ...] = ()  # unique: the key expressions
    groups_where: str | None = None  # unique: which rows take part
    exact: bool = True  # False: the conversion is tried; an error proves >= 1 row
    fill: str | None = None  # SQL a data fix may set the column to, when it is known (vectors: NULL)

    @property
    def keys(self) -> tuple[str, ...]:
        """The names a data fix may resolve it by: the constraint, or table.column."""
        named = (self.constraint,) if self.constraint else ()
        return named + tuple(f"{self.table}.{c}" for c in self.columns)

    @property
    def count_sql(self) -> str:
        if self.violates is None:
            return (f"SELECT count(*) FROM (SELECT 1 FROM {self.table}{self._where()} "
                    f"GROUP BY {', '.join(self.groups)} HAVING count(*) > 1) AS pgproof_groups")
        return f"SELECT count(*) FROM {self.table} AS {ROW} WHERE {self.violates}"

    def rows_predicate(self) -> str:
        """The violating rows, as a predicate over `ROW` (for unique: rows in a group)."""
        if self.violates is not None:
            return self.violates
        keys = ", ".join(self.groups)
        inner = f"SELECT {keys} FROM {self.table}{self._where()} GROUP BY {keys} HAVING count(*) > 1"
        return f"({keys}) IN ({inner})"

    def examples_sql(self, key: tuple[str, ...]) -> str:
        """Up to 5 keys (primary key columns, or ctid) of violating rows."""
        shown = ", ".join(f"{ROW}.{c}" for c in key)
        return (f"SELECT {shown} FROM {self.table} AS {ROW} WHERE {self.rows_predicate()} "
                f"ORDER BY {shown} LIMIT 5")

    def _where(self) -> str:
        return f" WHERE {self.groups_where}" if self.groups_where else ""


class Schema:
    """What the checks need to know about the target (its catalog) and its server."""

    def __init__(self, catalog: Catalog, server_major: int | None = None) -> None:
        self.catalog = catalog
        self.server_major = server_major

    def has_table(self, table: str) -> bool:
        return self.catalog.get("table", table) is not None

    def column(self, table: str, column: str) -> dict[str, Any] | None:
        found = self.catalog.get("column", f"{table}.{column}")
        return found.definition if found else None

    def enum_labels(self, type_key: str) -> list[str] | None:
        found = self.catalog.get("type", type_key)
        return list(found.definition.get("labels") or []) if found and found.definition.get("kind") == "enum" else None

    def has_type(self, type_key: str) -> bool:
        return self.catalog.get("type", type_key) is not None

    def constraint(self, table: str, name: str) -> str | None:
        found = self.catalog.get("constraint", f"{table}.{ident(name)}")
        return found.definition.get("definition") if found else None

    def primary_key(self, table: str) -> tuple[str, ...]:
        """The quoted primary key columns of `table`, or () without one."""
        for obj in self.catalog.of_kind("constraint"):
            if obj.parent == table and obj.definition.get("type") == "p":
                node = parse_constraint(obj.definition["definition"])
                if node is not None:
                    return tuple(ident(k.sval) for k in node.keys or ())
        return ()


def parse_constraint(definition: str) -> Constraint | None:
    """A constraint as pg_get_constraintdef writes it, parsed (a copy: the parse cache's
    trees are shared)."""
    nodes = try_parse(f"ALTER TABLE pgproof_x ADD {definition}")
    cmd = nodes[0].cmds[0] if nodes and isinstance(nodes[0], AlterTableStmt) and nodes[0].cmds else None
    return copy.deepcopy(cmd.def_) if cmd is not None and isinstance(cmd.def_, Constraint) else None


@dataclass
class _Plan:
    """What the statements before the current one did, as far as the checks care."""

    new_tables: set[str] = field(default_factory=set)
    added: dict[str, bool] = field(default_factory=dict)  # table.column -> has a default
    constraints: set[str] = field(default_factory=set)  # table.constraint added by the plan
    enums: dict[str, list[str]] = field(default_factory=dict)  # type key -> labels
    unique_indexes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # index name -> keys
    validated: set[str] = field(default_factory=set)  # table.constraint a VALIDATE of the plan checks


def checks(statements: list[Statement], schema: Schema) -> list[RowCheck]:
    """Every row check of the plan, once each (the online form of SET NOT NULL asks the
    same question three times: the first statement keeps it)."""
    seen: set[tuple[str, str]] = set()
    state = _Plan(validated=_validated(statements))
    found = []
    for number, statement in enumerate(statements, start=1):
        for node in statement.nodes:
            for check in _of(node, number, schema, state):
                if (check.table, check.count_sql) not in seen:
                    seen.add((check.table, check.count_sql))
                    found.append(check)
            _remember(node, state)
    return found


def _remember(node: Node, state: _Plan) -> None:
    if isinstance(node, CreateStmt):
        state.new_tables.add(table_key(node.relation))
    elif isinstance(node, CreateEnumStmt):
        state.enums[_type_key(node.typeName)] = [v.sval for v in node.vals or ()]
    elif isinstance(node, AlterEnumStmt) and node.newVal and _type_key(node.typeName) in state.enums:
        state.enums[_type_key(node.typeName)].append(node.newVal)
    elif isinstance(node, IndexStmt) and node.unique and node.idxname:
        state.unique_indexes[node.idxname] = tuple(_index_keys(node))


def _of(node: Node, number: int, schema: Schema, state: _Plan) -> Iterator[RowCheck]:
    if isinstance(node, IndexStmt) and node.unique:
        table = table_key(node.relation)
        if table not in state.new_tables and schema.has_table(table):
            where = deparse(node.whereClause) if node.whereClause else None
            yield _unique(number, table, tuple(_index_keys(node)), node.idxname, where, not node.nulls_not_distinct)
        return
    if not isinstance(node, AlterTableStmt) or node.objtype != ObjectType.OBJECT_TABLE:
        return
    table = table_key(node.relation)
    if table in state.new_tables or not schema.has_table(table):
        return
    for cmd in node.cmds or ():
        if isinstance(cmd, AlterTableCmd):
            yield from _command(number, table, cmd, schema, state)


def _command(number: int, table: str, cmd: AlterTableCmd, schema: Schema, state: _Plan) -> Iterator[RowCheck]:
    kind = cmd.subtype
    if kind == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ColumnDef):
        column = cmd.def_
        name = _ident(column.colname)
        parts = {c.contype for c in column.constraints or () if isinstance(c, Constraint)}
        filled = parts & {ConstrType.CONSTR_DEFAULT, ConstrType.CONSTR_IDENTITY, ConstrType.CONSTR_GENERATED}
        state.added[f"{table}.{name}"] = bool(filled)
        if not filled and parts & {ConstrType.CONSTR_NOTNULL, ConstrType.CONSTR_PRIMARY}:
            yield RowCheck(number, "not_null_added", table,
                           f"have no value for the new NOT NULL column {name} (it has no default)",
                           (name,), violates="true")
    elif kind == AlterTableType.AT_SetNotNull:
        yield from _not_null(number, table, _ident(cmd.name), state)
    elif kind == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, Constraint):
        key = f"{table}.{_ident(cmd.def_.conname)}" if cmd.def_.conname else None
        if key:
            state.constraints.add(key)
        if cmd.def_.skip_validation and key not in state.validated:
            return  # NOT VALID, and no VALIDATE in the plan: the rows it holds are never checked
        yield from _constraint(number, table, cmd.def_, schema, state)
    elif kind == AlterTableType.AT_ValidateConstraint:
        if f"{table}.{_ident(cmd.name)}" in state.constraints:
            return  # added NOT VALID earlier in the plan: counted there
        definition = schema.constraint(table, cmd.name or "")
        constraint = parse_constraint(definition) if definition else None
        if constraint is not None:
            constraint.conname = cmd.name
            yield from _constraint(number, table, constraint, schema, state)
    elif kind == AlterTableType.AT_AlterColumnType and isinstance(cmd.def_, ColumnDef):
        yield from _type_change(number, table, _ident(cmd.name), cmd.def_, schema, state)


def _ident(name: str | None) -> str:
    """A name pglast types optional where the grammar requires it."""
    assert name is not None, "a name the grammar requires is missing"
    return ident(name)


def _validated(statements: list[Statement]) -> set[str]:
    """table.constraint of every VALIDATE CONSTRAINT in the plan."""
    return {f"{table_key(node.relation)}.{ident(cmd.name)}"
            for statement in statements for node in statement.nodes if isinstance(node, AlterTableStmt)
            for cmd in node.cmds or () if getattr(cmd, "subtype", None) == AlterTableType.AT_ValidateConstraint}


def _not_null(number: int, table: str, column: str, state: _Plan, constraint: str | None = None) -> Iterator[RowCheck]:
    added = state.added.get(f"{table}.{column}")
    if added is True:
        return  # added by the plan with a default: every row has a value
    what = f"have NULL in {column}, which the plan makes NOT NULL"
    if added is False:
        yield RowCheck(number, "not_null_added", table, f"have no value in {column}, which the plan adds without a "
                       "default and makes NOT NULL", (column,), violates="true")
        return
    yield RowCheck(number, "not_null", table, what, (column,), constraint, violates=f"{ROW}.{column} IS NULL")


def _constraint(number: int, table: str, constraint: Constraint, schema: Schema, state: _Plan) -> Iterator[RowCheck]:
    kind, name = constraint.contype, constraint.conname
    if kind == ConstrType.CONSTR_CHECK:
        expr = constraint.raw_expr
        assert expr is not None  # CHECK has an expression
        if (isinstance(expr, NullTest) and expr.nulltesttype == NullTestType.IS_NOT_NULL
                and isinstance(expr.arg, ColumnRef)):
            yield from _not_null(number, table, _column_name(expr.arg), state)
            return
        columns = tuple(dict.fromkeys(_columns(expr)))
        if any(f"{table}.{c}" in state.added for c in columns):
            return  # a column the plan adds: not on the target yet (its default decides)
        yield RowCheck(number, "check", table, f"violate check {name} ({deparse(expr)})", columns, name,
                       violates=f"({deparse(expr)}) IS FALSE")
    elif kind == ConstrType.CONSTR_FOREIGN:
        yield from _foreign_key(number, table, constraint, schema, state)
    elif kind in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY):
        keys = tuple(ident(k.sval) for k in constraint.keys or ())
        if constraint.indexname:  # USING INDEX: its CREATE UNIQUE INDEX was checked
            keys = state.unique_indexes.get(constraint.indexname, ())
        elif keys:
            yield _unique(number, table, keys, name, None, not constraint.nulls_not_distinct)
        if kind == ConstrType.CONSTR_PRIMARY and keys and all(_PLAIN_KEY.fullmatch(k) for k in keys):
            nulls = " OR ".join(f"{ROW}.{k} IS NULL" for k in keys)
            yield RowCheck(number, "not_null", table, f"have NULL in the primary key {name} ({', '.join(keys)})",
                           keys, name, violates=nulls)


_PLAIN_KEY = re.compile(r'[a-z_][a-z0-9_$]*|"(?:[^"]|"")+"')


def _foreign_key(number: int, table: str, constraint: Constraint, schema: Schema, state: _Plan) -> Iterator[RowCheck]:
    fk = tuple(ident(a.sval) for a in constraint.fk_attrs or ())
    referenced = table_key(constraint.pktable)
    pk = tuple(ident(a.sval) for a in constraint.pk_attrs or ()) or schema.primary_key(referenced)
    if not fk or any(f"{table}.{c}" in state.added for c in fk):
        return
    present = " AND ".join(f"{ROW}.{c} IS NOT NULL" for c in fk)
    if referenced in state.new_tables or not schema.has_table(referenced):
        missing = present  # the referenced table is created by the plan: empty
    elif len(pk) != len(fk):
        return  # the referenced key is not known: the proof will have failed already
    else:
        match = " AND ".join(f"pgproof_ref.{p} = {ROW}.{c}" for p, c in zip(pk, fk))
        missing = f"{present} AND NOT EXISTS (SELECT FROM {referenced} AS pgproof_ref WHERE {match})"
    if constraint.fk_matchtype == "f" and len(fk) > 1:  # MATCH FULL: a partly NULL key fails too
        some = " OR ".join(f"{ROW}.{c} IS NULL" for c in fk)
        missing = f"({missing}) OR (({some}) AND NOT ({' AND '.join(f'{ROW}.{c} IS NULL' for c in fk)}))"
    yield RowCheck(number, "foreign_key", table,
                   f"have no match in {referenced} for foreign key {constraint.conname} ({', '.join(fk)})",
                   fk, constraint.conname, violates=missing)


def _unique(number: int, table: str, keys: tuple[str, ...], name: str | None, where: str | None,
            nulls_distinct: bool) -> RowCheck:
    conditions = [f"({where})"] if where else []
    if nulls_distinct:
        conditions += [f"{key} IS NOT NULL" for key in keys]
    shown = ", ".join(keys).replace('"', "")
    columns = tuple(k for k in keys if _PLAIN_KEY.fullmatch(k))
    return RowCheck(number, "unique", table, f"share ({shown}) with another row: {name or 'the unique index'} fails",
                    columns, name, groups=keys, groups_where=" AND ".join(conditions) or None)


def _type_change(number: int, table: str, column: str, definition: ColumnDef, schema: Schema,
                 state: _Plan) -> Iterator[RowCheck]:
    if f"{table}.{column}" in state.added:
        return
    old = (schema.column(table, column) or {}).get("type")
    if old is None or not isinstance(definition.typeName, TypeName):
        return
    new_text = deparse(definition.typeName)
    new = normalise_type(new_text)
    using = definition.raw_default
    value, value_type = _converted(using, column, old, new)
    base, mods = _split(new)

    def make(predicate: str, exact: bool = True, what: str | None = None, fill: str | None = None) -> RowCheck:
        what = what or f"hold a value of {column} that does not convert to {new_text}"
        return RowCheck(number, "type_change", table, what, (column,), violates=predicate, exact=exact, fill=fill)

    labels = state.enums.get(_type_key(definition.typeName.names))
    if labels is None:
        labels = schema.enum_labels(_type_key(definition.typeName.names))
    if definition.typeName.arrayBounds:
        labels = None  # an array of the enum: its text is '{...}', never a label; evaluated below
    if value is None and labels is not None and isinstance(using, TypeCast) and using.arg is not None \
            and using.typeName is not None and normalise_type(deparse(using.typeName)) == new:
        value = deparse(using.arg)  # a schema's conversion (CASE ... END::enum): its text must be a label
    if value is not None and labels is not None:
        shown = ", ".join(labels)
        yield make(f"({value}) IS NOT NULL AND ({value})::text <> ALL (ARRAY[{', '.join(literal(x) for x in labels)}])",
                   what=f"hold a value of {column} that is not a label of {new_text} ({shown})")
        return
    value_base, _ = _split(normalise_type(value_type)) if value_type else (None, None)
    if value is not None and base == "vector" and value_base == "vector" and mods:
        dims = _vector_dims(definition.typeName)
        yield make(f"({value}) IS NOT NULL AND {dims}({value}) <> {int(mods[0])}", fill="NULL",
                   what=f"hold an embedding in {column} of other than {int(mods[0])} dimensions "
                        "(clear them, and re-embed after apply)")
        return
    if value is not None and value_base in NUMERIC_SOURCES and base in INT_RANGES:
        low, high = INT_RANGES[base]
        if value_base in INT_RANGES and low <= INT_RANGES[value_base][0] and INT_RANGES[value_base][1] <= high:
            return  # a wider integer: every value fits
        rounded = value if value_base in ("smallint", "integer", "bigint") else f"round({value})"
        yield make(f"{rounded} NOT BETWEEN {low} AND {high}")
        return
    if value is not None and value_base in NUMERIC_SOURCES and base == "numeric" and mods:
        precision, scale = int(mods[0]), int(mods[1]) if len(mods) > 1 else 0
        number_value = f"({value})::numeric"
        yield make(f"{number_value} <> 'NaN' AND abs(round({number_value}, {scale})) >= 1e{precision - scale}")
        return
    if base in STRING_TYPES or (value_base and value_base == base):
        return  # to a string type nothing fails (an explicit cast truncates: hazards.py counts that)
    # pg_input_is_valid needs the type on the target: a built-in one (pg_catalog, or named
    # without a schema, like uuid: a user type the plan creates is then not found, and the
    # count says so), or one the target has.
    assert definition.typeName is not None and definition.typeName.names  # ALTER TYPE names a type
    names = [n.sval for n in definition.typeName.names]
    type_exists = names[0] == "pg_catalog" or len(names) == 1 or schema.has_type(_type_key(definition.typeName.names))
    if value is not None and value_base in STRING_TYPES and (schema.server_major or 0) >= 16 and type_exists:
        yield make(f"({value}) IS NOT NULL AND NOT pg_input_is_valid(({value})::text, {literal(new_text)})")
        return
    conversion = deparse(using) if using is not None else f"{ROW}.{column}::{new_text}"
    # No exact rule: evaluate the conversion on every row. num_nulls is never negative, so
    # no row is counted; the planner cannot fold it away, so only an error says a row fails.
    yield make(f"num_nulls({conversion}) < 0", exact=False)


def _converted(using: Node | None, column: str, old: str, new: str) -> tuple[str | None, str | None]:
    """The value the conversion starts from (as SQL) and its type, when the conversion is
    a plain cast to the new type (of the column, or of the column cast first)."""
    if using is None:
        return f"{ROW}.{column}", old
    if not isinstance(using, TypeCast) or using.typeName is None or normalise_type(deparse(using.typeName)) != new:
        return None, None
    inner = using.arg
    if isinstance(inner, ColumnRef) and _column_name(inner) == column:
        return f"{ROW}.{column}", old
    if (isinstance(inner, TypeCast) and inner.typeName is not None and isinstance(inner.arg, ColumnRef)
            and _column_name(inner.arg) == column):
        return f"{ROW}.{column}::{deparse(inner.typeName)}", deparse(inner.typeName)
    return None, None


def _vector_dims(type_name: TypeName) -> str:
    names = [n.sval for n in type_name.names or ()]
    return qualified(names[0], "vector_dims") if len(names) > 1 else "vector_dims"


def _split(type_text: str) -> tuple[str, list[str]]:
    head, _, rest = type_text.partition("(")
    return head.strip(), [m.strip() for m in rest.rstrip(")").split(",") if m.strip()] if rest else []


def normalise_type(text: str) -> str:
    """A type as format_type writes it, roughly: no schema for built-in and public types."""
    text = text.replace("pg_catalog.", "").replace("public.", "").replace('"', "")
    aliases = {"varchar": "character varying", "int4": "integer", "int8": "bigint", "int2": "smallint",
               "int": "integer", "float8": "double precision", "float4": "real", "bool": "boolean",
               "char": "character", "decimal": "numeric", "timestamptz": "timestamp with time zone"}
    head, _, rest = text.partition("(")
    head = aliases.get(head.strip(), head.strip())
    return head + ("(" + rest.replace(" ", "") if rest else "")


def _type_key(names: tuple[Any, ...] | None) -> str:
    parts = [n.sval for n in names or ()]
    return qualified(*(parts if len(parts) > 1 else ["public", *parts]))


def _index_keys(stmt: IndexStmt) -> list[str]:
    return [ident(p.name) if p.name else f"({deparse(p.expr)})" for p in stmt.indexParams or ()]


def _column_name(ref: ColumnRef) -> str:
    assert ref.fields  # a column reference has at least one part
    return ident(ref.fields[-1].sval)


def _columns(node: object) -> Iterator[str]:
    """Every column a parse tree names (the last part of each column reference)."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _columns(item)
    elif isinstance(node, ColumnRef):
        if node.fields and isinstance(node.fields[-1], String):
            yield _column_name(node)
    elif isinstance(node, Node):
        for name in node:
            yield from _columns(getattr(node, name))


# --- which data fix resolves a check -------------------------------------------------------

def fix_keys(check_sql: str, resolves: tuple[str, ...]) -> tuple[str, ...]:
    """The names by which a data fix resolves checks: what its header declares (a
    constraint or index name, or schema.table.column / table.column), and each
    table.column its check query selects rows by (a column in a WHERE, HAVING or JOIN
    condition, with each table the query reads: loose, so apply counts again before the
    first statement; a column only sorted or shown, as 0001 sorts by embedding, is not)."""
    declared = tuple(_declared(name) for name in resolves)
    nodes = try_parse(check_sql)  # a .py fix's check need not be one SQL text we can read
    if nodes is None:
        return declared
    found = list(nodes_under(nodes))
    tables = sorted({table_key(n) for n in found if isinstance(n, RangeVar)})
    conditions = [n.whereClause for n in found if isinstance(n, SelectStmt)]
    conditions += [n.havingClause for n in found if isinstance(n, SelectStmt)]
    conditions += [n.quals for n in found if isinstance(n, JoinExpr)]
    columns = sorted(set(_columns([c for c in conditions if c is not None])))
    return declared + tuple(f"{t}.{c}" for t in tables for c in columns)


def _declared(name: str) -> str:
    parts = [p.strip().strip('"') for p in name.split(".")]
    if len(parts) == 2:
        parts = ["public", *parts]
    return qualified(*parts) if len(parts) == 3 else name
