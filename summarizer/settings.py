"""Generation settings: frozen, hashable, and part of every cache key and output signature."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

__all__ = ["TranslationSettings", "SummarySettings"]


@dataclass(frozen=True)
class TranslationSettings:
    """How sentences are translated (nl->en and en->nl)."""

    num_beams: int = 4  # opus-mt's published default
    # Output cap: at most ratio * input tokens + extra new tokens, so a degenerate
    # model cannot loop to the 512-token limit on a short sentence.
    max_length_ratio: float = 2.0
    max_length_extra: int = 10
    no_repeat_ngram_size: int = 0  # 0: off (opus-mt's default); the repetition guard retries loops with 3

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON records and cache keys."""
        return asdict(self)

    def with_overrides(self, **changes: Any) -> TranslationSettings:
        """Copy with the given non-None fields replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def max_new_tokens(self, input_tokens: int, limit: int) -> int:
        """Output-length cap for an input of ``input_tokens`` tokens."""
        return max(1, min(limit, int(self.max_length_ratio * input_tokens) + self.max_length_extra))


@dataclass(frozen=True)
class SummarySettings:
    """How English text is summarized; defaults are the CNN/DailyMail settings."""

    num_beams: int = 4
    length_penalty: float = 2.0
    min_length: int = 56  # tokens, per summary (and per partial summary of a chunk)
    max_length: int = 142
    no_repeat_ngram_size: int = 3
    early_stopping: bool = True

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON records and cache keys."""
        return asdict(self)

    def with_overrides(self, **changes: Any) -> SummarySettings:
        """Copy with the given non-None fields replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
