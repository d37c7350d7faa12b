"""One function per command, like alembic's `command.py`. Each takes settings and plain
values, returns data, and raises PgProofError; the CLI renders and exits.

What only some commands use (apply, data fixes, history, demo) is imported by them, so
`diff` and `drift` start without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dataclasses
import tempfile
from dataclasses import dataclass

from pathlib import Path

from pgproof.core import db, timing
from pgproof.read import desired
from pgproof.diff import grants, renames, sides
from pgproof import scratch
from pgproof.core import plan_file as plan_module
from pgproof.diff.engine import Diff
from pgproof.diff.drift import DriftReport
from pgproof.core.errors import ConfigError, FixError
from pgproof.core.hints import Hints
from pgproof.core.plan_file import FixStep, Plan
from pgproof.core.settings import Settings

if TYPE_CHECKING:
    from pgproof.apply import run as apply_module
    from pgproof.fixes import run as fixes
    from pgproof.ledger import history as history_module

EMPTY_TARGET = sides.EMPTY_TARGET


def empty_schema_note(settings: Settings) -> str:
    return desired.empty_schema_note(settings.schema)


def diff(settings: Settings) -> Diff:
    """The statements that turn the target (or an empty database) into the desired schema."""
    with sides.open_sides(settings) as both:
        result = _compare(both)
        return dataclasses.replace(result, notes=both.notes + result.notes)


def drift(settings: Settings) -> DriftReport:
    """How the target differs from the desired schema, per object and as statements."""
    with sides.open_sides(settings) as both:
        result = _compare(both)
        result = dataclasses.replace(result, notes=both.notes + result.notes)
        return DriftReport(target=both.target_label, schema=desired.display_path(settings.schema), diff=result)


def _compare(both: sides.Sides) -> Diff:
    """The diff, with the renames the schema's directives call for done first."""
    return renames.compare_with(both, renames.read(both.files), cast_url=both.desired_url).diff


def fixes_status(settings: Settings) -> list[tuple[fixes.Fix, int]]:
    """Every data fix with the rows it still has to fix (0 = done); changes nothing."""
    from pgproof.fixes import run as fixes

    url = _target(settings, "fixes status")
    with timing.phase("data-fix checks"):
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
    from pgproof.fixes import run as fixes
    from pgproof.fixes.preflight import sentence

    url = _target(settings, "fixes run")
    db.new_session_tag()
    found = fixes.discover(settings.fixes)
    keys = fixes.unique_keys(desired.read(settings.schema))
    with timing.phase("preflight"):
        problems = fixes.preflight(url, found, keys)
    if problems:
        raise FixError(f"preflight found rows the schema's unique keys cannot take, so nothing was changed: {sentence(problems)}")
    with timing.phase("data fixes"):
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
    from pgproof import adopt as inspect_module

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
    plan_module.check_writable(out)
    rollback_path = out.with_name(out.stem + ".rollback" + (out.suffix or ".sql"))
    from pgproof.fixes import run as fixes
    from pgproof.plan import planner

    found = fixes.discover(settings.fixes)  # a malformed fix is reported before any server starts
    with sides.open_sides(settings, strict=settings.scratch == scratch.AUTO, copies=True) as both:
        made = planner.make(
            both, fixes=_pending_fixes(url, found), fix_files=found,
            lock_timeout_ms=settings.lock_timeout_ms, statement_timeout_ms=settings.statement_timeout_ms,
            schema_source=desired.source_fingerprint(both.files),
            rollback_file=rollback_path.name, renames=renames.read(both.files),
            rehearsal=settings.rehearsal,
        )
    forward = made.forward
    if not desired.statements(desired.read(settings.schema)) and forward.statements:
        forward = dataclasses.replace(forward, notes=(*forward.notes, empty_schema_note(settings)))
    with timing.phase("write"):
        plan_module.write(forward, out)
        plan_module.write(made.rollback, rollback_path)
    return PlanFiles(forward, made.rollback, out, rollback_path)


