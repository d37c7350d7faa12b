"""One function per command, like alembic's `command.py`. Each takes settings and plain
values, returns data, and raises PgProofError; the CLI renders and exits.

What only some commands use (apply, data fixes, history, demo) is imported by them, so
`diff` and `drift` start without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dataclasses
import tempfile
import time
from dataclasses import dataclass

from pathlib import Path

from pgproof.core import db, escape, timing
from pgproof.read import desired
from pgproof.diff import grants, renames, sides
from pgproof import scratch
from pgproof.core import plan_file as plan_module
from pgproof.diff.engine import Diff
from pgproof.diff.drift import DriftReport
from pgproof.core.errors import ConfigError, FixError, Refused
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
    same = sides.no_change(settings)
    if same is not None:
        return same
    with sides.open_sides(settings) as both:
        result = _compare(both)
        return dataclasses.replace(result, notes=both.notes + result.notes + result.coverage_notes)


def drift(settings: Settings) -> DriftReport:
    """How the target differs from the desired schema, per object and as statements."""
    same = sides.no_change(settings)
    if same is not None:
        return DriftReport(target=settings.target_label, schema=desired.display_path(settings.schema), diff=same)
    with sides.open_sides(settings) as both:
        result = _compare(both)
        result = dataclasses.replace(result, notes=both.notes + result.notes + result.coverage_notes)
        return DriftReport(target=both.target_label, schema=desired.display_path(settings.schema), diff=result)


def _compare(both: sides.Sides) -> Diff:
    """The diff, with the renames the schema's directives call for done first."""
    return renames.compare_with(both, renames.read(both.files), cast_url=both.casts).diff


def fixes_status(settings: Settings) -> list[tuple[fixes.Fix, int]]:
    """Every data fix with the rows it still has to fix (0 = done); changes nothing."""
    from pgproof.fixes import run as fixes

    url = _target(settings, "fixes status")
    with timing.phase("data-fix checks"):
        return fixes.pending(url, fixes.discover(settings.fixes))


def fixes_pending(settings: Settings, *, phase: str | None = None, only: str | None = None) -> list[tuple[fixes.Fix, int]]:
    """The data fixes `fixes run` would run (of `phase`, or only the one named `only`),
    each with the rows its check counts now; changes nothing."""
    from pgproof.fixes import run as fixes

    url = _target(settings, "fixes run")
    chosen = _chosen(fixes.discover(settings.fixes), phase, only, settings)
    with timing.phase("data-fix checks"):
        return fixes.pending(url, chosen)


def _chosen(found: list, phase: str | None, only: str | None, settings: Settings) -> list:
    """The fixes of `phase` (or all), or only the one named `only` (its name or number)."""
    if only is not None:
        picked = [f for f in found if only in (f.name, f.name[:4], f.path.name)]
        if not picked:
            names = ", ".join(f.name for f in found) or "none"
            raise ConfigError(f"--only {only}: no data fix of that name in {settings.fixes} (there: {names}); "
                              "`pgproof fixes status` lists them.")
        found = picked
    return [f for f in found if phase is None or f.phase == phase]


def fixes_run(
    settings: Settings,
    *,
    phase: str | None = None,
    only: str | None = None,
    jobs: int = 2,
    progress: fixes.Progress | None = None,
) -> list[fixes.FixRun]:
    """Preflight, then run the pending data fixes in order (of `phase`, or only the one
    named `only`), in short batches.

    Preflight reads the unique keys the desired schema declares and refuses, before any
    change, when rows would still break one of them (duplicates no fix resolves, or keys
    too large for a btree entry); it counts on every fix, whichever of them run now.
    """
    from pgproof.fixes import run as fixes
    from pgproof.fixes.preflight import sentence

    url = _target(settings, "fixes run")
    db.new_session_tag()
    found = fixes.discover(settings.fixes)
    chosen = _chosen(found, None, only, settings)
    keys = fixes.unique_keys(desired.read(settings.schema))
    with timing.phase("preflight"):
        problems = fixes.preflight(url, found, keys)
    if problems:
        raise FixError(f"preflight found rows the schema's unique keys cannot take, so nothing was changed: {sentence(problems)}")
    with timing.phase("data fixes"):
        return fixes.run(url, chosen, phase=phase, progress=progress, jobs=jobs)


@dataclass(frozen=True)
class Inspected:
    files: dict[str, str]  # file name -> text, in load order
    statements: int
    major: int  # the target's PostgreSQL major


