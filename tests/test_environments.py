"""Named environments: [tool.pgproof.environments.NAME] and --env NAME."""

from __future__ import annotations

import json

import pytest

from conftest import REPO, run_sql
from pgproof.core.errors import ConfigError
from pgproof.core.hints import Hints
from pgproof.core.settings import resolve

SCHEMA = REPO / "schema" / "schema.sql"


def _project(folder, environments: str) -> None:
    (folder / "pyproject.toml").write_text(
        f'[tool.pgproof]\nschema = "{SCHEMA}"\nexclude = ["audit.*"]\n\n{environments}'
    )


@pytest.fixture
def project(tmp_path):
    _project(tmp_path, '[tool.pgproof.environments.staging]\ndb = "STAGING_URL"\nexclude = ["public.tmp_*"]\n\n'
                       '[tool.pgproof.environments.production]\ndb = "PRODUCTION_URL"\n')
    return tmp_path


def test_an_environment_reads_its_url_from_the_variable_it_names(project):
    environ = {"STAGING_URL": "postgresql://app:s3cret@staging.internal/app", "DATABASE_URL": "postgresql://x/y"}
    settings = resolve({"env": "staging"}, cwd=project, environ=environ)
    assert settings.db_url == "postgresql://app:s3cret@staging.internal/app"
    assert settings.exclusions.matches("public", "tmp_1") and not settings.exclusions.matches("audit", "log")
    assert settings.target_label == "environment staging"  # reports name it, never its host
    assert Hints.of(settings).plan() == "pgproof plan --env staging --out plan.sql"


def test_the_db_flag_still_beats_the_environment(project):
    settings = resolve({"env": "production", "db": "postgresql://flag/app"}, cwd=project,
                       environ={"PRODUCTION_URL": "postgresql://prod/app"})
    assert settings.db_url == "postgresql://flag/app"


@pytest.mark.parametrize("environments, environ, words", [
    ("", {}, "there is no environment 'staging'"),
    ('[tool.pgproof.environments.staging]\ndb = "STAGING_URL"\n', {},
     "reads its database URL from $STAGING_URL, which is not set"),
    ('[tool.pgproof.environments.staging]\ndb = "postgresql://app:pw@host/app"\n', {}, "never a URL"),
    ('[tool.pgproof.environments.staging]\nschema = "x.sql"\n', {}, "unknown setting 'schema'"),
    ('[tool.pgproof.environments]\nstaging = "x"\n', {}, "one table per environment"),
])
def test_a_bad_environment_is_one_sentence(tmp_path, environments, environ, words):
    _project(tmp_path, environments)
    with pytest.raises(ConfigError) as raised:
        resolve({"env": "staging"}, cwd=tmp_path, environ=environ)
    assert words in str(raised.value)
    assert "pw@" not in str(raised.value)


def test_drift_reports_each_environment(pgproof, empty_db, legacy_db, tmp_path, monkeypatch):
    run_sql(empty_db, SCHEMA.read_text())
    _project(tmp_path, '[tool.pgproof.environments.staging]\ndb = "STAGING_URL"\n\n'
                       '[tool.pgproof.environments.production]\ndb = "PRODUCTION_URL"\n\n'
                       '[tool.pgproof.environments.lost]\ndb = "LOST_URL"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STAGING_URL", legacy_db)
    monkeypatch.setenv("PRODUCTION_URL", empty_db)

    both = pgproof("drift", "--env", "staging", "--env", "production", "--format", "json")
    assert both.code == 2, both.err
    reports = json.loads(both.out)["reports"]
    assert [r["target"] for r in reports] == ["environment staging", "environment production"]
    assert [r["drifted"] for r in reports] == [True, False]
    assert "@" not in both.out  # no host, no user, no password

    calm = pgproof("drift", "--env", "production")
    assert calm.code == 0, calm.err
    assert "environment production" in calm.out
    summary = pgproof("drift", "--env", "production", "--format", "markdown")
    assert summary.out.startswith("### ✅ No drift\n\nEnvironment `production` matches"), summary.out
    planned = pgproof("plan", "--env", "production", "--out", str(tmp_path / "p.sql"), "--format", "markdown")
    assert planned.code == 0, planned.err
    assert planned.out == "### ✅ pgproof plan: nothing to do\n\nEnvironment `production` already matches the desired schema.\n"

    one_lost = pgproof("drift", "--env", "lost", "--env", "production")
    assert one_lost.code == 1
    assert "reads its database URL from $LOST_URL, which is not set" in one_lost.err
    assert "No drift: environment production" in one_lost.out

    twice = pgproof("plan", "--env", "staging", "--env", "production", "--out", str(tmp_path / "p.sql"))
    assert twice.code == 1 and "only drift reports several environments" in twice.err
