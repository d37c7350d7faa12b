"""The last check of a diff: its statements are exactly the changes found, nothing more.

A name, label, comment or default that carries SQL (`x'); DROP TABLE foo; --`) must
never become a statement of its own. `migra_quoting` quotes what migra leaves raw; this
module checks the result independently of how it was written, with pglast:

* every statement parses, and is exactly one statement;
* it is a schema change (DDL, COMMENT, or pgproof's own `SELECT setval(...)`), never a
  query or data change;
* every object it creates, alters or drops is one the catalog comparison found
  different, or belongs to one (a column's table, a table's index), or is a view that
  reads one (views are dropped and created again around a change of what they read).

A statement that fails any of these stops the diff with one sentence naming it.
"""

from __future__ import annotations

from pglast import ast

from pgproof.read.catalog import Catalog, Difference
from pgproof.core.errors import DiffError
from pgproof.diff.gaps import touched
from pgproof.core.errors import UnparsableSQL
from pgproof.core.kinds import Kind, where
from pgproof.core.statement import Statement

# What a plan may contain: schema changes, plus SELECT setval(...) for sequences and
# migra's `set check_function_bodies = off`.
_ALLOWED = tuple(getattr(ast, name) for name in (
    "AlterCollationStmt AlterDomainStmt AlterEnumStmt AlterExtensionStmt AlterFunctionStmt "
    "AlterObjectSchemaStmt AlterOwnerStmt AlterPolicyStmt AlterSeqStmt AlterTableStmt "
    "AlterTableMoveAllStmt CommentStmt CompositeTypeStmt CreateDomainStmt CreateEnumStmt "
    "CreateExtensionStmt CreateFunctionStmt CreatePolicyStmt CreateSchemaStmt CreateSeqStmt "
    "CreateStmt CreateTableAsStmt CreateTrigStmt CreateRangeStmt DefineStmt DropStmt GrantStmt "
    "IndexStmt RenameStmt RuleStmt ViewStmt AlterDefaultPrivilegesStmt RefreshMatViewStmt "
    "AlterStatsStmt CreateStatsStmt AlterTypeStmt CreateEventTrigStmt AlterEventTrigStmt"
).split() if hasattr(ast, name))
_OLD_VERSION = "__old_version_to_be_dropped"  # migra's temporary name of a re-created type
_NEW_INDEX = "pgproof_new_"  # gaps.indexes.TEMPORARY_PREFIX: a replacement index being built


def check(statements: list[Statement], differences: list[Difference], desired: Catalog, actual: Catalog) -> None:
    """Raise DiffError unless every statement is one schema change of a named object."""
    named = _named(differences, desired, actual)
    for number, statement in enumerate(statements, start=1):
        node = _one_statement(number, statement)
        if not isinstance(node, _ALLOWED) and not _is_setval(node) and not _is_migra_setting(node):
            _refuse(number, statement, f"is a {type(node).__name__}, not a schema change")
        for touch in touched.read(statement):
            if not _allowed(touch, named):
                _refuse(number, statement, f"changes {touch.kind} {touch.key}, in which the catalog "
                        "comparison found no difference")


def _one_statement(number: int, statement: Statement):
    try:
        parsed = statement.nodes
    except UnparsableSQL as error:
        _refuse(number, statement, f"does not parse ({error})")
    if len(parsed) != 1:
        _refuse(number, statement, f"holds {len(parsed)} statements instead of one")
    return parsed[0]


def _is_migra_setting(node) -> bool:
    """migra's `set check_function_bodies = off`, written before function bodies."""
    return isinstance(node, ast.VariableSetStmt) and node.name == "check_function_bodies"


def _is_setval(node) -> bool:
    if not isinstance(node, ast.SelectStmt) or node.whereClause or len(node.fromClause or ()) > 1:
        return False
    targets = node.targetList or ()
    return len(targets) == 1 and isinstance(targets[0].val, ast.FuncCall) and \
        targets[0].val.funcname[-1].sval == "setval"


def _named(differences: list[Difference], desired: Catalog, actual: Catalog) -> set[str]:
    """Keys of every object that differs and of its parent; of views reading any of them
    (transitively); of columns of a type that differs; then of what belongs to those."""
    keys: set[str] = set()
    for difference in differences:
        key = difference.key
        keys |= {key, touched.function_key(key)} if difference.kind == Kind.FUNCTION else {key}
        if difference.parent:
            keys.add(difference.parent)
    views = [v for c in (desired, actual) for v in c.of_kind(Kind.VIEW)]
    while True:
        more = {v.key for v in views if set(v.info.get("depends_on") or ()) & keys} - keys
        if not more:
            break
        keys |= more
    objects = [obj for c in (desired, actual) for obj in c.objects.values()]
    keys |= {o.key for o in objects if o.kind == Kind.COLUMN and _type_key(o.definition.get("type")) in keys}
    keys |= {o.key for o in objects if o.parent in keys}
    return keys


def _type_key(name: str | None) -> str:
    """A column's type as a catalog key: format_type leaves out a visible schema."""
    name = (name or "").removesuffix("[]").split("(", 1)[0]
    return name if "." in name else f"public.{name}"


_CHILDREN = set(where(child=True))  # named with their parent's key


def _allowed(touch: touched.Touch, named: set[str]) -> bool:
    plain = {k.replace('"', "") for k in named}
    keys = {touch.key, touch.key.replace(_OLD_VERSION, ""), touch.key.replace("." + _NEW_INDEX, ".")}
    if touch.kind in _CHILDREN:
        keys.add(touch.key.rsplit(".", 1)[0])
    return bool(keys & named) or bool({k.replace('"', "") for k in keys} & plain)


def _refuse(number: int, statement: Statement, why: str) -> None:
    text = " ".join(statement.sql.split())[:120]
    raise DiffError(
        f"statement {number} of the diff ({text!r}) {why}, so pgproof refuses to print or plan "
        "it; if a name, label, comment or default in the schema holds quotes or semicolons, "
        "this is a quoting gap: report it with that statement."
    )
