"""The cache's life and size: servers that stop when idle or dead, entries evicted under a
size cap, and what `pgproof cache status|prune|clear` see and do.

No daemon: each server has its watchdog (`watchdog.py`), and every run also sweeps the
cache folder (`sweep`): a server of any installation idle longer than its setting is
stopped, and one whose binaries are gone is stopped and removed, as is a server whose
folder was deleted (found among the machine's processes). A run that added an entry
applies the size cap as it ends (`apply_cap`): least recently used templates and target
copies first, never one a run holds (`entries/<key>.use`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from pgproof.core.errors import ScratchError
from pgproof.scratch import entries as entry_files, private
from pgproof.scratch.cluster import CACHE_PREFIX, PersistentCluster, bin_dir_of, drop, folder_bytes, run_sql

_CLEAR_WAIT_S = 30
# The data folder of a cache server: <cache>/pg<major>-<digest>/data, or as root its own
# folder elsewhere, pgproof-cache-<random>/data, which records the cache folder it serves.
_DATA = re.compile(r"/(pg\d+-[0-9a-f]{8}|pgproof-cache-[^/]+)/data$")
OWNER_FILE = "cache_folder"


@dataclass(frozen=True)
class ServerStatus:
    name: str  # its folder's name, pg<major>-<digest>
    major: int | None
    installation: str  # its binaries
    running: bool
    idle_s: float | None  # since the last run used it
    bytes: int


@dataclass(frozen=True)
class Status:
    folder: Path
    servers: list[ServerStatus] = field(default_factory=list)
    entries: list[entry_files.Entry] = field(default_factory=list)
    bytes: int = 0


def _servers(folder: Path) -> list[PersistentCluster]:
    found = []
    for path in sorted(folder.glob("pg*-*")) if folder.is_dir() else []:
        if path.is_dir() and not path.is_symlink():
            cluster = PersistentCluster(path, None)
            cluster.bin_dir = bin_dir_of(cluster.data)
            found.append(cluster)
    return found


def status(folder: Path) -> Status:
    """What the cache holds; changes nothing."""
    if not folder.is_dir():
        return Status(folder)
    servers = []
    for cluster in _servers(folder):
        major = cluster.folder.name[2:].split("-")[0]
        servers.append(ServerStatus(
            name=cluster.folder.name, major=int(major) if major.isdigit() else None,
            installation=str(cluster.bin_dir) if cluster.bin_dir != Path() else "", running=cluster.running(),
            idle_s=cluster.idle_s(), bytes=cluster.size()))
    listed = entry_files.listed(folder / "entries")
    return Status(folder, servers, listed, total_bytes(folder))


def total_bytes(folder: Path) -> int:
    """The cache's size on disk: every server (its databases included) and the entry files."""
    return sum(cluster.size() for cluster in _servers(folder)) + folder_bytes(folder / "entries")


def sweep(folder: Path, keep: Path | None = None, idle_s: float | None = None) -> list[str]:
    """Stop the servers idle longer than their setting (or `idle_s`), and stop and remove
    those whose binaries or folder are gone; never `keep` (this run's) nor one in use.
    Returns what was done, one line each."""
    done = []
    for cluster in _servers(folder):
        if cluster.folder == keep:
            continue
        try:
            with private.flock(cluster.folder / "use.lock", fcntl.LOCK_EX, wait_s=0):
                if not (cluster.bin_dir / "postgres").is_file() and cluster.data.is_dir():
                    cluster.stop()
                    cluster._remove_places()
                    shutil.rmtree(cluster.folder, ignore_errors=True)
                    done.append(f"removed {cluster.folder.name}: its binaries are gone")
                    continue
                limit = idle_s if idle_s is not None else cluster.idle_limit_s()
                idle = cluster.idle_s()
                if cluster.running() and limit is not None and idle is not None and idle >= limit:
                    cluster.stop()
                    done.append(f"stopped {cluster.folder.name}: idle for {idle:.0f} s")
        except BlockingIOError:
            continue  # a run uses it
    return done + _stop_orphans()


def _stop_orphans() -> list[str]:
    """Stop cache servers of ours whose cache folder was deleted (they cannot be reached,
    used or stopped any other way)."""
    done = []
    ours = {os.geteuid()}
    if os.geteuid() == 0:
        ours = set()  # root: its servers run as another user; the folder names tell
    for process in psutil.process_iter(["name", "cmdline", "uids"]):
        try:
            command = process.info["cmdline"] or []
            if process.info["name"] != "postgres" or "-D" not in command:
                continue
            if ours and process.info["uids"].real not in ours:
                continue
            data = Path(command[command.index("-D") + 1])
            found = _DATA.search(str(data))
            if not found:
                continue
            if found.group(1).startswith("pg"):
                served = data.parent
            else:
                try:
                    served = Path((data.parent / OWNER_FILE).read_text().strip())
                except OSError:
                    continue  # not recorded (an older pgproof's): left alone
            if served.is_dir():
                continue
            process.send_signal(signal.SIGQUIT)
            with contextlib.suppress(psutil.Error):
                process.wait(timeout=30)
            if not found.group(1).startswith("pg"):
                shutil.rmtree(data.parent, ignore_errors=True)
            done.append(f"stopped the server of {data}: its cache folder is gone")
        except (psutil.Error, IndexError, OSError):
            continue
    return done


