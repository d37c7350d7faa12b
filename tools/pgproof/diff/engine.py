"""The diff: the statements that turn a target database into the desired one.

migra (pinned; its last release is from 2022) computes most of them; every call to it
lives in this module. Its output is then checked against the independent catalog
comparison (`catalog`), and what migra cannot see is added by `gaps`.

Known gaps of migra, and what happens to each, are listed in docs/migra-gaps.md.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extras

from pgproof.read import catalog
from pgproof.core import db, timing
from pgproof.diff import gaps, grants, guard, stored
from pgproof.diff.migra import compare as migra_compare, quoting as migra_quoting, visibility as migra_visibility
from pgproof.read.catalog import Catalog, Difference
from pgproof.read.uncompared import NotCompared
from pgproof.diff.gaps import Gap, column_types, rules, touched
from pgproof.core.errors import DiffError
from pgproof.core.exclusions import Exclusions
from pgproof.core.statement import MIGRA, Statement, split_sql

# Where the cast lookup asks which type changes no cast leads to: a database with the
# desired types, by URL, or opened only when a column's type changes (on the warm path a
# clone of the cached template, which takes no connections).
Casts = str | Callable[[], contextlib.AbstractContextManager[str]] | None

# schemainspect attributes that hold inspected objects, each keyed by name.
_INSPECTED = (
    "schemas relations tables views materialized_views composite_types functions selectables "
    "sequences constraints indexes enums extensions privileges collations triggers "
    "rlspolicies types domains"
).split()


@dataclass(frozen=True)
class Diff:
    statements: list[Statement]
    differences: list[Difference]  # from the catalog comparison, desired vs target
    desired: Catalog
    actual: Catalog
    notes: list[str] = field(default_factory=list)  # information, not drift
    gaps: list[Gap] = field(default_factory=list)  # differences no statement closes

    @property
    def drifted(self) -> bool:
        """True unless migra has nothing to say and the fingerprints are equal."""
        return bool(self.statements or self.differences or self.gaps) or (
            self.desired.fingerprint() != self.actual.fingerprint()
        )

    @property
    def not_compared(self) -> NotCompared:
        """Objects of kinds pgproof does not compare, on either side: no "no drift" then."""
        return NotCompared(target=self.actual.uncompared, desired=self.desired.uncompared)

    @property
    def coverage_notes(self) -> list[str]:
        """The note that says what was not compared, if anything was not."""
        return [self.not_compared.note()] if self.not_compared else []


@dataclass(frozen=True)
class Side:
    """One database read once: pgproof's catalog and migra's inspection of it, taken from
    the same snapshot. Either side of any number of comparisons; nothing re-reads it."""

    catalog: Catalog
    inspection: Any  # schemainspect's inspector, excluded objects left out, disconnected
    # What migra gets wrong about this database, left out of its statements (see migration):
    internal_foreign_keys: frozenset[str] = frozenset()  # per-partition copies of a foreign key
    hidden_tables: frozenset[str] = frozenset()  # tables whose every column was dropped


def read(url: str, exclusions: Exclusions = Exclusions(), *, role: str = "target") -> Side:
    """Read the database at `url` once (read-only, one REPEATABLE READ snapshot).

    The catalog queries run on a second connection that imports the first one's snapshot,
    at the same time as migra's inspection: the same state, in about half the time.
    """
    return _read(url, exclusions, role, None)


def read_kept(url: str, exclusions: Exclusions = Exclusions(), *, role: str = "scratch") -> tuple[Side, dict]:
    """`read`, and the side as data for the warm cache (`stored`): schemainspect's
    queries and their rows, and the catalog's fields. `side_from` reads it back."""
    recording: list[stored.Recording] = []
    side = _read(url, exclusions, role, recording)
    data = {
        "format": stored.FORMAT, "inspection": stored.inspection_data(recording[0]),
        "catalog": stored.catalog_data(side.catalog),
        "internal_foreign_keys": sorted(side.internal_foreign_keys), "hidden_tables": sorted(side.hidden_tables),
    }
    return side, data


def side_from(data: dict, exclusions: Exclusions) -> Side:
    """The side `read_kept` kept, rebuilt: the inspector by schemainspect's own code from
    the recorded rows. stored.Unreadable when it cannot be (then the entry is rebuilt)."""
    if not isinstance(data, dict) or data.get("format") != stored.FORMAT:
        raise stored.Unreadable("the stored side is of another format")
    import_engine()
    migra_visibility.apply()
    inspection = stored.inspection_from(data.get("inspection") or {}, exclusions,
                                        lambda cursor: _inspector(cursor, exclusions))
    try:
        return Side(stored.catalog_from(data["catalog"]), inspection,
                    frozenset(data["internal_foreign_keys"]), frozenset(data["hidden_tables"]))
    except (KeyError, TypeError) as exc:
        raise stored.Unreadable(f"the stored side lacks a part ({exc})") from None


