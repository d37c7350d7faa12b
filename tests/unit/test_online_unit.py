"""The online rewrites without a database: each case of online_cases.py rewrites its SQL
for a target catalog built in memory and must give exactly its statements. Runs in
seconds; the corpus proves the same rewrites on a real server."""

from __future__ import annotations

import pytest

from memory import catalog, statements
from online_cases import CASES, IN, OUTSIDE, Case
from pgproof.plan import online

LOCK_MS, STATEMENT_MS = 3000, 60_000


def rewritten(sql: str, **facts):
    return online.rewrite(statements(sql), catalog(**facts), lock_timeout_ms=LOCK_MS,
                          statement_timeout_ms=STATEMENT_MS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name.replace(" ", "-"))
def test_rewrite_gives_exactly_its_statements(case: Case):
    result = rewritten(case.sql, tables=case.tables, indexes=case.indexes)
    assert [(s.sql, IN if s.transactional else OUTSIDE) for s in result] == case.expected


def test_every_rewrite_has_a_case_that_rewrites_and_one_that_does_not():
    for rule in online.RULES:
        mine = [c for c in CASES if c.rewrite == rule.__name__]
        changed = [c for c in mine if [sql for sql, _ in c.expected] != [s.sql for s in statements(c.sql)]]
        assert changed, f"{rule.__name__}: no case it rewrites"
        assert len(changed) < len(mine), f"{rule.__name__}: no case it leaves as written"
    assert {c.rewrite for c in CASES} <= {r.__name__ for r in online.RULES}


def test_every_statement_gets_the_lock_timeout_and_long_ones_no_statement_timeout():
    result = rewritten("CREATE INDEX t_b ON t (b); ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0); DROP VIEW v",
                       tables={"public.t": "r"})
    assert [(s.lock_timeout_ms, s.statement_timeout_ms) for s in result] == [
        (LOCK_MS, 0),  # CREATE INDEX CONCURRENTLY: an index build
        (LOCK_MS, STATEMENT_MS),  # ADD CONSTRAINT ... NOT VALID: catalog-only
        (LOCK_MS, 0),  # VALIDATE CONSTRAINT: scans the table
        (LOCK_MS, STATEMENT_MS),
    ]


def test_a_rewrite_keeps_the_statements_origin():
    [statement] = statements("CREATE INDEX t_b ON t (b)")
    [result] = online.rewrite([statement.with_(origin="catalog")], catalog(tables={"public.t": "r"}),
                              lock_timeout_ms=LOCK_MS, statement_timeout_ms=STATEMENT_MS)
    assert (result.origin, result.transactional) == ("catalog", False)
