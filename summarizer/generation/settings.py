"""Generation settings: the checkpoint's own unless the user overrides them; frozen, part of every cache key and signature."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = ["TranslationSettings", "SummarySettings", "Overrides", "published_settings", "STRICT_NO_REPEAT_NGRAM", "CHUNKINGS"]

STRICT_NO_REPEAT_NGRAM = 3  # a looping output's retry: no trigram may repeat (opus-mt's default is no constraint)
CHUNKINGS = ("even", "greedy")  # how a text longer than the summarizer's window is cut (SummarySettings.chunking)


@dataclass(frozen=True)
class TranslationSettings:
    """How sentences are translated (nl->en and en->nl)."""

    num_beams: int = 4  # the checkpoint's (opus-mt-nl-en publishes 6, opus-mt-en-nl 4); 4 if it names none
    # Output cap: at most ratio * input tokens + extra new tokens, so a degenerate
    # model cannot loop to the 512-token limit on a short sentence.
    max_length_ratio: float = 2.0
    max_length_extra: int = 10
    no_repeat_ngram_size: int = 0  # 0: off (opus-mt's default); the repetition guard retries loops with 3

    @classmethod
    def published(cls, config: dict[str, Any]) -> TranslationSettings:
        """The settings a checkpoint publishes (generation_config.json, else config.json)."""
        return cls(**_known(cls, config, ("num_beams", "no_repeat_ngram_size")))

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON records and cache keys."""
        return asdict(self)

    def with_overrides(self, **changes: Any) -> TranslationSettings:
        """Copy with the given non-None fields replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def max_new_tokens(self, input_tokens: int, limit: int) -> int:
        """Output-length cap for an input of ``input_tokens`` tokens."""
        return max(1, min(limit, int(self.max_length_ratio * input_tokens) + self.max_length_extra))

    def generate_kwargs(self, input_tokens: int, limit: int) -> dict[str, Any]:
        """`generate()` arguments for a batch whose longest input has ``input_tokens`` tokens (``limit``: the model's)."""
        return {
            "num_beams": self.num_beams,
            **({"no_repeat_ngram_size": self.no_repeat_ngram_size} if self.no_repeat_ngram_size else {}),
            "max_new_tokens": self.max_new_tokens(input_tokens, limit),
        }

    def strict(self) -> TranslationSettings:
        """Settings for a second try at a looping translation: no trigram may repeat (or a smaller n than now)."""
        current = self.no_repeat_ngram_size
        return replace(self, no_repeat_ngram_size=STRICT_NO_REPEAT_NGRAM if not current or current > 3 else max(2, current - 1))


@dataclass(frozen=True)
class SummarySettings:
    """How English text is summarized; defaults are distilbart-cnn's published CNN/DailyMail settings."""

    num_beams: int = 4
    length_penalty: float = 2.0
    min_length: int = 56  # tokens, per summary (and per partial summary of a chunk)...
    max_length: int = 142
    no_repeat_ngram_size: int = 3
    early_stopping: bool = True
    # ...but never more than this share of the input's tokens, so that a three-sentence brief
    # is not padded out to 56 tokens with invented text. 0 turns the scaling off.
    min_length_ratio: float = 0.5
    # How a text longer than the model's window is cut: "even" chunks of about equal length (no short
    # leftover that would be summarized alone, and in a batch of its own), or "greedy": each chunk as full as
    # it can be (how texts were cut before; the benchmark's baseline). Part of every cache key.
    chunking: str = "even"

    def __post_init__(self) -> None:
        if self.chunking not in CHUNKINGS:
            raise ValueError(f"chunking must be one of {', '.join(CHUNKINGS)}, not {self.chunking!r}")

    @classmethod
    def published(cls, config: dict[str, Any]) -> SummarySettings:
        """The settings a checkpoint publishes (generation_config.json, else config.json's summarization settings)."""
        names = ("num_beams", "length_penalty", "min_length", "max_length", "no_repeat_ngram_size", "early_stopping")
        return cls(**_known(cls, config, names))

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON records and cache keys."""
        return asdict(self)

    def with_overrides(self, **changes: Any) -> SummarySettings:
        """Copy with the given non-None fields replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def min_length_for(self, input_tokens: int) -> int:
        """Minimum summary length for an input of ``input_tokens`` tokens."""
        if self.min_length_ratio <= 0:
            return self.min_length
        return max(1, min(self.min_length, int(self.min_length_ratio * input_tokens)))

    def generate_kwargs(self, input_tokens: int, limit: int) -> dict[str, Any]:
        """`generate()` arguments for summarizing an input of ``input_tokens`` tokens (``limit``: the model's window).

        A summary may use at most a quarter of the window, so that partial summaries always
        combine into fewer chunks even when re-tokenizing them costs more tokens (real models:
        1024 // 4 = 256 leaves the CNN/DM max_length of 142 untouched). The minimum length
        shrinks with short inputs (see min_length_for).
        """
        max_length = max(2, min(self.max_length, limit // 4))
        return {
            "num_beams": self.num_beams,
            "length_penalty": self.length_penalty,
            "min_length": min(self.min_length_for(input_tokens), max_length),
            "max_length": max_length,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "early_stopping": self.early_stopping,
        }

    def strict(self) -> SummarySettings:
        """Settings for a second try at a looping summary: a smaller no-repeat n-gram (3, or 2 when already 3)."""
        current = self.no_repeat_ngram_size
        return replace(self, no_repeat_ngram_size=STRICT_NO_REPEAT_NGRAM if not current or current > 3 else max(2, current - 1))


@dataclass(frozen=True)
class Overrides:
    """Generation settings chosen by the user; None keeps each checkpoint's own value."""

    num_beams: int | None = None  # translation and summaries
    min_length: int | None = None
    max_length: int | None = None
    length_penalty: float | None = None
    min_length_ratio: float | None = None
    max_length_ratio: float | None = None  # translation output cap (see TranslationSettings)
    max_length_extra: int | None = None

    def __post_init__(self) -> None:
        for name in ("length_penalty", "min_length_ratio", "max_length_ratio"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise UsageError(f"{name.replace('_', '-')} must be a finite number, not {value}")
        if self.min_length is not None and self.max_length is not None and self.min_length > self.max_length:
            raise UsageError(f"--min-length {self.min_length} is larger than --max-length {self.max_length}")

    def translation(self, config: dict[str, Any]) -> TranslationSettings:
        """A translation model's settings: its published ones with these overrides."""
        return TranslationSettings.published(config).with_overrides(
            num_beams=self.num_beams, max_length_ratio=self.max_length_ratio, max_length_extra=self.max_length_extra
        )

    def summary(self, config: dict[str, Any]) -> SummarySettings:
        """The summarizer's settings: its published ones with these overrides."""
        return SummarySettings.published(config).with_overrides(
            num_beams=self.num_beams, min_length=self.min_length, max_length=self.max_length,
            length_penalty=self.length_penalty, min_length_ratio=self.min_length_ratio,
        )


def published_settings(model_dir: Path | None, *, task: str) -> dict[str, Any]:
    """Generation values a checkpoint publishes: generation_config.json, else config.json (task-specific values first).

    distilbart-cnn has no generation_config.json: its settings live in config.json, at the
    top level and under ``task_specific_params.summarization``.
    """
    if model_dir is None:
        return {}
    generation = _read_json(model_dir / "generation_config.json")
    if generation:
        return generation
    config = _read_json(model_dir / "config.json")
    specific = (config.get("task_specific_params") or {}).get(task)
    return {**config, **specific} if isinstance(specific, dict) else config


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _known(cls: type, config: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The named values from ``config`` that have the field's type (a bad value keeps the default)."""
    types = {f.name: type(getattr(cls(), f.name)) for f in fields(cls)}
    out: dict[str, Any] = {}
    for name in names:
        value = config.get(name)
        kind = types[name]
        if isinstance(value, bool) != (kind is bool):
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool) and kind in (int, float):
            if kind is int and value != int(value):
                continue
            out[name] = kind(value)
        elif kind is bool and isinstance(value, bool):
            out[name] = value
    if out.get("num_beams", 1) < 1:
        out.pop("num_beams")
    return out
