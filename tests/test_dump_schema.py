"""A `pg_dump --schema-only` file is a desired schema as it is: its psql meta-commands
(`\\restrict`) skipped, its SETs honoured (check_function_bodies = false loads functions
that call each other), on every major with that major's own pg_dump."""

from __future__ import annotations

import subprocess

import pytest

from conftest import REPO, run_sql
from pgproof.core import db
from pgproof.read.meta_commands import without_meta_commands

# a_caller sorts before the b_callee it calls: the dump loads only with its SET.
EXTRAS = """
SET check_function_bodies = false;
CREATE TYPE public.mood AS ENUM ('calm', 'it''s fine');
CREATE FUNCTION public.a_caller() RETURNS integer LANGUAGE sql AS $$ SELECT public.b_callee() + 1 $$;
CREATE FUNCTION public.b_callee() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.created_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER sources_touch BEFORE INSERT ON public.sources FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE VIEW public.source_titles AS SELECT source_id, title FROM public.sources;
CREATE MATERIALIZED VIEW public.speakers AS SELECT DISTINCT speaker_label FROM public.segments WITH NO DATA;
"""


def _dump(server, url: str) -> str:
    pg_dump = server.installation.tool("pg_dump") if server.installation else "pg_dump"
    done = subprocess.run([str(pg_dump), "--schema-only", db.libpq_url(url)], capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout


def test_a_schema_dump_plans_nothing_against_its_own_database(pgproof, pg_server, empty_db, tmp_path):
    run_sql(empty_db, (REPO / "schema" / "schema.sql").read_text() + EXTRAS)
    dump = tmp_path / "dump.sql"
    dump.write_text(_dump(pg_server, empty_db))
    assert "SET check_function_bodies = false" in dump.read_text()
    assert "\\restrict " in dump.read_text()  # every major's pg_dump here writes it (17.6, 16.10, 15.14 on)

    drift = pgproof("drift", "--db", empty_db, "--schema", str(dump))
    assert drift.code == 0, drift.err + drift.out
    plan = pgproof("plan", "--db", empty_db, "--schema", str(dump), "--out", str(tmp_path / "plan.sql"))
    assert plan.code == 0, plan.err


def test_a_schema_dump_loads_into_an_empty_target(pgproof, pg_server, legacy_db, empty_db, tmp_path):
    dump = tmp_path / "dump.sql"
    dump.write_text(_dump(pg_server, legacy_db))
    diff = pgproof("diff", "--db", empty_db, "--schema", str(dump), "--exit-code")
    assert diff.code == 2, diff.err
    assert "CREATE TABLE" in diff.out.upper()


def _where(index: int) -> str:
    return f"schema.sql@{index}"


@pytest.mark.parametrize("text, expected", [
    ("\\restrict abc\nCREATE TABLE t (a int);\n\\unrestrict abc\n",
     "             \nCREATE TABLE t (a int);\n               \n"),
    ("SET check_function_bodies = false;\n\\connect app\nCREATE TABLE t (a int);\n",
     "SET check_function_bodies = false;\n            \nCREATE TABLE t (a int);\n"),
    # inside a statement (a function body), a backslash line is the statement's own text
    ("CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$\n\\restrict x\nSELECT 'a'\n$$;\n",
     "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$\n\\restrict x\nSELECT 'a'\n$$;\n"),
    ("CREATE TABLE t (a int);\n", "CREATE TABLE t (a int);\n"),
])
def test_meta_commands_are_blanked_in_place(text, expected):
    assert without_meta_commands(text, _where) == expected


@pytest.mark.parametrize("line", ["\\! touch /tmp/owned", "\\i other.sql", "\\copy t from 'x'", "\\gexec"])
def test_a_meta_command_that_does_something_is_refused_with_its_place(line):
    with pytest.raises(ValueError) as refused:
        without_meta_commands(f"CREATE TABLE t (a int);\n{line}\n", _where)
    assert str(refused.value).startswith("schema.sql@24: the psql meta-command")
