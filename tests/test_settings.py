"""Settings precedence: flags > environment > .env > [tool.pgproof] > defaults."""

from __future__ import annotations

import pytest

from pgproof.core.errors import ConfigError
from pgproof.core.settings import resolve


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pgproof]\nschema = "db/schema.sql"\nscratch = "docker"\n'
        'exclude = ["audit.*"]\nlock_timeout_ms = 1500\n'
    )
    (tmp_path / "sub").mkdir()
    return tmp_path


def test_project_settings_apply_relative_to_the_project(project):
    settings = resolve({}, cwd=project / "sub", environ={})
    assert settings.schema == project / "db" / "schema.sql"
    assert settings.scratch == "docker"
    assert settings.exclusions.matches("audit", "log")
    assert not settings.exclusions.matches("public", "alembic_version")  # replaced, not merged
    assert settings.lock_timeout_ms == 1500
    assert settings.db_url is None


def test_environment_beats_dotenv_beats_project(project):
    (project / ".env").write_text("DATABASE_URL=postgresql://from-dotenv/app\nPGPROOF_SCRATCH=embedded\n")
    settings = resolve({}, cwd=project, environ={})
    assert settings.db_url == "postgresql://from-dotenv/app"
    assert settings.scratch == "embedded"
    settings = resolve({}, cwd=project, environ={"DATABASE_URL": "postgresql://from-env/app"})
    assert settings.db_url == "postgresql://from-env/app"
    assert settings.sources["db"] == "$DATABASE_URL"


def test_flags_beat_everything(project):
    settings = resolve(
        {"db": "postgresql://flag/app", "scratch": "embedded", "schema": "x.sql"},
        cwd=project, environ={"DATABASE_URL": "postgresql://env/app"},
    )
    assert settings.db_url == "postgresql://flag/app"
    assert settings.scratch == "embedded"
    assert settings.schema == project / "x.sql"


def test_unknown_setting_is_one_sentence(project):
    (project / "pyproject.toml").write_text("[tool.pgproof]\nschemas = 'x'\n")
    with pytest.raises(ConfigError, match="unknown setting 'schemas' in \\[tool.pgproof\\]"):
        resolve({}, cwd=project, environ={})


def test_defaults_without_a_project(tmp_path):
    settings = resolve({}, cwd=tmp_path, environ={})
    assert settings.schema == tmp_path / "schema" / "schema.sql"
    assert settings.scratch == "auto"
    assert settings.exclusions.matches("pgproof", "history")
    assert settings.exclusions.matches("public", "alembic_version")


def test_cli_reads_dotenv_and_project_of_the_working_directory(pgproof, legacy_db, tmp_path, monkeypatch):
    from conftest import REPO

    (tmp_path / "pyproject.toml").write_text('[tool.pgproof]\nschema = "db/desired.sql"\n')
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "desired.sql").write_text((REPO / "schema" / "schema.sql").read_text())
    (tmp_path / ".env").write_text(f"DATABASE_URL={legacy_db}\n")
    monkeypatch.chdir(tmp_path)
    result = pgproof("drift")
    assert result.code == 2, result.err  # reached the legacy database named in .env
    assert "differs from db/desired.sql" in result.out
    # A flag beats the environment, which beats .env.
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:pw@127.0.0.1:1/none")
    assert pgproof("drift").code == 1
    assert pgproof("drift", "--db", legacy_db).code == 2
