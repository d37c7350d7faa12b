"""The hazard detectors' cases, one row each: SQL and facts about the target in, hazard
codes out (per statement, in the order the detectors find them). Read by
test_hazards_unit.py; a new detector gets at least one case that finds its hazard and
one that must not.

Facts: `tables` (key -> relkind), `columns` (table.column -> type), `indexes` (key ->
table), `rows` (table -> count), `counts` (the exact SQL a detector asks -> its answer;
None: the query fails). A question not listed answers 0."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    name: str
    detector: str  # the function of plan/hazards.py the case is about
    sql: str
    expected: list[list[str]]  # hazard codes of each statement
    says: str = ""  # a phrase some hazard's detail must contain
    tables: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    indexes: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int | None] = field(default_factory=dict)


T = {"public.t": "r"}  # one existing plain table
NOT_NULL_A = "SELECT count(*) FROM public.t WHERE a IS NOT NULL"

CASES = [
    # --- drops ------------------------------------------------------------------------
    Case("drop table counts its rows", "drops", "DROP TABLE t", [["DATA_LOSS"]],
         says="drops table public.t with 1,200 rows", tables=T, rows={"public.t": 1200}),
    Case("drop schema", "drops", "DROP SCHEMA app CASCADE", [["DATA_LOSS"]], says="drops schema app"),
    Case("drop index", "drops", "DROP INDEX public.t_a", [["INDEX_DROP"]], says="drops index public.t_a"),
    Case("drop view is no hazard", "drops", "DROP VIEW v", [[]]),
    Case("drop function is no hazard", "drops", "DROP FUNCTION f(integer)", [[]]),

    # --- alter_table: columns ---------------------------------------------------------
    Case("drop column counts its values", "alter_table", "ALTER TABLE t DROP COLUMN a", [["DATA_LOSS"]],
         says="holding 7 non-NULL values", tables=T, counts={NOT_NULL_A: 7}),
    Case("a table created in the same plan is empty", "alter_table",
         "CREATE TABLE n (a int); ALTER TABLE n DROP COLUMN a", [[], []]),
    Case("a table the target does not have", "alter_table", "ALTER TABLE gone DROP COLUMN a", [[]], tables=T),
    Case("volatile default rewrites", "alter_table",
         "ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid()", [["TABLE_REWRITE"]], tables=T),
    Case("constant default does not", "alter_table", "ALTER TABLE t ADD COLUMN n int DEFAULT 0", [[]], tables=T),

    # --- alter_table: type changes ----------------------------------------------------
    Case("int to bigint rewrites under the lock", "alter_table", "ALTER TABLE t ALTER COLUMN a TYPE bigint",
         [["TABLE_REWRITE", "ACCESS_EXCLUSIVE_LOCK"]], tables=T, columns={"public.t.a": "integer"}),
    Case("narrowing that changes values loses data", "alter_table",
         "ALTER TABLE t ALTER COLUMN a TYPE integer",
         [["TABLE_REWRITE", "ACCESS_EXCLUSIVE_LOCK", "DATA_LOSS"]], says="3 values change",
         tables=T, columns={"public.t.a": "numeric"},
         counts={"SELECT count(*) FROM public.t WHERE a IS NOT NULL AND (a::integer)::numeric IS DISTINCT FROM a": 3}),
    # values that do not convert are counted by plan/row_checks.py (tests/test_row_checks_logic.py)
    Case("a cast that may fail on stored values rewrites", "alter_table", "ALTER TABLE t ALTER COLUMN a TYPE integer",
         [["TABLE_REWRITE", "ACCESS_EXCLUSIVE_LOCK"]],
         tables=T, columns={"public.t.a": "text"},
         counts={"SELECT count(*) FROM public.t WHERE a IS NOT NULL AND (a::integer)::text IS DISTINCT FROM a": None}),
    Case("varchar widening is catalog-only", "alter_table", "ALTER TABLE t ALTER COLUMN a TYPE varchar(20)",
         [[]], tables=T, columns={"public.t.a": "character varying(10)"}),
    Case("varchar to text is catalog-only", "alter_table", "ALTER TABLE t ALTER COLUMN a TYPE text",
         [[]], tables=T, columns={"public.t.a": "character varying(10)"}),
    Case("varchar narrowing rewrites", "alter_table", "ALTER TABLE t ALTER COLUMN a TYPE varchar(5)",
         [["TABLE_REWRITE", "ACCESS_EXCLUSIVE_LOCK"]], tables=T, columns={"public.t.a": "character varying(10)"}),
    Case("vector dimension change", "alter_table", "ALTER TABLE t ALTER COLUMN a TYPE vector(768)",
         [["VECTOR_DIMENSION_CHANGE", "TABLE_REWRITE", "ACCESS_EXCLUSIVE_LOCK"]],
         says="rebuilds its indexes (public.t_a_hnsw)", tables=T, columns={"public.t.a": "public.vector(384)"},
         indexes={"public.t_a_hnsw": "public.t"}),
    Case("same vector dimension", "alter_table", "ALTER TABLE t ALTER COLUMN a TYPE vector(384)", [[]],
         tables=T, columns={"public.t.a": "public.vector(384)"}),

    # --- alter_table: NOT NULL and constraints ----------------------------------------
    # the NULLs, duplicates and orphans a statement fails on: plan/row_checks.py
    Case("set not null with NULLs scans under the lock", "alter_table", "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
         [["ACCESS_EXCLUSIVE_LOCK"]], says="scans the table under the lock", tables=T,
         counts={"SELECT count(*) FROM public.t WHERE a IS NULL": 4}),
    Case("set not null without NULLs still scans", "alter_table", "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
         [["ACCESS_EXCLUSIVE_LOCK"]], tables=T),
    Case("unique constraint builds its index under the lock", "alter_table",
         "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a)", [["ACCESS_EXCLUSIVE_LOCK"]], tables=T,
         counts={"SELECT count(*) FROM (SELECT 1 FROM public.t WHERE a IS NOT NULL GROUP BY a "
                 "HAVING count(*) > 1) d": 2}),
    Case("unique constraint using an index", "alter_table",
         "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_key", [[]], tables=T),
    Case("check constraint validates under the lock", "alter_table",
         "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0)", [["ACCESS_EXCLUSIVE_LOCK"]], tables=T),
    Case("check constraint NOT VALID", "alter_table",
         "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID", [[]], tables=T),
    Case("validate constraint", "alter_table", "ALTER TABLE t VALIDATE CONSTRAINT t_a_check",
         [["CONSTRAINT_VALIDATION"]], says="(50 rows)", tables=T, rows={"public.t": 50}),

    # --- create_index -----------------------------------------------------------------
    Case("index on a table with rows, without CONCURRENTLY", "create_index", "CREATE INDEX t_a ON t (a)",
         [["INDEX_BUILD", "ACCESS_EXCLUSIVE_LOCK"]], says="(10 rows)", tables=T, rows={"public.t": 10}),
    Case("index CONCURRENTLY on an empty table", "create_index", "CREATE INDEX CONCURRENTLY t_a ON t (a)",
         [[]], tables=T),
    Case("index on a table created in the same plan", "create_index",
         "CREATE TABLE n (a int); CREATE INDEX n_a ON n (a)", [[], []]),
    Case("unique index with duplicates", "create_index", "CREATE UNIQUE INDEX CONCURRENTLY t_a ON t (lower(a))",
         [["INDEX_BUILD"]], says="(10 rows)", tables=T,
         rows={"public.t": 10},
         counts={"SELECT count(*) FROM (SELECT 1 FROM public.t WHERE (lower(a)) IS NOT NULL GROUP BY (lower(a)) "
                 "HAVING count(*) > 1) d": 1}),
    Case("ivfflat on too few rows", "create_index",
         "CREATE INDEX CONCURRENTLY t_e ON t USING ivfflat (e vector_cosine_ops) WITH (lists = 10)",
         [["INDEX_BUILD", "IVFFLAT_SMALL_TABLE"]], says="fewer than lists x 39 = 390", tables=T,
         rows={"public.t": 300}),
    Case("ivfflat on enough rows", "create_index",
         "CREATE INDEX CONCURRENTLY t_e ON t USING ivfflat (e vector_cosine_ops) WITH (lists = 10)",
         [["INDEX_BUILD"]], tables=T, rows={"public.t": 390}),

    # --- new_table_ivfflat ------------------------------------------------------------
    Case("ivfflat on a table created in the same plan", "new_table_ivfflat",
         "CREATE TABLE n (e vector(3)); CREATE INDEX n_e ON n USING ivfflat (e vector_l2_ops)",
         [[], ["IVFFLAT_SMALL_TABLE"]], says="built on the new, empty table public.n"),
    Case("hnsw on a table created in the same plan", "new_table_ivfflat",
         "CREATE TABLE n (e vector(3)); CREATE INDEX n_e ON n USING hnsw (e vector_l2_ops)", [[], []]),

    # --- extension_version ------------------------------------------------------------
    Case("extension update", "extension_version", "ALTER EXTENSION vector UPDATE TO '0.8.0'",
         [["EXTENSION_VERSION"]], says="updates extension vector"),
    Case("extension created", "extension_version", "CREATE EXTENSION IF NOT EXISTS vector", [[]]),

    # --- enum_change ------------------------------------------------------------------
    Case("enum value renamed", "enum_change", "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'",
         [["ACCESS_EXCLUSIVE_LOCK"]], says="renames an enum value"),
    Case("enum value added", "enum_change", "ALTER TYPE mood ADD VALUE 'calm'", [[]]),
]
