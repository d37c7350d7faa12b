"""The diff: the statements that turn a target database into the desired one.

migra (pinned; its last release is from 2022) computes most of them; every call to it
lives in this module. Its output is then checked against the independent catalog
comparison (`catalog`), and what migra cannot see is added by `gaps`.

Known gaps of migra, and what happens to each, are listed in the README.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from . import catalog, db, gaps, grants, timing
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


def compute(target_url: str, desired_url: str, exclusions: Exclusions = Exclusions()) -> Diff:
    """Compare the target with the desired (scratch) database; neither is changed."""
    with timing.phase("catalog check"):
        actual = catalog.describe(target_url, exclusions, role="target")
        desired = catalog.describe(desired_url, exclusions, role="scratch")
    with timing.phase("migra"):
        migra = migra_statements(target_url, desired_url, exclusions)
    differences = catalog.compare(desired, actual)
    schema_differences = [d for d in differences if d.kind not in grants.KINDS]
    closure = gaps.close(migra, desired, actual, schema_differences)
    return Diff(
        statements=closure.statements + grants.statements(desired, actual, differences, closure.statements), differences=differences, desired=desired, actual=actual,
        notes=catalog.version_notes(desired, actual), gaps=closure.gaps,
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
    """migra's statements turning `from_url` into `to_url`, excluded objects left out.

    Both sides are inspected with the same explicit search_path. Extension versions are
    ignored: production may run another pgvector build, and a pinned version would fail.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # schemainspect imports pkg_resources
        from migra import Migration
        from schemainspect import get_inspector
        from sqlbag import S

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
    return [Statement(sql, origin=MIGRA) for chunk in raw for sql in _split(chunk)]


def _inspection_url(url: str) -> str:
    return db.with_search_path(db.sqlalchemy_url(url))


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
