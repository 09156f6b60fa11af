"""The run: read articles, translate nl->en, summarize, translate the summary en->nl, write outputs."""

from __future__ import annotations

import errno
import json
import hashlib
import logging
import os
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from .. import __version__
from ..inputs.articles import MAX_BYTES, Article, Splitter, find_articles, read_article, split_dutch
from ..cache import Cache, cache_key
from ..engines.device import plan_device
from ..engines.ray import ClusterOptions, plan_cluster, ray_engines
from ..engines.factory import default_batch_tokens, make_engine
from ..errors import (
    ArticleError, CacheError, Interrupted, ModelLoadError, ModelNotFoundError, OutputError, SummarizerError, UsageError,
)
from ..outputs.fsutil import atomic_write_many, remove_stale_temps
from ..inputs.language import guess_language
from ..models.lock import read_lock
from ..trust.annotate import annotate
from ..outputs.report import write_index, write_stories
from ..trust.stories import build_story, group
from ..inputs.meta import article_meta
from ..generation.repetition import find_loop, guard, strict_summary, strict_translation
from ..models.roles import ROLES
from ..inputs.segment import split_sentences
from ..generation.settings import Overrides, SummarySettings, TranslationSettings, published_settings
from ..models.sources import model_store, resolve_source
from ..generation.summarize import summarize
from ..generation.translate import translate
from ..outputs.writers import WRITERS

__all__ = ["RunOptions", "RunReport", "Reporter", "NullReporter", "run", "output_paths"]

log = logging.getLogger(__name__)

WINDOW = 32  # articles translated together: bounded memory, still large batches


@lru_cache(maxsize=1)
def _segmenter_revision() -> dict[str, str]:
    """Identity of the sentence segmenter for cache keys: pysbd's version and our segmentation rules' source."""
    from importlib.metadata import version

    from ..inputs import segment

    rules = hashlib.sha256(Path(segment.__file__).read_bytes()).hexdigest()[:16]
    return {"id": "pysbd", "revision": f"{version('pysbd')}+{rules}"}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs besides its inputs."""

    out_dir: Path = Path("out")
    cache_dir: Path | None = None  # None: no persistent cache
    device: str = "auto"
    models: dict[str, str | None] = field(default_factory=dict)  # role -> hub id or directory override
    lock_path: Path = Path("models.lock")
    settings: Overrides = Overrides()  # generation settings the user chose; the rest are each checkpoint's own
    batch_tokens: int | None = None  # token budget per translation batch; None: by engine and device
    engine: str = "auto"  # auto | torch | ctranslate2 (see summarizer/engines.py) | ray (summarizer/distributed.py)
    cluster: ClusterOptions = ClusterOptions()  # with engine "ray": address, workers, GPUs per worker
    allow_download: bool = True
    force_language: bool = False  # process articles that look like another language than Dutch
    max_bytes: int | None = MAX_BYTES  # larger input files are refused unread; None: no limit
    retry_loops: bool = True  # regenerate looping output once with stricter settings (else only flag it)


@dataclass
class RunReport:
    """What happened, for the end-of-run report."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    sentences: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    models_loaded: int = 0
    retries: int = 0  # batches re-run after a worker died (engine "ray")
    stories: int = 0  # groups of articles about one event, each with a digest in out/stories/
    translations_saved: int = 0  # sentences shared between articles of a story, translated once
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every article was written."""
        return not self.failed


class Reporter(Protocol):
    """Progress sink; the CLI shows bars, the library only calls these."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class NullReporter:
    """A Reporter that shows nothing."""

    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


def output_paths(out_dir: Path, name: str) -> dict[str, Path]:
    """Output file of each format for an article named ``name`` (its path relative to the input folder)."""
    parts = [_safe_part(p) for p in Path(name).with_suffix("").parts if p not in ("", ".", "..", "/")]
    base = out_dir.joinpath(*(parts or ["_"]))
    return {suffix: base.with_name(f"{base.name}.{suffix}") for suffix in WRITERS}


def _safe_part(part: str) -> str:
    """A path component without control characters; a changed one gets a hash of the original, so names never collide."""
    safe = _UNSAFE.sub("_", part)
    if safe != part:
        safe = f"{safe}-{hashlib.sha256(part.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"
    return safe


