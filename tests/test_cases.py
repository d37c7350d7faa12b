"""The table-driven corpus: every folder in tests/cases/ is one schema change.

For each case, before.sql is loaded into a fresh target and after.sql is the desired
schema. The diff must either converge (its statements applied, the catalog fingerprints
are equal and drift finds nothing) or name the gap in expected.txt; never a silent
"no drift" while the catalogs differ.

A case that converges goes the whole way a change goes in production: `planner.make`
(online rewrite, hazards, the proof on a scratch copy of the target, the rollback) and
`apply` of the written plan file, every hazard allowed. A case with a gap is refused by
plan, so its statements are run directly to show that exactly the gap is left.

The corpus calls the library (the functions the CLI calls) rather than the CLI, to stay
fast; test_catalog_check.py and test_plan_apply.py cover the CLI around it. Cases run on
a few threads, each with its own fresh databases.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from conftest import REPO
from pgproof.apply import run as apply
from pgproof.core import db
from pgproof.read import desired
from pgproof.plan import planner
from pgproof.diff import sides
from pgproof.core import locks, plan_file, transactions
from pgproof.plan import order
from pgproof.read.catalog import Difference
from pgproof.diff.engine import Diff, compare, read
from pgproof.core.exclusions import Exclusions
from pgproof.plan.hazards import KNOWN_CODES
from pgproof.core.statement import Statement

CASES = sorted(p for p in (REPO / "tests" / "cases").iterdir() if p.is_dir())
WORKERS = 6
# Cases whose rollback plan is proven NOT to return to before.sql; the rollback file says
# so in its notes. Each is a state a diff cannot recreate, or a gap of migra going back.
ROLLBACK_NOT_PROVEN = {
    "column_generated_expression_dropped",  # gap generated-kind, going back
    "enum_value_added_used_as_default",  # migra re-creates the type; the default uses the label
    "enum_value_added_with_function",  # gap enum-recreated, going back
    "index_invalid_rebuilt",  # nothing re-creates an INVALID index
}


# Cases whose schemas use what older majors do not have; skipped there with the reason.
NEEDS_MAJOR = {
    "column_generated_kind_changed": (18, "virtual generated columns"),
    "column_generated_virtual": (18, "virtual generated columns"),
    "table_new_with_virtual_column": (18, "virtual generated columns"),
}


def runs_on(case: Path, major: int) -> bool:
    return major >= NEEDS_MAJOR.get(case.name, (0, ""))[0]


def apply_statements(url: str, statements: list[Statement]) -> None:
    """Run a diff's statements in order: each run of transactional ones in one
    transaction, the others (CONCURRENTLY, ALTER TYPE ... ADD VALUE) on their own.
    Only for cases with a gap, which `plan` refuses."""
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


MIN_MAJOR = re.compile(r"^-- min_major: (\d+)", re.MULTILINE)


def min_major(case: Path) -> int:
    """The oldest PostgreSQL major the case can run on: a `-- min_major: N` line in
    after.sql (or before.sql), else 15."""
    found = [int(m) for name in ("before.sql", "after.sql") for m in MIN_MAJOR.findall((case / name).read_text())]
    return max(found, default=15)


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
    rollback_notes: tuple[str, ...] = ()  # why the rollback plan is not proven, if it is not
    split: tuple[str, ...] = ()  # objects the plan or its rollback leaves missing between two transactions


def plan_and_apply(both: sides.Sides, folder: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What `pgproof plan` then `pgproof apply --allow-hazards <all>` do: the rollback's
    notes, and what the plans' transaction groups would leave missing or lock too long."""
    target = both.target_url
    made = planner.make(
        both,
        fixes=[], lock_timeout_ms=3000, statement_timeout_ms=0, schema_source="0" * 64,
        rollback_file="plan.rollback.sql",
    )
    path = folder / "plan.sql"
    plan_file.write(made.forward, path)
    apply.apply(target, path, allowed=KNOWN_CODES, exclusions=Exclusions(), fixes_folder=folder / "no_fixes",
                lock_wait_s=30, report=lambda message: None)
    return made.rollback.notes, tuple(transaction_faults(made.forward) + transaction_faults(made.rollback))


def transaction_faults(plan: plan_file.Plan) -> list[str]:
    """An object dropped in one transaction group and created again in a later one, and a
    VALIDATE CONSTRAINT that shares its transaction (with the NOT VALID or anything else)."""
    found = [f"{plan.kind}: {what}" for what in order.missing_between(plan.statements)]
    for group in transactions.groups(plan.statements):
        if len(group) > 1 and any(locks.validates_only(s.sql) for _, s in group):
            found.append(f"{plan.kind}: VALIDATE shares transaction group {group[0][1].group}")
    return found


def run_case(case: Path, pg_server, folder: Path) -> Outcome:
    """Diff, plan, apply, compare: on fresh databases, dropped afterwards."""
    with pg_server.database() as target, pg_server.database() as scratch:
        desired.load(target, desired.read(case / "before.sql"))
        desired.load(scratch, desired.read(case / "after.sql"))
        both = sides.from_urls(target, scratch, pg_server, Exclusions())  # each side read once
        found = compare(both.target, both.desired, cast_url=scratch)
        notes: tuple[str, ...] = ()
        split: tuple[str, ...] = ()
        if found.gaps:
            apply_statements(target, found.statements)
        else:
            notes, split = plan_and_apply(both, folder)
        # What drift says now; its catalog comparison is what `converges` would return (the
        # desired side, never changed, is not read again).
        again = compare(read(target), both.desired, cast_url=scratch)
        left = [] if again.actual.fingerprint() == again.desired.fingerprint() else again.differences
        return Outcome(found=found, left=left, again=again, rollback_notes=notes, split=split)


@pytest.fixture(scope="module")
def outcomes(pg_server, pg_major, tmp_path_factory):
    """Every case run once, a few at a time; an exception is kept as the case's outcome."""
    cases = [case for case in CASES if runs_on(case, pg_major)]
    folders = {case: tmp_path_factory.mktemp(case.name) for case in cases}  # not thread-safe

    def guarded(case: Path):
        if min_major(case) > pg_server.version.major:
            return None  # skipped by the case's test, with the reason
        try:
            return run_case(case, pg_server, folders[case])
        except Exception as exc:  # reported by that case's test, not by the fixture
            return exc

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(zip(cases, pool.map(guarded, cases)))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_converges_or_names_its_gap(case: Path, pg_major, outcomes):
    if not runs_on(case, pg_major):
        needs, what = NEEDS_MAJOR[case.name]
        pytest.skip(f"needs PostgreSQL {needs} ({what}); this server runs {pg_major}")
    if min_major(case) > pg_major:
        pytest.skip(f"needs PostgreSQL {min_major(case)}+, the server runs {pg_major}")
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
        assert bool(outcome.rollback_notes) == (case.name in ROLLBACK_NOT_PROVEN), outcome.rollback_notes
        # Every corpus plan: nothing missing between two transactions, VALIDATE alone.
        assert outcome.split == (), outcome.split
    else:
        # What the tool could write was applied; exactly the gap's object still
        # differs, and drift still reports it by name.
        assert {d.ref for d in left} == {(g.kind, g.key) for g in found.gaps}
        assert again.drifted
        assert [g.code for g in again.gaps] == [gap]
