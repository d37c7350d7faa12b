"""`pgproof demo` on a fresh machine: the whole workflow, ending with zero drift; here
with the schema as a folder (test_terminal.py runs it with the default file)."""

from __future__ import annotations

import shutil

import pytest

from conftest import REPO, run_subprocess


@pytest.mark.xdist_group("leftovers")  # its scratch sockets must not meet test_scratch's checks
def test_demo_runs_the_whole_workflow_and_ends_without_drift(tmp_path):
    folder = tmp_path / "schema_folder"
    folder.mkdir()
    shutil.copy(REPO / "schema" / "schema.sql", folder / "001_all.sql")
    work = tmp_path / "tmp"
    work.mkdir()
    result = run_subprocess("demo", "--schema", str(folder), env={"TMPDIR": str(work)})
    assert result.code == 0, result.err
    assert result.err.rstrip().endswith(f"Done: production now matches {folder}, and nothing was lost.")
    assert f"pgproof drift: how production differs from {folder}" in result.err
    out = result.out
    assert out.index("0001_remove_duplicate_segments      before  1,000") < out.index("Drift: ")
    assert "missing constraint public.segments.uq_segments_video_text" in out
    assert "-- hazards (apply refuses them unless run with --allow-hazards DATA_FIX,INDEX_BUILD):" in out
    assert "(resolved by data fix 0001_remove_duplicate_segments, which runs first)" in out
    assert "0001 merged 171 kept rows" in out
    assert "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_segments_video_text" in out
    assert "No drift: postgresql://postgres@/legacy_production" in out
    assert "0001_remove_duplicate_segments: 1,000 rows in pgproof.archived_rows" in out
    assert "INSERT INTO public.segments SELECT (json_populate_record(" in out
    assert "nothing was lost" in result.err
    assert list(work.iterdir()) == []  # the embedded server and its files are gone
