"""Order a plan's statements so that its transaction boundaries (core/transactions.py)
keep the application working.

* An object the plan drops and re-creates (a view, function, trigger or policy over a
  changed table) must never be missing between two transactions: every statement that
  has to run alone (CONCURRENTLY, VALIDATE CONSTRAINT) and sits between the drop and the
  re-create moves, with the statements that need it, to just after the re-create, so the
  drop, the change and the re-create commit together.
* Additive steps come before destructive ones (expand before contract) where nothing
  ties them: a column, table or index the plan removes is removed after the statements
  that follow it and do not name it, so a failure part-way leaves the old objects the
  running application still uses.

Dependencies are read conservatively from the statements' words (pglast's scanner): a
statement that names an object another one creates, validates or drops is never moved
past it. The proof runs the order chosen here, so an order PostgreSQL refuses fails at
plan time, never at apply.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ObjectType as OT
from pglast.parser import scan

from pgproof.core.sql import table_key
from pgproof.core.statement import Statement, parse
from pgproof.core.transactions import alone, groups
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.touched import ADD_COLUMN, COLUMN_TYPE, CREATE, DROP, REPLACE

# An index rebuilt CONCURRENTLY is dropped and built in two steps by design: queries are
# slower in between, never wrong. Every other kind must not go missing.
MAY_GO_MISSING = frozenset({"index"})
NOT_NULL_CHECK = "pgproof_nn_"  # plan/online.py's check that lets SET NOT NULL skip its scan


def arrange(statements: Sequence[Statement]) -> list[Statement]:
    return recreate_in_one_transaction(expand_before_contract(list(statements)))


def missing_between(statements: Sequence[Statement]) -> list[str]:
    """Objects dropped in one transaction group and created again in a later one: each
    is missing, for the application, between the two commits."""
    found = []
    dropped: dict[tuple[str, str], int] = {}
    for group in groups(statements):
        for _, statement in group:
            for touch in touched.read(statement):
                ref = (touch.kind, touch.key)
                if touch.kind in MAY_GO_MISSING:
                    continue
                if touch.action == DROP:
                    dropped.setdefault(ref, group[0][1].group)
                elif touch.action in (CREATE, REPLACE) and ref in dropped:
                    when = dropped.pop(ref)
                    if when != group[0][1].group:
                        found.append(f"{touch.kind} {touch.key} (dropped in transaction group {when}, "
                                     f"created again in {group[0][1].group})")
    return found


# --- the drop, the change and the re-create in one transaction ----------------------------

def recreate_in_one_transaction(statements: list[Statement]) -> list[Statement]:
    stuck: set[int] = set()  # id()s of statements that cannot leave their region
    while True:
        moved = False
        for start, end in _regions(statements):
            for k in range(end - 1, start, -1):  # the last first: moved ones keep their order
                if id(statements[k]) in stuck or not alone(statements[k]):
                    continue
                leaving = _with_dependents(statements, k, end)
                if leaving is None:
                    stuck.add(id(statements[k]))
                    continue
                kept = [s for i, s in enumerate(statements[:end + 1]) if i not in leaving]
                statements = kept + [statements[i] for i in sorted(leaving)] + statements[end + 1:]
                moved = True
                break
            if moved:
                break
        if not moved:
            return statements


def _regions(statements: list[Statement]) -> list[tuple[int, int]]:
    """(first, last) index ranges from a drop to the re-create of the same object,
    overlapping ones merged."""
    dropped: dict[tuple[str, str], int] = {}
    spans = []
    for i, statement in enumerate(statements):
        for touch in touched.read(statement):
            ref = (touch.kind, touch.key)
            if touch.kind in MAY_GO_MISSING:
                continue
            if touch.action == DROP:
                dropped.setdefault(ref, i)
            elif touch.action in (CREATE, REPLACE) and ref in dropped:
                spans.append((dropped.pop(ref), i))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _with_dependents(statements: list[Statement], k: int, end: int) -> set[int] | None:
    """Statement k and those in (k, end] that need it, transitively; None when the
    region's own re-create (`end`) needs it."""
    leaving = {k}
    for j in range(k + 1, end + 1):
        if any(_needs(statements[j], statements[i]) for i in leaving):
            if j == end:
                return None
            leaving.add(j)
    return leaving


