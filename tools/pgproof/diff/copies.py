"""Copies of the target's schema on the scratch server, and statements run on them.

The copy is made with PostgreSQL's own tools (pg_dump --schema-only | pg_restore), not
with migra, so the thing being checked is not used to build the check. No row of user
data leaves the target. The tools are the scratch server's own installation's when it
can read the target (pg_dump reads servers up to its own major), else the newest
installed; a pg_restore newer than the scratch server writes a script instead, from which
the settings that server does not know are left out (`read/schema_copy.py`). The proof
(`plan/proof.py`) and the rename check run statements on such a copy exactly as apply
would.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator

from pgproof import scratch
from pgproof.core import db, timing
from pgproof.core.errors import DiffError
from pgproof.core.exclusions import Exclusions
from pgproof.core.sql import new_owner, owns_code, privileges_only
from pgproof.core.statement import Statement
from pgproof.diff import grants
from pgproof.diff.gaps import touched
from pgproof.execute import steps as execute
from pgproof.ledger import own_schema
from pgproof.read import catalog
from pgproof.read.catalog import Catalog
from pgproof.read.schema_copy import copy_schema
from pgproof.scratch.cache import Cache


@contextlib.contextmanager
def copy_of(target_url: str, server: scratch.ScratchServer, exclusions: Exclusions,
            actual: Catalog | Callable[[], Catalog], cache: Cache | None = None) -> Iterator[str]:
    """A scratch database with the target's schema (no data), dropped afterwards; its
    catalog is checked to equal `actual` (the target's, as read) before it is used.
    `actual` may be a function that waits for it: without the cache, the dump and the
    restore do not need it, so they start while the target is still being read.

    With the cache, the copy is kept as a template keyed by the target's catalog
    fingerprint (and the servers' versions), so a target that did not change since the
    last plan is not dumped and restored again: the copy is a clone of that template.
    """
    read_actual = actual if callable(actual) else _constant(actual)
    if cache is None:
        with server.database() as copy_url:
            _restore(target_url, copy_url, server, exclusions, read_actual)
            yield copy_url
        return
    actual = read_actual()  # the cache key needs its fingerprint before anything is copied
    with db.connection(target_url) as conn:
        target_version = db.server_version(conn).num
    key = cache.key(server, {
        "kind": "target copy", "fingerprint": actual.fingerprint(), "target_version": target_version,
        "exclusions": list(exclusions.patterns), "access": [list(exclusions.managed_roles), exclusions.manage_owners],
    })
    entry = cache.entry(server, key, lambda url: _restore(target_url, url, server, exclusions, read_actual),
                        keep_side=False, kind="target copy", holds=db.mask(target_url))
    with cache.clone(server, entry) as copy_url:
        yield copy_url


def _restore(target_url: str, copy_url: str, server: scratch.ScratchServer, exclusions: Exclusions,
             read_actual: Callable[[], Catalog]) -> None:
    """pg_dump --schema-only | pg_restore of the target into the empty `copy_url`, checked."""
    with timing.phase("target copy"):
        copy_schema(target_url, copy_url, server)
        with db.connection(server.as_loader(copy_url), role="scratch") as conn, conn.cursor() as cur:
            # pgproof's own tables, made by the role the plan and its data fixes run as on
            # the copy (the archive, the kept values), so that role may write them.
            own_schema.ensure(cur)
            conn.commit()
    actual = read_actual()
    _copy_invalid_indexes(copy_url, actual)
    grants.replicate(copy_url, server.url, actual, exclusions)  # managed owners and privileges
    differences = catalog.compare(catalog.describe(copy_url, exclusions, role="scratch"), actual)
    if differences:
        raise DiffError(
            "the scratch copy of the target does not match the target "
            f"({', '.join(d.label for d in differences[:5])}), so the plan cannot be proven; "
            + _fix_for(server, target_url)
        )


def _constant(catalog: Catalog) -> Callable[[], Catalog]:
    return lambda: catalog


def _copy_invalid_indexes(copy_url: str, actual: Catalog) -> None:
    """pg_dump leaves out an index left INVALID on the target (a failed CREATE INDEX
    CONCURRENTLY). The copy gets it from its definition, marked invalid the same way,
    which the scratch superuser may do to a throwaway database."""
    invalid = [obj for obj in actual.of_kind("index") if obj.definition.get("valid") is False]
    if not invalid:
        return
    with db.connection(copy_url, role="scratch") as conn:
        with conn.cursor() as cur:
            for index in invalid:
                cur.execute("SELECT to_regclass(%s) IS NULL", (index.key,))
                if cur.fetchone()[0]:
                    cur.execute(index.sql)
                cur.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", (index.key,))
        conn.commit()


def _fix_for(server: scratch.ScratchServer, target_url: str) -> str:
    if server.mismatch is None:
        return "this is a gap of pgproof's catalog check: please report it with the objects named."
    target_major = db.probe(target_url).major
    return f"use a scratch server of PostgreSQL {target_major}, the target's major: {scratch.matching_hint(target_major)}."


def run_on_copy(copy_url: str, statements: list[Statement], server: scratch.ScratchServer) -> None:
    """Run the statements on the copy exactly as apply would (no retries: nothing else
    uses the copy), as the server's loader: a plan made from a schema file is no more
    trusted than the file."""
    try:
        run_as_apply(copy_url, statements, server)
    except execute.StepFailure as failure:
        statement = statements[failure.number - 1] if 0 < failure.number <= len(statements) else None
        raise DiffError(engine_gap(failure, statement)) from None


def run_as_apply(copy_url: str, statements: list[Statement], server: scratch.ScratchServer) -> None:
    """run_on_copy's run: execute.StepFailure, numbered within `statements`, says where it
    failed (the rehearsal words its own sentence)."""
    done = 0
    for by_superuser, segment in _segments(statements, _ordinary_roles(copy_url)):
        try:
            execute.run(copy_url if by_superuser else server.as_loader(copy_url), segment, retry_delays=())
        except execute.StepFailure as failure:
            raise dataclasses.replace(failure, number=failure.number + done) from None
        done += len(segment)


# What only the superuser does on a copy, as on the desired schema's load (`read/desired.py`).
_EXTENSION = re.compile(r"^\s*(CREATE|ALTER|DROP|COMMENT\s+ON)\s+EXTENSION\b", re.IGNORECASE)


def _ordinary_roles(url: str) -> frozenset[str]:
    with db.connection(url, role="scratch", autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT rolname FROM pg_roles WHERE NOT rolsuper")
        return frozenset(row[0] for row in cur.fetchall())


def _by_superuser(statement: Statement, ordinary: frozenset[str]) -> bool:
    """Extensions; privileges and owners, which run no code but the loader may not change
    on objects a superuser owns, as on production; never a routine given to a superuser
    (a SECURITY DEFINER function would run as one)."""
    if _EXTENSION.match(statement.sql):
        return True
    nodes = statement.nodes
    if len(nodes) != 1:
        return False
    owner = new_owner(nodes[0])
    return privileges_only(nodes[0]) or (owner is not None and (owner in ordinary or not owns_code(nodes[0])))


def _segments(statements: list[Statement], ordinary: frozenset[str] = frozenset()) -> list[tuple[bool, list[Statement]]]:
    """`statements` in runs of (by the superuser, the run), in order."""
    result: list[tuple[bool, list[Statement]]] = []
    for statement in statements:
        by_superuser = _by_superuser(statement, ordinary)
        if result and result[-1][0] == by_superuser:
            result[-1][1].append(statement)
        else:
            result.append((by_superuser, [statement]))
    return result


def engine_gap(failure: execute.StepFailure, statement: Statement | None) -> str:
    """One sentence for a statement the diff engine wrote wrongly: the object, the
    statement, PostgreSQL's reason, and what the user can do."""
    objects = ", ".join(dict.fromkeys(f"{t.kind} {t.key}" for t in touched.read(statement))) if statement else ""
    text = " ".join(statement.sql.split())[:160] if statement else ""
    return (
        f"the plan fails on a scratch copy of the target at statement {failure.number} "
        f"({text!r}{', on ' + objects if objects else ''}): {failure.message}; this is a gap of the "
        "diff engine, not of your schema: make the change in two plans (first the objects this "
        "statement needs, applied, then the rest), or write this statement's change by hand and "
        "run pgproof drift, and report it with the statement."
    )
