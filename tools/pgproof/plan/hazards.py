"""Hazards: what a statement can do to data and traffic, found with pglast (the real
PostgreSQL parser), never with regexes.

Each hazard kind has a stable code and its message written once (`HazardKind`). Each
detector is a small function from a parsed statement (plus facts about the target, such
as row counts) to hazards. `apply` refuses any hazard not named in `--allow-hazards`.

Brief ACCESS EXCLUSIVE locks for catalog-only changes are not hazards: every step runs
with a lock_timeout and is retried, so it never queues traffic for long. ACCESS_EXCLUSIVE
is reported where the lock is held while the table is scanned or rewritten.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import psycopg2
from pglast.ast import (
    AlterEnumStmt, AlterExtensionStmt, AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, CreateStmt,
    DropStmt, IndexStmt, Node, TypeName,
)
from pglast.enums import AlterTableType, ConstrType, ObjectType

from pgproof.read.catalog import Catalog
from pgproof.core.hazard import Hazard, HazardKind
from pgproof.core.sql import deparse, table_key
from pgproof.core.statement import Statement, ident, qualified

IVFFLAT_ROWS_PER_LIST = 39  # below lists x 39 rows, k-means has too few points per list


def resolve_with_fixes(statements: list[Statement], fixes: dict[str, str]) -> list[Statement]:
    """Mark the hazards a data fix of the plan removes (`fixes`: name it resolves -> fix
    name) as resolved by it: the header still lists them, with the fix, and apply does
    not ask for them (it counts the rows again after the fixes ran)."""
    result = []
    for statement in statements:
        hazards = tuple(
            dataclasses.replace(h, resolved_by=resolver(h.keys, fixes)) if resolver(h.keys, fixes) else h
            for h in statement.hazards
        )
        result.append(statement.with_(hazards=hazards))
    return result


def resolver(keys: tuple[str, ...], fixes: dict[str, str]) -> str | None:
    """The data fix that resolves the first of `keys` any fix resolves, or None."""
    return next((fixes[key] for key in keys if key in fixes), None)


class TargetFacts:
    """Read-only questions about the target: row counts and conversion probes, cached.
    With no connection (a rollback, whose target state does not exist yet) every count
    is unknown."""

    def __init__(self, conn: psycopg2.extensions.connection | None, catalog: Catalog, probe_timeout_ms: int = 60_000) -> None:
        self.conn = conn
        self.catalog = catalog
        self.probe_timeout_ms = probe_timeout_ms
        self._cache: dict[str, int | None] = {}

    def exists(self, table: str) -> bool:
        return self.catalog.get("table", table) is not None

    def column_type(self, table: str, column: str) -> str | None:
        obj = self.catalog.get("column", f"{table}.{ident(column)}")
        return obj.definition["type"] if obj else None

    def count(self, sql: str) -> int | None:
        """The integer `sql` returns, or None when it fails (e.g. a cast that errors)."""
        if sql not in self._cache:
            self._cache[sql] = self._run(sql)
        return self._cache[sql]

    def rows(self, table: str) -> int | None:
        return self.count(f"SELECT count(*) FROM {table}") if self.exists(table) else 0

    def _run(self, sql: str) -> int | None:
        if self.conn is None:
            return None
        with self.conn.cursor() as cur:
            cur.execute("SAVEPOINT probe")
            try:
                cur.execute(f"SET LOCAL statement_timeout = {int(self.probe_timeout_ms)}")
                cur.execute(sql)
                row = cur.fetchone()
                assert row is not None  # count(*) returns one row
                value = row[0]
                cur.execute("RELEASE SAVEPOINT probe")
                return int(value)
            except psycopg2.Error:
                cur.execute("ROLLBACK TO SAVEPOINT probe")
                return None


Detector = Callable[[Node, TargetFacts, set[str]], Iterator[Hazard]]


def classify(statements: list[Statement], facts: TargetFacts) -> list[Statement]:
    """`statements` with their hazards attached. Tables created earlier in the same list
    are new and empty: building indexes on them or altering them is harmless."""
    new_tables: set[str] = set()
    result = []
    for statement in statements:
        found: list[Hazard] = []
        for raw in statement.nodes:
            for detector in DETECTORS:
                found.extend(detector(raw, facts, new_tables))
            if isinstance(raw, CreateStmt):
                new_tables.add(table_key(raw.relation))
        result.append(statement.with_(hazards=tuple(_unique(found))))
    return result


def _unique(hazards: list[Hazard]) -> list[Hazard]:
    seen, result = set(), []
    for hazard in hazards:
        if hazard not in seen:
            seen.add(hazard)
            result.append(hazard)
    return result


def _fmt(n: int | None) -> str:
    return "an unknown number of" if n is None else f"{n:,}"


# --- detectors: one concern each --------------------------------------------------------

def drops(stmt: Node, facts: TargetFacts, new: set[str]) -> Iterator[Hazard]:
    if not isinstance(stmt, DropStmt):
        return
    for obj in stmt.objects or ():
        names = [p.sval for p in (obj if isinstance(obj, tuple) else (obj,)) if hasattr(p, "sval")]
        key = qualified(*(names if len(names) > 1 else ["public", *names]))
        if stmt.removeType == ObjectType.OBJECT_TABLE:
            yield Hazard(HazardKind.DATA_LOSS, f"drops table {key} with {_fmt(facts.rows(key))} rows")
        elif stmt.removeType == ObjectType.OBJECT_SCHEMA:
            yield Hazard(HazardKind.DATA_LOSS, f"drops schema {'.'.join(names)} and everything in it")
        elif stmt.removeType == ObjectType.OBJECT_INDEX:
            yield Hazard(HazardKind.INDEX_DROP, f"drops index {key}")


def alter_table(stmt: Node, facts: TargetFacts, new: set[str]) -> Iterator[Hazard]:
    if not isinstance(stmt, AlterTableStmt) or stmt.objtype != ObjectType.OBJECT_TABLE:
        return
    table = table_key(stmt.relation)
    if table in new or not facts.exists(table):
        return
    for cmd in stmt.cmds or ():
        if isinstance(cmd, AlterTableCmd):
            yield from _alter_command(table, cmd, facts)


def _alter_command(table: str, cmd: AlterTableCmd, facts: TargetFacts) -> Iterator[Hazard]:
    kind = cmd.subtype
    if kind == AlterTableType.AT_DropColumn:
        lost = facts.count(f"SELECT count(*) FROM {table} WHERE {ident(_column(cmd))} IS NOT NULL")
        yield Hazard(HazardKind.DATA_LOSS, f"drops column {table}.{_name(cmd.name)} holding {_fmt(lost)} non-NULL values")
    elif kind == AlterTableType.AT_AlterColumnType:
        yield from _type_change(table, cmd, facts)
    elif kind == AlterTableType.AT_SetNotNull:  # NULLs it fails on: plan/row_checks.py
        yield Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK,
                     f"SET NOT NULL on {table}.{_name(cmd.name)} scans the table under the lock")
    elif kind == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, Constraint):
        yield from _add_constraint(table, cmd.def_, facts)
    elif kind == AlterTableType.AT_ValidateConstraint:
        yield Hazard(HazardKind.CONSTRAINT_VALIDATION,
                     f"validates constraint {_name(cmd.name)} on {table} ({_fmt(facts.rows(table))} rows)")
    elif kind == AlterTableType.AT_AddColumn and _volatile_default(cmd):
        yield Hazard(HazardKind.TABLE_REWRITE, f"adds a column with a volatile default to {table}")


def _column(cmd: AlterTableCmd) -> str:
    """The column a column subcommand names (pglast types it Optional; the grammar sets it)."""
    assert cmd.name is not None
    return cmd.name


def _volatile_default(cmd: AlterTableCmd) -> bool:
    column = cmd.def_
    for constraint in getattr(column, "constraints", None) or ():
        if isinstance(constraint, Constraint) and constraint.contype == ConstrType.CONSTR_DEFAULT:
            assert constraint.raw_expr is not None  # a DEFAULT always has its expression
            text = deparse(constraint.raw_expr).lower()
            return any(f in text for f in ("random(", "clock_timestamp(", "gen_random_uuid(", "nextval("))
    return False


def _type_change(table: str, cmd: AlterTableCmd, facts: TargetFacts) -> Iterator[Hazard]:
    column = ident(_column(cmd))
    old = facts.column_type(table, _column(cmd))
    new = deparse(cmd.def_.typeName) if isinstance(cmd.def_, ColumnDef) and isinstance(cmd.def_.typeName, TypeName) else None
    if old is None or new is None:
        return
    new_norm = _normalise_type(new)
    if old.startswith("public.vector(") or new_norm.startswith("vector("):
        if _normalise_type(old) != new_norm:
            embeddings = facts.count(f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL")
            yield Hazard(
                HazardKind.VECTOR_DIMENSION_CHANGE,
                f"{table}.{column} changes from {old} to {new}: {_fmt(embeddings)} stored embeddings "
                "cannot be converted; clear them (a data fix of the plan) and re-embed after apply",
            )
            indexes = sorted(i.key for i in facts.catalog.of_kind("index") if i.parent == table)
            rebuilt = f" and rebuilds its indexes ({', '.join(indexes)})" if indexes else ""
            yield Hazard(HazardKind.TABLE_REWRITE,
                         f"changes {table}.{column} from {old} to {new}: rewrites {table}{rebuilt}")
            yield Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK,
                         f"rewrites {table} under the lock to change {column}'s dimension: reads and writes wait")
        return
    if _binary_compatible(old, new_norm):
        return
    yield Hazard(HazardKind.TABLE_REWRITE, f"changes {table}.{column} from {old} to {new}")
    yield Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, f"rewrites {table} under the lock to change {column}'s type")
    changed = facts.count(
        f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL "
        f"AND ({column}::{new})::{old} IS DISTINCT FROM {column}"
    )
    if changed:  # values that do not convert at all: plan/row_checks.py
        yield Hazard(HazardKind.DATA_LOSS, f"narrows {table}.{column} to {new}: {changed:,} values change or are truncated")


def _normalise_type(text: str) -> str:
    text = text.replace("pg_catalog.", "").replace("public.", "").replace('"', "")
    aliases = {"varchar": "character varying", "int4": "integer", "int8": "bigint", "float8": "double precision"}
    head, _, rest = text.partition("(")
    head = aliases.get(head.strip(), head.strip())
    return head + ("(" + rest if rest else "")


def _binary_compatible(old: str, new: str) -> bool:
    """Type changes PostgreSQL makes without rewriting: varchar widening, varchar -> text."""
    old = _normalise_type(old)
    if old == new:
        return True
    if old.startswith("character varying") and new == "text":
        return True
    if old.startswith("character varying(") and new.startswith("character varying"):
        if new == "character varying":
            return True
        return _length(new) >= _length(old)
    return old.startswith("numeric") and new == "numeric"


def _length(text: str) -> int:
    return int(text.split("(", 1)[1].rstrip(")").split(",")[0])


def _add_constraint(table: str, constraint: Constraint, facts: TargetFacts) -> Iterator[Hazard]:
    kind = constraint.contype
    if kind in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY):
        if not constraint.indexname:  # builds its index under ACCESS EXCLUSIVE
            yield Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK,
                         f"builds the index of {_name(constraint.conname)} on {table} under the lock")
    elif kind in (ConstrType.CONSTR_CHECK, ConstrType.CONSTR_FOREIGN) and not constraint.skip_validation:
        yield Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, f"validates {_name(constraint.conname)} on {table} while holding the lock")


def create_index(stmt: Node, facts: TargetFacts, new: set[str]) -> Iterator[Hazard]:
    if not isinstance(stmt, IndexStmt):
        return
    table = table_key(stmt.relation)
    if table in new or not facts.exists(table):
        return
    rows = facts.rows(table)
    if rows != 0:  # an empty table's index is built at once: nothing to acknowledge
        yield Hazard(HazardKind.INDEX_BUILD, f"builds index {_name(stmt.idxname)} on {table} ({_fmt(rows)} rows)")
    if not stmt.concurrent:
        yield Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK,
                     f"builds {_name(stmt.idxname)} without CONCURRENTLY: writes to {table} wait")
    if stmt.accessMethod == "ivfflat":
        lists = next((int(o.arg.sval if hasattr(o.arg, "sval") else o.arg.ival)
                      for o in stmt.options or () if o.defname == "lists"), 100)
        if rows is not None and rows < lists * IVFFLAT_ROWS_PER_LIST:
            yield Hazard(
                HazardKind.IVFFLAT_SMALL_TABLE,
                f"{_name(stmt.idxname)} on {table}: {rows:,} rows, fewer than lists x {IVFFLAT_ROWS_PER_LIST} = "
                f"{lists * IVFFLAT_ROWS_PER_LIST:,}; build it after loading data, lower lists "
                "(about rows / 1000), or use HNSW",
            )


def new_table_ivfflat(stmt: Node, facts: TargetFacts, new: set[str]) -> Iterator[Hazard]:
    """An IVFFlat index on a table created in this same plan is built on zero rows."""
    if isinstance(stmt, IndexStmt) and stmt.accessMethod == "ivfflat" and table_key(stmt.relation) in new:
        yield Hazard(
            HazardKind.IVFFLAT_SMALL_TABLE,
            f"{_name(stmt.idxname)} is built on the new, empty table {table_key(stmt.relation)}: its lists "
            "are trained on no data; create it after loading data, or use HNSW",
        )


def extension_version(stmt: Node, facts: TargetFacts, new: set[str]) -> Iterator[Hazard]:
    if isinstance(stmt, AlterExtensionStmt):
        yield Hazard(HazardKind.EXTENSION_VERSION, f"updates extension {stmt.extname}")


def enum_change(stmt: Node, facts: TargetFacts, new: set[str]) -> Iterator[Hazard]:
    if isinstance(stmt, AlterEnumStmt) and stmt.oldVal:
        yield Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "renames an enum value")


DETECTORS: tuple[Detector, ...] = (
    drops, alter_table, create_index, new_table_ivfflat, extension_version, enum_change,
)


KNOWN_CODES = {kind.code for kind in HazardKind}


def _name(name: str | None) -> str:
    """A constraint's, index's or column's name as a hazard shows it: quoted where needed."""
    return ident(name or "")
