"""The table-driven corpus: every folder in tests/cases/ is one schema change.

For each case, before.sql is loaded into a fresh target and after.sql is the desired
schema. The diff must either converge (its statements applied, the catalog fingerprints
are equal and drift finds nothing) or name the gap in expected.txt; never a silent
"no drift" while the catalogs differ.

A case that converges goes the whole way a change goes in production: `planner.make`
(online rewrite, hazards, the proof on a scratch copy of the target, the rollback) and
`apply` of the written plan file, every hazard allowed. A case with a gap is refused by
plan, so its statements are run directly to show that exactly the gap is left.

Each case keeps its golden plan beside before.sql and after.sql: expected.plan.sql (the
plan's statements as the plan file renders them, without its header) and
expected.hazards.txt (the codes --allow-hazards must name); a case with a gap keeps the
diff's statements instead. A major that renders a case differently has its own file
(expected.plan.pg15.sql) beside the one of PostgreSQL 18. `pytest --update-goldens`
rewrites them (tests/cases/README.md).

Warm equals cold: before its plan is applied, each case is diffed again through the warm
cache (`sides.open_sides` with a cache folder of this module, the desired schema a cache
hit) and must give the same statements, hazards, gaps and desired fingerprint.

The corpus calls the library (the functions the CLI calls) rather than the CLI, to stay
fast; test_catalog_check.py and test_plan_apply.py cover the CLI around it. Cases run on
a few threads, each with its own fresh databases.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest

from conftest import REPO, run_sql
from pgproof import scratch
from pgproof.apply import run as apply
from pgproof.core import db
from pgproof.read import desired
from pgproof.plan import hazards, planner
from pgproof.diff import grants, renames, sides
from pgproof.core import locks, plan_file, transactions
from pgproof.core.settings import Settings
from pgproof.plan import order
from pgproof.read.catalog import Difference
from pgproof.diff.engine import Diff, compare, read
from pgproof.core.exclusions import Exclusions
from pgproof.plan.hazards import KNOWN_CODES
from pgproof.core.statement import Statement, render_script
from pgproof.scratch import auto, cache

CASES = sorted(p for p in (REPO / "tests" / "cases").iterdir() if p.is_dir())
WORKERS = 6
# Cases whose rollback plan is proven NOT to return to before.sql; the rollback file says
# so in its notes. Each is a state a diff cannot recreate, or a gap of migra going back.
ROLLBACK_NOT_PROVEN = {
    "column_generated_expression_dropped",  # gap generated-kind, going back
    "enum_value_added_with_function",  # gap enum-recreated, going back
    # a convert directive goes one way: going back, no cast and no directive
    "coltype_bigint_to_timestamp_with_using",
    "coltype_boolean_to_enum_with_using",
    "coltype_int_to_composite_with_using",
    "coltype_int_to_new_enum_with_using",
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


TIMEOUTS = {"lock_timeout_ms": 3000, "statement_timeout_ms": 0}


@dataclass
class Warm:
    """What the warm path made of a case, before its plan was applied."""

    statements: list[Statement]  # the diff's statements; online and classified, with no gap
    gaps: list[tuple[str, str, str]]  # (code, kind, key)
    desired_fingerprint: str
    seconds: float = 0.0  # priming the cache entry and the warm run


@dataclass
class Outcome:
    found: Diff  # the diff of before.sql against after.sql
    left: list[Difference]  # what still differs once its statements ran
    again: Diff  # the diff after that: what drift would say
    rollback_notes: tuple[str, ...] = ()  # why the rollback plan is not proven, if it is not
    forward: list[Statement] = field(default_factory=list)  # the plan's statements, when planned
    golden_plan: str = ""  # expected.plan.sql as this run renders it
    golden_hazards: str = ""  # expected.hazards.txt as this run renders it
    warm: Warm | Exception | None = None  # None: warm equals cold is not checked on this major
    seconds: float = 0.0  # the whole case, its warm run included
    split: tuple[str, ...] = ()  # objects the plan or its rollback leaves missing between two transactions


def plan_and_apply(both: sides.Sides, folder: Path) -> plan_file.Plan:
    """What `pgproof plan` then `pgproof apply --allow-hazards <all>` do; the rollback
    plan is returned (its notes say whether it was proven)."""
    target = both.target_url
    made = planner.make(
        both,
        fixes=[], schema_source="0" * 64, rollback_file="plan.rollback.sql", **TIMEOUTS,
    )
    path = folder / "plan.sql"
    plan_file.write(made.forward, path)
    apply.apply(target, path, allowed=KNOWN_CODES, exclusions=Exclusions(), fixes_folder=folder / "no_fixes",
                lock_wait_s=30, report=lambda message: None)
    return made


def transaction_faults(plan: plan_file.Plan) -> list[str]:
    """An object dropped in one transaction group and created again in a later one, and a
    VALIDATE CONSTRAINT that shares its transaction (with the NOT VALID or anything else)."""
    found = [f"{plan.kind}: {what}" for what in order.missing_between(plan.statements)]
    for group in transactions.groups(plan.statements):
        if len(group) > 1 and any(locks.validates_only(s.sql) for _, s in group):
            found.append(f"{plan.kind}: VALIDATE shares transaction group {group[0][1].group}")
    return found


def goldens(found: Diff, made: planner.Made | None) -> tuple[str, str]:
    """The text of expected.plan.sql and expected.hazards.txt: the plan's body (its
    statements as the plan file renders them, without the header's fingerprints, times
    and versions) and the codes --allow-hazards must name; with a gap, which `plan`
    refuses, the diff's statements."""
    if made is None:
        codes = ", ".join(g.code for g in found.gaps)
        return (f"-- no plan: the diff has the gap {codes}; its statements, run directly:\n\n"
                + render_script(found.statements), f"none: no plan (gap {codes})\n")
    return plan_file.render_body(made.forward), "".join(f"{c}\n" for c in made.forward.hazard_codes) or "none\n"


