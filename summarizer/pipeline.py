"""The run: read articles, translate nl->en, summarize, translate the summary en->nl, write outputs."""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import __version__
from .articles import Article, find_articles, read_article
from .cache import Cache, cache_key
from .device import plan_device
from .engine import TorchEngine
from .errors import ArticleError, ModelLoadError, ModelNotFoundError, SummarizerError, UsageError
from .fsutil import atomic_write_text
from .lock import read_lock
from .roles import ROLES
from .segment import split_sentences
from .settings import SummarySettings, TranslationSettings
from .sources import resolve_source
from .summarize import summarize
from .translate import translate
from .writers import WRITERS

__all__ = ["RunOptions", "RunReport", "Reporter", "run", "output_paths"]

log = logging.getLogger(__name__)

WINDOW = 32  # articles translated together: bounded memory, still large batches
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs besides its inputs."""

    out_dir: Path = Path("out")
    cache_dir: Path | None = None  # None: no persistent cache
    device: str = "auto"
    models: dict[str, str | None] = field(default_factory=dict)  # role -> hub id or directory override
    lock_path: Path = Path("models.lock")
    translation: TranslationSettings = TranslationSettings()
    summary: SummarySettings = SummarySettings()
    batch_tokens: int | None = None  # token budget per translation batch; None: by device
    allow_download: bool = True


@dataclass
class RunReport:
    """What happened, for the end-of-run report."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    sentences: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    models_loaded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every article was written."""
        return not self.failed


