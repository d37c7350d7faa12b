"""Small helpers over pglast's parse trees that every stage shares."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast, enums
from pglast.ast import Node, RangeVar
from pglast.stream import RawStream

from pgproof.core.statement import qualified


def table_key(relation: RangeVar | None) -> str:
    """The catalog key of a table named in a statement (unqualified means public)."""
    # pglast types every field Optional; the grammar always names the relation.
    assert relation is not None and relation.relname is not None
    return qualified(relation.schemaname or "public", relation.relname)


def deparse(node: Node) -> str:
    return RawStream()(node)


def walk(node: object, *, strings: bool = False) -> Iterator[object]:
    """Every pglast node under `node` (lists and tuples of them included), parents
    before children; with `strings`, the str values of their fields too (identifiers,
    literals). Iterative: a long `a || b || c ...` nests as deep as it is long."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (list, tuple)):
            stack.extend(reversed(current))
        elif isinstance(current, Node):
            yield current
            stack.extend(getattr(current, name) for name in reversed(tuple(current)))
        elif strings and isinstance(current, str):
            yield current


def nodes_under(node: object) -> Iterator[Node]:
    """Every pglast node under `node`, typed (walk without strings)."""
    for found in walk(node):
        assert isinstance(found, Node)
        yield found


def new_owner(node: Node) -> str | None:
    """The role an `ALTER ... OWNER TO` statement names (None for any other statement,
    or CURRENT_USER and the like)."""
    spec = None
    if isinstance(node, ast.AlterOwnerStmt):
        spec = node.newowner
    elif isinstance(node, ast.AlterTableStmt) and len(node.cmds or ()) == 1:
        cmd = (node.cmds or ())[0]
        if isinstance(cmd, ast.AlterTableCmd) and cmd.subtype == enums.AlterTableType.AT_ChangeOwner:
            spec = cmd.newowner
    return spec.rolename if isinstance(spec, ast.RoleSpec) and spec.rolename else None


def privileges_only(node: Node) -> bool:
    """GRANT or REVOKE of privileges on objects, or ALTER DEFAULT PRIVILEGES: statements
    that run no code (not GRANT of a role, which passes a role's powers on)."""
    return isinstance(node, (ast.GrantStmt, ast.AlterDefaultPrivilegesStmt))


_ROUTINES = (enums.ObjectType.OBJECT_FUNCTION, enums.ObjectType.OBJECT_PROCEDURE,
             enums.ObjectType.OBJECT_ROUTINE, enums.ObjectType.OBJECT_AGGREGATE)


def owns_code(node: Node) -> bool:
    """An `ALTER FUNCTION|PROCEDURE|ROUTINE|AGGREGATE ... OWNER TO`: a routine its owner's
    rights may run (SECURITY DEFINER), so a superuser never takes one over on a scratch."""
    return isinstance(node, ast.AlterOwnerStmt) and node.objectType in _ROUTINES
