"""The independent catalog check through the CLI: what migra cannot see reaches the diff,
drift never says "no drift" while the catalogs differ, and gaps are named."""

from __future__ import annotations

import json

import pytest

from conftest import REPO, run_sql
from pgproof.read import desired
from pgproof.diff.engine import converges, migra_statements

SCHEMA = REPO / "schema" / "schema.sql"
L2_INDEX = "USING ivfflat (embedding vector_l2_ops) WITH (lists = 100)"
COSINE_INDEX = "USING ivfflat (embedding vector_cosine_ops) WITH (lists = 50)"


@pytest.fixture
def schema_db(pgproof, empty_db) -> str:
    """A target holding exactly schema/schema.sql (its vector index: l2, lists = 100)."""
    run_sql(empty_db, pgproof("diff").out)
    return empty_db


@pytest.fixture
def cosine_schema(tmp_path):
    """schema.sql with the vector index changed to cosine, lists = 50, same name."""
    text = SCHEMA.read_text()
    assert L2_INDEX in text
    path = tmp_path / "schema.sql"
    path.write_text(text.replace(L2_INDEX, COSINE_INDEX))
    return path


def test_migra_alone_sees_no_change_in_the_vector_index(pg_server, schema_db, cosine_schema):
    with pg_server.database() as scratch:
        desired.load(scratch, desired.read(cosine_schema))
        assert migra_statements(schema_db, scratch) == []  # the blind spot
        assert [d.label for d in converges(schema_db, scratch)] == ["index public.segments_embedding_idx"]


def test_ivfflat_opclass_and_lists_change_is_diffed_and_converges(pgproof, schema_db, cosine_schema):
    result = pgproof("diff", "--db", schema_db, "--schema", str(cosine_schema))
    assert result.code == 0, result.err
    assert result.out == (  # the new index is built before the old one goes: never a moment without one
        "CREATE INDEX pgproof_new_segments_embedding_idx ON public.segments USING ivfflat "
        "(embedding public.vector_cosine_ops) WITH (lists = '50');\n\n"
        "DROP INDEX public.segments_embedding_idx;\n\n"
        "ALTER INDEX public.pgproof_new_segments_embedding_idx RENAME TO segments_embedding_idx;\n\n"
    )
    listed = json.loads(pgproof("diff", "--db", schema_db, "--schema", str(cosine_schema), "--format", "json").out)
    assert {s["origin"] for s in listed["statements"]} == {"catalog"}
    assert listed["gaps"] == []

    run_sql(schema_db, result.out)
    drift = pgproof("drift", "--db", schema_db, "--schema", str(cosine_schema))
    assert drift.code == 0, drift.out
    assert "No drift" in drift.out


@pytest.mark.parametrize("injected", [
    "ALTER INDEX segments_embedding_idx SET (lists = 10)",
    "DROP INDEX segments_embedding_idx; "
    "CREATE INDEX segments_embedding_idx ON segments USING ivfflat (embedding vector_ip_ops) WITH (lists = 100)",
    "DROP INDEX idx_segments_speaker; CREATE INDEX idx_segments_speaker ON segments (speaker_label COLLATE \"C\")",
])
def test_injected_difference_migra_ignores_makes_drift_exit_2(pgproof, pg_server, schema_db, injected):
    run_sql(schema_db, injected)
    with pg_server.database() as scratch:
        desired.load(scratch, desired.read(SCHEMA))
        assert migra_statements(schema_db, scratch) == []  # migra: nothing to do
    drift = pgproof("drift", "--db", schema_db)
    assert drift.code == 2, drift.out
    assert "different index public." in drift.out
    assert "DROP INDEX public." in drift.out  # and the statements that remove it

    report = json.loads(pgproof("drift", "--db", schema_db, "--format", "json").out)
    assert report["target_fingerprint"] != report["desired_fingerprint"]
    assert [d["kind"] for d in report["differences"]] == ["index"]


# A primary key index rebuilt WITH (fillfactor): only the index differs, not the
# constraint, so pgproof will not write it (named gap); the comment it can write.
GAP_BEFORE = "CREATE TABLE sources (id int, CONSTRAINT sources_pkey PRIMARY KEY (id));"
GAP_AFTER = """CREATE TABLE sources (id int, CONSTRAINT sources_pkey PRIMARY KEY (id) WITH (fillfactor = 70));
COMMENT ON TABLE sources IS 'videos';"""


@pytest.fixture
def gap_target(empty_db, tmp_path):
    run_sql(empty_db, GAP_BEFORE)
    schema = tmp_path / "schema.sql"
    schema.write_text(GAP_AFTER)
    return empty_db, str(schema)


def test_diff_prints_what_it_can_then_fails_naming_the_gap(pgproof, gap_target):
    target, schema = gap_target
    result = pgproof("diff", "--db", target, "--schema", schema)
    assert result.code == 1
    assert result.out == "COMMENT ON TABLE public.sources IS 'videos';\n\n"
    assert "constraint-index (index public.sources_pkey)" in result.err
    assert "by hand" in result.err and "docs/migra-gaps.md" in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1 or result.err.count("Error:") == 1

    payload = json.loads(pgproof("diff", "--db", target, "--schema", schema, "--format", "json").out)
    [gap] = payload["gaps"]
    assert gap["code"] == "constraint-index"
    assert gap["object"] == "public.sources_pkey"
    assert "fillfactor" in gap["desired"]["definition"] and "fillfactor" not in gap["actual"]["definition"]


def test_drift_shows_gaps_in_every_format_and_never_says_no_drift(pgproof, gap_target):
    target, schema = gap_target
    run_sql(target, "COMMENT ON TABLE sources IS 'videos'")  # all that can be written is applied

    text = pgproof("drift", "--db", target, "--schema", schema)
    assert text.code == 2
    assert "No drift" not in text.out
    assert "constraint-index: index public.sources_pkey" in text.out

    report = json.loads(pgproof("drift", "--db", target, "--schema", schema, "--format", "json").out)
    assert report["drifted"] is True
    assert [g["code"] for g in report["gaps"]] == ["constraint-index"]
    assert report["statements"] == []  # migra and pgproof have nothing to say...
    assert report["target_fingerprint"] != report["desired_fingerprint"]  # ...yet it differs

    markdown = pgproof("drift", "--db", target, "--schema", schema, "--format", "markdown")
    assert markdown.code == 2
    assert "| `constraint-index` | index `public.sources_pkey` |" in markdown.out
