"""Prove a plan before anyone reviews it: run the plan's statements on a copy of the
target's schema (`diff/copies.py`) and require the result to equal the desired schema,
by migra and by the independent catalog comparison.

With the target's rows on the copy (`plan/rehearsal.py`) the proof is a rehearsal of
apply: the plan's data fixes of phase before run there, then the statements, then the
fixes of phase after, as apply runs them. Every row that goes missing meanwhile must be
accounted for: archived by the fix that removed it (pgproof.archived_rows, counted per
table), removed on purpose by a fix declaring `archive: none`, or by a statement with a
DATA_LOSS hazard on its table. A row lost otherwise refuses the plan (exit 3): a safety
refusal like an unacknowledged hazard, since apply would lose it on the target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from psycopg2.extensions import cursor as Cursor

from pgproof.core import db, timing
from pgproof.core.errors import DiffError, FixError, Refused
from pgproof.core.exclusions import Exclusions
from pgproof.core.hazard import HazardKind
from pgproof.core.statement import Statement
from pgproof.diff.copies import engine_gap, run_as_apply, run_on_copy
from pgproof.diff.engine import Side, migration, read
from pgproof.diff.gaps import touched
from pgproof.execute import steps as execute
from pgproof.fixes.files import Fix
from pgproof.ledger import archive
from pgproof.read import catalog
from pgproof.read.catalog import Difference
from pgproof.scratch import ScratchServer


def remaining(copy_url: str, goal: Side, exclusions: Exclusions) -> list[str]:
    """What still differs between the copy and the goal, by the catalog comparison and by
    migra; empty when they converged. The copy is read once; the goal was read before."""
    copy = read(copy_url, exclusions, role="scratch")
    found = [describe(d) for d in catalog.compare(goal.catalog, copy.catalog)]
    found += [f"migra still emits: {s.render()}" for s in migration(copy, goal)]
    return found


def describe(difference: Difference) -> str:
    return f"{difference.status} {difference.label}"


def prove(copy_url: str, statements: list[Statement], desired: Side, exclusions: Exclusions,
          server: ScratchServer, *,
          rows: Sequence[str] = (), fixes: Sequence[Fix] = (),
          after_statements: Callable[[], None] | None = None) -> None:
    """Run `statements` on the copy and require it to equal the desired schema. `rows`:
    the tables the copy holds rows of (a rehearsal), whose rows are accounted for; the
    plan's `fixes` run around the statements then. `after_statements` runs right after
    the statements (the phase-after fixes are prepared there)."""
    if not rows:
        run_on_copy(copy_url, statements, server)
        if after_statements:
            after_statements()
    else:
        with timing.phase("rehearsal"):
            _rehearse(copy_url, statements, list(rows), list(fixes), after_statements, server)
    left = remaining(copy_url, desired, exclusions)
    if left:
        raise DiffError(
            "the plan does not converge: after its statements ran on a scratch copy of the target, "
            f"these still differ from the desired schema: {'; '.join(left[:8])}; "
            "this is a known gap of migra (see docs/migra-gaps.md); the plan was not written."
        )


def _rehearse(copy_url: str, statements: list[Statement], tables: list[str], fixes: list[Fix],
              after_statements: Callable[[], None] | None, server: ScratchServer) -> None:
    with db.connection(copy_url, role="scratch", autocommit=True) as conn, conn.cursor() as cur:
        oids = _oids(cur, tables)
        for fix in (f for f in fixes if f.phase == "before"):
            _run_fix(server.as_loader(copy_url), cur, oids, fix)
        before = _counts(cur, oids)
        _run_statements(copy_url, statements, sum(n or 0 for n in before.values()), server)
        _account_statements(before, _counts(cur, oids), statements)
        if after_statements:
            after_statements()
        for fix in (f for f in fixes if f.phase == "after"):
            _run_fix(server.as_loader(copy_url), cur, oids, fix)


def _oids(cur: Cursor, tables: list[str]) -> dict[int, str]:
    cur.execute("SELECT to_regclass(t)::oid, t FROM unnest(%s::text[]) AS t", (tables,))
    return {oid: name for oid, name in cur.fetchall() if oid is not None}


def _counts(cur: Cursor, oids: dict[int, str]) -> dict[str, int | None]:
    """Rows of each table, found by oid (a renamed table is the same table); None: dropped."""
    counts: dict[str, int | None] = {}
    for oid, name in oids.items():
        cur.execute("SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = %s", (oid,))
        row = cur.fetchone()
        if row is None:
            counts[name] = None
            continue
        cur.execute(f"SELECT count(*) FROM {row[0]}")
        counts[name] = db.one(cur)
    return counts


def _run_fix(copy_url: str, cur: Cursor, oids: dict[int, str], fix: Fix) -> None:
    from pgproof.fixes import run as fix_runner

    before = _counts(cur, oids)
    try:
        fix_runner.run(copy_url, [fix], jobs=1)
    except FixError as failure:
        raise FixError(f"in the rehearsal on a scratch copy with the target's rows (nothing ran on the target): "
                       f"{failure}") from None
    after = _counts(cur, oids)
    cur.execute(f"SELECT table_name, count(*) FROM {archive.ARCHIVE} WHERE fix = %s GROUP BY 1", (fix.name,))
    archived = {_plain(name): count for name, count in cur.fetchall()}
    lost = []
    for table, count in before.items():
        removed = (count or 0) - (after[table] or 0)
        kept = archived.get(_plain(table), 0)
        if removed > kept and not fix.archives_nothing:
            lost.append(f"{removed - kept:,} of {table} ({removed:,} removed, {kept:,} archived)")
    if lost:
        raise Refused(
            f"the rehearsal on a scratch copy with the target's rows lost rows that no archive keeps: data fix "
            f"{fix.name} removed {'; '.join(lost)}; archive every row it removes in the same statement (WITH removed "
            "AS (DELETE ... RETURNING *) INSERT INTO pgproof.archived_rows (table_name, row) SELECT ..., "
            "row_to_json(removed) FROM removed; rows a foreign key's ON DELETE CASCADE removes too), or declare "
            f"'-- archive: none' in {fix.path.name} if they go on purpose, then plan again; no plan was written."
        )


def _run_statements(copy_url: str, statements: list[Statement], rows: int, server: ScratchServer) -> None:
    try:
        run_as_apply(copy_url, statements, server)
    except execute.StepFailure as failure:
        statement = statements[failure.number - 1] if 0 < failure.number <= len(statements) else None
        if not rows:
            raise DiffError(engine_gap(failure, statement)) from None
        text = " ".join(statement.sql.split())[:160] if statement else ""
        raise DiffError(
            f"the plan fails at statement {failure.number} ({text!r}) on a scratch copy of the target holding "
            f"{rows:,} of its rows: {failure.message}; apply would fail there too: when the rows are the cause "
            "(NULLs, duplicates, values that do not convert), add a data fix of phase before for them, else "
            "run the plan with --rehearsal none to see whether the diff engine is at fault; then plan again."
        ) from None


def _account_statements(before: dict[str, int | None], after: dict[str, int | None],
                        statements: list[Statement]) -> None:
    """Rows the statements removed must be named by a DATA_LOSS hazard of a statement that
    touches their table (dropping it, or its schema)."""
    dropping: set[str] = set()
    for statement in statements:
        if any(h.kind is HazardKind.DATA_LOSS for h in statement.hazards):
            dropping |= {t.key for t in touched.read(statement)}
    lost = []
    for table, count in before.items():
        removed = (count or 0) - (after[table] or 0)
        if removed > 0 and table not in dropping and table.split(".")[0] not in dropping:
            lost.append(f"{removed:,} of {table}")
    if lost:
        raise Refused(
            f"the rehearsal on a scratch copy with the target's rows lost rows that no DATA_LOSS hazard names: "
            f"the statements removed {'; '.join(lost)}; this is a gap of pgproof's hazards: please report it "
            "with the plan's statements; no plan was written."
        )


def _plain(name: str) -> str:
    """A table name as a fix may write it into the archive: unquoted, schema public by default."""
    name = name.replace('"', "")
    return name if "." in name else f"public.{name}"
