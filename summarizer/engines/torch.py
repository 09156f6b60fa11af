"""The torch engine: loads a seq2seq model and tokenizer lazily and runs `generate()` on batches."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

from ..errors import ModelLoadError
from ..models.sources import ModelSource
from ..models.weights import load_checked, quiet_transformers
from .base import TokenizedEngine, check_ids, check_model_dir

__all__ = ["TorchEngine"]

log = logging.getLogger(__name__)


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

    def preload(self) -> None:
        """Load the model now."""
        self.model

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
