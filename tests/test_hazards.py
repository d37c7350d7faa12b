"""Each hazard, found with pglast on a real plan, with the counts read from the target."""

from __future__ import annotations

import json

import pytest

from conftest import REPO, run_sql

SCHEMA = (REPO / "schema" / "schema.sql").read_text()

# (name, change to schema.sql, SQL run on the target first, expected (statement hazard
# code, words of its detail) pairs)
CASES = [
    (
        "narrowing keeps the count of values that change",
        lambda s: s.replace("speaker_label       varchar(50)", "speaker_label       varchar(5)"),
        "UPDATE segments SET speaker_label = 'Chaffee' WHERE speaker_label IS NULL",
        # the 6 'Chaffee' labels of the 8 segments are longer than 5 characters
        [("DATA_LOSS", "narrows public.segments.speaker_label to varchar(5): 6 values change or are truncated"),
         ("TABLE_REWRITE", "changes public.segments.speaker_label from character varying(50)")],
    ),
    (
        "vector dimension change: re-embed, rewrite, lock",
        lambda s: s.replace("vector(1536)", "vector(768)"),
        # with stored embeddings the plan is refused (test_real_world_plans.py); cleared, it says what it costs
        "UPDATE segments SET embedding = NULL",
        [("VECTOR_DIMENSION_CHANGE",
          "public.segments.embedding changes from public.vector(1536) to public.vector(768): 0 stored embeddings"),
         ("TABLE_REWRITE", "rewrites public.segments and rebuilds its indexes"),
         ("ACCESS_EXCLUSIVE_LOCK", "rewrites public.segments under the lock to change embedding's dimension")],
    ),
    (
        "ivfflat on too few rows",
        lambda s: s + "\nCREATE INDEX segments_embedding_cos ON segments"
        " USING ivfflat (embedding vector_cosine_ops) WITH (lists = 10);\n",
        "",
        [("IVFFLAT_SMALL_TABLE", "segments_embedding_cos on public.segments: 8 rows, fewer than lists x 39 = 390"),
         ("INDEX_BUILD", "builds index segments_embedding_cos on public.segments (8 rows)")],
    ),
    (
        "dropped column counts its values",
        lambda s: s.replace("    temperature_used    double precision,\n", ""),
        "UPDATE segments SET temperature_used = 0.2 WHERE id < 10",
        # ids 2, 5, 6 and 8 are left below 10
        [("DATA_LOSS", "drops column public.segments.temperature_used holding 4 non-NULL values")],
    ),
    (
        "dropped table counts its rows",
        lambda s: s[: s.index("-- YouTube Data API responses")],
        "",
        [("DATA_LOSS", "drops table public.api_cache with 1 rows")],
    ),
    (
        # with NULLs the plan is refused (tests/test_row_checks.py)
        "SET NOT NULL scans the table under the lock",
        lambda s: s.replace("    title          text,", "    title          text NOT NULL,"),
        "",
        [("ACCESS_EXCLUSIVE_LOCK", "SET NOT NULL on public.sources.title scans the table under the lock")],
    ),
]


@pytest.fixture
def clean_legacy(legacy_db):
    run_sql(legacy_db, "DELETE FROM segments WHERE id IN (1, 3, 4, 7, 9, 11)")
    return legacy_db


@pytest.mark.parametrize("name, change, setup, expected", CASES, ids=[c[0] for c in CASES])
def test_hazard_is_found_with_its_count(pgproof, clean_legacy, tmp_path, name, change, setup, expected):
    if setup:
        run_sql(clean_legacy, setup)
    schema = tmp_path / "schema.sql"
    schema.write_text(change(SCHEMA))
    result = pgproof("plan", "--db", clean_legacy, "--schema", str(schema),
                       "--out", str(tmp_path / "plan.sql"), "--format", "json")
    assert result.code == 0, result.err
    found = [(h["code"], h["detail"]) for h in json.loads(result.out)["hazards"]]
    for code, words in expected:
        assert any(c == code and words in detail for c, detail in found), (code, words, found)


def test_new_empty_table_with_ivfflat_warns_about_training_on_nothing(pgproof, empty_db, tmp_path):
    result = pgproof("plan", "--db", empty_db, "--out", str(tmp_path / "plan.sql"), "--format", "json")
    hazards = json.loads(result.out)["hazards"]
    assert [h["code"] for h in hazards] == ["IVFFLAT_SMALL_TABLE"]
    assert "built on the new, empty table public.segments" in hazards[0]["detail"]


def test_null_keys_are_not_duplicates_for_a_unique_index(pgproof, clean_legacy, tmp_path):
    """NULLs never clash in a unique index (unless NULLS NOT DISTINCT): rows with a NULL
    etag are no reason to warn, nor to refuse the apply."""
    run_sql(clean_legacy, "UPDATE segments SET speaker_label = 'Chaffee' WHERE speaker_label IS NULL;"
                          "INSERT INTO api_cache (cache_key, etag) VALUES ('k2', NULL), ('k3', NULL)")
    schema = tmp_path / "schema.sql"
    schema.write_text(SCHEMA + "\nCREATE UNIQUE INDEX uq_api_cache_etag ON api_cache (etag);\n")
    plan = tmp_path / "plan.sql"
    made = pgproof("plan", "--db", clean_legacy, "--schema", str(schema), "--out", str(plan), "--format", "json")
    assert made.code == 0, made.err
    assert "CONSTRAINT_VALIDATION" not in json.loads(made.out)["hazard_codes"]
    done = pgproof("apply", str(plan), "--db", clean_legacy, "--yes", "--allow-hazards", "INDEX_BUILD")
    assert done.code == 0, done.err
