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
_END = re.compile(r"[.!?…]")
_CANDIDATE_END = re.compile(r"[.!?…][\"'”’)]*\s+")
BLOCK_CHARS = 2000  # pysbd's time grows faster than linearly: 200,000 characters without a full stop took minutes
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
    pieces = (
        p for block in _blocks(paragraph)
        for p in (_segmenter(lang).segment(block) if len(block) <= BLOCK_CHARS and _END.search(block) else [block])
    )
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if merged and _ends_with_abbreviation(merged[-1], never_final):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def _blocks(paragraph: str) -> list[str]:
    """Group a paragraph's likely sentences into blocks of about BLOCK_CHARS for pysbd, which slows down badly on long input.

    Cuts fall only after sentence-ending punctuation followed by a space; a longer stretch
    without one stays whole (it holds at most a final full stop) and is split later to fit the model.
    """
    if len(paragraph) <= BLOCK_CHARS:
        return [paragraph]
    cuts = [m.end() for m in _CANDIDATE_END.finditer(paragraph)] + [len(paragraph)]
    blocks: list[str] = []
    start = prev = 0
    for cut in cuts:
        if cut - start > BLOCK_CHARS and prev > start:
            blocks.append(paragraph[start:prev].strip())
            start = prev
        prev = cut
    blocks.append(paragraph[start:].strip())
    return [b for b in blocks if b]


def _ends_with_abbreviation(sentence: str, abbreviations: set[str]) -> bool:
    match = _LAST_WORD.search(sentence)
    return match is not None and match.group(1).lower() in abbreviations
