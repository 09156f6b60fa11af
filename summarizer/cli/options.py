"""Option definitions shared by the commands, grouped into help panels; the model-role options come from ROLES."""

from __future__ import annotations

import inspect
import math
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..engines.device import Device
from ..engines.factory import EngineName
from ..inputs.articles import MAX_BYTES
from ..models.roles import ROLES

__all__ = ["PANELS", "LockOpt", "CacheDirOpt", "run_parameters", "role_param", "finite"]

PANELS = {
    "io": "Inputs and outputs",
    "models": "Models",
    "generation": "Generation",
    "speed": "Speed",
    "cluster": "Cluster (--engine ray)",
    "limits": "Safety limits",
    "display": "Display",
}


def finite(value: Optional[float]) -> Optional[float]:
    """Typer callback: refuse NaN and infinity, which would end up in every JSON output."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter("must be a finite number")
    return value


LockOpt = Annotated[Path, typer.Option("--lock", envvar="SUMMARIZE_LOCK", help="Model lock file.", rich_help_panel=PANELS["models"])]
CacheDirOpt = Annotated[
    Optional[Path],
    typer.Option("--cache-dir", envvar="SUMMARIZE_CACHE_DIR", show_default="the platform cache dir",
                 help="Result cache folder; converted models are kept beside it.", rich_help_panel=PANELS["speed"]),
]


def role_param(role: str) -> str:
    """The keyword a role's option arrives under (`nl-en` -> `nl_en`)."""
    return role.replace("-", "_")


def _role_parameters() -> list[inspect.Parameter]:
    """One `--<role>` option per model role."""
    return [
        inspect.Parameter(
            role_param(role.name), inspect.Parameter.KEYWORD_ONLY, default=None,
            annotation=Annotated[Optional[str], typer.Option(
                role.option, envvar=role.envvar, show_default="models.lock", rich_help_panel=PANELS["models"],
                help=f"{role.description} model: a hub id or a local directory.",
            )],
        )
        for role in ROLES.values()
    ]


def _parameter(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def run_parameters() -> list[inspect.Parameter]:
    """The parameters of `summarize run`, in help order."""
    io, models, gen, speed, cluster, limits, display = (PANELS[k] for k in PANELS)
    return [
        _parameter("inputs", Annotated[list[str], typer.Argument(
            help="Folders of Dutch articles (*.txt, searched recursively), files, or quoted glob patterns ('corpus/**/*.txt').",
            show_default=False)]),
        _parameter("out", Annotated[Path, typer.Option("--out", "-o", envvar="SUMMARIZE_OUT", help="Output folder.",
                                                       rich_help_panel=io)], Path("out")),
        *_role_parameters(),
        _parameter("lock", LockOpt, Path("models.lock")),
        _parameter("offline", Annotated[bool, typer.Option("--offline", envvar="SUMMARIZE_OFFLINE", help="Never download models.",
                                                           rich_help_panel=models)], False),
        _parameter("num_beams", Annotated[Optional[int], typer.Option(
            min=1, show_default="each model's own", rich_help_panel=gen,
            help="Beam size for translation and summaries (the checkpoints publish 6 for nl-en, 4 for the others).")], None),
        _parameter("min_length", Annotated[Optional[int], typer.Option(
            min=0, show_default="the summarizer's", rich_help_panel=gen,
            help="Minimum summary length in tokens; at most half of the input's tokens.")], None),
        _parameter("max_length", Annotated[Optional[int], typer.Option(
            min=2, show_default="the summarizer's", rich_help_panel=gen, help="Maximum summary length in tokens.")], None),
        _parameter("length_penalty", Annotated[Optional[float], typer.Option(
            show_default="the summarizer's", rich_help_panel=gen, callback=finite,
            help="Summary length penalty (above 1 favours longer summaries).")], None),
        _parameter("retry_loops", Annotated[bool, typer.Option(
            "--retry-loops/--no-retry-loops", rich_help_panel=gen,
            help="Regenerate looping output once with stricter settings; with --no-retry-loops it is only flagged.")], True),
        _parameter("engine", Annotated[EngineName, typer.Option(
            "--engine", envvar="SUMMARIZE_ENGINE", case_sensitive=False, rich_help_panel=speed,
            help="auto: CTranslate2 when installed (int8 on CPU, float16 on GPU), else torch; ray: auto's engine on Ray workers.")],
            EngineName.AUTO),
        _parameter("device", Annotated[Device, typer.Option(
            "--device", envvar="SUMMARIZE_DEVICE", case_sensitive=False, rich_help_panel=speed,
            help="auto picks CUDA when present (half precision on GPU).")], Device.AUTO),
        _parameter("batch_tokens", Annotated[Optional[int], typer.Option(
            min=1, show_default="by engine and device", rich_help_panel=speed,
            help="Input tokens per translation batch.")], None),
        _parameter("cache_dir", CacheDirOpt, None),
        _parameter("no_cache", Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the result cache.",
                                                            rich_help_panel=speed)], False),
        _parameter("ray_address", Annotated[Optional[str], typer.Option(
            "--ray-address", envvar="RAY_ADDRESS", show_default="a local Ray instance", rich_help_panel=cluster,
            help="The cluster to join.")], None),
        _parameter("workers", Annotated[Optional[int], typer.Option(
            "--workers", min=1, show_default="one per cluster CPU, or per GPU share", rich_help_panel=cluster,
            help="Workers per model.")], None),
        _parameter("gpus_per_worker", Annotated[Optional[float], typer.Option(
            "--gpus-per-worker", min=0, show_default="1 with --device cuda, else 0", rich_help_panel=cluster, callback=finite,
            help="GPUs per worker, shared by its three models.")], None),
        _parameter("max_bytes", Annotated[int, typer.Option(
            "--max-bytes", min=0, rich_help_panel=limits,
            help="Refuse input files larger than this (about 15,000 words by default); 0: no limit.")], MAX_BYTES),
        _parameter("follow_symlinks", Annotated[bool, typer.Option(
            "--follow-symlinks", rich_help_panel=limits,
            help="Follow symbolic links that lead out of the input folders (by default they are refused; "
                 "pipes, devices and /proc are always refused).")], False),
        _parameter("force_language", Annotated[bool, typer.Option(
            "--force-language", rich_help_panel=limits,
            help="Process articles that look like English, French or German instead of failing them.")], False),
        _parameter("quiet", Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars, no report; errors only.",
                                                         rich_help_panel=display)], False),
        _parameter("verbose", Annotated[bool, typer.Option("--verbose", "-v", help="Log model loads and chunking.",
                                                           rich_help_panel=display)], False),
    ]
