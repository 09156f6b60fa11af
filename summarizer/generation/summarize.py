"""Summarizing English documents of any length, many at once: chunk on sentence boundaries, summarize, combine, repeat."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import SummarizerError
from .fit import pack, pack_even, split_to_fit
from .settings import SummarySettings
from ..engines.base import Engine
from .batching import batches

__all__ = ["summarize_many", "chunk_sentences"]

log = logging.getLogger(__name__)

MAX_ROUNDS = 16  # each round must shrink the text (checked), so this only bounds pathological cases


def chunk_sentences(sentences: list[str], engine: Engine, *, even: bool = True) -> list[str]:
    """Join consecutive sentences into chunks that each fit the model's input; over-long sentences are split.

    ``even``: chunks of about equal length (see fit.pack_even), else each as full as it can be.
    """
    limit = engine.max_content_tokens
    units = [piece for s in sentences for piece in split_to_fit(s, engine.count_tokens, limit)]
    chunks: list[str] = []
    for chunk in (pack_even if even else pack)(units, engine.count_tokens(units), limit):
        chunks.extend(split_to_fit(chunk, engine.count_tokens, limit))
    return chunks


def summarize_many(
    documents: list[list[str]],
    *,
    engine: Engine,
    settings: SummarySettings,
    batch_tokens: int = 4096,
    on_done: Callable[[int, str], None] | None = None,
) -> list[str]:
    """Summarize documents given as sentences, all together: every round's chunks of every document go to the model as one
    stream of length-sorted, token-budget batches.

    A document that fits the model's window is done after one round; a longer one is
    chunked, its chunks summarized, and the partial summaries combined in the next round,
    alongside the other documents' work. ``on_done(index, summary)`` is called as soon as a
    document's summary is final (so it can be cached at once). The result equals
    summarizing each document alone with the same engine.
    """
    from ..inputs.segment import split_sentences

    results: dict[int, str] = {}
    active = {i: _Document(list(sentences)) for i, sentences in enumerate(documents)}
    while active:
        chunked = {i: chunk_sentences(doc.sentences, engine, even=settings.chunking == "even") for i, doc in active.items()}
        flat = [chunk for chunks in chunked.values() for chunk in chunks]
        summaries = iter(_summarize_chunks(flat, engine, settings, batch_tokens))
        for i, chunks in chunked.items():
            outputs = [next(summaries) for _ in chunks]
            if len(chunks) == 1:
                results[i] = outputs[0]
                del active[i]
                if on_done is not None:
                    on_done(i, outputs[0])
                continue
            active[i].combine(chunks, outputs, engine, split=lambda text: split_sentences(text, "en") or [text])
    return [results[i] for i in range(len(documents))]


@dataclass
class _Document:
    """A document being summarized: the sentences of its current round."""

    sentences: list[str]
    rounds: int = 0
    previous: int | None = None  # tokens of the last round's chunks: each round must shrink

    def combine(self, chunks: list[str], summaries: list[str], engine: Engine, *, split: Callable[[str], list[str]]) -> None:
        """The next round: the partial summaries' sentences, if they shrank the text."""
        total = sum(engine.count_tokens(chunks))
        if self.previous is not None and total >= self.previous:
            raise SummarizerError(f"summaries stopped shrinking after {self.rounds} rounds ({total} tokens)")
        self.rounds += 1
        if self.rounds >= MAX_ROUNDS:
            raise SummarizerError(f"text still too long after {MAX_ROUNDS} rounds of chunked summarization")
        self.previous = total
        log.info("round %d: %d chunks summarized separately; combining", self.rounds, len(chunks))
        self.sentences = [s for summary in summaries for s in split(summary)]


def _summarize_chunks(chunks: list[str], engine: Engine, settings: SummarySettings, batch_tokens: int) -> list[str]:
    """Every chunk's summary: chunks that share their generation arguments are batched together, longest first."""
    lengths = engine.count_tokens(chunks)
    out: list[str] = [""] * len(chunks)
    kwargs = [settings.generate_kwargs(n, engine.max_content_tokens) for n in lengths]
    groups = [[members[i] for i in batch]
              for members in _by_kwargs(kwargs)
              for batch in batches([lengths[i] for i in members], batch_tokens, max_batch=16)]
    jobs = (([chunks[i] for i in group], kwargs[group[0]]) for group in groups)
    for group, summaries in zip(groups, engine.generate_batches(jobs)):
        for i, summary in zip(group, summaries):
            out[i] = summary
    return out


def _by_kwargs(kwargs: list[dict[str, Any]]) -> list[list[int]]:
    """Indices grouped by equal generation arguments (short inputs get a smaller minimum length), largest group first."""
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for i, k in enumerate(kwargs):
        groups.setdefault(tuple(sorted(k.items())), []).append(i)
    return sorted(groups.values(), key=lambda g: -len(g))
