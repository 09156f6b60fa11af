"""The `summarize` command line: parse options, call one library function, map errors to exit codes."""

from __future__ import annotations

import functools
import inspect
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from .. import __version__
from ..errors import Interrupted, SummarizerError, Terminated, TerminateSignal, UsageError
from ..models.roles import ROLES
from .options import CacheDirOpt, LockOpt, role_param, run_parameters
from .signals import sigterm_as_interrupt
from .terminal import SafeFormatter, for_terminal

if False:  # typing only: keeps --help free of the pipeline's imports
    from ..run.options import RunOptions

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1  # some articles (or report pages) failed, the others are written
EXIT_USAGE = 2
EXIT_NOTHING_WRITTEN = 3  # every article failed
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM
# The one place where library errors become exit codes: the first matching class wins.
EXIT_CODES: tuple[tuple[type[SummarizerError], int], ...] = (
    (Terminated, EXIT_TERMINATED),
    (Interrupted, EXIT_INTERRUPTED),
    (UsageError, EXIT_USAGE),
    (SummarizerError, EXIT_FAILED),
)


def exit_code(exc: SummarizerError) -> int:
    """The exit code of a library error (see EXIT_CODES)."""
    return next(code for kind, code in EXIT_CODES if isinstance(exc, kind))


def _mapped(command: F) -> F:
    """The command, with library errors turned into one line on stderr and their exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SummarizerError as exc:
            message = str(exc) if isinstance(exc, Interrupted) else f"error: {exc}"
            typer.secho(for_terminal(message), fg=typer.colors.RED, err=True)
            raise typer.Exit(exit_code(exc)) from None

    return wrapper  # type: ignore[return-value]


class _App(typer.Typer):
    """A Typer app whose every command maps library errors through EXIT_CODES."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:  # type: ignore[override]
        register = super().command(*args, **kwargs)
        return lambda f: register(_mapped(f))  # type: ignore[return-value]


