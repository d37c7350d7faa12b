"""A persistent scratch server of the warm cache: one per installation (major and
binaries), in its own folder of the cache, started when not running and never stopped by
a run: its watchdog stops it once idle (`watchdog.py`), `cache clear` and `cache prune`
stop it too, and the next run starts it again.

Its folder (0700, ours)::

    password      0600; the server asks for it (scram-sha-256), on its socket too
    places.json   where its data, socket and run space are
    server.lock   held while it starts
    use.lock      held (shared) by every run using it; the watchdog stops it only exclusively
    last_use      when it was last used (modification time), and after how long idle it stops
    watchdog.lock held by its watchdog, for the watchdog's life
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from pgproof.core import db, interrupts, timing
from pgproof.core.errors import ScratchError
from pgproof.scratch import private, watchdog
from pgproof.scratch.embedded import MEMORY_DIR, memory_dir, postmaster_pid
from pgproof.scratch.installation import Installation
from pgproof.scratch.server import SCRATCH_SETTINGS, drop_database

log = logging.getLogger("pgproof")

CACHE_PREFIX = "pgproof_cache_"  # an entry's template: pgproof_cache_<key>
BUILD_PREFIX = "pgproof_build_"  # an entry being built
RUN_PREFIX = "pgproof_run_"  # per-run clones: pgproof_run_<pid>_<random>
RUN_SPACE = "pgproof_runs"  # the tablespace in memory the clones go in, where there is one
_SOCKET_PATH_MAX = 100


class PersistentCluster:
    """A scratch cluster that outlives the run: started when not running, never stopped
    by a run (`cache clear` stops it).

    Its folder in the cache (0700, ours) holds its password (0600; the server asks for it,
    scram-sha-256, on its socket too) and `places.json`: where its data, socket and run
    space are. They are in the folder where they can be; a socket whose path would be too
    long, a run space in memory, and (as root, where the server runs as another user who
    may not enter the cache folder) the data too are each a `mkdtemp` folder elsewhere,
    recorded there, and checked like the folder itself every run."""

    def __init__(self, folder: Path, installation: Installation | None) -> None:
        self.folder = folder
        self.installation = installation
        self.bin_dir = installation.bin if installation else Path()
        self.places = _read_places(folder)
        if installation is not None:
            self.user = _server_user(installation)
        else:  # status and clear: whoever it was started as
            self.user = self.places.get("user")
        self.password: str | None = None  # read by ensure_running

    @property
    def data(self) -> Path:
        return Path(self.places.get("data") or self.folder / "data")

    @property
    def socket_dir(self) -> Path:
        return Path(self.places.get("socket") or self.folder)

    @property
    def run_space(self) -> Path | None:
        return Path(self.places["run_space"]) if self.places.get("run_space") else None

    def _ids(self) -> tuple[int, int]:
        """The uid and gid the server runs as."""
        if not self.user:
            return os.geteuid(), os.getegid()
        import pwd

        entry = pwd.getpwnam(self.user)
        return entry.pw_uid, entry.pw_gid

    @property
    def url(self) -> str:
        password = self.password if self.password is not None else _password_of(self.folder)
        return db.with_user(f"postgresql://postgres@/postgres?host={self.socket_dir}", "postgres", password)

    def answers(self) -> bool:
        try:
            db.probe(self.url, role="cache server")
            return True
        except Exception:  # any failure to connect means "not running"
            return False

    def ensure_running(self) -> None:
        with private.flock(self.folder / "server.lock", fcntl.LOCK_EX):
            self.password = private.secret(self.folder / "password")
            usable = self._places_usable()
            if usable:
                self._remake_lost_places()
            if usable and self.answers():
                return
            with timing.phase("scratch start"):
                if usable and (self.data / "PG_VERSION").is_file():
                    try:
                        self._start()
                        return
                    except ScratchError as failure:  # a cache: start again from nothing
                        log.warning("the cached scratch server in %s did not start (%s); creating it again",
                                    self.folder, failure)
                self.stop()
                self._remove_places()
                self._make_places()
                self._initdb()
                self._start()

    def _places_usable(self) -> bool:
        """Every recorded place is there and only the server's; False when one is gone
        (a restart of the machine empties /tmp and /dev/shm) or never was recorded.
        A place there but open to others, or another's, is refused (ScratchError)."""
        if not self.places or self.places.get("user") != self.user:
            return False
        uid, _ = self._ids()
        for key in ("home", "socket", "run_space"):
            if self.places.get(key):
                if not os.path.lexists(self.places[key]):
                    return key != "home"  # only the server's own folder holds what must be kept
                private.check(Path(self.places[key]), uid)
        return True

    def _remake_lost_places(self) -> None:
        """A socket folder or run space that is gone (a restart of the machine empties
        /tmp and /dev/shm) is made again under a new name, and recorded."""
        uid, gid = self._ids()
        changed = False
        for key, prefix, parent in (("socket", "pgproof-socket-", "/tmp"), ("run_space", "pgproof-runs-", str(MEMORY_DIR))):
            if self.places.get(key) and not os.path.lexists(self.places[key]):
                self.places[key] = str(private.temporary_folder(prefix, parent, uid, gid))
                changed = True
                if key == "socket":
                    with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
                        conf.write(f"unix_socket_directories = '{self.places[key]}'\n")
        if changed:
            private.atomic_write(self.folder / "places.json", json.dumps(self.places).encode())

    def _make_places(self) -> None:
        uid, gid = self._ids()
        places: dict[str, Any] = {"user": self.user}
        home = self.folder
        if self.user:  # the server's user cannot enter our 0700 folders: its own, elsewhere
            home = private.temporary_folder("pgproof-cache-", _short_parent(), uid, gid)
            blocked = private.reachable(home, uid)
            if blocked:
                raise ScratchError(
                    f"the scratch server runs as {self.user} (PostgreSQL refuses root), who cannot reach {home} "
                    f"through {blocked}; set TMPDIR to a folder others may pass through, or run pgproof as another user."
                )
            places["home"] = str(home)
            # what it serves, so a later run finds it an orphan when that folder is deleted
            (home / "cache_folder").write_text(str(self.folder))
        places["data"] = str(home / "data")
        if len(str(home)) > _SOCKET_PATH_MAX - 14:  # a Unix socket path is short
            places["socket"] = str(private.temporary_folder("pgproof-socket-", "/tmp", uid, gid))
        elif self.user:
            places["socket"] = str(home)
        if memory_dir():
            # The run databases (clones) live in memory where the machine has it: a clone of
            # a 3,000-table schema is 27,000 files, and FILE_COPY took 6 to 18 s on disk
            # against 0.7 s in /dev/shm. The templates stay on disk.
            places["run_space"] = str(private.temporary_folder("pgproof-runs-", str(MEMORY_DIR), uid, gid))
        private.atomic_write(self.folder / "places.json", json.dumps(places).encode())
        self.places = places

    def _remove_places(self) -> None:
        """Remove what the recorded places hold (only folders of the server's user)."""
        uid, _ = self._ids()
        shutil.rmtree(self.folder / "data", ignore_errors=True)
        for key in ("home", "socket", "run_space"):
            path = self.places.get(key)
            if path and os.path.isdir(path) and not os.path.islink(path) and os.stat(path).st_uid == uid:
                shutil.rmtree(path, ignore_errors=True)
        (self.folder / "places.json").unlink(missing_ok=True)
        self.places = {}

    def ensure_run_space(self) -> str | None:
        """The tablespace for this server's run databases (made when missing), or None
        where there is no memory folder to put it in."""
        if self.run_space is None:
            return None
        if self._run_space_ready():  # the usual case, without the server's lock
            return RUN_SPACE
        with private.flock(self.folder / "server.lock", fcntl.LOCK_EX):
            if self._run_space_ready():  # another run made it meanwhile
                return RUN_SPACE
            rows = run_sql(self.url, "SELECT oid FROM pg_tablespace WHERE spcname = %s", (RUN_SPACE,))
            if rows:
                for (name,) in run_sql(self.url, "SELECT datname FROM pg_database WHERE dattablespace = %s",
                                        (rows[0][0],)):
                    drop(self.url, name)
                run_sql(self.url, f'DROP TABLESPACE IF EXISTS "{RUN_SPACE}"')
            run_sql(self.url, f"CREATE TABLESPACE \"{RUN_SPACE}\" LOCATION '{self.run_space}'")
            return RUN_SPACE

    def _run_space_ready(self) -> bool:
        if self.run_space is None or not any(self.run_space.glob("PG_*")):
            return False
        rows = run_sql(self.url, "SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = %s",
                        (RUN_SPACE,))
        return bool(rows) and rows[0][0] == str(self.run_space)

    def _initdb(self) -> None:
        pwfile = self.data.parent / f".pwfile-{secrets.token_hex(4)}"
        handle = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w") as out:
            out.write(self.password or "")
        uid, gid = self._ids()
        os.chown(pwfile, uid, gid)
        try:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=scram-sha-256",
                      f"--pwfile={pwfile}", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
        finally:
            pwfile.unlink(missing_ok=True)
        conf = "".join(f"{key} = {value}\n" for key, value in SCRATCH_SETTINGS.items())
        conf += f"unix_socket_directories = '{self.socket_dir}'\nunix_socket_permissions = 0700\n"
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as handle_conf:
            handle_conf.write(conf)

    def _start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.data.parent / "server.log"), "-w", "-t", "60", "start")

    def running(self) -> bool:
        pid = postmaster_pid(self.data)
        if not pid:
            return False
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    def stop(self) -> None:
        """Stop the server (immediate: a cache holds nothing to flush); by signal when its
        binaries are gone."""
        if not self.running():
            return
        if (self.bin_dir / "pg_ctl").is_file():
            with contextlib.suppress(ScratchError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
        pid = postmaster_pid(self.data)
        if pid and self.running():
            watchdog._stop(pid)

    def mark_used(self, idle_s: float) -> None:
        """Record a use now, and after how long idle the server stops (read by its watchdog)."""
        private.atomic_write(self.folder / "last_use", f"{idle_s:g}\n".encode())

    def idle_s(self) -> float | None:
        """Seconds since the last run used the server (None: never recorded)."""
        try:
            return max(0.0, time.time() - (self.folder / "last_use").stat().st_mtime)
        except OSError:
            return None

    def idle_limit_s(self) -> float | None:
        try:
            return float((self.folder / "last_use").read_text().strip())
        except (OSError, ValueError):
            return None

    def ensure_watchdog(self) -> None:
        """Start the server's watchdog unless one runs: detached, with the server's clean
        environment, no secret in its arguments; it exits with the server."""
        try:
            with private.flock(self.folder / "watchdog.lock", fcntl.LOCK_EX, wait_s=0):
                pass
        except BlockingIOError:
            return  # it runs
        places = [p for p in (self.places.get("home"), self.places.get("socket"), self.places.get("run_space")) if p]
        subprocess.Popen(
            [sys.executable, "-I", watchdog.__file__, str(self.folder), str(self.data), str(self.bin_dir / "postgres"),
             *places],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
            env=private.server_environment(), start_new_session=True, close_fds=True,
        )

    def size(self) -> int:
        """Bytes on disk: its folder, its data and its run space."""
        folders = {self.folder, *(Path(p) for p in (self.places.get("home"), self.places.get("run_space")) if p)}
        return sum(folder_bytes(f) for f in folders)  # its data is in its home, or in its folder

    def _run(self, program: str, *args: str) -> None:
        with tempfile.TemporaryFile("w+") as output:  # files, not pipes: the server inherits them
            # as another user, its own group too: root's group may be shut out where others are not
            as_user: dict[str, Any] = {"user": self.user, "group": self.user, "extra_groups": []} if self.user else {}
            done = subprocess.run([str(self.bin_dir / program), *args], stdout=output, **as_user,
                                  stderr=subprocess.STDOUT, cwd=self.data.parent, check=False, timeout=120,
                                  env=private.server_environment())
            if done.returncode != 0:
                output.seek(0)
                detail = " ".join(output.read().split())[-300:]
                raise ScratchError(
                    f"the cached scratch server in {self.folder} failed to run {program}: {detail or 'no output'}; "
                    "run `pgproof cache clear`, or pass --no-cache."
                )


def _read_places(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "places.json").read_text())
    except (OSError, ValueError):
        return {}


