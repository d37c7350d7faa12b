"""What every scratch provider yields: a server on which throwaway databases are made."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg2

from pgproof.core import db, interrupts
from pgproof.core.errors import ScratchError
from pgproof.scratch.installation import Installation
from pgproof.scratch.sandbox import LOADER

SCRATCH_PREFIX = "pgproof_scratch_"

# Settings for a throwaway server. Durability is pointless for data that is thrown away,
# and so is WAL beyond what crash recovery needs (minimal WAL also lets CREATE TABLE skip
# logging its pages); the lock table must hold one transaction that creates thousands of
# tables (each table takes several locks: itself, its sequence, its indexes, its TOAST
# table). Nothing is ever deleted from a scratch, so autovacuum has nothing to do.
SCRATCH_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "autovacuum": "off",
    "checkpoint_timeout": "30min",
    "max_connections": "60",
    "max_locks_per_transaction": "1024",
    "shared_buffers": "128MB",
    "max_wal_size": "2GB",
    "log_min_messages": "warning",
    "log_checkpoints": "off",
}


@dataclass(frozen=True)
class ScratchServer:
    """A server on which throwaway databases can be created."""

    url: str  # connects to its maintenance database
    version: db.ServerVersion
    kind: str
    installation: Installation | None = None  # its binaries, when pgproof started it
    mismatch: str | None = None  # one sentence when its major differs from the target's
    # True when the whole server is deleted right after use: its databases are then not
    # dropped one by one (at 3,000 tables, dropping them took longer than loading them).
    disposable: bool = False
    # The tablespace the databases of this run go to (a cache server's, in memory), or None.
    run_space: str | None = None
    # The server as `sandbox.LOADER` (its maintenance database), on servers pgproof started:
    # what a schema file or a plan says runs as that role, never as the superuser.
    loader: str | None = None

    def as_loader(self, url: str) -> str:
        """`url` (a database of this server) as the role that runs schema files and plans;
        `url` itself on a server pgproof did not start (a scratch URL's own role)."""
        return db.with_database(self.loader, db.database_name(url)) if self.loader else url

    @contextlib.contextmanager
    def database(self, template: str | None = None, name: str | None = None) -> Iterator[str]:
        """A fresh database (empty, or a clone of `template`), dropped afterwards."""
        name = name or SCRATCH_PREFIX + secrets.token_hex(6)
        clause = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        clause += f' TABLESPACE "{self.run_space}"' if self.run_space else ""
        clause += f' OWNER "{LOADER}"' if self.loader else ""
        with db.connection(self.url, role="scratch server", autocommit=True) as conn:
            with conn.cursor() as cur:
                try:
                    cur.execute(f'CREATE DATABASE "{name}"{clause}')
                except psycopg2.Error as exc:
                    message = db.server_message(exc, self.url)
                    hint = ("the scratch role needs CREATEDB (see docs/scratch.md, 'A scratch URL role')"
                            if "permission denied" in message else "nothing was changed; try again")
                    raise ScratchError(
                        f"could not create a scratch database on {db.mask(self.url)}: {message}; {hint}."
                    ) from None
        try:
            yield db.with_database(self.url, name)
        finally:
            if not self.disposable:
                drop_database(self.url, name)


def drop_database(server_url: str, name: str) -> None:
    """Drop `name`, disconnecting whoever is still in it. A Ctrl-C meanwhile waits for
    the drop to finish, so no half-dropped database or open connection is left."""
    with interrupts.held(), db.connection(server_url, role="scratch server", autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
