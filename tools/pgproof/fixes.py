"""Data fixes: discover them, say how many rows each still has to fix, run the pending
ones in short batches, and record every run in the target.

A fix is `data_fixes/NNNN_name.sql` (or `.py`). A SQL fix starts with a comment header:

    -- phase: before                      (before or after the schema statements)
    -- resolves: uq_segments_video_text   (optional: constraints it prepares)
    -- check: SELECT count(*) FROM ...    (optional for batched fixes; indented comment
    --     lines continue it)

followed by either one statement (run once, in one transaction; `check` required) or two:
the *todo* query, listing the work (one row per row still to fix, or per slice of a big
table: a video, a page), and the *batch* statement, run on
each batch of todo rows in its own short transaction, with `$1, $2, ...` bound to arrays
of the todo's columns. The batch statement re-checks each row (the application keeps
writing meanwhile), so a stale todo row is skipped, never mis-fixed. Its row count is the
number of rows changed. Without `check`, the check is the todo's row count.

Because every batch commits on its own, an interrupted run keeps the batches it finished;
run again, the todo lists only what is left, and the end state is the same.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors
from pglast import ast as pg_ast
from pglast import parse_sql, split
from pglast.parser import ParseError

from . import archive, db, resume
from .batches import SESSION, Tally, run_batched, session
from .errors import FixError, Refused
from .own_schema import FORMER_SCHEMA, SCHEMA
from .preflight import Problem, UniqueKey, preflight, unique_keys
from .progress import SILENT, Progress

__all__ = [
    "Fix", "FixRun", "Problem", "Progress", "UniqueKey",
    "discover", "pending", "preflight", "run", "unique_keys",
]

PHASES = ("before", "after")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+$")
_KEY = re.compile(r"^--\s*(phase|check|resolves|batch size|archive)\s*:\s*(.*)$")
_CONTINUATION = re.compile(r"^--\s{2,}(\S.*)$")

# Two `fixes run` at once would race for the same rows: one advisory lock per database.
_ADVISORY_KEY = 1_530_365_108  # crc32("pgproof fixes")
_SETTLE_WAIT_S = 30  # how long a killed run's last batch may take to end on the server



@dataclass(frozen=True)
class Fix:
    name: str  # the file name without suffix, e.g. "0001_remove_duplicate_segments"
    path: Path
    phase: str  # "before" or "after" the schema statements
    check: str  # SQL returning one integer: rows still to fix (0 = done)
    resolves: tuple[str, ...] = ()  # constraints this fix makes possible
    todo: str | None = None  # batched fixes: one row per row to fix, or per slice of the table
    batch: str | None = None  # batched SQL fixes: applied to each batch of todo rows
    statement: str | None = None  # one-shot SQL fixes: the single statement
    batch_size: int | None = None  # todo rows in the first batch (then adapted)
    archives_nothing: bool = False  # header `archive: none`: it deletes rows on purpose, unarchived

    @property
    def batched(self) -> bool:
        return self.todo is not None

    @property
    def counts_slices(self) -> bool:
        """Its todo lists slices of a table (videos, pages), not the rows its check counts."""
        return self.batched and self.check != _count(self.todo)


@dataclass(frozen=True)
class FixRun:
    fix: str
    run_id: int
    rows_changed: int
    rows_archived: int
    seconds: float
    batches: int
    longest_batch_s: float  # the longest a batch transaction held its locks


# --- discovery --------------------------------------------------------------------------

def discover(folder: Path) -> list[Fix]:
    """Every fix in `folder`, sorted by name. A malformed one raises FixError at file:line."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    fixes = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".sql", ".py") or not path.is_file():
            continue
        if not _NAME.match(path.stem):
            raise FixError(
                f"{path}: a data fix must be named NNNN_name{path.suffix} (four digits, then "
                "lower-case letters, digits and underscores); rename it."
            )
        fixes.append(_read_sql(path) if path.suffix == ".sql" else _read_py(path))
    numbers = [f.name[:4] for f in fixes]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        clash = ", ".join(f.path.name for f in fixes if f.name.startswith(number))
        raise FixError(f"{folder}: {clash} share the number {number}; give each fix its own number.")
    return fixes


