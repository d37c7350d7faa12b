"""The proof covers data fixes and rows: every fix's SQL is prepared against the schema it
will meet (`fixes/prepare.py`), and the plan is rehearsed on the scratch copy with the
target's rows that matter (`plan/rehearsal.py`)."""

from __future__ import annotations


import pytest

from pgproof.scratch import entries as entry_files

from conftest import REPO, run_sql
from pgproof.core import db
from test_cache import _server_url, cache_dir  # noqa: F401 (a fixture)
from test_cache import run as cache_run  # noqa: F401 (a fixture)

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
    # 0000_dedup resolves the legacy target's duplicates, which the row checks refuse otherwise
    folder = project(tmp_path, monkeypatch, {"0000_dedup.sql": DEDUP,
                                             "0001_missing.sql": CHECK_NAMES_A_MISSING_COLUMN.format(phase=phase)})
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


def test_a_new_database_has_nothing_for_the_fixes_to_do(pgproof, empty_db, tmp_path):
    """The shipped fixes name public.segments, which an empty target has not got yet."""
    result = pgproof("plan", "--db", empty_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 0, result.err
    assert "-- data fixes" not in (tmp_path / "plan.sql").read_text()


def test_the_shipped_fixes_prepare_on_a_target_without_pgproofs_archive(pgproof, legacy_db, tmp_path):
    """0001 archives into pgproof.archived_rows, which the legacy target has not got yet:
    it is prepared on the proof's copy, where the archive exists."""
    assert run_sql(legacy_db, "SELECT to_regclass('pgproof.archived_rows')") == [(None,)]
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 0, result.err
    assert run_sql(legacy_db, "SELECT to_regclass('pgproof.archived_rows')") == [(None,)]


# --- deliverable 3: the rehearsal with the target's rows ---------------------------------

ARCHIVES_NONE_OF_WHAT_IT_DELETES = """\
-- phase: before
-- check: SELECT count(*) FROM public.api_cache WHERE etag IS NOT NULL
WITH removed AS (DELETE FROM public.api_cache WHERE etag IS NOT NULL RETURNING *)
INSERT INTO pgproof.archived_rows (table_name, row)
SELECT 'public.api_cache', row_to_json(removed) FROM removed WHERE removed.data IS NULL;
"""


def test_violating_copies_the_rows_a_fix_counts_and_its_archive_accounts_for_the_deleted(pgproof, legacy_db, tmp_path):
    """The shipped fixes: 0001 deletes 6 duplicates (archived), 0002 labels 8 rows; both
    ran on the copy with the segments they count, and the unique index was built there."""
    before = run_sql(legacy_db, "SELECT count(*) FROM segments")
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 0, result.err
    text = (tmp_path / "plan.sql").read_text()
    header = text.split("\n\n")[0]
    assert "-- rehearsal: violating: the data fixes and statements ran on the scratch copy with 13 rows" in header
    line = next(line for line in header.splitlines() if line.startswith("--   public.segments: "))
    assert "13 rows" in line
    columns = line.split("; columns ")[1].split(", ")
    # the keys, what the fixes name, NOT NULL without default; never what nobody needs
    assert {"id", "video_id", "text", "speaker_label", "embedding"} <= set(columns)
    assert "metadata" not in columns and "avg_logprob" not in columns
    assert run_sql(legacy_db, "SELECT count(*) FROM segments") == before  # nothing ran on the target
    assert run_sql(legacy_db, "SELECT to_regclass('pgproof.archived_rows')") == [(None,)]


def test_a_fix_that_loses_rows_it_does_not_archive_fails_the_proof(pgproof, legacy_db, tmp_path, monkeypatch):
    project(tmp_path, monkeypatch, {"0001_dedup.sql": DEDUP, "0003_cache.sql": ARCHIVES_NONE_OF_WHAT_IT_DELETES})
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 3, result.err
    assert "data fix 0003_cache removed 1 of public.api_cache (1 removed, 0 archived)" in result.err
    assert "no plan was written" in result.err and not (tmp_path / "plan.sql").exists()
    assert run_sql(legacy_db, "SELECT count(*) FROM api_cache") == [(1,)]


def test_a_fix_that_says_archive_none_may_remove_rows(pgproof, legacy_db, tmp_path, monkeypatch):
    fix = ARCHIVES_NONE_OF_WHAT_IT_DELETES.replace("-- phase: before\n", "-- phase: before\n-- archive: none\n")
    project(tmp_path, monkeypatch, {"0001_dedup.sql": DEDUP, "0003_cache.sql": fix})
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 0, result.err
    assert "--   public.api_cache: 1 rows" in (tmp_path / "plan.sql").read_text()


def test_none_copies_no_row_and_the_header_says_the_rehearsal_was_skipped(pgproof, legacy_db, tmp_path, monkeypatch):
    project(tmp_path, monkeypatch, {"0001_dedup.sql": DEDUP, "0003_cache.sql": ARCHIVES_NONE_OF_WHAT_IT_DELETES},
            extra='rehearsal = "none"\n')
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 0, result.err  # nothing rehearsed: the loss is not seen
    text = (tmp_path / "plan.sql").read_text()
    assert "-- rehearsal: skipped (rehearsal = none): the proof ran on the target's schema only" in text
    flagged = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"), "--rehearsal", "violating")
    assert flagged.code == 3, flagged.err  # the flag wins over the setting


def test_a_not_null_column_without_default_is_refused_whatever_the_rehearsal(pgproof, legacy_db, tmp_path):
    """A NOT NULL column without a default passes on an empty copy; the row checks count
    the rows it fails on at plan time, before any rehearsal (sample or none)."""
    schema = SCHEMA.read_text().replace("    speaker_label       varchar(50),",
                                        "    speaker_label       varchar(50),\n    word_count integer NOT NULL,", 1)
    (tmp_path / "schema.sql").write_text(schema)
    args = ["plan", "--db", legacy_db, "--schema", str(tmp_path / "schema.sql"), "--out", str(tmp_path / "plan.sql")]
    for rehearsal in ("sample", "none"):
        result = pgproof(*args, "--rehearsal", rehearsal)
        assert result.code == 3, result.err
        assert "have no value for the new NOT NULL column word_count (it has no default)" in result.err


def test_a_bad_rehearsal_setting_is_one_sentence(pgproof, legacy_db, tmp_path, monkeypatch):
    project(tmp_path, monkeypatch, {}, extra='rehearsal = "all"\n')
    result = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 1
    assert "must be one of violating, sample, none, not 'all'" in result.err


def test_with_the_warm_cache_rows_go_into_the_run_clone_never_into_a_template(pg_major, cache_run, legacy_db,
                                                                               cache_dir, tmp_path):
    if pg_major != 18:
        pytest.skip("the cache's embedded server is PostgreSQL 18")
    for name in ("fill", "warm"):
        result = cache_run("plan", "--db", legacy_db, "--out", str(tmp_path / f"{name}.sql"))
        assert result.code == 0, result.err
        assert "public.segments: 13 rows" in (tmp_path / f"{name}.sql").read_text()
    server = _server_url(cache_dir)
    templates = [entry.database for entry in entry_files.listed(cache_dir / "entries")]
    assert templates
    for template in templates:  # a template takes no connection: look into a clone of it
        run_sql(server, f'CREATE DATABASE pgd_look TEMPLATE "{template}"')
        try:
            url = db.with_database(server, "pgd_look")
            if run_sql(url, "SELECT to_regclass('public.segments')") != [(None,)]:
                assert run_sql(url, "SELECT count(*) FROM public.segments") == [(0,)], template
            # the copy's own ledger tables (made by the loader, to write them) hold nothing
            if run_sql(url, "SELECT to_regclass('pgproof.archived_rows')") != [(None,)]:
                assert run_sql(url, "SELECT count(*) FROM pgproof.archived_rows") == [(0,)], template
                assert run_sql(url, "SELECT count(*) FROM pgproof.fix_runs") == [(0,)], template
        finally:
            run_sql(server, "DROP DATABASE pgd_look")


BOOKS = """\
CREATE TABLE public.authors (id integer PRIMARY KEY, name text NOT NULL, bio text);
CREATE TABLE public.books (
    id integer PRIMARY KEY,
    author_id integer NOT NULL REFERENCES public.authors (id),
    title text,
    notes text,
    flagged boolean NOT NULL DEFAULT false
);
"""
FLAGGED_TITLES = """\
-- phase: before
-- check: SELECT count(*) FROM public.books AS b WHERE b.flagged AND b.title <> upper(b.title)
UPDATE public.books SET title = upper(title) WHERE flagged AND title <> upper(title);
"""


def test_the_rows_a_copied_row_references_are_copied_too(pgproof, empty_db, tmp_path, monkeypatch):
    run_sql(empty_db, BOOKS + """
        INSERT INTO public.authors VALUES (1, 'a', 'x'), (2, 'b', 'y'), (3, 'c', 'z');
        INSERT INTO public.books (id, author_id, title, notes, flagged) VALUES
            (1, 1, 'one', 'n', true), (2, 2, 'two', 'n', false), (3, 3, 'three', 'n', true),
            (4, 3, 'four', 'n', false), (5, 1, 'FIVE', 'n', true)""")
    project(tmp_path, monkeypatch, {"0001_titles.sql": FLAGGED_TITLES}, schema=BOOKS)
    result = pgproof("plan", "--db", empty_db, "--out", str(tmp_path / "plan.sql"))
    assert result.code == 0, result.err
    text = (tmp_path / "plan.sql").read_text()
    assert "--   public.books: 2 rows; columns id, author_id, title, flagged" in text  # not notes
    assert "--   public.authors: 2 rows; columns id, name" in text  # authors 1 and 3, not bio


def test_rows_a_statement_drops_with_a_data_loss_hazard_are_accounted_for(pgproof, legacy_db, tmp_path):
    schema = SCHEMA.read_text()
    start = schema.index("CREATE TABLE api_cache")
    schema = schema[:start] + schema[schema.index(");", start) + 2:]
    # Dropped for good (not moved to the trash: plan/keep.py), so its rows go missing.
    (tmp_path / "schema.sql").write_text(schema + "-- pgproof: drop-without-archive public.api_cache\n")
    result = pgproof("plan", "--db", legacy_db, "--schema", str(tmp_path / "schema.sql"),
                     "--out", str(tmp_path / "plan.sql"), "--rehearsal", "sample")
    assert result.code == 0, result.err
    text = (tmp_path / "plan.sql").read_text()
    assert "DATA_LOSS: drops table public.api_cache" in text
    assert "-- rehearsal: sample: " in text and "--   public.api_cache: 1 rows" in text
    assert "--   public.segments: 14 rows" in text
