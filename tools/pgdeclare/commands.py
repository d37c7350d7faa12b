"""One function per command, like alembic's `command.py`. Each takes settings and plain
values, returns data, and raises PgDeclareError; the CLI renders and exits."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from . import db, desired, scratch, timing
from .diff import Diff, compute
from .drift import DriftReport
from .settings import Settings

EMPTY_TARGET = "an empty database"


@dataclass(frozen=True)
class Databases:
    """The two sides of a comparison, for as long as the context lasts."""

    target_url: str
    desired_url: str
    target_label: str  # masked URL or EMPTY_TARGET
    server: scratch.ScratchServer


@contextlib.contextmanager
def databases(settings: Settings) -> Iterator[Databases]:
    """The target and a scratch database holding the desired schema.

    Cheap checks run first (schema syntax, target reachable), so a mistake is reported
    before any server starts. With no target, an empty database on the scratch server
    stands in for it, so the diff is the full creation script.
    """
    files = desired.read(settings.schema)
    desired.statements(files)  # syntax errors now, located at file:line:col
    target_version = db.probe(settings.db_url) if settings.db_url else None
    target_major = target_version.major if target_version else None
    with scratch.open_scratch(settings.scratch, target_major) as server:
        with server.database() as desired_url:
            with timing.phase("schema load"):
                desired.load(desired_url, files)
            if settings.db_url:
                yield Databases(settings.db_url, desired_url, db.mask(settings.db_url), server)
            else:
                with server.database() as empty_url:
                    yield Databases(empty_url, desired_url, EMPTY_TARGET, server)


def diff(settings: Settings) -> Diff:
    """The statements that turn the target (or an empty database) into the desired schema."""
    with databases(settings) as dbs:
        return compute(dbs.target_url, dbs.desired_url, settings.exclusions)


def drift(settings: Settings) -> DriftReport:
    """How the target differs from the desired schema, per object and as statements."""
    with databases(settings) as dbs:
        result = compute(dbs.target_url, dbs.desired_url, settings.exclusions)
        return DriftReport(target=dbs.target_label, schema=desired.display_path(settings.schema), diff=result)
