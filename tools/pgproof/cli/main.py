"""The `pgproof` command line: parse, call one function of `commands`, render, exit.

stdout carries only SQL or the requested machine format; messages go to stderr. Errors
are one sentence and exit 1 (3 for a safety refusal); `--traceback` shows the rest.
Only this module imports click or calls sys.exit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

import click

from pgproof import __version__
from pgproof.core.lazy import lazy
from pgproof.core import interrupts, timing
from pgproof.core import db as db_module
from pgproof.read import uncompared
from pgproof.core.hints import Hints
from pgproof.cli.output import Output, number
from pgproof.core.errors import ConfigError, DiffError, ExitCode, PgProofError
from pgproof.core.settings import Settings, resolve

# What a command needs is imported when it runs, not to print --help (cli/lazy.py).
if TYPE_CHECKING:
    import psycopg2
    from rich.console import Console

    from pgproof import commands
    from pgproof.cli import report as plan_report
    from pgproof.core import estimate, plan_file as plan_format, statement
    from pgproof.diff import drift as drift_module, gaps
else:
    psycopg2 = lazy("psycopg2")
    commands = lazy("pgproof.commands")
    plan_report = lazy("pgproof.cli.report")
    plan_format = lazy("pgproof.core.plan_file")
    estimate = lazy("pgproof.core.estimate")
    statement = lazy("pgproof.core.statement")
    drift_module = lazy("pgproof.diff.drift")
    gaps = lazy("pgproof.diff.gaps")

# The --format choices, known without importing their renderers (tests/test_startup.py
# checks them against diff/drift.py's and cli/report.py's RENDERERS).
DRIFT_FORMATS = ("json", "markdown", "text")
PLAN_FORMATS = ("json", "markdown", "sql")

DIFF_JSON_FORMAT = "pgproof.diff/1"


@dataclass
class Context:
    out: IO[str]
    err: Console | Callable[[], Console]  # made when first needed (Output)
    traceback: bool = False
    timings: bool = False
    progress: bool = True  # --no-progress turns the phase lines off
    environments: tuple[str, ...] = ()  # --env NAME, as given
    output: Output = field(init=False)

    def __post_init__(self) -> None:
        self.output = Output(self.err)

    def say(self, message: str, style: str | None = None) -> None:
        self.output.say(message, style=style)


def _settings(**flags: Any) -> Settings:
    """The settings of this command: its flags, with the one --env NAME if given."""
    names = click.get_current_context().find_object(Context).environments
    if len(names) > 1:
        raise ConfigError(
            f"--env was given {len(names)} times; only drift reports several environments at once: "
            "run this command once per environment."
        )
    return resolve({**flags, "env": names[0] if names else None})


def _each_environment(**flags: Any) -> list[Settings | PgProofError]:
    """One Settings per --env NAME (or the plain settings without one); a bad environment
    is its error, so the others still run."""
    names = click.get_current_context().find_object(Context).environments or (None,)
    found: list[Settings | PgProofError] = []
    for name in names:
        try:
            found.append(resolve({**flags, "env": name}))
        except PgProofError as exc:
            found.append(exc)
    return found


# --- shared options ---------------------------------------------------------------------

def _timings_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_object(Context).timings = True


def _no_progress_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_object(Context).progress = False


def timings_option(f):
    """--timings and --no-progress after the command name too (`pgproof plan --timings`)."""
    f = click.option("--no-progress", is_flag=True, expose_value=False, callback=_no_progress_flag,
                     help="Do not show the phases while they run (the lines on stderr).")(f)
    return click.option("--timings", is_flag=True, expose_value=False, callback=_timings_flag,
                        help="Print the time of each phase to stderr; they add up to the wall time.")(f)


def _show_phases(obj: Context) -> None:
    """This command shows its phases while they run (stderr; a live line on a terminal)."""
    obj.output.phases.enabled = obj.progress


def _environments(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    ctx.find_object(Context).environments = tuple(value)


def db_option(f):
    f = click.option(
        "--env", "environments", metavar="NAME", multiple=True, expose_value=False, callback=_environments,
        help="A named environment of [tool.pgproof.environments.NAME]: its database (read from the "
             "variable its db names), scratch and exclusions.",
    )(f)
    return click.option(
        "--db", "db", metavar="URL",
        help="Target database URL (default: $DATABASE_URL, then .env).",
    )(f)


def schema_options(f):
    f = click.option(
        "--no-cache", "no_cache", is_flag=True,
        help="Load the desired schema into a fresh scratch, without the warm cache (see pgproof cache).",
    )(f)
    f = click.option(
        "--scratch", metavar="SPEC",
        help="Where the desired schema is materialised: auto (default: a server of the target's major), "
             "embedded, local, local:/path/to/bin, docker, or a postgresql:// server URL.",
    )(f)
    f = click.option(
        "--schema", type=click.Path(path_type=Path), metavar="PATH",
        help="Desired schema: a .sql file or a folder of them (default: schema/schema.sql).",
    )(f)
    return db_option(f)


# --- the commands -----------------------------------------------------------------------

@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pgproof")
@click.option("--traceback", is_flag=True, help="Show the full traceback of an error.")
@click.option("--timings", is_flag=True, help="Print the time of each phase to stderr.")
@click.option("--no-progress", "no_progress", is_flag=True,
              help="Do not show the phases of plan, diff, drift and inspect while they run.")
@click.pass_context
def cli(ctx: click.Context, traceback: bool, timings: bool, no_progress: bool) -> None:
    """Declarative schema-as-code for PostgreSQL + pgvector.

    schema/schema.sql is the truth; pgproof loads it into a scratch database, asks migra
    (checked by an independent catalog comparison) for the SQL that turns a target into
    it, and reports drift.

    \b
    Examples:
      pgproof diff                      # full creation script (no target given)
      pgproof diff --db "$DATABASE_URL" > change.sql
      pgproof drift --format markdown   # for a CI job summary
    """
    ctx.obj.traceback = traceback
    ctx.obj.timings = timings
    ctx.obj.progress = not no_progress


@cli.command()
@timings_option
@schema_options
@click.option("--format", "fmt", type=click.Choice(["sql", "json"]), default="sql", show_default=True)
@click.option("--exit-code", is_flag=True, help="Exit 2 when there are statements (like migra --exit-code).")
@click.pass_obj
def diff(obj: Context, db: str | None, schema: Path | None, scratch: str | None, no_cache: bool, fmt: str,
         exit_code: bool) -> int:
    """Print the SQL that turns the target into the desired schema.

    With no target at all (no --db, no DATABASE_URL) it compares against an empty
    database and prints the full creation script. When the catalog check finds a change
    pgproof cannot write safely (a named gap), the statements it can write are still
    printed, and the command fails (exit 1) naming each gap.

    \b
    Examples:
      pgproof diff
      pgproof diff --db "$STAGING_URL" > change.sql
      pgproof diff --exit-code --format json
    """
    _show_phases(obj)
    settings = _settings(db=db, schema=schema, scratch=scratch, cache=False if no_cache else None)
    result = commands.diff(settings)
    for note in result.notes:
        obj.say(f"note: {note}")
    if fmt == "json":
        obj.out.write(json.dumps({
            "format": DIFF_JSON_FORMAT,
            "statements": [{"sql": s.render(), "origin": s.origin} for s in result.statements],
            "gaps": [gaps.as_dict(g) for g in result.gaps],
            "notes": result.notes,
        }, indent=2) + "\n")
    else:
        obj.out.write(statement.render_script(result.statements))
    if result.gaps:
        raise DiffError(gaps.refusal(result.gaps))
    if not result.statements and result.not_compared:
        obj.say("No changes in what pgproof compares (see the note above).")
    elif not result.statements:
        obj.say("No changes: the target already matches the desired schema.", style="green")
    return ExitCode.CHANGES if exit_code and result.statements else ExitCode.OK


@cli.command()
@timings_option
@schema_options
@click.option("--format", "fmt", type=click.Choice(DRIFT_FORMATS), default="text", show_default=True)
@click.pass_obj
def drift(obj: Context, db: str | None, schema: Path | None, scratch: str | None, no_cache: bool, fmt: str) -> int:
    """Report how the target differs from the desired schema; exit 2 when it drifted.

    Every managed object is compared twice: by migra and by an independent read of
    pg_catalog. It is drift when either finds a difference; exit 0 only when the catalog
    fingerprints are equal. Changes pgproof cannot write are listed as gaps.

    \b
    Examples:
      pgproof drift --db "$DATABASE_URL"
      pgproof drift --format json | jq .differences
      pgproof drift --format markdown >> "$GITHUB_STEP_SUMMARY"
      pgproof drift --env staging --env production
    """
    _show_phases(obj)
    chosen = _each_environment(db=db, schema=schema, scratch=scratch, cache=False if no_cache else None)
    if len(chosen) == 1:
        if isinstance(chosen[0], PgProofError):
            raise chosen[0]
        report = commands.drift(chosen[0])
        obj.out.write(drift_module.RENDERERS[fmt](report))
        return ExitCode.CHANGES if report.drifted else ExitCode.OK
    return _drift_each(obj, chosen, fmt)


def _drift_each(obj: Context, chosen: list[Settings | PgProofError], fmt: str) -> int:
    """drift of several environments: each reported, an error of one does not stop the
    others; exit 1 if any failed, else 2 if any drifted, else 0."""
    rendered, failed, drifted = [], False, False
    for settings in chosen:
        try:
            if isinstance(settings, PgProofError):
                raise settings
            report = commands.drift(settings)
        except PgProofError as exc:
            failed = True
            obj.say(f"Error: {exc}", style="red")
            continue
        drifted = drifted or report.drifted
        rendered.append(drift_module.RENDERERS[fmt](report))
    if fmt == "json":
        obj.out.write(json.dumps({"reports": [json.loads(text) for text in rendered]}, indent=2) + "\n")
    else:
        obj.out.write("\n".join(rendered))
    return ExitCode.ERROR if failed else ExitCode.CHANGES if drifted else ExitCode.OK


@cli.command()
@timings_option
@schema_options
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, metavar="FILE",
              help="Where to write the plan; the rollback plan goes beside it as FILE.rollback.sql "
                   "(refused when that file is the rollback of another plan).")
@click.option("--format", "fmt", type=click.Choice(PLAN_FORMATS), default="sql", show_default=True,
              help="What to print on stdout: the plan file, a markdown summary (PR comment), or json.")
@click.option("--rehearsal", type=click.Choice(["violating", "sample", "none"]), default=None,
              help="Which of the target's rows the proof copies to rehearse the data fixes and statements "
                   "with: the rows the fixes' checks count (violating, the default), also a sample of "
                   "1,000 rows of each touched table (sample), or none (schema only).")
@click.pass_obj
def plan(obj: Context, db: str | None, schema: Path | None, scratch: str | None, no_cache: bool, out: Path,
         fmt: str, rehearsal: str | None) -> int:
    """Write a reviewable plan: data fixes, online-safe statements, hazards, fingerprints.

    The plan is proven before it is written: the target's schema is copied into a
    scratch database, the statements run there, and the result must equal the desired
    schema. With the target's rows that matter (see --rehearsal) the data fixes run
    there too, and every row removed must be archived or named by a DATA_LOSS hazard.
    A rollback plan is written beside it.

    \b
    Examples:
      pgproof plan --db "$DATABASE_URL" --out plan.sql
      pgproof plan --out plan.sql --format markdown >> "$GITHUB_STEP_SUMMARY"
      pgproof plan --db "$STAGING_URL" --scratch embedded --out plan.sql
    """
    _show_phases(obj)
    settings = _settings(db=db, schema=schema, scratch=scratch, cache=False if no_cache else None,
                         rehearsal=rehearsal)
    files = commands.plan(settings, out)
    made = files.plan
    obj.out.write(plan_report.RENDERERS[fmt](made, str(files.path), target=settings.target_label, rollback=files.rollback))
    for note in made.notes:
        obj.say(f"note: {note}")
    if made.empty:
        if any(note.startswith(uncompared.NOTE_START) for note in made.notes):
            obj.say(f"Nothing to do in what pgproof compares (see the note above). Wrote {files.path}.")
        else:
            obj.say(f"Nothing to do: the target matches the desired schema. Wrote {files.path}.", style="green")
        return ExitCode.OK
    hazards = ",".join(made.hazard_codes) or "none"
    obj.say(
        f"Wrote {files.path}: {len(made.statements)} statement(s), {len(made.fixes)} data fix(es), "
        f"hazards: {hazards}; rollback: {files.rollback_path}."
    )
    hints = Hints.of(settings, files.path)
    obj.say(f"Apply after review with: {hints.apply(','.join(made.hazard_codes) or None)}")
    back = ",".join(files.rollback.hazard_codes) or None
    obj.say(f"Roll back after that apply, if needed, with: {hints.apply(back, str(files.rollback_path))}")
    return ExitCode.OK


@cli.command()
@timings_option
@click.argument("plan_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed when not on a terminal).")
@click.option("--allow-hazards", "allow_hazards", metavar="KIND[,KIND...]",
              help="Hazard codes this apply accepts, as printed in the plan.")
@click.pass_obj
def apply(obj: Context, plan_file: Path, db: str | None, yes: bool, allow_hazards: str | None) -> int:
    """Apply a reviewed plan file to the target, exactly as reviewed.

    Refuses (exit 3) a plan that was edited, is stale (the target changed since), or has
    hazards not named in --allow-hazards. Takes an advisory lock, runs data fixes,
    statements (retrying lock timeouts) and checks that no drift is left; every apply
    is recorded (see `pgproof history`). A failed apply of the same plan resumes.

    \b
    Examples:
      pgproof apply plan.sql --db "$DATABASE_URL" --yes --allow-hazards DATA_FIX,INDEX_BUILD
      pgproof apply plan.rollback.sql --db "$DATABASE_URL" --yes --allow-hazards INDEX_DROP
    """
    settings = _settings(db=db)
    allowed = hazard_codes(allow_hazards)
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("apply changes the database: pass --yes when not running on a terminal")
        # The refusals first (edited plan, hazards not allowed), then what it will do, then the question.
        checked = commands.apply_checked(settings, plan_file, allowed)
        obj.say(_apply_summary(checked, plan_file, settings.db_url))
        click.confirm(f"Apply {plan_file} to {_masked(settings.db_url)}?", abort=True, err=True)
    outcome = commands.apply(settings, plan_file, allowed, report=obj.say, progress=obj.output)
    if outcome.already_applied:
        return ExitCode.OK
    done = f"Applied {plan_file}: {outcome.statements_run} statement(s) in {outcome.seconds:.1f} s"
    if outcome.plan.kind == plan_format.ROLLBACK:
        obj.say(f"{done}; the target is back at the schema its forward plan was made against, so `pgproof drift` "
                "reports the forward change as drift until the schema files are reverted too.", style="green")
    else:
        obj.say(f"{done}; the target now matches the desired schema.", style="green")
    return ExitCode.OK


def _apply_summary(plan, plan_file: Path, url: str | None) -> str:
    """What apply is about to do, in one paragraph, shown before its question."""
    rows = sum(f.rows for f in plan.fixes)
    hazards = ", ".join(plan.hazard_codes) + " (allowed)" if plan.hazard_codes else "none"
    kind = "rollback plan" if plan.kind == plan_format.ROLLBACK else "plan"
    return (f"{plan_file} ({kind}, made {plan.created}) on {_masked(url)}: {len(plan.statements)} statement(s), "
            f"{len(plan.fixes)} data fix(es) touching {number(rows)} row(s), hazards: {hazards}; "
            f"estimated time {estimate.describe(estimate.seconds(plan))} ({estimate.HOW}).")


@cli.command()
@timings_option
@click.argument("plan_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(PLAN_FORMATS), default="markdown", show_default=True)
@click.pass_obj
def show(obj: Context, plan_file: Path, fmt: str) -> int:
    """Check a plan file and print it: markdown for a PR comment, json for scripts.

    Refuses (exit 3) a plan that was edited after it was made, like apply does.

    \b
    Examples:
      pgproof show plan.sql
      pgproof show plan.sql --format json | jq -r '.hazard_codes | join(" ")'
    """
    plan = commands.show(plan_file)
    obj.out.write(plan_report.RENDERERS[fmt](plan, str(plan_file), rollback=_rollback_beside(plan, plan_file)))
    return ExitCode.OK


def _rollback_beside(plan, plan_file: Path):
    """The plan's rollback file beside it, for the markdown's rollback section (None when
    it is gone or not a rollback of this plan: the section then says less)."""
    from pgproof.core.plan_file import FORWARD, way_back

    back = way_back(plan, plan_file) if plan.kind == FORWARD else None
    if back is None or not back.exists():
        return None
    try:
        return commands.show(back)
    except PgProofError:
        return None


HISTORY_JSON_FORMAT = "pgproof.history/1"


@cli.command()
@timings_option
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for people, json for scripts, markdown for a job summary (no host named).")
@click.pass_obj
def history(obj: Context, db: str | None, fmt: str) -> int:
    """List the plans applied to the target, newest first.

    Each apply keeps its rollback plan: `pgproof rollback ID` writes it back to a file.

    \b
    Examples:
      pgproof history --db "$DATABASE_URL"
      pgproof history --db "$DATABASE_URL" --format json | jq '.entries[0]'
      pgproof history --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    settings = _settings(db=db)
    entries = commands.history(settings)
    if fmt == "markdown":
        obj.out.write(plan_report.render_history_markdown(entries, settings.target_label))
        return ExitCode.OK
    if fmt == "json":
        obj.out.write(json.dumps({"format": HISTORY_JSON_FORMAT, "entries": [e.to_data() for e in entries]},
                                 indent=2) + "\n")
        return ExitCode.OK
    if not entries:
        obj.say("No plan has been applied to this database yet.")
        return ExitCode.OK
    obj.out.write(f"{'id':>4}  {'started (UTC)':<19}  {'outcome':<9}  {'steps':>7}  {'seconds':>8}  {'user':<16}  plan\n")
    for e in entries:
        seconds = f"{e.duration_ms / 1000:.1f}" if e.duration_ms is not None else "-"
        who = e.database_user + (f" ({e.os_user})" if e.os_user else "")
        obj.out.write(
            f"{e.id:>4}  {e.started_at:%Y-%m-%d %H:%M:%S}  {e.outcome:<9}  {e.statements_done:>3}/{e.statements:<3}  "
            f"{seconds:>8}  {who:<16}  {e.plan_kind} {e.plan_checksum[7:19]}"
            + (f"  error: {e.error}" if e.error else "") + "\n"
        )
    return ExitCode.OK


