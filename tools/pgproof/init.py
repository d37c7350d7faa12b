"""`pgproof init`: the files a project needs to be managed by pgproof, in an empty folder
or an existing repository.

- `[tool.pgproof]` in pyproject.toml, where settings.py looks for it (the nearest
  pyproject.toml): appended to an existing file, whose other lines are kept byte for
  byte, or a new pyproject.toml holding only that section;
- `schema/schema.sql`: the live database's schema (inspect) when a target is given, else
  only the pgvector extension and a comment;
- `data_fixes/0000_example.sql`: how a data fix is written, as an inert fix (its check
  counts 0, so it never runs);
- the three workflows (plan on pull requests, deploy on merge, scheduled drift) from the
  templates shipped in the package, installing this very release of pgproof, and
  `.github/pgproof-production-major`, the one setting they read.

Nothing that exists is overwritten without `force`: every file is checked before any is
written, and the refusal names the first one found.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pgproof import __version__
from pgproof.core.errors import ConfigError

TEMPLATES = Path(__file__).with_name("templates")
WORKFLOWS = ("pgproof-plan.yml", "pgproof-deploy.yml", "pgproof-drift.yml")
# The one line of a template replaced by the steps that install pgproof.
INSTALL_MARKER = "__PGPROOF_INSTALL__"
SCHEMA_FILE = "schema/schema.sql"
EXAMPLE_FIX = "data_fixes/0000_example.sql"
MAJOR_FILE = ".github/pgproof-production-major"
PROJECT_FILE = "pyproject.toml"

CONFIG = f"""[tool.pgproof]
# Written by pgproof init ({__version__}); every setting: pgproof --help, and the docs.
schema = "{SCHEMA_FILE}"
fixes = "data_fixes"
# Where the desired schema is loaded: auto picks a scratch server of the target's major.
scratch = "auto"
# Objects pgproof never manages (glob patterns of schema.name).
exclude = ["pgproof.*", "public.alembic_version"]
"""

EMPTY_SCHEMA = """-- The desired schema: the database as it should be, written as CREATE statements
-- (tables, indexes, constraints, views, functions, comments). Nobody writes migrations:
-- `pgproof diff` shows the statements that turn a database into this, `pgproof plan`
-- makes a reviewed, proven plan of them, and `pgproof apply` runs that plan.
CREATE EXTENSION IF NOT EXISTS vector;
"""

EXAMPLE = """-- An example data fix, written by pgproof init. It changes nothing: its check counts
-- 0 rows, so it never runs. Copy it to 0001_what_it_does.sql for a real fix, and delete
-- this one when you no longer need it.
--
-- A data fix repairs rows so that a schema change can succeed: duplicates removed before
-- a UNIQUE constraint, NULLs filled before NOT NULL. `pgproof fixes status` lists the
-- fixes with the rows each still has to fix; `pgproof plan` puts the pending ones in the
-- plan, and `pgproof apply` (or `pgproof fixes run`) runs them, in name order.
--
-- The header, read by pgproof, holds these keys at the start of a comment line:
-- the phase, before or after the plan's statements; the check, one SELECT counting the
-- rows still to fix (0 means done: running the fix must bring it to 0, and running it
-- again must change nothing); optionally what it resolves, the constraints it makes
-- possible (the plan then needs no --allow-hazards for them).
--
-- The body is one statement, or two for a big table: a todo query listing the rows,
-- then a batch statement run on $1 (an array of them) in short transactions. A
-- statement that deletes rows keeps a copy of them in the same statement, so one
-- statement restores them:
--     WITH removed AS (DELETE FROM public.orders WHERE ... RETURNING *)
--     INSERT INTO pgproof.archived_rows (table_name, row)
--     SELECT 'public.orders', row_to_json(removed) FROM removed;
--
-- phase: before
-- check: SELECT 0
SELECT 0;
"""


@dataclass(frozen=True)
class Written:
    path: str  # relative to the project folder
    how: str  # created, overwritten, appended to, replaced in


def pinned_install(version: str = __version__) -> str:
    """The workflow steps that install pgproof as a dependent project does: pinned."""
    return (
        "      # pgproof pinned to the release the project was set up with; upgrade it on purpose.\n"
        f"      - name: Install pgproof {version}\n"
        f"        run: pip install \"pgproof=={version}\"\n"
    )


def render_workflow(name: str, install: str) -> str:
    """The template `name` with `install` (whole lines of steps) in place of its marker
    (once per job that runs pgproof: deploy's replan job installs it too)."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    line = INSTALL_MARKER + "\n"
    if line not in text:
        raise ConfigError(f"the workflow template {TEMPLATES / name} lost its {INSTALL_MARKER} line; reinstall pgproof.")
    return text.replace(line, install)


def files(schema_sql: str | None, major: int) -> dict[str, str]:
    """Every file init writes but the configuration: relative path -> text."""
    found = {
        SCHEMA_FILE: schema_sql if schema_sql is not None else EMPTY_SCHEMA,
        EXAMPLE_FIX: EXAMPLE,
        MAJOR_FILE: f"{major}\n",
    }
    for name in WORKFLOWS:
        found[f".github/workflows/{name}"] = render_workflow(name, pinned_install())
    return found


def check(folder: Path, force: bool) -> None:
    """Refuse, before anything is read or written, to overwrite a file without `force`."""
    if force:
        return
    project = folder / PROJECT_FILE
    if project.is_file() and _has_section(project):
        raise ConfigError(f"{project} already has a [tool.pgproof] section; pgproof init --force replaces it "
                          "(the rest of the file is kept).")
    for name in files(None, 0):
        if (folder / name).exists():
            raise ConfigError(f"{folder / name} already exists; pgproof init --force overwrites it.")


def write(folder: Path, schema_sql: str | None, major: int, force: bool) -> list[Written]:
    """Write the project's files (see the module docstring); returns what was written."""
    check(folder, force)
    config = _configured(folder / PROJECT_FILE)
    written = []
    for name, text in files(schema_sql, major).items():
        path = folder / name
        how = "overwritten" if path.exists() else "created"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(Written(name, how))
    text, how = config
    (folder / PROJECT_FILE).write_text(text, encoding="utf-8")
    return [Written(PROJECT_FILE, how), *written]


def _configured(project: Path) -> tuple[str, str]:
    """pyproject.toml's text with the [tool.pgproof] section, and how it got there; only
    the section is new, every other line is as it was."""
    if not project.is_file():
        return CONFIG, "created"
    old = project.read_text(encoding="utf-8")
    if not _has_section(project):
        text = old + ("" if old.endswith("\n") or not old else "\n") + ("\n" if old else "") + CONFIG
        how = "appended to"
    else:
        text = _replaced(project, old)
        how = "replaced in"
    section = tomllib.loads(text).get("tool", {}).get("pgproof", {})
    expected = tomllib.loads(CONFIG)["tool"]["pgproof"]
    if {key: section.get(key) for key in expected} != expected:  # never write what pgproof would not read back
        raise ConfigError(f"cannot add [tool.pgproof] to {project} without changing other lines; add it by hand:\n{CONFIG}")
    return text, how


_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*pgproof\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")


def _replaced(project: Path, old: str) -> str:
    """`old` with the lines of its [tool.pgproof] table (up to the next table header)
    replaced by ours; its sub-tables ([tool.pgproof.NAME]) stay."""
    lines = old.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    if len(starts) != 1:
        raise ConfigError(f"[tool.pgproof] in {project} is not one [tool.pgproof] table (dotted keys?); "
                          "remove it by hand, then run pgproof init again.")
    start = starts[0]
    end = next((i for i in range(start + 1, len(lines)) if _ANY_HEADER.match(lines[i])), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + CONFIG + ("\n" if tail else "") + tail


def _has_section(project: Path) -> bool:
    try:
        data = tomllib.loads(project.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read {project}: it is not UTF-8 text; save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot read {project}: {exc}; fix the TOML syntax, then run pgproof init again.") from None
    tool = data.get("tool")
    return isinstance(tool, dict) and "pgproof" in tool
