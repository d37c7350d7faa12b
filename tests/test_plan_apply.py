"""plan and apply against a real PostgreSQL: review exactly what runs, refuse what is
unsafe, survive failures, and keep the application writing."""

from __future__ import annotations

import re
import subprocess
import threading
import time

import psycopg2
import pytest

from conftest import REPO, run_sql
from pgproof.apply import run as apply_module
from pgproof.read import catalog
from pgproof.core import db, plan_file
from pgproof.ledger import history

SCHEMA = (REPO / "schema" / "schema.sql").read_text()
DUPLICATE_IDS = "1, 3, 4, 7, 9, 11"  # the legacy fixture's duplicates (fix 0001 removes these)


@pytest.fixture
def clean_legacy(legacy_db):
    """The legacy database with its duplicates already gone: only the schema differs."""
    run_sql(legacy_db, f"DELETE FROM segments WHERE id IN ({DUPLICATE_IDS})")
    return legacy_db


def fingerprint(url: str) -> str:
    return catalog.describe(url).fingerprint()


def invalid_indexes(url: str) -> list:
    return run_sql(url, "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid")


def make_plan(pgproof, url: str, tmp_path, schema_text: str | None = None, name: str = "plan.sql"):
    args = ["plan", "--db", url, "--out", str(tmp_path / name)]
    if schema_text is not None:
        schema = tmp_path / "schema.sql"
        schema.write_text(schema_text)
        args += ["--schema", str(schema)]
    result = pgproof(*args)
    assert result.code == 0, result.err
    return tmp_path / name


def test_plan_apply_drift_on_the_legacy_schema(pgproof, clean_legacy, tmp_path):
    plan = make_plan(pgproof, clean_legacy, tmp_path)
    text = plan.read_text()
    assert "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_segments_video_text" in text
    assert "UNIQUE using index" in text
    assert "SET lock_timeout = '3000ms';" in text
    assert (tmp_path / "plan.rollback.sql").exists()

    refused = pgproof("apply", str(plan), "--db", clean_legacy, "--yes")
    assert refused.code == 3
    assert "--allow-hazards DATA_FIX,INDEX_BUILD" in refused.err

    rows_before = run_sql(clean_legacy, "SELECT count(*) FROM segments")
    done = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert done.code == 0, done.err
    assert pgproof("drift", "--db", clean_legacy).code == 0
    assert run_sql(clean_legacy, "SELECT count(*) FROM segments") == rows_before
    assert invalid_indexes(clean_legacy) == []

    history = pgproof("history", "--db", clean_legacy)
    assert history.code == 0
    assert "succeeded" in history.out and "2/2" in history.out

    again = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert again.code == 0 and "already applied" in again.err


def test_plan_passes_squawk(pgproof, clean_legacy, empty_db, tmp_path):
    seed = make_plan(pgproof, clean_legacy, tmp_path, name="seed.sql")
    full = make_plan(pgproof, empty_db, tmp_path, name="full.sql")
    for plan in (seed, full):
        lint = subprocess.run(
            [str(REPO / ".venv" / "bin" / "squawk"), str(plan)], cwd=REPO, capture_output=True, text=True
        ) if (REPO / ".venv" / "bin" / "squawk").exists() else subprocess.run(
            ["squawk", str(plan)], cwd=REPO, capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr


def test_stale_plan_is_refused(pgproof, clean_legacy, tmp_path):
    plan = make_plan(pgproof, clean_legacy, tmp_path)
    run_sql(clean_legacy, "CREATE INDEX someone_elses ON sources (title)")
    result = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert result.code == 3
    assert "the plan is stale" in result.err
    assert run_sql(clean_legacy, "SELECT to_regclass('uq_segments_video_text')") == [(None,)]


@pytest.mark.parametrize("edit", ["statement", "data", "header"])
def test_edited_plan_is_refused(pgproof, clean_legacy, tmp_path, edit):
    plan = make_plan(pgproof, clean_legacy, tmp_path)
    text = plan.read_text()
    if edit == "statement":
        text = text.replace("UNIQUE using index", "UNIQUE using index ", 1)
    elif edit == "data":
        text = text.replace('"lock_timeout_ms":3000', '"lock_timeout_ms":999999', 1)
    else:
        text = re.sub(r"-- hazards \(.*\n(--   .*\n)+", "-- hazards: none\n", text)
    plan.write_text(text)
    result = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert result.code == 3, result.err
    assert "edited" in result.err or "damaged" in result.err


def test_second_apply_waits_then_is_refused(pgproof, clean_legacy, tmp_path, monkeypatch):
    plan = make_plan(pgproof, clean_legacy, tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pgproof]\napply_lock_wait_s = 1\nfixes = "{REPO / "data_fixes"}"\n'
    )
    monkeypatch.chdir(tmp_path)
    holder = psycopg2.connect(db.libpq_url(clean_legacy))
    holder.autocommit = True
    holder.cursor().execute("SELECT pg_advisory_lock(%s)", (apply_module.ADVISORY_KEY,))
    try:
        started = time.monotonic()
        result = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
        assert result.code == 3
        assert "another pgproof apply is running on this database" in result.err
        assert time.monotonic() - started >= 1.0
    finally:
        holder.close()
    # Once the other apply is gone, the same plan applies.
    done = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert done.code == 0, done.err


