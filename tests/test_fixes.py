"""Data fixes against a real PostgreSQL with pgvector: idempotent, lossless (restored
byte for byte), most informative row kept, resumable after a cancel mid-batch, preflight
before any change, and the legacy database reaching the desired schema."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import psycopg2
import pytest

from conftest import REPO, run_sql
from pgproof.ledger import archive
from pgproof.core import db
from pgproof.read import desired
from pgproof.fixes import run as fixes
from pgproof.core.errors import FixError, Refused

FIXES = fixes.discover(REPO / "data_fixes")
DEDUP = next(f for f in FIXES if f.resolves == ("uq_segments_video_text",))
# An oracle independent of the fix's own SQL: the rows 0001 must remove.
DOOMED = """
    SELECT id FROM (
        SELECT id, video_id, first_value(id) OVER (
            PARTITION BY video_id, text ORDER BY embedding IS NULL, speaker_label IS NULL, id) AS keep
        FROM segments) AS ranked
    WHERE id <> keep"""


def rows_of(url: str, table: str = "public.segments") -> dict[int, bytes]:
    """Every row of `table` in binary form (record_send): equal means equal byte for byte."""
    return {r[0]: bytes(r[1]) for r in run_sql(url, f"SELECT id, record_send(t) FROM {table} t")}


def all_rows(url: str) -> dict[str, dict[int, bytes]]:
    return {t: rows_of(url, t) for t in ("public.segments", "public.sources", "public.api_cache")}


def archived(url: str) -> list[tuple]:
    rows = run_sql(url, f"SELECT fix, table_name, row::text FROM {archive.ARCHIVE} ORDER BY 1, 2, 3")
    return rows


def has_tool_schema(url: str) -> bool:
    return run_sql(url, "SELECT to_regnamespace('pgproof') IS NOT NULL")[0][0]


# --- tricky values: a duplicate group whose removed row must come back exactly -----------

TRICKY = """
INSERT INTO segments (id, video_id, start_sec, end_sec, text, speaker_label, speaker_confidence,
                      embedding, avg_logprob, compression_ratio, no_speech_prob, metadata, created_at)
VALUES
  (20, 'vid_x', 1.0, 2.0, E'Quote '' "and" \\\\ back\\nslash, ünïcødé ✓', 'GUEST', 0.5,
   ('[' || array_to_string(ARRAY[1e-45, -0.0, 3.4e38, 0.1, -1.5, 1.17549435e-38], ',') || ']')::vector(6)::text::vector,
   -0.0, 'NaN', '-Infinity', '{"k": [1, 2.50, {"z": null}], "a": "ü"}', '2024-02-29 23:59:59.999999'),
  (21, 'vid_x', 1.0, 2.0, E'Quote '' "and" \\\\ back\\nslash, ünïcødé ✓', 'GUEST', 0.5,
   NULL, 1e-300, 1.0, 0.0, NULL, '2024-03-01 00:00:00')