def inspect(settings: Settings, out: Path | None, as_folder: bool = False) -> Inspected:
    """A schema.sql (or a folder by schema and kind) written from the live target, proven
    to load back into an empty database equal to the target, so drift then exits 0."""
    url = _target(settings, "inspect")
    if as_folder and out is None:
        raise ConfigError("inspect --split writes a folder: pass --out FOLDER as well.")
    version = db.probe(url)
    grants.require_roles(url, list(settings.exclusions.managed_roles))
    header = (f"-- The schema of {escape.comment(db.mask(url))} (PostgreSQL {version}), written by pgproof inspect.\n"
              "-- This is now the desired schema: edit it, then pgproof plan.")
    from pgproof import adopt as inspect_module

    with scratch.open_scratch(settings.scratch, version.major) as server, timing.phase("inspect"):
        files, count = inspect_module.proven(url, server, settings.exclusions, header, out, as_folder)
    if out is not None:
        inspect_module.write(files, out, as_folder)
    return Inspected(files=files, statements=count, major=version.major)


@dataclass(frozen=True)
class Initialised:
    written: list  # init.Written, in the order they were written
    major: int  # what .github/pgproof-production-major says
    inspected: bool  # schema.sql is the target's schema (else only the extension line)


def init(settings: Settings, folder: Path, force: bool = False) -> Initialised:
    """Make `folder` a pgproof project: [tool.pgproof] in pyproject.toml, schema.sql (the
    target's schema, proven, when a target is given), an example data fix and the three
    workflows; refuses to overwrite any file unless `force`."""
    from pgproof import init as init_module

    init_module.check(folder, force)  # before a target is read
    schema_sql, major = None, scratch.auto.choose(None).major  # what auto uses with no target
    if settings.db_url:
        made = inspect(settings, None)
        schema_sql, major = "".join(made.files.values()), made.major
    written = init_module.write(folder, schema_sql, major, force)
    return Initialised(written, major, inspected=schema_sql is not None)


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
    plan_module.check_rollback_free(out)
    rollback_path = plan_module.rollback_path(out)
    from pgproof.core.errors import Refused
    from pgproof.fixes import run as fixes
    from pgproof.plan import fix_skeleton, planner, row_counts

    found = fixes.discover(settings.fixes)  # a malformed fix is reported before any server starts
    pending = _pending_fixes(url, found)
    with sides.open_sides(settings, strict=settings.scratch == scratch.AUTO, copies=True) as both:
        try:
            made = planner.make(
                both, fixes=[step for step, _ in pending], fix_keys=dict(keys for _, keys in pending),
                fix_files=found, lock_timeout_ms=settings.lock_timeout_ms,
                statement_timeout_ms=settings.statement_timeout_ms,
                schema_source=desired.source_fingerprint(both.files),
                rollback_file=rollback_path.name, renames=renames.read(both.files),
                row_check_timeout_ms=settings.row_check_timeout_ms, rehearsal=settings.rehearsal,
            )
        except row_counts.Unresolved as refused:
            raise Refused(row_counts.refusal(refused.found, fix_skeleton.write(refused.found, out))) from None
    forward = made.forward
    if not desired.statements(desired.read(settings.schema)) and forward.statements:
        forward = dataclasses.replace(forward, notes=(*forward.notes, empty_schema_note(settings)))
    with timing.phase("write"):
        plan_module.write(forward, out)
        plan_module.write(made.rollback, rollback_path)
    return PlanFiles(forward, made.rollback, out, rollback_path)


def _pending_fixes(url: str, found: list[fixes.Fix]) -> list[tuple[FixStep, tuple[str, tuple[str, ...]]]]:
    """The data fixes with rows still to fix, as plan steps (none without a fixes folder),
    each with (its name, the names it resolves: `row_checks.fix_keys`)."""
    from pgproof.fixes import run as fixes
    from pgproof.plan.row_checks import fix_keys

    if not found:
        return []
    with timing.phase("data-fix checks"):
        counted = fixes.pending(url, found)
    return [
        (FixStep(name=fix.name, phase=fix.phase, rows=rows, checksum=plan_module.file_checksum(fix.path),
                 resolves=fix.resolves), (fix.name, fix_keys(fix.check, fix.resolves)))
        for fix, rows in counted if rows
    ]


