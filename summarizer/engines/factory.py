"""Choosing a backend: the engine names, one registry, and `auto`, which prefers CTranslate2 and falls back to torch."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from pathlib import Path

from ..errors import ModelLoadError, UsageError
from ..models.sources import ModelSource
from .base import Engine, Job, WrappedEngine
from .ctranslate2 import CT2Engine
from .cuda import ct2_gpu_problem
from .torch import TorchEngine

__all__ = ["EngineName", "ENGINES", "make_engine", "FallbackEngine", "ct2_available", "default_batch_tokens"]

log = logging.getLogger(__name__)


class EngineName(str, Enum):
    """The engines a run can ask for (`--engine`)."""

    AUTO = "auto"  # CTranslate2 when it can convert and load the model, else torch
    TORCH = "torch"
    CTRANSLATE2 = "ctranslate2"
    RAY = "ray"  # auto's engine on Ray workers (summarizer/engines/ray.py)

    @classmethod
    def parse(cls, value: str | EngineName) -> EngineName:
        """The name for a string, or a UsageError listing the choices."""
        try:
            return cls(value)
        except ValueError:
            raise UsageError(f"--engine must be one of {', '.join(e.value for e in cls)}, not {value!r}") from None


def _torch(source: ModelSource, *, device: str, dtype: str, store: Path) -> TorchEngine:
    return TorchEngine(source, device=device, dtype=dtype)


def _ct2(source: ModelSource, *, device: str, dtype: str, store: Path) -> CT2Engine:
    return CT2Engine(source, device=device, store=store)


ENGINES: dict[EngineName, Callable[..., Engine]] = {EngineName.TORCH: _torch, EngineName.CTRANSLATE2: _ct2}
# Input tokens per translation batch when --batch-tokens is not given: (engine, device) -> budget.
# CPU: 1024 was fastest for CTranslate2 int8 on 2 cores (Marian shape, beam 4; 256-8192 tried, bench/notes.md).
_BATCH_TOKENS = {
    (EngineName.TORCH, "cpu"): 1024,
    (EngineName.TORCH, "cuda"): 8192,
    (EngineName.CTRANSLATE2, "cpu"): 1024,
    (EngineName.CTRANSLATE2, "cuda"): 16384,
}


def ct2_available() -> bool:
    """True when CTranslate2 is installed (checked without importing it)."""
    return importlib.util.find_spec("ctranslate2") is not None


def default_batch_tokens(engine: EngineName, device: str) -> int:
    """Translation token budget per batch for a local engine (auto counts as ctranslate2 when installed)."""
    if engine is EngineName.AUTO:
        engine = EngineName.CTRANSLATE2 if ct2_available() else EngineName.TORCH
    return _BATCH_TOKENS[(engine, device)]


def make_engine(name: EngineName | str, source: ModelSource, *, device: str, dtype: str, store: Path) -> Engine:
    """An engine for one role: `torch`, `ctranslate2`, or `auto` (CTranslate2, else torch with a warning).

    ``store`` is the folder for converted models; ``dtype`` is the torch precision. Ray
    engines wrap these (summarizer/engines/ray.py).
    """
    name = EngineName.parse(name)
    if name is EngineName.RAY:
        raise ValueError("Ray engines wrap local ones: see summarizer.engines.ray.ray_engines")
    if name is not EngineName.AUTO:
        return ENGINES[name](source, device=device, dtype=dtype, store=store)
    fallback = _torch(source, device=device, dtype=dtype, store=store)
    if not ct2_available():
        log.warning("%s: CTranslate2 is not installed; using torch (slower). pip install ctranslate2", source.role)
        return fallback
    return FallbackEngine(_ct2(source, device=device, dtype=dtype, store=store), fallback)


class FallbackEngine(WrappedEngine):
    """CTranslate2 when it can convert and load the model, else torch; decided once, before any result is keyed.

    The choice is made the first time ``compute`` (part of every cache key) or anything
    else is needed. An already converted model is used without importing anything, so
    fully cached runs stay light; otherwise the conversion is tried then and there.
    """

    name = "auto"

    def __init__(self, preferred: CT2Engine, fallback: TorchEngine) -> None:
        self.preferred = preferred
        self.fallback = fallback
        self._chosen: Engine | None = None
        self.why: str | None = None  # why the fallback was chosen, for the run's engine line

    @property
    def inner(self) -> Engine:
        """The engine in use: the preferred one, or the fallback after a failed conversion or CUDA check."""
        if self._chosen is None:
            self._chosen = self._choose()
        return self._chosen

    def _choose(self) -> Engine:
        engine = self.preferred
        if engine.device == "cuda" and (problem := ct2_gpu_problem()):
            self.why = f"CTranslate2 cannot use the GPU here: {problem}"
            log.warning("%s: %s; using torch", engine.source.role, self.why)
            return self.fallback
        if engine.is_converted():
            return engine
        try:
            engine.prepare()
        except ModelLoadError as exc:
            self.why = str(exc)
            log.warning("%s; using torch instead", exc)
            return self.fallback
        return engine

    @property
    def source(self) -> ModelSource:
        """The role's model (known before the choice is made)."""
        return self.preferred.source

    @property
    def loads(self) -> int:
        """Weight loads by whichever engine ran."""
        return self.preferred.loads + self.fallback.loads

    def generate_batches(self, jobs: Iterable[Job]) -> Iterator[list[str]]:
        """Jobs on the chosen engine."""
        return self.inner.generate_batches(jobs)
