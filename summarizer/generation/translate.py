"""Sentence translation: cached, deduplicated, length-sorted token-budget batches, nothing truncated."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from ..cache import Cache, cache_key
from ..engines.base import Engine
from .batching import batches
from .fit import split_to_fit
from .settings import TranslationSettings

__all__ = ["translate"]

log = logging.getLogger(__name__)


def translate(
    texts: list[str],
    *,
    engine: Engine,
    settings: TranslationSettings,
    cache: Cache,
    task: str,
    batch_tokens: int = 1024,
    on_progress: Callable[[int], None] | None = None,
) -> list[str]:
    """Translate each text; results come from the cache when possible and are stored as they finish.

    Texts longer than the model's input limit are split at clause punctuation, then
    spaces, then characters, and the translated parts joined: nothing is dropped.
    """
    keys = [_key(t, engine, settings, task) for t in texts]
    done: dict[str, str] = cache.get_many(keys)
    todo = {k: t for k, t in zip(keys, texts) if k not in done}
    if on_progress:
        on_progress(len(texts) - sum(1 for k in keys if k in todo))
    if todo:
        done.update(_run(todo, engine, settings, cache, task, batch_tokens, keys, on_progress))
    return [done[k] for k in keys]


def _run(todo, engine, settings, cache, task, batch_tokens, keys, on_progress) -> dict[str, str]:
    limit = engine.max_content_tokens
    copies = Counter(keys)  # a sentence repeated in the input counts once per copy for progress
    parts: list[tuple[str, int, str]] = []  # (sentence key, part index, part text)
    n_parts: dict[str, int] = {}
    for key, text in todo.items():
        pieces = split_to_fit(text, engine.count_tokens, limit)
        if len(pieces) > 1:
            log.info("sentence of %d characters split into %d parts to fit %d tokens", len(text), len(pieces), limit)
        n_parts[key] = len(pieces)
        parts.extend((key, i, p) for i, p in enumerate(pieces))
    lengths = engine.count_tokens([p for _, _, p in parts])
    finished: dict[str, dict[int, str]] = {k: {} for k in todo}
    results: dict[str, str] = {}
    groups = batches(lengths, batch_tokens)
    jobs = (
        ([parts[i][2] for i in group], settings.generate_kwargs(max(lengths[i] for i in group), engine.max_content_tokens))
        for group in groups
    )
    for group, outputs in zip(groups, engine.generate_batches(jobs)):
        newly: dict[str, str] = {}
        for i, out in zip(group, outputs):
            key, index, _ = parts[i]
            finished[key][index] = out
            if len(finished[key]) == n_parts[key]:
                newly[key] = " ".join(finished[key][j] for j in range(n_parts[key])).strip()
        if newly:
            cache.put_many(task, newly)
            results.update(newly)
            if on_progress:
                on_progress(sum(copies[k] for k in newly))
    return results


def _key(text: str, engine: Engine, settings: TranslationSettings, task: str) -> str:
    return cache_key(task=task, model=engine.source.ref(), settings=settings.as_dict(), compute=engine.compute, text=text)
