"""Collations of the columns of a table migra creates.

migra's CREATE TABLE leaves out each column's COLLATE, so `title text COLLATE "C"` comes
out as `"title" text`: the diff reads as if the collation were not there, and only the
proof notices. The CREATE TABLE is written again with the desired collations.
"""

from __future__ import annotations

from pglast import ast, parse_sql
from pglast.parser import ParseError

from pgproof.core.sql import deparse, table_key
from pgproof.core.statement import CATALOG, ident
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import Script


def in_new_tables(script: Script) -> None:
    for position, touches in enumerate(script.touches):
        if position in script.removed or not any(
                t.kind == "table" and t.action == touched.CREATE for t in touches):
            continue
        statement = script.migra[position]
        try:
            node = parse_sql(statement.sql)[0].stmt
        except ParseError:
            continue  # the guard refuses what does not parse
        if not isinstance(node, ast.CreateStmt):
            continue
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
    select = parse_sql(f"SELECT NULL COLLATE {collation}")[0].stmt
    return ast.CollateClause(collname=select.targetList[0].val.collname)
