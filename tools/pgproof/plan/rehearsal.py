"""The target's rows that matter, copied onto the proof's scratch copy (and removed with
it), so the data fixes and the statements are rehearsed on real rows before review.

How much leaves the target is the setting `rehearsal` (flag `--rehearsal`):
- `violating` (default): the rows each data fix's check counts (`rows_counted_by`) and
  whatever else a caller asks for as (table, WHERE condition) pairs (the row-aware checks
  of the statements feed the same `copy_rows`), at most CAP_ROWS a table;
- `sample`: also a sample of SAMPLE_ROWS rows of every table the plan or the fixes touch;
- `none`: no row; the proof runs on the schema only, and the plan says so.

Only some columns leave the target: those the plan's statements or the fixes name, the
columns of every key and constraint (primary, unique, foreign, check, exclusion, unique
index), and NOT NULL columns without a default (the copy could not take the row without
them); the others are left to their default, or NULL. For each copied row the rows it
references by foreign key are copied too (three levels up), so the copy's constraints
hold; rows are loaded with session_replication_role = replica, so neither a deeper
reference nor a user trigger stops the load.

Rows travel as COPY (SELECT ...) TO STDOUT on the target, in one read-only REPEATABLE
READ transaction (one snapshot for every table), and COPY ... FROM STDIN on the copy:
no value is ever written into SQL text.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any
from dataclasses import dataclass

import psycopg2
from psycopg2.extensions import connection as Connection, cursor as Cursor
from pglast import ast as pg_ast
from pglast.enums import SetOperation
from pglast.stream import RawStream

from pgproof.core import interrupts, db
from pgproof.core.sql import walk
from pgproof.core.statement import Statement, ident, parse, qualified, try_parse
from pgproof.diff.gaps import touched
from pgproof.fixes.files import Fix

VIOLATING, SAMPLE, NONE = "violating", "sample", "none"
MODES = (VIOLATING, SAMPLE, NONE)
SAMPLE_ROWS = 1000  # rows a table in `sample`
CAP_ROWS = 10_000  # rows a table the checks may bring at most (in ctid order); the header says when cut
FK_LEVELS = 3  # referenced rows are followed this far up
_OWN_SCHEMAS = ("pgproof", "pgdeclare", "pg_catalog", "information_schema")

Wanted = tuple[str, str]  # (table as the SQL names it, WHERE condition over that table)


@dataclass(frozen=True)
class CopiedTable:
    table: str  # schema.name, quoted like format('%I')
    rows: int
    columns: tuple[str, ...]
    cut: bool = False  # the checks counted more than CAP_ROWS rows here


@dataclass(frozen=True)
class Rehearsed:
    mode: str
    tables: tuple[CopiedTable, ...] = ()
    notes: tuple[str, ...] = ()  # row sources that could not be used, said once

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def header(self) -> tuple[str, ...]:
        """What the plan header says about the rehearsal."""
        if self.mode == NONE:
            return ("skipped (rehearsal = none): the proof ran on the target's schema only; no row left the target",)
        if not self.tables:
            why = ("no data fix of the plan counts rows of a table the target has" if self.mode == VIOLATING else
                   "neither the data fixes nor the tables the plan touches have rows on the target")
            return (f"{self.mode}: {why}, so the proof ran on the schema only; no row left the target",
                    *self.notes)
        lines = [f"{self.mode}: the data fixes and statements ran on the scratch copy with {self.rows:,} rows "
                 f"of {len(self.tables)} table(s) of the target, removed with it:"]
        for table in self.tables:
            cut = f" (the first {CAP_ROWS:,} its fixes' checks count)" if table.cut else ""
            lines.append(f"{table.table}: {table.rows:,} rows{cut}; columns {', '.join(table.columns)}")
        return (*lines, *self.notes)


# --- what the fixes and statements name -------------------------------------------------

def rows_counted_by(fixes: Iterable[Fix]) -> list[Wanted]:
    """For each fix's check, every base table its counted rows come from, with the
    condition that selects them: the rows of the check's FROM (through subqueries in FROM
    and CTEs, not through filters in WHERE) that pass its WHERE. A GROUP BY's rows are
    all brought, and a check's whole group with them (the keeper of a duplicate group)."""
    found: list[Wanted] = []
    for fix in fixes:
        for node in parse(fix.check):  # prepared at plan time already: it parses
            for relation, sources, where in _row_sources(node):
                ref = (relation.alias.aliasname if relation.alias else None) or relation.relname or ""
                inner = f"SELECT {ident(ref)}.tableoid, {ident(ref)}.ctid FROM {', '.join(_sql(s) for s in sources)}"
                if where is not None:
                    inner += f" WHERE {_sql(where)}"
                found.append((_name(relation), f"(tableoid, ctid) IN ({inner})"))
    return found