def _read_sql(path: Path) -> Fix:
    text = _read_text(path)
    lines = text.splitlines()
    header: dict[str, tuple[str, int]] = {}  # key -> (value, line number)
    current = None
    body_line = len(lines)
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("--"):
            body_line = number - 1
            break
        match = _KEY.match(stripped)
        if match:
            key = match.group(1)
            if key in header:
                raise FixError(f"{path}:{number}: '{key}' is declared twice; keep one.")
            header[key] = (match.group(2).strip(), number)
            current = key
        elif current and (more := _CONTINUATION.match(line.rstrip())):
            value, at = header[current]
            header[current] = (f"{value}\n{more.group(1)}", at)
        else:
            current = None
    phase = _phase(path, header)
    resolves = _resolves(header)
    check = None
    if "check" in header:
        check = _one_select(path, *header["check"], what="check")
    body = "\n".join(lines[body_line:])
    statements = _statements(path, body, first_line=body_line + 1)
    nothing = _archives_nothing(path, header)
    if len(statements) == 1:
        if check is None:
            raise FixError(
                f"{path}:1: a one-statement fix needs a check; add '-- check: SELECT count(*) ...' "
                "counting the rows it still has to fix."
            )
        _require_archive(path, statements, nothing, body_line + 1)
        return Fix(path.stem, path, phase, check, resolves, statement=statements[0], archives_nothing=nothing)
    if len(statements) == 2:
        todo, batch = statements
        _require_archive(path, [batch], nothing, body_line + 1)
        return Fix(path.stem, path, phase, check or _count(todo), resolves, todo=todo, batch=batch,
                   batch_size=_batch_size(path, header), archives_nothing=nothing)
    raise FixError(
        f"{path}:{body_line + 1}: a fix holds one statement, or two (the todo query, then the "
        f"batch statement), not {len(statements)}; split it into several fixes."
    )


def _read_py(path: Path) -> Fix:
    """A Python fix declares PHASE, optional RESOLVES and CHECK, and either WORKLIST (its
    todo query) plus `def batch(cursor, rows) -> int`, or `def run(cursor) -> int` (with
    CHECK)."""
    text = _read_text(path)
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise FixError(f"{path}:{exc.lineno}: {exc.msg}; fix the Python syntax.") from None
    values: dict[str, tuple[object, int]] = {}
    functions = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in ("PHASE", "CHECK", "WORKLIST", "RESOLVES", "ARCHIVE"):
                try:
                    values[name] = (ast.literal_eval(node.value), node.lineno)
                except ValueError:
                    raise FixError(f"{path}:{node.lineno}: {name} must be a literal; write it out.") from None
        elif isinstance(node, ast.FunctionDef):
            functions.add(node.name)
    header = {k.lower(): (v if isinstance(v, str) else ", ".join(v), line) for k, (v, line) in values.items()}
    phase = _phase(path, header)
    resolves = _resolves(header)
    check = _one_select(path, *header["check"], what="CHECK") if "check" in header else None
    nothing = _archives_nothing(path, header)
    _require_archive(path, _sql_literals(tree), nothing, 1)
    if "worklist" in header:
        todo = _one_select(path, *header["worklist"], what="WORKLIST")
        if "batch" not in functions:
            raise FixError(f"{path}:1: a Python fix with WORKLIST needs 'def batch(cursor, rows) -> int'.")
        return Fix(path.stem, path, phase, check or _count(todo), resolves, todo=todo, archives_nothing=nothing)
    if "run" not in functions or check is None:
        raise FixError(f"{path}:1: a Python fix needs WORKLIST and 'def batch(cursor, rows)', or CHECK and 'def run(cursor)'.")
    return Fix(path.stem, path, phase, check, resolves, archives_nothing=nothing)


_ARCHIVE_TABLES = {(SCHEMA, "archived_rows"), (FORMER_SCHEMA, "archived_rows")}


def _archives_nothing(path: Path, header: dict[str, tuple[str, int]]) -> bool:
    """`archive: none` (or ARCHIVE = "none"): the fix deletes rows and, on purpose, keeps no
    copy (rows that are copies of others, say); any other value is a mistake."""
    if "archive" not in header:
        return False
    value, line = header["archive"]
    words = value.lower().replace(",", " ").replace(":", " ").split()
    if not words or words[0] != "none":
        raise FixError(f"{path}:{line}: archive may only say 'none' (the fix deletes rows without archiving them, on purpose), not {value!r}.")
    return True


