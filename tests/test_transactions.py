"""Transaction boundaries, lock levels and the statement order that keeps the application
working (core/locks.py, core/transactions.py, plan/order.py): pure logic, no server."""

from __future__ import annotations

import pytest

from pgproof.core.errors import UnparsableSQL
from pgproof.core import locks, transactions
from pgproof.core.statement import Statement
from pgproof.plan import order

LOCKS = [
    ("CREATE INDEX i ON t (a)", "SHARE", "public.t"),
    ("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t (a)", "SHARE UPDATE EXCLUSIVE", "s.t"),
    ("DROP INDEX CONCURRENTLY IF EXISTS public.i", "SHARE UPDATE EXCLUSIVE", "public.i"),
    ("DROP INDEX public.i", "ACCESS EXCLUSIVE", "public.i"),
    ("ALTER TABLE t ADD COLUMN c integer NOT NULL DEFAULT 0", "ACCESS EXCLUSIVE", "public.t"),
    ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", "ACCESS EXCLUSIVE", "public.t"),
    ("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID", "SHARE ROW EXCLUSIVE", "public.t"),
    ("ALTER TABLE t VALIDATE CONSTRAINT f", "SHARE UPDATE EXCLUSIVE", "public.t"),
    ("ALTER TABLE t SET (fillfactor = 70)", "SHARE UPDATE EXCLUSIVE", "public.t"),
    ("ALTER TABLE t DISABLE TRIGGER tr", "SHARE ROW EXCLUSIVE", "public.t"),
    ("ALTER TABLE t ATTACH PARTITION t1 FOR VALUES IN (1)", "SHARE UPDATE EXCLUSIVE", "public.t"),
    ("ALTER TABLE t ALTER COLUMN a SET STATISTICS 100", "SHARE UPDATE EXCLUSIVE", "public.t"),
    ("ALTER TABLE t ALTER COLUMN a TYPE bigint", "ACCESS EXCLUSIVE", "public.t"),
    ("DROP VIEW IF EXISTS public.v", "ACCESS EXCLUSIVE", "public.v"),
    ("CREATE OR REPLACE VIEW v AS SELECT 1", "ACCESS EXCLUSIVE", "public.v"),
    ("CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", "SHARE ROW EXCLUSIVE", "public.t"),
    ("DROP TRIGGER tr ON s.t", "ACCESS EXCLUSIVE", "s.t"),
    ("CREATE POLICY p ON t USING (true)", "ACCESS EXCLUSIVE", "public.t"),
    ("DROP POLICY p ON t", "ACCESS EXCLUSIVE", "public.t"),
    ("COMMENT ON COLUMN t.a IS 'x'", "SHARE UPDATE EXCLUSIVE", "public.t"),
    ("ALTER TABLE t RENAME COLUMN a TO b", "ACCESS EXCLUSIVE", "public.t"),
    ("ALTER INDEX i RENAME TO j", "SHARE UPDATE EXCLUSIVE", "public.i"),
    ("ALTER SEQUENCE s RESTART", "SHARE ROW EXCLUSIVE", "public.s"),
    ("DELETE FROM t WHERE a IS NULL", "ROW EXCLUSIVE", "public.t"),
    ("CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1)", "ACCESS EXCLUSIVE", "public.p"),
    ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", None, None),
    ("GRANT SELECT ON t TO reader", None, None),
    ("ALTER TYPE mood ADD VALUE 'meh'", None, None),
    ("DROP FUNCTION f()", None, None),
]


@pytest.mark.parametrize(("sql", "mode", "on"), LOCKS, ids=[row[0][:40] for row in LOCKS])
def test_lock_of_each_statement_kind(sql, mode, on):
    found = locks.strongest(locks.of_sql(sql))
    assert (found.mode if found else None, found.on if found else None) == (mode, on)


def test_a_lock_on_a_new_object_ranks_below_any_other():
    found = locks.strongest(locks.of_sql("CREATE TABLE x (a int REFERENCES u (id))"))
    assert (found.mode, found.on, found.new) == ("SHARE ROW EXCLUSIVE", "public.u", False)
    new = locks.strongest(locks.of_sql("CREATE VIEW v AS SELECT 1"))
    assert new.new and new.mode == "ACCESS EXCLUSIVE"


def test_a_statement_that_does_not_parse_is_an_error():
    with pytest.raises(UnparsableSQL):
        locks.of_sql("ALTER TABEL t")


def s(sql: str, transactional: bool = True) -> Statement:
    return Statement(sql, transactional=transactional)


def cic(sql: str) -> Statement:
    return s(sql, transactional=False)


GROUPS = [
    # (statements, the group of each)
    ([s("ALTER TABLE t ADD COLUMN a int"), s("ALTER TABLE t ADD COLUMN b int")], [1, 1]),
    ([s("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID"), s("ALTER TABLE t VALIDATE CONSTRAINT c"),
      s("ALTER TABLE t ADD COLUMN b int")], [1, 2, 3]),
    ([s("ALTER TABLE t VALIDATE CONSTRAINT c"), s("ALTER TABLE t VALIDATE CONSTRAINT d")], [1, 2]),
    ([s("ALTER TABLE t ADD COLUMN a int"), cic("CREATE INDEX CONCURRENTLY i ON t (a)"),
      cic("CREATE INDEX CONCURRENTLY j ON t (a)"), s("COMMENT ON INDEX i IS 'x'")], [1, 2, 3, 4]),
]


