"""Start-up: what `pgproof --help` and drift's import path load. The heavy libraries
(migra, schemainspect, SQLAlchemy, jsonschema; pglast, rich and psycopg2 for --help)
are imported only by the commands that use them; each check runs in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"
NEVER_AT_START = ("migra", "schemainspect", "sqlalchemy", "sqlbag", "jsonschema")

CHECK = """
import json, sys
{imports}
loaded = sorted(name for name, module in sys.modules.items()
                if "." not in name and type(module).__name__ != "_LazyModule")
print(json.dumps(loaded))
"""


def loaded_by(imports: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": f"{TOOLS}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run([sys.executable, "-c", CHECK.format(imports=imports)], env=env,
                          capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))  # after what the imports print


@pytest.mark.parametrize(("imports", "not_loaded"), [
    ("import pgproof.cli.entry", (*NEVER_AT_START, "click", "pglast", "rich", "psycopg2", "psutil")),
    ("import pgproof.cli.main", (*NEVER_AT_START, "pglast", "rich", "psycopg2", "psutil")),
    ("import pgproof.cli.main, pgproof.commands as c; c.drift; import pgproof.diff.unchanged", NEVER_AT_START),
], ids=["entry", "help", "drift"])
def test_heavy_libraries_are_imported_only_when_used(imports, not_loaded):
    found = loaded_by(imports)
    assert not found & set(not_loaded), sorted(found & set(not_loaded))


def test_help_runs_without_the_heavy_libraries():
    found = loaded_by("import io, pgproof.cli.main as m; m.run(['--help'], out=io.StringIO(), err=io.StringIO())")
    assert not found & {*NEVER_AT_START, "pglast", "psycopg2", "psutil"}


def test_the_format_choices_are_the_renderers():
    from pgproof.cli import main, report
    from pgproof.diff import drift

    assert main.DRIFT_FORMATS == tuple(sorted(drift.RENDERERS))
    assert main.PLAN_FORMATS == tuple(sorted(report.RENDERERS))
