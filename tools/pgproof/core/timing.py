"""Wall-clock time per phase (scratch start, schema load, migra, proof, data fixes, ...),
shown by `pgproof --timings`. Measurement only: nothing decides on these numbers.

Phases are exclusive: time spent in a phase nested inside another (migra inside the
proof) counts for the inner one only, so the phases plus "other" add up to the wall
time. Only the main thread's phases nest and add up; a phase run by another thread
(the catalog read beside migra's inspection) overlaps them, so it is kept apart and shown
as running in parallel, never added to the total.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

_phases: dict[str, float] = {}
_parallel: dict[str, float] = {}
_lock = threading.Lock()
_stack: list[list[Any]] = []  # [name, time of the last start or resume] of the main thread


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        start = time.perf_counter()
        try:
            yield
        finally:
            with _lock:
                _parallel[name] = _parallel.get(name, 0.0) + time.perf_counter() - start
        return
    now = time.perf_counter()
    if _stack:  # the outer phase pauses while this one runs
        outer = _stack[-1]
        _add(outer[0], now - outer[1])
    _stack.append([name, now])
    try:
        yield
    finally:
        now = time.perf_counter()
        inner = _stack.pop()
        _add(inner[0], now - inner[1])
        if _stack:
            _stack[-1][1] = now


def _add(name: str, seconds: float) -> None:
    _phases[name] = _phases.get(name, 0.0) + seconds


def recorded() -> dict[str, float]:
    """The main thread's phases: with "other", they add up to the wall time."""
    return dict(_phases)


def in_parallel() -> dict[str, float]:
    """Phases other threads ran meanwhile (already inside the main thread's time)."""
    with _lock:
        return dict(_parallel)


def reset() -> None:
    _phases.clear()
    _parallel.clear()
    _stack.clear()
