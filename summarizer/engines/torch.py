"""The torch engine: loads a seq2seq model and tokenizer lazily and runs `generate()` on batches."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError, first_line
from ..models.roles import ROLES
from ..models.sources import ModelSource
from ..models.weights import load_checked

__all__ = ["TokenizedEngine", "TorchEngine", "check_ids", "check_model_dir", "load_error", "quiet_transformers"]

log = logging.getLogger(__name__)

_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")
_TOKENIZER = ("tokenizer.json", "source.spm", "vocab.json", "spiece.model", "sentencepiece.bpe.model", "vocab.txt")


def quiet_transformers() -> None:
    """Silence transformers' progress bars, and its warnings (sequence length, max_length vs max_new_tokens) unless we log verbosely."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own progress display owns the terminal
    if not log.isEnabledFor(logging.INFO):
        hf_logging.set_verbosity_error()


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

    Subclasses set ``source`` and implement ``generate``.
    """

    source: ModelSource

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

    def generate_batches(self, jobs: Iterable[tuple[list[str], dict[str, Any]]]) -> Iterator[list[str]]:
        """Run jobs one after another (one model, one device)."""
        for texts, kwargs in jobs:
            yield self.generate(texts, **kwargs)


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


class TorchEngine(TokenizedEngine):
    """A seq2seq model run with transformers; nothing is imported or loaded until first use."""

    name = "torch"

    def __init__(self, source: ModelSource, *, device: str, dtype: str) -> None:
        self.source = source
        self.device = device
        self.dtype = dtype
        self.loads = 0  # how many times weights were loaded: 0 on a fully cached run

    @property
    def compute(self) -> str:
        """Backend, device and precision: results differ between them, so cache keys include it."""
        return f"{self.name}:{self.device}:{self.dtype}"

    @cached_property
    def model(self) -> Any:
        """The model, in eval mode, on the chosen device and precision."""
        import torch
        from transformers import AutoModelForSeq2SeqLM
        quiet_transformers()
        assert self.source.path is not None
        check_model_dir(self.source.role, self.source.path)
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ModelLoadError(f"{self.source.role}: CUDA was chosen but torch cannot use a GPU here; pass --device cpu")
        model = load_checked(AutoModelForSeq2SeqLM, self.source.path, role=self.source.role, dtype=getattr(torch, self.dtype))
        self.loads += 1
        log.info("%s: loaded %s on %s (%s)", self.source.role, self.source.describe(), self.device, self.dtype)
        return model.to(self.device).eval()

    def generate(self, texts: list[str], **kwargs: Any) -> list[str]:
        """Run `generate()` on one batch; inputs must already fit the model (never truncated)."""
        import torch

        ids = self.encode(texts)
        longest = max(len(i) for i in ids)
        if longest > self.max_input_tokens:
            raise ValueError(f"input of {longest} tokens exceeds the model limit of {self.max_input_tokens}")
        check_ids(ids, self.model.config.vocab_size, self.source)
        batch = self.tokenizer.pad({"input_ids": ids}, return_tensors="pt")
        batch = {k: v.to(self.device) for k, v in batch.items()}
        with torch.inference_mode():
            out = self.model.generate(**batch, **kwargs)
        return [t.strip() for t in self.tokenizer.batch_decode(out, skip_special_tokens=True)]
