"""Data fixes proven at plan time: every piece of SQL a fix declares (its check, todo, and
batch or single statement) is PREPAREd, never executed, against the schema it will
meet: a fix of phase `before` against the target as it is (in a read-only transaction,
rolled back), a fix of phase `after` against the proof's copy once the plan's statements
ran there. PREPARE parses, resolves every table, column, function and type and checks
the parameters' types, as `fixes run` will when it PREPAREs the batch, so a fix written
against another state of the schema is refused when the plan is made, naming file:line
and the server's message, not half-way through apply.

What cannot be prepared is said, never skipped silently: a utility statement (CALL, DO,
...) as a fix's one statement is listed as not checked. The SQL a Python fix runs from
its functions is not declared, so only its CHECK and WORKLIST are prepared.

A fix whose check (its first piece) names a table that is not there has nothing to fix
on this schema (a new database, before the statements create its tables): it is left
out, as its check counts 0 there (`fixes/run.py`); a missing column, or a missing table
in any later piece, is an error.

The one relation a fix may name that the target may not have yet is pgproof's own
archive (`pgproof.archived_rows`, created by the first command that writes). A piece
that fails only for that reason is returned as deferred, to be prepared on the proof's
copy of the target, where the archive exists (`prepare_on_copy`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import psycopg2
from pglast import ast as pg_ast

from pgproof.core.statement import try_parse
from pgproof.core import db
from pgproof.core.errors import FixError
from pgproof.fixes.files import Fix
from pgproof.ledger import archive

# Preparing a statement takes the locks its execution would (ROW EXCLUSIVE on a table
# it changes); behind a long DDL lock the plan waits this long, then says so.
LOCK_TIMEOUT = "2s"
_PREPARABLE = (pg_ast.SelectStmt, pg_ast.InsertStmt, pg_ast.UpdateStmt, pg_ast.DeleteStmt,
               *((pg_ast.MergeStmt,) if hasattr(pg_ast, "MergeStmt") else ()))
_NAME = "pgproof_prepared"
TARGET = "the target as it is (phase before)"
AFTER = "the proof's copy of the target after the plan's statements (phase after)"
BEFORE_COPY = "the proof's copy of the target, which has pgproof's archive (phase before)"

Piece = tuple[Fix, str, str, int]  # fix, part, sql, line
_UNDEFINED_TABLE = "42P01"


def on_target(url: str, fixes: Iterable[Fix]) -> tuple[list[Piece], list[str]]:
    """Prepare the SQL of the `before` fixes on the target in a read-only transaction,
    rolled back. Returns the pieces left for the copy (they name pgproof's archive, which
    the target has not got yet) and notes on what could not be prepared."""
    pieces = [(fix, *part) for fix in fixes if fix.phase == "before" for part in fix.parts()]
    if not pieces:
        return [], []
    with db.connection(url) as conn:
        conn.set_session(readonly=True, autocommit=False)
        try:
            with conn.cursor() as cur:
                cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                cur.execute("SELECT to_regclass(%s) IS NOT NULL", (archive.ARCHIVE,))
                has_archive = db.one(cur)
                deferred, notes = _prepare(cur, pieces, TARGET, url, defer=not has_archive)
        finally:
            conn.rollback()
    return deferred, notes


def on_copy(copy_url: str, pieces: list[Piece], where: str) -> list[str]:
    """Prepare `pieces` on the proof's copy (the scratch superuser may create pgproof's
    archive there: the copy is thrown away). Returns notes on what could not be prepared."""
    if not pieces:
        return []
    with db.connection(copy_url, role="scratch") as conn:
        with conn.cursor() as cur:
            archive.ensure(cur)
        conn.commit()
        try:
            with conn.cursor() as cur:
                _, notes = _prepare(cur, pieces, where, copy_url, defer=False)
        finally:
            conn.rollback()
    return notes


def pieces_of(fixes: Iterable[Fix], phase: str) -> list[Piece]:
    return [(fix, *part) for fix in fixes if fix.phase == phase for part in fix.parts()]


def _prepare(cur, pieces: list[Piece], where: str, url: str, defer: bool) -> tuple[list[Piece], list[str]]:
    deferred: list[Piece] = []
    notes: list[str] = []
    absent: set[str] = set()  # fixes whose tables are not there: nothing to fix
    for fix, part, sql, line in pieces:
        if fix.name in absent:
            continue
        if not _preparable(sql):
            notes.append(f"data fix {fix.name}: its {part} ({fix.path.name}:{line}) is not a query or a "
                         "change of rows, which PostgreSQL cannot prepare, so it was not checked at plan time")
            continue
        prefix = f"PREPARE {_NAME} AS "
        try:
            with _savepoint(cur):
                cur.execute(prefix + sql)
                cur.execute(f"DEALLOCATE {_NAME}")
        except psycopg2.Error as exc:
            if defer and _names_missing_archive(exc):
                deferred.append((fix, part, sql, line))
                continue
            if exc.pgcode == _UNDEFINED_TABLE and not _names_missing_archive(exc) and fix.parts()[0][0] == part:
                absent.add(fix.name)
                continue
            raise FixError(
                f"{fix.path}:{_line_of(exc, sql, line, len(prefix))}: the {part} of data fix {fix.name} does not "
                f"prepare against {where}: {db.server_message(exc, url)}; fix its SQL for the schema it will "
                "meet (or remove the fix if the schema has moved past it), then plan again."
            ) from None
    return deferred, notes


def _preparable(sql: str) -> bool:
    nodes = try_parse(sql)
    if nodes is None:
        return True  # PREPARE reports the syntax error with its position
    return len(nodes) == 1 and isinstance(nodes[0], _PREPARABLE)


def _names_missing_archive(exc: psycopg2.Error) -> bool:
    return exc.pgcode == _UNDEFINED_TABLE and archive.ARCHIVE in (exc.diag.message_primary or "")


def _line_of(exc: psycopg2.Error, sql: str, first_line: int, prefix: int) -> int:
    """The file line of the server's error position, else the line the SQL starts on."""
    try:
        at = int(exc.diag.statement_position or "") - 1 - prefix
    except (TypeError, ValueError):
        return first_line
    return first_line + sql[:max(at, 0)].count("\n")


@contextlib.contextmanager
def _savepoint(cur):
    cur.execute("SAVEPOINT pgproof_prepare")
    try:
        yield
    except psycopg2.Error:
        cur.execute("ROLLBACK TO SAVEPOINT pgproof_prepare")
        raise
    cur.execute("RELEASE SAVEPOINT pgproof_prepare")