@cli.command()
@timings_option
@click.argument("entry_id", metavar="ID", type=click.IntRange(min=1))
@db_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, metavar="FILE",
              help="Where to write the rollback plan.")
@click.pass_obj
def rollback(obj: Context, entry_id: int, db: str | None, out: Path) -> int:
    """Write the rollback plan of apply ID (see pgproof history) to FILE, to review and apply.

    Every apply records the way back its plan came with (the rollback plan, proven when
    the plan was made), so it outlives the file. Refused (exit 3) when that apply did
    not succeed or the target moved on since (another apply, or drift): the rollback
    would no longer apply, and the sentence says how to make a new plan instead.

    \b
    Example:
      pgproof rollback 2 --db "$DATABASE_URL" --out back.sql
    """
    settings = _settings(db=db)
    made = commands.rollback(settings, entry_id, out)
    hazards = ",".join(made.hazard_codes) or "none"
    obj.say(f"Wrote {out}: the rollback of apply {entry_id}, {len(made.statements)} statement(s), hazards: {hazards}.")
    obj.say(f"Apply it after review with: {Hints.of(settings, out).apply(','.join(made.hazard_codes) or None)}")
    return ExitCode.OK


TRASH_JSON_FORMAT = "pgproof.trash/1"


@cli.group(name="trash")
def trash_group() -> None:
    """What plans destroyed, kept in the target: dropped tables (in the pgproof_trash
    schema) and the values of dropped or narrowed columns (in pgproof.kept_values).

    \b
    Examples:
      pgproof trash list --db "$DATABASE_URL"
      pgproof trash purge --db "$DATABASE_URL" --older-than 30
    """


