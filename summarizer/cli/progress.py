"""Terminal progress bars and the end-of-run report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..run.options import NullReporter, Reporter, RunReport

__all__ = ["rich_reporter", "report_text"]


class _RichReporter:
    def __init__(self, progress) -> None:
        self.progress = progress
        self.task = None
        self.note = None

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def status(self, text: str) -> None:
        if self.note is not None:
            self.progress.remove_task(self.note)
            self.note = None
        if text:
            self.note = self.progress.add_task(text, total=None)


@contextmanager
def rich_reporter(*, enabled: bool) -> Iterator[Reporter]:
    """A progress reporter that draws bars on a terminal (stderr), or does nothing."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield NullReporter()
        return
    columns = (TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        yield _RichReporter(progress)


def report_text(report: RunReport, out_dir: Path) -> str:
    """One screen of results: articles done and failed, sentences, cache use, time."""
    looked_up = report.cache_hits + report.cache_misses
    rate = f"{100 * report.cache_hits / looked_up:.0f}%" if looked_up else "-"
    lines = [
        f"articles:  {len(report.done)} done, {len(report.failed)} failed -> {out_dir}/",
        f"sentences: {report.sentences} translated",
        f"stories:   {report.stories} (digests in {out_dir}/stories/; {report.translations_saved} shared sentences translated once)",
        f"archive:   {report.archived} articles in {out_dir}/index.html"
        + (f"; {report.gone} whose input is gone (--prune removes them)" if report.gone else "")
        + (f"; {report.pruned} pruned" if report.pruned else ""),
        f"cache:     {report.cache_hits} hits, {report.cache_misses} misses ({rate})"
        + (f"; {report.cache_repaired} damaged entries recomputed" if report.cache_repaired else "")
        + ("; read-only, nothing saved" if report.cache_read_only else ""),
        f"models:    {report.models_loaded} loaded",
        f"retries:   {report.retries} batches re-run after a worker failure",
        f"time:      {report.seconds:.1f} s",
    ]
    return "\n".join(lines)
