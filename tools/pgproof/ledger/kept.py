"""Data a plan's DDL would destroy, kept in the target: the values of a dropped column and
those a narrowing type change alters (`pgproof.kept_values`, one row per table row, by
its key), and dropped tables, moved whole to the `pgproof_trash` schema instead.

This module writes the SQL a plan runs to keep them and to put them back (the plan is
data: apply runs only what the plan says), and the `pgproof trash` commands' queries.
Values are stored as `json` with the key columns, so one `json_populate_record` brings
back the exact text of each value (as for archived_rows).

The batched archive is one DO block run outside a transaction block, committing every
BATCH_ROWS rows by key order: a rerun after a fault starts again and skips what is kept
(ON CONFLICT DO NOTHING). Rows written after it started are archived again, under the
lock of the dropping statement's transaction (`catch_up`), by their xmin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pgproof.core.exclusions import SCHEMA, TRASH_SCHEMA
from pgproof.core.statement import ident, literal, qualified

KEPT = f"{SCHEMA}.kept"
VALUES = f"{SCHEMA}.kept_values"
TRASH = f"{SCHEMA}.trash"
BATCH_ROWS = 10_000

DDL = f"""CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {KEPT} (
    archive     text PRIMARY KEY,
    kind        text NOT NULL,
    table_name  text NOT NULL,
    column_name text NOT NULL,
    key_columns text[] NOT NULL,
    started     xid NOT NULL DEFAULT (txid_current() % 4294967296)::text::xid,
    kept_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS {VALUES} (
    archive text NOT NULL,
    key     text NOT NULL,
    row     json NOT NULL,
    PRIMARY KEY (archive, key)
);
CREATE TABLE IF NOT EXISTS {TRASH} (
    name        text PRIMARY KEY,
    schema_name text NOT NULL,
    table_name  text NOT NULL,
    renamed     jsonb NOT NULL DEFAULT '{{}}',
    trashed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE SCHEMA IF NOT EXISTS {TRASH_SCHEMA};"""

DOLLAR = "$pgproof$"


@dataclass(frozen=True)
class Values:
    """The values of one column kept before a drop or a narrowing type change."""

    archive: str  # its id: plan id, table and column
    kind: str  # "column" (dropped) or "type" (narrowed)
    table: str  # qualified
    column: str  # unquoted
    keys: tuple[str, ...]  # the key columns, unquoted
    changed: str | None = None  # for a narrowing: the predicate (over the table's alias) of the rows it alters

    def _pairs(self, alias: str, columns: tuple[str, ...]) -> str:
        return ", ".join(f"{literal(c)}, {alias}.{ident(c)}" for c in columns)

    def _key_text(self, alias: str) -> str:
        return f"row({', '.join(f'{alias}.{ident(k)}' for k in self.keys)})::text"

    def _select(self, alias: str) -> str:
        return (f"SELECT {literal(self.archive)}, {self._key_text(alias)}, "
                f"json_build_object({self._pairs(alias, (*self.keys, self.column))})")

    def archive_sql(self) -> str:
        """The batched archive: a DO block that commits every BATCH_ROWS rows."""
        keys = [ident(k) for k in self.keys]
        names = [f"pgproof_k{n}" for n in range(len(keys))]
        declare = "".join(f"    {v} {self.table}.{k}%TYPE;\n" for v, k in zip(names, keys))
        order = ", ".join(f"pgproof_t.{k}" for k in keys)
        wanted = f"pgproof_b.{ident(self.column)} IS NOT NULL"
        if self.changed:
            wanted = self.changed.replace("pgproof_t.", "pgproof_b.")

        def batch(after: str) -> str:
            return (
                f"WITH pgproof_b AS MATERIALIZED (SELECT {', '.join(f'pgproof_t.{k}' for k in (*keys, ident(self.column)))} "
                f"FROM {self.table} AS pgproof_t{after} ORDER BY {order} LIMIT {BATCH_ROWS}),\n"
                f"            pgproof_i AS (INSERT INTO {VALUES} (archive, key, row) {self._select('pgproof_b')} "
                f"FROM pgproof_b WHERE {wanted} ON CONFLICT DO NOTHING)\n"
                f"            SELECT {', '.join(f'pgproof_b.{k}' for k in keys)} INTO {', '.join(names)} FROM pgproof_b "
                f"ORDER BY {', '.join(f'pgproof_b.{k} DESC' for k in keys)} LIMIT 1;"
            )

        after = f" WHERE ({order}) > ({', '.join(names)})"
        return (
            f"DO {DOLLAR}\nDECLARE\n{declare}    pgproof_first boolean := true;\nBEGIN\n"
            + _indent(DDL) + "\n"
            f"    INSERT INTO {KEPT} (archive, kind, table_name, column_name, key_columns) VALUES "
            f"({literal(self.archive)}, {literal(self.kind)}, {literal(self.table)}, {literal(self.column)}, "
            f"ARRAY[{', '.join(literal(k) for k in self.keys)}]::text[]) ON CONFLICT DO NOTHING;\n"
            "    COMMIT;\n    LOOP\n        IF pgproof_first THEN\n"
            f"            {batch('')}\n        ELSE\n            {batch(after)}\n        END IF;\n"
            "        EXIT WHEN NOT FOUND;\n        pgproof_first := false;\n        COMMIT;\n    END LOOP;\n"
            f"END\n{DOLLAR}"
        )

    def lock_sql(self) -> str:
        return f"LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE"

    def catch_up_sql(self) -> str:
        """Rows written since the archive started, kept again (under the lock, just
        before the drop): their value as it is now, NULL included."""
        return (
            f"INSERT INTO {VALUES} (archive, key, row) {self._select('pgproof_t')} FROM {self.table} AS pgproof_t "
            f"WHERE age(pgproof_t.xmin) <= (SELECT age(started) FROM {KEPT} WHERE archive = {literal(self.archive)}) "
            "ON CONFLICT (archive, key) DO UPDATE SET row = EXCLUDED.row"
        )

    def restore_sql(self) -> str:
        """The one statement that puts the kept values back, by key, once the column
        exists again with its former type."""
        match = " AND ".join(f"pgproof_t.{ident(k)} = pgproof_r.{ident(k)}" for k in self.keys)
        return (
            f"UPDATE {self.table} AS pgproof_t SET {ident(self.column)} = pgproof_r.{ident(self.column)} "
            f"FROM {VALUES} AS pgproof_a, json_populate_record(NULL::{self.table}, pgproof_a.row) AS pgproof_r "
            f"WHERE pgproof_a.archive = {literal(self.archive)} AND {match}"
        )


@dataclass(frozen=True)
class Trashed:
    """A dropped table, moved to the trash instead."""

    schema: str
    table: str  # unquoted
    name: str  # its name in pgproof_trash

    @property
    def key(self) -> str:
        return qualified(self.schema, self.table)

    def trash_sql(self) -> str:
        """Its foreign keys to other tables go (as the drop would remove them); its
        indexes and sequences take the suffix too (names are unique per schema); then it
        moves, and the trash records where it came from."""
        suffix = self.name[len(_stem(self.table, self.name)):]
        source = literal(self.key)
        return (
            f"DO {DOLLAR}\nDECLARE\n    pgproof_r record;\n    pgproof_new text;\n    pgproof_renamed jsonb := '{{}}';\n"
            f"BEGIN\n{_indent(DDL)}\n"
            f"    FOR pgproof_r IN SELECT conname FROM pg_constraint WHERE conrelid = {source}::regclass AND contype = 'f' LOOP\n"
            f"        EXECUTE format('ALTER TABLE {self.key} DROP CONSTRAINT %I', pgproof_r.conname);\n    END LOOP;\n"
            "    FOR pgproof_r IN SELECT c.relname, c.relkind FROM pg_class c\n"
            f"        WHERE c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = {source}::regclass)\n"
            "           OR (c.relkind = 'S' AND c.oid IN (SELECT objid FROM pg_depend WHERE classid = 'pg_class'::regclass\n"
            f"               AND refobjid = {source}::regclass AND deptype IN ('a', 'i'))) LOOP\n"
            f"        pgproof_new := left(pgproof_r.relname, {63 - len(suffix)}) || {literal(suffix)};\n"
            "        EXECUTE format('ALTER %s %I.%I RENAME TO %I', CASE WHEN pgproof_r.relkind = 'S' THEN 'SEQUENCE' "
            f"ELSE 'INDEX' END, {literal(self.schema)}, pgproof_r.relname, pgproof_new);\n"
            "        pgproof_renamed := pgproof_renamed || jsonb_build_object(pgproof_new, pgproof_r.relname);\n"
            "    END LOOP;\n"
            f"    ALTER TABLE {self.key} RENAME TO {ident(self.name)};\n"
            f"    ALTER TABLE {qualified(self.schema, self.name)} SET SCHEMA {TRASH_SCHEMA};\n"
            f"    INSERT INTO {TRASH} (name, schema_name, table_name, renamed) VALUES "
            f"({literal(self.name)}, {literal(self.schema)}, {literal(self.table)}, pgproof_renamed);\n"
            f"END\n{DOLLAR}"
        )


def restore_table_sql(name: str) -> str:
    """The one statement that moves trashed table `name` back to its schema and name."""
    return (
        f"DO {DOLLAR}\nDECLARE\n    pgproof_t record;\n    pgproof_e record;\nBEGIN\n"
        f"    SELECT * INTO pgproof_t FROM {TRASH} WHERE name = {literal(name)};\n"
        f"    IF NOT FOUND THEN\n        RAISE EXCEPTION '{TRASH_SCHEMA}.% is not in the trash (purged?)', {literal(name)};\n"
        "    END IF;\n"
        f"    EXECUTE format('ALTER TABLE {TRASH_SCHEMA}.%I SET SCHEMA %I', pgproof_t.name, pgproof_t.schema_name);\n"
        "    EXECUTE format('ALTER TABLE %I.%I RENAME TO %I', pgproof_t.schema_name, pgproof_t.name, pgproof_t.table_name);\n"
        "    FOR pgproof_e IN SELECT e.key, e.value, c.relkind FROM jsonb_each_text(pgproof_t.renamed) AS e\n"
        "        JOIN pg_class c ON c.oid = to_regclass(format('%I.%I', pgproof_t.schema_name, e.key)) LOOP\n"
        "        EXECUTE format('ALTER %s %I.%I RENAME TO %I', CASE WHEN pgproof_e.relkind = 'S' THEN 'SEQUENCE' "
        "ELSE 'INDEX' END, pgproof_t.schema_name, pgproof_e.key, pgproof_e.value);\n"
        "    END LOOP;\n"
        f"    DELETE FROM {TRASH} WHERE name = pgproof_t.name;\nEND\n{DOLLAR}"
    )


def trash_name(table: str, plan_id: str) -> str:
    """`table__<plan id>`, cut to PostgreSQL's 63 bytes."""
    suffix = f"__{plan_id}"
    return _cut(table, 63 - len(suffix.encode())) + suffix


def _cut(text: str, size: int) -> str:
    while len(text.encode()) > size:
        text = text[:-1]
    return text


def _stem(table: str, name: str) -> str:
    return name[: name.rfind("__")]


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


# --- pgproof trash ------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One thing kept: a trashed table, or the kept values of a column."""

    what: str  # "table" or "values"
    name: str  # the trash name, or the archive id
    source: str  # schema.table, or schema.table.column
    kept_at: datetime
    rows: int
    bytes: int
    restore: str  # the command or statement that brings it back

    def to_data(self) -> dict:
        return {"what": self.what, "name": self.name, "source": self.source, "kept_at": self.kept_at.isoformat(),
                "rows": self.rows, "bytes": self.bytes, "restore": self.restore}


def entries(cur) -> list[Entry]:
    """Everything kept, oldest first (nothing when pgproof never kept anything here)."""
    found: list[Entry] = []
    cur.execute("SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL", (TRASH, KEPT))
    has_trash, has_kept = cur.fetchone()
    if has_trash:
        cur.execute(f"""SELECT t.name, format('%I.%I', t.schema_name, t.table_name), t.trashed_at,
                               COALESCE(c.reltuples, 0)::bigint, COALESCE(pg_total_relation_size(c.oid), 0)
                        FROM {TRASH} t LEFT JOIN pg_class c ON c.oid = to_regclass(format('{TRASH_SCHEMA}.%I', t.name))
                        ORDER BY t.trashed_at, t.name""")
        for name, source, when, _estimate, size in cur.fetchall():
            cur.execute(f"SELECT count(*) FROM {TRASH_SCHEMA}.{ident(name)}")
            found.append(Entry("table", name, source, when, cur.fetchone()[0], size, f"pgproof trash restore {name}"))
    if has_kept:
        cur.execute(f"""SELECT k.archive, k.kind, k.table_name, k.column_name, k.key_columns, k.kept_at,
                               count(v.key), COALESCE(sum(pg_column_size(v.row)), 0)::bigint
                        FROM {KEPT} k LEFT JOIN {VALUES} v ON v.archive = k.archive
                        GROUP BY k.archive ORDER BY k.kept_at, k.archive""")
        for archive, kind, table, column, keys, when, rows, size in cur.fetchall():
            values = Values(archive, kind, table, column, tuple(keys))
            found.append(Entry("values", archive, f"{table}.{ident(column)}", when, rows, size,
                               values.restore_sql() + ";"))
    return sorted(found, key=lambda e: (e.kept_at, e.name))


def purge_sql(days: float) -> tuple[str, tuple]:
    """What `trash purge` runs: every kept table and value older than `days` goes."""
    return (
        f"""DO {DOLLAR}
DECLARE pgproof_t record;
BEGIN
    FOR pgproof_t IN SELECT name FROM {TRASH} WHERE trashed_at < now() - make_interval(secs => %s) LOOP
        EXECUTE format('DROP TABLE IF EXISTS {TRASH_SCHEMA}.%%I CASCADE', pgproof_t.name);
        DELETE FROM {TRASH} WHERE name = pgproof_t.name;
    END LOOP;
    DELETE FROM {VALUES} WHERE archive IN (SELECT archive FROM {KEPT} WHERE kept_at < now() - make_interval(secs => %s));
    DELETE FROM {KEPT} WHERE kept_at < now() - make_interval(secs => %s);
END
{DOLLAR}""",
        (days * 86400, days * 86400, days * 86400),
    )
