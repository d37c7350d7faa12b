"""`Statement`: one step of a diff or plan, as data. Rendered by exactly one function, so
what people review is byte for byte what runs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pglast import split
from pglast.stream import maybe_double_quote_name

if TYPE_CHECKING:
    from .hazards import Hazard

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

    def with_(self, **changes) -> Statement:
        return replace(self, **changes)

    def render(self) -> str:
        """The statement as it appears in diffs, plans and the SQL that apply runs."""
        return self.sql.rstrip().rstrip(";") + ";"


def ident(*parts: str) -> str:
    """A (qualified) identifier, double-quoted only where PostgreSQL needs it. The one
    place identifiers are quoted."""
    return ".".join(maybe_double_quote_name(part) for part in parts)


def split_sql(sql: str) -> list[str]:
    """The statements in `sql`, with pglast's real parser (comments and strings respected)."""
    return [sql[s].strip() for s in split(sql, only_slices=True) if sql[s].strip()]


def render_script(statements: list[Statement]) -> str:
    """Statements as one script, a blank line between them; empty for no statements."""
    return "".join(s.render() + "\n\n" for s in statements)