def _read(url: str, exclusions: Exclusions, role: str, recording: list | None) -> Side:
    with db.connection(url, role=role, search_path=db.INSPECTION_SEARCH_PATH) as conn:
        conn.set_session(readonly=True, isolation_level="REPEATABLE READ")
        snapshot = _export_snapshot(conn)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgproof-catalog") as pool:
            described = pool.submit(_describe, url, snapshot, exclusions, role) if snapshot else None
            oddities = _oddities(conn)
            with timing.phase("migra inspection", "read the target" if role == "target" else "read a scratch database"):
                inspection = inspect(conn, exclusions, url, recording=recording)
            if described is None:  # no snapshot to share: one after the other, same transaction
                with timing.phase("catalog check"):
                    return Side(catalog.describe_connection(conn, exclusions), inspection, *oddities)
            return Side(described.result(), inspection, *oddities)


def _oddities(conn) -> tuple[frozenset[str], frozenset[str]]:
    """The internal foreign keys and the zero-column tables of the database (Side)."""
    with conn.cursor() as cur:
        cur.execute(_INTERNAL_FOREIGN_KEYS)
        internal = frozenset(row[0] for row in cur.fetchall())
        cur.execute(_ZERO_COLUMN_TABLES)
        hidden = frozenset(row[0] for row in cur.fetchall())
    return internal, hidden


def _export_snapshot(conn) -> str | None:
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            return cur.fetchone()[0]
    except psycopg2.Error:  # e.g. a server that cannot export one: read on one connection
        conn.rollback()
        return None


def _describe(url: str, snapshot: str, exclusions: Exclusions, role: str) -> Catalog:
    with timing.phase("catalog check"), \
            db.connection(url, role=role, search_path=db.INSPECTION_SEARCH_PATH) as conn:
        conn.set_session(readonly=True, isolation_level="REPEATABLE READ")
        with conn.cursor() as cur:
            cur.execute("SET TRANSACTION SNAPSHOT %s", (snapshot,))
        return catalog.describe_connection(conn, exclusions)


def import_engine() -> None:
    """Import migra and schemainspect, cheaply (about 1 s less on every run).

    schemainspect finds each of its 17 SQL files by calling `inspect.stack()`, which reads
    the source of every frame of the call stack, and it imports `pkg_resources`, which
    scans every installed distribution, only for `resource_stream`. During its import both
    are replaced by equivalents that do neither; nothing else sees them.
    """
    if "schemainspect" in sys.modules and "migra" in sys.modules:
        return
    import inspect as inspect_module
    import types

    def frames(context: int = 1) -> list[tuple]:
        frame, found = sys._getframe(1), []
        while frame is not None:
            found.append((frame,))
            frame = frame.f_back
        return found

    def resource_stream(package: str, subpath: str):
        return open(Path(sys.modules[package].__file__).parent / subpath, "rb")

    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_stream = resource_stream  # type: ignore[attr-defined]  # a module made here
    real_stack, real_pkg_resources = inspect_module.stack, sys.modules.get("pkg_resources")
    with _IMPORT_LOCK:
        inspect_module.stack = frames  # type: ignore[assignment]  # tuples where FrameInfo, enough for schemainspect
        sys.modules["pkg_resources"] = stand_in
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import migra  # noqa: F401
                import schemainspect  # noqa: F401
        finally:
            inspect_module.stack = real_stack
            if real_pkg_resources is None:
                sys.modules.pop("pkg_resources", None)
            else:
                sys.modules["pkg_resources"] = real_pkg_resources


_IMPORT_LOCK = threading.Lock()


def inspect(conn, exclusions: Exclusions, url: str = "", *, recording: list | None = None) -> Any:
    """schemainspect's inspection over our own connection (a named-tuple cursor is what it
    reads raw psycopg2 rows through), so no SQLAlchemy engine is built for it. With
    `recording` (a list), the rows of its queries are recorded too (`stored.Recording`)."""
    import_engine()
    migra_visibility.apply()
    try:
        with conn.cursor(cursor_factory=psycopg2.extras.NamedTupleCursor) as cur:
            if recording is None:
                return _inspector(cur, exclusions)
            recorder = stored.Recording(cur)
            recording.append(recorder)
            return _inspector(recorder, exclusions)
    except stored.Unreadable as exc:  # a row of a type pgproof does not store: a bug to report
        raise DiffError(f"pgproof could not keep what migra read of {db.mask(url) or 'a database'} ({exc}); "
                        "run with --no-cache, and report it.") from None
    except Exception as exc:  # schemainspect raises many types; one sentence for all
        detail = db.scrub(" ".join(str(exc).split())[:300], url)
        raise DiffError(
            f"migra could not inspect {db.mask(url) or 'a database'}: {detail}; "
            "run with --traceback and report it if the database is reachable."
        ) from exc


