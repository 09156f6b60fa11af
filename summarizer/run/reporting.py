"""What the run tells its Reporter beyond stages: stage names of the story digests, and model loading on the status line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ..engines.base import Engine, Job, WrappedEngine
from ..engines.ctranslate2 import CT2Engine
from ..engines.factory import FallbackEngine
from .options import Reporter

__all__ = ["Prefixed", "Announced"]


class Prefixed:
    """A Reporter whose stage names start with ``prefix`` (`stories: summarizing`); the rest passes through."""

    def __init__(self, reporter: Reporter, prefix: str) -> None:
        self.reporter = reporter
        self.prefix = prefix

    def articles(self, start: int, count: int, total: int) -> None:
        """Passed through."""
        self.reporter.articles(start, count, total)

    def stage(self, name: str, total: int) -> None:
        """The stage, named with the prefix."""
        self.reporter.stage(f"{self.prefix}: {name}", total)

    def advance(self, n: int = 1) -> None:
        """Passed through."""
        self.reporter.advance(n)

    def status(self, text: str) -> None:
        """Passed through."""
        self.reporter.status(text)


class Announced(WrappedEngine):
    """A role's engine that shows on the status line while its model is being converted or loaded.

    Engines do that lazily: the choice between CTranslate2 and torch, and with it a first
    conversion, happens at the first cache key (`compute`); tokenizer and weights load at the
    first token count or batch, which this wrapper turns into one `preload` under a status.
    A run whose results are all cached asks for neither, so it loads nothing and shows nothing.
    """

    def __init__(self, engine: Engine, reporter: Reporter) -> None:
        self._engine = engine
        self.reporter = reporter
        self.name = engine.name
        self._compute: str | None = None
        self._loaded = False

    @property
    def inner(self) -> Engine:
        """The role's engine."""
        return self._engine

    @property
    def compute(self) -> str:
        """The engine's backend, device and precision; the first time, under a status (it may convert the model)."""
        if self._compute is None:
            if _unconverted(self._engine) and isinstance(self._engine, FallbackEngine):  # auto converts to choose
                with self._status(self._converting()):
                    self._compute = self._engine.compute
            else:
                self._compute = self._engine.compute
        return self._compute

    @property
    def loads(self) -> int:
        """The engine's model loads."""
        return self._engine.loads

    @property
    def retries(self) -> int:
        """The engine's re-run batches."""
        return self._engine.retries

    @property
    def max_input_tokens(self) -> int:
        """Longest input, special tokens included (loads the model)."""
        self._load()
        return self._engine.max_input_tokens

    @property
    def max_content_tokens(self) -> int:
        """Longest input without special tokens (loads the model)."""
        self._load()
        return self._engine.max_content_tokens

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts (loads the model)."""
        self._load()
        return self._engine.count_tokens(texts)

    def generate_batches(self, jobs: Iterable[Job]) -> Iterator[list[str]]:
        """The engine's outputs (loads the model first)."""
        self._load()
        return self._engine.generate_batches(jobs)

    def concurrency(self) -> int:
        """The engine's concurrency."""
        return self._engine.concurrency()

    def _load(self) -> None:
        if not self._loaded and not self._engine.loads:
            if _unconverted(self._engine):  # --engine ctranslate2 converts on the first load
                with self._status(self._converting()):
                    self._engine.preload()
            else:
                with self._status(f"loading {self.source.role} model"):
                    self._engine.preload()
        self._loaded = True

    def _converting(self) -> str:
        return f"converting {self.source.role} model to CTranslate2 (once: later runs reuse it)"

    @contextmanager
    def _status(self, text: str) -> Iterator[None]:
        self.reporter.status(text)
        try:
            yield
        finally:
            self.reporter.status("")


def _unconverted(engine: Engine) -> bool:
    """Whether using ``engine`` first converts its model to CTranslate2 (asked without importing anything)."""
    if isinstance(engine, FallbackEngine):
        engine = engine.preferred
    return isinstance(engine, CT2Engine) and not engine.is_converted()
