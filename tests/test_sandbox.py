"""The scratch is a sandbox: a schema file (or a target's objects, through inspect) runs
nothing with the scratch superuser's privileges, cold and warm; only the owner gets into
the cache; Ctrl-C during a long schema statement ends the run. Issue 26."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, Result, run_sql
from pgproof.cli import main as cli
from pgproof.core.errors import SchemaError
from pgproof.read import desired
from pgproof.scratch import cache, sandbox

# Each would run a program, read or write a server file, or take the server, as the
# scratch's OS user. `{canary}` is a file that exists afterwards only if it ran.
HOSTILE = {
    "copy to program": "COPY (SELECT 1) TO PROGRAM 'touch {canary}'",
    "do block": "DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {canary}'''; END $$",
    "pg_read_file": "SELECT pg_read_file('/proc/self/environ')",
    "lo_export": "SELECT lo_export(lo_from_bytea(0, 'x'), '{canary}')",
    "pg_read_server_files": f"GRANT pg_read_server_files TO {sandbox.LOADER}",
    "alter system": "ALTER SYSTEM SET archive_command = 'touch {canary}'",
    "create role superuser": "CREATE ROLE pgproof_evil SUPERUSER LOGIN",
    "session authorization": "SET session_authorization postgres",
    "event trigger": ("CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n"
                      "CREATE EVENT TRIGGER on_ddl ON ddl_command_start EXECUTE FUNCTION on_ddl()"),
    "untrusted language": "CREATE FUNCTION sh() RETURNS int LANGUAGE plperlu AS $$ `touch {canary}`; 1 $$",
    "column default with an insert": (
        "CREATE FUNCTION evil() RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
        "EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {canary}'''; RETURN 1; END $$;\n"
        "CREATE TABLE victim (id int DEFAULT evil());\nINSERT INTO victim DEFAULT VALUES"),
    "materialized view": (
        "CREATE FUNCTION evil() RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
        "EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {canary}'''; RETURN 1; END $$;\n"
        "CREATE MATERIALIZED VIEW mv AS SELECT evil() AS x"),
}

# Runs its program only where it is a superuser: a schema that loads as the loader, and
# would run it wherever a plan's statements ran as the superuser (the proof's copies).
ONLY_AS_SUPERUSER = """CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE items (id int PRIMARY KEY, e vector(3));
CREATE FUNCTION sneaky() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {canary}''';
  END IF;
  RETURN 1;
END $$;
CREATE MATERIALIZED VIEW sneaky_view AS SELECT sneaky() AS x;
"""


def _schema(folder: Path, body: str, canary: Path) -> Path:
    """A schema file: two harmless lines, then `body` from line 3."""
    path = folder / "schema.sql"
    path.write_text("CREATE EXTENSION IF NOT EXISTS vector;\nCREATE TABLE fine (id int PRIMARY KEY);\n"
                    + body.format(canary=canary) + ";\n")
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_statement_in_a_schema_file_runs_nothing(name, pg_server, tmp_path):
    canary = tmp_path / "canary"
    path = _schema(tmp_path, HOSTILE[name], canary)
    with pg_server.database() as url:
        with pytest.raises(SchemaError) as raised:
            desired.load(url, desired.read(path), pg_server)
        assert not run_sql(url, "SELECT 1 FROM pg_roles WHERE rolname = 'pgproof_evil'")
        assert not run_sql(url, "SELECT 1 FROM pg_event_trigger")
    message = str(raised.value)
    assert message.startswith(f"{desired.display_path(path)}:"), message
    line = int(message.split(":")[1])
    assert 3 <= line <= 5, message
    assert "\n" not in message
    assert not canary.exists()
    assert not run_sql(pg_server.url, "SELECT 1 FROM pg_file_settings WHERE name = 'archive_command'")


def test_extensions_are_made_by_the_superuser_and_the_rest_by_the_loader(pg_server, tmp_path):
    path = tmp_path / "schema.sql"
    path.write_text("CREATE SCHEMA ext;\nCREATE EXTENSION vector WITH SCHEMA ext;\n"
                    "COMMENT ON EXTENSION vector IS 'vectors';\nCREATE TABLE t (id int, e ext.vector(3));\n")
    with pg_server.database() as url:
        desired.load(url, desired.read(path), pg_server)
        owners = run_sql(url, "SELECT c.relowner::regrole::text, d.datdba::regrole::text FROM pg_class c, "
                              "pg_database d WHERE c.relname = 't' AND d.datname = current_database()")
    assert owners == [(sandbox.LOADER, sandbox.LOADER)]


def test_a_missing_extension_is_named_at_its_line(pg_server, tmp_path):
    path = tmp_path / "schema.sql"
    path.write_text("CREATE TABLE t (id int);\nCREATE EXTENSION no_such_extension;\n")
    with pg_server.database() as url, pytest.raises(SchemaError) as raised:
        desired.load(url, desired.read(path), pg_server)
    assert ":2:1:" in str(raised.value) and "no_such_extension" in str(raised.value)


# --- through the commands, cold and warm ----------------------------------------------------

@pytest.fixture
def run(monkeypatch, tmp_path):
    """The CLI in-process with the scratch `auto` picks (a server pgproof starts)."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("PGPROOF_SCRATCH", "auto")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    folder = tmp_path / "cache"

    def invoke(*args: str, warm: bool = False) -> Result:
        monkeypatch.setenv("PGPROOF_CACHE", "on" if warm else "off")
        monkeypatch.setenv("PGPROOF_CACHE_DIR", str(folder))
        out, err = io.StringIO(), io.StringIO()
        code = cli.run(list(args), out=out, err=err)
        return Result(code, out.getvalue(), err.getvalue())

    yield invoke
    cache.clear(folder)


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_diff_drift_and_plan_of_a_hostile_schema_run_nothing(run, warm, empty_db, tmp_path):
    canary = tmp_path / "canary"
    path = _schema(tmp_path, HOSTILE["copy to program"], canary)
    where = f"{desired.display_path(path)}:3:1: permission denied"
    for args in (["diff"], ["diff", "--db", empty_db], ["drift", "--db", empty_db],
                 ["plan", "--db", empty_db, "--out", str(tmp_path / "plan.sql")]):
        result = run(*args, "--schema", str(path), warm=warm)
        assert result.code == 1, result.err
        assert where in result.err and len(result.err.strip().splitlines()) == 1, result.err
        assert not canary.exists()


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_the_proof_runs_a_plan_as_the_loader(run, warm, empty_db, tmp_path):
    canary = tmp_path / "canary"
    path = tmp_path / "schema.sql"
    path.write_text(ONLY_AS_SUPERUSER.format(canary=canary))
    result = run("plan", "--db", empty_db, "--schema", str(path), "--out", str(tmp_path / "plan.sql"), warm=warm)
    assert result.code == 0, result.err
    assert "sneaky_view" in (tmp_path / "plan.sql").read_text()
    assert not canary.exists()  # neither the load, nor the forward proof, nor the rollback proof


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_inspect_of_a_target_whose_objects_run_something_runs_nothing(run, warm, empty_db, tmp_path):
    canary = tmp_path / "canary"
    run_sql(empty_db, ONLY_AS_SUPERUSER.format(canary=canary).replace(
        "SELECT sneaky() AS x;", "SELECT sneaky() AS x WITH NO DATA;"))
    result = run("inspect", "--db", empty_db, "--out", str(tmp_path / "schema.sql"), warm=warm)
    assert result.code == 0, result.err
    assert not canary.exists()
    result = run("drift", "--db", empty_db, "--schema", str(tmp_path / "schema.sql"), warm=warm)
    assert result.code == 0, result.err
    assert not canary.exists()