def _inspector(cursor: Any, exclusions: Exclusions) -> Any:
    """schemainspect's inspector read through `cursor`, disconnected, excluded objects left out."""
    from schemainspect import get_inspector

    inspector = get_inspector(cursor)
    inspector.c = None  # the cursor is closed; nothing may query through it again
    inspector.deps = []  # raw rows, read by nothing after loading
    _leave_out(inspector, exclusions)
    return inspector


def compute(target_url: str, desired_url: str, exclusions: Exclusions = Exclusions()) -> Diff:
    """Compare the target with the desired (scratch) database; neither is changed."""
    return compare(read(target_url, exclusions, role="target"), read(desired_url, exclusions, role="scratch"),
                   cast_url=desired_url)


def compare(actual: Side, desired: Side, cast_url: Casts = None, conversions: dict[str, str] | None = None) -> Diff:
    """The diff from `actual` (the target) to `desired`, from what was read already.
    `cast_url`, a database that has the desired types (see `Casts`), is asked which type
    changes no cast leads to (without it, such a change fails in the proof instead);
    `conversions`: the USING expression of a column's type change, by column key, from
    the schema's convert directives (`conversions`)."""
    with timing.phase("migra"):
        migra = migration(actual, desired)
    differences = catalog.compare(desired.catalog, actual.catalog)
    schema_differences = [d for d in differences if d.kind not in grants.KINDS]
    try:
        closure = gaps.close(migra, desired.catalog, actual.catalog, schema_differences,
                             _uncastable(cast_url, schema_differences), conversions or {})
    except DiffError:
        raise
    except Exception as exc:  # a bug of pgproof's closers: one sentence, never a traceback
        raise DiffError(
            f"pgproof could not complete migra's statements ({type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:200]}); no statement was printed or planned: run with "
            "--traceback and report it with the schema change."
        ) from exc
    guard.check(closure.statements, schema_differences, desired.catalog, actual.catalog)
    access = grants.statements(desired.catalog, actual.catalog, differences, closure.statements)
    return Diff(
        statements=closure.statements + access, differences=differences, desired=desired.catalog,
        actual=actual.catalog,
        notes=catalog.version_notes(desired.catalog, actual.catalog) + rules.notes(differences),
        gaps=closure.gaps,
    )


def _uncastable(casts: Casts, differences: list[Difference]) -> frozenset[str]:
    """Columns whose type changes to one no cast leads to, asked of a database with the
    desired types (the target may not have them: to_regtype of a new type is NULL)."""
    changed = [d for d in differences if d.kind == "column" and d.status == "different"
               and "type" in d.changed_fields]
    if not changed or casts is None:
        return frozenset()
    found = set()
    opened = contextlib.nullcontext(casts) if isinstance(casts, str) else casts()
    with opened as desired_url, db.connection(desired_url, role="scratch") as conn, conn.cursor() as cur:
        for difference in changed:
            cur.execute(column_types.UNCASTABLE_SQL, (difference.actual["type"], difference.desired["type"]))
            row = cur.fetchone()
            if row and row[0]:
                found.add(difference.key)
    return frozenset(found)


def converges(target_url: str, desired_url: str, exclusions: Exclusions = Exclusions()) -> list[Difference]:
    """What still differs between the target and the desired database; [] when their
    catalog fingerprints are equal.

    The proof of a plan: run its statements on a copy of the target, then call this with
    the copy and the scratch database. It reads both catalogs and never calls migra, so
    it holds even where migra is blind.
    """
    actual = catalog.describe(target_url, exclusions, role="target")
    desired = catalog.describe(desired_url, exclusions, role="scratch")
    if actual.fingerprint() == desired.fingerprint():
        return []
    return catalog.compare(desired, actual)


def migra_statements(from_url: str, to_url: str, exclusions: Exclusions = Exclusions()) -> list[Statement]:
    """migra's statements turning `from_url` into `to_url`, excluded objects left out."""
    return migration(read(from_url, exclusions), read(to_url, exclusions, role="scratch"))


