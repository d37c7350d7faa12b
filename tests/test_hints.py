"""Every command pgproof suggests runs as printed, where it was printed, and does what it
says: the test runs each hint it sees. Also: a hazard the plan's own data fix resolves
needs no --allow-hazards, an index on an empty table none at all, and apply names data
fixes that appeared since the plan was made (refusing one the statements depend on)."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest

from conftest import REPO, run_sql
from pgproof.read import catalog


def fingerprint(url: str) -> str:
    return catalog.describe(url).fingerprint()


def hint(text: str, after: str) -> str:
    """The command printed after `after` on one line of `text`."""
    found = [line.split(after, 1)[1].strip() for line in text.splitlines() if after in line]
    assert len(found) == 1, (after, text)
    return found[0]


def quoted_hints(text: str) -> list[str]:
    return re.findall(r"`(pgproof [^`]+)`", text)


def run_hint(pgproof, command: str):
    args = shlex.split(command)
    assert args[0] == "pgproof", command
    return pgproof(*args[1:])


def test_plan_hints_apply_then_roll_back_as_printed(pgproof, legacy_db, tmp_path):
    """The legacy database has duplicates: 0001 resolves CONSTRAINT_VALIDATION, so the
    printed apply asks for INDEX_BUILD only, and that is enough."""
    original = fingerprint(legacy_db)
    made = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert made.code == 0, made.err
    assert "CONSTRAINT_VALIDATION: public.segments has 4 groups" in made.out
    assert "(resolved by data fix 0001_remove_duplicate_segments, which runs first)" in made.out
    forward = hint(made.err, "Apply after review with:")
    assert forward == (f"pgproof apply {tmp_path / 'plan.sql'} --db {shlex.quote(legacy_db)} --yes "
                       "--allow-hazards DATA_FIX,INDEX_BUILD")
    back = hint(made.err, "Roll back after that apply, if needed, with:")

    applied = run_hint(pgproof, forward)
    assert applied.code == 0, applied.err
    assert "the target now matches the desired schema" in applied.err
    assert pgproof("drift", "--db", legacy_db).code == 0

    rolled = run_hint(pgproof, back)
    assert rolled.code == 0, rolled.err
    assert "matches the desired schema" not in rolled.err
    assert "back at the schema its forward plan was made against" in rolled.err
    assert fingerprint(legacy_db) == original
    assert pgproof("drift", "--db", legacy_db).code == 2  # as the message says


def test_the_refusal_prints_the_apply_that_works(pgproof, legacy_db, tmp_path):
    plan = tmp_path / "plan.sql"
    assert pgproof("plan", "--db", legacy_db, "--out", str(plan)).code == 0
    refused = pgproof("apply", str(plan), "--db", legacy_db, "--yes")
    assert refused.code == 3
    [command] = quoted_hints(refused.err)
    assert command.endswith("--yes --allow-hazards DATA_FIX,INDEX_BUILD")
    done = run_hint(pgproof, command)
    assert done.code == 0, done.err
    assert pgproof("drift", "--db", legacy_db).code == 0


def test_hints_leave_out_what_the_environment_gives(pgproof, legacy_db, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", legacy_db)
    made = pgproof("plan", "--out", str(tmp_path / "plan.sql"))
    assert made.code == 0, made.err
    forward = hint(made.err, "Apply after review with:")
    assert "--db" not in forward
    assert run_hint(pgproof, forward).code == 0
    assert pgproof("drift").code == 0


def test_an_index_on_an_empty_table_is_no_hazard(pgproof, legacy_db, tmp_path):
    run_sql(legacy_db, "DELETE FROM segments")
    made = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert made.code == 0, made.err
    assert "-- hazards: none" in made.out and "INDEX_BUILD" not in made.out
    forward = hint(made.err, "Apply after review with:")
    assert "--allow-hazards" not in forward
    assert run_hint(pgproof, forward).code == 0
    assert pgproof("drift", "--db", legacy_db).code == 0


def test_a_stale_plan_says_how_to_make_a_new_one(pgproof, legacy_db, tmp_path):
    plan = tmp_path / "plan.sql"
    assert pgproof("plan", "--db", legacy_db, "--out", str(plan)).code == 0
    run_sql(legacy_db, "CREATE INDEX someone_elses ON sources (title)")
    stale = pgproof("apply", str(plan), "--db", legacy_db, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert stale.code == 3 and "stale" in stale.err
    [command] = quoted_hints(stale.err)
    again = run_hint(pgproof, command)
    assert again.code == 0, again.err
    assert "drops index public.someone_elses" in plan.read_text()
    applied = run_hint(pgproof, hint(again.err, "Apply after review with:"))
    assert applied.code == 0, applied.err
    assert pgproof("drift", "--db", legacy_db).code == 0


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with its own copy of the data fixes, and the repository's schema."""
    shutil.copytree(REPO / "data_fixes", tmp_path / "fixes")
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pgproof]\nschema = "{REPO / "schema" / "schema.sql"}"\nfixes = "fixes"\n'
        'exclude = ["pgproof.*", "public.alembic_version"]\n'
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


