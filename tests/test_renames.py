"""Rename directives: the plan renames instead of dropping and adding, every value is
kept, the proof and the rollback work as for any plan, and a stale or wrong directive is
a no-op or one clear error."""

from __future__ import annotations

from conftest import run_sql

TARGET = """
CREATE TABLE public.notes (id int PRIMARY KEY, speaker_label text NOT NULL);
CREATE INDEX notes_label ON public.notes (speaker_label);
INSERT INTO public.notes VALUES (1, 'Chaffee'), (2, 'Guest'), (3, 'Host');
CREATE TABLE public.videos (id int PRIMARY KEY, title text);
INSERT INTO public.videos VALUES (7, 'seven');
"""
DESIRED = """-- the label is now called speaker, and videos are clips
-- pgproof: rename column public.notes.speaker from speaker_label
-- pgproof: rename table public.clips from videos
-- pgproof: rename index public.notes_speaker from notes_label
-- pgproof: rename constraint public.clips.clips_pkey from videos_pkey
CREATE TABLE public.notes (id int PRIMARY KEY, speaker text NOT NULL);
CREATE INDEX notes_speaker ON public.notes (speaker);
CREATE TABLE public.clips (id int CONSTRAINT clips_pkey PRIMARY KEY, title text);
"""


def test_renamed_column_and_table_keep_their_values_and_the_rollback_renames_back(pgproof, empty_db, tmp_path):
    run_sql(empty_db, TARGET)
    schema = tmp_path / "schema.sql"
    schema.write_text(DESIRED)
    drift = pgproof("drift", "--db", empty_db, "--schema", str(schema))
    assert drift.code == 2, drift.err
    plan_path = tmp_path / "plan.sql"
    made = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(plan_path))
    assert made.code == 0, made.err
    text = plan_path.read_text()
    assert "ALTER TABLE public.notes RENAME COLUMN speaker_label TO speaker;" in text
    assert "ALTER TABLE public.videos RENAME TO clips;" in text
    assert "ALTER INDEX public.notes_label RENAME TO notes_speaker;" in text
    assert "DROP COLUMN" not in text.upper() and "DATA_LOSS" not in text and "drop table" not in text.lower()
    applied = pgproof("apply", str(plan_path), "--db", empty_db, "--yes")
    assert applied.code == 0, applied.err
    assert run_sql(empty_db, "SELECT id, speaker FROM public.notes ORDER BY id") == [
        (1, "Chaffee"), (2, "Guest"), (3, "Host")]
    assert run_sql(empty_db, "SELECT id, title FROM public.clips") == [(7, "seven")]
    assert pgproof("drift", "--db", empty_db, "--schema", str(schema)).code == 0
    # the directives stay in the file and now do nothing
    again = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(tmp_path / "again.sql"))
    assert again.code == 0 and "Nothing to do" in again.err, again.err
    # the rollback renames back, values kept
    rollback = tmp_path / "plan.rollback.sql"
    assert "RENAME COLUMN speaker TO speaker_label" in rollback.read_text()
    back = pgproof("apply", str(rollback), "--db", empty_db, "--yes")
    assert back.code == 0, back.err
    assert run_sql(empty_db, "SELECT id, speaker_label FROM public.notes ORDER BY id") == [
        (1, "Chaffee"), (2, "Guest"), (3, "Host")]
    assert run_sql(empty_db, "SELECT title FROM public.videos") == [("seven",)]


def test_a_directive_naming_neither_name_is_one_error_at_file_line(pgproof, empty_db, tmp_path):
    run_sql(empty_db, TARGET)
    schema = tmp_path / "schema.sql"
    schema.write_text(DESIRED.replace("from speaker_label", "from speeker"))
    drift = pgproof("drift", "--db", empty_db, "--schema", str(schema))
    assert drift.code == 1
    assert ("schema.sql:2: rename column public.notes.speaker from speeker: the target has this column under neither name"
            in drift.err)
    assert "Traceback" not in drift.err and len(drift.err.strip().splitlines()) == 1


def test_a_malformed_directive_and_a_new_name_the_schema_lacks_are_errors(pgproof, empty_db, tmp_path):
    run_sql(empty_db, TARGET)
    schema = tmp_path / "schema.sql"
    schema.write_text("-- pgproof: rename colum public.notes.speaker from speaker_label\n" + DESIRED)
    made = pgproof("diff", "--db", empty_db, "--schema", str(schema))
    assert made.code == 1 and "schema.sql:1: '-- pgproof: rename colum" in made.err
    schema.write_text(DESIRED.replace("rename column public.notes.speaker", "rename column public.notes.talker"))
    made = pgproof("diff", "--db", empty_db, "--schema", str(schema))
    assert made.code == 1 and "the schema declares no column public.notes.talker" in made.err


def test_directives_do_nothing_on_an_empty_target(pgproof, tmp_path):
    schema = tmp_path / "schema.sql"
    schema.write_text(DESIRED)
    made = pgproof("diff", "--schema", str(schema))
    assert made.code == 0, made.err
    assert "RENAME" not in made.out and 'create table "public"."clips"' in made.out
