"""The warm scratch cache: a persistent scratch server per PostgreSQL major in a cache
folder, and what it has loaded kept as template databases, so a repeated run loads nothing.

Layout of the folder (XDG cache by default; see `core.settings.default_folder`)::

    lock                    shared by every run using the cache, exclusive for `cache clear`
    pg<major>-<binaries>/   one persistent server: data/, server.lock (held while starting)
    entries/<key>.lock      held while the entry is built
    entries/<key>.json      the manifest, written last: only then is the entry trusted
    entries/<key>.side      what was read from the entry's database (pickled `diff.Side`)

An entry is one database on the server (`pgproof_cache_<key>`, a template nobody may
connect to, so it is never modified) plus its manifest. Its key hashes everything that
determines it (see `key`); when any part differs, the key differs and the entry is not
used. An entry is built under a `pgproof_build_<key>` name and renamed when complete; a
killed build leaves a database under the build name and no manifest, which the next build
of that key drops. Two runs at once: flocks on the files above, never on the server.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import pickle
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from pgproof.core import db, interrupts, timing
from pgproof.core.errors import ScratchError
from pgproof.scratch.embedded import MEMORY_DIR, memory_dir, postmaster_pid
from pgproof.scratch import private, sandbox
from pgproof.scratch.installation import Installation
from pgproof.scratch.sandbox import LOADER
from pgproof.scratch.server import SCRATCH_SETTINGS, ScratchServer, drop_database

log = logging.getLogger("pgproof")

FORMAT = 2  # bump when what an entry holds, or how it is built, changes
CACHE_PREFIX = "pgproof_cache_"
BUILD_PREFIX = "pgproof_build_"
RUN_PREFIX = "pgproof_run_"  # per-run clones: pgproof_run_<pid>_<random>
RUN_SPACE = "pgproof_runs"  # the tablespace in memory the clones go in, where there is one
_SOCKET_PATH_MAX = 100
_CLEAR_WAIT_S = 30

# Server settings that change what a load produces or how definitions render.
_LOAD_SETTINGS = (
    "server_encoding", "lc_collate", "lc_ctype", "server_version_num", "standard_conforming_strings",
    "default_table_access_method", "default_toast_compression", "TimeZone", "DateStyle",
    "IntervalStyle", "extra_float_digits", "bytea_output",
)


def usable(folder: Path) -> bool:
    """True when the cache folder exists or can be made, and is writable."""
    if folder.is_symlink():
        return True  # and refused by Cache.server: never written through
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)  # checked, not assumed, by Cache.server
        probe = folder / f".probe-{os.getpid()}-{secrets.token_hex(4)}"  # two threads of one run: two probes
        probe.write_text("")
        probe.unlink()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def _flock(path: Path, mode: int, wait_s: float | None = None) -> Iterator[None]:
    """An flock on `path` (created if missing); released on exit, and by the kernel if the
    process dies, so a killed run never leaves a lock behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        if wait_s is None:
            fcntl.flock(handle, mode)
        else:
            deadline = time.monotonic() + wait_s
            while True:
                try:
                    fcntl.flock(handle, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        yield
    finally:
        handle.close()


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


# --- the persistent server --------------------------------------------------------------

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
        with _flock(self.folder / "server.lock", fcntl.LOCK_EX):
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
            _atomic_write(self.folder / "places.json", json.dumps(self.places).encode())

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
        _atomic_write(self.folder / "places.json", json.dumps(places).encode())
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
        with _flock(self.folder / "server.lock", fcntl.LOCK_EX):
            if self._run_space_ready():  # another run made it meanwhile
                return RUN_SPACE
            rows = _run_sql(self.url, "SELECT oid FROM pg_tablespace WHERE spcname = %s", (RUN_SPACE,))
            if rows:
                for (name,) in _run_sql(self.url, "SELECT datname FROM pg_database WHERE dattablespace = %s",
                                        (rows[0][0],)):
                    _drop(self.url, name)
                _run_sql(self.url, f'DROP TABLESPACE IF EXISTS "{RUN_SPACE}"')
            _run_sql(self.url, f"CREATE TABLESPACE \"{RUN_SPACE}\" LOCATION '{self.run_space}'")
            return RUN_SPACE

    def _run_space_ready(self) -> bool:
        if self.run_space is None or not any(self.run_space.glob("PG_*")):
            return False
        rows = _run_sql(self.url, "SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = %s",
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

    def _postmaster_alive(self) -> bool:
        pid = postmaster_pid(self.data)
        return bool(pid and psutil.pid_exists(pid))

    def stop(self) -> None:
        if self._postmaster_alive():
            with contextlib.suppress(ScratchError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")

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


# --- the cache ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """A complete cache entry: a template database on the cache server, and what was read
    from it when it was built (None for entries that keep only the database)."""

    key: str
    database: str
    side: Any


class Cache:
    """A cache folder in use by this run (a shared lock on it, for the whole run)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries = folder / "entries"

    @contextlib.contextmanager
    def server(self, installation: Installation) -> Iterator[ScratchServer]:
        """The persistent scratch server of `installation`, started if needed. Its
        databases made by `ScratchServer.database()` are dropped after use."""
        major = installation.major
        private.folder(self.folder)
        with _flock(self.folder / "lock", fcntl.LOCK_SH):
            private.folder(self.entries)
            digest = hashlib.sha256(str(installation.bin.resolve()).encode()).hexdigest()[:8]
            cluster = PersistentCluster(private.folder(self.folder / f"pg{major}-{digest}"), installation)
            cluster.ensure_running()
            version = db.probe(cluster.url, role="cache server")
            if version.major != major:
                raise ScratchError(
                    f"the cached scratch server in {cluster.folder} runs PostgreSQL {version.major}, not {major}; "
                    "run `pgproof cache clear`."
                )
            _drop_dead_runs(cluster.url)
            self._drop_dead_builds(cluster.url)
            sandbox.ensure_loader(cluster.url, cluster.password)
            yield ScratchServer(url=cluster.url, version=version, kind="cache", installation=installation,
                                run_space=cluster.ensure_run_space(),
                                loader=sandbox.loader_url(cluster.url, cluster.password))

    def _drop_dead_builds(self, url: str) -> None:
        """Drop the half-built entries of killed runs: a build whose lock nobody holds."""
        for (name,) in _run_sql(url, "SELECT datname FROM pg_database WHERE datname LIKE %s", (BUILD_PREFIX + "%",)):
            try:
                with _flock(self.entries / f"{name[len(BUILD_PREFIX):]}.lock", fcntl.LOCK_EX, wait_s=0):
                    _drop(url, name)
            except BlockingIOError:  # being built right now
                continue

    def key(self, server: ScratchServer, parts: dict[str, Any]) -> str:
        """sha256 of `parts` and of everything about `server` that changes a load: its
        version, every extension version it offers (another pgvector build misses the
        cache), the settings that change definitions, and pgproof's and migra's versions."""
        with db.connection(server.url, role="cache server", autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("SELECT name, version FROM pg_available_extension_versions ORDER BY 1, 2")
            extensions = cur.fetchall()
            cur.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s) ORDER BY 1", (list(_LOAD_SETTINGS),))
            settings = cur.fetchall()
        whole = {
            "format": FORMAT, "parts": parts, "server_version": server.version.num,
            "extensions": extensions, "settings": settings, "scratch_settings": SCRATCH_SETTINGS,
            "packages": {name: _version(name) for name in ("pgproof", "migra", "schemainspect")},
        }
        return hashlib.sha256(json.dumps(whole, sort_keys=True, default=str).encode()).hexdigest()[:40]

    def lookup(self, server: ScratchServer, key: str) -> Entry | None:
        """The complete entry of `key`, or None. An entry counts only with its manifest,
        its database and (when it has one) its side file all present and matching."""
        manifest_file = self.entries / f"{key}.json"
        try:
            manifest = json.loads(manifest_file.read_text())
        except (OSError, ValueError):
            return None
        side = None
        if manifest.get("side_sha256"):
            try:
                data = (self.entries / f"{key}.side").read_bytes()
            except OSError:
                return None
            if hashlib.sha256(data).hexdigest() != manifest["side_sha256"]:
                return None
            with timing.phase("cache read"):
                side = pickle.loads(data)
        if not _exists(server.url, manifest.get("database", "")):
            return None
        return Entry(key, manifest["database"], side)

    def entry(
        self, server: ScratchServer, key: str, build: Callable[[str], Any], *, keep_side: bool
    ) -> Entry:
        """The entry of `key`, built first if missing: `build(url)` fills an empty database
        and returns the side read from it (kept when `keep_side`)."""
        found = self.lookup(server, key)
        if found:
            return found
        with _flock(self.entries / f"{key}.lock", fcntl.LOCK_EX):
            found = self.lookup(server, key)  # another run may have built it meanwhile
            if found:
                return found
            final, building = CACHE_PREFIX + key, BUILD_PREFIX + key
            for name in (building, final):  # leftovers of a killed build: never trusted
                _drop(server.url, name)
            _run_sql(server.url, f'CREATE DATABASE "{building}"' + (f' OWNER "{LOADER}"' if server.loader else ""))
            try:
                side = build(db.with_database(server.url, building))
            except BaseException:
                with contextlib.suppress(Exception):
                    _drop(server.url, building)
                raise
            _run_sql(server.url, f'ALTER DATABASE "{building}" RENAME TO "{final}"')
            # The loader owns what it loaded, but not the template: as its owner it could
            # let connections in and change what later runs are proven against.
            _run_sql(server.url, f'ALTER DATABASE "{final}" OWNER TO CURRENT_USER')
            _run_sql(server.url, f'ALTER DATABASE "{final}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
            manifest: dict[str, Any] = {"database": final, "created": time.time()}
            if keep_side:
                data = pickle.dumps(side, protocol=pickle.HIGHEST_PROTOCOL)
                _atomic_write(self.entries / f"{key}.side", data)
                manifest["side_sha256"] = hashlib.sha256(data).hexdigest()
            _atomic_write(self.entries / f"{key}.json", json.dumps(manifest).encode())
            return Entry(key, final, side if keep_side else None)

    def clone(self, server: ScratchServer, entry: Entry) -> contextlib.AbstractContextManager[str]:
        """A database of this run cloned from `entry` (in the server's run space), dropped
        afterwards; named so that a later run drops it if this one is killed first."""
        return server.database(template=entry.database, name=run_database_name())


def run_database_name() -> str:
    """A name for a database of this run on a cache server; dropped by a later run when
    this process is gone (killed before it could drop it)."""
    return f"{RUN_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _run_sql(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with db.connection(url, role="cache server", autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql, params or None)
        return cur.fetchall() if cur.description else []


def _exists(url: str, name: str) -> bool:
    return bool(_run_sql(url, "SELECT 1 FROM pg_database WHERE datname = %s", (name,)))


def _drop(url: str, name: str) -> None:
    """Drop `name`, a template or not (a template cannot be dropped)."""
    with interrupts.held():
        if _exists(url, name):
            _run_sql(url, f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false')
            drop_database(url, name)


def _drop_dead_runs(url: str) -> None:
    """Drop the clones of runs that were killed before they could drop them."""
    for (name,) in _run_sql(url, "SELECT datname FROM pg_database WHERE datname LIKE %s", (RUN_PREFIX + "%",)):
        pid = name[len(RUN_PREFIX):].split("_")[0]
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            _drop(url, name)


# --- status and clear -------------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    folder: Path
    servers: list[tuple[str, bool]]  # folder name, running
    entries: int
    bytes: int


def status(folder: Path) -> Status:
    servers = []
    if folder.is_dir():
        for path in sorted(folder.glob("pg*-*")):
            cluster = PersistentCluster(path, None)
            if cluster.data.is_dir():
                servers.append((path.name, cluster._postmaster_alive()))
    entries = len(list((folder / "entries").glob("*.json"))) if folder.is_dir() else 0
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
    return Status(folder, servers, entries, size)


def clear(folder: Path) -> int:
    """Stop every cached server and delete the folder; waits for runs using it. Returns
    how many servers were stopped."""
    if not folder.is_dir():
        return 0
    try:
        lock = _flock(folder / "lock", fcntl.LOCK_EX, wait_s=_CLEAR_WAIT_S)
        lock.__enter__()
    except BlockingIOError:
        raise ScratchError(
            f"a pgproof run is still using the cache in {folder}; run `pgproof cache clear` again when it ends."
        ) from None
    stopped = 0
    try:
        for path in sorted(folder.glob("pg*-*")):
            cluster = PersistentCluster(path, None)
            cluster.bin_dir = _bin_dir_of(cluster.data)
            if cluster._postmaster_alive():
                cluster.stop()
                stopped += 1
            cluster._remove_places()
        for path in folder.iterdir():
            if path.name != "lock":
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
    finally:
        lock.__exit__(None, None, None)
    return stopped


def _bin_dir_of(data: Path) -> Path:
    """The binaries a cached server was started from (recorded by its postmaster.opts)."""
    try:
        first = (data / "postmaster.opts").read_text().split()[0].strip("'\"")
        return Path(first).parent
    except (OSError, IndexError):
        return Path()
