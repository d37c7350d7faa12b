"""The watchdog of one cache server: stops it when it has been idle for the set time, or
when its folder or its binaries are gone; exits with it. No daemon of its own: it is
started (detached) with the server, by the run that started it.

Run as a script by its path (``python -I watchdog.py ...``): it imports only the standard
library, holds no secret (its arguments are paths and numbers, its environment the
server's clean one), and exits as soon as the server's postmaster is gone.

A run holds `use.lock` (shared) while it uses the server and writes `last_use` (its
modification time: when; its text: the idle time, in seconds) when it starts and ends;
the watchdog stops the server only with `use.lock` held exclusively, so never under a
run. One watchdog per server: it holds `watchdog.lock` for its life.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import sys
import time

_POLL_MAX_S = 30.0


def _pid(data: str) -> int | None:
    try:
        with open(os.path.join(data, "postmaster.pid")) as handle:
            return int(handle.readline().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _idle(folder: str) -> tuple[float, float]:
    """(seconds since the last use, the idle time after which the server stops)."""
    path = os.path.join(folder, "last_use")
    try:
        with open(path) as handle:
            limit = float(handle.read().strip() or "900")
        return time.time() - os.stat(path).st_mtime, limit
    except (OSError, ValueError):
        return 0.0, 900.0


def _stop(pid: int) -> None:
    """Fast shutdown (SIGINT); immediate (SIGQUIT) if it takes more than a minute."""
    for sig, wait_s in ((signal.SIGINT, 60.0), (signal.SIGQUIT, 30.0), (signal.SIGKILL, 10.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.1)


def watch(folder: str, data: str, binary: str, places: list[str]) -> int:
    try:
        lock = open(os.path.join(folder, "watchdog.lock"), "a")
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # another watchdog watches it (or the folder is gone)
        return 0
    while True:
        pid = _pid(data)
        if pid is None or not _alive(pid):
            return 0
        if not os.path.isdir(folder) or not os.path.exists(binary):
            _stop(pid)  # a server nobody can use or stop any more: its folder or binaries are gone
            if not os.path.isdir(folder):
                for place in places:
                    shutil.rmtree(place, ignore_errors=True)
            return 0
        idle, limit = _idle(folder)
        if idle >= limit:
            try:
                with open(os.path.join(folder, "use.lock"), "a") as use:
                    fcntl.flock(use, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    idle, limit = _idle(folder)
                    if idle >= limit:
                        _stop(pid)
                        return 0
            except BlockingIOError:
                pass  # a run uses it: not idle
        time.sleep(min(_POLL_MAX_S, max(0.5, (limit - idle) if idle < limit else 1.0)))


if __name__ == "__main__":
    sys.exit(watch(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