"""


def add_tricky_group(url: str) -> None:
    # The embedding column is vector(1536): pad the tricky values to that size.
    run_sql(url, TRICKY.replace(
        "]')::vector(6)::text::vector",
        ",' || array_to_string(array_fill(0.25::real, ARRAY[1530]), ',') || ']')::vector",
    ))


# --- every fix in data_fixes/ ------------------------------------------------------------

@pytest.mark.parametrize("fix", FIXES, ids=[f.name for f in FIXES])
def test_every_fix_is_idempotent(legacy_db, fix):
    todo = run_sql(legacy_db, fix.todo) if fix.batched else None
    first = fixes.run(legacy_db, [fix])
    assert [r.fix for r in first] == [fix.name] and first[0].rows_changed > 0
    after_first, archive_first = all_rows(legacy_db), archived(legacy_db)
    assert fixes.pending(legacy_db, [fix]) == [(fix, 0)]

    # Run again: a fix whose todo lists rows finds none and does not run; one whose todo
    # lists slices of the table (videos, pages) passes over them and changes nothing.
    second = fixes.run(legacy_db, [fix])
    assert [(r.rows_changed, r.rows_archived) for r in second] in ([], [(0, 0)])
    if fix.batched and fix.batch:
        # Replaying the batch on the stale todo must change nothing either.
        conn = psycopg2.connect(db.libpq_url(legacy_db))
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT set_config('pgproof.fix', 'replay', false), set_config('pgproof.run_id', '0', false)")
                cur.execute(f"PREPARE replay AS {fix.batch}")
                columns = [list(c) for c in zip(*todo)]
                cur.execute(f"EXECUTE replay ({', '.join(['%s'] * len(columns))})", columns)
                assert cur.rowcount == 0
            conn.commit()
        finally:
            conn.close()
    assert all_rows(legacy_db) == after_first
    assert archived(legacy_db) == archive_first


def test_dedup_is_lossless_and_restores_byte_for_byte(legacy_db):
    add_tricky_group(legacy_db)
    before = rows_of(legacy_db)
    [result] = fixes.run(legacy_db, [DEDUP])
    after = rows_of(legacy_db)
    assert result.rows_archived == result.rows_changed == len(before) - len(after) == 7
    assert run_sql(legacy_db, f"SELECT count(*) FROM {archive.ARCHIVE}")[0][0] == 7

    run_sql(legacy_db, archive.restore_statement(DEDUP.name, "public.segments"))
    assert rows_of(legacy_db) == before  # every column, including the vector, -0.0, NaN


def test_kept_row_of_each_group_is_the_most_informative(legacy_db):
    # tests/fixtures/legacy.sql documents the winners: 2 (embedding), 5 (label),
    # 8 (embedding and label), 10 (a tie: lowest id).
    fixes.run(legacy_db, FIXES)
    kept = {r[0] for r in run_sql(legacy_db, "SELECT id FROM segments")}
    assert kept == {2, 5, 6, 8, 10, 12, 13, 14}
    removed = {r[0] for r in run_sql(legacy_db, f"SELECT (row->>'id')::int FROM {archive.ARCHIVE}")}
    assert removed == {1, 3, 4, 7, 9, 11}
    assert run_sql(legacy_db, "SELECT count(*) FROM segments WHERE speaker_label IS NULL")[0][0] == 0


def test_each_run_is_recorded(legacy_db):
    fixes.run(legacy_db, FIXES)
    runs = run_sql(legacy_db, f"""
        SELECT fix, status, rows_changed, rows_archived, duration_s > 0, finished_at >= started_at, db_user
        FROM {archive.RUNS} ORDER BY id""")
    assert runs == [
        ("0001_remove_duplicate_segments", "done", 6, 6, True, True, "postgres"),
        ("0002_null_speaker_label_to_chaffee", "done", 4, 0, True, True, "postgres"),
    ]


# --- interrupted mid-batch, then run again -----------------------------------------------

BIG = """
INSERT INTO segments (id, video_id, start_sec, end_sec, text, speaker_label, embedding)
SELECT 100 + g, 'vid_' || (g % 40), g, g + 1, 'line ' || (g % 2000),
       CASE WHEN g % 7 = 0 THEN NULL ELSE 'GUEST' END,
       CASE WHEN g % 11 = 0 THEN array_fill((g % 5)::real, ARRAY[1536])::vector END
FROM generate_series(1, 3000) AS g;
SELECT setval('segments_id_seq', 5000);
"""


PARK = """
CREATE FUNCTION park() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM pg_sleep(60); RETURN OLD; END $$;
CREATE TRIGGER park BEFORE DELETE ON segments FOR EACH ROW
  WHEN (OLD.id = {victim}) EXECUTE FUNCTION park();
