"""Small helpers over pglast's parse trees that every stage shares."""

from __future__ import annotations

from pglast.ast import Node, RangeVar
from pglast.stream import RawStream

from pgproof.core.statement import qualified


def table_key(relation: RangeVar) -> str:
    """The catalog key of a table named in a statement (unqualified means public)."""
    return qualified(relation.schemaname or "public", relation.relname)


def deparse(node: Node) -> str:
    return RawStream()(node)
