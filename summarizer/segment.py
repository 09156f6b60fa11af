"""Paragraph and sentence segmentation for Dutch and English, on top of pysbd."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["split_paragraphs", "split_sentences"]

_BLANK_LINE = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")

# pysbd's Dutch rules know these abbreviations but still split after them when the
# next word is capitalised or a number ("Dhr. Jansen", "ca. 3 mln. mensen"): they
# never end a sentence in news copy, so a split right after one is undone.
_NEVER_FINAL = {
    "nl": {
        "dhr", "mevr", "mr", "dr", "drs", "ir", "ing", "prof", "st", "ca", "mln", "mld", "nr",
        "bijv", "o.a", "m.a.w", "t.a.v", "i.v.m", "zgn", "resp", "evt", "vgl", "jl", "a.s",
    },
    "en": {"mr", "mrs", "ms", "dr", "prof", "st", "no", "approx", "e.g", "i.e", "vs"},
}
_LAST_WORD = re.compile(r"(?:^|\s)\(?([\w.]+)\.$")


def split_paragraphs(text: str) -> list[str]:
    """Split on blank lines; lines inside a paragraph are joined with single spaces."""
    paragraphs = (_SPACE.sub(" ", block).strip() for block in _BLANK_LINE.split(text))
    return [p for p in paragraphs if p]


@lru_cache(maxsize=4)
def _segmenter(lang: str):
    import pysbd

    return pysbd.Segmenter(language=lang, clean=False, char_span=False)


def split_sentences(paragraph: str, lang: str = "nl") -> list[str]:
    """Split one paragraph into sentences, keeping abbreviations, decimals and quotes intact."""
    paragraph = _SPACE.sub(" ", paragraph).strip()
    if not paragraph:
        return []
    never_final = _NEVER_FINAL.get(lang, set())
    merged: list[str] = []
    for piece in _segmenter(lang).segment(paragraph):
        piece = piece.strip()
        if not piece:
            continue
        if merged and _ends_with_abbreviation(merged[-1], never_final):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def _ends_with_abbreviation(sentence: str, abbreviations: set[str]) -> bool:
    match = _LAST_WORD.search(sentence)
    return bool(match) and match.group(1).lower() in abbreviations