@trash_group.command(name="list")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def trash_list(obj: Context, db: str | None, fmt: str) -> int:
    """List what is kept: what, when, rows, size, and how to bring it back.

    \b
    Example:
      pgproof trash list --db "$DATABASE_URL" --format json
    """
    entries = commands.trash_list(_settings(db=db))
    if fmt == "json":
        obj.out.write(json.dumps({"format": TRASH_JSON_FORMAT, "entries": [e.to_data() for e in entries]},
                                 indent=2) + "\n")
        return ExitCode.OK
    if not entries:
        obj.say("Nothing is kept in this database's trash.")
        return ExitCode.OK
    obj.out.write(f"{'kept (UTC)':<19}  {'what':<6}  {'rows':>10}  {'size':>10}  {'name':<40}  from\n")
    for e in entries:
        obj.out.write(f"{e.kept_at:%Y-%m-%d %H:%M:%S}  {e.what:<6}  {e.rows:>10,}  {e.bytes / 1e6:>8.1f}MB  "
                      f"{e.name:<40}  {e.source}\n")
    return ExitCode.OK


@trash_group.command(name="restore")
@click.argument("name")
@db_option
@click.pass_obj
def trash_restore(obj: Context, name: str, db: str | None) -> int:
    """Move trashed table NAME (see pgproof trash list) back to its schema and name.

    Refused (exit 3) when a table has that name again. Its foreign keys to other tables
    are not brought back (the drop removed them): plan again to add them.

    \b
    Example:
      pgproof trash restore orders__1a2b3c4d --db "$DATABASE_URL"
    """
    source = commands.trash_restore(_settings(db=db), name)
    obj.say(f"Restored {name} as {source}.")
    return ExitCode.OK


