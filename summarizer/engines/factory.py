"""Choosing a backend: a registry of engines and `auto`, which prefers CTranslate2 and falls back to torch."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Callable

from .ctranslate2 import CT2Engine
from .torch import TorchEngine
from ..errors import ModelLoadError, UsageError
from ..models.sources import ModelSource

__all__ = ["ENGINES", "ENGINE_CHOICES", "make_engine", "FallbackEngine", "ct2_available", "default_batch_tokens"]

log = logging.getLogger(__name__)


def _torch(source: ModelSource, *, device: str, dtype: str, store: Path) -> TorchEngine:
    return TorchEngine(source, device=device, dtype=dtype)


def _ct2(source: ModelSource, *, device: str, dtype: str, store: Path) -> CT2Engine:
    return CT2Engine(source, device=device, store=store)


ENGINES: dict[str, Callable[..., Any]] = {"torch": _torch, "ctranslate2": _ct2}
ENGINE_CHOICES = ("auto", *ENGINES)
# Input tokens per translation batch when --batch-tokens is not given: (engine, device) -> budget.
# CPU: 1024 was fastest for CTranslate2 int8 on 2 cores (Marian shape, beam 4; 256-8192 tried, bench/notes.md).
_BATCH_TOKENS = {("torch", "cpu"): 1024, ("torch", "cuda"): 8192, ("ctranslate2", "cpu"): 1024, ("ctranslate2", "cuda"): 16384}


def ct2_available() -> bool:
    """True when CTranslate2 is installed (checked without importing it)."""
    return importlib.util.find_spec("ctranslate2") is not None


def default_batch_tokens(engine: str, device: str) -> int:
    """Translation token budget per batch for an engine name (auto counts as ctranslate2 when installed)."""
    if engine == "auto":
        engine = "ctranslate2" if ct2_available() else "torch"
    return _BATCH_TOKENS[(engine, device)]


def make_engine(name: str, source: ModelSource, *, device: str, dtype: str, store: Path) -> Any:
    """An engine for one role: `torch`, `ctranslate2`, or `auto` (CTranslate2, else torch with a warning).

    ``store`` is the folder for converted models; ``dtype`` is the torch precision.
    """
    if name not in ENGINE_CHOICES:
        raise UsageError(f"--engine must be one of {', '.join(ENGINE_CHOICES)}, not {name!r}")
    if name != "auto":
        if name == "ctranslate2" and not ct2_available():
            raise UsageError("--engine ctranslate2 needs CTranslate2: pip install ctranslate2, or pass --engine torch")
        return ENGINES[name](source, device=device, dtype=dtype, store=store)
    fallback = _torch(source, device=device, dtype=dtype, store=store)
    if not ct2_available():
        log.warning("%s: CTranslate2 is not installed; using torch (slower). pip install ctranslate2", source.role)
        return fallback
    return FallbackEngine(_ct2(source, device=device, dtype=dtype, store=store), fallback)


class FallbackEngine:
    """CTranslate2 when it can convert and load the model, else torch; decided once, before any result is keyed.

    The choice is made the first time ``compute`` (part of every cache key) or anything
    else is needed. An already converted model is used without importing anything, so
    fully cached runs stay light; otherwise the conversion is tried then and there.
    """

    def __init__(self, preferred: CT2Engine, fallback: TorchEngine) -> None:
        self.preferred = preferred
        self.fallback = fallback
        self._chosen: Any = None

    @property
    def chosen(self) -> Any:
        """The engine in use: the preferred one, or the fallback after a failed conversion or CUDA check."""
        if self._chosen is None:
            self._chosen = self._choose()
        return self._chosen

    def _choose(self) -> Any:
        engine = self.preferred
        if engine.device == "cuda" and not _ct2_sees_gpu():
            log.warning("%s: CTranslate2 cannot use the GPU here (no CUDA device or no CUDA 12 cuBLAS); using torch", engine.source.role)
            return self.fallback
        if engine.is_converted():
            return engine
        try:
            engine.prepare()
        except ModelLoadError as exc:
            log.warning("%s; using torch instead", exc)
            return self.fallback
        return engine

    @property
    def source(self) -> ModelSource:
        """The role's model."""
        return self.preferred.source

    @property
    def compute(self) -> str:
        """The chosen engine's backend, device and precision."""
        return self.chosen.compute

    @property
    def loads(self) -> int:
        """Weight loads by whichever engine ran."""
        return self.preferred.loads + self.fallback.loads

    @property
    def max_input_tokens(self) -> int:
        """Longest input the model accepts, special tokens included."""
        return self.chosen.max_input_tokens

    @property
    def max_content_tokens(self) -> int:
        """Longest input without special tokens."""
        return self.chosen.max_content_tokens

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token count of each text, without special tokens."""
        return self.chosen.count_tokens(texts)

    def generate(self, texts: list[str], **kwargs: Any) -> list[str]:
        """One batch on the chosen engine."""
        return self.chosen.generate(texts, **kwargs)

    def generate_batches(self, jobs: Iterable[tuple[list[str], dict[str, Any]]]) -> Iterator[list[str]]:
        """Jobs on the chosen engine."""
        return self.chosen.generate_batches(jobs)


def _ct2_sees_gpu() -> bool:
    """CTranslate2 sees a GPU and the CUDA 12 cuBLAS its wheels link against can be loaded."""
    import ctypes

    import ctranslate2

    if ctranslate2.get_cuda_device_count() < 1:
        return False
    try:  # a CUDA 13-only machine has the driver but not this library; CTranslate2 would fail at load
        ctypes.CDLL("libcublas.so.12")
    except OSError:
        return False
    return True
