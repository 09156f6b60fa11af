"""The engine contract: what every backend offers, the tokenizer side local engines share, and the wrapper base.

An engine runs one model role. `Engine` is the whole interface the rest of the package
may use; `TokenizedEngine` implements everything but generation for engines that run a
model in this process (torch, CTranslate2); `WrappedEngine` delegates to another engine
for those that decide where generation happens (the CTranslate2-else-torch fallback, Ray).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from ..errors import ModelLoadError, first_line
from ..models.roles import ROLES
from ..models.sources import ModelSource
from ..models.weights import quiet_transformers

__all__ = ["Engine", "Job", "TokenizedEngine", "WrappedEngine", "check_ids", "check_model_dir", "load_error"]

log = logging.getLogger(__name__)

Job = tuple[list[str], dict[str, Any]]  # texts and the generate() arguments for them


class Engine(Protocol):
    """What translation and summarization need from a model backend; every engine implements all of it."""

    name: str

    @property
    def source(self) -> ModelSource:
        """The role's model."""

    @property
    def compute(self) -> str:
        """Backend, device and precision (`ctranslate2:cpu:int8`): part of every cache key."""

    @property
    def max_input_tokens(self) -> int:
        """Longest input, special tokens included, that the model accepts."""

    @property
    def max_content_tokens(self) -> int:
        """Longest input without the special tokens the tokenizer adds."""

    @property
    def loads(self) -> int:
        """How many times weights were loaded (0 on a fully cached run)."""

    @property
    def retries(self) -> int:
        """Batches re-run after a worker failure (only Ray has workers that fail)."""

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token count of each text, without special tokens."""

    def generate(self, texts: list[str], **kwargs: Any) -> list[str]:
        """One batch; inputs must already fit the model (never truncated)."""

    def generate_batches(self, jobs: Iterable[Job]) -> Iterator[list[str]]:
        """Outputs of each job, in order; engines may run jobs concurrently."""

    def concurrency(self) -> int:
        """How many callers of `generate_batches` can usefully run at once."""

    def preload(self) -> None:
        """Load the model now instead of at the first batch."""

    def close(self) -> None:
        """Release workers and devices; the engine is not used afterwards."""


_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")
_TOKENIZER = ("tokenizer.json", "source.spm", "vocab.json", "spiece.model", "sentencepiece.bpe.model", "vocab.txt")


def check_model_dir(role: str, path: Path) -> None:
    """Raise a ModelLoadError naming the role and the fix when a model directory is incomplete."""
    option = ROLES[role].option
    missing = []
    if not (path / "config.json").is_file():
        missing.append("config.json")
    if not any((path / name).is_file() for name in _WEIGHTS):
        missing.append("weights (model.safetensors)")
    if not any((path / name).is_file() for name in _TOKENIZER):
        missing.append("tokenizer files")
    if missing:
        raise ModelLoadError(
            f"{role}: model directory {path} lacks {', '.join(missing)}; re-save it with "
            f"save_pretrained() (model and tokenizer), rerun `summarize models fetch`, or pass another {option}"
        )


class TokenizedEngine:
    """The tokenizer side every local engine shares: loading, input limits, token counts, batch loop.

    Subclasses set ``name``, ``source`` and ``loads`` and implement ``compute``, ``generate`` and ``preload``.
    """

    name: str
    source: ModelSource
    loads: int
    retries = 0  # local engines have no workers to lose

    @cached_property
    def tokenizer(self) -> Any:
        """The checkpoint's transformers tokenizer."""
        from transformers import AutoTokenizer

        quiet_transformers()
        assert self.source.path is not None
        check_model_dir(self.source.role, self.source.path)
        try:
            return AutoTokenizer.from_pretrained(self.source.path)
        except Exception as exc:  # transformers raises many kinds; all mean "cannot load"
            raise load_error(self.source, "tokenizer", exc) from exc

    @cached_property
    def max_input_tokens(self) -> int:
        """Longest input, special tokens included, that the model accepts."""
        assert self.source.path is not None
        try:
            config = json.loads((self.source.path / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            config = {}
        limits = [config.get("max_position_embeddings"), getattr(self.tokenizer, "model_max_length", None)]
        usable = [n for n in limits if isinstance(n, int) and 0 < n < 1_000_000]
        return min(usable) if usable else 512

    @cached_property
    def max_content_tokens(self) -> int:
        """Longest input without the special tokens the tokenizer adds."""
        return self.max_input_tokens - len(self.encode([""])[0])

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token count of each text, without special tokens."""
        if not texts:
            return []
        return [len(ids) for ids in self.encode(texts, add_special_tokens=False)]

    def encode(self, texts: list[str], *, add_special_tokens: bool = True) -> list[list[int]]:
        """Token ids of each text; special-token strings in the text (`<mask>`, `</s>`) are encoded as plain text."""
        return self.tokenizer(texts, add_special_tokens=add_special_tokens, truncation=False, split_special_tokens=True)["input_ids"]

    def generate(self, texts: list[str], **kwargs: Any) -> list[str]:
        """One batch; inputs must already fit the model (never truncated)."""
        raise NotImplementedError

    def generate_batches(self, jobs: Iterable[Job]) -> Iterator[list[str]]:
        """Run jobs one after another (one model, one device)."""
        for texts, kwargs in jobs:
            yield self.generate(texts, **kwargs)

    def concurrency(self) -> int:
        """One model on one device: jobs run one at a time."""
        return 1

    def preload(self) -> None:
        """Load the model now."""
        raise NotImplementedError

    def close(self) -> None:
        """Nothing to release: the model goes with the process."""


def check_ids(ids: list[list[int]], vocab_size: int, source: ModelSource) -> None:
    """Refuse token ids the model has no embedding for (a tokenizer with more entries than the model's rows)."""
    top = max((max(i) for i in ids if i), default=-1)
    if top >= vocab_size:
        raise ValueError(f"{source.role}: the tokenizer produced id {top}, beyond the model's {vocab_size} embeddings")


def load_error(source: ModelSource, what: str, exc: Exception) -> ModelLoadError:
    """A ModelLoadError naming the role, the directory, the cause and the option that replaces the model."""
    return ModelLoadError(
        f"{source.role}: cannot load the {what} from {source.path} ({first_line(exc)}); "
        f"check the directory or pass another {ROLES[source.role].option}"
    )




class WrappedEngine:
    """An engine that hands its work to ``inner``: tokens, limits and compute are the inner engine's.

    Subclasses implement ``inner``, ``loads`` and ``generate_batches``.
    """

    name: str

    @property
    def inner(self) -> Engine:
        """The engine whose tokenizer, limits and numerics this one shares."""
        raise NotImplementedError

    @property
    def source(self) -> ModelSource:
        """The role's model."""
        return self.inner.source

    @property
    def compute(self) -> str:
        """The inner engine's backend, device and precision: wrapping does not change results."""
        return self.inner.compute

    @property
    def max_input_tokens(self) -> int:
        """Longest input the model accepts, special tokens included."""
        return self.inner.max_input_tokens

    @property
    def max_content_tokens(self) -> int:
        """Longest input without special tokens."""
        return self.inner.max_content_tokens

    @property
    def loads(self) -> int:
        """Weight loads."""
        raise NotImplementedError

    @property
    def retries(self) -> int:
        """Batches re-run after a worker failure."""
        return 0

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token count of each text, without special tokens."""
        return self.inner.count_tokens(texts)

    def generate(self, texts: list[str], **kwargs: Any) -> list[str]:
        """One batch."""
        return next(iter(self.generate_batches([(texts, kwargs)])))

    def generate_batches(self, jobs: Iterable[Job]) -> Iterator[list[str]]:
        """Outputs of each job, in order."""
        raise NotImplementedError

    def concurrency(self) -> int:
        """Jobs that can usefully run at once."""
        return 1

    def preload(self) -> None:
        """Load the model now."""
        self.inner.preload()

    def close(self) -> None:
        """Release what the inner engine holds."""
        self.inner.close()
