"""Keep what a plan's DDL destroys, so its rollback brings it back (ledger/kept.py says how).

* `ALTER TABLE t DROP COLUMN c`: the values of c are archived by the row's key before the
  drop (a batched step outside a transaction block, before the drop's transaction), and
  the rows written since are archived again in the drop's own transaction, under its lock.
* A narrowing `ALTER COLUMN c TYPE` (a DATA_LOSS hazard): the same, for the rows whose
  value the cast alters.
* `DROP TABLE t`: the table is moved to the `pgproof_trash` schema under a name carrying
  the plan's id instead (its foreign keys to other tables go, as with the drop).

The key is the table's primary key, else a unique index over NOT NULL columns without a
predicate or expression. A table without one keeps nothing: its drop stays a DATA_LOSS
hazard that says so and how to get one. So does a change the schema opts out of with
`-- pgproof: drop-without-archive schema.table[.column]`, for tables too large to keep.
A partitioned table's drop is not moved either (its partitions are tables of their own).

The rollback plan puts it back: the column re-added, then filled from the archive by key;
the former type, then the archived values; the table moved back (the statements that
would re-create what came back with it, its indexes, sequences and own constraints, are
left out).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass

from psycopg2.extensions import connection as Connection

from pglast.ast import AlterTableCmd, AlterTableStmt, ColumnDef, CreateStmt, DropStmt, TypeName
from pglast.enums import AlterTableType, ObjectType

from pgproof.core.errors import SchemaError
from pgproof.core.hazard import Hazard, HazardKind
from pgproof.core.kinds import Kind
from pgproof.core.sql import deparse, table_key
from pgproof.core.statement import CATALOG, Statement, ident, literal, qualified
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.touched import ADD_COLUMN, ADD_CONSTRAINT_USING_INDEX, COLUMN_TYPE, CREATE, DROP, REPLACE
from pgproof.ledger import kept as ledger
from pgproof.read.catalog import Catalog
from pgproof.read.desired import SchemaFile

DIRECTIVE = "drop-without-archive"
_CREATED = frozenset({CREATE, REPLACE, ADD_CONSTRAINT_USING_INDEX})
_LINE = re.compile(r"^\s*--\s*pgproof:\s*drop-without-archive\b\s*(.*?)\s*$", re.I)
_PART = re.compile(r'"((?:[^"]|"")+)"|([^".]+)')

# A column or table kept: what the rollback needs to put it back.
Kept = ledger.Values | ledger.Trashed


@dataclass(frozen=True)
class Rewritten:
    """The rewrite's result."""

    statements: list[Statement]
    kept: list[Kept]


def opt_outs(files: list[SchemaFile]) -> dict[str, str]:
    """`schema.table` or `schema.table.column` (quoted like format('%I')) -> file:line of
    each drop-without-archive directive."""
    found = {}
    for file in files:
        for number, line in enumerate(file.text.splitlines(), start=1):
            match = _LINE.match(line)
            if not match:
                continue
            parts = [q.replace('""', '"') if q else p.lower() for q, p in _PART.findall(match.group(1))]
            if len(parts) == 1:
                parts = ["public", *parts]
            if len(parts) not in (2, 3) or not all(parts):
                raise SchemaError(f"{file.display}:{number}: drop-without-archive needs schema.table or "
                                  "schema.table.column, like '-- pgproof: drop-without-archive public.events.payload'.")
            found[qualified(*parts)] = f"{file.display}:{number}"
    return found


def plan_id(target_fingerprint: str, desired_fingerprint: str) -> str:
    """8 hex digits naming what one plan keeps: the same plan, the same names."""
    return hashlib.sha256(f"{target_fingerprint}:{desired_fingerprint}".encode()).hexdigest()[:8]


