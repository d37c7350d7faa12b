"""The hazard detectors without a database: each case of hazard_cases.py classifies its
SQL against facts built in memory and must find exactly its hazard codes. Runs in
seconds; the corpus and test_hazards.py check the same detectors on a real server."""

from __future__ import annotations

import pytest

from hazard_cases import CASES, Case
from memory import Facts, catalog, statements
from pgproof.core.hazard import Hazard, HazardKind
from pgproof.core.statement import Statement
from pgproof.plan import hazards


def facts_of(case: Case) -> Facts:
    return Facts(catalog(tables=case.tables, columns=case.columns, indexes=case.indexes),
                 rows=case.rows, counts=case.counts)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name.replace(" ", "-"))
def test_detector_finds_exactly_its_hazards(case: Case):
    classified = hazards.classify(statements(case.sql), facts_of(case))
    assert [[h.kind.code for h in s.hazards] for s in classified] == case.expected
    details = [h.detail for s in classified for h in s.hazards]
    assert case.says in " | ".join(details), details


def test_every_detector_has_a_case_that_finds_and_one_that_does_not():
    for detector in hazards.DETECTORS:
        mine = [c for c in CASES if c.detector == detector.__name__]
        assert any(any(c.expected) for c in mine), f"{detector.__name__}: no case finds a hazard"
        assert any(not any(c.expected) for c in mine), f"{detector.__name__}: no case finds nothing"
    assert {c.detector for c in CASES} <= {d.__name__ for d in hazards.DETECTORS}


def test_without_a_connection_every_count_is_unknown():
    facts = hazards.TargetFacts(None, catalog(tables={"public.t": "r"}))
    [dropped] = hazards.classify(statements("DROP TABLE t"), facts)
    assert [h.detail for h in dropped.hazards] == ["drops table public.t with an unknown number of rows"]


def test_a_data_fix_resolves_the_hazard_of_its_key_only():
    keyed = Hazard(HazardKind.CONSTRAINT_VALIDATION, "duplicates", keys=("t_a_key",))
    other = Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "lock")
    [statement] = hazards.resolve_with_fixes([Statement("x", hazards=(keyed, other))], {"t_a_key": "dedupe"})
    assert [(h.kind, h.resolved_by) for h in statement.hazards] == [
        (HazardKind.CONSTRAINT_VALIDATION, "dedupe"), (HazardKind.ACCESS_EXCLUSIVE_LOCK, None)]