NEW_FIX_AFTER = """-- Expired cache entries lose their etag.
-- phase: after
-- check: SELECT count(*) FROM public.api_cache WHERE etag IS NOT NULL AND expires_at < now()

UPDATE public.api_cache SET etag = NULL WHERE etag IS NOT NULL AND expires_at < now();
"""

NEW_FIX_RESOLVING = """-- A second copy of a segment from a re-run of the transcriber goes.
-- phase: before
-- resolves: uq_segments_video_text
-- check: SELECT count(*) FROM public.segments WHERE text = 'rerun copy' AND id > 1000

WITH removed AS (DELETE FROM public.segments WHERE text = 'rerun copy' AND id > 1000 RETURNING *)
INSERT INTO pgproof.archived_rows (table_name, row)
SELECT 'public.segments', row_to_json(removed) FROM removed;
"""


def test_apply_names_a_data_fix_newer_than_the_plan(pgproof, legacy_db, project):
    run_sql(legacy_db, "UPDATE api_cache SET expires_at = now() - interval '1 day'")
    assert pgproof("plan", "--db", legacy_db, "--out", "plan.sql").code == 0
    (project / "fixes" / "0003_expired_cache_etag.sql").write_text(NEW_FIX_AFTER)
    applied = pgproof("apply", "plan.sql", "--db", legacy_db, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert applied.code == 0, applied.err
    assert "data fix 0003_expired_cache_etag (after, 1 rows to fix) appeared since the plan was made" in applied.err
    status, run = quoted_hints(applied.err)
    shown = run_hint(pgproof, status)
    assert shown.code == 0 and re.search(r"0003_expired_cache_etag\s+after\s+1\b", shown.out)
    assert run_hint(pgproof, run).code == 0
    assert re.search(r"0003_expired_cache_etag\s+after\s+0\b", run_hint(pgproof, status).out)


def test_apply_refuses_a_plan_a_newer_data_fix_changes(pgproof, legacy_db, project):
    plan = project / "plan.sql"
    assert pgproof("plan", "--db", legacy_db, "--out", str(plan)).code == 0
    run_sql(legacy_db, "INSERT INTO segments (id, video_id, start_sec, end_sec, text) VALUES "
                       "(1001, 'vid_a', 1, 2, 'rerun copy')")
    (project / "fixes" / "0003_rerun_copies.sql").write_text(NEW_FIX_RESOLVING)
    before = fingerprint(legacy_db)
    refused = pgproof("apply", str(plan), "--db", legacy_db, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert refused.code == 3
    assert "data fix 0003_rerun_copies appeared since the plan was made and resolves uq_segments_video_text" in refused.err
    assert fingerprint(legacy_db) == before
    [command] = quoted_hints(refused.err)
    again = run_hint(pgproof, command)
    assert again.code == 0, again.err
    assert "0003_rerun_copies (before): 1 rows" in plan.read_text()
    applied = run_hint(pgproof, hint(again.err, "Apply after review with:"))
    assert applied.code == 0, applied.err
    assert run_sql(legacy_db, "SELECT count(*) FROM segments WHERE text = 'rerun copy'") == [(0,)]