def run(inputs: Path | Sequence[Path | str], options: RunOptions, *, reporter: Reporter | None = None) -> RunReport:
    """Summarize every article under ``inputs`` (a folder, a file, or a list of these and glob patterns) into ``options.out_dir``.

    Raises UsageError for impossible requests and ModelNotFoundError/ModelLoadError when a
    model cannot be had; per-article problems are recorded in the report instead.
    """
    started = time.perf_counter()
    reporter = reporter or NullReporter()
    roots = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    found = find_articles(*roots)
    if not found:
        raise UsageError(f"{', '.join(map(str, roots))}: no *.txt articles found")
    _check_out_dir(options.out_dir)
    if removed := remove_stale_temps(options.out_dir):
        log.warning("%s: removed %d partial files left by an earlier run that was killed", options.out_dir, removed)
    cache = Cache(options.cache_dir)
    report = RunReport()
    ctx = None
    try:
        ctx = _Context.build(options, cache)
        for start in range(0, len(found), WINDOW):  # read per window: memory stays bounded
            articles = _read_all(found[start:start + WINDOW], report, options, ctx.split_cached)
            if articles:
                _process_window(articles, ctx, report, reporter)
        try:
            _finish(ctx, report, reporter)
        except OSError as exc:
            if exc.errno not in _DISK_FULL:
                raise
            raise _output_error(exc, options.out_dir, "the index and story pages") from exc
        report.models_loaded = sum(e.loads for e in ctx.engines.values())
        report.retries = sum(getattr(e, "retries", 0) for e in ctx.engines.values())
    except KeyboardInterrupt as exc:
        raise Interrupted(done=len(report.done), failed=len(report.failed), total=len(found)) from exc
    finally:
        for engine in ctx.engines.values() if ctx else ():
            getattr(engine, "close", lambda: None)()  # Ray workers stop; local engines have nothing to close
        report.cache_hits, report.cache_misses = cache.hits, cache.misses
        cache.close()
        report.seconds = time.perf_counter() - started
    return report


def _read_all(found: list[tuple[Path, str]], report: RunReport, options: RunOptions, split: Splitter) -> list[Article]:
    articles = []
    for path, name in found:
        try:
            article = read_article(path, name, max_bytes=options.max_bytes, split=split)
            if not options.force_language:
                _check_dutch(article)
            articles.append(article)
        except ArticleError as exc:
            report.failed[name] = exc.problem
            log.error("%s", exc)
    return articles