def warm_run(case: Path, target: str, cache_folder: Path) -> Warm:
    """The diff and the online, classified statements of the warm path (`open_sides`
    with the cache), as `planner.make` makes them (`planner.forward_statements`, the
    transaction groups), without the proof."""
    settings = Settings(db_url=target, schema=case / "after.sql", fixes=case / "no_fixes", scratch=scratch.AUTO,
                        exclusions=Exclusions(), cache=True, cache_dir=cache_folder)
    with sides.open_sides(settings) as both:
        assert both.cache is not None, "the warm path did not run"
        found = renames.compare_with(both, [], cast_url=both.casts).diff  # the convert directives read
        statements = found.statements
        if not found.gaps:
            with db.connection(target) as conn:
                conn.set_session(readonly=True)
                major = db.server_version(conn).major
                statements, _ = planner.forward_statements(conn, found, major, TIMEOUTS, 60_000)
                statements = planner.kept_steps(conn, found, statements, {}).statements
            statements = transactions.assign(hazards.resolve_with_fixes(statements, {}))
        return Warm(statements, [(g.code, g.kind, g.key) for g in found.gaps], found.desired.fingerprint())


@dataclass
class WarmCache:
    """The module's own cache folder and its server, running for the whole corpus."""

    folder: Path
    cache: cache.Cache
    server: scratch.ScratchServer
    # Cases with the same after.sql share one entry: how many use it now, by schema.
    users: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextlib.contextmanager
    def primed(self, case: Path) -> Iterator[None]:
        """after.sql loaded into the cache first, so the warm run is a hit (the side it
        reads comes out of the cache file, as on every warm run but the first); its
        template dropped after, when no other case uses it: 185 of them took 1.7 GB."""
        files = desired.read(case / "after.sql")
        grants.create_scratch_roles(self.server.url, grants.roles_named(files, Exclusions()))  # as open_sides does
        schema = desired.source_fingerprint(files)
        with self.lock:
            self.users[schema] = self.users.get(schema, 0) + 1
        database = None
        try:
            database = sides.desired_entry(self.cache, self.server, files, Exclusions())[0].database
            yield
        finally:
            with self.lock:  # dropped before another case with this schema can look it up
                self.users[schema] -= 1
                if not self.users[schema] and database is not None:
                    run_sql(self.server.url, f'ALTER DATABASE "{database}" WITH IS_TEMPLATE false')
                    run_sql(self.server.url, f'DROP DATABASE "{database}"')