def test_second_apply_waits_for_the_first(pgproof, clean_legacy, tmp_path):
    plan = make_plan(pgproof, clean_legacy, tmp_path)
    holder = psycopg2.connect(db.libpq_url(clean_legacy))
    holder.autocommit = True
    holder.cursor().execute("SELECT pg_advisory_lock(%s)", (apply_module.ADVISORY_KEY,))
    threading.Timer(1.0, holder.close).start()
    started = time.monotonic()
    done = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert done.code == 0, done.err
    assert time.monotonic() - started >= 1.0


def test_failure_in_the_middle_leaves_a_clean_point_and_the_rerun_finishes(pgproof, clean_legacy, tmp_path):
    change = SCHEMA + (
        "\nCREATE INDEX idx_segments_end ON segments (end_sec);\n"
        "ALTER TABLE segments ADD CONSTRAINT segments_positive_start CHECK (start_sec >= 0 AND 1 / (end_sec - start_sec) > 0);\n"
        "CREATE INDEX idx_sources_title ON sources (title);\n"
    )
    plan = make_plan(pgproof, clean_legacy, tmp_path, change)
    allow = "CONSTRAINT_VALIDATION,DATA_FIX,INDEX_BUILD"
    # A row that breaks the check arrives after review: data, so the plan is not stale. Apply
    # counts the check's rows again before the first statement, but this row makes the
    # count itself fail (division by zero), so only the statement meets it.
    run_sql(clean_legacy, "INSERT INTO segments (video_id, start_sec, end_sec, text) VALUES ('vid_x', 5, 5, 'negative')")
    failed = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", allow)
    assert failed.code == 1
    assert "division by zero" in failed.err
    assert "a clean point" in failed.err and "run the same apply again" in failed.err
    assert invalid_indexes(clean_legacy) == []
    assert pgproof("drift", "--db", clean_legacy, "--schema", str(tmp_path / "schema.sql")).code == 2

    run_sql(clean_legacy, "DELETE FROM segments WHERE text = 'negative'")
    resumed = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", allow)
    assert resumed.code == 0, resumed.err
    assert "Resuming" in resumed.err
    assert pgproof("drift", "--db", clean_legacy, "--schema", str(tmp_path / "schema.sql")).code == 0
    history = pgproof("history", "--db", clean_legacy).out
    assert "failed" in history and "succeeded" in history


def test_stop_between_a_commit_and_its_catalog_record_resumes_after_it(pgproof, clean_legacy, tmp_path,
                                                                         monkeypatch):
    """A transactional step records its number inside its transaction and the catalog
    after COMMIT, outside its locks; a stop in between leaves the catalog of an earlier
    step, and the rerun resumes after the committed step instead of calling it stale."""
    change = SCHEMA + (
        "\nCREATE INDEX idx_segments_end ON segments (end_sec);\n"
        "ALTER TABLE segments ADD CONSTRAINT segments_ordered CHECK (end_sec >= start_sec);\n"
        "CREATE INDEX idx_sources_title ON sources (title);\n"
    )
    path = make_plan(pgproof, clean_legacy, tmp_path, change)
    statements = plan_file.read(path).statements
    stop_at = next(n for n, s in enumerate(statements, start=1) if s.transactional and n < len(statements))
    real = history.progress

    def progress(conn, entry_id, statements_done, *args, **kwargs):
        if statements_done == stop_at:
            raise KeyboardInterrupt  # after COMMIT, before the catalog after it is recorded
        return real(conn, entry_id, statements_done, *args, **kwargs)

    monkeypatch.setattr(history, "progress", progress)
    allow = "CONSTRAINT_VALIDATION,DATA_FIX,INDEX_BUILD"
    stopped = pgproof("apply", str(path), "--db", clean_legacy, "--yes", "--allow-hazards", allow)
    assert stopped.code == 130, stopped.err
    assert run_sql(clean_legacy, "SELECT statements_done, state_at < statements_done FROM pgproof.apply_history "
                                 "ORDER BY id DESC LIMIT 1") == [(stop_at, True)]

    monkeypatch.setattr(history, "progress", real)
    resumed = pgproof("apply", str(path), "--db", clean_legacy, "--yes", "--allow-hazards", allow)
    assert resumed.code == 0, resumed.err
    assert f"Resuming an interrupted apply of this plan at statement {stop_at + 1}" in resumed.err
    assert pgproof("drift", "--db", clean_legacy, "--schema", str(tmp_path / "schema.sql")).code == 0


