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

from . import db, desired, scratch, sides
from . import plan as plan_module
from .diff import Diff, compare
from .drift import DriftReport
from .errors import ConfigError, FixError
from .plan import FixStep, Plan
from .settings import Settings

if TYPE_CHECKING:
    from . import apply as apply_module
    from . import fixes
    from . import history as history_module

EMPTY_TARGET = sides.EMPTY_TARGET


def diff(settings: Settings) -> Diff:
    """The statements that turn the target (or an empty database) into the desired schema."""
    with sides.open_sides(settings) as both:
        result = compare(both.target, both.desired)
        return dataclasses.replace(result, notes=both.notes + result.notes)


def drift(settings: Settings) -> DriftReport:
    """How the target differs from the desired schema, per object and as statements."""
    with sides.open_sides(settings) as both:
        result = compare(both.target, both.desired)
        result = dataclasses.replace(result, notes=both.notes + result.notes)
        return DriftReport(target=both.target_label, schema=desired.display_path(settings.schema), diff=result)


def fixes_status(settings: Settings) -> list[tuple[fixes.Fix, int]]:
    """Every data fix with the rows it still has to fix (0 = done); changes nothing."""
    from . import fixes

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
    from . import fixes
    from .preflight import sentence

    url = _target(settings, "fixes run")
    found = fixes.discover(settings.fixes)
    keys = fixes.unique_keys(desired.read(settings.schema))
    problems = fixes.preflight(url, found, keys)
    if problems:
        raise FixError(f"preflight found rows the schema's unique keys cannot take, so nothing was changed: {sentence(problems)}")
    return fixes.run(url, found, phase=phase, progress=progress, jobs=jobs)


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
    from . import planner

    with sides.open_sides(settings, strict=settings.scratch == scratch.AUTO) as both:
        made = planner.make(
            both, fixes=_pending_fixes(settings, url),
            lock_timeout_ms=settings.lock_timeout_ms, statement_timeout_ms=settings.statement_timeout_ms,
            schema_source=desired.source_fingerprint(both.files),
            rollback_file=rollback_path.name,
        )
    plan_module.write(made.forward, out)
    plan_module.write(made.rollback, rollback_path)
    return PlanFiles(made.forward, made.rollback, out, rollback_path)


def _pending_fixes(settings: Settings, url: str) -> list[FixStep]:
    """The data fixes with rows still to fix, as plan steps (none without a fixes folder)."""
    from . import fixes

    if not settings.fixes.is_dir():
        return []
    found = fixes.pending(url, fixes.discover(settings.fixes))
    return [
        FixStep(name=fix.name, phase=fix.phase, rows=rows, checksum=plan_module.file_checksum(fix.path))
        for fix, rows in found if rows
    ]


def apply(settings: Settings, plan_file: Path, allowed: set[str], report, progress=None) -> apply_module.Outcome:
    """Apply a reviewed plan file to the target."""
    from . import apply as apply_module

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
    from . import history as history_module

    url = _target(settings, "history")
    db.probe(url)
    return history_module.entries(url)


def demo(settings: Settings, show, progress=None) -> DriftReport:
    """The whole workflow on a throwaway legacy production database: drift, plan with
    hazards and data fixes, apply, no drift, what was archived. `show(title, value)` is
    called after each step; everything is removed afterwards. Returns the last drift."""
    from . import demo as demo_module

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
    from .scratch import cache

    found = cache.status(settings.cache_dir)
    return CacheStatus(found.folder, settings.cache, settings.sources.get("cache", "default"),
                       found.servers, found.entries, found.bytes)


def cache_clear(settings: Settings) -> tuple[Path, int]:
    """Stop the cached servers and empty the cache folder."""
    from .scratch import cache

    return settings.cache_dir, cache.clear(settings.cache_dir)
