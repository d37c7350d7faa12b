"""The warm scratch cache: a persistent scratch server per installation in a cache folder
(`cluster.py`), and what it has loaded kept as template databases, so a repeated run
loads nothing.

Layout of the folder (XDG cache by default; see `core.settings.default_folder`), all 0700
or 0600 and ours::

    lock                   shared by every run using the cache, exclusive for `cache clear`
    pg<major>-<binaries>/  one persistent server (`cluster.py`)
    entries/<key>.entry    an entry: its key, a checksum, what it holds (`entries.py`)
    entries/<key>.lock     held while the entry is built
    entries/<key>.use      held (shared) by every run using the entry: never evicted then

An entry is one database on the server (`pgproof_cache_<key>`, a template nobody may
connect to) plus its file. Its key hashes everything that determines it (see `key`).
Before use, the template is checked to be the one built: the same database (oid) whose
row nobody changed since (xmin: letting connections in to change it changes the row),
and every clone of it has the catalog fingerprint the template had when built; a changed
template is dropped and built again, never used. An entry is built under a
`pgproof_build_<key>` name and renamed when complete; a killed build leaves a database
under the build name and no entry file, which the next build of that key drops. Two runs
at once: flocks on the files above, never on the server.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from pgproof.core import db, timing
from pgproof.core.errors import ScratchError
from pgproof.scratch import entries as entry_files, lifecycle, private, sandbox
from pgproof.scratch.cluster import (
    BUILD_PREFIX, CACHE_PREFIX, RUN_PREFIX, RUN_SPACE, PersistentCluster, drop, run_sql,
)
from pgproof.scratch.entries import Entry
from pgproof.scratch.installation import Installation
from pgproof.scratch.lifecycle import clear, prune, status
from pgproof.scratch.sandbox import LOADER
from pgproof.scratch.server import SCRATCH_SETTINGS, ScratchServer

__all__ = ["BUILD_PREFIX", "CACHE_PREFIX", "RUN_PREFIX", "RUN_SPACE", "Cache", "Entry", "PersistentCluster",
           "clear", "prune", "run_database_name", "status", "usable"]

log = logging.getLogger("pgproof")

FORMAT = 3  # bump when what an entry holds, or how it is built, changes (3: JSON entries, no pickle)
IDLE_S = 15 * 60
MAX_BYTES = 2 << 30

# Server settings that change what a load produces or how definitions render.
_LOAD_SETTINGS = (
    "server_encoding", "lc_collate", "lc_ctype", "server_version_num", "standard_conforming_strings",
    "default_table_access_method", "default_toast_compression", "TimeZone", "DateStyle",
    "IntervalStyle", "extra_float_digits", "bytea_output",
)

# One query over the template's catalogs: every row's place and creating transaction, so
# any row added, changed or removed since the template was built changes it.
_CATALOGS = ("pg_namespace pg_class pg_attribute pg_attrdef pg_type pg_proc pg_constraint pg_index pg_trigger "
             "pg_description pg_rewrite pg_policy pg_extension pg_enum pg_depend pg_sequence pg_inherits "
             "pg_event_trigger pg_language pg_cast pg_operator pg_collation pg_default_acl").split()
FINGERPRINT_SQL = "SELECT md5(concat_ws('|', " + ", ".join(
    f"(SELECT count(*) || ':' || sum(hashtextextended(ctid::text || xmin::text, 0)) FROM pg_catalog.{name})"
    for name in _CATALOGS
) + "))"  # a sum, not an ordered list: half the time, the same rows
_TEMPLATE_ROW = "SELECT oid::bigint, xmin::text, datallowconn, datistemplate FROM pg_database WHERE datname = %s"


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


class Cache:
    """A cache folder in use by this run (a shared lock on it, for the whole run)."""

    def __init__(self, folder: Path, idle_s: float = IDLE_S, max_bytes: int = MAX_BYTES) -> None:
        self.folder = folder
        self.entries = folder / "entries"
        self.idle_s = idle_s
        self.max_bytes = max_bytes
        self._holds: contextlib.ExitStack | None = None  # the entries this run uses
        self._builders: dict[str, tuple[Callable[[str], Any], bool, str, str]] = {}
        self._built = False
        self._server_name = ""

    @contextlib.contextmanager
    def server(self, installation: Installation) -> Iterator[ScratchServer]:
        """The persistent scratch server of `installation`, started if needed (and its
        watchdog). Its databases made by `ScratchServer.database()` are dropped after use;
        when this run built an entry, the size cap is applied as it ends."""
        major = installation.major
        private.folder(self.folder)
        with private.flock(self.folder / "lock", fcntl.LOCK_SH):
            private.folder(self.entries)
            digest = hashlib.sha256(str(installation.bin.resolve()).encode()).hexdigest()[:8]
            cluster = PersistentCluster(private.folder(self.folder / f"pg{major}-{digest}"), installation)
            lifecycle.sweep(self.folder, keep=cluster.folder)  # idle, dead or orphaned servers of any installation
            with private.flock(cluster.folder / "use.lock", fcntl.LOCK_SH), contextlib.ExitStack() as holds:
                cluster.ensure_running()
                cluster.mark_used(self.idle_s)
                cluster.ensure_watchdog()
                version = db.probe(cluster.url, role="cache server")
                if version.major != major:
                    raise ScratchError(
                        f"the cached scratch server in {cluster.folder} runs PostgreSQL {version.major}, not {major}; "
                        "run `pgproof cache clear`."
                    )
                _drop_dead_runs(cluster.url)
                self._drop_dead_builds(cluster.url)
                sandbox.ensure_loader(cluster.url, cluster.password)
                self._holds, self._server_name, self._built = holds, cluster.folder.name, False
                try:
                    yield ScratchServer(url=cluster.url, version=version, kind="cache", installation=installation,
                                        run_space=cluster.ensure_run_space(),
                                        loader=sandbox.loader_url(cluster.url, cluster.password))
                finally:
                    self._holds = None
                    cluster.mark_used(self.idle_s)
            if self._built:  # only a run that added to the cache can take it over the cap
                with contextlib.suppress(Exception):  # the cap is housekeeping: never fails a run
                    lifecycle.apply_cap(self.folder, self.max_bytes, cluster)

    def _drop_dead_builds(self, url: str) -> None:
        """Drop the half-built entries of killed runs: a build whose lock nobody holds."""
        for (name,) in run_sql(url, "SELECT datname FROM pg_database WHERE datname LIKE %s", (BUILD_PREFIX + "%",)):
            try:
                with private.flock(self.entries / f"{name[len(BUILD_PREFIX):]}.lock", fcntl.LOCK_EX, wait_s=0):
                    drop(url, name)
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
        """The complete, checked entry of `key` on `server`, or None. From here until the
        run ends, the entry is held: the size cap never evicts it meanwhile. A damaged
        entry file, or a template changed since it was built, is dropped (one note)."""
        if self._holds is not None:
            self._holds.enter_context(private.flock(self.entries / f"{key}.use", fcntl.LOCK_SH))
        try:
            with timing.phase("cache read"):
                found = entry_files.read(self.entries, key)
        except entry_files.Damaged as damage:
            log.warning("the cache entry %s is not usable (%s); building it again", key[:12], damage)
            entry_files.path_of(self.entries, key).unlink(missing_ok=True)
            return None
        if found is None or found.template.get("server") != self._server_name:
            return None
        rows = run_sql(server.url, _TEMPLATE_ROW, (found.database,))
        if not rows:
            return None
        oid, xmin, allows_connections, is_template = rows[0]
        if (oid, xmin) != (found.template.get("oid"), found.template.get("xmin")) or allows_connections \
                or not is_template:
            log.warning("the cached template %s was changed since it was built; it is dropped and built again",
                        found.database)
            self.discard(found)
            return None
        entry_files.touch(self.entries, key)
        return found

    def discard(self, entry: Entry) -> None:
        """Forget an entry that must not be used: its file goes now, its database when
        the entry is built again (under the build's lock) or by `cache prune`."""
        entry_files.path_of(self.entries, entry.key).unlink(missing_ok=True)

    def entry(self, server: ScratchServer, key: str, build: Callable[[str], Any], *, keep_side: bool,
              kind: str = "", holds: str = "") -> Entry:
        """The entry of `key`, built first if missing: `build(url)` fills an empty database
        and returns what was read from it as JSON data (kept when `keep_side`)."""
        self._builders[key] = (build, keep_side, kind, holds)
        found = self.lookup(server, key)
        if found:
            return found
        with private.flock(self.entries / f"{key}.lock", fcntl.LOCK_EX):
            found = self.lookup(server, key)  # another run may have built it meanwhile
            if found:
                return found
            final, building = CACHE_PREFIX + key, BUILD_PREFIX + key
            for name in (building, final):  # leftovers of a killed build, or a template changed: never trusted
                drop(server.url, name)
            run_sql(server.url, f'CREATE DATABASE "{building}"' + (f' OWNER "{LOADER}"' if server.loader else ""))
            try:
                side = build(db.with_database(server.url, building))
                fingerprint = run_sql(db.with_database(server.url, building), FINGERPRINT_SQL)[0][0]
            except BaseException:
                with contextlib.suppress(Exception):
                    drop(server.url, building)
                raise
            run_sql(server.url, f'ALTER DATABASE "{building}" RENAME TO "{final}"')
            # The loader owns what it loaded, but not the template: as its owner it could
            # let connections in and change what later runs are proven against.
            run_sql(server.url, f'ALTER DATABASE "{final}" OWNER TO CURRENT_USER')
            run_sql(server.url, f'ALTER DATABASE "{final}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
            oid, xmin, _, _ = run_sql(server.url, _TEMPLATE_ROW, (final,))[0]
            size = run_sql(server.url, "SELECT pg_database_size(%s)", (final,))[0][0]
            made = Entry(key=key, database=final, side=side if keep_side else None, kind=kind, holds=holds,
                         template={"server": self._server_name, "oid": oid, "xmin": xmin, "fingerprint": fingerprint},
                         bytes=int(size))
            made = dataclasses.replace(made, bytes=made.bytes + len(entry_files.encode(made)))
            private.atomic_write(entry_files.path_of(self.entries, key), entry_files.encode(made))
            self._built = True
            return made

    @contextlib.contextmanager
    def clone(self, server: ScratchServer, entry: Entry) -> Iterator[str]:
        """A database of this run cloned from `entry` (in the server's run space), dropped
        afterwards; named so that a later run drops it if this one is killed first. Its
        catalog fingerprint must be the template's when built: else the template was
        changed, and is dropped and built again (once)."""
        for attempt in (1, 2):
            with server.database(template=entry.database, name=run_database_name()) as url:
                with timing.phase("template check"):
                    same = run_sql(url, FINGERPRINT_SQL)[0][0] == entry.template.get("fingerprint")
                if same:
                    yield url
                    return
            builder = self._builders.get(entry.key)
            if attempt == 2 or builder is None:
                break
            log.warning("the cached template %s was changed since it was built; it is dropped and built again",
                        entry.database)
            self.discard(entry)
            build, keep_side, kind, holds = builder
            entry = self.entry(server, entry.key, build, keep_side=keep_side, kind=kind, holds=holds)
        raise ScratchError(f"the cached template {entry.database} was changed since it was built, and pgproof "
                           "does not use it; run `pgproof cache clear`, or pass --no-cache.")


def run_database_name() -> str:
    """A name for a database of this run on a cache server; dropped by a later run when
    this process is gone (killed before it could drop it)."""
    return f"{RUN_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _drop_dead_runs(url: str) -> None:
    """Drop the clones of runs that were killed before they could drop them."""
    for (name,) in run_sql(url, "SELECT datname FROM pg_database WHERE datname LIKE %s", (RUN_PREFIX + "%",)):
        pid = name[len(RUN_PREFIX):].split("_")[0]
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            drop(url, name)

