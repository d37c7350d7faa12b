"""The table-driven corpus: every folder in tests/cases/ is one schema change.

For each case, before.sql is loaded into a fresh target and after.sql is the desired
schema. The diff must either converge (its statements applied, the catalog fingerprints
are equal and drift finds nothing) or name the gap in expected.txt; never a silent
"no drift" while the catalogs differ.

The corpus calls the library (diff.compute, the same function `pgdeclare diff` and
`pgdeclare drift` call) rather than the CLI, to stay fast; test_catalog_check.py covers
the CLI around it. Cases run on a few threads (each with its own fresh databases),
because most of a case's time is the server creating two databases.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from conftest import REPO
from pgdeclare import db, desired
from pgdeclare.catalog import Difference
from pgdeclare.diff import Diff, compute, converges
from pgdeclare.statement import Statement

CASES = sorted(p for p in (REPO / "tests" / "cases").iterdir() if p.is_dir())
WORKERS = 6


def apply_statements(url: str, statements: list[Statement]) -> None:
    """Run a diff's statements in order: each run of transactional ones in one
    transaction, the others (CONCURRENTLY, ALTER TYPE ... ADD VALUE) on their own.

    Stands in for `pgdeclare plan` + `pgdeclare apply` until those exist.
    """
    conn = psycopg2.connect(db.libpq_url(url))
    try:
        for statement in statements:
            if conn.autocommit == statement.transactional:
                conn.commit()  # ends the running transaction, if any
                conn.autocommit = not statement.transactional
            with conn.cursor() as cur:
                cur.execute(statement.sql)
        conn.commit()
    finally:
        conn.close()


def expected_gap(case: Path) -> str | None:
    path = case / "expected.txt"
    return path.read_text().strip() if path.exists() else None


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert all((c / "before.sql").exists() and (c / "after.sql").exists() for c in CASES)


@dataclass
class Outcome:
    found: Diff  # the diff of before.sql against after.sql
    left: list[Difference]  # what still differs once its statements ran
    again: Diff  # the diff after that: what drift would say


def run_case(case: Path, pg_server) -> Outcome:
    """Diff, apply, compare: on two fresh databases, dropped afterwards."""
    with pg_server.database() as target, pg_server.database() as scratch:
        desired.load(target, desired.read(case / "before.sql"))
        desired.load(scratch, desired.read(case / "after.sql"))
        found = compute(target, scratch)
        apply_statements(target, found.statements)
        return Outcome(found=found, left=converges(target, scratch), again=compute(target, scratch))


@pytest.fixture(scope="module")
def outcomes(pg_server):
    """Every case run once, a few at a time; an exception is kept as the case's outcome."""
    def guarded(case: Path):
        try:
            return run_case(case, pg_server)
        except Exception as exc:  # reported by that case's test, not by the fixture
            return exc

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(zip(CASES, pool.map(guarded, CASES)))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_converges_or_names_its_gap(case: Path, outcomes):
    outcome = outcomes[case]
    if isinstance(outcome, Exception):
        raise outcome
    found, left, again = outcome.found, outcome.left, outcome.again
    assert found.drifted, "every case changes something: drift must see it"
    gap = expected_gap(case)
    assert [g.code for g in found.gaps] == ([gap] if gap else []), found.gaps
    if gap is None:
        assert left == [], [d.label for d in left]
        assert not again.drifted, [s.sql for s in again.statements]
    else:
        # What the tool could write was applied; exactly the gap's object still
        # differs, and drift still reports it by name.
        assert {d.ref for d in left} == {(g.kind, g.key) for g in found.gaps}
        assert again.drifted
        assert [g.code for g in again.gaps] == [gap]
