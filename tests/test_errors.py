"""Bad input: one clear sentence, exit 1, no traceback, never a password."""

from __future__ import annotations

import pytest

from conftest import SECRET_PASSWORD, SECRET_ROLE, scratch_databases
from pgproof.core import db


def assert_one_sentence(result, *needles: str) -> None:
    assert result.code == 1, (result.code, result.out, result.err)
    assert result.out == ""
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_syntax_error_is_located_before_anything_starts(pgproof, tmp_path):
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE a (id int);\n\nCREATE TABEL b (id int);\n")
    result = pgproof("diff", "--schema", str(schema))
    assert_one_sentence(result, "schema.sql:3:8: syntax error at or near \"TABEL\"")


def test_server_error_in_schema_is_located_at_file_line_col(pgproof, tmp_path, pg_server):
    schema = tmp_path / "schema.sql"
    schema.write_text(
        "CREATE EXTENSION IF NOT EXISTS vector;\n"
        "CREATE TABLE a (\n"
        "    id int,\n"
        "    e  vectr(3)\n"
        ");\n"
    )
    result = pgproof("diff", "--schema", str(schema))
    assert_one_sentence(result, 'schema.sql:4:8: type "vectr" does not exist')
    assert scratch_databases(pg_server.url) == []  # the scratch database was dropped


def test_error_in_second_file_of_a_schema_folder(pgproof, tmp_path):
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "01_tables.sql").write_text("CREATE TABLE a (id int PRIMARY KEY);\n")
    (folder / "02_refs.sql").write_text("-- refs\nCREATE TABLE b (a_id int REFERENCES missing (id));\n")
    result = pgproof("diff", "--schema", str(folder))
    assert_one_sentence(result, "02_refs.sql:2:", 'relation "missing" does not exist')


def test_missing_schema_file(pgproof, tmp_path):
    result = pgproof("diff", "--schema", str(tmp_path / "nope.sql"))
    assert_one_sentence(result, "nope.sql does not exist")


def test_unreachable_target_names_it_without_password(pgproof):
    url = "postgresql://app:hunter2-secret@127.0.0.1:1/app"
    result = pgproof("drift", "--db", url)
    assert_one_sentence(result, "could not connect to the target database", "app:***@127.0.0.1:1/app")
    assert "hunter2-secret" not in result.err + result.out


def test_wrong_password_is_one_sentence_without_password(pgproof, pg_server):
    url = db.with_database(pg_server.url, "postgres").replace(
        "postgres@", f"{SECRET_ROLE}:wrong-{SECRET_PASSWORD}@"
    )
    result = pgproof("diff", "--db", url)
    assert_one_sentence(result, "password authentication failed", f"{SECRET_ROLE}:***@")
    assert SECRET_PASSWORD not in result.err + result.out


def test_database_url_from_environment_is_masked(pgproof, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:env-secret-pw@127.0.0.1:1/app")
    result = pgproof("drift")
    assert_one_sentence(result, "could not connect")
    assert "env-secret-pw" not in result.err


def test_not_a_url(pgproof):
    assert_one_sentence(pgproof("diff", "--db", "mysql://x@y/z"), "not a PostgreSQL URL")


def test_unknown_scratch_provider(pgproof):
    assert_one_sentence(pgproof("diff", "--scratch", "podman"), "is not a scratch provider")


@pytest.mark.parametrize("args", [["diff", "--format", "yaml"], ["drift", "--bogus"], ["nosuchcommand"]])
def test_usage_errors_exit_1(pgproof, args):
    result = pgproof(*args)
    assert result.code == 1
    assert result.err.startswith("Error: ")
    assert "Traceback" not in result.err
