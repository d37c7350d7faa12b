"""Count on the target the rows each row check of a plan finds (`plan/row_checks.py`),
and turn the counts into hazards, and into a refusal when rows would make a statement
fail and no data fix of the plan resolves it.

Counts run in the caller's read-only transaction, one savepoint each, each bounded by
`SET LOCAL statement_timeout`: a count that is cut off says so and is never taken for
zero. Counts are exact (`count(*)` of the check's predicate), except for a type change
with no exact rule: its conversion is evaluated on every row, and an error proves at
least one row fails (the server's message says which value).

Which fix resolves a check (decided here, and said in the plan): a data fix of the plan
in phase `before` that declares it (`resolves:` naming the constraint, index or
table.column) or whose check query reads the check's table and column. That is loose on
purpose, because only a rehearsal could prove the fix clears exactly those rows: apply
counts every check again after the `before` fixes ran and stops before the first
statement if rows are still left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from dataclasses import dataclass

import psycopg2
from psycopg2.extensions import connection as Connection, cursor as Cursor

from pgproof.core import db
from pgproof.core.errors import Refused
from pgproof.core.hazard import Hazard, HazardKind
from pgproof.core.statement import Statement
from pgproof.plan.row_checks import RowCheck, Schema

TIMEOUT_SETTING = "row_check_timeout_ms"
QUERY_CANCELED = "57014"


@dataclass(frozen=True)
class Counted:
    check: RowCheck
    rows: int | None  # None: not known (cut off, or not countable on the target)
    examples: tuple[str, ...] = ()  # up to 5 keys of violating rows, as text
    key: tuple[str, ...] = ()  # the columns the examples show (primary key, or ctid)
    key_types: tuple[str, ...] = ()  # their types, for a data fix's parameters
    cut_off_ms: int | None = None
    error: str | None = None  # the server's message (the proof of a failing row when inexact)

    @property
    def fails(self) -> bool:
        """Rows are known to make the statement fail."""
        return bool(self.rows)

    @property
    def doubtful(self) -> bool:
        """It could not be told whether rows make the statement fail."""
        return self.rows is None

    @property
    def detail(self) -> str:
        check = self.check
        if self.cut_off_ms is not None:
            return (f"{check.table}: the count of rows that {check.what} was cut off after "
                    f"{self.cut_off_ms / 1000:g} s ({TIMEOUT_SETTING}); apply fails if there are any")
        if self.rows is None:
            return (f"{check.table}: the rows that {check.what} could not be counted on the target "
                    f"({self.error}); apply fails if there are any")
        where = f"; rows {self.shown_examples}" if self.examples else ""
        if not check.exact:
            return (f"{check.table}: at least 1 row (not counted exactly: the conversion is only tried) "
                    f"and maybe more {check.what}; the target says: {self.error}")
        if check.kind == "unique":
            keys = ", ".join(check.groups).replace('"', "")
            name = check.constraint or "the unique index"
            return (f"{check.table} has {self.rows:,} groups of rows with equal ({keys}): {name} fails "
                    f"unless a data fix removes them first{where}")
        return f"{check.table}: {self.rows:,} rows {check.what}{where}"

    @property
    def shown_examples(self) -> str:
        return f"{', '.join(self.key)} {', '.join(self.examples)}" if self.examples else ""


def count_all(conn: Connection, checks: list[RowCheck], schema: Schema, timeout_ms: int) -> list[Counted]:
    """Each check counted on `conn` (already in a read-only transaction)."""
    with conn.cursor() as cur:
        return [_count(cur, check, schema, timeout_ms) for check in checks]


def _count(cur: Cursor, check: RowCheck, schema: Schema, timeout_ms: int) -> Counted:
    counted, failure = _run(cur, check.count_sql, timeout_ms)
    rows = counted if isinstance(counted, int) else None
    key = schema.primary_key(check.table) or ("ctid",)
    key_types = tuple((schema.column(check.table, k) or {}).get("type", "text") for k in key)
    if failure is not None:
        if failure.pgcode == QUERY_CANCELED:
            return Counted(check, None, key=key, key_types=key_types, cut_off_ms=timeout_ms)
        message = _message(failure)
        if not check.exact and (failure.pgcode or "").startswith("22"):  # data exception: a value fails
            return Counted(check, 1, key=key, key_types=key_types, error=message)
        return Counted(check, None, key=key, key_types=key_types, error=message)
    if not rows:
        return Counted(check, 0, key=key, key_types=key_types)
    examples, failure = _run(cur, check.examples_sql(key), timeout_ms, all_rows=True)
    shown = tuple(_show(row) for row in examples) if isinstance(examples, list) else ()
    return Counted(check, rows, examples=shown, key=key, key_types=key_types)


def _run(cur: Cursor, sql: str, timeout_ms: int,
         all_rows: bool = False) -> tuple[int | list[tuple[Any, ...]] | None, psycopg2.Error | None]:
    cur.execute("SAVEPOINT pgproof_row_check")
    try:
        cur.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
        cur.execute(sql)
        result = cur.fetchall() if all_rows else int(db.one(cur))
        cur.execute("RELEASE SAVEPOINT pgproof_row_check")
        return result, None
    except psycopg2.Error as exc:
        cur.execute("ROLLBACK TO SAVEPOINT pgproof_row_check")
        return None, exc


def _message(exc: psycopg2.Error) -> str:
    primary = getattr(getattr(exc, "diag", None), "message_primary", None)
    return (primary or str(exc).strip().splitlines()[0]).rstrip(".")


def _show(row: tuple[Any, ...]) -> str:
    return str(row[0]) if len(row) == 1 else "(" + ", ".join(str(v) for v in row) + ")"


# --- into the plan ----------------------------------------------------------------------------

def with_hazards(statements: list[Statement], counted: list[Counted]) -> list[Statement]:
    """`statements` with a CONSTRAINT_VALIDATION hazard for each check that found rows or
    could not tell, carrying the check's keys so a data fix can resolve it."""
    extra: dict[int, list[Hazard]] = {}
    for found in counted:
        if found.fails or found.doubtful:
            hazard = Hazard(HazardKind.CONSTRAINT_VALIDATION, found.detail, keys=found.check.keys)
            extra.setdefault(found.check.statement, []).append(hazard)
    return [s.with_(hazards=s.hazards + tuple(extra.get(n, ()))) if n in extra else s
            for n, s in enumerate(statements, start=1)]