@trash_group.command(name="purge")
@db_option
@click.option("--older-than", "days", type=click.FloatRange(min=0), default=None, metavar="DAYS",
              help="Purge what was kept more than DAYS ago (default: trash_retention_days, 7).")
@click.pass_obj
def trash_purge(obj: Context, db: str | None, days: float | None) -> int:
    """Drop the trashed tables and kept column values older than the retention, for good.

    \b
    Example:
      pgproof trash purge --db "$DATABASE_URL" --older-than 30
    """
    gone = commands.trash_purge(_settings(db=db), days)
    obj.say(f"Purged {gone} kept table(s) and column archive(s).")
    return ExitCode.OK


@cli.group(name="cache")
def cache_group() -> None:
    """The warm scratch cache: a persistent scratch server per PostgreSQL major, and the
    desired schema (and the target's copy for plan) kept there as template databases, so
    repeated runs load nothing. On by default, off in CI (CI=true), and off with
    --no-cache or PGPROOF_CACHE=off. The folder: PGPROOF_CACHE_DIR, cache_dir in
    [tool.pgproof], else $XDG_CACHE_HOME/pgproof or ~/.cache/pgproof.
    Servers stop by themselves after cache_idle_minutes (15) unused; the cache stays
    under cache_max_bytes (2 GiB).

    \b
    Examples:
      pgproof cache status
      pgproof cache prune
      pgproof cache clear
    """


