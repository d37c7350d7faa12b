"""One function per command, like alembic's `command.py`. Each takes settings and plain
values, returns data, and raises PgProofError; the CLI renders and exits."""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from pathlib import Path

from . import apply as apply_module
from . import demo as demo_module
from . import db, desired, fixes, grants, planner, scratch, timing
from . import history as history_module
from . import renames
from . import inspect as inspect_module
from . import plan as plan_module
from .diff import Diff
from .drift import DriftReport
from .errors import ConfigError, FixError
from .plan import FixStep, Plan
from .preflight import sentence
from .settings import Settings

EMPTY_TARGET = "an empty database"


@dataclass(frozen=True)
class Databases:
    """The two sides of a comparison, for as long as the context lasts."""

    target_url: str
    desired_url: str
    target_label: str  # masked URL or EMPTY_TARGET
    server: scratch.ScratchServer
    files: list[desired.SchemaFile]  # the schema files loaded, as they were read

    @property
    def notes(self) -> list[str]:
        """What every report must say about the comparison itself (a major mismatch)."""
        return [self.server.mismatch] if self.server.mismatch else []


@contextlib.contextmanager
def databases(settings: Settings, *, strict: bool = False) -> Iterator[Databases]:
    """The target and a scratch database holding the desired schema.

    Cheap checks run first (schema syntax, target reachable), so a mistake is reported
    before any server starts. With no target, an empty database on the scratch server
    stands in for it, so the diff is the full creation script.
    """
    files = desired.read(settings.schema)
    desired.statements(files)  # syntax errors now, located at file:line:col
    target_version = db.probe(settings.db_url) if settings.db_url else None
    target_major = target_version.major if target_version else None
    roles = grants.roles_named(files, settings.exclusions) if settings.exclusions.manages_access else []
    if settings.db_url:
        grants.require_roles(settings.db_url, roles)
    with scratch.open_scratch(settings.scratch, target_major, strict=strict) as server:
        grants.create_scratch_roles(server.url, roles)
        with server.database() as desired_url:
            with timing.phase("schema load"):
                desired.load(desired_url, files)
            if settings.db_url:
                yield Databases(settings.db_url, desired_url, db.mask(settings.db_url), server, files)
            else:
                with server.database() as empty_url:
                    yield Databases(empty_url, desired_url, EMPTY_TARGET, server, files)


def diff(settings: Settings) -> Diff:
    """The statements that turn the target (or an empty database) into the desired schema."""
    with databases(settings) as dbs:
        result = _compute(dbs, settings)
        return dataclasses.replace(result, notes=dbs.notes + result.notes)


def drift(settings: Settings) -> DriftReport:
    """How the target differs from the desired schema, per object and as statements."""
    with databases(settings) as dbs:
        result = _compute(dbs, settings)
        result = dataclasses.replace(result, notes=dbs.notes + result.notes)
        return DriftReport(target=dbs.target_label, schema=desired.display_path(settings.schema), diff=result)


def _compute(dbs: Databases, settings: Settings) -> Diff:
    """The diff, with the renames the schema's directives call for done first."""
    directives = renames.read(dbs.files)
    return renames.compute_with(dbs.target_url, dbs.desired_url, settings.exclusions, directives, dbs.server).diff


def fixes_status(settings: Settings) -> list[tuple[fixes.Fix, int]]:
    """Every data fix with the rows it still has to fix (0 = done); changes nothing."""
    url = _target(settings, "fixes status")
    return fixes.pending(url, fixes.discover(settings.fixes))


def fixes_run(
    settings: Settings,
    *,
    phase: str | None = None,
    jobs: int = 2,
    progress: fixes.Progress | None = None,
) -> list[fixes.FixRun]:
    """Preflight, then run the pending data fixes in order, in short batches.

    Preflight reads the unique keys the desired schema declares and refuses, before any
    change, when rows would still break one of them (duplicates no fix resolves, or keys
    too large for a btree entry).
    """
    url = _target(settings, "fixes run")
    found = fixes.discover(settings.fixes)
    keys = fixes.unique_keys(desired.read(settings.schema))
    problems = fixes.preflight(url, found, keys)
    if problems:
        raise FixError(f"preflight found rows the schema's unique keys cannot take, so nothing was changed: {sentence(problems)}")
    return fixes.run(url, found, phase=phase, progress=progress, jobs=jobs)


@dataclass(frozen=True)
class Inspected:
    files: dict[str, str]  # file name -> text, in load order
    statements: int


