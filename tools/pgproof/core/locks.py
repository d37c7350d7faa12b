"""The table lock a statement takes, read from its parse tree (pglast).

One small table maps a statement kind to the lock mode PostgreSQL documents for it
("Explicit Locking", 13.3.1, and each command's reference page). A plan shows, for each
transaction, the strongest of these: what the application's queries on that table wait
behind while the transaction runs. Locks on an object the statement itself creates are
ranked below any lock on an existing object: nobody uses a new object yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ObjectType as OT

from pgproof.core.sql import table_key
from pgproof.core.statement import parse, qualified

# Weakest to strongest, as in the documentation's conflict table.
MODES = (
    "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
    "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE",
)
ACCESS_SHARE, ROW_SHARE, ROW_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, \
    EXCLUSIVE, ACCESS_EXCLUSIVE = MODES


@dataclass(frozen=True)
class Lock:
    mode: str  # one of MODES
    on: str  # the relation (or index) it is taken on, as a catalog key
    new: bool = False  # the statement creates `on`: nobody else can be waiting for it

    @property
    def rank(self) -> tuple[int, int]:
        return (0 if self.new else 1, MODES.index(self.mode))


# ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (ALTER TABLE's page).
_ALTER_TABLE = {
    AT.AT_ValidateConstraint: SHARE_UPDATE_EXCLUSIVE,
    AT.AT_SetStatistics: SHARE_UPDATE_EXCLUSIVE,
    AT.AT_ClusterOn: SHARE_UPDATE_EXCLUSIVE,
    AT.AT_DropCluster: SHARE_UPDATE_EXCLUSIVE,
    AT.AT_SetRelOptions: SHARE_UPDATE_EXCLUSIVE,  # fillfactor, autovacuum settings
    AT.AT_ResetRelOptions: SHARE_UPDATE_EXCLUSIVE,
    AT.AT_AttachPartition: SHARE_UPDATE_EXCLUSIVE,
    AT.AT_EnableTrig: SHARE_ROW_EXCLUSIVE,
    AT.AT_EnableAlwaysTrig: SHARE_ROW_EXCLUSIVE,
    AT.AT_EnableReplicaTrig: SHARE_ROW_EXCLUSIVE,
    AT.AT_DisableTrig: SHARE_ROW_EXCLUSIVE,
}
# DROP of a relation takes ACCESS EXCLUSIVE on it.
_DROPPED_RELATIONS = {OT.OBJECT_TABLE, OT.OBJECT_VIEW, OT.OBJECT_MATVIEW, OT.OBJECT_SEQUENCE,
                      OT.OBJECT_FOREIGN_TABLE, OT.OBJECT_INDEX}
# Statements that take no lock on a table: they change catalog rows of functions, types,
# schemas, comments or privileges (with locks on those objects only).
_NO_TABLE_LOCK = (
    ast.CreateFunctionStmt, ast.AlterFunctionStmt, ast.DefineStmt, ast.CompositeTypeStmt,
    ast.CreateEnumStmt, ast.AlterEnumStmt, ast.CreateRangeStmt, ast.CreateDomainStmt,
    ast.AlterDomainStmt, ast.CreateSchemaStmt, ast.CreateExtensionStmt, ast.AlterExtensionStmt,
    ast.GrantStmt, ast.GrantRoleStmt, ast.AlterDefaultPrivilegesStmt, ast.AlterOwnerStmt,
    ast.CreateRoleStmt, ast.AlterRoleStmt, ast.VariableSetStmt, ast.TransactionStmt,
    ast.SelectStmt, ast.CreateSeqStmt, ast.DoStmt,
)


def of_sql(sql: str) -> list[Lock]:
    """The table locks the statement(s) in `sql` take; a statement that does not parse is
    an error (UnparsableSQL), never a silent "no lock"."""
    return [lock for node in parse(sql) for lock in of_node(node)]


def of_node(node: ast.Node) -> list[Lock]:
    handler: Callable[[Any], list[Lock]] | None = _HANDLERS.get(type(node))
    if handler is not None:
        return handler(node)
    if isinstance(node, _NO_TABLE_LOCK):
        return []
    # Anything else that names a relation: assume the strongest lock on it.
    relation = getattr(node, "relation", None)
    if isinstance(relation, ast.RangeVar):
        return [Lock(ACCESS_EXCLUSIVE, table_key(relation))]
    return []


def strongest(locks: Iterable[Lock]) -> Lock | None:
    """The lock that blocks the most: any lock on an existing object before one on a new
    object, then by mode; the first of equals."""
    best = None
    for lock in locks:
        if best is None or lock.rank > best.rank:
            best = lock
    return best


def validates_only(sql: str) -> bool:
    """An ALTER TABLE whose every subcommand is VALIDATE CONSTRAINT."""
    parsed = parse(sql)
    return len(parsed) == 1 and isinstance(node := parsed[0], ast.AlterTableStmt) and bool(node.cmds) \
        and all(cmd.subtype == AT.AT_ValidateConstraint for cmd in node.cmds or ())


# --- the table --------------------------------------------------------------------------

def _alter_table(node: ast.AlterTableStmt) -> list[Lock]:
    table = table_key(node.relation)
    if node.objtype == OT.OBJECT_INDEX:
        modes = [SHARE_UPDATE_EXCLUSIVE if cmd.subtype in (AT.AT_SetRelOptions, AT.AT_ResetRelOptions,
                                                           AT.AT_SetStatistics) else ACCESS_EXCLUSIVE
                 for cmd in node.cmds or ()]
        return [Lock(strongest_mode(modes), table)]
    locks = []
    for cmd in node.cmds or ():
        constraint = cmd.def_ if isinstance(cmd.def_, ast.Constraint) else None
        if cmd.subtype == AT.AT_AddConstraint and constraint is not None and constraint.pktable is not None:
            # ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables.
            locks += [Lock(SHARE_ROW_EXCLUSIVE, table), Lock(SHARE_ROW_EXCLUSIVE, table_key(constraint.pktable))]
        else:
            locks.append(Lock(_ALTER_TABLE.get(cmd.subtype, ACCESS_EXCLUSIVE), table))
    return locks


def strongest_mode(modes: Iterable[str]) -> str:
    return max(modes, key=MODES.index, default=ACCESS_EXCLUSIVE)


def _index(node: ast.IndexStmt) -> list[Lock]:
    # CREATE INDEX blocks writes (SHARE); CONCURRENTLY blocks neither reads nor writes.
    return [Lock(SHARE_UPDATE_EXCLUSIVE if node.concurrent else SHARE, table_key(node.relation))]


def _drop(node: ast.DropStmt) -> list[Lock]:
    if node.removeType in (OT.OBJECT_TRIGGER, OT.OBJECT_POLICY, OT.OBJECT_RULE):
        return [Lock(ACCESS_EXCLUSIVE, _key(_names(obj)[:-1])) for obj in node.objects or ()]
    if node.removeType not in _DROPPED_RELATIONS:
        return []  # functions, types, schemas...: no table lock
    mode = SHARE_UPDATE_EXCLUSIVE if node.concurrent else ACCESS_EXCLUSIVE
    return [Lock(mode, _key(_names(obj))) for obj in node.objects or ()]


def _rename(node: ast.RenameStmt) -> list[Lock]:
    if node.relation is None:
        return []  # a function, type or schema
    mode = SHARE_UPDATE_EXCLUSIVE if node.renameType == OT.OBJECT_INDEX else ACCESS_EXCLUSIVE
    return [Lock(mode, table_key(node.relation))]


def _view(node: ast.ViewStmt) -> list[Lock]:
    # CREATE OR REPLACE VIEW locks the view; a new view is nobody's yet.
    return [Lock(ACCESS_EXCLUSIVE, table_key(node.view), new=not node.replace)]


def _comment(node: ast.CommentStmt) -> list[Lock]:
    if node.objtype in (OT.OBJECT_TABLE, OT.OBJECT_VIEW, OT.OBJECT_MATVIEW, OT.OBJECT_INDEX,
                        OT.OBJECT_SEQUENCE, OT.OBJECT_FOREIGN_TABLE):
        return [Lock(SHARE_UPDATE_EXCLUSIVE, _key(_names(node.object)))]
    if node.objtype == OT.OBJECT_COLUMN:
        return [Lock(SHARE_UPDATE_EXCLUSIVE, _key(_names(node.object)[:-1]))]
    return []


def _names(obj: Any) -> list[str]:
    if isinstance(obj, ast.String):
        return [obj.sval or ""]
    return [part.sval or "" for part in obj if isinstance(part, ast.String)]


def _key(names: list[str]) -> str:
    return qualified("public", *names) if len(names) == 1 else qualified(*names)


def _dml(node: ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt) -> list[Lock]:
    return [Lock(ROW_EXCLUSIVE, table_key(node.relation))]


def _create_table(node: ast.CreateStmt) -> list[Lock]:
    locks = [Lock(ACCESS_EXCLUSIVE, table_key(node.relation), new=True)]
    if node.partbound is not None:  # CREATE TABLE ... PARTITION OF locks the parent
        locks += [Lock(ACCESS_EXCLUSIVE, table_key(parent)) for parent in node.inhRelations or ()]
    locks += [Lock(SHARE_ROW_EXCLUSIVE, table_key(c.pktable))  # a FOREIGN KEY to an existing table
              for element in node.tableElts or () for c in _constraints(element) if c.pktable is not None]
    return locks


_HANDLERS: dict[type, Callable[[Any], list[Lock]]] = {
    ast.AlterTableStmt: _alter_table,
    ast.IndexStmt: _index,
    ast.DropStmt: _drop,
    ast.RenameStmt: _rename,
    ast.ViewStmt: _view,
    ast.CommentStmt: _comment,
    ast.CreateStmt: _create_table,
    ast.CreateTableAsStmt: lambda n: [Lock(ACCESS_EXCLUSIVE, table_key(n.into.rel), new=True)],
    ast.CreateTrigStmt: lambda n: [Lock(SHARE_ROW_EXCLUSIVE, table_key(n.relation))],
    ast.CreatePolicyStmt: lambda n: [Lock(ACCESS_EXCLUSIVE, table_key(n.table))],
    ast.AlterPolicyStmt: lambda n: [Lock(ACCESS_EXCLUSIVE, table_key(n.table))],
    ast.CreateStatsStmt: lambda n: [Lock(SHARE_UPDATE_EXCLUSIVE, table_key(r)) for r in n.relations or ()
                                    if isinstance(r, ast.RangeVar)],
    ast.AlterSeqStmt: lambda n: [Lock(SHARE_ROW_EXCLUSIVE, table_key(n.sequence))],
    ast.TruncateStmt: lambda n: [Lock(ACCESS_EXCLUSIVE, table_key(r)) for r in n.relations or ()],
    ast.RefreshMatViewStmt: lambda n: [Lock(EXCLUSIVE if n.concurrent else ACCESS_EXCLUSIVE, table_key(n.relation))],
    ast.InsertStmt: _dml,
    ast.UpdateStmt: _dml,
    ast.DeleteStmt: _dml,
    ast.VacuumStmt: lambda n: [Lock(SHARE_UPDATE_EXCLUSIVE, table_key(r.relation)) for r in n.rels or ()],
    ast.RuleStmt: lambda n: [Lock(ACCESS_EXCLUSIVE, table_key(n.relation))],
}


def _constraints(element: object) -> list[ast.Constraint]:
    if isinstance(element, ast.Constraint):
        return [element]
    if isinstance(element, ast.ColumnDef):
        return [c for c in element.constraints or () if isinstance(c, ast.Constraint)]
    return []
