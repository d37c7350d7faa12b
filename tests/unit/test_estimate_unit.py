"""core/estimate.py, table-driven: apply's estimated time from the plan's row counts
(rows × a per-row cost measured once). No server."""

from __future__ import annotations

import pytest

from pgproof.core import estimate
from pgproof.core.hazard import Hazard, HazardKind
from pgproof.core.plan_file import FixStep, Plan
from pgproof.core.statement import Statement


def plan(statements=(), fixes=()) -> Plan:
    return Plan(kind="forward", created="2026-12-08T00:00:00Z", target="t", target_fingerprint="a",
                desired_fingerprint="b", schema_source="c", target_version="18", scratch_version="18",
                statements=tuple(statements), fixes=tuple(fixes))


def build(rows: str, kind=HazardKind.INDEX_BUILD) -> Statement:
    return Statement("CREATE INDEX CONCURRENTLY i ON t (c)", transactional=False,
                     hazards=(Hazard(kind, f"builds index i on public.t ({rows} rows)"),))


@pytest.mark.parametrize("detail, rows", [
    ("builds index i on public.t (8 rows)", 8),
    ("validates constraint c on public.t (1,234,567 rows)", 1_234_567),
    ("builds index i on public.t (an unknown number of rows)", None),
    ("drops table public.t with 12 rows", None),  # not a scan: nothing read whole
])
def test_the_rows_a_hazard_names(detail, rows):
    assert estimate.scanned_rows(detail) == rows


@pytest.mark.parametrize("made, seconds", [
    (plan(), 0.0),
    (plan([Statement("ALTER TABLE t ADD COLUMN c int")]), estimate.STATEMENT_S),
    (plan([build("1,000,000")]), estimate.STATEMENT_S + 1_000_000 * estimate.SCAN_ROW_S),
    (plan([build("1,000", HazardKind.CONSTRAINT_VALIDATION)]), estimate.STATEMENT_S + 1_000 * estimate.SCAN_ROW_S),
    (plan([build("an unknown number of")]), estimate.STATEMENT_S),
    (plan(fixes=[FixStep("0001_fix", "before", 100_000, "sha256:x")]), 100_000 * estimate.FIX_ROW_S),
])
def test_the_estimate_is_rows_times_a_measured_cost(made, seconds):
    assert estimate.seconds(made) == pytest.approx(seconds)


@pytest.mark.parametrize("value, said", [
    (0.2, "under 1 s"), (6.4, "about 6 s"), (200, "about 3 min"), (4 * 3600, "about 4.0 h"),
])
def test_said_with_no_more_precision_than_an_estimate_has(value, said):
    assert estimate.describe(value) == said
