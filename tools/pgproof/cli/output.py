"""Everything pgproof shows people, on stderr: messages, headings, and the progress of
long steps. One Console, so nothing interleaves.

A step (`Output.step`, the `progress.Progress` the library reports to) is live only while
it runs: on a terminal a rich progress line (title, bar, done/total with its unit, time,
what the server is doing), replaced when the step ends by one plain line that stays; on a
pipe or in a CI log, a plain line every `pipe_every_s` seconds and the same final line.
Nothing else is drawn while a step is live, so no later line is glued to a bar.

The phases of a command (`core.timing`: scratch start, schema load, migra, proof,
rehearsal, row checks...) show the same way once a command turns them on
(`Output.phases.enabled`): on a terminal one live line naming the phase being run (nested
phases as "proof › migra") with its time, in a pipe a plain line every `pipe_every_s`
seconds; either way one plain line per phase when it ends. A step pauses them.
Numbers are written one way everywhere: `number(1108)` is "1,108".
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from dataclasses import dataclass, field


from pgproof.core.progress import Tick

if TYPE_CHECKING:
    from rich.console import Console

PIPE_EVERY_S = 2.0


def number(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


@dataclass
class _State:
    """What a step has reported so far."""

    title: str
    unit: str
    total: int | None
    done: int | None = None
    detail: str | None = None
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, done, total, unit, detail) -> None:
        with self.lock:
            if done is not None:
                self.done = done
            if total is not None:
                self.total = total
            if unit is not None:
                self.unit = unit
            if detail is not None:
                self.detail = detail

    def count(self) -> str:
        if self.done is None and self.total is None:
            return ""
        unit = f" {self.unit}" if self.unit else ""
        if self.total is None:
            return f"{number(self.done)}{unit}"
        return f"{number(self.done or 0)}/{number(self.total)}{unit}"

    def line(self) -> str:
        """The plain line of a running step (pipes, CI logs)."""
        parts = [p for p in (self.count(), self.detail) if p]
        elapsed = seconds(time.monotonic() - self.started)
        return f"{self.title}: {', '.join(parts + [elapsed])}" if parts else f"{self.title}: {elapsed}"

    def final(self, summary: str | None, failed: bool, counted: bool) -> str:
        """The line that stays: the count only for steps that count their own work (rows),
        not the server's blocks of a phase the statement has since left."""
        elapsed = seconds(time.monotonic() - self.started)
        if failed:
            return f"{self.title}: stopped after {elapsed}"
        count = self.count() if counted else ""
        return f"{summary or self.title}: {count + ' in ' if count else 'done in '}{elapsed}"


