"""Every example in `pgproof ... --help` runs as written, in the order the help lists the
commands, with the environment it names: DATABASE_URL and STAGING_URL (a legacy
database; also the environments production and staging), GITHUB_STEP_SUMMARY (a file). And
`--timings` works on every command, before or after its name, with phases that add up to the wall time."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import click
import pytest

from conftest import MAJORS, REPO
from pgproof.cli import main as cli

# `demo` has its own tests (it runs for several seconds on its own server).
# A trashed table only exists after a plan dropped one: tests/test_kept.py restores one.
OWN_TESTS = {"pgproof demo", 'pgproof trash restore orders__1a2b3c4d --db "$DATABASE_URL"'}
# `init` makes the folder it runs in a project: its examples run in a new, empty folder.
IN_A_NEW_FOLDER = ("pgproof init",)
# Exit 2 is what these report as "changes found" / "drift"; everything else must exit 0.
CHANGES_MEAN_2 = ("pgproof diff", "pgproof drift")


def help_examples() -> list[str]:
    examples = []

    def collect(command: click.Command) -> None:
        text = command.help or ""
        for line in text.split("Example", 1)[-1].splitlines()[1:] if "Example" in text else []:
            line = line.strip()
            if line.startswith("pgproof "):
                examples.append(re.sub(r"\s+# .*$", "", line))
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                collect(sub)

    collect(cli.cli)
    return examples


def test_every_command_has_examples():
    examples = help_examples()
    for name in ("diff", "drift", "plan", "apply", "show", "history", "fixes status", "fixes run"):
        assert any(e.startswith(f"pgproof {name} ") or e == f"pgproof {name}" for e in examples), name


@pytest.fixture
def project(tmp_path, pg_server):
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pgproof]\nschema = "{REPO / "schema" / "schema.sql"}"\nfixes = "{REPO / "data_fixes"}"\n'
        'exclude = ["pgproof.*", "public.alembic_version"]\n\n'
        '[tool.pgproof.environments.staging]\ndb = "STAGING_URL"\n\n'
        '[tool.pgproof.environments.production]\ndb = "DATABASE_URL"\n'
    )
    return tmp_path


def test_every_help_example_runs_as_written(project, legacy_db, pg_server, pg_major):
    if pg_major != max(MAJORS):
        pytest.skip("the help examples run on the newest major only: the commands are the same on each")
    bin_dir = os.path.dirname(sys.executable)  # the venv of this test run, with its pgproof
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL=legacy_db, STAGING_URL=legacy_db, PGPROOF_SCRATCH=pg_server.url,
               GITHUB_STEP_SUMMARY=str(project / "summary.md"), PATH=f"{bin_dir}:{env['PATH']}")
    ran = []
    new_folder = project / "new_project"
    new_folder.mkdir()
    for example in help_examples():
        if example in OWN_TESTS:
            continue
        cwd = new_folder if example.startswith(IN_A_NEW_FOLDER) else project
        done = subprocess.run(["bash", "-c", example], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=300)
        allowed = (0, 2) if example.startswith(CHANGES_MEAN_2) and "|" not in example else (0,)
        assert done.returncode in allowed, f"{example}\n{done.stderr}"
        assert "Error" not in done.stderr, f"{example}\n{done.stderr}"
        ran.append(example)
    assert any(e.startswith("pgproof apply plan.rollback.sql") for e in ran)
    assert "pgproof plan" in (project / "summary.md").read_text()


def timing_lines(err: str) -> dict[str, float]:
    return {m.group(1).strip(): float(m.group(2)) for m in re.finditer(r"^timing: (.+?)\s+([\d.]+) s$", err, re.M)}


def test_timings_on_every_command_add_up(pgproof, legacy_db, tmp_path):
    commands = [
        ["diff", "--db", legacy_db], ["drift", "--db", legacy_db], ["fixes", "status", "--db", legacy_db],
        ["plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql")],
        ["apply", str(tmp_path / "plan.sql"), "--db", legacy_db, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD"],
        ["show", str(tmp_path / "plan.sql")], ["history", "--db", legacy_db], ["fixes", "run", "--db", legacy_db, "--yes"],
    ]
    for number, command in enumerate(commands):  # --timings before the name, then after, in turn
        result = pgproof("--timings", *command) if number % 2 else pgproof(*command, "--timings")
        assert result.code in (0, 2), (command, result.err)
        times = timing_lines(result.err)
        assert "total" in times and "other" in times, (command, result.err)
        parts = sum(v for k, v in times.items() if k != "total")
        assert abs(parts - times["total"]) <= 0.005, (command, times)
        if command[0] in ("plan", "apply"):
            named = {k for k in times if k not in ("total", "other")}
            assert named, (command, times)