def _row_sources(node: object) -> Iterator[tuple[pg_ast.RangeVar, Any, Any]]:
    """(base relation, the FROM list it is in, that SELECT's WHERE) of a query."""
    if not isinstance(node, pg_ast.SelectStmt):
        return
    if node.op is not None and node.op != SetOperation.SETOP_NONE:
        yield from _row_sources(node.larg)
        yield from _row_sources(node.rarg)
        return
    for cte in (node.withClause.ctes if node.withClause else None) or ():
        yield from _row_sources(cte.ctequery)
    sources = node.fromClause or ()
    for item in sources:
        for relation in _relations(item):
            yield relation, sources, node.whereClause
        for sub in _subselects(item):
            yield from _row_sources(sub.subquery)


def _relations(item: object) -> Iterator[pg_ast.RangeVar]:
    if isinstance(item, pg_ast.RangeVar):
        yield item
    elif isinstance(item, pg_ast.JoinExpr):
        yield from _relations(item.larg)
        yield from _relations(item.rarg)


def _subselects(item: object) -> Iterator[pg_ast.RangeSubselect]:
    if isinstance(item, pg_ast.RangeSubselect):
        yield item
    elif isinstance(item, pg_ast.JoinExpr):
        yield from _subselects(item.larg)
        yield from _subselects(item.rarg)


def names_in(sqls: Iterable[str]) -> tuple[set[str], set[str]]:
    """(tables, identifiers) the SQL names: every relation, and every word that may be a
    column (all identifiers and strings of the parse tree; a superset is harmless, it is
    matched against each table's columns)."""
    tables: set[str] = set()
    words: set[str] = set()
    for sql in sqls:
        for found in walk(list(try_parse(sql) or ()), strings=True):  # a .py fix's text need not be SQL
            if isinstance(found, pg_ast.RangeVar):
                tables.add(_name(found))
            elif isinstance(found, str):
                words.add(found)
    return tables, words


def touched_tables(statements: Iterable[Statement]) -> set[str]:
    """The tables the statements create, alter or drop, as catalog keys."""
    keys = set()
    for statement in statements:
        for touch in touched.read(statement):
            if touch.kind == "table":
                keys.add(touch.key)
            elif touch.kind == "column":
                keys.add(touch.key.rsplit(".", 1)[0])
    return keys


def _name(relation: pg_ast.RangeVar) -> str:
    name = relation.relname or ""
    return qualified(relation.schemaname, name) if relation.schemaname else ident(name)


def _sql(node: Any) -> str:
    return str(RawStream()(node))


# --- copying ----------------------------------------------------------------------------

@dataclass
class _Table:
    oid: int
    key: str  # schema.name like format('%I.%I')
    columns: list[tuple[str, bool]]  # (name, must be copied: key, constraint or NOT NULL without default)
    reltuples: float
    pieces: list[str]  # OR-ed conditions selecting its rows
    direct: list[str]  # conditions from the checks (capped)
    cut: bool = False


def copy_rows(target_url: str, copy_url: str, wanted: list[Wanted], *, sample_tables: Iterable[str] = (),
              sample_rows: int | None = None, words: Iterable[str] = frozenset()) -> tuple[list[CopiedTable], list[str]]:
    """Copy the rows `wanted` selects (plus a sample of `sample_tables`, and the rows they
    reference) from the target into the copy; the columns are the `words` a table has and
    the ones its constraints need. Returns what was copied and notes on what was not."""
    notes: list[str] = []
    if not wanted and not (sample_rows and sample_tables):
        return [], notes
    with db.connection(target_url) as source, db.connection(copy_url, role="scratch") as copy:
        source.set_session(readonly=True, isolation_level="REPEATABLE READ", autocommit=False)
        try:
            with source.cursor() as cur:
                cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")  # a LIMIT picks the same rows twice
                tables: dict[str, _Table] = {}
                for name, condition in wanted:
                    table = _table(cur, name, tables)
                    if table is None:
                        continue
                    if _usable(cur, table, condition):
                        table.direct.append(condition)
                    else:
                        notes.append(f"the rows of {table.key} a data fix's check counts could not be selected "
                                     "on their own (the check reads them through another query), so they were not copied")
                if sample_rows:
                    for name in sorted(sample_tables):
                        _table(cur, name, tables)
                for table in tables.values():
                    _own_pieces(cur, table, sample_rows)
                _follow_references(cur, tables)
                copied = [_copy_one(cur, copy, table, words) for table in tables.values() if table.pieces]
        finally:
            source.rollback()
        with copy.cursor() as out:
            for done in copied:
                _advance_sequences(out, done.table)
        copy.commit()
    return sorted((t for t in copied if t.rows), key=lambda t: t.table), notes


