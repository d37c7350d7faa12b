"""`Statement`: one step of a diff or plan, as data. Rendered by exactly one function, so
what people review is byte for byte what runs.

SQL is parsed here and nowhere else (`parse`): once per text, with pglast (the real
PostgreSQL parser), and every module reads a statement's tree through `Statement.nodes`.
A text that does not parse is an error that names it, never a statement silently left
unchecked. The trees are shared: a caller that changes one deep-copies it first.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pglast import parse_sql, split
from pglast.ast import Node, RawStmt
from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS
from pglast.parser import ParseError

from pgproof.core.errors import UnparsableSQL

if TYPE_CHECKING:
    from pgproof.core.hazard import Hazard

# Where a statement comes from, so reviewers can tell the engine's work from ours.
MIGRA = "migra"
COMMENTS = "comments"  # migra emits no COMMENT statements
CATALOG = "catalog"  # closes a gap found by the independent catalog check


@dataclass(frozen=True)
class Statement:
    sql: str  # one SQL statement, without the trailing semicolon
    origin: str = MIGRA
    transactional: bool = True  # False for CONCURRENTLY: must run outside a transaction
    hazards: tuple[Hazard, ...] = field(default=())
    lock_timeout_ms: int | None = None
    statement_timeout_ms: int | None = None
    group: int = 0  # its transaction group (core/transactions.py), from 1; 0 = not yet assigned

    def with_(self, **changes: Any) -> Statement:
        return replace(self, **changes)

    def render(self) -> str:
        """The statement as it appears in diffs, plans and the SQL that apply runs."""
        return self.sql.rstrip().rstrip(";") + ";"

    @property
    def nodes(self) -> tuple[Node, ...]:
        """The parse tree of each statement in `sql` (one, for a diff's statement)."""
        return parse(self.sql)

    @property
    def node(self) -> Node:
        """The parse tree of this one statement."""
        nodes = self.nodes
        if len(nodes) != 1:
            raise UnparsableSQL(f"{_quoted(self.sql)} holds {len(nodes)} statements where pgproof expects one; "
                                "report it with the statement.")
        return nodes[0]


@functools.lru_cache(maxsize=1 << 16)
def parse(sql: str) -> tuple[Node, ...]:
    """The parse trees of the statements in `sql`, parsed once per text; UnparsableSQL
    names the text that does not parse."""
    try:
        return tuple(_stmt(raw) for raw in parse_sql(sql))
    except ParseError as exc:
        raise UnparsableSQL(
            f"pglast cannot parse {_quoted(sql)} ({exc}), so pgproof cannot check it; "
            "report it with the statement."
        ) from None


def try_parse(text: str) -> tuple[Node, ...] | None:
    """The parse trees of catalog text that need not be SQL (a PL/pgSQL body), or None."""
    try:
        return parse(text)
    except UnparsableSQL:
        return None


def _stmt(raw: RawStmt) -> Node:
    assert raw.stmt is not None  # pglast types it Optional; a RawStmt always holds one
    return raw.stmt


def _quoted(sql: str) -> str:
    text = " ".join(sql.split())
    return repr(text if len(text) <= 160 else text[:157] + "...")


def split_sql(sql: str) -> list[str]:
    """The statements in `sql`, with pglast's real parser (comments and strings respected)."""
    return [sql[s].strip() for s in split(sql, only_slices=True) if sql[s].strip()]


def render_script(statements: list[Statement]) -> str:
    """Statements as one script, a blank line between them; empty for no statements."""
    return "".join(s.render() + "\n\n" for s in statements)


# quote_ident quotes every keyword that is not unreserved; catalog keys come from
# format('%I'), so identifiers written here must be quoted exactly the same way.
_QUOTED_KEYWORDS = frozenset(RESERVED_KEYWORDS | COL_NAME_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS)
_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")


def ident(name: str) -> str:
    """`name` as PostgreSQL's quote_ident writes it (the one place identifiers are quoted)."""
    if _PLAIN.fullmatch(name) and name not in _QUOTED_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(*names: str) -> str:
    """`schema.name` (or `schema.table.column`), each part quoted like format('%I')."""
    return ".".join(ident(n) for n in names)


def literal(text: str | None) -> str:
    """A SQL string literal (standard_conforming_strings), or NULL."""
    if text is None:
        return "NULL"
    return "'" + text.replace("'", "''") + "'"