def apply_checked(settings: Settings, plan_file: Path, allowed: set[str]) -> Plan:
    """The plan, refused (exit 3) when edited or when a hazard is not in `allowed`: what
    apply checks first, so the question comes after it."""
    from pgproof.apply import run as apply_module

    return apply_module.checked(plan_file, allowed, Hints.of(settings, plan_file))


def apply(settings: Settings, plan_file: Path, allowed: set[str], report, progress=None) -> apply_module.Outcome:
    """Apply a reviewed plan file to the target."""
    from pgproof.apply import run as apply_module

    return apply_module.apply(
        _target(settings, "apply"), plan_file, allowed=allowed, exclusions=settings.exclusions,
        fixes_folder=settings.fixes, lock_wait_s=settings.apply_lock_wait_s,
        report=report, progress=progress, hints=Hints.of(settings, plan_file),
        row_check_timeout_ms=settings.row_check_timeout_ms,
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


def rollback(settings: Settings, entry_id: int, out: Path) -> Plan:
    """Write the rollback plan recorded with apply `entry_id` of the target's history to
    `out`, as it was proven when its plan was made. Refused (exit 3) unless that apply
    succeeded and the target is still where it left it."""
    from pgproof.ledger import history as history_module
    from pgproof.read import catalog

    url = _target(settings, "rollback")
    plan_module.check_writable(out)
    with timing.phase("read history"):
        db.probe(url)
        found = history_module.recorded(url, entry_id)
    if found is None:
        raise ConfigError(f"{db.mask(url)} has no apply {entry_id} in its history; `pgproof history` lists them.")
    entry, text = found.entry, found.rollback_plan
    back = Hints.of(settings, out).plan()
    if entry.outcome != "succeeded":
        raise Refused(f"apply {entry_id} did not succeed ({entry.outcome}), so its rollback does not start where the "
                      f"target is; apply its plan again to finish it, or put the schema back and make a new plan: `{back}`.")
    if text is None:
        raise ConfigError(f"apply {entry_id} recorded no rollback plan (its rollback file was not beside the plan, or "
                          f"pgproof before 0.2.0 applied it); put the schema back as it was and make a new plan: `{back}`.")
    with timing.phase("catalog"):
        current = catalog.describe(url, settings.exclusions).fingerprint()
    if current != entry.fingerprint_after:
        later = [e.id for e in history_module.entries(url) if e.id > entry_id and e.outcome == "succeeded"]
        since = f"apply {', '.join(map(str, sorted(later)))} changed it since" if later else "it changed since"
        raise Refused(f"the target moved on since apply {entry_id} ({since}: its fingerprint is {current[:12]}, "
                      f"apply {entry_id} left {(entry.fingerprint_after or '')[:12]}), so that rollback would not "
                      f"apply; to return to the state before apply {entry_id}, put the schema back as it was then "
                      f"and make a new plan to it: `{back}`.")
    with timing.phase("write"):
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write the plan to {out}: {exc.strerror}; choose another --out.") from None
    return plan_module.read(out)


def trash_list(settings: Settings) -> list:
    """What pgproof kept of the data plans destroyed: trashed tables and column values."""
    from pgproof.ledger import kept

    url = _target(settings, "trash list")
    with db.connection(url) as conn, conn.cursor() as cur:
        return kept.entries(cur)


def trash_restore(settings: Settings, name: str) -> str:
    """Move trashed table `name` back to its schema and name; returns schema.table."""
    from pgproof.ledger import kept

    url = _target(settings, "trash restore")
    with db.connection(url) as conn, conn.cursor() as cur:
        found = {e.name: e for e in kept.entries(cur) if e.what == "table"}
        if name not in found:
            raise ConfigError(f"the trash of {db.mask(url)} holds no table {name}; `pgproof trash list` shows "
                              "what it holds.")
        source = found[name].source
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (source,))
        if cur.fetchone()[0]:
            raise Refused(f"{source} exists, so {name} cannot take its name back; rename or drop {source} "
                          f"first, then run `pgproof trash restore {name}` again.")
        cur.execute(kept.restore_table_sql(name))
        conn.commit()
    return source


def trash_purge(settings: Settings, older_than_days: float | None) -> int:
    """Drop what was kept more than `older_than_days` (default: trash_retention_days) ago;
    returns how many things went."""
    from pgproof.ledger import kept

    days = settings.trash_retention_days if older_than_days is None else older_than_days
    url = _target(settings, "trash purge")
    with db.connection(url) as conn, conn.cursor() as cur:
        before = len(kept.entries(cur))
        if before:
            sql, params = kept.purge_sql(days)
            cur.execute(sql, params)
        after = len(kept.entries(cur))
        conn.commit()
    return before - after


