"""Summarizing English text of any length: chunk on sentence boundaries, summarize, combine, repeat."""

from __future__ import annotations

import logging
from typing import Any

from ..errors import SummarizerError
from .fit import pack, split_to_fit
from .settings import SummarySettings
from ..engines.base import Engine
from .batching import batches

__all__ = ["summarize", "chunk_sentences"]

log = logging.getLogger(__name__)

MAX_ROUNDS = 16  # each round must shrink the text (checked), so this only bounds pathological cases


def chunk_sentences(sentences: list[str], engine: Engine) -> list[str]:
    """Join consecutive sentences into chunks that each fit the model's input; over-long sentences are split."""
    limit = engine.max_content_tokens
    units = [piece for s in sentences for piece in split_to_fit(s, engine.count_tokens, limit)]
    chunks: list[str] = []
    for chunk in pack(units, engine.count_tokens(units), limit):
        chunks.extend(split_to_fit(chunk, engine.count_tokens, limit))
    return chunks


def summarize(
    sentences: list[str], *, engine: Engine, settings: SummarySettings, batch_tokens: int = 4096
) -> tuple[str, int]:
    """Summarize a document given as sentences; returns (summary, number of input chunks of the first round)."""
    from ..inputs.segment import split_sentences

    first_chunks = 0
    previous = None
    for round_ in range(MAX_ROUNDS):
        chunks = chunk_sentences(sentences, engine)
        first_chunks = first_chunks or len(chunks)
        summaries = _summarize_chunks(chunks, engine, settings, batch_tokens)
        if len(chunks) == 1:
            return summaries[0], first_chunks
        total = sum(engine.count_tokens(chunks))
        if previous is not None and total >= previous:
            raise SummarizerError(f"summaries stopped shrinking after {round_} rounds ({total} tokens)")
        previous = total
        log.info("round %d: %d chunks summarized separately; combining", round_ + 1, len(chunks))
        sentences = [s for summary in summaries for s in (split_sentences(summary, "en") or [summary])]
    raise SummarizerError(f"text still too long after {MAX_ROUNDS} rounds of chunked summarization")


def _summarize_chunks(chunks: list[str], engine: Engine, settings: SummarySettings, batch_tokens: int) -> list[str]:
    lengths = engine.count_tokens(chunks)
    out: list[str] = [""] * len(chunks)
    kwargs = [settings.generate_kwargs(n, engine.max_content_tokens) for n in lengths]
    groups = [part for group in batches(lengths, batch_tokens, max_batch=16) for part in _same_kwargs(group, kwargs)]
    jobs = (([chunks[i] for i in group], kwargs[group[0]]) for group in groups)
    for group, summaries in zip(groups, engine.generate_batches(jobs)):
        for i, summary in zip(group, summaries):
            out[i] = summary
    return out


def _same_kwargs(group: list[int], kwargs: list[dict[str, Any]]) -> list[list[int]]:
    """Split a batch where the generation arguments change (short inputs get a smaller minimum length)."""
    parts: list[list[int]] = []
    for i in group:
        if parts and kwargs[parts[-1][0]] == kwargs[i]:
            parts[-1].append(i)
        else:
            parts.append([i])
    return parts
