"""`pgproof demo` on a fresh machine: the whole workflow, ending with zero drift."""

from __future__ import annotations

import pytest

from conftest import run_subprocess


@pytest.mark.xdist_group("leftovers")  # its scratch sockets must not meet test_scratch's checks
def test_demo_runs_the_whole_workflow_and_ends_without_drift(tmp_path):
    result = run_subprocess("demo", env={"TMPDIR": str(tmp_path)})
    assert result.code == 0, result.err
    out = result.out
    assert out.index("0001_remove_duplicate_segments      before  1,000") < out.index("Drift: ")
    assert "missing constraint public.segments.uq_segments_video_text" in out
    assert "--allow-hazards CONSTRAINT_VALIDATION,INDEX_BUILD" in out
    assert "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_segments_video_text" in out
    assert "No drift: postgresql://postgres@/legacy_production" in out
    assert "0001_remove_duplicate_segments: 1,000 rows in pgproof.archived_rows" in out
    assert "INSERT INTO public.segments SELECT (json_populate_record(" in out
    assert "nothing was lost" in result.err
    assert list(tmp_path.iterdir()) == []  # the embedded server and its files are gone