def forward(statements: list[Statement], conn: Connection, catalog: Catalog, skip: dict[str, str], pid: str) -> Rewritten:
    """`statements` with the steps that keep what they destroy; `conn` reads the target's
    keys (read-only)."""
    result: list[Statement] = []
    kept: list[Kept] = []
    types_dropped = _drops_types(statements)
    moving = set().union(*(_moves_with(catalog, table) for table in _trashed(statements, catalog, skip)))
    for statement in statements:
        touches = touched.read(statement)
        if touches and all(t.action == DROP and (t.kind, t.key) in moving for t in touches):
            continue  # it goes to the trash with its table
        loss = next((h for h in statement.hazards if h.kind is HazardKind.DATA_LOSS), None)
        found = _what(statement, catalog) if loss else None
        if found is None or loss is None:
            result.append(statement)
            continue
        kind, table, column, new_type = found
        column = column or ""
        subject = f"{table}.{ident(column)}" if column else table
        opted = skip.get(subject) or skip.get(table)
        if opted:
            result.append(_say(statement, loss, f"not kept: `-- pgproof: {DIRECTIVE} {subject}` at {opted}"))
            continue
        if kind == "table":
            if catalog.get("table", table).partitioned:  # type: ignore[union-attr]
                result.append(_say(statement, loss, "not kept: a partitioned table's drop is not moved to the trash"))
                continue
            if types_dropped:
                result.append(_say(statement, loss, "not kept: the plan also drops a type or extension, which a "
                                                    "table in the trash could still use"))
                continue
            schema, name = _split(table)
            trashed = ledger.Trashed(schema, name, ledger.trash_name(name, pid))
            kept.append(trashed)
            moved = statement.with_(sql=trashed.trash_sql(), origin=CATALOG)
            result.append(_say(moved, loss, f"kept: moved to pgproof_trash.{ident(trashed.name)} instead; "
                                            f"restore: `pgproof trash restore {trashed.name}`"))
            continue
        keys = _key(conn, table, column)
        if not keys:
            result.append(_say(statement, loss, f"not kept: {table} has no primary key or unique key on NOT NULL "
                                                "columns to restore the values by; add one, or accept the loss with "
                                                f"`-- pgproof: {DIRECTIVE} {subject}` in the schema"))
            continue
        changed = None
        if kind == "type":
            old = catalog.get("column", subject).definition["type"]  # type: ignore[union-attr]
            changed = (f"pgproof_t.{ident(column)} IS NOT NULL AND (pgproof_t.{ident(column)}::{new_type})::{old} "
                       f"IS DISTINCT FROM pgproof_t.{ident(column)}")
        values = ledger.Values(f"{pid}:{subject}", "column" if kind == "column" else "type", table, column,
                               tuple(keys), changed)
        kept.append(values)
        at = _group_start(result)
        result.insert(at, Statement(values.archive_sql(), origin=CATALOG, transactional=False,
                                    lock_timeout_ms=statement.lock_timeout_ms, statement_timeout_ms=0))
        result.append(statement.with_(sql=values.lock_sql(), origin=CATALOG, hazards=()))
        result.append(statement.with_(sql=values.catch_up_sql(), origin=CATALOG, hazards=()))
        after = "once the column is back" if kind == "column" else "once it has its former type again"
        result.append(_say(statement, loss, f"kept in {ledger.VALUES} (archive {literal(values.archive)}); "
                                            f"restore {after}: `{values.restore_sql()};`"))
    return Rewritten(result, kept)


def rollback(statements: list[Statement], kept: list[Kept], target: Catalog) -> list[Statement]:
    """The way back with what was kept put back."""
    result = list(statements)
    for item in kept:
        if isinstance(item, ledger.Values):
            action = ADD_COLUMN if item.kind == "column" else COLUMN_TYPE
            key = f"{item.table}.{ident(item.column)}"
            at = next((i for i, s in enumerate(result)
                       if any(t.kind == "column" and t.key == key and t.action == action for t in touched.read(s))), None)
            if at is not None:
                result.insert(at + 1, result[at].with_(sql=item.restore_sql(), origin=CATALOG, hazards=()))
        else:
            result = _untrash(result, item, target)
    return result


def _drops_types(statements: list[Statement]) -> bool:
    """Does the plan drop a type, domain or extension? A table moved to the trash keeps
    depending on its columns' types, so such a drop would fail (or take the table)."""
    return any(t.action == DROP and t.kind in (Kind.TYPE, Kind.EXTENSION)
               for statement in statements for t in touched.read(statement))


def _trashed(statements: list[Statement], catalog: Catalog, skip: dict[str, str]) -> list[str]:
    """The tables the plan moves to the trash instead of dropping them."""
    if _drops_types(statements):
        return []
    found = []
    for statement in statements:
        what = _what(statement, catalog) if any(h.kind is HazardKind.DATA_LOSS for h in statement.hazards) else None
        if what and what[0] == "table" and what[1] not in skip and not catalog.get("table", what[1]).partitioned:  # type: ignore[union-attr]
            found.append(what[1])
    return found


