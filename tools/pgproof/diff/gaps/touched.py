"""What a statement changes, read with the real PostgreSQL parser (pglast), not regexes.

Each statement becomes a list of `Touch`es: an object kind and key in the catalog's own
format (`public.segments.video_id`, quoted like format('%I')), and what happens to it.
The gap closers use this to see what migra's statements already do, and the final check
uses it to find catalog differences that no statement changes at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any
from dataclasses import dataclass

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ObjectType as OT

from pgproof.core.statement import Statement, qualified, try_parse
from pgproof.core.kinds import Kind

# Actions. CREATE, REPLACE and DROP also reach the object's children (a created table's
# columns, a replaced view's columns); ALTER reaches only the object itself.
CREATE, REPLACE, DROP, ALTER = "create", "replace", "drop", "alter"
ADD_COLUMN, COLUMN_TYPE, COLUMN_DEFAULT = "add column", "column type", "column default"
ADD_CONSTRAINT_USING_INDEX = "add constraint using index"
WHOLE = frozenset({CREATE, REPLACE, DROP})


@dataclass(frozen=True)
class Touch:
    kind: str  # a catalog kind: table, column, index, constraint, view, function, ...
    key: str  # the catalog key; for functions schema.name, without the arguments
    action: str
    detail: str | None = None  # the index of ADD CONSTRAINT ... USING INDEX


def read(statement: Statement) -> list[Touch]:
    """The objects `statement` creates, replaces, drops or alters (none if unparsable)."""
    return list(_read(statement.sql))


@functools.lru_cache(maxsize=1 << 16)
def _read(sql: str) -> tuple[Touch, ...]:
    # The closers and the final order ask about the same statements many times; parsing
    # each once keeps a 5,000-statement script linear.
    # migra's own statements are read before the closers replace the ones it wrote wrongly
    # (a partition's bound as `partition by`), so this reads what parses; the guard then
    # refuses, by name, any statement of the final script that does not.
    return tuple(touch for node in try_parse(sql) or () for touch in _touches(node))


def function_key(key: str) -> str:
    """A function's catalog key without its arguments, as touches name functions."""
    return key.split("(", 1)[0]


_DROPPED_KINDS = {
    OT.OBJECT_TABLE: Kind.TABLE, OT.OBJECT_FOREIGN_TABLE: Kind.TABLE, OT.OBJECT_VIEW: Kind.VIEW,
    OT.OBJECT_MATVIEW: Kind.VIEW, OT.OBJECT_INDEX: Kind.INDEX, OT.OBJECT_SEQUENCE: Kind.SEQUENCE,
    OT.OBJECT_TYPE: Kind.TYPE, OT.OBJECT_DOMAIN: Kind.TYPE, OT.OBJECT_FUNCTION: Kind.FUNCTION,
    OT.OBJECT_PROCEDURE: Kind.FUNCTION, OT.OBJECT_ROUTINE: Kind.FUNCTION,
    OT.OBJECT_AGGREGATE: Kind.FUNCTION, OT.OBJECT_TRIGGER: Kind.TRIGGER, OT.OBJECT_POLICY: Kind.POLICY,
    OT.OBJECT_SCHEMA: Kind.SCHEMA, OT.OBJECT_EXTENSION: Kind.EXTENSION,
    OT.OBJECT_RULE: Kind.RULE, OT.OBJECT_EVENT_TRIGGER: Kind.EVENT_TRIGGER,
}
_ALTERED_RELATIONS = {
    OT.OBJECT_TABLE: Kind.TABLE, OT.OBJECT_FOREIGN_TABLE: Kind.TABLE, OT.OBJECT_VIEW: Kind.VIEW,
    OT.OBJECT_MATVIEW: Kind.VIEW, OT.OBJECT_INDEX: Kind.INDEX, OT.OBJECT_SEQUENCE: Kind.SEQUENCE,
}
_COLUMN_COMMANDS = {
    AT.AT_AddColumn: ADD_COLUMN, AT.AT_DropColumn: DROP, AT.AT_AlterColumnType: COLUMN_TYPE,
    AT.AT_ColumnDefault: COLUMN_DEFAULT, AT.AT_SetNotNull: ALTER, AT.AT_DropNotNull: ALTER,
    AT.AT_SetExpression: ALTER, AT.AT_DropExpression: ALTER, AT.AT_AddIdentity: ALTER,
    AT.AT_SetIdentity: ALTER, AT.AT_DropIdentity: ALTER, AT.AT_SetStatistics: ALTER,
    AT.AT_SetStorage: ALTER, AT.AT_SetCompression: ALTER, AT.AT_SetOptions: ALTER,
    AT.AT_ResetOptions: ALTER,
}
_CONSTRAINT_COMMANDS = {
    AT.AT_AddConstraint: CREATE, AT.AT_AddIndexConstraint: CREATE, AT.AT_DropConstraint: DROP,
    AT.AT_ValidateConstraint: ALTER, AT.AT_AlterConstraint: ALTER,
}
_TRIGGER_COMMANDS = {
    AT.AT_EnableTrig, AT.AT_EnableAlwaysTrig, AT.AT_EnableReplicaTrig, AT.AT_DisableTrig,
}
_RULE_COMMANDS = {
    AT.AT_EnableRule, AT.AT_EnableAlwaysRule, AT.AT_EnableReplicaRule, AT.AT_DisableRule,
}


