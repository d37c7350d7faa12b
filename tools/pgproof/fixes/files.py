"""What a data fix file declares: its name, phase, check, todo and batch (or single
statement), read and validated before anything runs. A malformed file raises FixError at
file:line with what to change; nothing here touches a database.

The format (docs/data-fixes.md) is described in `fixes`, which runs what is read here.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from pglast import ast as pg_ast
from pglast import split
from pglast.parser import ParseError

from pgproof.core.errors import FixError
from pgproof.core.sql import nodes_under
from pgproof.core.statement import try_parse
from pgproof.ledger.own_schema import FORMER_SCHEMA, SCHEMA

PHASES = ("before", "after")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+$")
_KEY = re.compile(r"^--\s*(phase|check|resolves|batch size|archive)\s*:\s*(.*)$")
_CONTINUATION = re.compile(r"^--\s{2,}(\S.*)$")


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
    # Where each part's SQL starts in the file, ("check", 12), ..., so an error in it can
    # name file:line. A check derived from the todo has no line of its own.
    lines: tuple[tuple[str, int], ...] = ()

    @property
    def batched(self) -> bool:
        return self.todo is not None

    @property
    def counts_slices(self) -> bool:
        """Its todo lists slices of a table (videos, pages), not the rows its check counts."""
        return self.batched and self.check != _count(self.todo)

    def parts(self) -> list[tuple[str, str, int]]:
        """The SQL the fix declares, as (part, sql, line in the file): its check (unless
        derived from the todo), todo, batch or single statement. A Python fix's
        functions run SQL of their own, which is not declared, so not listed."""
        at = dict(self.lines)
        found = [(part, getattr(self, part), at[part])
                 for part in ("check", "todo", "batch", "statement") if part in at]
        return [(part, sql, line) for part, sql, line in found if sql is not None]


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
            value, starts = header[current]
            header[current] = (f"{value}\n{more.group(1)}", starts)
        else:
            current = None
    phase = _phase(path, header)
    resolves = _resolves(header)
    check = None
    at: list[tuple[str, int]] = []
    if "check" in header:
        check, check_line = _one_select_at(path, *header["check"], what="check")
        at.append(("check", check_line))
    body = "\n".join(lines[body_line:])
    located = _statements_at(path, body, first_line=body_line + 1)
    statements = [sql for sql, _ in located]
    nothing = _archives_nothing(path, header)
    if len(statements) == 1:
        if check is None:
            raise FixError(
                f"{path}:1: a one-statement fix needs a check; add '-- check: SELECT count(*) ...' "
                "counting the rows it still has to fix."
            )
        _require_archive(path, statements, nothing, body_line + 1)
        return Fix(path.stem, path, phase, check, resolves, statement=statements[0], archives_nothing=nothing,
                   lines=(*at, ("statement", located[0][1])))
    if len(statements) == 2:
        todo, batch = statements
        _require_archive(path, [batch], nothing, body_line + 1)
        return Fix(path.stem, path, phase, check or _count(todo), resolves, todo=todo, batch=batch,
                   batch_size=_batch_size(path, header), archives_nothing=nothing,
                   lines=(*at, ("todo", located[0][1]), ("batch", located[1][1])))
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
                    values[name] = (ast.literal_eval(node.value), node.value.lineno)
                except ValueError:
                    raise FixError(f"{path}:{node.lineno}: {name} must be a literal; write it out.") from None
        elif isinstance(node, ast.FunctionDef):
            functions.add(node.name)
    header = {k.lower(): (v if isinstance(v, str) else ", ".join(v), line)  # type: ignore[arg-type]  # a list of names
              for k, (v, line) in values.items()}
    phase = _phase(path, header)
    resolves = _resolves(header)
    check, at = None, []
    if "check" in header:
        check, check_line = _one_select_at(path, *header["check"], what="CHECK")
        at.append(("check", check_line))
    nothing = _archives_nothing(path, header)
    _require_archive(path, _sql_literals(tree), nothing, 1)
    if "worklist" in header:
        todo, todo_line = _one_select_at(path, *header["worklist"], what="WORKLIST")
        if "batch" not in functions:
            raise FixError(f"{path}:1: a Python fix with WORKLIST needs 'def batch(cursor, rows) -> int'.")
        return Fix(path.stem, path, phase, check or _count(todo), resolves, todo=todo, archives_nothing=nothing,
                   lines=(*at, ("todo", todo_line)))
    if "run" not in functions or check is None:
        raise FixError(f"{path}:1: a Python fix needs WORKLIST and 'def batch(cursor, rows)', or CHECK and 'def run(cursor)'.")
    return Fix(path.stem, path, phase, check, resolves, archives_nothing=nothing, lines=tuple(at))


_ARCHIVE_TABLES = {(SCHEMA, "archived_rows"), (FORMER_SCHEMA, "archived_rows")}


def _archives_nothing(path: Path, header: dict[str, tuple[str, int]]) -> bool:
    """`archive: none` (or ARCHIVE = "none"): the fix deletes rows and, on purpose, keeps no
    copy (rows that are copies of others, say); any other value is a mistake."""
    if "archive" not in header:
        return False
    value, line = header["archive"]
    words = value.lower().replace(",", " ").replace(":", " ").split()
    if not words or words[0] != "none":
        raise FixError(f"{path}:{line}: archive may only say 'none'"
                       f" (the fix deletes rows without archiving them, on purpose), not {value!r}.")
    return True


def _require_archive(path: Path, statements: list[str], nothing: bool, line: int) -> None:
    """A statement that deletes rows must archive them in the same statement (INSERT INTO
    pgproof.archived_rows ... FROM the DELETE's RETURNING), unless the header says
    `archive: none`: refused before anything runs, so no row is lost by mistake."""
    if nothing:
        return
    for sql in statements:
        # A .sql fix's statements were split by the parser, so they parse; a .py fix's
        # string literals need not be SQL at all.
        found = list(nodes_under(try_parse(sql) or ()))
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


def _statements_at(path: Path, sql: str, first_line: int) -> list[tuple[str, int]]:
    """Each statement of `sql` with the file line it starts on (`sql` starts on first_line)."""
    try:
        slices = split(sql, only_slices=True)
    except ParseError as exc:
        line = first_line + sql[: exc.args[1]].count("\n")
        raise FixError(f"{path}:{line}: {exc.args[0]}; fix the SQL.") from None
    found = []
    for piece in slices:
        text = sql[piece]
        if text.strip():
            start = piece.start + len(text) - len(text.lstrip())
            found.append((text.strip().rstrip(";").strip(), first_line + sql[:start].count("\n")))
    return found


def _one_select_at(path: Path, sql: str, line: int, what: str) -> tuple[str, int]:
    statements = _statements_at(path, sql, line)
    if len(statements) != 1 or not re.match(r"(?is)^\s*(select|with|values)\b", statements[0][0]):
        raise FixError(f"{path}:{line}: {what} must be one query returning one row per answer, like 'SELECT count(*) ...'.")
    return statements[0]


def _count(todo: str) -> str:
    return f"SELECT count(*) FROM (\n{todo}\n) AS todo"


def python_module(fix: Fix):
    spec = importlib.util.spec_from_file_location(f"pgproof_fix_{fix.name}", fix.path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
