"""The desired schema: read its files, load them into a scratch database, and report any
error as `file:line:col: message`, like a compiler.

The desired schema is one `.sql` file or a folder of them, loaded in name order into a
throwaway database. Statements are split with pglast (the real PostgreSQL parser), so a syntax
error is located before any server is touched, and a server error is located inside the
statement that raised it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from pglast import ast, enums, split
from pglast.ast import Node
from pglast.parser import ParseError

from pglast.stream import RawStream

from pgproof.core import db
from pgproof.core.errors import SchemaError
from pgproof.core.sql import new_owner, owns_code
from pgproof.core.statement import parse
from pgproof.read.meta_commands import without_meta_commands
from pgproof.scratch import sandbox
from pgproof.scratch.server import ScratchServer


@dataclass(frozen=True)
class SchemaFile:
    path: Path
    text: str

    @property
    def display(self) -> str:
        return display_path(self.path)


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, else absolute."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


@dataclass(frozen=True)
class SourceStatement:
    """One statement of a schema file, with where it starts."""

    file: SchemaFile
    offset: int  # character offset of the statement in the file
    sql: str

    @property
    def nodes(self) -> tuple[Node, ...]:
        """Its parse trees (parsed once, shared with every other reader of this text)."""
        return parse(self.sql)

    def location(self, position: int | None = None) -> str:
        """`file:line:col` of the statement's 1-based character `position` (its start if None)."""
        index = self.offset + max((position or 1) - 1, 0)
        return _location(self.file, index)


def _location(file: SchemaFile, index: int) -> str:
    before = file.text[:index]
    line = before.count("\n") + 1
    col = index - (before.rfind("\n") + 1) + 1
    return f"{file.display}:{line}:{col}"


def read(path: str | Path) -> list[SchemaFile]:
    """The schema files at `path`: the file itself, or the folder's `.sql` files by name."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".sql" and p.is_file())
        if not files:
            raise SchemaError(f"{path} holds no .sql files; put the desired schema there or pass --schema FILE.")
    elif path.is_file():
        files = [path]
    else:
        raise SchemaError(
            f"the desired schema {path} does not exist; create it or pass --schema PATH "
            "(or set schema in [tool.pgproof])."
        )
    result = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SchemaError(f"cannot read {file}: {exc}; it must be readable UTF-8 text.") from None
        result.append(_as_sql(SchemaFile(file, text)))
    return result


def _as_sql(file: SchemaFile) -> SchemaFile:
    """The file with psql's meta-commands (a pg_dump's `\\restrict`) blanked out."""
    try:
        return SchemaFile(file.path, without_meta_commands(file.text, lambda index: _location(file, index)))
    except ValueError as exc:
        raise SchemaError(str(exc)) from None


def source_fingerprint(files: list[SchemaFile]) -> str:
    """A hash of the schema files' names and contents, for plans and caches."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.path.name.encode() + b"\0" + file.text.encode() + b"\0")
    return digest.hexdigest()


def statements(files: list[SchemaFile]) -> list[SourceStatement]:
    """Every statement of `files`, in order; a syntax error raises SchemaError at file:line:col."""
    result: list[SourceStatement] = []
    for file in files:
        try:
            slices = split(file.text, only_slices=True)
        except ParseError as exc:
            message, index = exc.args[0], exc.args[1]
            raise SchemaError(f"{_location(file, index)}: {message}") from None
        result.extend(SourceStatement(file, s.start, file.text[s]) for s in slices)
    return result


# Statements per transaction of a load. One transaction holding a whole large schema costs
# PostgreSQL more than linear time (3,000 tables: 37 s in one, 16 s statement by statement,
# psql -f both ways); a few hundred per commit keep it linear and the round trips few.
LOAD_CHUNK = 500


