"""Repetition guard: detect generated text that loops, regenerate it once with stricter settings, flag what still loops."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache


__all__ = ["find_loop", "guard"]

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+(?:['’-]\w+)*", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@lru_cache(maxsize=1 << 14)  # wire copy repeats: the same sentences come back across a batch
def find_loop(text: str) -> str | None:
    """A short description of how ``text`` loops, or None.

    Loops are: a sentence of three or more words said twice; a run of one to eight words
    repeated three times in a row; a 4-gram used three or more times.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    seen: set[tuple[str, ...]] = set()
    for sentence in _SENTENCE.split(text):
        key = tuple(w.lower() for w in _WORD.findall(sentence))
        if len(key) >= 3:
            if key in seen:
                return f"sentence repeated: {sentence.strip()[:60]!r}"
            seen.add(key)
    for size in range(1, 9):
        for start in range(0, len(words) - size * 3 + 1):
            unit = words[start:start + size]
            if words[start + size:start + 2 * size] == unit == words[start + 2 * size:start + 3 * size]:
                return f"{' '.join(unit)!r} repeated 3 times in a row"
    grams = Counter(tuple(words[i:i + 4]) for i in range(len(words) - 3))
    if grams:
        gram, count = grams.most_common(1)[0]
        if count >= 3:
            return f"{' '.join(gram)!r} used {count} times"
    return None


def guard(
    outputs: Sequence[str],
    inputs: Sequence[str],
    regenerate: Callable[[list[int]], list[str]],
) -> tuple[list[str], list[str | None], int]:
    """Regenerate looping outputs once, strictly; returns (outputs, the loop still found per output or None, retried count).

    An output counts as looping only when its input does not loop itself (a repeated
    chant in the source may be translated as one). ``regenerate`` gets the indices to redo.
    """
    result = list(outputs)
    looping = [i for i, (out, src) in enumerate(zip(outputs, inputs)) if find_loop(out) and not find_loop(src)]
    flags: list[str | None] = [None] * len(result)
    if not looping:
        return result, flags, 0
    log.info("%d generated texts loop; regenerating them with stricter settings", len(looping))
    for i, text in zip(looping, regenerate(looping)):
        result[i] = text
        flags[i] = find_loop(text)
    still = sum(1 for f in flags if f)
    if still:
        log.warning("%d of %d regenerated texts still loop; flagged in the output", still, len(looping))
    return result, flags, len(looping)