"""


def test_run_cancelled_mid_batch_then_rerun_ends_like_an_uninterrupted_run(pg_server, legacy_db):
    run_sql(legacy_db, BIG)
    with pg_server.database(template=db.database_name(legacy_db)) as twin:
        fixes.run(twin, FIXES, jobs=1, batch_rows=50)  # uninterrupted

        # A trigger parks one delete in the middle of the todo, so the cancel lands inside
        # a batch whose other deletes are already done in that transaction.
        doomed = run_sql(legacy_db, DOOMED)
        # The victim is a duplicate of the middle video, so batches before it are done.
        [(victim,)] = run_sql(legacy_db, f"""
            WITH v AS (SELECT video_id, row_number() OVER (ORDER BY video_id) AS n, count(*) OVER () AS videos
                       FROM (SELECT DISTINCT video_id FROM segments) AS d)
            SELECT s.id FROM segments s JOIN v USING (video_id)
            WHERE s.id IN ({DOOMED}) ORDER BY abs(v.n - v.videos / 2), s.id LIMIT 1""")
        run_sql(legacy_db, PARK.format(victim=victim))
        outcome: dict = {}
        runner = threading.Thread(target=lambda: outcome.update(error=_run_catching(legacy_db)))
        runner.start()
        pid = _wait_for_sleeper(legacy_db)
        run_sql(legacy_db, f"SELECT pg_cancel_backend({pid})")
        runner.join(timeout=60)
        assert isinstance(outcome["error"], FixError)
        assert "canceling statement" in str(outcome["error"])
        done = run_sql(legacy_db, f"SELECT status, rows_archived FROM {archive.RUNS}")
        assert done[0][0] == "failed" and 0 < done[0][1] < len(doomed)  # half way, kept
        assert run_sql(legacy_db, f"SELECT count(*) FROM segments WHERE id = {victim:d}")[0][0] == 1

        run_sql(legacy_db, "DROP TRIGGER park ON segments; DROP FUNCTION park()")
        fixes.run(legacy_db, FIXES, jobs=2)
        assert all_rows(legacy_db) == all_rows(twin)
        assert archived(legacy_db) == archived(twin)
        assert [c for _, c in fixes.pending(legacy_db, FIXES)] == [0, 0]


def test_ctrl_c_mid_batch_rolls_it_back_and_records_the_interruption(legacy_db):
    run_sql(legacy_db, BIG)
    before = rows_of(legacy_db)
    victim = run_sql(legacy_db, DOOMED + " ORDER BY id")[0][0]
    run_sql(legacy_db, PARK.format(victim=victim))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgproof", "fixes", "run", "--db", legacy_db, "--yes"], cwd=REPO, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    _wait_for_sleeper(legacy_db)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "run the command again to resume" in err and "Traceback" not in err
    assert run_sql(legacy_db, f"SELECT status FROM {archive.RUNS}") == [("interrupted",)]
    after = rows_of(legacy_db)
    assert victim in after  # the parked batch was rolled back; the other job's were kept
    gone = {r[0] for r in run_sql(legacy_db, f"SELECT (row->>'id')::int FROM {archive.ARCHIVE}")}
    assert set(before) == set(after) | gone and not set(after) & gone


def _run_catching(url: str):
    try:
        fixes.run(url, FIXES, jobs=1, batch_rows=5)
    except Exception as exc:  # the test inspects it
        return exc
    return None


def _wait_for_sleeper(url: str) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = run_sql(url, "SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()")
        if rows:
            return rows[0][0]
        time.sleep(0.05)
    raise AssertionError("the fix never reached the parked row")


# --- preflight ---------------------------------------------------------------------------

def test_preflight_reports_too_large_keys_before_any_change(pgproof, legacy_db):
    # Random printable characters do not compress; a repeated pattern does.
    run_sql(legacy_db, """
        INSERT INTO segments (id, video_id, start_sec, end_sec, text)
        SELECT 30 + n, 'vid_long', n, n + 1,
               (SELECT string_agg(chr(33 + (random() * 90)::int), '') FROM generate_series(1, 3000 + n) WHERE n > 0)
        FROM generate_series(1, 2) AS n;
        INSERT INTO segments (id, video_id, start_sec, end_sec, text)
        VALUES (40, 'vid_long', 9, 10, repeat('carnivore ', 400));""")
    before = all_rows(legacy_db)
    result = pgproof("fixes", "run", "--db", legacy_db, "--yes")
    assert result.code == 1, result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: preflight"), result.err
    assert "2 row(s) of public.segments" in lines[0] and "first ids: 31, 32" in lines[0]
    assert "Traceback" not in result.err
    assert all_rows(legacy_db) == before
    assert not has_tool_schema(legacy_db)

    # The threshold is real: without duplicates, only the two flagged rows break the index
    # (committed deletes: an index build in the deleting transaction still sees the rows).
    run_sql(legacy_db, "DELETE FROM segments WHERE id IN (1, 3, 4, 7, 9, 11)")
    with pytest.raises(psycopg2.errors.ProgramLimitExceeded):
        run_sql(legacy_db, "CREATE UNIQUE INDEX probe ON segments (video_id, text)")
    run_sql(legacy_db, "DELETE FROM segments WHERE id IN (31, 32)")
    run_sql(legacy_db, "CREATE UNIQUE INDEX probe ON segments (video_id, text)")  # 40 fits


def test_preflight_reports_duplicates_no_fix_resolves(legacy_db):
    keys = fixes.unique_keys(desired.read(REPO / "schema" / "schema.sql"))
    before = all_rows(legacy_db)
    without_dedup = [f for f in FIXES if f is not DEDUP]
    [problem] = fixes.preflight(legacy_db, without_dedup, keys)
    assert (problem.kind, problem.count, problem.first_ids) == ("duplicates", 4, ("1", "4", "7", "10"))
    assert "uq_segments_video_text cannot be created" in problem.message
    assert fixes.preflight(legacy_db, FIXES, keys) == []  # 0001 resolves it
    assert all_rows(legacy_db) == before and not has_tool_schema(legacy_db)


def test_unique_keys_come_from_the_desired_schema():
    keys = fixes.unique_keys(desired.read(REPO / "schema" / "schema.sql"))
    assert fixes.UniqueKey("public.segments", ("video_id", "text"), "uq_segments_video_text") in keys
    assert fixes.UniqueKey("public.api_cache", ("cache_key",), "api_cache_cache_key_key") in keys


# --- the legacy database reaches the desired schema --------------------------------------

def test_legacy_fixes_then_diff_applies_and_drift_is_clean(pgproof, legacy_db):
    status = pgproof("fixes", "status", "--db", legacy_db)
    assert status.code == 0, status.err
    assert status.out.split("\n")[1].split()[:3] == ["0001_remove_duplicate_segments", "before", "6"]
    assert status.out.split("\n")[2].split()[:3] == ["0002_null_speaker_label_to_chaffee", "before", "8"]

    ran = pgproof("fixes", "run", "--db", legacy_db, "--yes")
    assert ran.code == 0, ran.err
    # Progress counts rows, what status counted (not the three videos 0001 works through).
    assert "data fix 0001_remove_duplicate_segments: 6 rows in " in ran.err
    assert ran.out.split("\n")[1].split()[:3] == ["0001_remove_duplicate_segments", "6", "6"]

    diff = pgproof("diff", "--db", legacy_db)
    assert diff.code == 0 and "uq_segments_video_text" in diff.out, diff.err
    run_sql(legacy_db, diff.out)
    drift = pgproof("drift", "--db", legacy_db)
    assert drift.code == 0, drift.out + drift.err
    again = pgproof("fixes", "run", "--db", legacy_db, "--yes")
    assert again.code == 0 and "Nothing to do" in again.err


def test_status_is_read_only_and_works_for_a_read_only_role(pgproof, legacy_db):
    name = db.database_name(legacy_db)
    run_sql(legacy_db, f"""
        DO $$ BEGIN CREATE ROLE pgd_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
        GRANT CONNECT ON DATABASE "{name}" TO pgd_reader;
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO pgd_reader;
        ALTER ROLE pgd_reader SET default_transaction_read_only = on;""")
    reader = legacy_db.replace("postgresql://postgres@", "postgresql://pgd_reader@")
    result = pgproof("fixes", "status", "--db", reader)
    assert result.code == 0, result.err
    assert "0001_remove_duplicate_segments" in result.out
    assert not has_tool_schema(legacy_db)


def test_a_second_run_at_once_is_refused(legacy_db):
    conn = psycopg2.connect(db.libpq_url(legacy_db))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (fixes._ADVISORY_KEY,))
        with pytest.raises(Refused, match="another pgproof fixes run"):
            fixes.run(legacy_db, FIXES)
    finally:
        conn.close()


def test_phase_selects_fixes(legacy_db):
    assert fixes.run(legacy_db, FIXES, phase="after") == []
    assert len(fixes.run(legacy_db, FIXES, phase="before")) == 2


# --- the fix format ----------------------------------------------------------------------

def write(folder, name: str, text: str):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize("name, text, message", [
    ("0001_a.sql", "-- check: SELECT 1\nUPDATE t SET x = 1;\n", "0001_a.sql:1: the header declares no phase"),
    ("0001_a.sql", "-- about\n-- phase: during\nSELECT 1;\nSELECT 2;\n", "0001_a.sql:2: phase must be 'before' or 'after'"),
    ("0001_a.sql", "-- phase: before\nUPDATE t SET x = 1;\n", "0001_a.sql:1: a one-statement fix needs a check"),
    ("0001_a.sql", "-- phase: before\n-- check: SELEC count(*)\nUPDATE t SET x = 1;\n", "0001_a.sql:2:"),
    ("0001_a.sql", "-- phase: before\n\nSELECT id FROM t;\nUPDATE t SET x = WHERE;\n", "0001_a.sql:4: syntax error"),
    ("1_a.sql", "-- phase: before\n", "must be named NNNN_name.sql"),
    ("0001_a.py", "PHASE = 'before'\nWORKLIST = 'SELECT 1'\n", "needs 'def batch(cursor, rows) -> int'"),
])
def test_a_malformed_fix_is_named_at_file_and_line(tmp_path, name, text, message):
    write(tmp_path / "fixes", name, text)
    with pytest.raises(FixError, match=None) as caught:
        fixes.discover(tmp_path / "fixes")
    assert message in str(caught.value)


def test_multi_line_check_and_one_statement_fix(tmp_path, legacy_db):
    folder = write(tmp_path / "fixes", "0001_tidy_cache.sql", (
        "-- Lower-case the cache keys.\n"
        "-- phase: after\n"
        "-- check: SELECT count(*)\n"
        "--     FROM api_cache WHERE cache_key <> lower(cache_key)\n"
        "UPDATE api_cache SET cache_key = lower(cache_key) WHERE cache_key <> lower(cache_key);\n"
    ))
    [fix] = fixes.discover(folder)
    assert fix.phase == "after" and not fix.batched and "lower(cache_key)" in fix.check
    run_sql(legacy_db, "UPDATE api_cache SET cache_key = 'Channel:X'")
    assert fixes.pending(legacy_db, [fix]) == [(fix, 1)]
    [result] = fixes.run(legacy_db, [fix])
    assert result.rows_changed == 1 and fixes.pending(legacy_db, [fix]) == [(fix, 0)]


def test_python_fix(tmp_path, legacy_db):
    folder = write(tmp_path / "fixes", "0001_trim_titles.py", (
        '"""Trim the titles of sources."""\n'
        "PHASE = 'before'\n"
        "WORKLIST = \"SELECT id FROM sources WHERE title <> btrim(title) ORDER BY id\"\n\n"
        "def batch(cursor, rows):\n"
        "    cursor.execute('UPDATE sources SET title = btrim(title) WHERE id = ANY(%s) AND title <> btrim(title)',\n"
        "                   ([r[0] for r in rows],))\n"
        "    return cursor.rowcount\n"
    ))
    run_sql(legacy_db, "UPDATE sources SET title = '  ' || title || ' '")
    [fix] = fixes.discover(folder)
    [result] = fixes.run(legacy_db, [fix])
    assert result.rows_changed == 3
    assert run_sql(legacy_db, "SELECT count(*) FROM sources WHERE title <> btrim(title)")[0][0] == 0


def test_fixes_on_a_database_without_their_tables_have_nothing_to_do(pgproof, empty_db):
    status = pgproof("fixes", "status", "--db", empty_db)
    assert status.code == 0, status.err
    assert [line.split()[2] for line in status.out.splitlines()[1:]] == ["0", "0"]
    ran = pgproof("fixes", "run", "--db", empty_db, "--yes")
    assert ran.code == 0 and "Nothing to do" in ran.err, ran.err


def test_a_failing_check_is_one_sentence(tmp_path, legacy_db):
    folder = write(tmp_path / "fixes", "0001_bad.sql", (
        "-- phase: before\n-- check: SELECT count(*) / 0 FROM segments\nUPDATE segments SET text = text;\n"))
    with pytest.raises(FixError, match=r"the check of 0001_bad.sql failed: division by zero; fix its check query"):
        fixes.pending(legacy_db, fixes.discover(folder))


def test_fixes_run_refuses_duplicates_no_fix_resolves(pgproof, legacy_db, tmp_path, monkeypatch):
    # A project whose data_fixes/ lacks 0001: the unique key would fail on 4 groups.
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pgproof]\nschema = "{REPO / "schema" / "schema.sql"}"\nfixes = "data_fixes"\n')
    (tmp_path / "data_fixes").mkdir()
    (tmp_path / "data_fixes" / "0002_labels.sql").write_text(
        (REPO / "data_fixes" / "0002_null_speaker_label_to_chaffee.sql").read_text())
    monkeypatch.chdir(tmp_path)
    before = all_rows(legacy_db)
    result = pgproof("fixes", "run", "--db", legacy_db, "--yes")
    assert result.code == 1 and result.out == ""
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert "4 group(s) of rows in public.segments share the same (video_id, text)" in lines[0]
    assert "first ids: 1, 4, 7, 10" in lines[0] and "resolves: uq_segments_video_text" in lines[0]
    assert all_rows(legacy_db) == before and not has_tool_schema(legacy_db)