def demo(settings: Settings, begin, show, progress=None, schema: Path | None = None) -> DriftReport:
    """The whole workflow on a throwaway legacy production database: drift, plan with
    hazards and data fixes, apply, no drift, what was archived and merged. `begin(title)`
    is called before each step and `show(value)` with its result; everything is removed
    afterwards. Returns the last drift. The scenario's schema and data fixes are the ones
    shipped in the package; `schema` replaces the schema (a file or folder)."""
    from pgproof import demo as demo_module

    label = desired.display_path(schema) if schema is not None else demo_module.SCHEMA_LABEL
    schema = schema if schema is not None else demo_module.SCHEMA
    files = desired.read(schema)
    with scratch.embedded_server() as server, server.database(name="legacy_production") as production, \
            tempfile.TemporaryDirectory(prefix="pgproof-demo-") as folder:
        begin("a legacy production database: the old Alembic schema, duplicate segments, NULL speaker labels")
        with timing.phase("demo database"):
            demo_module.build_legacy(production, files)
        here = dataclasses.replace(settings, db_url=production, scratch=server.url, schema=schema,
                                   fixes=demo_module.FIXES)
        show(fixes_status(here))
        show(demo_module.split_groups(production))
        begin(f"pgproof drift: how production differs from {label}")
        show(dataclasses.replace(drift(here), schema=label))
        begin("pgproof plan: data fixes first, then online-safe statements, hazards named")
        made = plan(here, Path(folder) / "plan.sql")
        show(made)
        allowed = set(made.plan.hazard_codes)
        flag = f" --allow-hazards {','.join(sorted(allowed))}" if allowed else ""
        begin(f"pgproof apply plan.sql --yes{flag} (the reviewer acknowledged them)")
        show(apply(here, made.path, allowed, report=lambda message: None, progress=progress))
        begin("pgproof drift, again")
        after = dataclasses.replace(drift(here), schema=label)
        show(after)
        begin("nothing was lost: every removed row is archived, and one statement restores it")
        show(demo_module.archived_counts(production))
        show(demo_module.merged(production))
        return after


CACHE_STATUS_FORMAT = "pgproof.cache-status/1"  # of `pgproof cache status --format json`


@dataclass(frozen=True)
class CacheStatus:
    folder: Path
    enabled: bool
    source: str  # where the on/off setting came from
    servers: list  # lifecycle.ServerStatus
    entries: list  # entries.Entry, least recently used first
    bytes: int
    max_bytes: int
    idle_minutes: float

    def to_data(self) -> dict:
        """The JSON of `cache status --format json` (docs/scratch.md, "The cache")."""
        now = time.time()
        return {
            "format": CACHE_STATUS_FORMAT, "folder": str(self.folder), "enabled": self.enabled, "source": self.source,
            "bytes": self.bytes, "max_bytes": self.max_bytes, "idle_minutes": self.idle_minutes,
            "servers": [{"name": s.name, "major": s.major, "installation": s.installation, "running": s.running,
                         "idle_s": None if s.idle_s is None else round(s.idle_s, 1), "bytes": s.bytes}
                        for s in self.servers],
            "entries": [{"key": e.key, "kind": e.kind, "holds": e.holds, "server": e.template.get("server"),
                         "database": e.database, "bytes": e.bytes, "last_used_s": round(max(0.0, now - e.last_used), 1)}
                        for e in self.entries],
        }


def cache_status(settings: Settings) -> CacheStatus:
    """The cache folder and what it holds; changes nothing."""
    from pgproof.scratch import lifecycle

    found = lifecycle.status(settings.cache_dir)
    return CacheStatus(found.folder, settings.cache, settings.sources.get("cache", "default"),
                       found.servers, found.entries, found.bytes, settings.cache_max_bytes, settings.cache_idle_minutes)


def cache_prune(settings: Settings) -> list[str]:
    """Stop idle and dead cache servers and apply the size cap now; what was done."""
    from pgproof.scratch import lifecycle

    return lifecycle.prune(settings.cache_dir, settings.cache_max_bytes, settings.cache_idle_minutes * 60)


def cache_clear(settings: Settings) -> tuple[Path, int]:
    """Stop the cached servers and empty the cache folder."""
    from pgproof.scratch import lifecycle

    return settings.cache_dir, lifecycle.clear(settings.cache_dir)