def _bar(console: Console):
    """A live progress bar on `console` (rich.progress is imported only when one is shown)."""
    from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class Count(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(task.fields["state"].count(), style="progress.download")

    class Detail(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(task.fields["state"].detail or "", style="dim", no_wrap=True, overflow="ellipsis")

    return Progress(
        TextColumn("{task.description}", style="bold"), BarColumn(bar_width=24), Count(),
        TimeElapsedColumn(), Detail(), console=console, transient=True, refresh_per_second=8,
    )


class Phases:
    """The `timing.PhaseSink` of a command: what phase runs now, and how each ended."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.enabled = False
        self._stack: list[tuple[str, float]] = []  # (phase, started) of the main thread
        self._lock = threading.Lock()
        self._paused = 0
        self._bar: Any = None  # a rich Progress, imported when one is shown
        self._task: Any = None
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def _title(self) -> str:
        return " › ".join(name for name, _ in self._stack)

    def entered(self, name: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._stack.append((name, time.monotonic()))
        if len(self._stack) == 1 and not self._paused:
            self._start()
        self._refresh()

    def left(self, name: str, seconds_taken: float, failed: bool) -> None:
        if not self.enabled or not self._stack:
            return
        with self._lock:
            self._stack.pop()
        if not self._stack:
            self._end()
        else:
            self._refresh()
        if not failed:  # a failed phase is told by the error that follows, once
            self.output.say(f"{name}: done in {seconds(seconds_taken)}")

    def beside(self, name: str, seconds_taken: float, failed: bool) -> None:
        if self.enabled and not failed:
            self.output.say(f"{name}: done in {seconds(seconds_taken)} (in parallel)")

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No phase line while a step draws its own (one live display at a time)."""
        self._paused += 1
        if self._paused == 1 and self._stack:
            self._end()
        try:
            yield
        finally:
            self._paused -= 1
            if not self._paused and self._stack:
                self._start()
                self._refresh()

    def _start(self) -> None:
        if self.output.terminal:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description}", style="bold"), BarColumn(bar_width=24),
                TimeElapsedColumn(), console=self.output.err, transient=True, refresh_per_second=8,
            )
            self._task = self._bar.add_task(self._title(), total=None)
            self._bar.start()
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._rhythm, args=(self._stop,), daemon=True)
        self._thread.start()

    def _refresh(self) -> None:
        if self._bar is not None and self._stack:
            self._bar.reset(self._task, description=self._title(), total=None)

    def _rhythm(self, stop: threading.Event) -> None:
        while not stop.wait(self.output.pipe_every_s or PIPE_EVERY_S):
            with self._lock:
                if not self._stack:
                    continue
                line = f"{self._title()}: {seconds(time.monotonic() - self._stack[-1][1])}"
            self.output.say(line)

    def _end(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if self._stop is not None and self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._stop = self._thread = None


class Output:
    """Messages and progress for people, on one rich Console (stderr)."""

    def __init__(self, err: Console | Callable[[], Console], pipe_every_s: float | None = None) -> None:
        self._err = err  # or what makes it when first needed: rich is imported only then
        self.pipe_every_s = pipe_every_s
        self.phases = Phases(self)

    @property
    def err(self) -> Console:
        if not hasattr(self._err, "print"):
            self._err = self._err()  # type: ignore[operator]  # the factory, called once
        return self._err  # type: ignore[return-value]  # a Console once made

    @property
    def terminal(self) -> bool:
        return self.err.is_terminal

    def say(self, message: str, style: str | None = None) -> None:
        """One message, never cut: long lines wrap on a terminal, stay whole in a pipe."""
        self.err.print(message, style=style, markup=False, highlight=False, soft_wrap=True)

    def heading(self, title: str) -> None:
        self.say(f"── {title}", style="bold cyan")

    @contextlib.contextmanager
    def step(self, title: str, *, unit: str = "rows", total: int | None = None,
             summary: str | None = None) -> Iterator[Tick]:
        state = _State(title, unit, total)
        counted = bool(unit)

        def tick(done=None, total=None, *, unit=None, detail=None) -> None:
            state.update(done, total, unit, detail)

        failed = True
        try:
            with self.phases.paused(), (self._terminal_step if self.terminal else self._pipe_step)(state):
                yield tick
                failed = False
        finally:  # the live line is gone: one plain line says how the step ended
            self.say(state.final(summary, failed, counted), style="yellow" if failed else None)

    @contextlib.contextmanager
    def _terminal_step(self, state: _State) -> Iterator[None]:
        bar = _bar(self.err)
        task = bar.add_task(state.title, total=None, state=state)
        stop = threading.Event()

        def follow() -> None:  # the bar's own numbers follow the state the step reports
            while not stop.wait(0.1):
                with state.lock:
                    bar.update(task, completed=state.done or 0, total=state.total)

        with bar:
            follower = threading.Thread(target=follow, daemon=True)
            follower.start()
            try:
                yield
            finally:
                stop.set()
                follower.join()

    @contextlib.contextmanager
    def _pipe_step(self, state: _State) -> Iterator[None]:
        stop = threading.Event()

        def rhythm() -> None:
            while not stop.wait(self.pipe_every_s or PIPE_EVERY_S):
                self.say(state.line())

        thread = threading.Thread(target=rhythm, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
