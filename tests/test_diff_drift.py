"""diff and drift against a real PostgreSQL with pgvector: the round trip converges, the
legacy database is reported, comments survive."""

from __future__ import annotations

import json
import re

from pglast import parse_sql
from pglast.ast import CommentStmt

from conftest import REPO, run_sql


def schema_comments() -> int:
    return sum(
        isinstance(raw.stmt, CommentStmt)
        for raw in parse_sql((REPO / "schema" / "schema.sql").read_text())
    )


def test_diff_without_target_prints_full_creation_script_that_converges(pgproof, empty_db):
    created = pgproof("diff")
    assert created.code == 0, created.err
    assert "create table \"public\".\"segments\"" in created.out
    assert "USING ivfflat" in created.out
    assert "version '" not in created.out  # no pinned extension version

    run_sql(empty_db, created.out)

    drift = pgproof("drift", "--db", empty_db)
    assert drift.code == 0, drift.out + drift.err
    assert "No drift" in drift.out
    assert pgproof("diff", "--db", empty_db, "--exit-code").code == 0

    comments = run_sql(empty_db, """
        SELECT c.relname, a.attname, d.description FROM pg_description d
        JOIN pg_class c ON c.oid = d.objoid
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
        WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1, 2""")
    assert len(comments) == schema_comments() == 8
    assert ("segments", "speaker_label", "Chaffee, GUEST, or NULL") in comments


def test_legacy_drift_names_the_missing_constraint(pgproof, legacy_db):
    result = pgproof("drift", "--db", legacy_db)
    assert result.code == 2, result.err
    assert "missing constraint public.segments.uq_segments_video_text" in result.out
    assert "alembic_version" not in result.out  # excluded by default


def test_legacy_drift_json_lists_the_constraint(pgproof, legacy_db):
    result = pgproof("drift", "--db", legacy_db, "--format", "json")
    assert result.code == 2
    report = json.loads(result.out)
    assert report["drifted"] is True
    missing = {(d["kind"], d["object"]) for d in report["differences"] if d["status"] == "missing"}
    assert ("constraint", "public.segments.uq_segments_video_text") in missing
    assert ("index", "public.uq_segments_video_text") in missing
    assert report["target_fingerprint"] != report["desired_fingerprint"]


def test_legacy_diff_prints_the_statements(pgproof, legacy_db):
    result = pgproof("diff", "--db", legacy_db)
    assert result.code == 0
    assert "CREATE UNIQUE INDEX uq_segments_video_text ON public.segments" in result.out
    assert 'add constraint "uq_segments_video_text" UNIQUE using index' in result.out
    assert "alembic_version" not in result.out
    assert pgproof("diff", "--db", legacy_db, "--exit-code").code == 2


def test_diff_json_format(pgproof, legacy_db):
    result = pgproof("diff", "--db", legacy_db, "--format", "json")
    payload = json.loads(result.out)
    assert payload["format"] == "pgproof.diff/1"
    assert any("uq_segments_video_text" in s["sql"] for s in payload["statements"])


def test_changed_comment_is_diffed_and_removed_comment_is_cleared(pgproof, empty_db):
    run_sql(empty_db, pgproof("diff").out)
    run_sql(empty_db, """
        COMMENT ON COLUMN segments.video_id IS 'stale text';
        COMMENT ON COLUMN segments.speaker_label IS NULL;
        COMMENT ON TABLE api_cache IS 'not in the schema file';""")
    drift = pgproof("drift", "--db", empty_db)
    assert drift.code == 2
    assert "different comment COLUMN public.segments.video_id" in drift.out
    assert "missing comment COLUMN public.segments.speaker_label" in drift.out
    assert "extra comment TABLE public.api_cache" in drift.out
    statements = pgproof("diff", "--db", empty_db).out
    assert "COMMENT ON TABLE public.api_cache IS NULL;" in statements
    run_sql(empty_db, statements)
    assert pgproof("drift", "--db", empty_db).code == 0


def test_extension_version_difference_is_information_not_drift(pgproof, empty_db):
    run_sql(empty_db, pgproof("diff").out)
    # Production runs another pgvector build; only 0.8.6 installs here, so say so in the catalog.
    run_sql(empty_db, "UPDATE pg_extension SET extversion = '0.8.0' WHERE extname = 'vector'")
    result = pgproof("drift", "--db", empty_db)
    assert result.code == 0, result.out
    assert re.search(r"extension vector is version 0.8.0 on the target and 0\.8\.\d+ in the scratch", result.out)


def test_excluded_objects_never_appear(pgproof, empty_db):
    run_sql(empty_db, pgproof("diff").out)
    run_sql(empty_db, """
        CREATE SCHEMA pgproof; CREATE TABLE pgproof.history (id int);
        CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
        COMMENT ON TABLE alembic_version IS 'legacy';""")
    assert pgproof("drift", "--db", empty_db).code == 0
    assert pgproof("diff", "--db", empty_db).out == ""
