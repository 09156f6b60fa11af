"""The `summarize` command line: parse options, call one library function, map errors to exit codes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import Interrupted, SummarizerError, UsageError

app = typer.Typer(
    help="Paired English/Dutch summaries of Dutch news articles, with a result cache.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Pin, download and verify the models in models.lock.", no_args_is_help=True)
cache_app = typer.Typer(help="Inspect or clear the result cache.", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(cache_app, name="cache")

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

LockOpt = Annotated[Path, typer.Option("--lock", envvar="SUMMARIZE_LOCK", help="Model lock file.")]
CacheDirOpt = Annotated[
    Optional[Path],
    typer.Option("--cache-dir", envvar="SUMMARIZE_CACHE_DIR", help="Result cache folder (default: the platform cache dir)."),
]


def _fail(exc: SummarizerError) -> typer.Exit:
    if isinstance(exc, Interrupted):
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        return typer.Exit(EXIT_INTERRUPTED)
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    return typer.Exit(EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAILED)


def _logging(quiet: bool, verbose: bool) -> None:
    import sys

    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    handler: logging.Handler
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.logging import RichHandler

        handler = RichHandler(console=Console(stderr=True), show_time=False, show_path=False, markup=False)
    else:  # diagnostics for logs and pipes: one unwrapped line each, on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)


def _cache_dir(cache_dir: Optional[Path]) -> Path:
    from ..cache import default_cache_dir

    return cache_dir or default_cache_dir()


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(help="Folders of Dutch articles (*.txt, searched recursively), files, or quoted glob patterns ('corpus/**/*.txt').")],
    out: Annotated[Path, typer.Option("--out", "-o", envvar="SUMMARIZE_OUT", help="Output folder.")] = Path("out"),
    cache_dir: CacheDirOpt = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")] = False,
    device: Annotated[str, typer.Option("--device", envvar="SUMMARIZE_DEVICE", help="auto, cpu or cuda (auto picks CUDA when present; half precision on GPU).")] = "auto",
    nl_en: Annotated[Optional[str], typer.Option("--nl-en", envvar="SUMMARIZE_NL_EN", help="nl->en model: hub id or local directory (default: models.lock).")] = None,
    summarizer: Annotated[Optional[str], typer.Option("--summarizer", envvar="SUMMARIZE_SUMMARIZER", help="Summarization model: hub id or local directory (default: models.lock).")] = None,
    en_nl: Annotated[Optional[str], typer.Option("--en-nl", envvar="SUMMARIZE_EN_NL", help="en->nl model: hub id or local directory (default: models.lock).")] = None,
    lock: LockOpt = Path("models.lock"),
    num_beams: Annotated[Optional[int], typer.Option(help="Beam size for translation and summaries (default: each model's own: 6 nl-en, 4 summaries, 4 en-nl).", min=1)] = None,
    min_length: Annotated[Optional[int], typer.Option(help="Minimum summary length in tokens (default: the summarizer's, 56, but at most half the input's tokens).", min=0)] = None,
    max_length: Annotated[Optional[int], typer.Option(help="Maximum summary length in tokens (default: the summarizer's, 142).", min=2)] = None,
    length_penalty: Annotated[Optional[float], typer.Option(help="Summary length penalty (default: the summarizer's, 2.0).")] = None,
    batch_tokens: Annotated[Optional[int], typer.Option(help="Input tokens per translation batch (default: by engine and device, larger on GPU).", min=1)] = None,
    engine: Annotated[str, typer.Option("--engine", envvar="SUMMARIZE_ENGINE", help="auto, torch or ctranslate2 (auto: CTranslate2 when installed, int8 on CPU, float16 on GPU; else torch), or ray (auto's engine on Ray workers).")] = "auto",
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", envvar="RAY_ADDRESS", help="With --engine ray: the cluster to join (default: a local Ray instance).")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", help="With --engine ray: workers per model (default: one per cluster CPU, or per GPU share).", min=1)] = None,
    gpus_per_worker: Annotated[Optional[float], typer.Option("--gpus-per-worker", help="With --engine ray: GPUs per worker, shared by its three models (default: 1 with --device cuda, else 0).", min=0)] = None,
    offline: Annotated[bool, typer.Option("--offline", envvar="SUMMARIZE_OFFLINE", help="Never download models.")] = False,
    force_language: Annotated[bool, typer.Option("--force-language", help="Process articles that look like English, French or German instead of failing them.")] = False,
    max_bytes: Annotated[Optional[int], typer.Option("--max-bytes", help="Refuse input files larger than this (default: 100000, about 15,000 words; 0: no limit).", min=0)] = None,
    retry_loops: Annotated[bool, typer.Option("--retry-loops/--no-retry-loops", help="Regenerate looping output once with stricter settings; with --no-retry-loops it is only flagged.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars, no report; errors only.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log model loads and chunking.")] = False,
) -> None:
    """Translate, summarize and back-translate every article in INPUTS into --out."""
    from ..engines.ray import ClusterOptions
    from ..run.pipeline import RunOptions
    from ..run.pipeline import run as run_pipeline
    from .progress import report_text, rich_reporter
    from ..generation.settings import Overrides

    _logging(quiet, verbose)
    options = RunOptions(
        out_dir=out,
        cache_dir=None if no_cache else _cache_dir(cache_dir),
        device=device,
        models={"nl-en": nl_en, "summarizer": summarizer, "en-nl": en_nl},
        lock_path=lock,
        settings=Overrides(num_beams=num_beams, min_length=min_length, max_length=max_length, length_penalty=length_penalty),
        batch_tokens=batch_tokens,
        engine=engine,
        cluster=ClusterOptions(address=ray_address, workers=workers, gpus_per_worker=gpus_per_worker),
        allow_download=not offline,
        force_language=force_language,
        retry_loops=retry_loops,
        **({} if max_bytes is None else {"max_bytes": max_bytes or None}),
    )
    try:
        with rich_reporter(enabled=not quiet) as reporter:
            report = run_pipeline(inputs, options, reporter=reporter)
    except SummarizerError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:  # outside the pipeline's own loop, which says how far it got
        typer.secho("interrupted before any article was written; rerun the same command", fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if not quiet:
        typer.echo(report_text(report, out))
    for name, problem in report.failed.items():
        typer.secho(f"failed: {name}: {problem}", fg=typer.colors.RED, err=True)
    raise typer.Exit(0 if report.ok else EXIT_FAILED)


@models_app.command("lock")
def models_lock(lock: LockOpt = Path("models.lock")) -> None:
    """Pin each model's revision to its current hub commit with the sha256 of the files a run needs (downloads no weights)."""
    from ..models.hub import lock_models

    _logging(quiet=False, verbose=False)
    try:
        pins = lock_models(lock)
    except SummarizerError as exc:
        raise _fail(exc) from None
    for role, pin in pins.items():
        typer.echo(f"{role}: {pin.id}@{pin.revision} ({len(pin.files)} files)")


