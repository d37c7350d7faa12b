"""Rewrite statements into forms that keep the application running.

Each rewrite is a small function from one statement to the statements that replace it;
a rewrite applies only to tables that already exist (a table created in the same plan is
empty and nobody uses it yet). The rules:

* CREATE INDEX -> CREATE INDEX CONCURRENTLY IF NOT EXISTS (outside a transaction).
* DROP INDEX -> DROP INDEX CONCURRENTLY IF EXISTS (outside a transaction).
* ADD CONSTRAINT UNIQUE / PRIMARY KEY (cols) -> CREATE UNIQUE INDEX CONCURRENTLY, then
  ADD CONSTRAINT ... USING INDEX (a catalog-only change).
* ADD CONSTRAINT CHECK / FOREIGN KEY -> ... NOT VALID, then VALIDATE CONSTRAINT (which
  takes only a SHARE UPDATE EXCLUSIVE lock while it scans).
* SET NOT NULL -> a NOT VALID check constraint, VALIDATE, SET NOT NULL (which then skips
  its scan), DROP the check.

Every statement then gets the plan's lock_timeout (so it never queues traffic behind it
for long) and statement_timeout; index builds and validations get no statement_timeout.
"""

from __future__ import annotations

import copy

from collections.abc import Callable

from pglast.ast import AlterTableCmd, AlterTableStmt, Constraint, CreateStmt, DropStmt, IndexStmt, Node
from pglast.enums import AlterTableType, ConstrType, ObjectType

from pgproof.read.catalog import Catalog
from pgproof.core.sql import deparse, table_key
from pgproof.core.statement import Statement, ident, qualified

Rewrite = Callable[[Statement, Node, Catalog], "list[Statement] | None"]


def rewrite(
    statements: list[Statement], target: Catalog, *, lock_timeout_ms: int, statement_timeout_ms: int
) -> list[Statement]:
    """The online form of `statements` for a target whose catalog is `target`."""
    new_tables: set[str] = set()
    result: list[Statement] = []
    for statement in statements:
        node = statement.nodes[0] if len(statement.nodes) == 1 else None
        replaced = None
        if node is not None and _existing_table(node, target, new_tables):
            for rule in RULES:
                replaced = rule(statement, copy.deepcopy(node), target)  # rules change the tree: a copy
                if replaced is not None:
                    break
        if isinstance(node, CreateStmt):
            new_tables.add(table_key(node.relation))
        result.extend(replaced if replaced is not None else [statement])
    return [_with_timeouts(s, lock_timeout_ms, statement_timeout_ms) for s in result]


def _existing_table(node: Node, target: Catalog, new_tables: set[str]) -> bool:
    relation = getattr(node, "relation", None)
    if isinstance(node, DropStmt):
        return True  # an index being dropped exists by definition
    if relation is None:
        return False
    key = table_key(relation)
    return key not in new_tables and target.get("table", key) is not None


def _with_timeouts(statement: Statement, lock_ms: int, statement_ms: int) -> Statement:
    long_running = not statement.transactional or "VALIDATE CONSTRAINT" in statement.sql.upper()
    return statement.with_(
        lock_timeout_ms=lock_ms,
        statement_timeout_ms=0 if long_running else statement_ms,
    )


# --- rules ------------------------------------------------------------------------------

def _partitioned(table_key_: str | None, target: Catalog) -> bool:
    """PostgreSQL builds and drops no index CONCURRENTLY on a partitioned table."""
    table = target.get("table", table_key_) if table_key_ else None
    return table is not None and table.partitioned


def index_concurrently(statement: Statement, node: Node, target: Catalog) -> list[Statement] | None:
    if not isinstance(node, IndexStmt) or node.concurrent:
        return None
    assert node.relation is not None  # CREATE INDEX always names its table
    if not node.relation.inh or _partitioned(table_key(node.relation), target):
        return None  # ON ONLY, or a partitioned table: stays as written
    node.concurrent = True
    node.if_not_exists = True
    return [statement.with_(sql=deparse(node), transactional=False)]


