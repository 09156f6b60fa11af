"""Building an article's record from what the models made of it."""

from __future__ import annotations

from .. import __version__
from ..inputs.articles import Article
from ..inputs.meta import article_meta
from ..models.roles import ROLES
from ..outputs.record import SCHEMA, ArticleRecord, ModelRef, Sentence, SummaryPair
from ..outputs.signature import ModelStamp, Signature
from ..trust.annotate import annotate
from .workbench import Workbench

__all__ = ["article_record", "signature"]


def article_record(
    article: Article,
    english: list[str],
    loops: list[str | None],
    *,
    title_en: str | None,
    headings: dict[str, str],
    summary: list[SummaryPair],
    summary_loop: str | None,
    bench: Workbench,
) -> ArticleRecord:
    """The record of one article: its sentences with their translations, metadata, the annotated summary, provenance."""
    translation: list[Sentence] = []
    flat = iter(zip(article.sentences, english, loops))
    for p, paragraph in enumerate(article.paragraphs):
        for nl, en, loop in (next(flat) for _ in paragraph):
            translation.append({"paragraph": p, "nl": nl, "en": en, "loop": loop})
    models: dict[str, ModelRef] = {
        role: {"id": e.source.id, "revision": e.source.revision, "compute": e.compute} for role, e in bench.engines.items()
    }
    return {
        "schema": SCHEMA,
        "source": {"path": str(article.path), "name": article.name, "sha256": article.sha256,
                   "decode_warnings": list(article.decode_warnings)},
        "meta": {
            "date": article.date,
            "title": {"nl": article.title, "en": title_en} if article.title else None,
            **article_meta(article, translation, headings),  # type: ignore[typeddict-item]  # meta.py builds the rest of Meta
            "url": article.url,
            "site": article.site,
            "origin": article.origin,
            "provided": list(article.provided),
        },
        "translation": translation,
        "dropped": [{"text": d.text, "reason": d.reason} for d in article.dropped],
        "summary": annotate(summary, translation),
        "summary_loop": summary_loop,
        "models": models,
        "settings": bench.settings_record(),
        "signature": str(signature(models, bench)),
    }


def signature(models: dict[str, ModelRef], bench: Workbench) -> Signature:
    """What made the outputs: every role's model and compute, and the generation settings."""
    s = bench.summary
    return Signature(
        version=__version__,
        models=tuple(ModelStamp.of(role, m["id"], m["revision"], m["compute"]) for role, m in models.items()),
        beams=tuple(s.num_beams if role == "summarizer" else bench.translation[role].num_beams for role in ROLES),
        min_length=s.min_length,
        max_length=s.max_length,
        min_length_ratio=s.min_length_ratio,
        length_penalty=s.length_penalty,
        no_repeat_ngram_size=s.no_repeat_ngram_size,
    )