def _names(values: Iterable) -> list[str]:
    return [v.sval for v in values if isinstance(v, ast.String)]


def _key(names: list[str]) -> str:
    """A catalog key from a possibly unqualified name list (unqualified means public)."""
    return qualified("public", *names) if len(names) == 1 else qualified(*names)


def _relation(rv: ast.RangeVar) -> str:
    return qualified(rv.schemaname or "public", rv.relname)


def _touches(node: ast.Node) -> list[Touch]:
    handler = _HANDLERS.get(type(node))
    return handler(node) if handler else []


def _drop(node: ast.DropStmt) -> list[Touch]:
    kind = _DROPPED_KINDS.get(node.removeType)
    if kind is None:
        return []
    result = []
    for obj in node.objects or ():
        if isinstance(obj, ast.ObjectWithArgs):
            names = _names(obj.objname)
        elif isinstance(obj, ast.TypeName):
            names = _names(obj.names)
        elif isinstance(obj, ast.String):
            names = [obj.sval]
        else:
            names = _names(obj)
        if kind in (Kind.SCHEMA, Kind.EXTENSION, Kind.EVENT_TRIGGER):
            result.append(Touch(kind, qualified(names[-1]), DROP))
        elif kind in (Kind.TRIGGER, Kind.POLICY, Kind.RULE):  # (schema,) table, name
            table = names[:-1]
            result.append(Touch(kind, _key(table) + "." + qualified(names[-1]), DROP))
        else:
            result.append(Touch(kind, _key(names), DROP))
    return result


def _alter_table(node: ast.AlterTableStmt) -> list[Touch]:
    relation = _relation(node.relation)
    kind = _ALTERED_RELATIONS.get(node.objtype, Kind.TABLE)
    result = []
    for cmd in node.cmds or ():
        subtype = cmd.subtype
        if kind == Kind.TABLE and subtype in _COLUMN_COMMANDS:
            name = cmd.def_.colname if subtype == AT.AT_AddColumn else cmd.name
            result.append(Touch(Kind.COLUMN, f"{relation}.{qualified(name)}", _COLUMN_COMMANDS[subtype]))
        elif subtype in _CONSTRAINT_COMMANDS:
            result.append(_constraint(relation, cmd))
        elif subtype in _TRIGGER_COMMANDS:
            result.append(Touch(Kind.TRIGGER, f"{relation}.{qualified(cmd.name)}", ALTER))
        elif subtype in _RULE_COMMANDS:
            result.append(Touch(Kind.RULE, f"{relation}.{qualified(cmd.name)}", ALTER))
        else:
            result.append(Touch(kind, relation, ALTER))
    return result


def _constraint(relation: str, cmd: ast.AlterTableCmd) -> Touch:
    action = _CONSTRAINT_COMMANDS[cmd.subtype]
    definition = cmd.def_
    name = getattr(definition, "conname", None) or cmd.name
    index = getattr(definition, "indexname", None)
    if index:
        return Touch(Kind.CONSTRAINT, f"{relation}.{qualified(name)}", ADD_CONSTRAINT_USING_INDEX, index)
    return Touch(Kind.CONSTRAINT, f"{relation}.{qualified(name)}", action)


def _rename(node: ast.RenameStmt) -> list[Touch]:
    if node.renameType in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
        return [Touch(Kind.TYPE, _key(_names(node.object)), DROP)]
    if node.relation is not None and node.renameType in _ALTERED_RELATIONS:
        kind = _ALTERED_RELATIONS[node.renameType]
        old = _relation(node.relation)
        schema = node.relation.schemaname or "public"
        return [Touch(kind, old, DROP), Touch(kind, qualified(schema, node.newname), CREATE)]
    return []