def test_failed_concurrent_index_leaves_no_invalid_index_and_nothing_changed(pgproof, clean_legacy, tmp_path):
    change = SCHEMA + "\nCREATE INDEX idx_segments_rate ON segments ((1 / (end_sec - start_sec)));\n"
    plan = make_plan(pgproof, clean_legacy, tmp_path, change)
    before = fingerprint(clean_legacy)
    # A zero-length segment arrives after review: the index expression divides by zero.
    run_sql(clean_legacy, "INSERT INTO segments (video_id, start_sec, end_sec, text) VALUES ('vid_a', 20, 20, 'hm')")
    failed = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert failed.code == 1
    assert "division by zero" in failed.err
    assert "no statement was applied" in failed.err
    assert invalid_indexes(clean_legacy) == []
    assert fingerprint(clean_legacy) == before


def test_unique_expression_index_is_checked_with_its_expressions(pgproof, clean_legacy, tmp_path):
    change = SCHEMA + "\nCREATE UNIQUE INDEX uq_segments_lower_text ON segments (video_id, lower(text));\n"
    plan = make_plan(pgproof, clean_legacy, tmp_path, change)
    assert "CONSTRAINT_VALIDATION" not in plan.read_text()  # no duplicates of (video_id, lower(text)) yet
    run_sql(clean_legacy, "INSERT INTO segments (video_id, start_sec, end_sec, text) VALUES "
                          "('vid_a', 20, 21, 'LOUD'), ('vid_a', 22, 23, 'loud')")
    refused = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert refused.code == 1
    assert "1 groups of rows with equal (video_id, (lower(text)))" in refused.err
    assert invalid_indexes(clean_legacy) == []


def test_duplicates_no_fix_resolves_refuse_the_plan(pgproof, clean_legacy, tmp_path):
    """Duplicates that no data fix resolves: the plan is refused with the count, the rows
    and a data fix skeleton (apply's own count: test_unique_expression_index_...)."""
    run_sql(clean_legacy, "UPDATE segments SET speaker_label = 'Chaffee' WHERE speaker_label IS NULL;"
                          "UPDATE api_cache SET etag = 'same'; INSERT INTO api_cache (cache_key, etag) VALUES ('k2', 'same')")
    schema = tmp_path / "schema.sql"
    schema.write_text(SCHEMA + "\nCREATE UNIQUE INDEX uq_api_cache_etag ON api_cache (etag);\n")
    result = pgproof("plan", "--db", clean_legacy, "--schema", str(schema), "--out", str(tmp_path / "plan.sql"))
    assert result.code == 3, result.err
    assert "statement 1: public.api_cache has 1 groups of rows with equal (etag)" in result.err
    assert "resolves: uq_api_cache_etag" in (tmp_path / "plan.fix-skeleton-public.api_cache.sql").read_text()
    assert not (tmp_path / "plan.sql").exists()


def test_legacy_plan_apply_drift_keeps_or_archives_every_row(pgproof, legacy_db, tmp_path):
    """The whole job on the database the old Alembic setup left: data fixes, then the
    unique constraint, then no drift; every segment is kept or archived."""
    before = {row[0]: row for row in run_sql(legacy_db, "SELECT id, s::text FROM segments s")}
    plan = make_plan(pgproof, legacy_db, tmp_path)
    text = plan.read_text()
    assert "--   0001_remove_duplicate_segments (before): 6 rows" in text
    assert "--   0002_null_speaker_label_to_chaffee (before): 8 rows" in text
    assert "6 groups" not in text and "CONSTRAINT_VALIDATION" in text
    done = pgproof("apply", str(plan), "--db", legacy_db, "--yes",
                     "--allow-hazards", "CONSTRAINT_VALIDATION,DATA_FIX,INDEX_BUILD")
    assert done.code == 0, done.err
    assert pgproof("drift", "--db", legacy_db).code == 0
    kept = {row[0] for row in run_sql(legacy_db, "SELECT id FROM segments")}
    archived = {row[0] for row in run_sql(legacy_db, "SELECT (row->>'id')::int FROM pgproof.archived_rows")}
    assert kept | archived == set(before) and not kept & archived
    assert archived == {1, 3, 4, 7, 9, 11}
    assert run_sql(legacy_db, "SELECT count(*) FROM segments WHERE speaker_label IS NULL") == [(0,)]
    assert pgproof("fixes", "status", "--db", legacy_db).out.count(" 0 ") >= 2