def run_case(case: Path, pg_server, folder: Path, warm_cache: WarmCache | None) -> Outcome:
    """Diff, (warm diff,) plan, apply, compare: on fresh databases, dropped afterwards."""
    started = time.monotonic()
    with pg_server.database() as target, pg_server.database() as scratch_db:
        files = desired.read(case / "after.sql")
        desired.load(target, desired.read(case / "before.sql"))
        desired.load(scratch_db, files, pg_server)  # as pgproof loads it: the loader owns it
        # each side read once; the files for their convert directives
        both = dataclasses.replace(sides.from_urls(target, scratch_db, pg_server, Exclusions()), files=files)
        found = renames.compare_with(both, [], cast_url=scratch_db).diff
        warm: Warm | Exception | None = None
        if warm_cache is not None:
            warm_started = time.monotonic()
            try:
                with warm_cache.primed(case):
                    warm = warm_run(case, target, warm_cache.folder)
                warm.seconds = time.monotonic() - warm_started
            except Exception as exc:  # reported by the warm test, not by the case's
                warm = exc
        made = None
        if found.gaps:
            apply_statements(target, found.statements)
        else:
            made = plan_and_apply(both, folder)
        # What drift says now; its catalog comparison is what `converges` would return (the
        # desired side, never changed, is not read again).
        again = compare(read(target), both.desired, cast_url=scratch_db)
        left = [] if again.actual.fingerprint() == again.desired.fingerprint() else again.differences
        golden_plan, golden_hazards = goldens(found, made)
        return Outcome(found=found, left=left, again=again, rollback_notes=made.rollback.notes if made else (),
                       forward=list(made.forward.statements) if made else [], golden_plan=golden_plan,
                       golden_hazards=golden_hazards, warm=warm, seconds=time.monotonic() - started,
                       split=tuple(transaction_faults(made.forward) + transaction_faults(made.rollback))
                       if made else ())


# A warm run builds the case's cache entry on the cache server: about a third of what the
# cold run of a case costs. Every case runs warm on PostgreSQL 18; on the other majors a
# sample (every WARM_SAMPLE-th case, and each case with a gap), to keep CI's time.
WARM_EVERY_CASE = {18}
WARM_SAMPLE = 4


def warm_checked(case: Path, major: int) -> bool:
    return major in WARM_EVERY_CASE or CASES.index(case) % WARM_SAMPLE == 0 or expected_gap(case) is not None


@pytest.fixture(scope="module")
def warm_cache(pg_major, tmp_path_factory):
    """A cache folder of the module's own (never the user's), its server stopped after."""
    folder = tmp_path_factory.mktemp(f"warm-cache-pg{pg_major}")
    choice = auto.choose(pg_major)
    if choice is None or choice.installation is None:
        pytest.skip(f"no PostgreSQL {pg_major} installation for the warm cache")
    try:
        shared = cache.Cache(folder)
        with shared.server(choice.installation) as server:
            yield WarmCache(folder, shared, server)
    finally:
        cache.clear(folder)


def selected_cases(items) -> list[Path]:
    """The cases the session runs: those its items name, or every case when an item
    of this module that is not a single case (the warm test) runs too."""
    mine = [item for item in items if item.module is not None and item.module.__name__ == __name__]
    named = [item.callspec.params["case"] for item in mine
             if hasattr(item, "callspec") and "case" in item.callspec.params]
    if any(item.name.startswith("test_warm_equals_cold") for item in mine):
        return CASES
    return [case for case in CASES if case in set(named)]


@pytest.fixture(scope="module")
def outcomes(pg_server, pg_major, warm_cache, tmp_path_factory, request):
    """Every selected case run once, a few at a time; an exception is kept as the case's
    outcome. `-k name` runs only the cases it selects (all of them when the warm test
    is selected, which reads every outcome)."""
    cases = [case for case in selected_cases(request.session.items) if runs_on(case, pg_major)]
    folders = {case: tmp_path_factory.mktemp(case.name) for case in cases}  # not thread-safe

    def guarded(case: Path):
        if min_major(case) > pg_server.version.major:
            return None  # skipped by the case's test, with the reason
        try:
            return run_case(case, pg_server, folders[case], warm_cache if warm_checked(case, pg_major) else None)
        except Exception as exc:  # reported by that case's test, not by the fixture
            return exc

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(zip(cases, pool.map(guarded, cases)))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_converges_or_names_its_gap(case: Path, pg_major, outcomes, request):
    if not runs_on(case, pg_major):
        needs, what = NEEDS_MAJOR[case.name]
        pytest.skip(f"needs PostgreSQL {needs} ({what}); this server runs {pg_major}")
    if min_major(case) > pg_major:
        pytest.skip(f"needs PostgreSQL {min_major(case)}+, the server runs {pg_major}")
    outcome = outcomes[case]
    if isinstance(outcome, Exception):
        raise outcome
    update = request.config.getoption("update_goldens")
    if update:
        update_golden(case, "plan.sql", outcome.golden_plan, pg_major)
        update_golden(case, "hazards.txt", outcome.golden_hazards, pg_major)
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
    if not update:  # after the checks above: a case that does not converge says so first
        check_golden(case, "plan.sql", outcome.golden_plan, pg_major)
        check_golden(case, "hazards.txt", outcome.golden_hazards, pg_major)


