"""Collations of the columns of a table migra creates.

migra's CREATE TABLE leaves out each column's COLLATE, so `title text COLLATE "C"` comes
out as `"title" text`: the diff reads as if the collation were not there, and only the
proof notices. The CREATE TABLE is written again with the desired collations.
"""

from __future__ import annotations

import copy

from pglast import ast

from pgproof.core.sql import deparse, table_key
from pgproof.core.statement import CATALOG, ident, parse
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import Script


def in_new_tables(script: Script) -> None:
    for position, touches in enumerate(script.touches):
        if position in script.removed or not any(
                t.kind == "table" and t.action == touched.CREATE for t in touches):
            continue
        statement = script.migra[position]
        if not isinstance(statement.nodes[0], ast.CreateStmt):
            continue
        node = copy.deepcopy(statement.nodes[0])  # the parsed tree is shared: change a copy
        table = table_key(node.relation)
        changed = False
        for element in node.tableElts or ():
            if not isinstance(element, ast.ColumnDef) or element.collClause is not None:
                continue
            column = script.desired.get("column", f"{table}.{ident(element.colname)}")
            collation = column.definition.get("collation") if column else None
            if collation:
                element.collClause = _collate(collation)
                changed = True
        if changed:
            script.replace(position, statement.with_(sql=deparse(node), origin=CATALOG))


def _collate(collation: str) -> ast.CollateClause:
    """The CollateClause of `collation`, a key such as pg_catalog."C", read by pglast."""
    select = parse(f"SELECT NULL COLLATE {collation}")[0]
    assert isinstance(select, ast.SelectStmt)
    return ast.CollateClause(collname=select.targetList[0].val.collname)