def test_rollback_returns_to_the_earlier_schema(pgproof, clean_legacy, tmp_path):
    change = SCHEMA + (
        "\nALTER TABLE sources ADD COLUMN language varchar(10) DEFAULT 'en';\n"
        "CREATE INDEX idx_segments_end ON segments (end_sec);\n"
        "COMMENT ON TABLE api_cache IS 'YouTube API responses';\n"
    )
    original = fingerprint(clean_legacy)
    plan = make_plan(pgproof, clean_legacy, tmp_path, change)
    rollback = tmp_path / "plan.rollback.sql"
    assert "drops column public.sources.language" in rollback.read_text()
    forward = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert forward.code == 0, forward.err
    assert fingerprint(clean_legacy) != original
    back = pgproof("apply", str(rollback), "--db", clean_legacy, "--yes",
                     "--allow-hazards", "DATA_LOSS,INDEX_DROP")
    assert back.code == 0, back.err
    assert fingerprint(clean_legacy) == original


def test_a_writer_keeps_inserting_while_the_unique_index_builds(pgproof, clean_legacy, tmp_path):
    run_sql(clean_legacy, """
        INSERT INTO segments (video_id, start_sec, end_sec, text)
        SELECT 'bulk_' || (g % 500), g, g + 1, md5(g::text) || repeat(' transcript words', 9)
        FROM generate_series(1, 300000) g""")
    plan = make_plan(pgproof, clean_legacy, tmp_path)
    building: list[tuple[float, float]] = []
    inserts: list[float] = []
    stop = threading.Event()

    def watch_build() -> None:
        conn = psycopg2.connect(db.libpq_url(clean_legacy))
        conn.autocommit = True
        cur = conn.cursor()
        while not stop.is_set():
            cur.execute("SELECT count(*) FROM pg_stat_progress_create_index")
            if cur.fetchone()[0]:
                building.append((time.monotonic(), time.monotonic()))
            time.sleep(0.005)
        conn.close()

    def write() -> None:
        conn = psycopg2.connect(db.libpq_url(clean_legacy))
        conn.autocommit = True
        cur = conn.cursor()
        n = 0
        while not stop.is_set():
            n += 1
            cur.execute("INSERT INTO segments (video_id, start_sec, end_sec, text) VALUES ('live', %s, %s, %s)",
                        (n, n + 1, f"live segment {n}"))
            inserts.append(time.monotonic())
        conn.close()

    threads = [threading.Thread(target=watch_build), threading.Thread(target=write)]
    for t in threads:
        t.start()
    try:
        done = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert done.code == 0, done.err
    assert building, "the index build was never observed"
    build_start, build_end = building[0][0], building[-1][0]
    during = [t for t in inserts if build_start <= t <= build_end]
    assert len(during) > 10, (len(during), build_end - build_start)
    assert pgproof("drift", "--db", clean_legacy).code == 0


def test_read_only_role_can_plan_but_not_apply(pgproof, clean_legacy, tmp_path, pg_server):
    dbname = db.database_name(clean_legacy)
    run_sql(clean_legacy, f"""
        DROP ROLE IF EXISTS pgd_reader_{dbname[-6:]};
        CREATE ROLE pgd_reader_{dbname[-6:]} LOGIN;
        GRANT CONNECT ON DATABASE "{dbname}" TO pgd_reader_{dbname[-6:]};
        GRANT USAGE ON SCHEMA public TO pgd_reader_{dbname[-6:]};
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO pgd_reader_{dbname[-6:]};
        GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO pgd_reader_{dbname[-6:]};""")
    reader = clean_legacy.replace("postgres@", f"pgd_reader_{dbname[-6:]}@")
    before = fingerprint(clean_legacy)
    assert pgproof("drift", "--db", reader).code == 2
    plan = make_plan(pgproof, reader, tmp_path)
    result = pgproof("apply", str(plan), "--db", reader, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert result.code == 1
    assert "cannot apply with this role" in result.err and "nothing was changed" in result.err
    assert fingerprint(clean_legacy) == before
    assert run_sql(clean_legacy, "SELECT to_regnamespace('pgproof')") == [(None,)]
