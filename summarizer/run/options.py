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


@dataclass
class RunReport:
    """What happened, for the end-of-run report."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # folders and files not looked at, with the reason
    ignored: int = 0  # files no reader takes
    sentences: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    cache_repaired: int = 0  # damaged cache entries found, deleted and recomputed
    cache_read_only: bool = False  # results of this run could not be stored
    models_loaded: int = 0
    retries: int = 0  # batches re-run after a worker died (engine "ray")
    stories: int = 0  # groups of articles about one event, each with a digest in out/stories/
    translations_saved: int = 0  # sentences shared between articles of a story, translated once
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every article was written."""
        return not self.failed


class Reporter(Protocol):
    """Progress sink; the CLI shows bars, the library only calls these."""

    def stage(self, name: str, total: int) -> None:
        """A new stage of ``total`` steps begins."""

    def advance(self, n: int = 1) -> None:
        """``n`` more steps of the current stage are done."""

    def status(self, text: str) -> None:
        """A passing state of the run (`cache busy`); an empty text clears it."""


class NullReporter:
    """A Reporter that shows nothing."""

    def stage(self, name: str, total: int) -> None:
        """Nothing to show."""

    def advance(self, n: int = 1) -> None:
        """Nothing to show."""

    def status(self, text: str) -> None:
        """Nothing to show."""
