"""The independent catalog check: every managed object described straight from pg_catalog.

This does not trust the diff engine. Each object kind has its own query beside this file
(`<kind>s.sql`), returning a normalised definition per object. Two catalogs compare
object by object (missing, extra, different), and a catalog hashes to a fingerprint that
plans carry and `apply` checks.

Both sides are read with the same explicit search_path (`db.INSPECTION_SEARCH_PATH`), so
a definition the server renders comes out the same on both.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

from pgproof.core import db
from pgproof.core.exclusions import Exclusions
from pgproof.core.kinds import FACTS, Kind
from pgproof.read import uncompared
from pgproof.read.catalog import privileges

# Each kind and the query file beside this module that lists it (core/kinds.py); the
# order is the order of reports.
QUERIES = {kind: facts.query for kind, facts in FACTS.items() if facts.query}
KINDS = tuple(QUERIES)
COMMENT = Kind.COMMENT


@dataclass(frozen=True)
class CatalogObject:
    kind: str
    key: str  # schema-qualified, quoted where needed: public.segments.video_id
    schema: str
    name: str
    parent: str | None  # key of the owning table, if any
    definition: dict[str, Any]  # compared
    info: dict[str, Any] = field(default_factory=dict)  # shown, never compared

    @property
    def ref(self) -> tuple[str, str]:
        return (self.kind, self.key)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.key}"

    # Typed reads of the definition fields that many modules use.
    @property
    def sql(self) -> str:
        """The SQL the server renders for it (a view's query, an index's or a trigger's
        CREATE, a constraint's or a function's definition); empty when the kind has none."""
        return self.definition.get("definition") or ""

    @property
    def materialized(self) -> bool:
        """A view that is a materialized view."""
        return bool(self.definition.get("materialized"))

    @property
    def partitioned(self) -> bool:
        """A table that is partitioned (relkind p)."""
        return self.definition.get("relkind") == "p"


@dataclass(frozen=True)
class Catalog:
    objects: dict[tuple[str, str], CatalogObject]
    server_major: int | None = None  # of the server it was read from; never compared
    # kind -> names of objects of kinds pgproof does not compare (read/uncompared.py)
    uncompared: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # A catalog is never changed once read, so what is derived from all of it is worked
    # out once: a plan asks for these many times, and a large schema has 100,000 objects.
    def fingerprint(self) -> str:
        """sha256 of every compared definition, in a stable order."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        canonical = [
            [obj.kind, obj.key, obj.definition]
            for _, obj in sorted(self.objects.items())
        ]
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    @cached_property
    def _by_kind(self) -> dict[str, list[CatalogObject]]:
        found: dict[str, list[CatalogObject]] = {}
        for (kind, _), obj in sorted(self.objects.items()):
            found.setdefault(kind, []).append(obj)
        return found

    def state(self) -> dict[str, str]:
        """A short hash of each object's definition, by "kind key": what apply records
        after each step, so a rerun can tell which objects changed since."""
        return {
            f"{obj.kind} {obj.key}": hashlib.sha256(
                json.dumps(obj.definition, sort_keys=True, separators=(",", ":"), default=str).encode()
            ).hexdigest()[:16]
            for _, obj in sorted(self.objects.items())
        }

    def get(self, kind: str, key: str) -> CatalogObject | None:
        return self.objects.get((kind, key))

    def of_kind(self, kind: str) -> list[CatalogObject]:
        return list(self._by_kind.get(kind, ()))

    def comments(self) -> dict[str, str]:
        """COMMENT ON target -> text, for every commented object."""
        return {obj.key: obj.definition["text"] for obj in self.of_kind(COMMENT)}


@dataclass(frozen=True)
class Difference:
    """One object that differs. `desired` is the schema file's side, `actual` the target's."""

    kind: str
    key: str
    status: str  # "missing" (in desired only), "extra" (in target only), "different"
    desired: dict[str, Any] | None
    actual: dict[str, Any] | None
    parent: str | None = None

    @property
    def ref(self) -> tuple[str, str]:
        return (self.kind, self.key)

    @property
    def changed_fields(self) -> list[str]:
        if self.desired is None or self.actual is None:
            return []
        keys = sorted(set(self.desired) | set(self.actual))
        return [k for k in keys if self.desired.get(k) != self.actual.get(k)]

    @property
    def label(self) -> str:
        return f"{self.kind} {self.key}"


