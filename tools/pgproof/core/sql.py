"""Small helpers over pglast's parse trees that every stage shares."""

from __future__ import annotations

from collections.abc import Iterator

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