def _require_archive(path: Path, statements: list[str], nothing: bool, line: int) -> None:
    """A statement that deletes rows must archive them in the same statement (INSERT INTO
    pgproof.archived_rows ... FROM the DELETE's RETURNING), unless the header says
    `archive: none`: refused before anything runs, so no row is lost by mistake."""
    if nothing:
        return
    for sql in statements:
        try:
            nodes = [raw.stmt for raw in parse_sql(sql)]
        except Exception:
            continue
        found = list(_walk(nodes))
        deletes = [n for n in found if isinstance(n, pg_ast.DeleteStmt)]
        archived = any(
            isinstance(n, pg_ast.InsertStmt)
            and ((n.relation.schemaname or "").lower(), n.relation.relname.lower()) in _ARCHIVE_TABLES
            for n in found
        )
        if deletes and not archived:
            table = deletes[0].relation
            name = f"{table.schemaname + '.' if table.schemaname else ''}{table.relname}"
            raise FixError(
                f"{path}:{line}: the fix deletes rows of {name} without archiving them; copy them in the same "
                "statement (WITH removed AS (DELETE ... RETURNING *) INSERT INTO pgproof.archived_rows "
                "(table_name, row) SELECT ..., row_to_json(removed) FROM removed), or, if no copy is "
                "wanted on purpose, say so in the header with '-- archive: none'."
            )