def load(url: str, files: list[SchemaFile], server: ScratchServer | None = None) -> None:
    """Run the desired schema in the (empty, throwaway) database at `url`.

    On a server pgproof started (`server.loader`), the schema runs as the unprivileged
    loader (`scratch/sandbox.py`), and only its extensions are created by the superuser:
    those without a schema of their own before anything else runs, the others at their
    place in the files. The statements go to the server a few hundred per query, each
    query its own transaction (see LOAD_CHUNK). When one fails, the statements of that
    query run again one by one in a transaction that is rolled back, to say where:
    SchemaError says `file:line:col: server message`. What earlier queries created stays;
    every caller loads into a scratch database it drops.
    """
    found = statements(files)
    loader_url = server.as_loader(url) if server else url
    by_superuser = {**_extension_statements(url, found), **_owner_statements(url, found)} \
        if server and server.loader else {}
    first = [s for s in found if by_superuser.get(id(s)) == _FIRST]
    if first:
        _run_each(url, first)
    with db.connection(loader_url, role="scratch") as conn:
        for kind, group in _segments(found, by_superuser):
            if kind in (_AT_PLACE, _LAST):
                _run_each(url, group)
                continue
            with conn.cursor() as cur:
                for start in range(0, len(group), LOAD_CHUNK):
                    chunk = group[start:start + LOAD_CHUNK]
                    try:
                        cur.execute(";\n".join(statement.sql for statement in chunk))
                    except psycopg2.Error as whole:
                        conn.rollback()
                        _locate(conn, chunk)
                        raise SchemaError(f"{chunk[0].file.display}: {db.server_message(whole)}") from None
                    conn.commit()


def extensions(files: list[SchemaFile]) -> frozenset[str]:
    """The extensions the files create (CREATE EXTENSION), by name: what a scratch server
    must offer (`scratch/auto.py` chooses by it)."""
    found = [s for s in statements(files) if _MAY_BE_EXTENSION.search(s.sql)]
    return frozenset(node.extname for s in found for node in s.nodes[:1]
                     if isinstance(node, ast.CreateExtensionStmt) and node.extname)


_FIRST, _AT_PLACE, _LAST, _LOADER = "first", "at its place", "last", "loader"


