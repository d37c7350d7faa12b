"""Cleanup that a Ctrl-C cannot cut short.

Python raises KeyboardInterrupt wherever the main thread happens to be. Raised in the
middle of removing a scratch cluster (an rmtree of a thousand files) or of dropping a
scratch database, it left half of it behind, and nothing would remove it later. So
cleanup runs with Ctrl-C and SIGTERM held: a signal that arrives meanwhile is raised as
KeyboardInterrupt as soon as the cleanup is done, and the command still exits 130."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

_HELD = (signal.SIGINT, signal.SIGTERM)
_depth = 0  # held blocks now open on the main thread; only the outermost one holds


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Run the block with Ctrl-C and SIGTERM held until it ends, then raise
    KeyboardInterrupt if one came. Off the main thread, where Python delivers no
    signal, and inside another held block, it changes nothing."""
    global _depth
    if threading.current_thread() is not threading.main_thread() or _depth:
        yield
        return
    received: list[int] = []
    previous = {}
    for number in _HELD:
        handler = signal.getsignal(number)
        if handler is None or handler == signal.SIG_IGN:  # set outside Python, or ignored: left so
            continue
        previous[number] = handler
        signal.signal(number, lambda signum, frame: received.append(signum))
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            raise KeyboardInterrupt


def _wait(conn: Any) -> None:
    """psycopg2's wait callback: a query waits in Python (select), so Ctrl-C and SIGTERM
    reach it. Without it a long statement (`SELECT pg_sleep(3600)` in a schema file)
    blocked in libpq and only SIGKILL ended the run, leaving its server behind. On one,
    the server's statement is cancelled (libpq's cancel request, from another
    connection), its answer awaited, and KeyboardInterrupt raised: the run unwinds,
    removes its scratch servers, and exits 130."""
    import select

    import psycopg2
    from psycopg2.extensions import POLL_OK, POLL_READ, POLL_WRITE

    interrupted = False
    while True:
        try:
            state = conn.poll()
            if state == POLL_OK:
                break
            if state == POLL_READ:
                select.select([conn.fileno()], [], [], 1.0)
            elif state == POLL_WRITE:
                select.select([], [conn.fileno()], [], 1.0)
        except KeyboardInterrupt:
            if not interrupted:
                interrupted = True
                with contextlib.suppress(Exception):
                    conn.cancel()
        except psycopg2.Error:
            if interrupted:  # the cancelled statement's error
                raise KeyboardInterrupt from None
            raise
    if interrupted:
        raise KeyboardInterrupt


@contextlib.contextmanager
def without_cancellable_queries() -> Iterator[None]:
    """psycopg2's COPY cannot run under a wait callback: this block's queries run without
    one (a Ctrl-C then lands when the COPY returns)."""
    import psycopg2.extensions

    previous = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    try:
        yield
    finally:
        psycopg2.extensions.set_wait_callback(previous)


@contextlib.contextmanager
def cancellable_queries() -> Iterator[None]:
    """Queries of this block can be interrupted (see `_wait`)."""
    import psycopg2.extensions

    previous = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(_wait)
    try:
        yield
    finally:
        psycopg2.extensions.set_wait_callback(previous)
