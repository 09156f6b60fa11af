"""Showing a run's progress (a live display on a terminal, plain lines elsewhere) and its end-of-run report."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..run.options import NullReporter, Reporter, RunReport

__all__ = ["reporter_for", "LiveReporter", "PlainReporter", "report_text", "STAGE_SHARE"]

# The longest name of the stages every run shows (a story digest's), so the column does not widen mid-run (a rare
# `stories: retrying loops (...)` line still may).
NAME_WIDTH = len("stories: translating en-nl")
# Rough share of a window's time per stage, for the run's ETA (BENCHMARKS.md, default path: summarizing dominates);
# other stages (retries, story digests) count for nothing.
STAGE_SHARE = {"translating nl-en": 0.10, "summarizing": 0.75, "translating en-nl": 0.15}
STATUS_DELAY = 1.0  # seconds a status must last before a plain log line shows it: quick checks stay silent


@dataclass
class _Line:
    """One stage's line: its count over every window so far, and the seconds it was the current stage."""

    name: str
    total: int = 0
    done: int = 0
    seconds: float = 0.0
    started: float | None = None  # while it is the current stage: when its current part began
    base: int = 0  # ``done`` when its current part began


class _Tracker:
    """The state both displays share: stage lines, the window of articles, the status; times from ``clock``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self.lines: dict[str, _Line] = {}  # in the order stages first began
        self.current: _Line | None = None
        self.window = (0, 0, 0)  # start, count, total articles
        self.window_done = 0.0  # share (STAGE_SHARE) of the current window's stages that have ended
        self.text = ""  # the status
        self.lock = threading.Lock()  # the live display renders from its own thread

    def articles(self, start: int, count: int, total: int) -> None:
        """A new window of articles."""
        with self.lock:
            self._end()
            self.window = (start, count, total)
            self.window_done = 0.0

    def stage(self, name: str, total: int) -> None:
        """End the current stage; a stage seen before goes on on its line, its total now what it has done plus ``total``."""
        with self.lock:
            self._end()
            line = self.lines.setdefault(name, _Line(name))
            line.total = line.done + total  # a part cut short by an error leaves no unreachable rest behind
            line.base, line.started = line.done, self.clock()
            self.current = line

    def advance(self, n: int = 1) -> None:
        """Steps of the current stage done."""
        with self.lock:
            if self.current is not None:
                self.current.done += n

    def status(self, text: str) -> None:
        """The status line."""
        with self.lock:
            self.text = text

    def close(self) -> None:
        """The run is over: end the current stage."""
        with self.lock:
            self._end()

    def _end(self) -> None:
        line = self.current
        if line is None:
            return
        assert line.started is not None
        seconds = self.clock() - line.started
        line.seconds += seconds
        line.started = None
        self.current = None
        self.window_done += STAGE_SHARE.get(line.name, 0.0)
        self.ended(line, seconds)

    def ended(self, line: _Line, seconds: float) -> None:
        """A part of a stage has ended (``seconds`` long); called with the lock held."""

    def seconds(self, line: _Line) -> float:
        """Seconds the stage has been current, the running part included."""
        return line.seconds + (self.clock() - line.started if line.started is not None else 0.0)

    def fraction(self) -> float:
        """Share of the run's articles done, counting the current window's ended and running stages by STAGE_SHARE."""
        start, count, total = self.window
        if not total:
            return 0.0
        share = self.window_done
        line = self.current
        if line is not None and line.total > line.base:
            share += STAGE_SHARE.get(line.name, 0.0) * (line.done - line.base) / (line.total - line.base)
        return min(1.0, (start + count * min(share, 1.0)) / total)

    def eta(self) -> float | None:
        """Seconds the run has left by the pace so far, or None before there is a pace to go by."""
        elapsed, fraction = self.clock() - self.started, self.fraction()
        if fraction <= 0.0 or elapsed < 2.0:
            return None
        return elapsed * (1.0 - fraction) / fraction


class LiveReporter(_Tracker):
    """One live display on a terminal: the status (with a spinner), a line per stage, and the run's elapsed time and ETA.

    Log records printed through the same console appear above it.
    """

    def __init__(self, console: Any, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self.console = console

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        with self.lock:
            table = Table.grid(padding=(0, 2))
            table.add_column(min_width=NAME_WIDTH)
            table.add_column(width=30)
            table.add_column(justify="right")
            table.add_column()
            for line in self.lines.values():
                table.add_row(Text(line.name), ProgressBar(total=max(line.total, 1), completed=line.done, width=30),
                              f"{line.done}/{line.total}", _clock(self.seconds(line)))
            start, count, total = self.window
            eta = self.eta()
            table.add_row(Text("articles", style="bold"), ProgressBar(total=1.0, completed=self.fraction(), width=30),
                          f"{start}/{total}", f"{_clock(self.clock() - self.started)} elapsed"
                          + (f", about {_clock(eta)} left" if eta is not None else ""))
            parts: list[Any] = [Spinner("dots", Text(self.text))] if self.text else []
            return Group(*parts, table)


class PlainReporter(_Tracker):
    """Plain lines for logs and pipes: one per finished stage (`translating nl-en: 53/53 in 4.1 s`) and lasting statuses."""

    def __init__(self, stream: IO[str], clock: Callable[[], float] = time.monotonic, *,
                 status_delay: float = STATUS_DELAY) -> None:
        super().__init__(clock)
        self.stream = stream
        self.status_delay = status_delay
        self._timer: threading.Timer | None = None
        self._said = ""

    def articles(self, start: int, count: int, total: int) -> None:
        """A line for each window of articles."""
        super().articles(start, count, total)
        if count:
            self._say(f"articles {start + 1}-{start + count} of {total}")

    def status(self, text: str) -> None:
        """Shown once it has lasted ``status_delay`` seconds (and only if it changed since last shown)."""
        super().status(text)
        if text and self._timer is None:
            self._timer = threading.Timer(self.status_delay, self._show_status)
            self._timer.daemon = True
            self._timer.start()

    def close(self) -> None:
        """End the current stage; no status is shown after this."""
        super().close()
        if self._timer is not None:
            self._timer.cancel()

    def ended(self, line: _Line, seconds: float) -> None:
        """One line per part of a stage."""
        self._say(f"{line.name}: {line.done - line.base}/{line.total - line.base} in {seconds:.1f} s")

    def _show_status(self) -> None:
        with self.lock:
            self._timer = None
            text = self.text
        if text and text != self._said:
            self._said = text
            self._say(f"{text} ...")

    def _say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@contextmanager
def reporter_for(console: Any, *, quiet: bool) -> Iterator[Reporter]:
    """The run's Reporter: nothing when ``quiet``; a live display on a terminal ``console``; else plain lines on its file."""
    if quiet:
        yield NullReporter()
        return
    if not console.is_terminal:
        plain = PlainReporter(console.file)
        try:
            yield plain
        finally:
            plain.close()
        return
    from rich.live import Live

    live = LiveReporter(console)
    # stray writes to stderr (a library's own bars or prints) are shown above the display, not drawn into it
    with Live(live, console=console, refresh_per_second=8, transient=False, redirect_stdout=False, redirect_stderr=True):
        try:
            yield live
        finally:
            live.close()