class Unresolved(Refused):
    """Rows make statements fail and no data fix of the plan resolves them."""

    def __init__(self, found: list[Counted]) -> None:
        super().__init__(refusal(found, []))
        self.found = found


def refuse_unresolved(counted: list[Counted], resolver: Callable[[tuple[str, ...]], str | None]) -> None:
    found = [c for c in counted if c.fails and resolver(c.check.keys) is None]
    if found:
        raise Unresolved(found)


def refusal(found: list[Counted], files: list[str]) -> str:
    """The refusal, in one sentence: each failing statement with its rows."""
    parts = "; ".join(f"statement {c.check.statement}: {c.detail}" for c in found)
    sketch = (f"a data fix skeleton for each is written to {', '.join(files)}: fill it in, save it in the "
              "fixes folder as NNNN_name.sql (or change the schema), and plan again"
              if files else "add a data fix in phase before that removes them (or change the schema), and plan again")
    return (f"the plan would fail on rows the target holds, and no data fix of the plan resolves them: {parts}; "
            f"{sketch}; no plan was written.")


def recount(conn: Connection, checks: list[RowCheck], schema: Schema, timeout_ms: int) -> list[Counted]:
    """At apply, after the `before` fixes: the checks that still find rows (a count cut
    off is left to the statement itself)."""
    return [c for c in count_all(conn, checks, schema, timeout_ms) if c.fails]
