"""The proof covers data fixes and rows: every fix's SQL is prepared against the schema it
will meet (`fixes/prepare.py`), and the plan is rehearsed on the scratch copy with the
target's rows that matter (`plan/rehearsal.py`)."""

from __future__ import annotations

import pytest

from conftest import REPO, run_sql

SCHEMA = REPO / "schema" / "schema.sql"
DEDUP = (REPO / "data_fixes" / "0001_remove_duplicate_segments.sql").read_text()
LABEL = (REPO / "data_fixes" / "0002_null_speaker_label_to_chaffee.sql").read_text()


def project(tmp_path, monkeypatch, fixes: dict[str, str], schema: str | None = None, extra: str = ""):
    """A project folder with its own data fixes (and schema), as the working directory."""
    folder = tmp_path / "fixes"
    folder.mkdir()
    for name, text in fixes.items():
        (folder / name).write_text(text)
    schema_file = SCHEMA
    if schema is not None:
        schema_file = tmp_path / "schema.sql"
        schema_file.write_text(schema)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pgproof]\nschema = "{schema_file}"\nfixes = "{folder}"\n{extra}'
    )
    monkeypatch.chdir(tmp_path)
    return folder


# --- deliverable 2: fixes prepared at plan time -----------------------------------------

BATCH_NAMES_A_MISSING_COLUMN = """\
-- phase: before
-- check: SELECT count(*) FROM public.segments WHERE speaker_label IS NULL

-- todo
SELECT id FROM public.segments WHERE speaker_label IS NULL;

-- batch: the column was renamed long ago
UPDATE public.segments
SET speaker = 'Chaffee'
WHERE id = ANY ($1) AND speaker_label IS NULL;
"""

CHECK_NAMES_A_MISSING_COLUMN = """\
-- phase: {phase}
-- check: SELECT count(*) FROM public.segments
--     WHERE no_such_column IS NULL
UPDATE public.segments SET speaker_label = 'x' WHERE no_such_column IS NULL;
"""


def test_a_before_fix_whose_batch_names_a_missing_column_is_refused_at_plan_time(pgproof, legacy_db, tmp_path, monkeypatch):
    folder = project(tmp_path, monkeypatch, {"0001_rename.sql": BATCH_NAMES_A_MISSING_COLUMN})
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 1, result.err
    assert f"{folder / '0001_rename.sql'}:9: the batch of data fix 0001_rename does not prepare" in result.err
    assert 'column "speaker" of relation "segments" does not exist' in result.err
    assert "the target as it is (phase before)" in result.err
    assert "Traceback" not in result.err and not (tmp_path / "plan.sql").exists()


@pytest.mark.parametrize("phase", ["before", "after"])
def test_a_fix_whose_check_names_a_column_the_target_lacks_is_refused(pgproof, legacy_db, tmp_path, monkeypatch, phase):
    """Before, such a check counted 0 ("not there yet") and the fix silently left the plan."""
    folder = project(tmp_path, monkeypatch, {"0001_missing.sql": CHECK_NAMES_A_MISSING_COLUMN.format(phase=phase)})
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 1, result.err
    where = "the target as it is" if phase == "before" else "the proof's copy of the target after the plan's statements"
    assert f"{folder / '0001_missing.sql'}:3: the check of data fix 0001_missing does not prepare against {where}" in result.err
    assert 'column "no_such_column" does not exist' in result.err


def test_an_after_fix_may_name_a_column_the_plan_creates(pgproof, legacy_db, tmp_path, monkeypatch):
    fix = ("-- phase: after\n-- check: SELECT count(*) FROM public.segments WHERE avg_logprob IS NULL AND false\n"
           "UPDATE public.segments SET avg_logprob = 0 WHERE avg_logprob IS NULL AND false;\n")
    project(tmp_path, monkeypatch, {"0001_dedup.sql": DEDUP, "0002_label.sql": LABEL, "0003_after.sql": fix})
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 0, result.err


def test_the_shipped_fixes_prepare_on_a_target_without_pgproofs_archive(pgproof, legacy_db, tmp_path):
    """0001 archives into pgproof.archived_rows, which the legacy target has not got yet:
    it is prepared on the proof's copy, where the archive exists."""
    assert run_sql(legacy_db, "SELECT to_regclass('pgproof.archived_rows')") == [(None,)]
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 0, result.err
    assert run_sql(legacy_db, "SELECT to_regclass('pgproof.archived_rows')") == [(None,)]
