"""Wall-clock time per phase (scratch start, schema load, inspection, migra), shown by
`pgproof --timings`. Measurement only: nothing decides on these numbers."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

_phases: dict[str, float] = {}


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        _phases[name] = _phases.get(name, 0.0) + time.perf_counter() - start


def recorded() -> dict[str, float]:
    return dict(_phases)


def reset() -> None:
    _phases.clear()
