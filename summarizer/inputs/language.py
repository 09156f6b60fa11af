"""Is this Dutch? A dependency-free guess from function words, to catch articles in the wrong language."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["LanguageGuess", "guess_language", "LANGUAGE_NAMES"]

# Frequent function words that are (nearly) unique to each language: "de", "en", "in",
# "is", "die" and "was" are shared between these languages and left out.
_FUNCTION_WORDS = {
    "nl": "het een van niet dat zijn voor met ook maar bij naar wordt werd heeft hebben deze er nog "
          "uit door wel geen zich tegen hun worden zou kan veel dan twee jaar onder over zij hij".split(),
    "en": "the and of to that with for was were this from they have has been which would their "
          "are not but will said who than its also after".split(),
    "fr": "le la les des du une est et pour que qui dans pas sur sont avec plus au ont été cette "
          "aux ses par mais comme nous".split(),
    "de": "der das und nicht ist den dem ein eine mit sich auf für auch wird wurde sind zu von "
          "nach bei aus noch oder werden".split(),
}
LANGUAGE_NAMES = {"nl": "Dutch", "en": "English", "fr": "French", "de": "German"}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SAMPLE_WORDS = 5000  # the first words decide; enough for any article, bounded for huge ones
_MIN_HITS = 8  # fewer function words than this: too little evidence, so no verdict


@dataclass(frozen=True)
class LanguageGuess:
    """The likeliest language and the share of words that are each language's function words."""

    language: str | None  # None: too little evidence to tell
    shares: dict[str, float]

    @property
    def dutch(self) -> bool:
        """False only when another language is clearly more likely than Dutch."""
        return self.language in (None, "nl")

    def describe(self) -> str:
        """E.g. 'English (function words: en 31%, nl 2%)'."""
        ranked = sorted(self.shares.items(), key=lambda kv: -kv[1])[:2]
        detail = ", ".join(f"{lang} {100 * share:.0f}%" for lang, share in ranked)
        return f"{LANGUAGE_NAMES.get(self.language or '', 'unknown')} (function words: {detail})"


def guess_language(text: str) -> LanguageGuess:
    """Guess the language of a text; another language must beat Dutch by a wide margin to win."""
    words = [m.group(0).lower() for _, m in zip(range(_SAMPLE_WORDS), _WORD.finditer(text))]
    counts = Counter(words)
    hits = {lang: sum(counts[w] for w in vocab) for lang, vocab in _FUNCTION_WORDS.items()}
    shares = {lang: n / max(1, len(words)) for lang, n in hits.items()}
    best = max(hits, key=hits.__getitem__)
    if hits[best] < _MIN_HITS:
        return LanguageGuess(None, shares)
    if best != "nl" and hits[best] < 2 * hits["nl"]:
        best = "nl"  # a mixed or quoted text stays Dutch unless the other language clearly dominates
    return LanguageGuess(best, shares)