def _check_dutch(article: Article) -> None:
    guess = guess_language(" ".join(article.sentences))
    if not guess.dutch:
        raise ArticleError(article.path, f"looks like {guess.describe()}, not Dutch; pass --force-language to process it anyway")


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
    engines: dict[str, Any]  # role -> engine (summarizer.translate.Engine)
    batch_tokens: int
    translation: dict[str, TranslationSettings]  # per translation role: the checkpoint's settings with the overrides
    summary: SummarySettings

    @classmethod
    def build(cls, options: RunOptions, cache: Cache) -> _Context:
        name, requested, cluster = options.engine, options.device, options.cluster
        if name == "ray":  # Ray workers run the registry's `auto` engine
            name, (requested, cluster) = "auto", plan_cluster(cluster, requested)
        device, dtype = plan_device(requested)
        lock = read_lock(options.lock_path)
        sources = {
            role: resolve_source(
                role, options.models.get(role), lock, cache, store=model_store(_store_root(options)),
                allow_download=options.allow_download,
            )
            for role in ROLES
        }
        engines = {
            role: make_engine(name, source, device=device, dtype=dtype, store=_converted_models_dir(options))
            for role, source in sources.items()
        }
        if options.engine == "ray":
            engines = ray_engines(engines, name, device=device, dtype=dtype, store=_converted_models_dir(options), cluster=cluster)
        budget = options.batch_tokens or default_batch_tokens(name, device)
        published = {role: published_settings(s.path, task="summarization" if role == "summarizer" else "translation")
                     for role, s in sources.items()}
        translation = {role: options.settings.translation(published[role]) for role in ROLES if role != "summarizer"}
        summary = options.settings.summary(published["summarizer"])
        return cls(options=options, cache=cache, engines=engines, batch_tokens=budget, translation=translation, summary=summary)

    def settings_record(self) -> dict[str, dict[str, Any]]:
        """Each role's generation settings, as recorded in outputs."""
        return {role: (self.summary if role == "summarizer" else self.translation[role]).as_dict() for role in ROLES}

    def split_cached(self, paragraphs: list[str]) -> list[list[str]]:
        """Dutch sentences of each paragraph, from the cache when this segmenter has seen it (pysbd is slow)."""
        keys = [
            cache_key(task="segment:nl", model=_segmenter_revision(), settings={}, compute="python", text=p) for p in paragraphs
        ]
        done = self.cache.get_many(keys)
        todo = {k: p for k, p in zip(keys, paragraphs) if k not in done}
        if todo:
            new = dict(zip(todo, split_dutch(list(todo.values()))))
            self.cache.put_many("segment:nl", new)
            done.update(new)
        return [done[k] for k in keys]

    def translate(self, role: str, texts: list[str], reporter: Reporter, *, settings: TranslationSettings | None = None) -> list[str]:
        reporter.stage(f"translating {role}", len(texts))
        return translate(
            texts,
            engine=self.engines[role],
            settings=settings or self.translation[role],
            cache=self.cache,
            task=f"translate:{role}",
            batch_tokens=self.batch_tokens,
            on_progress=reporter.advance,
        )

    def summarize(self, documents: list[list[str]], reporter: Reporter, *, settings: SummarySettings | None = None) -> list[str]:
        """Each document's summary: cached ones first, then the rest, several at once on engines that run jobs concurrently."""
        engine = self.engines["summarizer"]
        settings = settings or self.summary
        keys = [
            cache_key(task="summarize", model=engine.source.ref(), settings=settings.as_dict(), compute=engine.compute,
                      text="\n".join(sentences))
            for sentences in documents
        ]
        done = self.cache.get_many(keys)
        reporter.stage("summarizing", len(documents))
        copies = Counter(keys)  # a document repeated in the window counts once per copy for progress
        reporter.advance(sum(copies[k] for k in done))
        todo = {k: sentences for k, sentences in zip(keys, documents) if k not in done}

        def one(sentences: list[str]) -> str:
            return summarize(sentences, engine=engine, settings=settings, batch_tokens=self.batch_tokens * 4)[0]

        concurrency = engine.concurrency() if todo and hasattr(engine, "concurrency") else 1
        with ThreadPoolExecutor(max(1, min(concurrency, len(todo)))) as pool:
            summaries = pool.map(one, todo.values()) if concurrency > 1 else map(one, todo.values())
            for key, summary in zip(todo, summaries):
                self.cache.put_many("summarize", {key: summary})  # cache on this thread: SQLite stays single-threaded
                done[key] = summary
                reporter.advance(copies[key])
        return [done[k] for k in keys]

    def translate_guarded(self, role: str, texts: list[str], reporter: Reporter) -> tuple[list[str], list[str | None]]:
        """Translations, looping ones redone once with stricter settings; with the loop each still shows, or None."""
        strict = strict_translation(self.translation[role])
        out = self.translate(role, texts, reporter)
        if not self.options.retry_loops:
            return out, [find_loop(t) for t in out]
        out, loops, _ = guard(out, texts, lambda redo: self.translate(role, [texts[i] for i in redo], reporter, settings=strict))
        return out, loops

    def summarize_guarded(self, documents: list[list[str]], reporter: Reporter) -> tuple[list[str], list[str | None]]:
        """Summaries, looping ones redone once with stricter settings; with the loop each still shows, or None."""
        strict = strict_summary(self.summary)
        out = self.summarize(documents, reporter)
        if not self.options.retry_loops:
            return out, [find_loop(t) for t in out]
        out, loops, _ = guard(
            out, [" ".join(d) for d in documents],
            lambda redo: self.summarize([documents[i] for i in redo], reporter, settings=strict),
        )
        return out, loops


def _store_root(options: RunOptions) -> Path:
    """Where converted models go: the cache dir, or the platform cache dir with --no-cache."""
    from ..cache import default_cache_dir

    return options.cache_dir or default_cache_dir()


def _converted_models_dir(options: RunOptions) -> Path:
    """Where CTranslate2 conversions go: `<cache dir>/ct2`."""
    return _store_root(options) / "ct2"


def _process_window(articles: list[Article], ctx: _Context, report: RunReport, reporter: Reporter) -> None:
    """Process articles together; if that fails, retry one by one so one bad article fails alone."""
    try:
        _process(articles, ctx, report, reporter)
    except (ModelNotFoundError, ModelLoadError, OutputError, CacheError):
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
    headings = [t for a in articles for _, t in a.intertitles]  # translated as text, never summarized
    sources = [s for a in articles for s in a.sentences]
    english, loops = ctx.translate_guarded("nl-en", titles + headings + sources, reporter)
    english, loops = iter(english), iter(loops)
    title_en = {t: next(english) for t in titles}
    heading_en = {t: next(english) for t in headings}
    for _ in titles + headings:
        next(loops)
    body_en = [[next(english) for _ in a.sentences] for a in articles]
    body_loops = [[next(loops) for _ in a.sentences] for a in articles]

    summary_text, summary_loops = ctx.summarize_guarded(body_en, reporter)
    summaries = [split_sentences(summary, "en") for summary in summary_text]
    dutch, dutch_loops = ctx.translate_guarded("en-nl", [s for summary in summaries for s in summary], reporter)
    dutch, dutch_loops = iter(dutch), iter(dutch_loops)

    for article, en, en_loops, summary, summary_loop in zip(articles, body_en, body_loops, summaries, summary_loops):
        pairs = [{"en": s, "nl": next(dutch), "loop": next(dutch_loops)} for s in summary]
        record = _record(article, en, title_en.get(article.title or ""), pairs, ctx, headings=heading_en, loops=en_loops)
        record["summary_loop"] = summary_loop
        _write(record, output_paths(ctx.options.out_dir, article.name))
        report.done.append(article.name)
        report.sentences += len(article.sentences)