def _needs(later: Statement, earlier: Statement) -> bool:
    """`later` names an object `earlier` creates, changes or validates, or is a foreign
    key to a table on which `earlier` builds a key."""
    names = set()
    columns = set()
    for touch in touched.read(earlier):
        if touch.kind != "column" or touch.action in (ADD_COLUMN, COLUMN_TYPE):
            names.add(_last(touch.key))  # a column's NOT NULL or default is nobody's name
        if touch.kind == "constraint" and _last(touch.key).startswith(NOT_NULL_CHECK):
            table = touch.key.rsplit(".", 1)[0]
            columns.add(f"{table}.{_last(touch.key)[len(NOT_NULL_CHECK):]}")
    if names & _words(later.sql):
        return True
    if any(t.kind == "column" and t.key in columns for t in touched.read(later)):
        return True  # SET NOT NULL after the check it relies on
    keyed = {t.key.rsplit(".", 1)[0] for t in touched.read(earlier) if t.kind == "constraint"}
    return bool(_references(later.sql) & (keyed | _indexed_tables(earlier.sql)))


# --- expand before contract ------------------------------------------------------------

def expand_before_contract(statements: list[Statement]) -> list[Statement]:
    for i in range(len(statements) - 1, -1, -1):
        dropped = _destructive(statements, i)
        if dropped is None:
            continue
        j = i + 1
        while j < len(statements) and _may_pass(dropped, statements[j]):
            j += 1
        if j > i + 1:
            statements = statements[:i] + statements[i + 1:j] + [statements[i]] + statements[j:]
    return statements


def _destructive(statements: list[Statement], i: int) -> tuple[str, str] | None:
    """(kind, key) of the column, table or index statement i removes for good."""
    found = touched.read(statements[i])
    if len(found) != 1 or found[0].action != DROP or found[0].kind not in ("column", "table", "index"):
        return None
    ref = (found[0].kind, found[0].key)
    for later in statements[i + 1:]:
        if any((t.kind, t.key) == ref for t in touched.read(later)):
            return None  # created again, or touched again: keep the plan's order
    return ref


def _may_pass(dropped: tuple[str, str], statement: Statement) -> bool:
    kind, key = dropped
    words = _words(statement.sql)
    found = touched.read(statement)
    if any(t.action == DROP for t in found) or _drops(statement.sql) or _partitions(statement.sql):
        return False  # drops keep their order; partition bounds may need the room
    if _last(key) in words:
        return False
    if kind == "column":
        table = key.rsplit(".", 1)[0]
        if _last(table) in words:  # the same table: only a new column may go first
            return bool(found) and all(t.kind == "column" and t.action == "add column" for t in found)
    return True


# --- reading statements -----------------------------------------------------------------

def _last(key: str) -> str:
    """The last part of a catalog key, unquoted: `public."My T"` -> `My T`."""
    parts = _word_list(key)
    return parts[-1] if parts else key


@functools.lru_cache(maxsize=1 << 14)
def _word_list(sql: str) -> tuple[str, ...]:
    result = []
    for token in scan(sql):
        text = sql[token.start:token.end + 1]
        if token.name == "IDENT":
            result.append(text[1:-1].replace('""', '"') if text.startswith('"') else text.lower())
        elif token.kind != "NO_KEYWORD":
            result.append(text.lower())
    return tuple(result)


def _words(sql: str) -> set[str]:
    return set(_word_list(sql))


def _parsed(sql: str) -> tuple[ast.Node, ...]:
    return parse(sql)


def _references(sql: str) -> set[str]:
    """Tables a statement's FOREIGN KEYs point to."""
    found = set()
    for node in _parsed(sql):
        if isinstance(node, ast.AlterTableStmt):
            for cmd in node.cmds or ():
                if isinstance(cmd.def_, ast.Constraint) and cmd.def_.pktable is not None:
                    found.add(table_key(cmd.def_.pktable))
    return found


def _indexed_tables(sql: str) -> set[str]:
    return {table_key(node.relation) for node in _parsed(sql) if isinstance(node, ast.IndexStmt)}


def _drops(sql: str) -> bool:
    """Any DROP, or an ALTER TABLE that drops something (a collation or an operator, say,
    that touched.py does not name, may still be what the dropped object uses)."""
    for node in _parsed(sql):
        if isinstance(node, ast.DropStmt):
            return True
        if isinstance(node, ast.AlterTableStmt) and any(
                cmd.subtype in (AT.AT_DropColumn, AT.AT_DropConstraint) for cmd in node.cmds or ()):
            return True
    return False


def _partitions(sql: str) -> bool:
    for node in _parsed(sql):
        if isinstance(node, ast.CreateStmt) and node.partbound is not None:
            return True
        if isinstance(node, ast.AlterTableStmt) and any(
                cmd.subtype in (AT.AT_AttachPartition, AT.AT_DetachPartition) for cmd in node.cmds or ()):
            return True
        if isinstance(node, ast.DropStmt) and node.removeType == OT.OBJECT_TABLE:
            return True
    return False
