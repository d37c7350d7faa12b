"""The final order of a diff's statements, from what each one needs.

migra writes its statements in a fixed order of kinds (tables before functions, drops of
functions before drops of what uses them), which fails wherever objects of different
kinds depend on each other: a column default calling a new function, a function calling
another, a sequence kept while the table owning it is dropped. Rather than a closer per
case, one pass orders the whole script from dependencies read with pglast:

1. a statement that references an object (a function it calls, a relation or type it
   names) runs after the statement that creates that object;
2. a statement that drops an object runs after the statements dropping what uses it,
   as the target's catalog says (function bodies, view definitions, defaults, checks,
   partitions of a table);
3. a statement that alters a sequence runs before the statement that drops its owner
   (ALTER SEQUENCE ... OWNED BY before DROP TABLE or DROP COLUMN of the old owner).

The sort is stable: where nothing depends, migra's order (and the placements in
`gaps.close`) stands, so a reader still sees one policy: placement in `close`, then this
pass. A cycle keeps the original order for the statements in it.
"""

from __future__ import annotations

import functools
import heapq

from pglast import ast

from pgproof.read.catalog import Catalog
from pgproof.core.kinds import Kind, where
from pgproof.core.sql import nodes_under
from pgproof.core.statement import Statement, qualified, try_parse
from pgproof.diff.gaps import touched

_RELATIONS = where(relation=True)  # what a name in FROM (or nextval's argument) may be


def by_dependencies(statements: list[Statement], actual: Catalog) -> list[Statement]:
    creates = [_created(s) for s in statements]
    drops = [{(t.kind, _key(t)) for t in touched.read(s) if t.action == touched.DROP} for s in statements]
    refs = [_references(s.sql) | _altered(s) for s in statements]
    users = _users(actual, {obj for dropped in drops for obj in dropped})  # object -> what uses it
    owners = _owners(actual)  # sequence -> its owning table
    after: dict[int, set[int]] = {i: set() for i in range(len(statements))}  # i runs after each
    creator = {obj: i for i, objs in enumerate(creates) for obj in objs}
    dropper = {obj: i for i, objs in enumerate(drops) for obj in objs}
    for i, statement in enumerate(statements):  # a new default no longer uses the old one's function
        for t in touched.read(statement):
            if t.action == touched.COLUMN_DEFAULT:
                dropper.setdefault((Kind.COLUMN, t.key), i)
    for i, needed in enumerate(refs):
        for obj in needed:
            j = creator.get(obj)
            if j is not None and j != i and obj not in drops[i]:
                after[i].add(j)
    for i, dropped in enumerate(drops):
        for obj in dropped:
            for user in users.get(obj, ()):
                j = dropper.get(user)
                if j is not None and j != i:
                    after[i].add(j)
    for j, statement in enumerate(statements):
        for t in touched.read(statement):
            if t.kind == Kind.SEQUENCE and t.action == touched.ALTER:
                for owner in owners.get(t.key, ()):
                    i = dropper.get(owner)
                    if i is not None and i != j:
                        after[i].add(j)
    return [statements[i] for i in _stable_sort(after)]