def _finish(ctx: _Context, report: RunReport, reporter: Reporter) -> None:
    """Group the written articles into stories, write a digest per story, then index.html and index.md."""
    out = ctx.options.out_dir
    paths = {name: output_paths(out, name)["json"] for name in sorted(report.done)}
    records = [json.loads(path.read_text(encoding="utf-8")) for path in paths.values()]
    stories = []
    for members in (m for m in group(records) if len(m) > 1):
        try:
            stories.append(build_story(
                [records[i] for i in members],
                summarize=lambda sentences: split_sentences(ctx.summarize_guarded([sentences], reporter)[0][0], "en"),
                translate=lambda english: ctx.translate_guarded("en-nl", english, reporter)[0],
            ))
        except (ModelNotFoundError, ModelLoadError, OutputError, CacheError):
            raise
        except SummarizerError as exc:  # the articles are written; a story without a digest is only logged
            log.error("story of %s: no digest (%s)", ", ".join(records[i]["source"]["name"] for i in members), exc)
    write_stories(out / "stories", stories)
    write_index(out, list(zip(records, paths.values())), stories)
    report.stories = len(stories)
    report.translations_saved = sum(s["translations_saved"] for s in stories)


def _record(
    article: Article, english: list[str], title_en: str | None, pairs: list[dict[str, Any]], ctx: _Context,
    *, headings: dict[str, str] | None = None, loops: list[str | None] | None = None,
) -> dict[str, Any]:
    sentences = iter(zip(article.sentences, english, loops or [None] * len(english)))
    translation = [
        {"paragraph": p, "nl": nl, "en": en, "loop": loop}
        for p, paragraph in enumerate(article.paragraphs)
        for nl, en, loop in (next(sentences) for _ in paragraph)
    ]
    models = {role: {**e.source.ref(), "compute": e.compute} for role, e in ctx.engines.items()}
    return {
        "source": {"path": str(article.path), "name": article.name, "sha256": article.sha256},
        "meta": {
            "date": article.date, "title": {"nl": article.title, "en": title_en} if article.title else None,
            **article_meta(article, translation, headings or {}),
        },
        "translation": translation,
        "dropped": [{"text": d.text, "reason": d.reason} for d in article.dropped],
        "summary": annotate(pairs, translation),
        "models": models,
        "settings": ctx.settings_record(),
        "signature": _signature(models, ctx),
    }


def _signature(models: dict[str, dict[str, str]], ctx: _Context) -> str:
    s = ctx.summary
    beams = "/".join(str(ctx.summary.num_beams if r == "summarizer" else ctx.translation[r].num_beams) for r in ROLES)
    parts = [f"summarize:{__version__}"]
    parts += [f"{role}:{Path(m['id']).name}@{m['revision'].split(':')[-1][:12]}" for role, m in models.items()]
    parts += [f"compute:{next(iter(models.values()))['compute']}", f"beam:{beams}"]
    parts += [f"len:{s.min_length}-{s.max_length}", f"minr:{s.min_length_ratio}", f"lp:{s.length_penalty}",
              f"nrng:{s.no_repeat_ngram_size}"]
    return "|".join(parts)


_DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS}


def _write(record: dict[str, Any], paths: dict[str, Path]) -> None:
    """All of an article's files or none (json renamed last: see WRITERS); a full disk stops the run."""
    try:
        atomic_write_many({path: WRITERS[suffix](record).encode("utf-8") for suffix, path in paths.items()})
    except OSError as exc:
        if exc.errno in _DISK_FULL:
            raise _output_error(exc, paths["json"].parent, f"the outputs of {record['source']['name']}") from exc
        raise


def _output_error(exc: OSError, folder: Path, what: str) -> OutputError:
    return OutputError(
        f"{folder}: cannot write {what} ({exc.strerror}); the outputs written before it are complete. "
        "Free some space (or pass another --out) and rerun: finished work is cached"
    )
