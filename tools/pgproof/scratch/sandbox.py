"""The role that runs what a schema file or a plan says on a scratch server: not a superuser.

A schema file is data to compare, not code to run with the tool's privileges: loaded as
the superuser, `COPY ... TO PROGRAM`, `pg_read_file` or an event trigger in a pull
request's schema.sql ran programs as the scratch's OS user. So on every server pgproof
starts, the schema (and the plan statements proven on copies) run as `pgproof_loader`:
no SUPERUSER, CREATEDB, CREATEROLE, REPLICATION nor BYPASSRLS, the owner of each scratch
database (so it may create anything an ordinary owner may). It connects as itself, never
through SET ROLE, which a hostile file could undo with RESET ROLE.

What only a superuser may do and a schema legitimately needs, the superuser does around
it: the extensions the files create (only those the server offers; `read/desired.py`),
and the roles the schema names (`diff/grants.py`, of which the loader is made a member
so that `OWNER TO` loads).
"""

from __future__ import annotations

import psycopg2
import psycopg2.errors

from pgproof.core import db
from pgproof.core.statement import ident

LOADER = "pgproof_loader"

_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"


def ensure_loader(server_url: str, password: str | None) -> None:
    """Create the loader on the server at `server_url` (as its superuser) when missing, and
    set it back to what it must be: a run of a hostile schema may have changed its own
    password or settings (a role may), which must not reach the next run. Two runs at
    once on one server: the second CREATE ROLE fails with duplicate_object, and the
    ALTER that follows is the same for both."""
    secret = "PASSWORD %s" if password else "PASSWORD NULL"
    params = (password,) if password else None
    with db.connection(server_url, role="scratch server", autocommit=True) as conn, conn.cursor() as cur:
        # Two runs resetting the role at once fail with "tuple concurrently updated": one at a time.
        cur.execute("SELECT pg_advisory_lock(%s)", (_LOADER_LOCK,))
        try:
            _create_and_reset(cur, secret, params)
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s)", (_LOADER_LOCK,))


_LOADER_LOCK = 2_903_119_447  # crc32("pgproof loader")


def _create_and_reset(cur, secret: str, params: tuple[str, ...] | None) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (LOADER,))
    if cur.fetchone() is None:
        try:
            cur.execute(f"CREATE ROLE {ident(LOADER)} {_ATTRIBUTES} {secret}", params)
        except psycopg2.errors.DuplicateObject:
            pass  # another run made it meanwhile
        except psycopg2.errors.UniqueViolation:
            pass  # the same race, seen by the catalog's unique index
    cur.execute(f"ALTER ROLE {ident(LOADER)} {_ATTRIBUTES} {secret}", params)
    cur.execute(f"ALTER ROLE {ident(LOADER)} RESET ALL")


def loader_url(server_url: str, password: str | None) -> str:
    """The URL of the server's maintenance database, as the loader."""
    return db.with_user(server_url, LOADER, password)


def make_member(server_url: str, roles: list[str]) -> None:
    """Let the loader act as each of `roles` (for `OWNER TO`, `FOR ROLE`): only ordinary
    roles, never a superuser, a predefined `pg_*` role nor one with any special attribute."""
    if not roles:
        return
    with db.connection(server_url, role="scratch server", autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s) AND rolname <> %s AND rolname NOT LIKE 'pg\\_%%' "
            "AND NOT (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls) "
            "AND NOT pg_has_role(%s, oid, 'MEMBER') ORDER BY 1",
            (list(roles), LOADER, LOADER),
        )
        for (role,) in cur.fetchall():
            # Only when the role is not already a member of something more (a role the
            # superuser grants a predefined role to would pass that on).
            cur.execute("SELECT count(*) FROM pg_auth_members WHERE member = %s::regrole", (ident(role),))
            if db.one(cur):
                continue
            cur.execute(f"GRANT {ident(role)} TO {ident(LOADER)}")


def privilege_note(sqlstate: str | None) -> str:
    """What to add to a server's `permission denied` raised while the loader ran a schema."""
    if sqlstate not in ("42501", "42939"):  # insufficient_privilege, reserved_name
        return ""
    return ("; the desired schema is loaded as a role without superuser, so statements that run programs, "
            "read or write server files, change the server or need a superuser (event triggers, untrusted "
            "languages, roles) are refused: remove it from the schema files")
