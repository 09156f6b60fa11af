"""The metadata part of an article record: dateline, source, byline, section breaks and resolved dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .articles import Article
from .dates import anchor_date, find_dates

__all__ = ["article_meta"]


def article_meta(article: Article, translation: Sequence[Mapping[str, Any]], headings: dict[str, str]) -> dict[str, Any]:
    """``meta`` fields besides date and title; ``headings`` maps each Dutch intertitle to its English translation."""
    day, year = anchor_date(article.published, article.date)
    month = int(article.date[5:7]) if article.date and len(article.date) >= 7 else None
    dates = [
        {"sentence": i, "text": m.text, "iso": m.iso, "why": m.why}
        for i, t in enumerate(translation)
        for m in find_dates(t["nl"], day=day, year=year, month=month)
    ]
    return {
        "dateline": article.dateline,
        "published": article.published,
        "time": article.time,
        "source": article.source,
        "byline": article.byline,
        "sections": [{"paragraph": p, "nl": text, "en": headings.get(text)} for p, text in article.intertitles],
        "dates": dates,
    }
