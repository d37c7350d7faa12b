"""The record of every data-fix run, and the rows fixes removed, so nothing a fix
deletes is ever lost (tables in own_schema).

Created on the first `fixes run` (never by `fixes status`, which must work for a
read-only role). Columns are matched by name on restore, so an archive survives later
schema changes of its table.
"""

from __future__ import annotations

from pgproof.ledger.own_schema import ARCHIVE, FIX_SETTING, RUN_SETTING, RUNS, ensure

__all__ = ["ARCHIVE", "FIX_SETTING", "RUN_SETTING", "RUNS", "ensure", "restore_statement"]


def restore_statement(fix: str, table: str) -> str:
    """The one statement that puts every row `fix` archived from `table` back."""
    return (
        f"INSERT INTO {table} SELECT (json_populate_record(NULL::{table}, row)).* "
        f"FROM {ARCHIVE} WHERE fix = {_literal(fix)} AND table_name = {_literal(table)};"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
