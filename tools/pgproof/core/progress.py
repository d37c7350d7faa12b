"""What a long step reports while it runs, for whoever shows it.

The library opens a step (`progress.step(title, unit=..., total=...)`) around anything
that may take long (a data fix, a statement of apply) and calls the step's tick with
what is done so far; the CLI's output layer (output.py) draws it. Nothing here prints,
so every module can report progress without knowing about terminals.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol


class Tick(Protocol):
    def __call__(self, done: int | None = None, total: int | None = None, *,
                 unit: str | None = None, detail: str | None = None) -> None:
        """Report progress: `done` of `total` `unit`s (None: unchanged), and what is going
        on right now (`detail`, e.g. a server phase)."""


class Progress(Protocol):
    def step(self, title: str, *, unit: str = "rows", total: int | None = None,
             summary: str | None = None) -> contextlib.AbstractContextManager[Tick]:
        """A step shown while it runs; `summary` is what stays on screen afterwards
        (default: the title with the final count and the time taken)."""


def _ignore(*args: object, **kwargs: object) -> None:
    return None


class Silent:
    """Progress nobody watches (library calls, the proof on a scratch copy)."""

    @contextlib.contextmanager
    def step(self, title: str, *, unit: str = "rows", total: int | None = None,
             summary: str | None = None) -> Iterator[Tick]:
        yield _ignore


SILENT = Silent()
