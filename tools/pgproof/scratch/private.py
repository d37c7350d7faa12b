"""Only the owner gets in: folders, secrets and the environment of the servers pgproof starts.

A cache server is a PostgreSQL superuser reachable through a Unix socket: whoever can
reach the socket and log in can run programs as its OS user. So every folder pgproof
makes for a server (the cache folder, its entries, a server's folder, its socket folder,
its run space) is made 0700 and checked every run, not assumed: one that exists with
another owner, a looser mode, or as a symbolic link is refused, never used (another user
may have made it first). Names others could guess are not used outside the 0700 cache
folder: a socket or run space elsewhere is a `mkdtemp` whose path the cache records.
pgproof never changes the mode of a folder it did not make (a home folder least of all).
The servers start with an environment of their own, without the run's secrets.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pgproof.core.errors import ScratchError

# What a server's environment keeps of the run's: nothing secret (no DATABASE_URL, no PG*).
_KEPT = ("PATH", "TZ", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH")


def server_environment() -> dict[str, str]:
    """The environment initdb, pg_ctl and the server they start run with."""
    return {name: os.environ[name] for name in _KEPT if name in os.environ}


def folder(path: Path, uid: int | None = None, gid: int | None = None) -> Path:
    """`path` as a folder only `uid` (default: us) may open: made 0700 when missing (its
    parents as the system makes them), checked when present."""
    uid = os.geteuid() if uid is None else uid
    if not os.path.lexists(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            pass  # another run made it meanwhile: checked below like any other
        else:
            path.chmod(0o700)  # whatever the umask
            if uid != os.geteuid():
                os.chown(path, uid, gid if gid is not None else -1)
    check(path, uid)
    return path


def check(path: Path, uid: int | None = None) -> None:
    """Refuse `path` unless it is a real folder of `uid` that nobody else may open."""
    uid = os.geteuid() if uid is None else uid
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise ScratchError(f"cannot read the folder {path}: {exc.strerror}; remove it, or pass --no-cache.") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        problem = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a folder"
    elif info.st_uid != uid:
        problem = f"owned by user id {info.st_uid}, not {uid}"
    elif info.st_mode & 0o077:
        problem = f"open to others (mode {stat.S_IMODE(info.st_mode):04o}, not 0700)"
    else:
        return
    raise ScratchError(
        f"{path} is {problem}, so another user could reach the scratch server through it and pgproof does not "
        f"use it; remove it (or check who made it), or pass --no-cache."
    )


def temporary_folder(prefix: str, parent: str | None, uid: int | None = None, gid: int | None = None) -> Path:
    """A new folder under a name nobody could make first (mkdtemp), only `uid`'s."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    if uid is not None and uid != os.geteuid():
        os.chown(path, uid, gid if gid is not None else -1)
    return path


def secret(path: Path) -> str:
    """The random password kept in `path` (0600, ours), made when missing. Written to a
    file opened 0600 from the start: never readable by anyone else, even for a moment."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        value = secrets.token_urlsafe(24)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w") as out:
            out.write(value)
        try:
            os.link(temporary, path)  # fails when another run made one meanwhile: then theirs
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
        info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise ScratchError(f"{path} is not a file only you can read (mode {stat.S_IMODE(info.st_mode):04o}); "
                           "pgproof does not use it: remove it, or pass --no-cache.")
    return path.read_text().strip()


def reachable(path: Path, uid: int) -> str | None:
    """None when user `uid` can reach `path` through its parents; else the first parent
    that stops it (its mode is never changed here)."""
    for parent in reversed(Path(path).absolute().parents):
        info = parent.stat()
        if info.st_uid == uid:
            continue
        if not info.st_mode & stat.S_IXOTH:
            return str(parent)
    return None


@contextlib.contextmanager
def flock(path: Path, mode: int, wait_s: float | None = None) -> Iterator[None]:
    """An flock on `path` (created 0600 if missing); released on exit, and by the kernel
    if the process dies, so a killed run never leaves a lock behind. With `wait_s`,
    BlockingIOError when it is not had within that time (0: at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+")
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
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(0.1)
        yield
    finally:
        handle.close()


def atomic_write(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all, 0600 from the start."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
