"""`pgproof inspect`: a readable schema.sql written from a live database, so a team can
start managing an existing database with pgproof.

The statements are the diff from an empty database to the live one (migra's creation
statements, completed by the catalog check, so the rendering is the one pgproof
compares), laid out for people: schemas, extensions and types first, then one group
per table (the table and its partitions, its constraints, its indexes, its comments),
foreign keys once every table exists, then views, functions, triggers and policies in
the diff's dependency order. Every comment goes right after the object it describes.

The layout is proven before it is returned: the output is loaded into a fresh scratch
database and must compare equal to the live one (equal fingerprints of read/fingerprint.py,
else the catalog check and migra find nothing), so `pgproof drift` against the live
database exits 0. The live database is read once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from pglast import ast
from pglast.enums import AlterTableType, ConstrType, ObjectType
from pglast.visitors import Visitor

from pgproof.core import db
from pgproof.read import desired
from pgproof.diff import grants
from pgproof.read.catalog import Catalog
from pgproof.diff.engine import Diff, compare, read
from pgproof.read import fingerprint
from pgproof.core.errors import DiffError, SchemaError
from pgproof.core import escape
from pgproof.core.exclusions import Exclusions
from pgproof.scratch import ScratchServer
from pgproof.core.sql import new_owner, privileges_only
from pgproof.core.statement import Statement, qualified
from pgproof.core.kinds import Kind

# Sections in the order they are written; within a section the diff's order is kept
# (tables: one group per table, in the order the diff creates them).
PREAMBLE, SCHEMAS, TYPES, SEQUENCES, TABLES, FOREIGN_KEYS, REST = range(7)
_SECTION_KIND = {PREAMBLE: "schema", SCHEMAS: "schema", TYPES: "types", SEQUENCES: "sequences",
                 TABLES: "tables", FOREIGN_KEYS: "foreign_keys"}


@dataclass(frozen=True)
class Item:
    statement: Statement
    section: int
    schema: str
    kind: str  # the file a --split layout puts it in: tables, views, functions, ...
    group: str | None = None  # the table whose group holds it (its key)
    creates: str | None = None  # what it creates, for anchoring comments: "kind key"


def arrange(statements: list[Statement], live: Catalog) -> list[Item]:
    """The statements in the order inspect writes them (see the module docstring)."""
    statements = [_keep_no_data(s, live) for s in _merge_validations(statements)]
    functions = {obj.name for obj in live.of_kind(Kind.FUNCTION)}
    items = [_classify(s, live, functions) for s in statements]
    comments = [i for i in items if i.kind == Kind.COMMENT]
    others = [i for i in items if i.kind != Kind.COMMENT]
    ordered: list[Item] = []
    for section in (PREAMBLE, SCHEMAS, TYPES, SEQUENCES):
        ordered += [i for i in others if i.section == section]
    groups: dict[str, list[Item]] = {}
    for item in others:
        if item.section == TABLES:
            groups.setdefault(item.group or "", []).append(item)
    for schema in sorted({g[0].schema for g in groups.values()}):
        for group in groups.values():
            if group[0].schema == schema:
                ordered += group
    ordered += sorted((i for i in others if i.section == FOREIGN_KEYS), key=lambda i: i.schema)
    ordered += [i for i in others if i.section == REST]
    return _anchor_comments(ordered, comments, live)


def _anchor_comments(ordered: list[Item], comments: list[Item], live: Catalog) -> list[Item]:
    """Each comment right after the statement creating what it describes (or, for a
    column, index or constraint, at the end of its table's group); else at the end."""
    creator = {item.creates: n for n, item in enumerate(ordered) if item.creates}
    group_end = {item.group: n for n, item in enumerate(ordered) if item.group}
    after: dict[int, list[Item]] = {}
    for comment in comments:
        target = _comment_owner(comment.statement.sql, live)
        position = creator.get(target or "")
        if position is None and target:
            position = group_end.get(target.split(" ", 1)[1])
        after.setdefault(position if position is not None else len(ordered), []).append(comment)
    result: list[Item] = []
    for n, item in enumerate(ordered):
        result.append(item)
        result += [_like(c, item) for c in after.get(n, [])]
    result += after.get(len(ordered), [])
    return result


def _like(comment: Item, owner: Item) -> Item:
    return Item(comment.statement, owner.section, owner.schema, owner.kind, owner.group)


_COMMENT_TARGET = re.compile(r"COMMENT ON (\w+(?: \w+)?) (.+?) IS ", re.S)


def _comment_owner(sql: str, live: Catalog) -> str | None:
    """`kind key` of the object whose creation a comment follows (columns, indexes and
    constraints: their table)."""
    found = _COMMENT_TARGET.match(sql)
    if not found:
        return None
    what, target = found.group(1), found.group(2)
    if what == "COLUMN":
        return "table " + target.rsplit(".", 1)[0]
    if what in ("CONSTRAINT", "POLICY", "TRIGGER"):
        return "table " + target.split(" ON ", 1)[1]
    if what == "INDEX":
        index = live.get(Kind.INDEX, target)
        return f"table {index.parent}" if index else None
    if what in ("FUNCTION", "PROCEDURE", "AGGREGATE"):
        return "function " + target.split("(", 1)[0]
    kind = {"TABLE": Kind.TABLE, "FOREIGN TABLE": Kind.TABLE, "VIEW": Kind.VIEW, "MATERIALIZED VIEW": Kind.VIEW,
            "SCHEMA": Kind.SCHEMA, "TYPE": Kind.TYPE, "DOMAIN": Kind.TYPE, "SEQUENCE": Kind.SEQUENCE}.get(what)
    return f"{kind} {target}" if kind else None


_NOT_VALID = re.compile(r'^(alter table (\S+) add constraint (\S+) .*) not valid$', re.S)
_VALIDATE = re.compile(r'^alter table (\S+) validate constraint (\S+)$')


def _merge_validations(statements: list[Statement]) -> list[Statement]:
    """migra adds constraints NOT VALID, then validates them (the online way); a schema
    file reads better with the constraint added once."""
    validated = {m.groups() for s in statements if (m := _VALIDATE.match(s.sql.strip()))}
    result = []
    for statement in statements:
        added = _NOT_VALID.match(statement.sql.strip())
        if added and (added.group(2), added.group(3)) in validated:
            result.append(statement.with_(sql=added.group(1)))
        elif (m := _VALIDATE.match(statement.sql.strip())) and m.groups() in validated:
            continue
        else:
            result.append(statement)
    return result


def _keep_no_data(statement: Statement, live: Catalog) -> Statement:
    """A materialized view the target holds unpopulated is written WITH NO DATA (migra
    writes every one populated): loading the file, and inspect's own proof, must not run
    its query, which the target never ran."""
    nodes = statement.nodes
    if len(nodes) != 1 or not isinstance(nodes[0], ast.CreateTableAsStmt) or nodes[0].into.skipData:
        return statement
    if nodes[0].objtype != ObjectType.OBJECT_MATVIEW:
        return statement
    view = live.get(Kind.VIEW, _relation(nodes[0].into.rel))
    if view is None or view.info.get("populated", True):
        return statement
    return statement.with_(sql=statement.sql.rstrip().rstrip(";").rstrip() + " WITH NO DATA")


def _classify(statement: Statement, live: Catalog, functions: set[str]) -> Item:
    rest = Item(statement, REST, "public", "other")
    if not statement.nodes:
        return rest
    node = statement.nodes[0]
    if isinstance(node, ast.VariableSetStmt):
        return Item(statement, PREAMBLE, "public", Kind.SCHEMA)
    if isinstance(node, ast.CreateSchemaStmt):
        return Item(statement, SCHEMAS, node.schemaname, Kind.SCHEMA, creates=f"schema {qualified(node.schemaname)}")
    if isinstance(node, ast.CreateExtensionStmt):
        return Item(statement, SCHEMAS, _option_schema(node) or "public", "extensions")
    if isinstance(node, ast.CommentStmt):
        return Item(statement, REST, "public", Kind.COMMENT)
    if isinstance(node, (ast.CreateEnumStmt, ast.CreateDomainStmt, ast.CreateRangeStmt)):
        names = [n.sval for n in (node.domainname if isinstance(node, ast.CreateDomainStmt) else node.typeName)]
        key = qualified(*names) if len(names) > 1 else qualified("public", *names)
        return Item(statement, TYPES, key.split(".")[0], "types", creates=f"type {key}")
    if isinstance(node, ast.CompositeTypeStmt):
        key = _relation(node.typevar)
        return Item(statement, TYPES, key.split(".")[0], "types", creates=f"type {key}")
    if isinstance(node, ast.CreateSeqStmt):
        key = _relation(node.sequence)
        return Item(statement, SEQUENCES, key.split(".")[0], "sequences", creates=f"sequence {key}")
    if isinstance(node, ast.AlterSeqStmt):
        sequence = live.get(Kind.SEQUENCE, _relation(node.sequence))
        if sequence is not None and sequence.parent:
            return _in_group(statement, sequence.parent, live)
        return Item(statement, SEQUENCES, node.sequence.schemaname or "public", "sequences")
    if isinstance(node, ast.CreateStmt):
        key = _relation(node.relation)
        owner = _partition_root(key, live)
        item = _in_group(statement, owner, live)
        return Item(statement, TABLES, item.schema, "tables", owner, creates=f"table {key}")
    if isinstance(node, ast.IndexStmt):
        table = _relation(node.relation)
        if live.get(Kind.TABLE, table) is None or _calls(node, functions):
            return Item(statement, REST, table.split(".")[0], "views")
        return _in_group(statement, _partition_root(table, live), live)
    if isinstance(node, ast.AlterTableStmt):
        relation = _relation(node.relation)
        if node.objtype == ObjectType.OBJECT_INDEX:
            index = live.get(Kind.INDEX, relation)
            table = index.parent if index else None
            return _in_group(statement, _partition_root(table, live), live) if table else rest
        if live.get(Kind.TABLE, relation) is None:
            return Item(statement, REST, relation.split(".")[0], "views")
        if _is_foreign_key(node):
            return Item(statement, FOREIGN_KEYS, relation.split(".")[0], "foreign_keys", relation)
        if _calls(node, functions) or _toggles_triggers(node):
            return Item(statement, REST, relation.split(".")[0], "triggers")
        return _in_group(statement, _partition_root(relation, live), live)
    if isinstance(node, (ast.ViewStmt, ast.CreateTableAsStmt)):
        key = _relation(node.view if isinstance(node, ast.ViewStmt) else node.into.rel)
        return Item(statement, REST, key.split(".")[0], "views", creates=f"view {key}")
    if isinstance(node, ast.CreateFunctionStmt):
        names = [n.sval for n in node.funcname]
        key = qualified(*names) if len(names) > 1 else qualified("public", *names)
        return Item(statement, REST, key.split(".")[0], "functions", creates=f"function {key}")
    if isinstance(node, ast.CreateTrigStmt):
        return Item(statement, REST, node.relation.schemaname or "public", "triggers")
    if isinstance(node, ast.CreatePolicyStmt):
        return Item(statement, REST, node.table.schemaname or "public", "policies")
    if isinstance(node, ast.GrantStmt) and node.objtype == ObjectType.OBJECT_TABLE and len(node.objects or ()) == 1 \
            and isinstance(node.objects[0], ast.RangeVar) and live.get(Kind.TABLE, _relation(node.objects[0])):
        return _in_group(statement, _partition_root(_relation(node.objects[0]), live), live)
    return Item(statement, REST, _first_schema(statement.sql), "privileges"
                if isinstance(node, (ast.GrantStmt, ast.AlterDefaultPrivilegesStmt, ast.AlterOwnerStmt)) else "other")


def _in_group(statement: Statement, table: str, live: Catalog) -> Item:
    return Item(statement, TABLES, table.split(".")[0].strip('"'), "tables", table)


def _partition_root(table: str, live: Catalog) -> str:
    """A partition's group is its partitioned table's (partitions are written with it)."""
    seen = set()
    while table not in seen:
        seen.add(table)
        obj = live.get(Kind.TABLE, table)
        parents = (obj.definition.get("inherits") or []) if obj and obj.definition.get("partition_bound") else []
        if not parents:
            return table
        table = _key_of_regclass(parents[0])
    return table


def _key_of_regclass(text: str) -> str:
    # regclass::text is unqualified for relations on the search_path (inspection uses
    # pg_catalog only, so user relations always come qualified).
    return text if "." in text else f"public.{text}"


def _relation(rv: ast.RangeVar) -> str:
    return qualified(rv.schemaname or "public", rv.relname)


def _option_schema(node: ast.CreateExtensionStmt) -> str | None:
    for option in node.options or ():
        if option.defname == "schema":
            return option.arg.sval
    return None


def _first_schema(sql: str) -> str:
    found = re.search(r'\bON (?:TABLE |SEQUENCE |FUNCTION |SCHEMA |TABLES |SEQUENCES )?"?([a-z_][a-z0-9_]*)"?\.', sql, re.I)
    return found.group(1) if found else "public"


def _is_foreign_key(node: ast.AlterTableStmt) -> bool:
    for cmd in node.cmds or ():
        definition = getattr(cmd, "def_", None)
        if isinstance(definition, ast.Constraint) and definition.contype == ConstrType.CONSTR_FOREIGN:
            return True
    return False


_TRIGGER_TOGGLES = {AlterTableType.AT_EnableTrig, AlterTableType.AT_EnableAlwaysTrig,
                    AlterTableType.AT_EnableReplicaTrig, AlterTableType.AT_DisableTrig}


def _toggles_triggers(node: ast.AlterTableStmt) -> bool:
    """ENABLE / DISABLE TRIGGER runs after the trigger's creation, with the triggers."""
    return any(cmd.subtype in _TRIGGER_TOGGLES for cmd in node.cmds or ())


class _FunctionCalls(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_FuncCall(self, ancestors, node: ast.FuncCall) -> None:
        self.names.add(node.funcname[-1].sval)


def _calls(node: ast.Node, functions: set[str]) -> bool:
    """Whether the statement calls a function of the live database (created later)."""
    visitor = _FunctionCalls()
    visitor(node)
    return bool(visitor.names & functions)


# --- writing ----------------------------------------------------------------------------

def render(items: list[Item], header: str) -> str:
    """One schema.sql: a comment line above each table's group and each section."""
    lines = [header.rstrip() + "\n"]
    previous: tuple | None = None
    for item in items:
        heading = _heading(item)
        if heading != previous:
            if not lines[-1].endswith("\n\n"):
                lines.append("\n")
            lines.append(f"-- {escape.comment(heading[1])}\n")
            previous = heading
        text = item.statement.render()
        lines.append(text + ("\n\n" if "\n" in text else "\n"))
    return "".join(lines).rstrip("\n") + "\n"


def _heading(item: Item) -> tuple:
    if item.section == TABLES:
        return (TABLES, f"table {item.group}")
    if item.section == FOREIGN_KEYS:
        return (FOREIGN_KEYS, "foreign keys")
    if item.section == REST:
        return (REST, f"{item.schema}: {item.kind.replace('_', ' ')}")
    return (SCHEMAS if item.section == PREAMBLE else item.section,
            {PREAMBLE: "schemas and extensions", SCHEMAS: "schemas and extensions",
             TYPES: "types", SEQUENCES: "sequences"}[item.section])


def split(items: list[Item], header: str) -> dict[str, str]:
    """A folder layout by schema and kind: `NN_schema_kind.sql`, one file per run of
    statements of the same schema and kind, numbered so name order is load order."""
    runs: list[tuple[str, list[Item]]] = []
    for item in items:
        kind = _SECTION_KIND.get(item.section, item.kind) if item.section != REST else item.kind
        if item.section == PREAMBLE:
            name = "schemas"
        else:
            name = f"{_file_part(item.schema)}_{kind}" if item.section not in (SCHEMAS,) else "schemas"
        if not runs or runs[-1][0] != name:
            runs.append((name, []))
        runs[-1][1].append(item)
    width = max(2, len(str(len(runs))))
    return {f"{n:0{width}d}_{name}.sql": render(group, header) for n, (name, group) in enumerate(runs, start=1)}


def _file_part(schema: str) -> str:
    """A schema's name as part of a file name: letters, digits and `_` only (a name is
    data: `../` or `/` in it must not choose where the file goes)."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", schema.strip('"')) or "_"


def write(files: dict[str, str], out: Path, as_folder: bool) -> None:
    """Write one file at `out`, or the folder `out` (its old .sql files replaced)."""
    if as_folder:
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob("*.sql"):
            stale.unlink()
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(files[out.name], encoding="utf-8")


def proven(url: str, server: ScratchServer, exclusions: Exclusions, header: str,
           out: Path | None, as_folder: bool) -> tuple[dict[str, str], int]:
    """The files inspect writes for the live database at `url`, and their statement count.

    The diff from an empty database is laid out, loaded into another empty database and
    compared with the live one. Where the creation statements leave something out
    (migra writes no FORCE ROW LEVEL SECURITY nor a column's collation in CREATE TABLE),
    the diff from the loaded copy to the live database completes them, and the proof
    runs again; nothing is returned that does not load back equal.
    """
    # The live database is read once (migra's inspection and the catalog), and the proof
    # first compares fingerprints (one query a side): equal ones mean no drift, so the
    # loaded copy is read in full only when they differ.
    live_side = read(url, exclusions)
    live_print = fingerprint.read(url, exclusions).digest
    with server.database() as empty_url:
        result = compare(read(empty_url, exclusions, role="scratch"), live_side, cast_url=url)
    _refuse_gaps(result)
    live, statements = result.desired, result.statements
    items, reordered = [], False
    for attempt in range(1, _ROUNDS + 2):
        if not reordered:  # else `items` is the loadable order found in the round before
            items = arrange(statements, live)
        files = split(items, header) if as_folder else {(out.name if out else "schema.sql"): render(items, header)}
        loading = _schema_files(files, out, as_folder)
        if exclusions.manages_access:
            grants.create_scratch_roles(server.url, grants.roles_named(loading, exclusions))
        with server.database() as loaded_url:
            try:
                desired.load(loaded_url, loading, server)
                loads = True
            except SchemaError:
                if reordered:
                    raise
                loads = False
            if loads:
                if fingerprint.read(loaded_url, exclusions, role="scratch").digest == live_print:
                    return files, len(items)
                loaded_side = read(loaded_url, exclusions, role="scratch")
                check = compare(live_side, loaded_side, cast_url=loaded_url)
                if not check.drifted:
                    return files, len(items)
                missing = compare(loaded_side, live_side, cast_url=url) if attempt < _ROUNDS else None
        if not loads:  # the diff's order fails (migra: a function before the view it reads)
            with server.database() as scratch_url:
                items, reordered = loadable_order(server.as_loader(scratch_url), items), True
            continue
        if missing is None or not missing.statements:
            left = [f"{d.status} {d.label}" for d in check.differences[:5]] + [s.render() for s in check.statements[:3]]
            raise DiffError(
                "inspect's output does not load back equal to the target "
                f"({'; '.join(left)}); nothing was written; please report it."
            )
        statements, reordered = statements + missing.statements, False
    raise DiffError("inspect's output does not load back equal to the target after "
                    f"{_ROUNDS} rounds of completion; nothing was written; please report it.")


def loadable_order(url: str, items: list[Item]) -> list[Item]:
    """`items` in an order that loads: each statement that fails (on something created
    later) is set aside and tried again after each statement that succeeds, in one
    transaction with a savepoint per statement. Raises SchemaError when some never load.
    Owners and privileges go last, untried: the loader may not set them on a scratch
    (`read/desired.py` runs them as the superuser), and every object exists by then."""
    done: list[Item] = []
    waiting: list[Item] = []
    errors: dict[int, str] = {}
    last = [item for item in items if _owner_or_privileges(item)]
    items = [item for item in items if not _owner_or_privileges(item)]
    with db.connection(url, role="scratch") as conn, conn.cursor() as cur:
        def attempt(item: Item) -> bool:
            cur.execute("SAVEPOINT inspect_item")
            try:
                cur.execute(item.statement.sql)
            except psycopg2.Error as exc:
                cur.execute("ROLLBACK TO SAVEPOINT inspect_item")
                errors[id(item)] = (exc.diag.message_primary or str(exc)).strip()
                return False
            cur.execute("RELEASE SAVEPOINT inspect_item")
            done.append(item)
            return True

        for item in items:
            if not attempt(item):
                waiting.append(item)
                continue
            progress = True
            while progress and waiting:
                progress = False
                for held in list(waiting):
                    if attempt(held):
                        waiting.remove(held)
                        progress = True
        conn.rollback()
    if waiting:
        first = waiting[0]
        raise SchemaError(f"inspect cannot find an order in which its output loads: "
                          f"{first.statement.render()[:200]} fails with: {errors[id(first)]}; please report it.")
    return done + last


def _owner_or_privileges(item: Item) -> bool:
    nodes = item.statement.nodes
    return len(nodes) == 1 and (privileges_only(nodes[0]) or new_owner(nodes[0]) is not None)


_ROUNDS = 3


def _refuse_gaps(result: Diff) -> None:
    """inspect cannot write what the diff cannot: refuse instead of writing a partial schema."""
    if result.gaps:
        named = "; ".join(f"{g.code} ({g.label})" for g in result.gaps[:5])
        raise DiffError(f"inspect cannot write every object of this database: {named}; "
                        "exclude these objects in [tool.pgproof] exclude, or report it.")


def _schema_files(files: dict[str, str], out: Path | None, as_folder: bool) -> list[desired.SchemaFile]:
    if not as_folder:
        return [desired.SchemaFile(out or Path("schema.sql"), text) for text in files.values()]
    return [desired.SchemaFile(out / name, text) for name, text in sorted(files.items())]