app = _App(
    help="Paired English/Dutch summaries of Dutch news articles, with a result cache.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = _App(help="Pin, download and verify the models in models.lock.", no_args_is_help=True)
cache_app = _App(help="Inspect or clear the result cache.", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(cache_app, name="cache")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"summarize {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Paired English/Dutch summaries of Dutch news articles, with a result cache."""


def _console() -> Any:
    """The console on stderr that log lines and the progress display share (log lines go above the display)."""
    from rich.console import Console

    return Console(stderr=True)


def _logging(quiet: bool, verbose: bool, console: Any = None) -> None:
    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    handler: logging.Handler
    console = console or _console()
    if console.is_terminal:
        from rich.logging import RichHandler

        handler = RichHandler(console=console, show_time=False, show_path=False, markup=False)
        handler.setFormatter(SafeFormatter("%(message)s"))
    else:  # diagnostics for logs and pipes: one unwrapped line each, on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(SafeFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)
    logging.captureWarnings(True)  # warnings.warn() of torch and friends through the same handler, not into the display


def _cache_dir(cache_dir: Optional[Path]) -> Path:
    from ..cache import default_cache_dir

    return cache_dir or default_cache_dir()


def run_options(params: dict[str, Any]) -> RunOptions:
    """The RunOptions a `summarize run` command line asks for (``params``: its parsed parameters)."""
    from ..engines.ray import ClusterOptions
    from ..generation.settings import Overrides
    from ..run.options import RunOptions

    return RunOptions(
        out_dir=params["out"],
        cache_dir=None if params["no_cache"] else _cache_dir(params["cache_dir"]),
        device=params["device"],
        models={role: params[role_param(role)] for role in ROLES},
        lock_path=params["lock"],
        settings=Overrides(num_beams=params["num_beams"], min_length=params["min_length"], max_length=params["max_length"],
                           length_penalty=params["length_penalty"]),
        batch_tokens=params["batch_tokens"],
        engine=params["engine"],
        cluster=ClusterOptions(address=params["ray_address"], workers=params["workers"],
                               gpus_per_worker=params["gpus_per_worker"]),
        allow_download=not params["offline"],
        force_language=params["force_language"],
        retry_loops=params["retry_loops"],
        max_bytes=params["max_bytes"] or None,
        follow_symlinks=params["follow_symlinks"],
        prune=params["prune"],
    )


def run(**params: Any) -> None:
    """Translate, summarize and back-translate every article in INPUTS into --out."""
    from ..engines.factory import EngineName
    from ..run.pipeline import run as run_pipeline
    from .progress import report_text, reporter_for

    console = _console()
    _logging(params["quiet"], params["verbose"], console)
    options = run_options(params)
    try:
        with sigterm_as_interrupt(), reporter_for(console, quiet=params["quiet"]) as reporter:
            report = run_pipeline(params["inputs"], options, reporter=reporter)
    except KeyboardInterrupt as exc:  # outside the pipeline's own loop, which says how far it got
        typer.secho("interrupted before any article was written; rerun the same command", fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_TERMINATED if isinstance(exc, TerminateSignal) else EXIT_INTERRUPTED) from None
    if not params["quiet"]:
        typer.echo(report_text(report, options.out_dir, on_ray=EngineName.parse(options.engine) is EngineName.RAY))
    for name, problem in report.skipped.items():
        typer.secho(for_terminal(f"skipped: {name}: {problem}"), fg=typer.colors.YELLOW, err=True)
    for name, problem in [*report.failed.items(), *report.unwritten.items()]:
        typer.secho(for_terminal(f"failed: {name}: {problem}"), fg=typer.colors.RED, err=True)
    raise typer.Exit(0 if report.ok else EXIT_NOTHING_WRITTEN if report.nothing_written else EXIT_FAILED)


run.__signature__ = inspect.Signature(run_parameters(), return_annotation=None)  # type: ignore[attr-defined]
app.command()(run)


@models_app.command("lock")
def models_lock(lock: LockOpt = Path("models.lock")) -> None:
    """Pin each model's revision to its current hub commit with the sha256 of the files a run needs (downloads no weights)."""
    from ..models.hub import lock_models

    _logging(quiet=False, verbose=False)
    pins = lock_models(lock)
    for role, pin in pins.items():
        typer.echo(f"{role}: {pin.id}@{pin.revision} ({len(pin.files)} files)")


@models_app.command("fetch")
def models_fetch(lock: LockOpt = Path("models.lock"), cache_dir: CacheDirOpt = None) -> None:
    """Download the locked models (resuming partial downloads), check their hashes, convert pickled weights to safetensors."""
    from ..models.hub import fetch_models

    _logging(quiet=False, verbose=False)
    results = fetch_models(lock, _cache_dir(cache_dir))
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

    results = verify_models(lock)
    for result in results:
        typer.echo(f"{result.role}: {'ok' if result.ok else 'FAILED'}")
        for problem in result.problems:
            typer.echo(f"  - {problem}")
    raise typer.Exit(0 if all(r.ok for r in results) else EXIT_FAILED)


def _mb(size_bytes: int) -> str:
    return f"{size_bytes / 1e6:.1f} MB"


@cache_app.command("info")
def cache_info(cache_dir: CacheDirOpt = None) -> None:
    """Show the cached results by task, the fetched web pages and the converted models kept beside them; reads only,
    creates nothing."""
    from ..cache import CACHE_FILE, converted_models, read_info
    from ..inputs import webcache

    directory = _cache_dir(cache_dir)
    info = read_info(directory)
    if info is None:
        typer.echo(f"no cache yet at {directory / CACHE_FILE}")
    else:
        typer.echo(f"cache:   {info.path} ({_mb(info.size_bytes)})")
        typer.echo(f"results: {sum(info.entries.values())}")
        for task, n in sorted(info.entries.items()):
            typer.echo(f"  {task}: {n}")
    pages = webcache.stored(directory / webcache.WEB_DIR)
    typer.echo(f"fetched pages: {pages.pages} ({_mb(pages.size_bytes)}) in {pages.path}" if pages else "fetched pages: 0")
    converted = converted_models(directory)
    typer.echo(f"converted models: {sum(c.count for c in converted)} ({_mb(sum(c.size_bytes for c in converted))})")
    for c in converted:
        typer.echo(f"  {c.path}: {c.count} {c.format}, {_mb(c.size_bytes)}")


@cache_app.command("clear")
def cache_clear(
    cache_dir: CacheDirOpt = None,
    models: Annotated[bool, typer.Option("--models", help="Also delete the converted models kept beside the cache "
                                                          "(the next run converts them again).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before deleting.")] = False,
) -> None:
    """Delete every cached result and fetched web page, after asking; with --models, the converted models too."""
    from ..cache import CACHE_FILE, Cache, clear_converted, converted_models, read_info
    from ..inputs import webcache

    directory = _cache_dir(cache_dir)
    what = []
    has_cache = (directory / CACHE_FILE).is_file()
    if has_cache:
        try:
            info = read_info(directory)
            what.append(f"{sum(info.entries.values()) if info else 0} cached results in {directory / CACHE_FILE}")
        except SummarizerError:  # damaged or foreign: clearing rebuilds it
            what.append(f"the unreadable cache {directory / CACHE_FILE}")
    pages = webcache.stored(directory / webcache.WEB_DIR)
    if pages and pages.pages:
        what.append(f"{pages.pages} fetched web pages ({_mb(pages.size_bytes)}) in {pages.path}")
    converted = converted_models(directory) if models else []
    if converted:
        what.append(f"{sum(c.count for c in converted)} converted models ({_mb(sum(c.size_bytes for c in converted))}) in "
                    + ", ".join(c.path for c in converted))
    if not what:
        typer.echo(f"nothing to clear in {directory}")
        return
    if not yes:
        typer.confirm(f"Delete {' and '.join(what)}?", abort=True)
    if has_cache:
        cache = Cache(directory)
        n = cache.clear()
        cache.close()
        typer.echo(f"removed {n} cached results")
    if pages and pages.pages:
        typer.echo(f"removed {webcache.clear(directory / webcache.WEB_DIR)} fetched web pages")
    if converted:
        typer.echo(f"removed {clear_converted(directory)} converted models")


def main() -> None:
    """Console-script entry point."""
    app()