def _password_of(folder: Path) -> str | None:
    try:
        return (folder / "password").read_text().strip()
    except OSError:
        return None


def _short_parent() -> str:
    """Where a server's own folder goes as root: the temporary folder when its path
    leaves room for the socket, else /tmp."""
    parent = tempfile.gettempdir()
    return parent if len(parent) < _SOCKET_PATH_MAX - 40 else "/tmp"


def _server_user(installation: Installation) -> str | None:
    """PostgreSQL refuses to run as root: then it runs as the embedded provider's user."""
    if os.geteuid() != 0:
        return None
    from pgproof.scratch.embedded import _run_as

    return _run_as(installation)


def bin_dir_of(data: Path) -> Path:
    """The binaries a cached server was started from (recorded by its postmaster.opts)."""
    try:
        first = (data / "postmaster.opts").read_text().split()[0].strip("'\"")
        return Path(first).parent
    except (OSError, IndexError):
        return Path()


def run_sql(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with db.connection(url, role="cache server", autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql, params or None)
        return cur.fetchall() if cur.description else []


def exists(url: str, name: str) -> bool:
    return bool(run_sql(url, "SELECT 1 FROM pg_database WHERE datname = %s", (name,)))


def drop(url: str, name: str) -> None:
    """Drop `name`, a template or not (a template cannot be dropped)."""
    with interrupts.held():
        if exists(url, name):
            run_sql(url, f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false')
            drop_database(url, name)


def folder_bytes(path: Path) -> int:
    """The bytes the files under `path` take (0 when it is gone)."""
    total = 0
    stack = [str(path)]
    while stack:
        try:
            with os.scandir(stack.pop()) as found:
                for item in found:
                    if item.is_dir(follow_symlinks=False):
                        stack.append(item.path)
                    elif item.is_file(follow_symlinks=False):
                        total += item.stat(follow_symlinks=False).st_size
        except OSError:
            continue
    return total