def _pending_fixes(url: str, found: list[fixes.Fix]) -> list[FixStep]:
    """The data fixes with rows still to fix, as plan steps (none without a fixes folder)."""
    from pgproof.fixes import run as fixes

    if not found:
        return []
    with timing.phase("data-fix checks"):
        counted = fixes.pending(url, found)
    return [
        FixStep(name=fix.name, phase=fix.phase, rows=rows, checksum=plan_module.file_checksum(fix.path),
                resolves=fix.resolves)
        for fix, rows in counted if rows
    ]


def apply(settings: Settings, plan_file: Path, allowed: set[str], report, progress=None) -> apply_module.Outcome:
    """Apply a reviewed plan file to the target."""
    from pgproof.apply import run as apply_module

    return apply_module.apply(
        _target(settings, "apply"), plan_file, allowed=allowed, exclusions=settings.exclusions,
        fixes_folder=settings.fixes, lock_wait_s=settings.apply_lock_wait_s,
        report=report, progress=progress, hints=Hints.of(settings, plan_file),
    )


def show(plan_file: Path) -> Plan:
    """A plan file, checked to be exactly as it was made."""
    return plan_module.read(plan_file)


def history(settings: Settings) -> list[history_module.Entry]:
    """The target's apply history, newest first."""
    from pgproof.ledger import history as history_module

    url = _target(settings, "history")
    with timing.phase("read history"):
        db.probe(url)
        return history_module.entries(url)


def demo(settings: Settings, begin, show, progress=None) -> DriftReport:
    """The whole workflow on a throwaway legacy production database: drift, plan with
    hazards and data fixes, apply, no drift, what was archived and merged. `begin(title)`
    is called before each step and `show(value)` with its result; everything is removed
    afterwards. Returns the last drift."""
    from pgproof import demo as demo_module

    files = desired.read(settings.schema)
    schema = desired.display_path(settings.schema)
    with scratch.embedded_server() as server, server.database(name="legacy_production") as production, \
            tempfile.TemporaryDirectory(prefix="pgproof-demo-") as folder:
        begin("a legacy production database: the old Alembic schema, duplicate segments, NULL speaker labels")
        with timing.phase("demo database"):
            demo_module.build_legacy(production, files)
        here = dataclasses.replace(settings, db_url=production, scratch=server.url)
        show(fixes_status(here))
        show(demo_module.split_groups(production))
        begin(f"pgproof drift: how production differs from {schema}")
        show(drift(here))
        begin("pgproof plan: data fixes first, then online-safe statements, hazards named")
        made = plan(here, Path(folder) / "plan.sql")
        show(made)
        allowed = set(made.plan.hazard_codes)
        flag = f" --allow-hazards {','.join(sorted(allowed))}" if allowed else ""
        begin(f"pgproof apply plan.sql --yes{flag} (the reviewer acknowledged them)")
        show(apply(here, made.path, allowed, report=lambda message: None, progress=progress))
        begin("pgproof drift, again")
        after = drift(here)
        show(after)
        begin("nothing was lost: every removed row is archived, and one statement restores it")
        show(demo_module.archived_counts(production))
        show(demo_module.merged(production))
        return after


@dataclass(frozen=True)
class CacheStatus:
    folder: Path
    enabled: bool
    source: str  # where the on/off setting came from
    servers: list[tuple[str, bool]]
    entries: int
    bytes: int


def cache_status(settings: Settings) -> CacheStatus:
    """The cache folder and what it holds; changes nothing."""
    from pgproof.scratch import cache

    found = cache.status(settings.cache_dir)
    return CacheStatus(found.folder, settings.cache, settings.sources.get("cache", "default"),
                       found.servers, found.entries, found.bytes)


def cache_clear(settings: Settings) -> tuple[Path, int]:
    """Stop the cached servers and empty the cache folder."""
    from pgproof.scratch import cache

    return settings.cache_dir, cache.clear(settings.cache_dir)
