"""`pgproof init`: a project from nothing (or from an existing repository) whose commands
run at once; nothing is overwritten without --force."""

from __future__ import annotations

import io
import tomllib

import pytest

from conftest import REPO, Result, run_sql
from pgproof.cli import main as cli
from pgproof.init import WORKFLOWS
from test_outputs import actionlint

FILES = ("pyproject.toml", "schema/schema.sql", "data_fixes/0000_example.sql", ".github/pgproof-production-major",
         *(f".github/workflows/{name}" for name in WORKFLOWS))


@pytest.fixture
def here(tmp_path, monkeypatch):
    """An empty folder, the working directory; no target in the environment."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return folder


def run(*args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(["--no-progress", *args], out=out, err=err)
    return Result(code, out.getvalue(), err.getvalue())


def test_init_in_an_empty_folder_gives_a_project_whose_drift_runs(pgproof, here, empty_db):
    made = run("init")
    assert made.code == 0, made.err
    assert sorted(str(p.relative_to(here)) for p in here.rglob("*") if p.is_file()) == sorted(FILES)
    assert made.out == ""  # messages only, on stderr
    for name in FILES:
        assert f"created {name}" in made.err
    assert (here / ".github/pgproof-production-major").read_text() == "18\n"
    config = tomllib.loads((here / "pyproject.toml").read_text())["tool"]["pgproof"]
    assert config["schema"] == "schema/schema.sql" and config["fixes"] == "data_fixes"

    drift = run("drift", "--db", empty_db)
    assert drift.code == 2, drift.err  # the one desired object, the extension, is missing
    assert "missing extension vector" in drift.out
    status = run("fixes", "status", "--db", empty_db)
    assert status.code == 0, status.err
    assert status.out.splitlines()[1].split()[:3] == ["0000_example", "before", "0"]
    run_sql(empty_db, run("diff").out)
    assert run("drift", "--db", empty_db).code == 0
    assert run("plan", "--db", empty_db, "--out", "plan.sql").code == 0


def test_the_workflows_init_writes_pass_actionlint_and_pin_this_release(here):
    from pgproof import __version__

    assert run("init").code == 0
    workflows = sorted((here / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == 3
    assert actionlint(workflows) == []
    for path in workflows:
        text = path.read_text()
        assert f'run: pip install "pgproof=={__version__}"\n' in text and "pip install -e" not in text, path.name
        assert "__PGPROOF" not in text


def test_init_twice_refuses_naming_the_file_and_force_overwrites(here):
    assert run("init").code == 0
    (here / "schema/schema.sql").write_text("CREATE TABLE mine (id int);\n")

    again = run("init")
    assert again.code == 1
    assert again.err.strip() == (f"Error: {here / 'pyproject.toml'} already has a [tool.pgproof] section; "
                                 "pgproof init --force replaces it (the rest of the file is kept).")
    (here / "pyproject.toml").unlink()
    again = run("init")
    assert again.code == 1
    assert again.err.strip() == f"Error: {here / 'schema/schema.sql'} already exists; pgproof init --force overwrites it."
    assert not (here / "pyproject.toml").exists()  # nothing was written
    assert (here / "schema/schema.sql").read_text() == "CREATE TABLE mine (id int);\n"

    forced = run("init", "--force")
    assert forced.code == 0, forced.err
    assert "overwritten schema/schema.sql" in forced.err and "created pyproject.toml" in forced.err
    assert "CREATE EXTENSION IF NOT EXISTS vector;" in (here / "schema/schema.sql").read_text()


def test_init_in_an_existing_repository_keeps_every_other_line(here):
    before = '[project]\nname = "app"\n\n[tool.ruff]\nline-length = 100'  # no newline at the end
    (here / "pyproject.toml").write_text(before)
    made = run("init")
    assert made.code == 0, made.err
    assert "appended to pyproject.toml" in made.err
    after = (here / "pyproject.toml").read_text()
    assert after.startswith(before + "\n\n[tool.pgproof]\n")
    assert tomllib.loads(after)["tool"]["ruff"] == {"line-length": 100}

    # --force replaces the section's own lines, and nothing else (its sub-tables stay).
    (here / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.pgproof]\nschema = "db/old.sql"  # theirs\n\n'
        '[tool.pgproof.environments.prod]\ndb = "PROD_URL"\n\n[tool.ruff]\nline-length = 100\n')
    forced = run("init", "--force")
    assert forced.code == 0, forced.err
    assert "replaced in pyproject.toml" in forced.err
    after = (here / "pyproject.toml").read_text()
    assert after.startswith('[project]\nname = "app"\n\n[tool.pgproof]\n# Written by pgproof init')
    assert after.endswith('\n[tool.pgproof.environments.prod]\ndb = "PROD_URL"\n\n[tool.ruff]\nline-length = 100\n')
    assert "db/old.sql" not in after


def test_init_with_a_database_writes_its_schema_and_major(pgproof, here, legacy_db, pg_major):
    made = run("init", "--db", legacy_db)
    assert made.code == 0, made.err
    schema = (here / "schema/schema.sql").read_text()
    assert "create table \"public\".\"segments\"" in schema.lower()
    assert (here / ".github/pgproof-production-major").read_text() == f"{pg_major}\n"
    assert "holds the database's schema" in made.err
    drift = run("drift", "--db", legacy_db)
    assert drift.code == 0, drift.out + drift.err


def test_the_repository_workflows_are_the_templates_with_this_repository_install():
    from pgproof import __version__
    from pgproof.init import render_workflow

    install = (
        "      # pgproof as a project that depends on it installs it: a pinned release (here this\n"
        "      # repository's tag, checked out beside the project), never the working tree.\n"
        f"      - name: Check out pgproof v{__version__}\n"
        "        uses: actions/checkout@v4\n"
        "        with:\n"
        f"          ref: v{__version__}\n"
        "          path: .pgproof-release\n"
        f"      - name: Install pgproof v{__version__}\n"
        "        run: pip install ./.pgproof-release\n"
    )
    for name in WORKFLOWS:
        assert render_workflow(name, install) == (REPO / ".github" / "workflows" / name).read_text(), name