def drop_index_concurrently(statement: Statement, node: Node, target: Catalog) -> list[Statement] | None:
    if not isinstance(node, DropStmt) or node.removeType != ObjectType.OBJECT_INDEX or node.concurrent:
        return None
    if node.objects is None or len(node.objects) != 1:
        return None  # CONCURRENTLY drops one index at a time
    names = [part.sval for part in node.objects[0]]
    index = target.get("index", qualified(*(names if len(names) > 1 else ["public", *names])))
    if index is None or _partitioned(index.parent, target):
        return None
    node.concurrent = True
    node.missing_ok = True
    return [statement.with_(sql=deparse(node), transactional=False)]


def _add_constraint(node: Node) -> tuple[AlterTableStmt, Constraint] | None:
    if not isinstance(node, AlterTableStmt) or node.cmds is None or len(node.cmds) != 1:
        return None
    cmd = node.cmds[0]
    if isinstance(cmd, AlterTableCmd) and cmd.subtype == AlterTableType.AT_AddConstraint:
        if isinstance(cmd.def_, Constraint):
            return node, cmd.def_
    return None


def unique_via_index(statement: Statement, node: Node, target: Catalog) -> list[Statement] | None:
    found = _add_constraint(node)
    if not found:
        return None
    alter, constraint = found
    if constraint.contype not in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY):
        return None
    if constraint.indexname or not constraint.keys or not constraint.conname:
        return None
    table = table_key(alter.relation)
    if _partitioned(table, target):
        return None  # no CONCURRENTLY on a partitioned table
    columns = ", ".join(ident(k.sval) for k in constraint.keys)
    kind = "PRIMARY KEY" if constraint.contype == ConstrType.CONSTR_PRIMARY else "UNIQUE"
    name = ident(constraint.conname)
    return [
        statement.with_(
            sql=f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({columns})",
            transactional=False,
        ),
        statement.with_(sql=f"ALTER TABLE {table} ADD CONSTRAINT {name} {kind} USING INDEX {name}"),
    ]


def not_valid_then_validate(statement: Statement, node: Node, target: Catalog) -> list[Statement] | None:
    found = _add_constraint(node)
    if not found:
        return None
    alter, constraint = found
    if constraint.contype not in (ConstrType.CONSTR_CHECK, ConstrType.CONSTR_FOREIGN):
        return None
    if constraint.skip_validation or not constraint.conname:
        return None
    if constraint.contype == ConstrType.CONSTR_FOREIGN and _partitioned(table_key(alter.relation), target):
        return None  # PostgreSQL before 18 refuses NOT VALID foreign keys on partitioned tables
    constraint.skip_validation = True
    constraint.initially_valid = False
    table = table_key(alter.relation)
    return [
        statement.with_(sql=deparse(alter)),
        statement.with_(sql=f"ALTER TABLE {table} VALIDATE CONSTRAINT {ident(constraint.conname)}"),
    ]


def set_not_null_via_check(statement: Statement, node: Node, target: Catalog) -> list[Statement] | None:
    if not isinstance(node, AlterTableStmt) or node.cmds is None or len(node.cmds) != 1:
        return None
    cmd = node.cmds[0]
    if not isinstance(cmd, AlterTableCmd) or cmd.subtype != AlterTableType.AT_SetNotNull:
        return None
    assert cmd.name is not None  # SET NOT NULL always names its column
    table = table_key(node.relation)
    check = ident(f"pgproof_nn_{cmd.name}"[:63])
    return [
        statement.with_(sql=f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({ident(cmd.name)} IS NOT NULL) NOT VALID"),
        statement.with_(sql=f"ALTER TABLE {table} VALIDATE CONSTRAINT {check}"),
        statement.with_(sql=f"ALTER TABLE {table} ALTER COLUMN {ident(cmd.name)} SET NOT NULL"),
        statement.with_(sql=f"ALTER TABLE {table} DROP CONSTRAINT {check}"),
    ]


RULES: tuple[Rewrite, ...] = (
    index_concurrently,
    drop_index_concurrently,
    unique_via_index,
    not_valid_then_validate,
    set_not_null_via_check,
)