@cache_group.command(name="status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def cache_status(obj: Context, fmt: str) -> int:
    """Show the cache folder, its servers (major, installation, running or stopped, idle
    for, size) and entries (kind, what each holds, size, last used), least recently used
    first.

    \b
    Examples:
      pgproof cache status
      pgproof cache status --format json
    """
    from pgproof.scratch.lifecycle import idle_for

    found = commands.cache_status(_settings())
    if fmt == "json":
        obj.out.write(json.dumps(found.to_data(), indent=2) + "\n")
        return ExitCode.OK
    data = found.to_data()
    state = "on" if found.enabled else "off"
    obj.out.write(f"folder   {found.folder}\ncache    {state} ({found.source})\n"
                  f"size     {found.bytes / 1e6:.1f} MB of {found.max_bytes / 1e6:.0f} MB; "
                  f"servers stop after {found.idle_minutes:g} min idle\n")
    for server in data["servers"]:
        state = "running" if server["running"] else "stopped"
        obj.out.write(f"server   {server['name']} PostgreSQL {server['major']} ({state}, idle for "
                      f"{idle_for(server['idle_s'])}, {server['bytes'] / 1e6:.1f} MB) {server['installation']}\n")
    obj.out.write(f"entries  {len(data['entries'])}\n")
    for entry in data["entries"]:
        obj.out.write(f"entry    {entry['kind'] or '?'}: {entry['holds']} ({entry['bytes'] / 1e6:.1f} MB, "
                      f"used {idle_for(entry['last_used_s'])} ago)\n")
    return ExitCode.OK


@cache_group.command(name="prune")
@click.pass_obj
def cache_prune(obj: Context) -> int:
    """Apply the cache's size cap now (cache_max_bytes: least recently used entries
    first, never one a run uses) and stop idle servers (cache_idle_minutes) and servers
    whose binaries or folder are gone.

    \b
    Example:
      pgproof cache prune
    """
    done = commands.cache_prune(_settings())
    for line in done:
        obj.say(line[0].upper() + line[1:] + ".")
    obj.say(f"Pruned the cache: {len(done)} change(s).")
    return ExitCode.OK


@cache_group.command(name="clear")
@click.pass_obj
def cache_clear(obj: Context) -> int:
    """Stop the cached scratch servers and delete the cache folder's contents.

    Waits up to 30 s for runs that are using the cache to end.

    \b
    Example:
      pgproof cache clear
    """
    folder, stopped = commands.cache_clear(_settings())
    obj.say(f"Cleared {folder}: {stopped} server(s) stopped.")
    return ExitCode.OK


@cli.command()
@timings_option
@db_option
@click.option("--out", type=click.Path(path_type=Path), metavar="PATH",
              help="Where to write schema.sql (default: stdout); with --split, a folder.")
@click.option("--split", "as_folder", is_flag=True,
              help="Write a folder of files by schema and kind (NN_schema_kind.sql, loaded in name order).")
@click.option("--scratch", metavar="SPEC",
              help="Where the output is proven: auto (default), embedded, local[:BINDIR], docker, or a postgresql:// server URL.")
@click.pass_obj
def inspect(obj: Context, db: str | None, out: Path | None, as_folder: bool, scratch: str | None) -> int:
    """Write a schema.sql from a live database: how an existing database is adopted.

    The file holds schemas, extensions and types, then one group per table (the table,
    its constraints, indexes and comments), foreign keys, then views, functions,
    triggers and policies, in dependency order, rendered as pgproof compares them.
    It is proven before it is written: loaded into an empty scratch database, it must
    equal the target, so `pgproof drift` against the target then exits 0. Excluded
    objects stay out; managed privileges and owners are written too.

    \b
    Examples:
      pgproof inspect --db "$DATABASE_URL" --out schema/schema.sql
      pgproof inspect --db "$DATABASE_URL" --out schema/ --split
      pgproof inspect --db "$DATABASE_URL" > schema.sql
    """
    _show_phases(obj)
    settings = _settings(db=db, scratch=scratch)
    made = commands.inspect(settings, out, as_folder)
    if out is None:
        obj.out.write("".join(made.files.values()))
        return ExitCode.OK
    where = f"{out}/ ({len(made.files)} files)" if as_folder else str(out)
    obj.say(f"Wrote {where}: {made.statements} statement(s); it loads back equal to the target, "
            f"so `{Hints.of(settings).drift(str(out))}` exits 0.", style="green")
    return ExitCode.OK


@cli.command()
@timings_option
@click.option("--db", "db", metavar="URL",
              help="Write schema/schema.sql from this live database (inspect); without it, an empty schema.")
@click.option("--force", is_flag=True, help="Overwrite files that exist and replace an existing [tool.pgproof].")
@click.option("--scratch", metavar="SPEC",
              help="With --db, where the schema is proven: auto (default), embedded, local[:BINDIR], docker, or a URL.")
@click.pass_obj
def init(obj: Context, db: str | None, force: bool, scratch: str | None) -> int:
    """Make the current folder a pgproof project (an empty folder or an existing repository).

    Writes [tool.pgproof] into pyproject.toml (appended; a new pyproject.toml when there
    is none), schema/schema.sql (the database's schema, proven like inspect's, with
    --db; else only the pgvector extension), data_fixes/0000_example.sql (an inert
    example), the plan, deploy and drift workflows in .github/workflows/ (installing this
    release of pgproof) and .github/pgproof-production-major. Refuses to overwrite any
    file without --force. Reads only --db, never DATABASE_URL.

    \b
    Examples:
      pgproof init
      pgproof init --db "$DATABASE_URL" --force
    """
    # The project's settings are what init writes, so they are not read (they may not load).
    settings = resolve({"db": db, "scratch": scratch}, project=False)
    if not db:  # init reads a database only when told to
        settings = dataclasses.replace(settings, db_url=None)
    done = commands.init(settings, Path.cwd(), force=force)
    for written in done.written:
        obj.say(f"{written.how} {written.path}")
    source = "the database's schema" if done.inspected else "only the pgvector extension"
    obj.say(f"This folder is a pgproof project: schema/schema.sql holds {source}, and "
            f".github/pgproof-production-major says {done.major} (set it to production's PostgreSQL major). "
            f"The workflows read the secrets PGPROOF_READONLY_URL and PGPROOF_DEPLOY_URL. Next: pgproof diff",
            style="green")
    return ExitCode.OK


def hazard_codes(text: str | None) -> set[str]:
    return {part.strip().upper() for part in (text or "").split(",") if part.strip()}


def _masked(url: str | None) -> str:
    return db_module.mask(url) if url else "(no target)"


@cli.command()
@timings_option
@click.option("--schema", type=click.Path(path_type=Path), metavar="PATH",
              help="Desired schema to demonstrate with (default: the demo's own, shipped in the package).")
@click.pass_obj
def demo(obj: Context, schema: Path | None) -> int:
    """Show the whole workflow on a throwaway legacy production database.

    Builds an embedded 'legacy production' (the old Alembic schema with duplicate segments
    and NULL speaker labels), shows its drift, the plan with its hazards and data fixes,
    applies it, shows that no drift is left and what was archived. Needs nothing but this
    package; everything is removed afterwards.

    \b
    Example:
      pgproof demo
    """
    steps = iter(range(1, 100))
    settings = _settings()

    def begin(title: str) -> None:
        obj.out.flush()
        obj.output.heading(f"{next(steps)}. {title}")

    def show(value) -> None:
        obj.out.write(_demo_text(value))
        obj.out.flush()

    after = commands.demo(settings, begin, show, progress=obj.output, schema=schema)
    if after.drifted:
        obj.say("The demo ended with drift left: this is a bug, please report it.", style="bold red")
        return ExitCode.CHANGES
    obj.say(f"Done: production now matches {after.schema}, and nothing was lost.",
            style="green")
    return ExitCode.OK


def _demo_text(value) -> str:
    from pgproof.apply import run as apply_module
    from pgproof.ledger.archive import restore_statement
    from pgproof.diff.drift import DriftReport, render_text

    if isinstance(value, DriftReport):
        return render_text(value)
    if isinstance(value, commands.PlanFiles):
        text = plan_report.RENDERERS["sql"](value.plan)
        return text[: text.index(plan_format.DATA_PREFIX)] + "-- (and a last line holding the plan as data, which apply checks)\n"
    if isinstance(value, apply_module.Outcome):
        return f"applied {value.statements_run} statement(s) and the data fixes in {value.seconds:.1f} s\n"
    if isinstance(value, str):
        return value
    if value and isinstance(value[0][0], str):  # archived rows per fix
        lines = [f"{fix}: {number(count)} rows in pgproof.archived_rows" for fix, count in value]
        lines += ["restore them with:", restore_statement(value[0][0], "public.segments")]
        return "\n".join(lines) + "\n"
    rows = [(fix.name, fix.phase, number(count)) for fix, count in value]  # fixes status
    return _table(("data fix", "phase", "rows to fix"), rows)


@cli.group(name="fixes")
def fixes_group() -> None:
    """Data fixes in data_fixes/: idempotent scripts that repair rows before (or after)
    the schema statements. Removed rows are archived in the target's pgproof schema.

    \b
    Examples:
      pgproof fixes status --db "$DATABASE_URL"
      pgproof fixes run --db "$DATABASE_URL" --dry-run
    """


@fixes_group.command(name="status")
@timings_option
@db_option
@click.pass_obj
def fixes_status(obj: Context, db: str | None) -> int:
    """List every data fix with the rows it still has to fix (0 = done).

    Read-only: works with a read-only role and creates nothing in the target.

    \b
    Example:
      pgproof fixes status --db "$DATABASE_URL"
    """
    pending = commands.fixes_status(_settings(db=db))
    rows = [(fix.name, fix.phase, number(count), ", ".join(fix.resolves) or "-") for fix, count in pending]
    obj.out.write(_table(("fix", "phase", "pending", "resolves"), rows))
    if not pending:
        obj.say("No data fixes found.")
    return ExitCode.OK


@fixes_group.command(name="run")
@timings_option
@db_option
@click.option("--phase", type=click.Choice(["before", "after"]), help="Only the fixes of this phase (default: all, in order).")
@click.option("--only", metavar="NAME", help="Only this data fix (its name, like 0001_remove_duplicates, or its number).")
@click.option("--dry-run", "dry_run", is_flag=True, help="Count the rows each fix would change; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed when not on a terminal).")
@click.option("--jobs", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Connections working on batches side by side.")
@click.pass_obj
def fixes_run(obj: Context, db: str | None, phase: str | None, only: str | None, dry_run: bool, yes: bool,
              jobs: int) -> int:
    """Preflight, then run the pending data fixes in order, in short batches.

    Shows the fixes with the rows each will change and asks first, unless --yes (which
    is needed when not on a terminal). Each batch is its own transaction, so the
    application keeps writing and an interrupted run resumes where it stopped when run
    again. Each run is recorded in pgproof.fix_runs; removed rows are kept in
    pgproof.archived_rows.

    \b
    Examples:
      pgproof fixes run --db "$DATABASE_URL" --dry-run
      pgproof fixes run --db "$DATABASE_URL" --only 0001 --yes
      pgproof fixes run --db "$DATABASE_URL" --yes
      pgproof fixes run --phase before --yes
    """
    settings = _settings(db=db)
    pending = commands.fixes_pending(settings, phase=phase, only=only)
    todo = [(fix, count) for fix, count in pending if count]
    if dry_run or (todo and not yes):
        obj.out.write(_table(("fix", "phase", "rows to fix"), [(f.name, f.phase, number(c)) for f, c in pending]))
    if dry_run:
        obj.say(f"Dry run: {len(todo)} data fix(es) would change {number(sum(c for _, c in todo))} row(s); "
                "nothing was changed.")
        return ExitCode.OK
    if todo and not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("fixes run changes rows in the database: pass --yes when not running on a terminal")
        click.confirm(f"Run {len(todo)} data fix(es), changing {number(sum(c for _, c in todo))} row(s) "
                      f"of {_masked(settings.db_url)}?", abort=True, err=True)
    runs = commands.fixes_run(settings, phase=phase, only=only, jobs=jobs, progress=obj.output)
    rows = [(r.fix, number(r.rows_changed), number(r.rows_archived), f"{r.seconds:.2f}", f"{r.longest_batch_s:.2f}")
            for r in runs]
    obj.out.write(_table(("fix", "changed", "archived", "seconds", "longest batch s"), rows))
    if not any(r.rows_changed for r in runs):
        obj.say("Nothing to do: every data fix is done.", style="green")
    return ExitCode.OK


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    """Plain aligned columns: easy to read, easy to cut or awk."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n"
        for row in (header, *rows)
    )


# --- running ----------------------------------------------------------------------------

def run(argv: list[str] | None = None, out: IO[str] | None = None, err: IO[str] | None = None,
        process_start_s: float | None = None) -> int:
    """Run the CLI and return its exit code (testable: streams are arguments).
    `process_start_s`: how long the process ran before this call (Python, imports)."""
    started = time.perf_counter()
    argv_list = sys.argv[1:] if argv is None else argv
    context = Context(out=out or sys.stdout, err=lambda: _console(err))
    _route_logging(context)
    timing.reset()
    db_module.remember_environment(os.environ)
    previous = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
    try:
        # Help talks to no database: it does not pay for importing psycopg2.
        help_only = not argv_list or any(a in ("--help", "-h", "--version") for a in argv_list)
        with contextlib.nullcontext() if help_only else interrupts.cancellable_queries(), \
                timing.reporting(context.output.phases):
            code = cli.main(args=argv, prog_name="pgproof", standalone_mode=False, obj=context)
        return int(code) if code is not None else ExitCode.OK
    except PgProofError as exc:
        return _failed(context, str(exc), exc.exit_code)
    except click.exceptions.Exit as exc:  # --help, --version
        return exc.exit_code
    except click.ClickException as exc:
        return _failed(context, f"{exc.format_message()} (see pgproof --help).", ExitCode.ERROR)
    except (click.Abort, KeyboardInterrupt) as exc:  # click turns Ctrl-C into Abort
        if isinstance(exc, click.Abort) and not isinstance(exc.__cause__, KeyboardInterrupt):
            return _failed(context, "not confirmed; nothing was changed.", ExitCode.ERROR)
        return _failed(
            context,
            "interrupted; scratch servers and databases were removed, an unfinished data-fix batch "
            "or statement was rolled back, and what was applied is recorded, so run the command "
            "again to resume.",
            ExitCode.INTERRUPTED,
        )
    except psycopg2.Error as exc:
        if exc.pgcode is not None:  # the server answered with an error nobody expected: a bug
            return _bug(context, exc)
        return _failed(
            context,
            f"lost the connection to the database ({db_module.server_message(exc)}); nothing "
            "was left half-done: check that the server runs, then run the same command again.",
            ExitCode.ERROR,
        )
    except Exception as exc:  # the one place an unexpected exception reaches people
        return _bug(context, exc)
    finally:
        if context.timings:
            _print_timings(context, time.perf_counter() - started, process_start_s)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _bug(context: Context, exc: Exception) -> int:
    """An exception no one expected: one sentence saying so, and where."""
    where = exc.__traceback__
    while where is not None and where.tb_next is not None:
        where = where.tb_next
    at = f" at {Path(where.tb_frame.f_code.co_filename).name}:{where.tb_lineno}" if where else ""
    detail = " ".join(str(exc).split())[:300]
    return _failed(
        context,
        f"pgproof hit a bug: {type(exc).__name__}{at}: {detail or 'no message'}; rerun with "
        "--traceback (pgproof --traceback COMMAND ...) and report it.",
        ExitCode.ERROR,
    )


def _failed(context: Context, message: str, code: int) -> int:
    """Print one sentence (never a password) and return its exit code."""
    if context.traceback:
        context.output.err.print_exception()
    context.say(f"Error: {db_module.mask(message)}", style="bold red")
    return int(code)


def _print_timings(context: Context, wall: float, process_start_s: float | None) -> None:
    """Each phase, then "other" for the rest, so the lines add up to the total."""
    phases = list(timing.recorded().items())
    if process_start_s is not None:
        phases.insert(0, ("start (Python, imports)", process_start_s))
    total = wall + (process_start_s or 0.0)
    phases.append(("other", max(total - sum(seconds for _, seconds in phases), 0.0)))
    width = max(len(name) for name, _ in phases + [("total", 0.0)])
    for name, seconds in phases + [("total", total)]:
        context.say(f"timing: {name:<{width}} {seconds:7.3f} s")
    for name, seconds in sorted(timing.in_parallel().items()):
        context.say(f"timing (in parallel): {name} {seconds:.3f} s")


def _interrupt(signum, frame):
    # SIGTERM (CI cancelling a job) unwinds like Ctrl-C, so scratch servers are removed.
    raise KeyboardInterrupt


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class _ConsoleHandler(logging.Handler):
    def __init__(self, context: Context) -> None:
        super().__init__(logging.INFO)
        self.context = context

    def emit(self, record: logging.LogRecord) -> None:
        prefix = "warning: " if record.levelno >= logging.WARNING else ""
        style = "yellow" if record.levelno >= logging.WARNING else None
        self.context.say(prefix + db_module.mask(record.getMessage()), style=style)


def _route_logging(context: Context) -> None:
    logger = logging.getLogger("pgproof")
    logger.handlers = [_ConsoleHandler(context)]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _console(err: IO[str] | None) -> Console:
    from rich.console import Console

    return Console(file=err or sys.stderr, stderr=err is None)


def main() -> None:
    sys.exit(run(process_start_s=_process_age()))


def _process_age() -> float | None:
    if "--timings" not in sys.argv:  # only --timings shows it; psutil takes time to import
        return None
    try:
        import psutil

        return max(time.time() - psutil.Process().create_time(), 0.0)
    except Exception:  # measurement only
        return None