def _stable_sort(after: dict[int, set[int]]) -> list[int]:
    """Kahn's algorithm, smallest original position first; a cycle falls back to it."""
    waiting = {i: set(deps) for i, deps in after.items()}
    ready = [i for i, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    done: list[int] = []
    placed: set[int] = set()
    while len(done) < len(waiting):
        if not ready:  # a cycle: release the earliest statement still waiting
            heapq.heappush(ready, min(i for i in waiting if i not in placed))
        i = heapq.heappop(ready)
        if i in placed:
            continue
        placed.add(i)
        done.append(i)
        for k, deps in waiting.items():
            if i in deps:
                deps.discard(i)
                if not deps and k not in placed:
                    heapq.heappush(ready, k)
    return done


def _key(touch: touched.Touch) -> str:
    return touch.key


def _created(statement: Statement) -> set[tuple[str, str]]:
    return {(t.kind, t.key) for t in touched.read(statement) if t.action in (touched.CREATE, touched.REPLACE)}


def _altered(statement: Statement) -> set[tuple[str, str]]:
    """Objects the statement changes in place (VALIDATE CONSTRAINT, ALTER SEQUENCE):
    they must have been created first."""
    return {(t.kind, t.key) for t in touched.read(statement) if t.action not in touched.WHOLE}


def _references(sql: str) -> set[tuple[str, str]]:
    """Functions called, relations and types named in `sql` (its own target excluded by
    the caller); unqualified names are taken as public's."""
    return set(_references_of(sql))


@functools.lru_cache(maxsize=1 << 16)
def _references_of(sql: str) -> frozenset[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for tree in try_parse(sql) or ():  # a catalog body need not be SQL (PL/pgSQL)
        for node in nodes_under(tree):
            if isinstance(node, ast.FuncCall):
                names = [n.sval for n in node.funcname]
                if names[0] != "pg_catalog":
                    found.add((Kind.FUNCTION, qualified(*(names if len(names) > 1 else ["public", *names]))))
            elif isinstance(node, ast.RangeVar):
                key = qualified(node.schemaname or "public", node.relname)
                found |= {(kind, key) for kind in _RELATIONS}
            elif isinstance(node, ast.TypeName) and node.names:
                names = [n.sval for n in node.names]
                if names[0] != "pg_catalog" and len(names) <= 2:
                    found.add((Kind.TYPE, qualified(*(names if len(names) > 1 else ["public", *names]))))
    return frozenset(found)


def _users(actual: Catalog, dropped: set[tuple[str, str]]) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """For each dropped function, relation or type of the target: the functions, views,
    defaults, indexes and checks whose definition uses it, read from their definitions.

    Only a definition that names a dropped object can use it, so only those are parsed:
    parsing every definition of a large schema cost seconds per diff (a fold to lower case
    and a search for the bare name, which any spelling of the name contains)."""
    users: dict[tuple[str, str], set[tuple[str, str]]] = {}
    names = {_bare_name(key) for _, key in dropped}
    if not names:
        return users

    def named(text: str | None) -> bool:
        folded = (text or "").lower()
        return any(name in folded for name in names)

    for function in actual.of_kind(Kind.FUNCTION):
        body = function.sql
        for used in _references(body) if named(body) else ():
            users.setdefault(used, set()).add((Kind.FUNCTION, touched.function_key(function.key)))
    for view in actual.of_kind(Kind.VIEW):
        for used in _references(view.sql) if named(view.sql) else ():
            users.setdefault(used, set()).add((Kind.VIEW, view.key))
    for table in actual.of_kind(Kind.TABLE):  # a partition or child goes before its parent
        for parent in table.definition.get("inherits") or ():
            key = parent if "." in parent else f"public.{parent}"
            users.setdefault((Kind.TABLE, key), set()).add((Kind.TABLE, table.key))
    for column in actual.of_kind(Kind.COLUMN):  # a default calling a function
        if (default := column.definition.get("default")) and named(default):
            for used in _references(f"SELECT {default}"):
                users.setdefault(used, set()).update({(Kind.COLUMN, column.key), (Kind.TABLE, column.parent)})
    for index in actual.of_kind(Kind.INDEX):  # an expression index calling a function
        definition = index.sql or ""
        for used in _references(definition) if named(definition) else ():
            if used[0] == Kind.FUNCTION:
                users.setdefault(used, set()).update({(Kind.INDEX, index.key), (Kind.TABLE, index.parent)})
    for constraint in actual.of_kind(Kind.CONSTRAINT):  # a check calling a function
        if constraint.definition.get("type") == "c" and named(constraint.sql):
            for used in _references(f"SELECT {constraint.definition['definition'][5:]}"):
                users.setdefault(used, set()).update({(Kind.CONSTRAINT, constraint.key), (Kind.TABLE, constraint.parent)})
    return users


def _bare_name(key: str) -> str:
    """The last part of a key without its outer quotes, folded: `public."My.Fn"(integer)`
    -> `fn`, a piece of every way SQL can write the name (a filter: a piece is enough)."""
    name = key.split("(", 1)[0].rsplit(".", 1)[-1]
    return name.strip('"').lower()


def _owners(actual: Catalog) -> dict[str, list[tuple[str, str]]]:
    """sequence -> the table and column owning it (dropping either drops it)."""
    return {
        s.key: [(Kind.TABLE, s.parent), (Kind.COLUMN, s.definition.get("owned_by") or "")]
        for s in actual.of_kind(Kind.SEQUENCE) if s.parent
    }
