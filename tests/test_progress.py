"""The phases of plan, diff, drift and inspect show while they run: in a pipe, one plain
line per phase on stderr when it ends (and a line every few seconds while a long one
runs), nothing on stdout, whose SQL or JSON is byte-identical with `--no-progress`."""

from __future__ import annotations

import io
import re
import time

import pytest
from rich.console import Console

from conftest import run_sql, run_subprocess
from pgproof.cli.output import Output
from pgproof.core import timing

DONE = re.compile(r"^(?P<phase>.+): done in \d+\.\d+ s( \(in parallel\))?$")


def phases(err: str) -> list[str]:
    """The phases that said they ended, in order."""
    return [m["phase"] for m in map(DONE.match, err.splitlines()) if m]


@pytest.fixture
def run(pg_server):
    def run(*args: str):
        return run_subprocess(*args, env={"PGPROOF_SCRATCH": pg_server.url})
    return run


@pytest.fixture
def clean_legacy(legacy_db):
    run_sql(legacy_db, "DELETE FROM segments WHERE id IN (1, 3, 4, 7, 9, 11)")
    return legacy_db


def test_diff_and_drift_name_their_phases_and_keep_stdout(run, legacy_db):
    shown = run("diff", "--db", legacy_db)
    quiet = run("diff", "--db", legacy_db, "--no-progress")
    assert shown.code == quiet.code == 0, shown.err
    assert shown.out == quiet.out and shown.out.strip()
    seen = phases(shown.err)
    assert {"schema load", "read the target", "read a scratch database", "migra"} <= set(seen), shown.err
    assert phases(quiet.err) == []

    drift = run("drift", "--db", legacy_db, "--format", "json")
    still = run("--no-progress", "drift", "--db", legacy_db, "--format", "json")
    assert drift.code == still.code == 2
    assert drift.out == still.out
    assert {"schema load", "read the target"} <= set(phases(drift.err)), drift.err
    assert "done in" not in drift.out


def test_plan_names_the_proof_and_the_rehearsal(run, clean_legacy, tmp_path):
    plan = tmp_path / "plan.sql"
    made = run("plan", "--db", clean_legacy, "--out", str(plan))
    assert made.code == 0, made.err
    assert made.out == plan.read_text()  # stdout is the plan file, nothing else
    seen = phases(made.err)
    for phase in ("schema load", "read the target", "proof", "rehearsal", "row checks"):
        assert phase in seen, (phase, made.err)
    # Nested phases end before the phase around them: the proof ends after its rehearsal.
    assert seen.index("rehearsal") < seen.index("proof")


def test_inspect_names_its_phases_and_keeps_stdout(run, legacy_db):
    shown = run("inspect", "--db", legacy_db)
    quiet = run("inspect", "--db", legacy_db, "--no-progress")
    assert shown.code == quiet.code == 0, shown.err
    assert shown.out == quiet.out and "CREATE TABLE" in shown.out.upper()
    assert {"inspect", "read the target", "read a scratch database"} <= set(phases(shown.err)), shown.err
    assert "catalog check" not in shown.err  # the helper thread beside migra's read is not news


def test_a_long_phase_says_so_at_a_steady_rhythm_in_a_pipe():
    err = io.StringIO()
    output = Output(Console(file=err, force_terminal=False, width=200), pipe_every_s=0.05)
    output.phases.enabled = True
    with timing.reporting(output.phases):
        with timing.phase("proof"):
            with timing.phase("migra inspection", "read the target"):
                time.sleep(0.2)
        with pytest.raises(RuntimeError), timing.phase("row checks"):
            raise RuntimeError("failed")
    lines = err.getvalue().splitlines()
    assert any(re.fullmatch(r"proof › read the target: 0\.\d\d s", line) for line in lines), lines
    assert phases(err.getvalue()) == ["read the target", "proof"]  # a failed phase: its error says it
    timing.reset()


def test_phases_are_silent_unless_a_command_shows_them():
    err = io.StringIO()
    output = Output(Console(file=err, force_terminal=False, width=200), pipe_every_s=0.01)
    with timing.reporting(output.phases), timing.phase("schema load"):
        time.sleep(0.03)
    assert err.getvalue() == ""
    timing.reset()
