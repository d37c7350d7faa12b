"""Wall-clock time per phase (scratch start, schema load, migra, proof, data fixes, ...),
shown by `pgproof --timings`. Measurement only: nothing decides on these numbers.

Phases are exclusive: time spent in a phase nested inside another (migra inside the
proof) counts for the inner one only, so the phases plus "other" add up to the wall
time. Only the main thread's phases nest; another thread's phase is counted as it runs.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

_phases: dict[str, float] = {}
_stack: list[list] = []  # [name, time of the last start or resume] of the main thread


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        start = time.perf_counter()
        try:
            yield
        finally:
            _add(name, time.perf_counter() - start)
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
    return dict(_phases)


def reset() -> None:
    _phases.clear()
    _stack.clear()
