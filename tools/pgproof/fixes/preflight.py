"""Preflight: before anything changes, find what would still make a new unique
constraint fail, so nothing bound to fail is started.

Two things break `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE` on existing rows: rows that
share the key (unless a data fix resolves them), and keys too large for one btree index
entry: 2704 bytes after compression on 8 kB pages, so a long incompressible text fails
the index build even without any duplicate.

The unique keys come from the desired schema, read with pglast (the real PostgreSQL
parser), so `fixes run` needs no scratch server.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg2
from pglast.enums import AlterTableType, ConstrType

from pgproof.core import db
from pgproof.read import desired
from pgproof.core.errors import FixError

# BTMaxItemSize for btree version 4 on 8 kB pages ("index row size ... exceeds btree
# version 4 maximum 2704").
BTREE_MAX_ENTRY = 2704
_INDEX_TUPLE_HEADER = 8
FIRST_IDS = 5


@dataclass(frozen=True)
class UniqueKey:
    table: str  # schema-qualified, e.g. "public.segments"
    columns: tuple[str, ...]
    name: str  # the constraint or unique index name


@dataclass(frozen=True)
class Problem:
    kind: str  # "duplicates" or "too_large"
    key: UniqueKey
    count: int  # duplicate groups, or rows with a too-large key
    first_ids: tuple[str, ...]
    message: str  # one sentence: what, where, what to do


def unique_keys(files: list[desired.SchemaFile]) -> list[UniqueKey]:
    """The unique constraints, primary keys and plain unique indexes the schema declares."""
    keys: list[UniqueKey] = []
    for statement in desired.statements(files):  # a syntax error is reported at file:line:col
        for node in statement.nodes:
            keys.extend(_keys_of(node))
    return keys


def _keys_of(stmt) -> list[UniqueKey]:
    kind = type(stmt).__name__
    if kind == "CreateStmt":
        table = _table(stmt.relation)
        keys = []
        for element in stmt.tableElts or ():
            if type(element).__name__ == "ColumnDef":
                for constraint in element.constraints or ():
                    key = _constraint_key(table, constraint, (element.colname,))
                    if key:
                        keys.append(key)
            elif type(element).__name__ == "Constraint":
                key = _constraint_key(table, element, None)
                if key:
                    keys.append(key)
        return keys
    if kind == "AlterTableStmt":
        table = _table(stmt.relation)
        return [
            key for cmd in stmt.cmds or ()
            if getattr(cmd, "subtype", None) == AlterTableType.AT_AddConstraint
            and (key := _constraint_key(table, cmd.def_, None))
        ]
    if kind == "IndexStmt" and stmt.unique and stmt.whereClause is None:
        columns = tuple(p.name for p in stmt.indexParams)
        if all(columns):  # expression indexes are not checked
            table = _table(stmt.relation)
            name = stmt.idxname or f"{table.split('.')[-1]}_{'_'.join(columns)}_idx"
            return [UniqueKey(table, columns, name)]
    return []


def _constraint_key(table: str, constraint, columns: tuple[str, ...] | None) -> UniqueKey | None:
    if constraint.contype not in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY):
        return None
    columns = columns or tuple(k.sval for k in constraint.keys or ())
    if not columns:
        return None
    bare = table.split(".")[-1]
    default = f"{bare}_pkey" if constraint.contype == ConstrType.CONSTR_PRIMARY else f"{bare}_{'_'.join(columns)}_key"
    return UniqueKey(table, columns, constraint.conname or default)


def _table(relation) -> str:
    return f"{relation.schemaname or 'public'}.{relation.relname}"


# --- checks against the target (read-only) ---------------------------------------------

def preflight(url: str, fixes, keys: list[UniqueKey]) -> list[Problem]:
    """What would still break each key the schema adds: duplicate groups no fix in
    `fixes` resolves, and keys too large for a btree entry. Read-only; changes nothing."""
    resolved = {name for fix in fixes for name in fix.resolves}
    problems: list[Problem] = []
    with db.connection(url) as conn:
        conn.set_session(readonly=True, autocommit=False)
        with conn.cursor() as cur:
            for key in keys:
                row_id = _applicable(cur, key)
                if row_id is None:
                    continue
                if key.name not in resolved:
                    problems.extend(_duplicates(cur, key, row_id, url))
                problems.extend(_too_large(cur, key, row_id, url))
        conn.rollback()
    return problems


def _applicable(cur, key: UniqueKey) -> str | None:
    """The expression naming a row of key.table (its one-column primary key, else ctid),
    or None when the key needs no check: the table or a column is new (so empty), or a
    unique index on exactly these columns already holds."""
    cur.execute("SELECT to_regclass(%s)::oid", (_qualified(key.table),))
    oid = cur.fetchone()[0]
    if oid is None:
        return None
    cur.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped",
        (oid,),
    )
    existing = {r[0] for r in cur.fetchall()}
    if not set(key.columns) <= existing:
        return None
    cur.execute(
        """
        SELECT i.indisprimary, array_agg(a.attname ORDER BY k.ord)
        FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = %s AND i.indisunique AND i.indexprs IS NULL AND i.indpred IS NULL
          AND k.ord <= i.indnkeyatts
        GROUP BY i.indexrelid, i.indisprimary
        """,
        (oid,),
    )
    primary = None
    for is_primary, columns in cur.fetchall():
        if set(columns) == set(key.columns):
            return None
        if is_primary and len(columns) == 1:
            primary = columns[0]
    return _ident(primary) if primary else "ctid"


def _duplicates(cur, key: UniqueKey, row_id: str, url: str) -> list[Problem]:
    columns = ", ".join(_ident(c) for c in key.columns)
    not_null = " AND ".join(f"{_ident(c)} IS NOT NULL" for c in key.columns)  # NULLs never clash
    count, ids = _query(cur, url, key, f"""
        SELECT count(*), (array_agg(first_id::text ORDER BY first_id))[1:{FIRST_IDS}]
        FROM (SELECT min({row_id}) AS first_id FROM {_qualified(key.table)}
              WHERE {not_null} GROUP BY {columns} HAVING count(*) > 1) AS groups
    """)
    if not count:
        return []
    return [Problem("duplicates", key, count, ids, (
        f"{count} group(s) of rows in {key.table} share the same ({', '.join(key.columns)}), so "
        f"{key.name} cannot be created (first ids: {', '.join(ids)}); add a data fix that "
        f"declares 'resolves: {key.name}' or remove the duplicates"
    ))]


def _too_large(cur, key: UniqueKey, row_id: str, url: str) -> list[Problem]:
    # pg_column_size is the stored (compressed) size, read without detoasting; an index
    # entry holds the same compressed datums, each 4-byte aligned, after an 8-byte header.
    size = " + ".join(f"((coalesce(pg_column_size({_ident(c)}), 0) + 3) / 4 * 4)" for c in key.columns)
    count, ids = _query(cur, url, key, f"""
        SELECT count(*), (array_agg({row_id}::text ORDER BY {row_id}))[1:{FIRST_IDS}]
        FROM {_qualified(key.table)} WHERE {_INDEX_TUPLE_HEADER} + {size} > {BTREE_MAX_ENTRY}
    """)
    if not count:
        return []
    return [Problem("too_large", key, count, ids, (
        f"{count} row(s) of {key.table} have a ({', '.join(key.columns)}) too large for one btree "
        f"index entry (over {BTREE_MAX_ENTRY} bytes after compression), so {key.name} cannot be "
        f"built (first ids: {', '.join(ids)}); shorten or remove those rows first"
    ))]


def _query(cur, url: str, key: UniqueKey, sql: str) -> tuple[int, tuple[str, ...]]:
    try:
        cur.execute(sql)
        count, ids = cur.fetchone()
    except psycopg2.Error as exc:
        raise FixError(f"preflight of {key.name} on {key.table} failed: {db.server_message(exc, url)}.") from None
    return int(count), tuple(ids or ())


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(table: str) -> str:
    schema, _, name = table.rpartition(".")
    return f"{_ident(schema or 'public')}.{_ident(name)}"


def sentence(problems: list[Problem]) -> str:
    """All problems as one sentence, for an error message."""
    return "; also ".join(p.message for p in problems) + "."