def inspect(settings: Settings, out: Path | None, as_folder: bool = False) -> Inspected:
    """A schema.sql (or a folder by schema and kind) written from the live target, proven
    to load back into an empty database equal to the target, so drift then exits 0."""
    url = _target(settings, "inspect")
    if as_folder and out is None:
        raise ConfigError("inspect --split writes a folder: pass --out FOLDER as well.")
    version = db.probe(url)
    grants.require_roles(url, list(settings.exclusions.managed_roles))
    header = (f"-- The schema of {db.mask(url)} (PostgreSQL {version}), written by pgproof inspect.\n"
              "-- This is now the desired schema: edit it, then pgproof plan.")
    with scratch.open_scratch(settings.scratch, version.major) as server, timing.phase("inspect"):
        files, count = inspect_module.proven(url, server, settings.exclusions, header, out, as_folder)
    if out is not None:
        inspect_module.write(files, out, as_folder)
    return Inspected(files=files, statements=count)


def _target(settings: Settings, command: str) -> str:
    if not settings.db_url:
        raise ConfigError(f"{command} needs a target database; pass --db URL or set DATABASE_URL.")
    return settings.db_url


@dataclass(frozen=True)
class PlanFiles:
    plan: Plan
    rollback: Plan
    path: Path
    rollback_path: Path


def plan(settings: Settings, out: Path) -> PlanFiles:
    """Make a reviewed-ready plan: online statements with hazards, pending data fixes,
    proven on a scratch copy of the target; a rollback plan is written beside it."""
    url = _target(settings, "plan")
    rollback_path = out.with_name(out.stem + ".rollback" + (out.suffix or ".sql"))
    with databases(settings, strict=settings.scratch == scratch.AUTO) as dbs:
        made = planner.make(
            target_url=dbs.target_url, desired_url=dbs.desired_url, server=dbs.server,
            exclusions=settings.exclusions, fixes=_pending_fixes(settings, url),
            lock_timeout_ms=settings.lock_timeout_ms, statement_timeout_ms=settings.statement_timeout_ms,
            schema_source=desired.source_fingerprint(dbs.files),
            rollback_file=rollback_path.name, renames=renames.read(dbs.files),
        )
    plan_module.write(made.forward, out)
    plan_module.write(made.rollback, rollback_path)
    return PlanFiles(made.forward, made.rollback, out, rollback_path)


def _pending_fixes(settings: Settings, url: str) -> list[FixStep]:
    """The data fixes with rows still to fix, as plan steps (none without a fixes folder)."""
    if not settings.fixes.is_dir():
        return []
    found = fixes.pending(url, fixes.discover(settings.fixes))
    return [
        FixStep(name=fix.name, phase=fix.phase, rows=rows, checksum=plan_module.file_checksum(fix.path))
        for fix, rows in found if rows
    ]


def apply(settings: Settings, plan_file: Path, allowed: set[str], report, progress=None) -> apply_module.Outcome:
    """Apply a reviewed plan file to the target."""
    return apply_module.apply(
        _target(settings, "apply"), plan_file, allowed=allowed, exclusions=settings.exclusions,
        fixes_folder=settings.fixes, lock_wait_s=settings.apply_lock_wait_s,
        report=report, progress=progress,
    )


def show(plan_file: Path) -> Plan:
    """A plan file, checked to be exactly as it was made."""
    return plan_module.read(plan_file)


def history(settings: Settings) -> list[history_module.Entry]:
    """The target's apply history, newest first."""
    url = _target(settings, "history")
    db.probe(url)
    return history_module.entries(url)


def demo(settings: Settings, show, progress=None) -> DriftReport:
    """The whole workflow on a throwaway legacy production database: drift, plan with
    hazards and data fixes, apply, no drift, what was archived. `show(title, value)` is
    called after each step; everything is removed afterwards. Returns the last drift."""
    files = desired.read(settings.schema)
    with scratch.embedded_server() as server, server.database(name="legacy_production") as production, \
            tempfile.TemporaryDirectory(prefix="pgproof-demo-") as folder:
        demo_module.build_legacy(production, files)
        here = dataclasses.replace(settings, db_url=production, scratch=server.url)
        show("a legacy production database: the old Alembic schema, duplicate segments, NULL speaker labels",
             fixes_status(here))
        show("pgproof drift: how production differs from schema/schema.sql", drift(here))
        made = plan(here, Path(folder) / "plan.sql")
        show("pgproof plan: data fixes first, then online-safe statements, hazards named", made)
        allowed = set(made.plan.hazard_codes)
        applied = apply(here, made.path, allowed, report=lambda message: None, progress=progress)
        show(f"pgproof apply plan.sql --yes --allow-hazards {','.join(sorted(allowed))} "
             "(the reviewer acknowledged them)", applied)
        after = drift(here)
        show("pgproof drift, again", after)
        show("nothing was lost: every removed row is archived, and one statement restores it",
             demo_module.archived_counts(production))
        return after
