"""The run: read articles window by window, translate nl->en, summarize, translate the summary en->nl, write, then the archive (run.archive)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import Cache
from ..errors import (
    ArticleError, CacheError, Interrupted, ModelLoadError, ModelNotFoundError, OutputError, Terminated,
    TerminateSignal, UsageError,
)
from ..inputs.articles import Article, Splitter
from ..inputs.discovery import letters_problem
from ..inputs.webcache import WEB_DIR
from ..inputs.language import guess_language
from ..inputs.segment import split_sentences
from ..models.sources import model_store
from ..outputs.fsutil import atomic_write_many, remove_stale_conversions, remove_stale_temps
from ..outputs.record import ArticleRecord, SummaryPair
from ..outputs.paths import plan_outputs
from ..outputs.writers import WRITERS
from ..trust.stories import Features
from .archive import finish
from .failures import DISK_FULL, cause, output_error, where
from .intake import Unit, load, take_in
from .options import NullReporter, Reporter, RunOptions, RunReport
from .plan import plan_engines
from .records import article_record
from .workbench import Workbench, store_root

__all__ = ["run", "output_paths"]

log = logging.getLogger(__name__)

WINDOW = 32  # articles translated together: bounded memory, still large batches


def output_paths(out_dir: Path, name: str) -> dict[str, Path]:
    """Output files of a lone article named ``name``; a run plans its whole batch at once (summarizer.outputs.paths)."""
    return plan_outputs([name], out_dir, suffixes=tuple(WRITERS)).paths(name)


@dataclass
class _Written:
    """Where each article goes, and what the end of the run needs of those written: their records, story features."""

    paths: dict[str, dict[str, Path]]  # article key -> output file by suffix
    records: dict[str, Path] = field(default_factory=dict)  # article name -> the record this run wrote
    features: dict[str, Features] = field(default_factory=dict)


def run(inputs: Path | str | Sequence[Path | str], options: RunOptions, *, reporter: Reporter | None = None) -> RunReport:
    """Summarize every article under ``inputs`` (a folder, a file, or a list of these and glob patterns) into ``options.out_dir``.

    Raises UsageError for impossible requests (checked before any model is looked at) and
    ModelNotFoundError/ModelLoadError when a model cannot be had; per-article problems are
    recorded in the report instead.
    """
    started = time.perf_counter()
    reporter = reporter or NullReporter()
    plan = plan_engines(options)
    roots = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    report = RunReport()
    root = store_root(options)
    intake = take_in([str(r) for r in roots], options, report, web_cache=root / WEB_DIR)
    _check_out_dir(options.out_dir)
    if removed := remove_stale_temps(options.out_dir):
        log.warning("%s: removed %d partial files left by an earlier run that was killed", options.out_dir, removed)
    if removed := remove_stale_conversions(model_store(root)) + remove_stale_conversions(root / "ct2"):
        log.warning("%s: removed %d half-finished model conversions left by an earlier run that was killed", root, removed)
    for name, problem in report.failed.items():
        log.info("%s: %s", name, problem)  # the report carries each failure; the CLI prints it once
    units = intake.units
    cache = Cache(options.cache_dir, on_busy=lambda held: reporter.status(
        f"cache busy (another run is writing): {held} results held in memory" if held else ""))
    written = _Written(paths={u.key: intake.paths(u) for u in units})
    bench = None
    interrupted = False
    try:
        reporter.status("checking models (the first run downloads and converts them)")
        bench = Workbench.build(options, plan, cache)
        reporter.status("")
        for start in range(0, len(units), WINDOW):  # read per window: memory stays bounded
            reporter.articles(start, min(WINDOW, len(units) - start), len(units))
            articles = _read_all(units[start:start + WINDOW], report, options, bench.split_cached)
            if articles:
                _process_window(articles, bench, report, written, reporter)
        reporter.articles(len(units), 0, len(units))
        try:
            finish(bench, written.records, written.features, report, reporter)
        except OSError as exc:
            if exc.errno not in DISK_FULL:
                raise
            raise output_error(exc, options.out_dir, "the index and story pages") from exc
        report.models_loaded = bench.loads
        report.retries = bench.retries
    except KeyboardInterrupt as exc:
        interrupted = True
        stopped = Terminated if isinstance(exc, TerminateSignal) else Interrupted
        raise stopped(done=len(report.done), failed=len(report.failed), total=len(units)) from exc
    finally:
        if bench is not None:
            bench.close()
        report.cache_hits, report.cache_misses = cache.lookups("translate", "summarize")  # model work, not segmentation
        report.cache_repaired, report.cache_read_only = cache.repaired, cache.read_only
        if cache.pending:
            reporter.status(f"saving {cache.pending} results to the busy cache")
        cache.close(timeout=5 if interrupted else None)  # Ctrl-C must not wait a minute for a busy cache
        reporter.status("")
        report.seconds = time.perf_counter() - started
    return report


def _read_all(units: list[Unit], report: RunReport, options: RunOptions, split: Splitter) -> list[Article]:
    articles = []
    for unit in units:
        try:
            article = load(unit, options, split)
            if problem := letters_problem(" ".join(article.sentences)):
                raise ArticleError(article.path, problem)
            if not options.force_language:
                _check_dutch(article)
            articles.append(article)
        except ArticleError as exc:
            _fail(report, unit.key, exc.problem)
    return articles


def _fail(report: RunReport, key: str, problem: str) -> None:
    """Record one article's failure; the report carries it (the CLI prints it once, at the end)."""
    report.failed[key] = problem
    log.info("%s: %s", key, problem)


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