@models_app.command("fetch")
def models_fetch(lock: LockOpt = Path("models.lock"), cache_dir: CacheDirOpt = None) -> None:
    """Download the locked models (resuming partial downloads), check their hashes, convert pickled weights to safetensors."""
    from ..models.hub import fetch_models

    _logging(quiet=False, verbose=False)
    try:
        results = fetch_models(lock, _cache_dir(cache_dir))
    except SummarizerError as exc:
        raise _fail(exc) from None
    for role, result in results.items():
        if isinstance(result, SummarizerError):
            typer.secho(f"error: {result}", fg=typer.colors.RED, err=True)
        else:
            typer.echo(f"{role}: {result}")
    raise typer.Exit(EXIT_FAILED if any(isinstance(r, SummarizerError) for r in results.values()) else 0)


@models_app.command("verify")
def models_verify(lock: LockOpt = Path("models.lock")) -> None:
    """Check the local copies of the locked models against the lock's revisions and sha256 hashes."""
    from ..models.hub import verify_models

    try:
        results = verify_models(lock)
    except SummarizerError as exc:
        raise _fail(exc) from None
    for result in results:
        typer.echo(f"{result.role}: {'ok' if result.ok else 'FAILED'}")
        for problem in result.problems:
            typer.echo(f"  - {problem}")
    raise typer.Exit(0 if all(r.ok for r in results) else EXIT_FAILED)


@cache_app.command("info")
def cache_info(cache_dir: CacheDirOpt = None) -> None:
    """Show where the cache is, how many results it holds, and its size."""
    from ..cache import Cache

    try:
        cache = Cache(_cache_dir(cache_dir))
        info = cache.info()
        cache.close()
    except SummarizerError as exc:
        raise _fail(exc) from None
    typer.echo(f"path: {info.path}")
    typer.echo(f"size: {info.size_bytes / 1e6:.1f} MB")
    for task, n in sorted(info.entries.items()):
        typer.echo(f"{task}: {n}")
    if not info.entries:
        typer.echo("entries: 0")


@cache_app.command("clear")
def cache_clear(cache_dir: CacheDirOpt = None) -> None:
    """Delete every cached result."""
    from ..cache import Cache

    try:
        cache = Cache(_cache_dir(cache_dir))
        n = cache.clear()
        cache.close()
    except SummarizerError as exc:
        raise _fail(exc) from None
    typer.echo(f"removed {n} cached results")


def main() -> None:
    """Console-script entry point."""
    app()
