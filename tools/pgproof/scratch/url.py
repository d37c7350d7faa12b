"""The `postgresql://` provider: an existing server; each scratch database is created
there as ``pgproof_scratch_<random>`` and always dropped.

Its role must be able to create databases and, in them, the vector extension (superuser,
or a server where vector is marked trusted). Both are checked when it is opened, so a
role that lacks them gets one sentence before anything runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pgproof.core import db
from pgproof.core.errors import ScratchError
from pgproof.scratch.server import ScratchServer

URL_PREFIXES = ("postgresql://", "postgres://", "postgresql+")

_ROLE_QUERY = """
SELECT r.rolname, r.rolsuper, r.rolcreatedb,
       (SELECT bool_or(v.trusted) FROM pg_available_extension_versions v WHERE v.name = 'vector'),
       EXISTS (SELECT FROM pg_available_extensions WHERE name = 'vector')
FROM pg_roles r WHERE r.rolname = current_user
"""


def is_url(spec: str) -> bool:
    return spec.startswith(URL_PREFIXES)


@contextlib.contextmanager
def url_server(url: str) -> Iterator[ScratchServer]:
    with db.connection(url, role="scratch server", autocommit=True) as conn:
        version = db.server_version(conn)
        with conn.cursor() as cur:
            cur.execute(_ROLE_QUERY)
            role, superuser, createdb, trusted, available = cur.fetchone()
    problem = role_problem(role, superuser, createdb, trusted, available)
    if problem:
        raise ScratchError(f"the scratch server {db.mask(url)} cannot be used: {problem}"
                           " (see docs/scratch.md, 'A scratch URL role').")
    yield ScratchServer(url=url, version=version, kind="url")


def role_problem(role: str, superuser: bool, createdb: bool, trusted: bool | None, available: bool) -> str | None:
    """What the scratch role lacks, as part of a sentence; None when it has everything."""
    if not available:
        return "pgvector is not installed on that server; install it there (the vector extension) or use --scratch auto"
    if not (superuser or createdb):
        return f"role {role} may not create databases; run ALTER ROLE {role} CREATEDB there, or use --scratch auto"
    if not (superuser or trusted):
        return (f"role {role} is not a superuser and the vector extension is not trusted there, so it cannot run "
                f"CREATE EXTENSION vector in a scratch database; run ALTER ROLE {role} SUPERUSER on that "
                "throwaway server, or use --scratch auto")
    return None