def _table(cur: Cursor, name: str, tables: dict[str, _Table]) -> _Table | None:
    """The table `name` resolves to on the target (a plain or partitioned table outside
    pgproof's own schema), read once."""
    cur.execute(
        "SELECT c.oid, format('%%I.%%I', n.nspname, c.relname), c.reltuples FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = to_regclass(%s) AND c.relkind IN ('r', 'p') AND NOT n.nspname = ANY (%s)",
        (name, list(_OWN_SCHEMAS)))
    row = cur.fetchone()
    if row is None:
        return None
    oid, key, reltuples = row
    if key not in tables:
        cur.execute(
            """SELECT a.attname,
                      (a.attnotnull AND NOT a.atthasdef AND a.attidentity = '')
                      OR EXISTS (SELECT FROM pg_constraint k WHERE k.conrelid = a.attrelid AND a.attnum = ANY (k.conkey))
                      OR EXISTS (SELECT FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique
                                 AND a.attnum = ANY (i.indkey::int2[]))
               FROM pg_attribute a
               WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
               ORDER BY a.attnum""", (oid,))
        tables[key] = _Table(oid, key, cur.fetchall(), reltuples, [], [])
    return tables[key]


def _usable(cur: Cursor, table: _Table, condition: str) -> bool:
    cur.execute("SAVEPOINT pgproof_rows")
    try:
        cur.execute(f"EXPLAIN SELECT FROM {table.key} WHERE {condition}")
    except psycopg2.Error:
        cur.execute("ROLLBACK TO SAVEPOINT pgproof_rows")
        return False
    cur.execute("RELEASE SAVEPOINT pgproof_rows")
    return True


def _own_pieces(cur: Cursor, table: _Table, sample_rows: int | None) -> None:
    if table.direct:
        either = " OR ".join(f"({c})" for c in table.direct)
        cur.execute(f"SELECT count(*) > {CAP_ROWS} FROM (SELECT FROM {table.key} WHERE {either} LIMIT {CAP_ROWS + 1}) AS n")
        table.cut = db.one(cur)
        table.pieces.append(f"(tableoid, ctid) IN (SELECT tableoid, ctid FROM {table.key} WHERE {either} "
                            f"ORDER BY tableoid, ctid LIMIT {CAP_ROWS})")
    if sample_rows:
        # Twice the share of rows wanted, as the estimate may be low; ordered, so the
        # references below select from the very same rows.
        share = 100.0 if table.reltuples <= 0 else min(100.0, 200.0 * sample_rows / table.reltuples)
        table.pieces.append(f"(tableoid, ctid) IN (SELECT tableoid, ctid FROM {table.key} TABLESAMPLE BERNOULLI "
                            f"({share:.6f}) REPEATABLE (0) ORDER BY tableoid, ctid LIMIT {int(sample_rows)})")


def _follow_references(cur: Cursor, tables: dict[str, _Table]) -> None:
    """Add, level by level, the rows the selected rows reference by foreign key."""
    level = {key: list(t.pieces) for key, t in tables.items() if t.pieces}
    for _ in range(FK_LEVELS):
        added: dict[str, list[str]] = {}
        for key, pieces in level.items():
            cur.execute(
                """SELECT format('%%I.%%I', n.nspname, p.relname),
                          (SELECT array_agg(quote_ident(attname) ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY AS k(num, i)
                           JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.num),
                          (SELECT array_agg(quote_ident(attname) ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY AS k(num, i)
                           JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.num)
                   FROM pg_constraint c JOIN pg_class p ON p.oid = c.confrelid JOIN pg_namespace n ON n.oid = p.relnamespace
                   WHERE c.contype = 'f' AND c.conrelid = %s""", (tables[key].oid,))
            for parent, own, theirs in cur.fetchall():
                target = _table(cur, parent, tables)
                if target is None:
                    continue
                piece = (f"({', '.join(theirs)}) IN (SELECT {', '.join(own)} FROM {key} "
                         f"WHERE {' OR '.join(f'({p})' for p in pieces)})")
                target.pieces.append(piece)
                added.setdefault(target.key, []).append(piece)
        if not added:
            return
        level = added


def _copy_one(cur: Cursor, copy: Connection, table: _Table, words: Iterable[str]) -> CopiedTable:
    columns = [name for name, needed in table.columns if needed or name in words]
    names = ", ".join(ident(c) for c in columns)
    where = " OR ".join(f"({p})" for p in table.pieces)
    with tempfile.SpooledTemporaryFile(max_size=64 << 20) as buffer, interrupts.without_cancellable_queries():
        cur.copy_expert(f"COPY (SELECT {names} FROM {table.key} WHERE {where}) TO STDOUT", buffer)
        buffer.seek(0)
        with copy.cursor() as out:
            out.execute("SET session_replication_role = replica")  # no FK check or user trigger while loading
            out.copy_expert(f"COPY {table.key} ({names}) FROM STDIN", buffer)
            rows = out.rowcount
            out.execute("SET session_replication_role = DEFAULT")
    return CopiedTable(table.key, rows, tuple(columns), table.cut)


def _advance_sequences(cur: Cursor, table: str) -> None:
    """A serial or identity column's sequence starts past the copied values, so a fix
    that inserts rows on the copy does not collide with them."""
    cur.execute(
        "SELECT quote_ident(attname), pg_get_serial_sequence(%s, attname) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped", (table, table))
    for column, sequence in cur.fetchall():
        if sequence:
            cur.execute(f"SELECT setval(%s, max({column})) FROM {table} HAVING max({column}) IS NOT NULL", (sequence,))
