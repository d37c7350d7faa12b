"""The two sides of a comparison, each read once: the target (live) and the desired schema,
loaded into a scratch database or taken from the warm cache.

What does not depend on each other runs at the same time: the target is read while the
scratch server starts and the desired schema loads. With the cache (`scratch/cache.py`)
a desired schema loaded before is not loaded again: its template database and what was
read from it are reused, so a warm run reads only the target.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pgproof.core import db, timing
from pgproof.read import desired
from pgproof.read.desired import SchemaFile
from pgproof.diff import engine as diff, grants
from pgproof.diff import copies, stored, unchanged
from pgproof.core.errors import ScratchError
from pgproof import scratch
from pgproof.core.exclusions import Exclusions
from pgproof.scratch import cache as cache_module
from pgproof.scratch import auto
from pgproof.scratch import installation as installations
from pgproof.scratch.cache import Cache, Entry
from pgproof.scratch.embedded import embedded_installation
from pgproof.scratch.installation import Installation
from pgproof.scratch.local import is_local, local_installation
from pgproof.core.settings import Settings

log = logging.getLogger("pgproof")

EMPTY_TARGET = "an empty database"


@dataclass(frozen=True)
class Sides:
    """Both sides, read; and where writable copies of them come from (for the proof)."""

    target: diff.Side
    desired: diff.Side
    target_url: str  # the target, or the empty stand-in on the scratch server
    target_label: str  # masked URL or EMPTY_TARGET
    server: scratch.ScratchServer
    files: list[SchemaFile]  # the schema files, as they were read
    exclusions: Exclusions
    cache: Cache | None
    desired_copy: Callable[[], contextlib.AbstractContextManager[str]]  # a database to change
    # A database with the desired types, to read only; None on the warm path, whose
    # desired schema is a template nobody may connect to (see `casts`).
    desired_url: str | None = None
    # A copy of the target's schema (checked equal to it) to change; with `copies`, one
    # started in advance. None: the caller makes one (`copies.copy_of`).
    target_copy: Callable[[], contextlib.AbstractContextManager[str]] | None = None

    @property
    def casts(self) -> diff.Casts:
        """Where the diff asks which type changes no cast leads to: a database with the
        desired types, never the target (a type only the desired schema has is unknown
        there, and its cast gap would go unseen). Warm: a clone, made only when asked."""
        return self.desired_url if self.desired_url is not None else self.desired_copy

    @property
    def notes(self) -> list[str]:
        """What every report must say about the comparison itself (a major mismatch)."""
        return [self.server.mismatch] if self.server.mismatch else []


def cache_for(settings: Settings) -> Cache | None:
    """The cache this run uses, or None: turned off, or no writable cache folder (then
    the cold path, silently)."""
    if not settings.cache or settings.cache_dir is None:
        return None
    if not cache_module.usable(settings.cache_dir):
        log.debug("the cache folder %s is not writable; running without the cache", settings.cache_dir)
        return None
    return Cache(settings.cache_dir, idle_s=settings.cache_idle_minutes * 60, max_bytes=settings.cache_max_bytes)


def cached_installation(spec: str, target_major: int | None,
                        extensions: frozenset[str] = frozenset()) -> Installation | None:
    """The binaries a cached server of `spec` runs, for the target's major: the ones the
    provider would start (auto, embedded, local). None where the cache does not apply: a
    server URL, docker, or auto with no installation of the target's major (the cold
    path then refuses or falls back, and says so). An installation that lacks one of
    `extensions` (the schema's) is refused in one sentence."""
    if spec == scratch.AUTO:
        choice = auto.choose(target_major, extensions)
        if choice is None or choice.kind not in (scratch.EMBEDDED, scratch.LOCAL):
            return None
        return choice.installation or embedded_installation(None)
    if spec == scratch.EMBEDDED:
        fits = target_major is not None and installations.wheel(target_major)
        found = embedded_installation(target_major if fits else None)
        scratch.check_offers(spec, found, extensions)
        return found
    if is_local(spec):
        found = local_installation(spec, target_major)
        scratch.check_offers(spec, found, extensions)
        return found
    return None


class _InAdvance:
    """Database copies started on threads as soon as what they need is known, each used
    later by one `with`: a copy takes seconds, and the proof should not start it only
    after the diff. Every copy is dropped when the sides close, whatever happened."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pgproof-copy")
        self._started: list[tuple[contextlib.ExitStack, Future]] = []

    def start(self, opener: Callable[[], contextlib.AbstractContextManager[str]]
              ) -> Callable[[], contextlib.AbstractContextManager[str]]:
        stack = contextlib.ExitStack()
        future = self._pool.submit(lambda: stack.enter_context(opener()))
        self._started.append((stack, future))

        @contextlib.contextmanager
        def use() -> Iterator[str]:
            yield future.result()

        return use

    def close(self) -> None:
        try:
            for _, future in self._started:
                with contextlib.suppress(Exception):  # a failed copy was reported by its use, or not needed
                    future.result()
        finally:
            for stack, _ in reversed(self._started):
                stack.close()
            self._pool.shutdown(wait=True)


@contextlib.contextmanager
def open_sides(settings: Settings, *, strict: bool = False, copies: bool = False) -> Iterator[Sides]:
    """Read the target and the desired schema. Cheap checks run first (schema syntax,
    target reachable), so a mistake is reported before any server starts. `strict`: see
    `scratch.open_scratch`. `copies`: also start the writable copies a plan's proofs run
    on (the target's schema, the desired schema) while the sides are read."""
    files = desired.read(settings.schema)
    if not desired.statements(files):  # syntax errors now, located at file:line:col
        logging.getLogger("pgproof").warning(desired.empty_schema_note(settings.schema))
    target_version = db.probe(settings.db_url) if settings.db_url else None
    target_major = target_version.major if target_version else None
    exclusions = settings.exclusions
    # Every role the schema names, made on the scratch first (NOLOGIN): the loader may not
    # create roles, so a schema's own CREATE ROLE (or DO block) finds it there.
    roles = grants.roles_named(files, exclusions)
    if settings.db_url and exclusions.manages_access:
        grants.require_roles(settings.db_url, roles)  # pgproof never creates a role there
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pgproof-read") as pool:
        pool.submit(diff.import_engine)  # while servers start and connections open
        target_side: Future | None = None
        if settings.db_url:
            target_side = pool.submit(diff.read, settings.db_url, exclusions, role="target")
        try:
            cache = cache_for(settings)
            extensions = desired.extensions(files)
            installation = cached_installation(settings.scratch, target_major, extensions) if cache else None
            copies_for = target_side if copies else None
            if cache is not None and installation is not None:
                with _warm(cache, installation, settings, files, target_major, target_side, roles,
                           copies_for) as sides:
                    yield sides
            else:
                with _cold(settings, files, target_major, target_side, strict, roles, copies_for,
                           extensions) as sides:
                    yield sides
        finally:
            if target_side is not None and not target_side.done():
                target_side.cancel()


def no_change(settings: Settings) -> diff.Diff | None:
    """The empty diff, with the notes every report carries, of a target whose fingerprint
    equals the cached desired schema's (see `unchanged`); None when that is not known (no
    target, no cache, no entry yet) or they differ: then the sides are read in full."""
    cache = cache_for(settings)
    if cache is None or not settings.db_url:
        return None
    files = desired.read(settings.schema)
    if not desired.statements(files):
        return None  # the full path says why it is empty
    target_major = db.probe(settings.db_url).major
    installation = cached_installation(settings.scratch, target_major)
    if installation is None:
        return None
    exclusions = settings.exclusions
    if exclusions.manages_access:
        grants.require_roles(settings.db_url, grants.roles_named(files, exclusions))
    with cache.server(installation) as server:
        key = desired_key(cache, server, files, exclusions)
    found = unchanged.empty_diff(cache, key, settings.db_url, target_major, exclusions)
    if found is None:
        return None
    notes = [scratch.mismatch(server.version.major, target_major)] if server.version.major != target_major else []
    return dataclasses.replace(found, notes=notes + found.coverage_notes)


@contextlib.contextmanager
def _cold(settings: Settings, files, target_major, target_side: Future | None, strict: bool,
          roles: list[str], copies_for: Future | None, extensions: frozenset[str]) -> Iterator[Sides]:
    exclusions = settings.exclusions
    with scratch.open_scratch(settings.scratch, target_major, strict=strict, extensions=extensions) as server, \
            contextlib.closing(_InAdvance()) as in_advance:
        grants.create_scratch_roles(server.url, roles)  # so the schema's GRANTs load
        target_copy = None
        if copies_for is not None:  # dumped and restored while the target is read and the desired schema loads
            target_copy = in_advance.start(lambda: copies.copy_of(
                settings.db_url, server, exclusions, lambda: copies_for.result().catalog))
        with server.database() as desired_url:
            with timing.phase("schema load"):
                desired.load(desired_url, files, server)
            desired_side = diff.read(desired_url, exclusions, role="scratch")

            @contextlib.contextmanager
            def desired_copy() -> Iterator[str]:
                yield desired_url  # thrown away after this run: it may be changed

            if target_side is not None:
                yield Sides(target_side.result(), desired_side, settings.db_url, settings.target_label,
                            server, files, exclusions, None, desired_copy, desired_url, target_copy)
            else:
                with server.database() as empty_url:
                    yield Sides(diff.read(empty_url, exclusions), desired_side, empty_url, EMPTY_TARGET,
                                server, files, exclusions, None, desired_copy, desired_url)


@contextlib.contextmanager
def _warm(cache: Cache, installation: Installation, settings: Settings, files, target_major,
          target_side: Future | None, roles: list[str], copies_for: Future | None) -> Iterator[Sides]:
    exclusions = settings.exclusions
    with cache.server(installation) as server, contextlib.closing(_InAdvance()) as in_advance:
        grants.create_scratch_roles(server.url, roles)  # so the schema's GRANTs load
        if target_major is not None and server.version.major != target_major:
            server = dataclasses.replace(server, mismatch=scratch.mismatch(server.version.major, target_major))
        target_copy = None
        if copies_for is not None:  # cloned (or dumped, on a miss) while the rest is read
            target_copy = in_advance.start(lambda: copies.copy_of(
                settings.db_url, server, exclusions, copies_for.result().catalog, cache))
        entry, desired_side = desired_entry(cache, server, files, exclusions)
        # Not the template itself: a session in it would fail a concurrent clone.
        desired_copy: Callable[[], contextlib.AbstractContextManager[str]] = lambda: cache.clone(server, entry)  # noqa: E731
        if copies_for is not None:
            desired_copy = in_advance.start(desired_copy)
        if target_side is not None:
            target, target_url, label = target_side.result(), settings.db_url, settings.target_label
        else:
            empty, target = desired_entry(cache, server, [], exclusions)
            target_url, label = db.with_database(server.url, empty.database), EMPTY_TARGET
        yield Sides(target, desired_side, target_url, label, server, files, exclusions, cache,
                    desired_copy, None, target_copy)


def from_urls(target_url: str, desired_url: str, server: scratch.ScratchServer,
              exclusions: Exclusions = Exclusions()) -> Sides:
    """Sides of two databases that exist already (the desired one on `server`), for
    callers that loaded them themselves; the rollback proof works on a clone."""
    return Sides(
        diff.read(target_url, exclusions), diff.read(desired_url, exclusions, role="scratch"),
        target_url, db.mask(target_url), server, [], exclusions, None,
        lambda: server.database(template=db.database_name(desired_url)), desired_url,
    )


def desired_entry(cache: Cache, server: scratch.ScratchServer, files: list[desired.SchemaFile],
                  exclusions: Exclusions) -> tuple[Entry, diff.Side]:
    """The cache entry of these schema files (no files: an empty database), loaded and
    read now when there is none yet, and its side. The side is kept as data
    (`diff/stored.py`); one that cannot be read back is dropped and built again."""
    key = desired_key(cache, server, files, exclusions)
    kept: list[diff.Side] = []

    def build(url: str) -> dict:
        with timing.phase("schema load"):
            desired.load(url, files, server)
        side, data = diff.read_kept(url, exclusions, role="scratch")
        unchanged.keep(cache, key, url, side.catalog, exclusions)  # for the next no-change run
        kept.append(side)
        return data

    holds = ", ".join(display(f.path) for f in files[:3]) + (" ..." if len(files) > 3 else "") if files else EMPTY_TARGET
    for attempt in (1, 2):
        entry = cache.entry(server, key, build, keep_side=True, kind="desired", holds=holds)
        if kept:
            return entry, kept[-1]
        try:
            with timing.phase("cache read"):
                return entry, diff.side_from(entry.side, exclusions)
        except stored.Unreadable as unreadable:
            if attempt == 2:
                raise ScratchError(f"the cache entry {key[:12]} cannot be read back ({unreadable}); "
                                   "run `pgproof cache clear`, or pass --no-cache.") from None
            log.warning("the cache entry %s cannot be read back (%s); building it again", key[:12], unreadable)
            cache.discard(entry)
    raise AssertionError("unreachable")


def desired_key(cache: Cache, server: scratch.ScratchServer, files: list[desired.SchemaFile],
                exclusions: Exclusions) -> str:
    """The cache key of these schema files under these settings on `server`."""
    return cache.key(server, {
        "kind": "desired", "schema": desired.source_fingerprint(files), "exclusions": list(exclusions.patterns),
        "access": [list(exclusions.managed_roles), exclusions.manage_owners], "side_format": stored.FORMAT,
        "fingerprint": unchanged.FORMAT,  # entries built before it have no fingerprint beside them
    })


def display(path: Path) -> str:
    return desired.display_path(path)
