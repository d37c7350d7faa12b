"""Wall-clock time per phase (scratch start, schema load, migra, proof, data fixes, ...),
shown by `pgproof --timings`. Measurement only: nothing decides on these numbers.

Phases are exclusive: time spent in a phase nested inside another (migra inside the
proof) counts for the inner one only, so the phases plus "other" add up to the wall
time. Only the main thread's phases nest and add up; a phase run by another thread
(the catalog read beside migra's inspection) overlaps them, so it is kept apart and shown
as running in parallel, never added to the total.

While a command runs, whoever shows progress (the CLI's output) may listen: with a
`PhaseSink` installed by `reporting`, entering and leaving a main-thread phase is reported
to it, so every long phase of every command shows while it runs, with no extra call.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol


class PhaseSink(Protocol):
    def entered(self, name: str) -> None:
        """A phase began (phases nest: migra inside the proof)."""

    def left(self, name: str, seconds: float, failed: bool) -> None:
        """The phase that began last ended, after `seconds` (nested phases included)."""

    def beside(self, name: str, seconds: float, failed: bool) -> None:
        """A phase another thread ran, beside the main thread's, ended."""


_phases: dict[str, float] = {}
_parallel: dict[str, float] = {}
_lock = threading.Lock()
_stack: list[list[Any]] = []  # [name, time of the last start or resume] of the main thread
_sink: PhaseSink | None = None


@contextlib.contextmanager
def reporting(sink: PhaseSink) -> Iterator[None]:
    """Report the main thread's phases to `sink` until the block ends."""
    global _sink
    previous, _sink = _sink, sink
    try:
        yield
    finally:
        _sink = previous


@contextlib.contextmanager
def phase(name: str, shown: str | None = None) -> Iterator[None]:
    """Time the block as phase `name`; `shown` is how its progress line names it (default:
    the name), e.g. which database a read reads."""
    if threading.current_thread() is not threading.main_thread():
        start, sink, failed = time.perf_counter(), _sink, True
        try:
            yield
            failed = False
        finally:
            taken = time.perf_counter() - start
            with _lock:
                _parallel[name] = _parallel.get(name, 0.0) + taken
            if sink is not None and shown is not None:  # a helper thread's work shows when named for people
                sink.beside(shown, taken, failed)
        return
    now = time.perf_counter()
    if _stack:  # the outer phase pauses while this one runs
        outer = _stack[-1]
        _add(outer[0], now - outer[1])
    _stack.append([name, now])
    began, sink, failed = now, _sink, True
    if sink is not None:
        sink.entered(shown or name)
    try:
        yield
        failed = False
    finally:
        now = time.perf_counter()
        inner = _stack.pop()
        _add(inner[0], now - inner[1])
        if _stack:
            _stack[-1][1] = now
        if sink is not None:
            sink.left(shown or name, now - began, failed)


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
