"""Splitting text so every piece fits a model's input limit: never truncate, split further."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["split_to_fit", "pack", "pack_even"]

CountFn = Callable[[list[str]], list[int]]

# Coarsest first: clause punctuation, then spaces; below that, characters.
_SEPARATORS = (re.compile(r"(?<=[,;:—–)])\s+"), re.compile(r"\s+"))


def pack(units: list[str], counts: list[int], limit: int) -> list[str]:
    """Greedily join consecutive units with spaces while their summed token counts stay within limit."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for unit, n in zip(units, counts):
        if current and used + n + 1 > limit:
            chunks.append(" ".join(current))
            current, used = [], 0
        current.append(unit)
        used += n + 1  # +1: a joining space may cost a token
    if current:
        chunks.append(" ".join(current))
    return chunks


def pack_even(units: list[str], counts: list[int], limit: int) -> list[str]:
    """As few chunks as ``pack`` makes, with the longest as short as it can be: a long text is cut into halves,
    thirds... of about equal length rather than into full chunks and a short leftover."""
    greedy = pack(units, counts, limit)
    if len(greedy) < 2:
        return greedy
    low, high = -(-sum(n + 1 for n in counts) // len(greedy)), limit  # the even share (rounded up) .. the limit
    while low < high:  # the smallest size that still needs no more chunks (greedy packing is optimal for a size)
        middle = (low + high) // 2
        if len(pack(units, counts, middle)) <= len(greedy):
            high = middle
        else:
            low = middle + 1
    return pack(units, counts, low)


def split_to_fit(text: str, count: CountFn, limit: int, _level: int = 0) -> list[str]:
    """Split text into consecutive pieces of at most ``limit`` tokens each, losing nothing but spaces."""
    if limit < 1:
        raise ValueError("limit must be positive")
    if count([text])[0] <= limit:
        return [text]
    for level in range(_level, len(_SEPARATORS)):
        units = [u for u in _SEPARATORS[level].split(text) if u]
        if len(units) > 1:
            pieces: list[str] = []
            for chunk in pack(units, count(units), limit):
                pieces.extend(split_to_fit(chunk, count, limit, level + (chunk == text)))
            return pieces
    if len(text) < 2:
        return [text]  # one character over the limit cannot be split; the engine reports it
    middle = len(text) // 2
    return split_to_fit(text[:middle], count, limit, len(_SEPARATORS)) + split_to_fit(
        text[middle:], count, limit, len(_SEPARATORS)
    )