class Reporter(Protocol):
    """Progress sink; the CLI shows bars, the library only calls these."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


def output_paths(out_dir: Path, name: str) -> dict[str, Path]:
    """Output file of each format for an article named ``name`` (its path relative to the input folder)."""
    parts = [_UNSAFE.sub("_", p) for p in Path(name).with_suffix("").parts if p not in ("", ".", "..")]
    base = out_dir.joinpath(*parts)
    return {suffix: base.with_name(f"{base.name}.{suffix}") for suffix in WRITERS}


def run(inputs: Path, options: RunOptions, *, reporter: Reporter | None = None) -> RunReport:
    """Summarize every article under ``inputs`` into ``options.out_dir``.

    Raises UsageError for impossible requests and ModelNotFoundError/ModelLoadError when a
    model cannot be had; per-article problems are recorded in the report instead.
    """
    started = time.perf_counter()
    reporter = reporter or _Silent()
    found = find_articles(inputs)
    if not found:
        raise UsageError(f"{inputs}: no *.txt articles found")
    _check_out_dir(options.out_dir)
    cache = Cache(options.cache_dir)
    report = RunReport()
    try:
        ctx = _Context.build(options, cache)
        for start in range(0, len(found), WINDOW):  # read per window: memory stays bounded
            articles = _read_all(found[start:start + WINDOW], report)
            if articles:
                _process_window(articles, ctx, report, reporter)
        report.models_loaded = sum(e.loads for e in ctx.engines.values())
    finally:
        report.cache_hits, report.cache_misses = cache.hits, cache.misses
        cache.close()
        report.seconds = time.perf_counter() - started
    return report


def _read_all(found: list[tuple[Path, str]], report: RunReport) -> list[Article]:
    articles = []
    for path, name in found:
        try:
            articles.append(read_article(path, name))
        except ArticleError as exc:
            report.failed[name] = exc.problem
            log.error("%s", exc)
    return articles


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: output path exists and is not a directory; pass another --out")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out_dir}: cannot create output directory ({exc.strerror}); pass another --out") from exc
    if not os.access(out_dir, os.W_OK):
        raise UsageError(f"{out_dir}: output directory is not writable; pass another --out")


@dataclass
class _Context:
    options: RunOptions
    cache: Cache
    engines: dict[str, TorchEngine]
    batch_tokens: int

    @classmethod
    def build(cls, options: RunOptions, cache: Cache) -> _Context:
        device, dtype = plan_device(options.device)
        lock = read_lock(options.lock_path)
        engines = {
            role: TorchEngine(
                resolve_source(role, options.models.get(role), lock, cache, allow_download=options.allow_download),
                device=device,
                dtype=dtype,
            )
            for role in ROLES
        }
        budget = options.batch_tokens or (8192 if device == "cuda" else 1024)
        return cls(options=options, cache=cache, engines=engines, batch_tokens=budget)

    def translate(self, role: str, texts: list[str], reporter: Reporter) -> list[str]:
        reporter.stage(f"translating {role}", len(texts))
        return translate(
            texts,
            engine=self.engines[role],
            settings=self.options.translation,
            cache=self.cache,
            task=f"translate:{role}",
            batch_tokens=self.batch_tokens,
            on_progress=reporter.advance,
        )

    def summarize(self, sentences: list[str]) -> str:
        engine = self.engines["summarizer"]
        settings = self.options.summary
        key = cache_key(
            task="summarize", model=engine.source.ref(), settings=settings.as_dict(), compute=engine.compute,
            text="\n".join(sentences),
        )
        cached = self.cache.get_many([key])
        if key in cached:
            return cached[key]
        summary, _ = summarize(sentences, engine=engine, settings=settings, batch_tokens=self.batch_tokens * 4)
        self.cache.put_many("summarize", {key: summary})
        return summary


def _process_window(articles: list[Article], ctx: _Context, report: RunReport, reporter: Reporter) -> None:
    """Process articles together; if that fails, retry one by one so one bad article fails alone."""
    try:
        _process(articles, ctx, report, reporter)
    except (ModelNotFoundError, ModelLoadError):
        raise
    except Exception as exc:
        if len(articles) == 1:
            report.failed[articles[0].name] = f"{type(exc).__name__}: {exc}"
            log.error("%s: %s", articles[0].path, exc)
            return
        log.warning("batch of %d articles failed (%s); retrying one by one", len(articles), exc)
        for article in articles:
            if article.name not in report.done:
                _process_window([article], ctx, report, reporter)


def _process(articles: list[Article], ctx: _Context, report: RunReport, reporter: Reporter) -> None:
    titles = [a.title for a in articles if a.title]
    sources = [s for a in articles for s in a.sentences]
    english = iter(ctx.translate("nl-en", titles + sources, reporter))
    title_en = {t: next(english) for t in titles}
    body_en = [[next(english) for _ in a.sentences] for a in articles]

    reporter.stage("summarizing", len(articles))
    summaries = []
    for en in body_en:
        summaries.append(split_sentences(ctx.summarize(en), "en"))
        reporter.advance()
    dutch = iter(ctx.translate("en-nl", [s for summary in summaries for s in summary], reporter))

    for article, en, summary in zip(articles, body_en, summaries):
        pairs = [{"en": s, "nl": next(dutch)} for s in summary]
        record = _record(article, en, title_en.get(article.title or ""), pairs, ctx)
        _write(record, output_paths(ctx.options.out_dir, article.name))
        report.done.append(article.name)
        report.sentences += len(article.sentences)


def _record(article: Article, english: list[str], title_en: str | None, pairs: list[dict[str, str]], ctx: _Context) -> dict[str, Any]:
    sentences = iter(zip(article.sentences, english))
    translation = [
        {"paragraph": p, "nl": nl, "en": en}
        for p, paragraph in enumerate(article.paragraphs)
        for nl, en in (next(sentences) for _ in paragraph)
    ]
    models = {role: {**e.source.ref(), "compute": e.compute} for role, e in ctx.engines.items()}
    return {
        "source": {"path": str(article.path), "name": article.name, "sha256": article.sha256},
        "meta": {"date": article.date, "title": {"nl": article.title, "en": title_en} if article.title else None},
        "translation": translation,
        "summary": pairs,
        "models": models,
        "settings": {"translation": ctx.options.translation.as_dict(), "summary": ctx.options.summary.as_dict()},
        "signature": _signature(models, ctx.options),
    }


def _signature(models: dict[str, dict[str, str]], options: RunOptions) -> str:
    t, s = options.translation, options.summary
    parts = [f"summarize:{__version__}"]
    parts += [f"{role}:{Path(m['id']).name}@{m['revision'].split(':')[-1][:12]}" for role, m in models.items()]
    parts += [f"compute:{next(iter(models.values()))['compute']}", f"beam:{t.num_beams}/{s.num_beams}"]
    parts += [f"len:{s.min_length}-{s.max_length}", f"lp:{s.length_penalty}", f"nrng:{s.no_repeat_ngram_size}"]
    return "|".join(parts)


def _write(record: dict[str, Any], paths: dict[str, Path]) -> None:
    for suffix, path in paths.items():  # json last: see WRITERS
        atomic_write_text(path, WRITERS[suffix](record))