# --- golden files ------------------------------------------------------------------------

BASE_MAJOR = 18  # expected.plan.sql is what PostgreSQL 18 renders; other majors override it


def golden_files(case: Path, name: str, major: int) -> tuple[Path, Path]:
    """The base file (expected.plan.sql) and this major's override (expected.plan.pg15.sql)."""
    stem, suffix = name.split(".")
    return case / f"expected.{stem}.{suffix}", case / f"expected.{stem}.pg{major}.{suffix}"


def update_golden(case: Path, name: str, text: str, major: int) -> None:
    """`--update-goldens`: the base file on PostgreSQL 18; on another major an override
    only where it differs from the base (a stale override goes)."""
    base, own = golden_files(case, name, major)
    if major == BASE_MAJOR:
        base.write_text(text)
    elif base.exists() and base.read_text() == text:
        own.unlink(missing_ok=True)
    else:
        own.write_text(text)


def check_golden(case: Path, name: str, text: str, major: int) -> None:
    """`text` must be the case's golden file: this major's override, else the base."""
    base, own = golden_files(case, name, major)
    expected = own if own.exists() else base
    assert expected.exists(), f"{case.name} has no {base.name}: run pytest tests/test_cases.py --update-goldens"
    assert text == expected.read_text(), (
        f"{case.name}: the {name.split('.')[0]} differs from {expected.name} (review the difference; if it is "
        f"right, run PGPROOF_TEST_MAJORS={major} pytest -n 0 tests/test_cases.py --update-goldens and commit it)"
    )


# --- warm equals cold --------------------------------------------------------------------

def warm_differences(outcome: Outcome) -> list[str]:
    """How the warm run of a case differs from the cold one; [] when it does not."""
    warm, found = outcome.warm, outcome.found
    if isinstance(warm, Exception):
        return [f"the warm run failed: {type(warm).__name__}: {warm}"]
    cold_statements = outcome.forward if not found.gaps else found.statements
    differences = []
    cold_gaps = [(g.code, g.kind, g.key) for g in found.gaps]
    if warm.gaps != cold_gaps:
        differences.append(f"gaps: warm {warm.gaps}, cold {cold_gaps}")
    if [s.render() for s in warm.statements] != [s.render() for s in cold_statements]:
        differences.append("statements: warm\n" + render_script(warm.statements) + "cold\n"
                           + render_script(cold_statements))
    elif warm.statements != cold_statements:  # the same SQL: hazards, timeouts or transactions differ
        pairs = [(w, c) for w, c in zip(warm.statements, cold_statements) if w != c]
        differences.append(f"statement {pairs[0][0].sql!r}: warm {pairs[0][0]}, cold {pairs[0][1]}")
    if warm.desired_fingerprint != found.desired.fingerprint():
        differences.append("the desired catalog's fingerprint")
    return differences


def test_warm_equals_cold_over_the_corpus(pg_major, outcomes):
    """Every case the warm cache diffed (all on 18, a sample on the other majors: see
    WARM_SAMPLE) gives, warm, the plan's statements with their hazards and the gaps that
    the cold run gives."""
    ran = [o for o in outcomes.values() if isinstance(o, Outcome)]
    checked = {case: o for case, o in outcomes.items() if isinstance(o, Outcome) and o.warm is not None}
    assert checked, "no case ran warm"
    differing = {case.name: warm_differences(o) for case, o in checked.items()}
    differing = {name: found for name, found in differing.items() if found}
    warm_s = sum(o.warm.seconds for o in checked.values() if isinstance(o.warm, Warm))
    all_s = sum(o.seconds for o in ran)
    print(f"\nwarm runs on PostgreSQL {pg_major}: {len(checked)} of {len(ran)} cases; {warm_s:.0f} s of the "
          f"{all_s:.0f} s the cases took on {WORKERS} threads ({100 * warm_s / max(all_s, 1):.0f}%)")
    assert not differing, "\n\n".join(f"{name}:\n" + "\n".join(found) for name, found in differing.items())