def _process_window(articles: list[Article], bench: Workbench, report: RunReport, written: _Written, reporter: Reporter) -> None:
    """Process articles together; if that fails, retry one by one so one bad article fails alone."""
    try:
        _process(articles, bench, report, written, reporter)
    except (ModelNotFoundError, ModelLoadError, OutputError, CacheError):
        raise
    except Exception as exc:
        if len(articles) == 1:
            _fail(report, articles[0].name, f"{type(exc).__name__}: {exc}")
            return
        log.warning("batch of %d articles failed (%s); retrying one by one", len(articles), exc)
        for article in articles:
            if article.name not in report.done:
                _process_window([article], bench, report, written, reporter)


def _split(flat: Sequence[str | None], sizes: Sequence[int]) -> list[list]:
    """Consecutive slices of ``flat`` of the given sizes."""
    out, start = [], 0
    for size in sizes:
        out.append(list(flat[start:start + size]))
        start += size
    return out


def _process(articles: list[Article], bench: Workbench, report: RunReport, written: _Written, reporter: Reporter) -> None:
    titles = [a.title for a in articles if a.title]
    headings = [t for a in articles for _, t in a.intertitles]  # translated as text, never summarized
    body = [s for a in articles for s in a.sentences]
    english, loops = bench.translate_guarded("nl-en", titles + headings + body, reporter)
    head = len(titles) + len(headings)
    title_en = dict(zip(titles, english[:len(titles)]))
    heading_en = dict(zip(headings, english[len(titles):head]))
    sizes = [len(a.sentences) for a in articles]
    body_en, body_loops = _split(english[head:], sizes), _split(loops[head:], sizes)

    summary_text, summary_loops = bench.summarize_guarded(body_en, reporter)
    summaries = [split_sentences(summary, "en") for summary in summary_text]
    dutch, dutch_loops = bench.translate_guarded("en-nl", [s for summary in summaries for s in summary], reporter)
    counts = [len(s) for s in summaries]
    dutch_by_article, dutch_loops_by_article = _split(dutch, counts), _split(dutch_loops, counts)

    for i, article in enumerate(articles):
        pairs: list[SummaryPair] = [
            {"en": en, "nl": nl, "loop": loop}
            for en, nl, loop in zip(summaries[i], dutch_by_article[i], dutch_loops_by_article[i])
        ]
        record = article_record(
            article, body_en[i], body_loops[i], title_en=title_en.get(article.title or ""), headings=heading_en,
            summary=pairs, summary_loop=summary_loops[i], bench=bench,
        )
        paths = written.paths[article.name]
        try:
            _write(record, paths)
        except ArticleError as exc:  # this article's files cannot be written; the others still can
            _fail(report, article.name, exc.problem)
            continue
        written.records[record["source"]["name"]] = paths["json"]
        written.features[record["source"]["name"]] = Features.of(record)
        report.done.append(article.name)
        report.sentences += len(article.sentences)


def _write(record: ArticleRecord, paths: dict[str, Path]) -> None:
    """All of an article's files or none (json renamed last: see WRITERS).

    A full disk stops the run (OutputError); any other OSError fails this article alone (ArticleError),
    naming the path and the cause.
    """
    try:
        atomic_write_many({path: WRITERS[suffix](record).encode("utf-8") for suffix, path in paths.items()})
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise output_error(exc, paths["json"].parent, f"the outputs of {record['source']['name']}") from exc
        raise ArticleError(paths["json"], f"cannot write {where(exc, paths['json'])} ({cause(exc)})") from exc