def _extension_statements(url: str, found: list[SourceStatement]) -> dict[int, str]:
    """The statements the superuser runs (by id): CREATE EXTENSION of an extension the
    server offers (first when it names no schema, which a file may create; else at its
    place) and COMMENT ON EXTENSION (only the extension's owner may). An extension the
    server does not offer is left to the loader, which says so at its file and line."""
    candidates = [s for s in found if _MAY_BE_EXTENSION.search(s.sql)]
    if not candidates:
        return {}
    with db.connection(url, role="scratch", autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM pg_available_extensions")
        offered = {row[0] for row in cur.fetchall()}
    result = {}
    for statement in candidates:
        node = statement.nodes[0]
        if isinstance(node, ast.CreateExtensionStmt) and node.extname in offered:
            named_schema = any(option.defname == "schema" for option in node.options or ())
            result[id(statement)] = _AT_PLACE if named_schema else _FIRST
        elif isinstance(node, ast.CommentStmt) and node.objtype == enums.ObjectType.OBJECT_EXTENSION:
            result[id(statement)] = _AT_PLACE
    return result


_MAY_BE_EXTENSION = re.compile(r"\bEXTENSION\b", re.IGNORECASE)

_MAY_BE_OWNER = re.compile(r"\b(OWNER|DEFAULT\s+PRIVILEGES)\b", re.IGNORECASE)


def _owner_statements(url: str, found: list[SourceStatement]) -> dict[int, str]:
    """The statements the superuser runs because the loader may not, though they run no
    code: `OWNER TO` an ordinary role (the loader is its member, but the new owner needs
    CREATE on the object's schema, which only the database's owner has on `public` of a
    scratch database, and production's owner on production's), at their place; and
    `ALTER DEFAULT PRIVILEGES`, last, when the superuser makes nothing more (else a grant
    it names could reach what an extension made after); without FOR ROLE it is the
    superuser's own, as when a superuser applies the schema. A SECURITY DEFINER routine
    is never given to a superuser (it would run as one): refused at its file and line."""
    candidates = [s for s in found if _MAY_BE_OWNER.search(s.sql)]
    if not candidates:
        return {}
    with db.connection(url, role="scratch", autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT rolname, rolsuper FROM pg_roles")
        superuser = dict(cur.fetchall())
    result = {}
    for statement in candidates:
        node = statement.nodes[0]
        owner = new_owner(node)
        if owner is not None and owner in superuser:
            result[id(statement)] = _AT_PLACE  # a routine given to a superuser: checked by _run_each
        elif isinstance(node, ast.AlterDefaultPrivilegesStmt):
            result[id(statement)] = _LAST
    return result


def _segments(found: list[SourceStatement], by_superuser: dict[int, str]) -> list[tuple[str, list[SourceStatement]]]:
    """`found` in runs of the loader's statements and the superuser's, in order; the
    extensions made first are left out (made already)."""
    result: list[tuple[str, list[SourceStatement]]] = []
    for statement in found:
        kind = by_superuser.get(id(statement), _LOADER)
        if kind in (_FIRST, _LAST):
            continue
        if result and result[-1][0] == kind:
            result[-1][1].append(statement)
        else:
            result.append((kind, [statement]))
    last = [s for s in found if by_superuser.get(id(s)) == _LAST]
    return result + ([(_LAST, last)] if last else [])


def _run_each(url: str, found: list[SourceStatement]) -> None:
    """Run `found` one by one as the superuser of `url`, each committed."""
    with db.connection(url, role="scratch", autocommit=True) as conn, conn.cursor() as cur:
        for statement in found:
            _refuse_a_definer_to_a_superuser(cur, statement)
            try:
                cur.execute(statement.sql)
            except psycopg2.Error as exc:
                raise SchemaError(_server_error(statement, exc)) from None


def _refuse_a_definer_to_a_superuser(cur: Any, statement: SourceStatement) -> None:
    node = statement.nodes[0] if len(statement.nodes) == 1 else None
    if node is None or not owns_code(node) or not isinstance(node, ast.AlterOwnerStmt) or node.object is None:
        return
    cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (new_owner(node),))
    row = cur.fetchone()
    if not (row and row[0]):
        return
    routine = RawStream()(node.object)
    cast = "regprocedure" if "(" in routine else "regproc"
    cur.execute(f"SELECT p.prosecdef FROM pg_proc p WHERE p.oid = to_{cast}(%s)", (routine,))
    found = cur.fetchone()
    if found is None or found[0]:
        raise SchemaError(
            f"{statement.location()}: {routine} is given to the superuser {new_owner(node)}, "
            "and a SECURITY DEFINER routine a superuser owns would run as one while the schema loads on a scratch "
            "server; give it to an ordinary role in the schema files (or leave owners unmanaged).")


def _locate(conn, chunk: list[SourceStatement]) -> None:
    """Run the statements one by one and raise SchemaError at the first that fails."""
    with conn.cursor() as cur:
        for statement in chunk:
            try:
                cur.execute(statement.sql)
            except psycopg2.Error as exc:
                conn.rollback()
                raise SchemaError(_server_error(statement, exc)) from None
    conn.rollback()


def _server_error(statement: SourceStatement, exc: psycopg2.Error) -> str:
    diag = exc.diag
    position = int(diag.statement_position) if diag.statement_position else None
    message = diag.message_primary or str(exc).strip().splitlines()[0]
    text = f"{statement.location(position)}: {message}"
    note = sandbox.privilege_note(diag.sqlstate)
    if diag.message_hint and not note:  # a refusal's hint (psql's \copy) is not the way
        text += f" (hint: {diag.message_hint})"
    return text + note


def empty_schema_note(schema: Path) -> str:
    """An empty desired schema is legal (it means: nothing), so it is not refused, but it
    is never silent: every managed object of the target would be dropped. apply still
    refuses the drops' DATA_LOSS hazards unless they are allowed by name."""
    return (
        f"{display_path(schema)} declares nothing (it is empty or only comments), "
        "so the target's every table, view, function and index is to be dropped; if that is not "
        "what you mean, check --schema and [tool.pgproof] schema."
    )
