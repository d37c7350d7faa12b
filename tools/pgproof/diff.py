"""The diff: the statements that turn a target database into the desired one.

migra (pinned; its last release is from 2022) computes most of them; every call to it
lives in this module. Its output is then checked against the independent catalog
comparison (`catalog`), and what migra cannot see is added by `gaps`.

Known gaps of migra, and what happens to each, are listed in the README.
"""

from __future__ import annotations

import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extras

from . import catalog, db, gaps, timing
from .catalog import Catalog, Difference
from .gaps import Gap
from .errors import DiffError
from .exclusions import Exclusions
from .statement import MIGRA, Statement, split_sql

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


@dataclass(frozen=True)
class Side:
    """One database read once: pgproof's catalog and migra's inspection of it, taken from
    the same snapshot. Either side of any number of comparisons; nothing re-reads it."""

    catalog: Catalog
    inspection: Any  # schemainspect's inspector, excluded objects left out, disconnected


def read(url: str, exclusions: Exclusions = Exclusions(), *, role: str = "target") -> Side:
    """Read the database at `url` once (read-only, one REPEATABLE READ snapshot).

    The catalog queries run on a second connection that imports the first one's snapshot,
    at the same time as migra's inspection: the same state, in about half the time.
    """
    with db.connection(url, role=role, search_path=db.INSPECTION_SEARCH_PATH) as conn:
        conn.set_session(readonly=True, isolation_level="REPEATABLE READ")
        snapshot = _export_snapshot(conn)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgproof-catalog") as pool:
            described = pool.submit(_describe, url, snapshot, exclusions, role) if snapshot else None
            with timing.phase("migra inspection"):
                inspection = inspect(conn, exclusions, url)
            if described is None:  # no snapshot to share: one after the other, same transaction
                with timing.phase("catalog check"):
                    return Side(catalog.describe_connection(conn, exclusions), inspection)
            return Side(described.result(), inspection)


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
    stand_in.resource_stream = resource_stream
    real_stack, real_pkg_resources = inspect_module.stack, sys.modules.get("pkg_resources")
    with _IMPORT_LOCK:
        inspect_module.stack = frames
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


def inspect(conn, exclusions: Exclusions, url: str = "") -> Any:
    """schemainspect's inspection over our own connection (a named-tuple cursor is what it
    reads raw psycopg2 rows through), so no SQLAlchemy engine is built for it."""
    import_engine()
    from schemainspect import get_inspector

    try:
        with conn.cursor(cursor_factory=psycopg2.extras.NamedTupleCursor) as cur:
            inspector = get_inspector(cur)
        inspector.c = None  # the cursor is closed; nothing may query through it again
        inspector.deps = []  # raw rows, read by nothing after loading (and not picklable)
    except Exception as exc:  # schemainspect raises many types; one sentence for all
        detail = db.scrub(" ".join(str(exc).split())[:300], url)
        raise DiffError(
            f"migra could not inspect {db.mask(url) or 'a database'}: {detail}; "
            "run with --traceback and report it if the database is reachable."
        ) from exc
    _leave_out(inspector, exclusions)
    return inspector


def compute(target_url: str, desired_url: str, exclusions: Exclusions = Exclusions()) -> Diff:
    """Compare the target with the desired (scratch) database; neither is changed."""
    return compare(read(target_url, exclusions, role="target"), read(desired_url, exclusions, role="scratch"))


def compare(actual: Side, desired: Side) -> Diff:
    """The diff from `actual` (the target) to `desired`, from what was read already."""
    with timing.phase("migra"):
        migra = migration(actual.inspection, desired.inspection)
    differences = catalog.compare(desired.catalog, actual.catalog)
    closure = gaps.close(migra, desired.catalog, actual.catalog, differences)
    return Diff(
        statements=closure.statements, differences=differences, desired=desired.catalog,
        actual=actual.catalog, notes=catalog.version_notes(desired.catalog, actual.catalog),
        gaps=closure.gaps,
    )


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
    return migration(read(from_url, exclusions).inspection, read(to_url, exclusions, role="scratch").inspection)


def migration(inspected_from: Any, inspected_to: Any) -> list[Statement]:
    """migra's statements between two inspections (neither is changed by it).

    Both sides were inspected with the same explicit search_path. Extension versions are
    ignored: production may run another pgvector build, and a pinned version would fail.
    """
    import_engine()
    from migra import Migration

    try:
        migration = Migration(inspected_from, inspected_to, ignore_extension_versions=True)
        migration.set_safety(False)  # hazards are classified and refused elsewhere
        migration.add_all_changes()
        raw = list(migration.statements)
    except Exception as exc:  # migra raises many types; one sentence for all
        detail = db.mask(" ".join(str(exc).split())[:300])
        raise DiffError(
            f"migra could not compare the databases: {detail}; "
            "run with --traceback and report it if the databases are reachable."
        ) from exc
    return [Statement(sql, origin=MIGRA) for chunk in raw for sql in _split(chunk)]


def _split(chunk: str) -> list[str]:
    try:
        return split_sql(chunk)
    except Exception:  # pglast cannot split it: keep migra's text as one statement
        return [chunk.strip()]


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