def apply_cap(folder: Path, cap: int, cluster: PersistentCluster) -> list[str]:
    """Evict entries of `cluster` (running) until the cache is at most `cap` bytes: least
    recently used first, never one a run holds. Templates nobody's entry names any more
    (an older pgproof's, a damaged entry's) and files of older formats go first."""
    done = _drop_orphans(folder, cluster)
    listed = [e for e in entry_files.listed(folder / "entries") if e.template.get("server") == cluster.folder.name]
    total = total_bytes(folder)
    held = {e.key for e in listed if _held(folder, e.key)}
    evicted = 0
    for entry in entry_files.to_evict(listed, total, cap, held):
        try:
            with private.flock(folder / "entries" / f"{entry.key}.use", fcntl.LOCK_EX, wait_s=0), \
                    private.flock(folder / "entries" / f"{entry.key}.lock", fcntl.LOCK_EX, wait_s=0):
                entry_files.path_of(folder / "entries", entry.key).unlink(missing_ok=True)
                drop(cluster.url, entry.database)
                evicted += 1
                done.append(f"evicted {entry.kind or 'entry'} {entry.holds or entry.key[:12]} ({entry.bytes / 1e6:.1f} MB)")
        except BlockingIOError:
            continue  # taken by a run meanwhile
    if evicted or done:
        with contextlib.suppress(Exception):
            run_sql(cluster.url, "CHECKPOINT")  # so the write-ahead log of the drops is recycled
    return done


def _held(folder: Path, key: str) -> bool:
    try:
        with private.flock(folder / "entries" / f"{key}.use", fcntl.LOCK_EX, wait_s=0):
            return False
    except BlockingIOError:
        return True


def _drop_orphans(folder: Path, cluster: PersistentCluster) -> list[str]:
    entries = folder / "entries"
    done = []
    for old in [*entries.glob("*.side"), *entries.glob("*.json")]:  # format 2 (a pickle): never read
        old.unlink(missing_ok=True)
        done.append(f"removed {old.name}: an entry of an older pgproof")
    known = {e.database for e in entry_files.listed(entries)}
    for (name,) in run_sql(cluster.url, "SELECT datname FROM pg_database WHERE datname LIKE %s", (CACHE_PREFIX + "%",)):
        if name in known:
            continue
        key = name[len(CACHE_PREFIX):]
        try:
            with private.flock(entries / f"{key}.use", fcntl.LOCK_EX, wait_s=0), \
                    private.flock(entries / f"{key}.lock", fcntl.LOCK_EX, wait_s=0):
                if not entry_files.path_of(entries, key).exists():
                    drop(cluster.url, name)
                    done.append(f"dropped {name}: no entry names it")
        except BlockingIOError:
            continue
    return done


def prune(folder: Path, cap: int, idle_s: float) -> list[str]:
    """`pgproof cache prune`: apply the cap on the servers that run (a stopped server's
    entries are evicted when it next runs), then stop idle and dead servers."""
    if not folder.is_dir() or not (_servers(folder) or any((folder / "entries").glob("*"))):
        return []  # nothing to prune
    private.check(folder)  # never act on what another user could have put there
    with private.flock(folder / "lock", fcntl.LOCK_SH):
        done = []
        for cluster in _servers(folder):
            if cluster.running():
                with private.flock(cluster.folder / "use.lock", fcntl.LOCK_SH):
                    done += apply_cap(folder, cap, cluster)
        done += sweep(folder, idle_s=idle_s)
        servers = {c.folder.name for c in _servers(folder)}
        for entry in entry_files.listed(folder / "entries"):
            if entry.template.get("server") not in servers:  # its server was removed
                entry_files.path_of(folder / "entries", entry.key).unlink(missing_ok=True)
                done.append(f"removed the entry {entry.key[:12]}: its server is gone")
    return done


def clear(folder: Path) -> int:
    """Stop every cached server and delete the folder; waits for runs using it. Returns
    how many servers were stopped."""
    if not folder.is_dir():
        return 0
    try:
        lock = private.flock(folder / "lock", fcntl.LOCK_EX, wait_s=_CLEAR_WAIT_S)
        lock.__enter__()
    except BlockingIOError:
        raise ScratchError(
            f"a pgproof run is still using the cache in {folder}; run `pgproof cache clear` again when it ends."
        ) from None
    stopped = 0
    try:
        for cluster in _servers(folder):
            if cluster.running():
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


def idle_for(seconds: float | None) -> str:
    """'3 min', '2 h', 'never used': how long ago, for people."""
    if seconds is None:
        return "never used"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


def since(timestamp: float) -> float:
    return max(0.0, time.time() - timestamp)