def report_text(report: RunReport, out_dir: Path, *, on_ray: bool = False) -> str:
    """One screen of results: articles done and failed, sentences, cache use of the models, time, and what to open."""
    looked_up = report.cache_hits + report.cache_misses
    rate = f" ({100 * report.cache_hits / looked_up:.0f}% from the cache)" if looked_up else ""
    lines = [
        f"articles:  {len(report.done)} done, {len(report.failed)} failed -> {out_dir}/",
        f"sentences: {report.sentences} translated",
        f"stories:   {report.stories} (digests in {out_dir}/stories/; {report.translations_saved} shared sentences translated once)",
        f"archive:   {report.archived} articles in {out_dir}/index.html"
        + (f"; {report.gone} whose input is gone (--prune removes them)" if report.gone else "")
        + (f"; {report.pruned} pruned" if report.pruned else ""),
        f"cache:     {report.cache_hits} hits, {report.cache_misses} misses of translations and summaries{rate}"
        + (f"; {report.cache_repaired} damaged entries recomputed" if report.cache_repaired else "")
        + ("; read-only, nothing saved" if report.cache_read_only else ""),
        f"models:    {report.models_loaded} loaded",
    ]
    if on_ray:
        lines.append(f"retries:   {report.retries} batches re-run after a worker failure")
    lines += [
        f"time:      {report.seconds:.1f} s",
        f"open:      {out_dir / 'index.html'}",
    ]
    return "\n".join(lines)