# The queries read comments with a subquery on pg_description, not obj_description():
# that SQL function runs once per row through the SQL-function executor, which was half
# of the index query's time at 15,000 indexes.
def _query(kind: Kind) -> str:
    return resources.files(__package__).joinpath(QUERIES[kind]).read_text(encoding="utf-8")


def describe(url: str, exclusions: Exclusions = Exclusions(), *, role: str = "target") -> Catalog:
    """Read the catalog of the database at `url` (read-only, one consistent snapshot)."""
    with db.connection(url, role=role, search_path=db.INSPECTION_SEARCH_PATH) as conn:
        conn.set_session(readonly=True, isolation_level="REPEATABLE READ")
        return describe_connection(conn, exclusions)


def describe_connection(conn, exclusions: Exclusions = Exclusions(), *, end: bool = True) -> Catalog:
    """`describe` on an open connection (whose search_path the caller has set); with
    end=False its transaction stays open (apply records progress inside a step's own
    transaction)."""
    objects: dict[tuple[str, str], CatalogObject] = {}
    excluded_parents: dict[str | None, bool] = {}  # 21,000 columns of 3,000 tables: asked once per table
    with conn.cursor() as cur:  # plain tuples: a DictCursor costs seconds at 1,000 tables
        cur.execute("SELECT current_setting('server_version_num')::int / 10000")
        major = cur.fetchone()[0]
        for kind in KINDS:
            cur.execute(_query(kind))
            column = {c.name: i for i, c in enumerate(cur.description)}
            key, schema, name, parent = column["key"], column["schema"], column["name"], column["parent"]
            definition, info = column["definition"], column["info"]
            comment, comment_target = column["comment"], column["comment_target"]
            for row in cur.fetchall():
                if _excluded(kind, row[schema], row[name], row[parent], exclusions, excluded_parents):
                    continue
                obj = CatalogObject(
                    kind=kind, key=row[key], schema=row[schema], name=row[name],
                    parent=row[parent], definition=row[definition], info=row[info],
                )
                objects[obj.ref] = obj
                if row[comment] is not None:
                    note = CatalogObject(
                        kind=COMMENT, key=row[comment_target], schema=row[schema],
                        name=row[name], parent=f"{kind} {row[key]}",
                        definition={"text": row[comment]},
                    )
                    objects[note.ref] = note
        for kind, row in privileges.rows(cur, exclusions):  # only when the settings manage them
            obj = CatalogObject(kind=kind, key=row["key"], schema=row["schema"], name=row["name"],
                                parent=row["parent"], definition=row["definition"], info=row["info"])
            objects[obj.ref] = obj
        not_compared = uncompared.read(cur, exclusions)
    if end:
        conn.rollback()
    return Catalog(objects, server_major=major, uncompared=not_compared)


def _excluded(kind: str, schema: str, name: str, parent: str | None, exclusions: Exclusions,
              excluded_parents: dict[str | None, bool]) -> bool:
    if kind == "schema":
        return exclusions.matches(name)
    if kind == Kind.EVENT_TRIGGER:  # database-wide: no schema to exclude it by
        return False
    if kind == "extension":
        return exclusions.matches(schema, name)
    if exclusions.matches(schema, name):
        return True
    if parent not in excluded_parents:
        excluded_parents[parent] = exclusions.matches_key(parent)
    return excluded_parents[parent]


def compare(desired: Catalog, actual: Catalog) -> list[Difference]:
    """Every object that differs, sorted by kind order then key."""
    order = {kind: i for i, kind in enumerate((*KINDS, COMMENT, *privileges.KINDS))}
    result = []
    for ref in sorted(set(desired.objects) | set(actual.objects), key=lambda r: (order[r[0]], r[1])):  # type: ignore[index]  # StrEnum keys, found by str
        want, have = desired.objects.get(ref), actual.objects.get(ref)
        if want is not None and have is not None and want.definition == have.definition:
            continue
        status = "missing" if have is None else "extra" if want is None else "different"
        parent = (want or have).parent
        result.append(Difference(
            kind=ref[0], key=ref[1], status=status, parent=parent,
            desired=want.definition if want else None,
            actual=have.definition if have else None,
        ))
    return result


def version_notes(desired: Catalog, actual: Catalog) -> list[str]:
    """Information that is not drift: extension versions that differ."""
    notes = []
    for ext in desired.of_kind("extension"):
        other = actual.get("extension", ext.key)
        if other and other.info.get("version") != ext.info.get("version"):
            notes.append(
                f"extension {ext.key} is version {other.info.get('version')} on the target and "
                f"{ext.info.get('version')} in the scratch database; not drift, no statement emitted."
            )
    return notes