def _walk(node):
    """Every pglast node under `node` (lists and tuples included)."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, pg_ast.Node):
        yield node
        for name in node:
            yield from _walk(getattr(node, name))


def _sql_literals(tree: ast.AST) -> list[str]:
    """The string constants of a Python fix that read as SQL (its statements)."""
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and re.search(r"(?i)\bdelete\s+from\b", node.value)]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixError(f"cannot read {path}: {exc}; it must be readable UTF-8 text.") from None


def _phase(path: Path, header: dict[str, tuple[str, int]]) -> str:
    if "phase" not in header:
        raise FixError(f"{path}:1: the header declares no phase; add '-- phase: before' (or after).")
    value, line = header["phase"]
    if value not in PHASES:
        raise FixError(f"{path}:{line}: phase must be 'before' or 'after', not {value!r}.")
    return value


def _batch_size(path: Path, header: dict[str, tuple[str, int]]) -> int | None:
    if "batch size" not in header:
        return None
    value, line = header["batch size"]
    if not value.isdigit() or int(value) < 1:
        raise FixError(f"{path}:{line}: batch size must be a whole number of todo rows >= 1, not {value!r}.")
    return int(value)


def _resolves(header: dict[str, tuple[str, int]]) -> tuple[str, ...]:
    value = header.get("resolves", ("", 0))[0]
    return tuple(name.strip() for name in value.replace("\n", ",").split(",") if name.strip())


def _statements(path: Path, sql: str, first_line: int) -> list[str]:
    try:
        slices = split(sql, only_slices=True)
    except ParseError as exc:
        line = first_line + sql[: exc.args[1]].count("\n")
        raise FixError(f"{path}:{line}: {exc.args[0]}; fix the SQL.") from None
    return [sql[s].strip().rstrip(";").strip() for s in slices if sql[s].strip()]


def _one_select(path: Path, sql: str, line: int, what: str) -> str:
    statements = _statements(path, sql, line)
    if len(statements) != 1 or not re.match(r"(?is)^\s*(select|with|values)\b", statements[0]):
        raise FixError(f"{path}:{line}: {what} must be one query returning one row per answer, like 'SELECT count(*) ...'.")
    return statements[0]


def _count(todo: str) -> str:
    return f"SELECT count(*) FROM (\n{todo}\n) AS todo"


# --- checks (read-only) -----------------------------------------------------------------

def pending(url: str, fixes: list[Fix]) -> list[tuple[Fix, int]]:
    """Each fix with the number of rows it still has to fix (0 = done).

    Read-only: runs only the checks, in a read-only transaction, so it works for a
    read-only role and never creates pgproof's schema.
    """
    result = []
    with db.connection(url) as conn:
        conn.set_session(readonly=True, autocommit=False)
        with conn.cursor() as cur:
            for setting in SESSION:
                cur.execute(setting)
            for fix in fixes:
                result.append((fix, _check(cur, fix, url)))
        conn.rollback()
    return result


# A check or todo may name a table or column the schema statements have not created yet
# (an "after" fix, or a new database): there is nothing to fix there yet.
_NOT_THERE_YET = {"42P01", "42703"}  # undefined_table, undefined_column


def _check(cur, fix: Fix, url: str) -> int:
    try:
        with _savepoint(cur):
            cur.execute(fix.check)
            row = cur.fetchone()
    except psycopg2.Error as exc:
        if exc.pgcode in _NOT_THERE_YET:
            return 0
        raise FixError(f"the check of {fix.path.name} failed: {db.server_message(exc, url)}; fix its check query.") from None
    try:
        return int(row[0] or 0) if row is not None and len(row) == 1 else int("not one value")
    except (TypeError, ValueError):
        raise FixError(f"the check of {fix.path.name} must return one integer, not {row!r}; fix its check query.") from None


@contextlib.contextmanager
def _savepoint(cur):
    """Inside a transaction, a failed statement must not abort the checks after it."""
    if cur.connection.autocommit:
        yield
        return
    cur.execute("SAVEPOINT pgproof_check")
    try:
        yield
    except psycopg2.Error:
        cur.execute("ROLLBACK TO SAVEPOINT pgproof_check")
        raise
    cur.execute("RELEASE SAVEPOINT pgproof_check")



# --- running ----------------------------------------------------------------------------

def run(
    url: str,
    fixes: list[Fix],
    *,
    phase: str | None = None,
    progress: Progress | None = None,
    jobs: int = 2,
    batch_rows: int | None = None,
    expected: dict[str, int] | None = None,
) -> list[FixRun]:
    """Run the pending fixes (of `phase`, or all) in order; record each run.
    `expected`: rows each fix was counted to fix (a plan's counts), shown as the total.

    Batches of a fix are independent by contract (each re-checks its own rows), so `jobs`
    connections run them side by side. `batch_rows` pins the batch size (tests); by
    default it adapts so each batch takes about batches.TARGET_BATCH_S.
    """
    chosen = [f for f in fixes if phase is None or f.phase == phase]
    with db.connection(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", (_ADVISORY_KEY,))
        if not cur.fetchone()[0]:
            raise Refused(
                f"another pgproof fixes run is working on {db.mask(url)}; "
                "wait for it to finish, then run again."
            )
        try:
            archive.ensure(cur)
        except psycopg2.errors.InsufficientPrivilege as exc:
            raise FixError(
                f"cannot run data fixes as this role on {db.mask(url)}: {db.server_message(exc, url)}; "
                "fixes run writes (the rows it fixes, pgproof.fix_runs, the archive): run it as the owner "
                "of the schema (fixes status works with a read-only role)."
            ) from None
        # Rows a killed run left `running`: we hold the lock, so their run is gone.
        resume.settle(conn, archive.RUNS, "status", wait_s=_SETTLE_WAIT_S)
        for setting in SESSION:
            cur.execute(setting)
        try:
            runs = _run_all(url, conn, cur, chosen, progress, jobs, batch_rows, expected)
        finally:
            # Closing does not end the server's session at once; release explicitly so
            # a run started right after this one is not refused.
            with contextlib.suppress(psycopg2.Error):
                cur.execute("SELECT pg_advisory_unlock(%s)", (_ADVISORY_KEY,))
    return runs


def _run_all(url, conn, cur, chosen: list[Fix], progress, jobs: int, batch_rows, expected) -> list[FixRun]:
    runs = []
    for fix in chosen:
        first = _pass(url, conn, cur, fix, progress, jobs, batch_rows, expected)
        if first is None:
            continue
        runs.append(first)
        left = _check(cur, fix, url)
        if left == 0:
            continue
        # Not done after a full pass: the application may have written such rows meanwhile,
        # so one more pass. A fix that changes nothing then, or leaves as many rows to fix
        # as before, breaks its own promise.
        second = _pass(url, conn, cur, fix, progress, jobs, batch_rows, None)
        if second is not None:
            runs.append(second)
        after = _check(cur, fix, url)
        changed = second.rows_changed if second else 0
        if after and (changed == 0 or after >= left):
            why = (f"the second pass changed {changed:,} rows again, so it is not idempotent (or its check "
                   "counts rows it does not fix)" if changed else
                   "the second pass changed nothing, so its statement does not fix what its check counts")
            raise FixError(
                f"{fix.path.name} ran twice and its check still counts {after:,} rows to fix: {why}; "
                "make the check count exactly the rows the fix changes, and the fix change only those."
            )
        if after:
            logging.getLogger("pgproof").warning(
                f"{fix.name}: {after:,} rows to fix were written while it ran (the second pass fixed "
                f"{changed:,}); the next run fixes them."
            )
    return runs


def _pass(url, conn, cur, fix: Fix, progress, jobs: int, batch_rows, expected) -> FixRun | None:
    """One run of `fix` over what its todo (or check) lists now; None when nothing is."""
    # A batched fix's todo is its check: counted once, then worked through.
    todo_rows = _open_todo(cur, fix, url) if fix.batched else _check(cur, fix, url)
    if todo_rows == 0:
        if fix.batched:
            cur.execute("CLOSE ALL")
        return None
    # Progress counts rows, what `fixes status` counts. A todo of slices (videos,
    # pages) does not say how many rows: the total is what the caller counted (a
    # plan's count), else unknown, rather than a second full check before the work.
    rows = (expected or {}).get(fix.name) if fix.counts_slices else todo_rows
    with (progress or SILENT).step(f"data fix {fix.name}", unit="rows", total=rows) as tick:
        return _run_one(url, conn, fix, todo_rows, rows, tick, jobs, batch_rows)


def _run_one(url, conn, fix: Fix, todo_rows: int, rows: int | None, tick, jobs: int, batch_rows) -> FixRun:
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {archive.RUNS} (fix) VALUES (%s) RETURNING id", (fix.name,))
    run_id = cur.fetchone()[0]
    started = time.perf_counter()
    tally = Tally()
    status = "failed"
    try:
        if fix.batched:
            run_batched(url, cur, fix, run_id, tally, tick, jobs, batch_rows, todo_rows, rows)
        else:
            _run_once(url, fix, run_id, tally, tick, todo_rows)
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        seconds = time.perf_counter() - started
        archived = _record(cur, run_id, status, seconds, tally.changed, failing=status != "done")
    return FixRun(fix.name, run_id, tally.changed, archived, seconds, tally.batches, tally.longest)


def _record(cur, run_id: int, status: str, seconds: float, changed: int, failing: bool) -> int:
    """Close the run's row in fix_runs; returns the rows it archived. When the run is
    already failing (say, the connection is gone), that error matters more than this one."""
    try:
        cur.execute(
            f"UPDATE {archive.RUNS} SET status = %s, duration_s = %s, finished_at = now(), rows_changed = %s, "
            f"rows_archived = (SELECT count(*) FROM {archive.ARCHIVE} WHERE run_id = %s) "
            "WHERE id = %s RETURNING rows_archived",
            (status, seconds, changed, run_id, run_id),
        )
        return cur.fetchone()[0]
    except psycopg2.Error:
        if not failing:
            raise
        return 0


def _run_once(url: str, fix: Fix, run_id: int, tally: Tally, tick, todo_rows: int) -> None:
    with db.connection(url) as conn:
        session(conn, fix, run_id)
        started = time.perf_counter()
        try:
            with conn.cursor() as cur:
                if fix.statement is not None:
                    cur.execute(fix.statement)
                    changed = max(cur.rowcount, 0)
                else:
                    changed = int(python_module(fix).run(cur))
            conn.commit()
        except psycopg2.Error as exc:
            conn.rollback()
            raise FixError(f"{fix.path.name} failed: {db.server_message(exc, url)}; nothing of it was kept.") from None
        tally.add(todo_rows, changed, time.perf_counter() - started)
        tick(changed, max(todo_rows, changed))


def _open_todo(cur, fix: Fix, url: str) -> int:
    """Run the todo query once and keep its rows server-side (WITH HOLD: materialised at
    commit), so no transaction stays open while the batches run and holds back vacuum."""
    try:
        cur.execute("CLOSE ALL")
        cur.execute(f"DECLARE pgproof_todo SCROLL CURSOR WITH HOLD FOR {fix.todo}")
        cur.execute("MOVE FORWARD ALL IN pgproof_todo")
        total = cur.rowcount
        cur.execute("MOVE ABSOLUTE 0 IN pgproof_todo")
    except psycopg2.Error as exc:
        if exc.pgcode in _NOT_THERE_YET:
            return 0
        raise FixError(f"the todo query of {fix.path.name} failed: {db.server_message(exc, url)}; fix it.") from None
    return total


def python_module(fix: Fix):
    spec = importlib.util.spec_from_file_location(f"pgproof_fix_{fix.name}", fix.path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