@pytest.mark.parametrize(("statements", "expected"), GROUPS)
def test_groups(statements, expected):
    assigned = transactions.assign(statements)
    assert [x.group for x in assigned] == expected
    assert [[n for n, _ in g] for g in transactions.groups(assigned)] == \
        [[n for n, x in enumerate(assigned, 1) if x.group == g] for g in sorted(set(expected))]


def test_not_valid_and_validate_are_never_in_one_transaction():
    for statements, _ in GROUPS:
        for group in transactions.groups(transactions.assign(statements)):
            if any(locks.validates_only(x.sql) for _, x in group):
                assert len(group) == 1


def test_groups_refuses_a_concurrent_statement_inside_a_transaction():
    with pytest.raises(ValueError):
        transactions.groups([s("SELECT 1").with_(group=1), cic("CREATE INDEX CONCURRENTLY i ON t (a)").with_(group=1)])


def test_summary_names_the_strongest_lock_and_its_tables():
    summary = transactions.summaries(transactions.assign([
        s("DROP VIEW v"), s("ALTER TABLE t ALTER COLUMN a TYPE bigint"), s("CREATE VIEW v AS SELECT a FROM t"),
        cic("CREATE INDEX CONCURRENTLY i ON t (a)"),
    ]))
    assert [x.describe(len(summary)) for x in summary] == [
        "transaction 1 of 2 (statements 1-3): ACCESS EXCLUSIVE lock on public.v, public.t",
        "transaction 2 of 2 (statement 4, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.t",
    ]


VIEW_PLAN = [
    s('drop view if exists "public"."top_posts"'),
    s('alter table "public"."posts" add column "words" integer not null default 0'),
    cic("CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_author ON public.posts (author_id)"),
    s('alter table "public"."posts" alter column "score" set data type bigint'),
    s('alter table "public"."posts" add constraint "fk" FOREIGN KEY (author_id) REFERENCES public.authors(id) not valid'),
    s('alter table "public"."posts" validate constraint "fk"'),
    s('create or replace view "public"."top_posts" as SELECT id, score, words FROM public.posts'),
]

ORDERS = [
    # (name, statements, expected order as indexes into statements)
    ("a view re-created around a change: concurrent and validating steps leave its transaction",
     VIEW_PLAN, [0, 1, 3, 4, 6, 2, 5]),
    ("a unique key built concurrently, then used: both leave together",
     [s("DROP VIEW v"), cic("CREATE UNIQUE INDEX CONCURRENTLY k ON t (a)"),
      s("ALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX k"),
      s("ALTER TABLE u ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES t (a) NOT VALID"),
      s("ALTER TABLE t ALTER COLUMN b TYPE bigint"), s("CREATE VIEW v AS SELECT b FROM t")],
     [0, 4, 5, 1, 2, 3]),
    ("SET NOT NULL follows the check it relies on out of the region",
     [s("DROP VIEW v"), s("ALTER TABLE t ADD CONSTRAINT pgproof_nn_a CHECK (a IS NOT NULL) NOT VALID"),
      s("ALTER TABLE t VALIDATE CONSTRAINT pgproof_nn_a"), s("ALTER TABLE t ALTER COLUMN a SET NOT NULL"),
      s("ALTER TABLE t DROP CONSTRAINT pgproof_nn_a"), s("ALTER TABLE t ALTER COLUMN b TYPE bigint"),
      s("CREATE VIEW v AS SELECT a, b FROM t")],
     [0, 1, 5, 6, 2, 3, 4]),
    ("a column dropped after the new one is added (expand before contract)",
     [s("ALTER TABLE t DROP COLUMN old"), s("ALTER TABLE t ADD COLUMN new int"), s("CREATE TABLE x (a int)")],
     [1, 2, 0]),
    ("a drop stays before a statement that names the dropped column",
     [s("ALTER TABLE t DROP COLUMN old"), s("ALTER TABLE t ADD COLUMN old bigint")], [0, 1]),
    ("a table dropped after unrelated additions, before a partition that may need its room",
     [s("DROP TABLE events_2025"), s("CREATE TABLE y (a int)"),
      s("CREATE TABLE events_2025b PARTITION OF events FOR VALUES IN (1)")], [1, 0, 2]),
    ("a table is dropped before the collation it uses",
     [s("DROP INDEX CONCURRENTLY IF EXISTS public.people_name"), s("DROP TABLE people"),
      s("DROP COLLATION names_c")], [0, 1, 2]),
    ("drops keep their order among themselves",
     [s("ALTER TABLE t DROP COLUMN m"), s("DROP TYPE mood"), s("CREATE TABLE z (a int)")], [0, 1, 2]),
]


@pytest.mark.parametrize(("name", "statements", "expected"), ORDERS, ids=[row[0] for row in ORDERS])
def test_order(name, statements, expected):
    arranged = order.arrange(statements)
    assert [statements.index(x) for x in arranged] == expected
    assert order.missing_between(transactions.assign(arranged)) == []


def test_missing_between_names_an_object_dropped_and_recreated_across_transactions():
    split = transactions.assign([VIEW_PLAN[0], VIEW_PLAN[2], VIEW_PLAN[6]])
    assert order.missing_between(split) == [
        "view public.top_posts (dropped in transaction group 1, created again in 3)"]