def _index(node: ast.IndexStmt) -> list[Touch]:
    schema = node.relation.schemaname or "public"
    return [Touch(Kind.INDEX, qualified(schema, node.idxname), CREATE)] if node.idxname else []


def _function(node: ast.CreateFunctionStmt) -> list[Touch]:
    return [Touch(Kind.FUNCTION, _key(_names(node.funcname)), REPLACE if node.replace else CREATE)]


def _view(node: ast.ViewStmt) -> list[Touch]:
    return [Touch(Kind.VIEW, _relation(node.view), REPLACE if node.replace else CREATE)]


def _table_as(node: ast.CreateTableAsStmt) -> list[Touch]:
    kind = Kind.VIEW if node.objtype == OT.OBJECT_MATVIEW else Kind.TABLE
    return [Touch(kind, _relation(node.into.rel), CREATE)]


def _extension_schema(node: ast.AlterObjectSchemaStmt) -> list[Touch]:
    if node.objectType == OT.OBJECT_EXTENSION:
        assert isinstance(node.object, ast.String)  # an extension is named by one String
        return [Touch(Kind.EXTENSION, qualified(node.object.sval), ALTER)]
    return []


_HANDLERS: dict[type, Callable[[Any], list[Touch]]] = {
    ast.DropStmt: _drop,
    ast.AlterTableStmt: _alter_table,
    ast.RenameStmt: _rename,
    ast.IndexStmt: _index,
    ast.CreateFunctionStmt: _function,
    ast.ViewStmt: _view,
    ast.CreateTableAsStmt: _table_as,
    ast.AlterObjectSchemaStmt: _extension_schema,
    ast.CreateStmt: lambda n: [Touch(Kind.TABLE, _relation(n.relation), CREATE)],
    ast.CreateSchemaStmt: lambda n: [Touch(Kind.SCHEMA, qualified(n.schemaname), CREATE)],
    ast.CreateExtensionStmt: lambda n: [Touch(Kind.EXTENSION, qualified(n.extname), CREATE)],
    ast.AlterExtensionStmt: lambda n: [Touch(Kind.EXTENSION, qualified(n.extname), ALTER)],
    ast.CreateSeqStmt: lambda n: [Touch(Kind.SEQUENCE, _relation(n.sequence), CREATE)],
    ast.AlterSeqStmt: lambda n: [Touch(Kind.SEQUENCE, _relation(n.sequence), ALTER)],
    ast.CreateEnumStmt: lambda n: [Touch(Kind.TYPE, _key(_names(n.typeName)), CREATE)],
    ast.CreateRangeStmt: lambda n: [Touch(Kind.TYPE, _key(_names(n.typeName)), CREATE)],
    ast.CompositeTypeStmt: lambda n: [Touch(Kind.TYPE, _relation(n.typevar), CREATE)],
    ast.CreateDomainStmt: lambda n: [Touch(Kind.TYPE, _key(_names(n.domainname)), CREATE)],
    ast.AlterEnumStmt: lambda n: [Touch(Kind.TYPE, _key(_names(n.typeName)), ALTER)],
    ast.AlterDomainStmt: lambda n: [Touch(Kind.TYPE, _key(_names(n.typeName)), ALTER)],
    ast.CreateTrigStmt: lambda n: [Touch(
        Kind.TRIGGER, f"{_relation(n.relation)}.{qualified(n.trigname)}", REPLACE if n.replace else CREATE)],
    ast.CreatePolicyStmt: lambda n: [Touch(
        Kind.POLICY, f"{_relation(n.table)}.{qualified(n.policy_name)}", CREATE)],
    ast.RuleStmt: lambda n: [Touch(
        Kind.RULE, f"{_relation(n.relation)}.{qualified(n.rulename)}", REPLACE if n.replace else CREATE)],
    ast.CreateEventTrigStmt: lambda n: [Touch(Kind.EVENT_TRIGGER, qualified(n.trigname), CREATE)],
    ast.AlterEventTrigStmt: lambda n: [Touch(Kind.EVENT_TRIGGER, qualified(n.trigname), ALTER)],
    ast.AlterPolicyStmt: lambda n: [Touch(
        Kind.POLICY, f"{_relation(n.table)}.{qualified(n.policy_name)}", ALTER)],
}