def migration(side_from: Side, side_to: Side) -> list[Statement]:
    """migra's statements between two sides' inspections (neither is changed by it).

    Both sides were inspected with the same explicit search_path. Extension versions are
    ignored: production may run another pgvector build, and a pinned version would fail.
    """
    import_engine()
    from migra import Migration

    migra_quoting.apply()
    migra_compare.apply()

    try:
        migration = Migration(side_from.inspection, side_to.inspection, ignore_extension_versions=True)
        migration.set_safety(False)  # hazards are classified and refused elsewhere
        with migra_compare.comparing():
            migration.add_all_changes()
        raw = list(migration.statements)
    except Exception as exc:  # migra raises many types; one sentence for all
        detail = db.mask(" ".join(str(exc).split())[:300])
        raise DiffError(
            f"migra could not compare the databases: {detail}; "
            "run with --traceback and report it if the databases are reachable."
        ) from exc
    statements = [Statement(sql, origin=MIGRA) for chunk in raw for sql in _split(chunk)]
    return _without_internal_copies(_without_zero_column_creations(statements, side_from, side_to),
                                    side_from, side_to)


def _split(chunk: str) -> list[str]:
    """migra's chunk as statements; a chunk is one statement (or, for a disabled trigger,
    its creation and the ALTER that disables it), so more means a name or label carried
    SQL of its own."""
    try:
        parts = split_sql(chunk)
    except Exception:  # pglast cannot split it: keep migra's text as one statement
        return [chunk.strip()]
    if len(parts) > 1 and not _about_one_object(parts):
        text = " ".join(chunk.split())[:120]
        raise DiffError(
            f"migra wrote {len(parts)} statements where it writes one ({text!r}), so pgproof "
            "refuses to print or plan them; a name, label, comment or default in the schema "
            "holds SQL: rename it, or report it with that statement."
        )
    return parts


_INTERNAL_FOREIGN_KEYS = (
    "SELECT format('%I.%I.%I', n.nspname, c.relname, co.conname) FROM pg_constraint co "
    "JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_constraint parent ON parent.oid = co.conparentid AND parent.conrelid = co.conrelid"
)


_ZERO_COLUMN_TABLES = (
    "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
    "AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 "
    "AND NOT a.attisdropped) AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid "
    "AND a.attisdropped)"
)


def _without_internal_copies(statements: list[Statement], side_from: Side, side_to: Side) -> list[Statement]:
    """A foreign key referencing a partitioned table has an internal copy per partition
    (PostgreSQL names them, in an order that differs between servers); migra adds and
    drops them like constraints of their own. Left out: they go with their foreign key."""
    internal = side_from.internal_foreign_keys | side_to.internal_foreign_keys
    if not internal:
        return statements
    return [s for s in statements
            if not ((touches := touched.read(s)) and all(t.kind == "constraint" and t.key in internal for t in touches))]


def _about_one_object(parts: list[str]) -> bool:
    """Whether every statement after the first changes only what the first one creates."""
    first = {(t.kind, t.key) for t in touched.read(Statement(parts[0]))}
    rest = [{(t.kind, t.key) for t in touched.read(Statement(p))} for p in parts[1:]]
    return bool(first) and all(r and r <= first for r in rest)


def _without_zero_column_creations(statements: list[Statement], side_from: Side, side_to: Side) -> list[Statement]:
    """schemainspect does not see a table whose columns were all dropped (its only
    pg_attribute rows are dropped ones), so migra creates it again on the side that has
    it, or drops it on the side that wants it. Such statements are left out: the table
    exists on both sides, and the catalog comparison still checks its properties."""
    hidden = {"from": side_from.hidden_tables, "to": side_to.hidden_tables}
    if not hidden["from"] and not hidden["to"]:
        return statements
    unseen = {touched.CREATE: hidden["from"], touched.DROP: hidden["to"]}
    return [
        s for s in statements
        if not any(t.kind == "table" and t.key in unseen.get(t.action, ()) for t in touched.read(s))
    ]


def _leave_out(inspector, exclusions: Exclusions) -> None:
    """Remove excluded objects from a schemainspect inspector before migra compares."""
    for attribute in _INSPECTED:
        objects = getattr(inspector, attribute, None)
        if not isinstance(objects, dict):
            continue
        kept = {key: obj for key, obj in objects.items() if not _is_excluded(obj, attribute, exclusions)}
        setattr(inspector, attribute, type(objects)(kept))


def _is_excluded(obj, attribute: str, exclusions: Exclusions) -> bool:
    schema = getattr(obj, "schema", None)
    if schema is None:
        return False
    if attribute == "schemas":
        return exclusions.matches(schema)
    name = getattr(obj, "name", None)
    table = getattr(obj, "table_name", None)
    return bool(
        (name and exclusions.matches(schema, name)) or (table and exclusions.matches(schema, table))
    )