def _moves_with(catalog: Catalog, table: str) -> set[tuple[str, str]]:
    """(kind, key) of what moves with `table` to the trash and back: its indexes,
    sequences, own constraints (not its foreign keys), triggers, policies, columns."""
    return {(o.kind, o.key) for kind in ("index", "sequence", "constraint", "trigger", "policy", "column")
            for o in catalog.of_kind(kind)
            if o.parent == table and not (kind == "constraint" and o.sql.startswith("FOREIGN KEY"))}


def _untrash(statements: list[Statement], item: ledger.Trashed, target: Catalog) -> list[Statement]:
    came_back = _moves_with(target, item.key)
    result = []
    for statement in statements:
        touches = touched.read(statement)
        nodes = statement.nodes
        if len(nodes) == 1 and isinstance(nodes[0], CreateStmt) and table_key(nodes[0].relation) == item.key:
            result.append(statement.with_(sql=ledger.restore_table_sql(item.name), origin=CATALOG))
        elif touches and all((t.kind, t.key) in came_back and t.action in _CREATED for t in touches):
            continue  # came back with the table
        else:
            result.append(statement)
    return result


def _what(statement: Statement, catalog: Catalog) -> tuple[str, str, str | None, str | None] | None:
    """(kind, table, column, new type) of a statement that destroys data we can keep."""
    nodes = statement.nodes
    if len(nodes) != 1:
        return None
    node = nodes[0]
    if isinstance(node, DropStmt) and node.removeType == ObjectType.OBJECT_TABLE and node.objects \
            and len(node.objects) == 1:
        names = [p.sval for p in node.objects[0]]
        key = qualified(*(names if len(names) > 1 else ["public", *names]))
        return ("table", key, None, None) if catalog.get("table", key) is not None else None
    if not isinstance(node, AlterTableStmt) or not node.cmds or len(node.cmds) != 1:
        return None
    cmd = node.cmds[0]
    if not isinstance(cmd, AlterTableCmd) or cmd.name is None:
        return None
    table = table_key(node.relation)
    column = catalog.get("column", f"{table}.{ident(cmd.name)}")
    if column is None or column.definition.get("generated"):
        return None  # a generated column's values are computed again, not kept
    if cmd.subtype == AlterTableType.AT_DropColumn:
        return "column", table, cmd.name, None
    if cmd.subtype == AlterTableType.AT_AlterColumnType and isinstance(cmd.def_, ColumnDef) \
            and isinstance(cmd.def_.typeName, TypeName):
        return "type", table, cmd.name, deparse(cmd.def_.typeName)
    return None


def _say(statement: Statement, loss: Hazard, note: str) -> Statement:
    hazards = tuple(dataclasses.replace(h, detail=f"{h.detail}; {note}", kept=note.startswith("kept"))
                    if h is loss else h for h in statement.hazards)
    return statement.with_(hazards=hazards)


def _group_start(result: list[Statement]) -> int:
    """Where the transaction the next statement joins begins: the archive runs before
    it, so it never splits a group (a view dropped and re-created stays in one)."""
    at = len(result)
    while at > 0 and result[at - 1].transactional and not _alone(result[at - 1]):
        at -= 1
    return at


def _alone(statement: Statement) -> bool:
    from pgproof.core.transactions import alone

    return alone(statement)


def _split(key: str) -> tuple[str, str]:
    parts = [q.replace('""', '"') if q else p for q, p in _PART.findall(key)]
    return parts[0], parts[1]


_KEY = """
SELECT array_agg(a.attname::text ORDER BY k.ord)
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = to_regclass(%(table)s) AND i.indisunique AND i.indisvalid
  AND i.indpred IS NULL AND i.indexprs IS NULL
GROUP BY i.indexrelid, i.indisprimary
HAVING bool_and(a.attnotnull) AND NOT (%(column)s = ANY (array_agg(a.attname::text)))
ORDER BY i.indisprimary DESC, count(*), i.indexrelid
LIMIT 1
"""


def _key(conn: Connection, table: str, column: str | None) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(_KEY, {"table": table, "column": column})
        row = cur.fetchone()
    return list(row[0]) if row else []
