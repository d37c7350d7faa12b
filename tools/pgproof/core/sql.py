"""Small helpers over pglast's parse trees that every stage shares."""

from __future__ import annotations

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
