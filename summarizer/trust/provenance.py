"""Provenance: which source sentences support each summary sentence (BM25 plus greedy coverage).

Why this measure: an abstractive news summarizer (distilbart-cnn) mostly re-uses the
content words of the sentences it draws on, so lexical overlap with the English
translations is a faithful and inspectable signal. BM25 weighs each shared word by its
rarity in the article (a shared "Singapore" or "12" says more than a shared "said") and
normalises for sentence length, so long sentences do not win by size alone. A summary
sentence often fuses two source sentences, so after the best match we add the sentence
that covers most of the still-unexplained content words, while that adds enough.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Support", "Index", "content_tokens", "MAX_SOURCES"]

MAX_SOURCES = 3
MIN_GAIN = 0.15  # a further sentence must explain this share of the summary sentence's weight
K1, B = 1.2, 0.75  # the usual BM25 constants

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its this that these
    those he she they them his her their we you i our your not no also has have had will would could should may might
    can do does did said says say than then there here which who whom what when where while about into over after
    before up down out so such very more most some any all both each other only own same just one de het een en van
    in op dat die is te met voor niet zijn er aan ook als bij door om maar nog dan tot uit wel zo naar over""".split()
)


def content_tokens(text: str) -> list[str]:
    """Lower-cased words without stop words, light suffix stripping so that talk/talks/talked meet."""
    return [_stem(w) for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOP]


def _trigrams(text: str) -> set[str]:
    padded = f" {' '.join(_WORD.findall(text.lower()))} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@lru_cache(maxsize=1 << 16)  # a run stems the same few thousand words again and again
def _stem(word: str) -> str:
    for suffix in ("'s", "’s", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Support:
    """Source sentences behind one summary sentence."""

    sources: tuple[int, ...]  # indices into the source sentences, best first
    scores: tuple[float, ...]  # BM25 score of each
    coverage: float  # share of the summary sentence's content weight found in them (0..1)
    method: str  # "bm25"; "characters" when no content word is shared (a weak link); "none"


class Index:
    """A BM25 index over the sentences of one document."""

    def __init__(self, sentences: list[str]) -> None:
        self.docs = [Counter(content_tokens(s)) for s in sentences]
        n = len(self.docs)
        df = Counter(t for d in self.docs for t in d)
        self.idf = {t: math.log(1 + (n - k + 0.5) / (k + 0.5)) for t, k in df.items()}
        lengths = [sum(d.values()) for d in self.docs]
        self.avg = (sum(lengths) / n) if n else 1.0
        self.lengths = lengths
        self.trigrams = [_trigrams(s) for s in sentences]

    def scores(self, query: list[str]) -> list[float]:
        """BM25 score of every sentence for the query tokens."""
        out = []
        for doc, length in zip(self.docs, self.lengths):
            score = 0.0
            for t in set(query):
                tf = doc.get(t, 0)
                if tf:
                    score += self.idf[t] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / (self.avg or 1)))
            out.append(score)
        return out

    def support(self, sentence: str) -> Support:
        """The source sentences that best explain ``sentence``."""
        query = content_tokens(sentence)
        weight = {t: self.idf.get(t, 0.0) for t in set(query)}
        total = sum(weight.values())
        scores = self.scores(query)
        chosen: list[int] = []
        covered: set[str] = set()
        if scores and max(scores) > 0:
            first = max(range(len(scores)), key=lambda i: scores[i])
            chosen.append(first)
            covered |= {t for t in weight if t in self.docs[first]}
        while chosen and len(chosen) < MAX_SOURCES:
            best, gain = None, 0.0
            for i, doc in enumerate(self.docs):
                if i in chosen or scores[i] <= 0:
                    continue
                g = sum(weight[t] for t in weight if t in doc and t not in covered)
                if g > gain or (g == gain and best is not None and g > 0 and scores[i] > scores[best]):
                    best, gain = i, g
            if best is None or not total or gain / total < MIN_GAIN:
                break
            chosen.append(best)
            covered |= {t for t in weight if t in self.docs[best]}
        coverage = sum(weight[t] for t in covered) / total if total else 0.0
        if chosen:
            return Support(tuple(chosen), tuple(round(scores[i], 3) for i in chosen), round(coverage, 3), "bm25")
        return self._nearest_by_characters(sentence)

    def _nearest_by_characters(self, sentence: str) -> Support:
        """No shared content word: the sentence with the most shared character trigrams (Dice), marked as weak."""
        query = _trigrams(sentence)
        best, score = None, 0.0
        for i, grams in enumerate(self.trigrams):
            dice = 2 * len(query & grams) / (len(query) + len(grams)) if query and grams else 0.0
            if dice > score:
                best, score = i, dice
        if best is None:
            return Support((), (), 0.0, "none")
        return Support((best,), (round(score, 3),), 0.0, "characters")
