"""What a run is asked to do (`RunOptions`), what it reports (`RunReport`), and how it shows progress (`Reporter`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..engines.device import Device
from ..engines.factory import EngineName
from ..engines.ray import ClusterOptions
from ..generation.settings import Overrides
from ..inputs.articles import MAX_BYTES

__all__ = ["RunOptions", "RunReport", "Reporter", "NullReporter"]


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs besides its inputs."""

    out_dir: Path = Path("out")
    cache_dir: Path | None = None  # None: no persistent cache
    device: Device | str = Device.AUTO
    models: dict[str, str | None] = field(default_factory=dict)  # role -> hub id or directory override
    lock_path: Path = Path("models.lock")
    settings: Overrides = Overrides()  # generation settings the user chose; the rest are each checkpoint's own
    batch_tokens: int | None = None  # token budget per translation batch; None: by engine and device
    engine: EngineName | str = EngineName.AUTO
    cluster: ClusterOptions = ClusterOptions()  # with engine "ray": address, workers, GPUs per worker
    allow_download: bool = True
    force_language: bool = False  # process articles that look like another language than Dutch
    max_bytes: int | None = MAX_BYTES  # larger input files are refused unread; None: no limit
    retry_loops: bool = True  # regenerate looping output once with stricter settings (else only flag it)
    follow_symlinks: bool = False  # follow links out of the input folders (never to pipes, devices, /proc...)
    prune: bool = False  # remove the outputs of archived articles whose input file no longer exists


@dataclass
class RunReport:
    """What happened, for the end-of-run report."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # folders and files not looked at, with the reason
    unwritten: dict[str, str] = field(default_factory=dict)  # report pages (index, stories) that could not be written
    ignored: int = 0  # files no reader takes
    sentences: int = 0
    cache_hits: int = 0  # translations and summaries found in the cache (segmentation lookups are not counted)
    cache_misses: int = 0  # translations and summaries computed because the cache lacked them
    cache_repaired: int = 0  # damaged cache entries found, deleted and recomputed
    cache_read_only: bool = False  # results of this run could not be stored
    models_loaded: int = 0
    retries: int = 0  # batches re-run after a worker died (engine "ray")
    stories: int = 0  # groups of articles about one event, each with a digest in out/stories/
    translations_saved: int = 0  # sentences shared between articles of a story, translated once
    archived: int = 0  # articles the index lists: every record in out/, this run's and earlier runs'
    gone: int = 0  # archived articles whose input file no longer exists (kept: see prune)
    pruned: int = 0  # archived articles whose outputs --prune removed
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every article and report page was written."""
        return not self.failed and not self.unwritten

    @property
    def nothing_written(self) -> bool:
        """True when articles were asked for and none was written."""
        return bool(self.failed) and not self.done


class Reporter(Protocol):
    """Progress sink; the CLI shows bars, the library only calls these.

    Articles are processed in windows (`articles`); each window runs the same stages in the
    same order (`translating nl-en`, `summarizing`, `translating en-nl`, each followed by
    `retrying loops (<role>)` when some output looped), then the story digests run under
    stage names prefixed `stories: `. Every stage is advanced exactly to its total unless an
    error ends it early.
    """

    def articles(self, start: int, count: int, total: int) -> None:
        """Articles ``start`` to ``start + count`` of the run's ``total`` are being processed now; ``count`` 0: all are done."""

    def stage(self, name: str, total: int) -> None:
        """A stage of ``total`` steps begins; the previous one has ended."""

    def advance(self, n: int = 1) -> None:
        """``n`` more steps of the current stage are done."""

    def status(self, text: str) -> None:
        """A passing state of the run (`loading nl-en model`, `cache busy`); an empty text clears it."""


class NullReporter:
    """A Reporter that shows nothing."""

    def articles(self, start: int, count: int, total: int) -> None:
        """Nothing to show."""

    def stage(self, name: str, total: int) -> None:
        """Nothing to show."""

    def advance(self, n: int = 1) -> None:
        """Nothing to show."""

    def status(self, text: str) -> None:
        """Nothing to show."""
