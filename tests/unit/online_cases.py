"""The online rewrites' cases, one row each: SQL and the target's tables and indexes in,
the statements that replace it out, each with where it runs (in a transaction, or
OUTSIDE one: CONCURRENTLY). Read by test_online_unit.py; a new rewrite gets at least
one case that rewrites and one that must leave the statement as written.

Facts: `tables` (key -> relkind: "r" plain, "p" partitioned), `indexes` (key -> table)."""

from __future__ import annotations

from dataclasses import dataclass, field

IN, OUTSIDE = "in a transaction", "outside a transaction"


@dataclass(frozen=True)
class Case:
    name: str
    rewrite: str  # the rule of plan/online.py the case is about
    sql: str
    expected: list[tuple[str, str]]  # (statement, IN or OUTSIDE), in order
    tables: dict[str, str] = field(default_factory=lambda: dict(TABLES))
    indexes: dict[str, str] = field(default_factory=lambda: dict(INDEXES))


TABLES = {"public.t": "r", "public.u": "r", "public.p": "p"}  # p is partitioned
INDEXES = {"public.t_a": "public.t", "public.p_a": "public.p"}


def unchanged(sql: str) -> list[tuple[str, str]]:
    return [(sql, IN)]


CASES = [
    # --- index_concurrently -----------------------------------------------------------
    Case("index on an existing table", "index_concurrently", "CREATE INDEX t_b ON t (b)",
         [("CREATE INDEX CONCURRENTLY IF NOT EXISTS t_b ON t (b)", OUTSIDE)]),
    Case("unique partial expression index", "index_concurrently",
         "CREATE UNIQUE INDEX t_b ON public.t USING btree (lower(b)) WHERE b IS NOT NULL",
         [("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_b ON public.t ((lower(b))) WHERE b IS NOT NULL",
           OUTSIDE)]),
    Case("index on a partitioned table", "index_concurrently", "CREATE INDEX p_b ON p (b)",
         unchanged("CREATE INDEX p_b ON p (b)")),
    Case("index ON ONLY a table", "index_concurrently", "CREATE INDEX t_b ON ONLY t (b)",
         unchanged("CREATE INDEX t_b ON ONLY t (b)")),
    Case("index on a table the target does not have", "index_concurrently", "CREATE INDEX x_b ON x (b)",
         unchanged("CREATE INDEX x_b ON x (b)")),
    Case("index on a table created in the same plan", "index_concurrently",
         "CREATE TABLE n (a int); CREATE INDEX n_a ON n (a)",
         [("CREATE TABLE n (a int)", IN), ("CREATE INDEX n_a ON n (a)", IN)]),

    # --- drop_index_concurrently ------------------------------------------------------
    Case("drop an index", "drop_index_concurrently", "DROP INDEX t_a",
         [("DROP INDEX CONCURRENTLY IF EXISTS t_a", OUTSIDE)]),
    Case("drop a schema-qualified index", "drop_index_concurrently", "DROP INDEX public.t_a",
         [("DROP INDEX CONCURRENTLY IF EXISTS public.t_a", OUTSIDE)]),
    Case("drop two indexes at once", "drop_index_concurrently", "DROP INDEX public.t_a, public.t_b",
         unchanged("DROP INDEX public.t_a, public.t_b")),
    Case("drop an index of a partitioned table", "drop_index_concurrently", "DROP INDEX p_a",
         unchanged("DROP INDEX p_a")),
    Case("drop an index the target does not have", "drop_index_concurrently", "DROP INDEX gone",
         unchanged("DROP INDEX gone")),

    # --- unique_via_index -------------------------------------------------------------
    Case("unique constraint", "unique_via_index", 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a, "B")',
         [('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a_key ON public.t (a, "B")', OUTSIDE),
          ("ALTER TABLE public.t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_key", IN)]),
    Case("primary key", "unique_via_index", "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id)",
         [("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_pkey ON public.t (id)", OUTSIDE),
          ("ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey", IN)]),
    Case("unique constraint on a partitioned table", "unique_via_index",
         "ALTER TABLE p ADD CONSTRAINT p_a_key UNIQUE (a)", unchanged("ALTER TABLE p ADD CONSTRAINT p_a_key UNIQUE (a)")),
    Case("unique constraint using an index already", "unique_via_index",
         "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a",
         unchanged("ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a")),

    # --- not_valid_then_validate ------------------------------------------------------
    Case("check constraint", "not_valid_then_validate", "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0)",
         [("ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID", IN),
          ("ALTER TABLE public.t VALIDATE CONSTRAINT t_a_check", IN)]),
    Case("foreign key", "not_valid_then_validate",
         "ALTER TABLE t ADD CONSTRAINT t_u_fkey FOREIGN KEY (u) REFERENCES u(id) ON DELETE CASCADE",
         [("ALTER TABLE t ADD CONSTRAINT t_u_fkey FOREIGN KEY (u) REFERENCES u (id) ON DELETE CASCADE NOT VALID", IN),
          ("ALTER TABLE public.t VALIDATE CONSTRAINT t_u_fkey", IN)]),
    Case("check constraint NOT VALID already", "not_valid_then_validate",
         "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID",
         unchanged("ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID")),
    Case("foreign key on a partitioned table", "not_valid_then_validate",
         "ALTER TABLE p ADD CONSTRAINT p_u_fkey FOREIGN KEY (u) REFERENCES u(id)",
         unchanged("ALTER TABLE p ADD CONSTRAINT p_u_fkey FOREIGN KEY (u) REFERENCES u(id)")),

    # --- set_not_null_via_check -------------------------------------------------------
    Case("set not null", "set_not_null_via_check", "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
         [("ALTER TABLE public.t ADD CONSTRAINT pgproof_nn_a CHECK (a IS NOT NULL) NOT VALID", IN),
          ("ALTER TABLE public.t VALIDATE CONSTRAINT pgproof_nn_a", IN),
          ("ALTER TABLE public.t ALTER COLUMN a SET NOT NULL", IN),
          ("ALTER TABLE public.t DROP CONSTRAINT pgproof_nn_a", IN)]),
    Case("set not null on a table created in the same plan", "set_not_null_via_check",
         "CREATE TABLE n (a int); ALTER TABLE n ALTER COLUMN a SET NOT NULL",
         [("CREATE TABLE n (a int)", IN), ("ALTER TABLE n ALTER COLUMN a SET NOT NULL", IN)]),
    Case("set not null with a second command", "set_not_null_via_check",
         "ALTER TABLE t ALTER COLUMN a SET NOT NULL, ALTER COLUMN b SET NOT NULL",
         unchanged("ALTER TABLE t ALTER COLUMN a SET NOT NULL, ALTER COLUMN b SET NOT NULL")),
]
