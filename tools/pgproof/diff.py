"""The diff: the statements that turn a target database into the desired one.

migra (pinned; its last release is from 2022) computes most of them; every call to it
lives in this module. Its output is then checked against the independent catalog
comparison (`catalog`), and what migra cannot see is added by `gaps`.

Known gaps of migra, and what happens to each, are listed in the README.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from . import catalog, db, gaps, guard, migra_quoting, timing
from .catalog import Catalog, Difference
from .gaps import Gap, column_types, touched
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


def compute(target_url: str, desired_url: str, exclusions: Exclusions = Exclusions()) -> Diff:
    """Compare the target with the desired (scratch) database; neither is changed."""
    with timing.phase("catalog check"):
        actual = catalog.describe(target_url, exclusions, role="target")
        desired = catalog.describe(desired_url, exclusions, role="scratch")
    with timing.phase("migra"):
        migra = migra_statements(target_url, desired_url, exclusions)
    differences = catalog.compare(desired, actual)
    try:
        closure = gaps.close(migra, desired, actual, differences, _uncastable(desired_url, differences))
    except DiffError:
        raise
    except Exception as exc:  # a bug of pgproof's closers: one sentence, never a traceback
        raise DiffError(
            f"pgproof could not complete migra's statements ({type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:200]}); no statement was printed or planned: run with "
            "--traceback and report it with the schema change."
        ) from exc
    guard.check(closure.statements, differences, desired, actual)
    return Diff(
        statements=closure.statements, differences=differences, desired=desired, actual=actual,
        notes=catalog.version_notes(desired, actual), gaps=closure.gaps,
    )


def _uncastable(desired_url: str, differences: list[Difference]) -> frozenset[str]:
    """Columns whose type changes to one no cast leads to, asked of the scratch server."""
    changed = [d for d in differences if d.kind == "column" and d.status == "different"
               and "type" in d.changed_fields]
    if not changed:
        return frozenset()
    found = set()
    with db.connection(desired_url, role="scratch") as conn, conn.cursor() as cur:
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
    """migra's statements turning `from_url` into `to_url`, excluded objects left out.

    Both sides are inspected with the same explicit search_path. Extension versions are
    ignored: production may run another pgvector build, and a pinned version would fail.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # schemainspect imports pkg_resources
        from migra import Migration
        from schemainspect import get_inspector
        from sqlbag import S
    migra_quoting.apply()

    try:
        with S(_inspection_url(from_url)) as s_from, S(_inspection_url(to_url)) as s_to:
            i_from, i_to = get_inspector(s_from), get_inspector(s_to)
            for inspector in (i_from, i_to):
                _leave_out(inspector, exclusions)
            migration = Migration(i_from, i_to, ignore_extension_versions=True)
            migration.set_safety(False)  # hazards are classified and refused elsewhere
            migration.add_all_changes()
            raw = list(migration.statements)
    except Exception as exc:  # migra and SQLAlchemy raise many types; one sentence for all
        detail = db.scrub(" ".join(str(exc).split())[:300], from_url, to_url)
        raise DiffError(
            f"migra could not compare the databases: {detail}; "
            "run with --traceback and report it if the databases are reachable."
        ) from exc
    statements = [Statement(sql, origin=MIGRA) for chunk in raw for sql in _split(chunk)]
    return _without_internal_copies(_without_zero_column_creations(statements, from_url, to_url),
                                    from_url, to_url)


def _inspection_url(url: str) -> str:
    return db.with_search_path(db.sqlalchemy_url(url))


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


def _without_internal_copies(statements: list[Statement], from_url: str, to_url: str) -> list[Statement]:
    """A foreign key referencing a partitioned table has an internal copy per partition
    (PostgreSQL names them, in an order that differs between servers); migra adds and
    drops them like constraints of their own. Left out: they go with their foreign key."""
    internal: set[str] = set()
    for url, role in ((from_url, "target"), (to_url, "scratch")):
        with db.connection(url, role=role) as conn, conn.cursor() as cur:
            cur.execute(_INTERNAL_FOREIGN_KEYS)
            internal |= {row[0] for row in cur.fetchall()}
    if not internal:
        return statements
    return [s for s in statements
            if not ((touches := touched.read(s)) and all(t.kind == "constraint" and t.key in internal for t in touches))]


def _about_one_object(parts: list[str]) -> bool:
    """Whether every statement after the first changes only what the first one creates."""
    first = {(t.kind, t.key) for t in touched.read(Statement(parts[0]))}
    rest = [{(t.kind, t.key) for t in touched.read(Statement(p))} for p in parts[1:]]
    return bool(first) and all(r and r <= first for r in rest)


def _without_zero_column_creations(statements: list[Statement], from_url: str, to_url: str) -> list[Statement]:
    """schemainspect does not see a table whose columns were all dropped (its only
    pg_attribute rows are dropped ones), so migra creates it again on the side that has
    it, or drops it on the side that wants it. Such statements are left out: the table
    exists on both sides, and the catalog comparison still checks its properties."""
    sql = ("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
           "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
           "AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 "
           "AND NOT a.attisdropped) AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid "
           "AND a.attisdropped)")
    hidden: dict[str, set[str]] = {}
    for side, url in (("from", from_url), ("to", to_url)):
        with db.connection(url, role="target" if side == "from" else "scratch") as conn, conn.cursor() as cur:
            cur.execute(sql)
            hidden[side] = {row[0] for row in cur.fetchall()}
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
