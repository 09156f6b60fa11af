"""Choosing the device and numeric precision, without importing torch when it can be avoided."""

from __future__ import annotations

import importlib.util
import logging
import re
from pathlib import Path

from ..errors import UsageError

__all__ = ["plan_device", "DEVICES"]

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda")
_CPU_BUILD = re.compile(r"^cuda\b[^=\n]*=\s*None", re.MULTILINE)  # torch/version.py of a CPU wheel


def plan_device(requested: str) -> tuple[str, str]:
    """(device, dtype) for a request of auto|cpu|cuda: half precision on GPU, float32 on CPU.

    `auto` is decided without importing torch (so fully cached runs stay fast): CUDA is
    picked when an NVIDIA device node exists and the installed torch is a CUDA build.
    """
    if requested not in DEVICES:
        raise UsageError(f"--device must be one of {', '.join(DEVICES)}, not {requested!r}")
    if requested == "auto":
        requested = "cuda" if _cuda_likely() else "cpu"
    return (requested, "float16") if requested == "cuda" else (requested, "float32")


def _cuda_likely() -> bool:
    if not Path("/dev/nvidia0").exists() and not Path("/dev/nvidiactl").exists():
        return False
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return False
    version_file = Path(next(iter(spec.submodule_search_locations))) / "version.py"
    try:
        return not _CPU_BUILD.search(version_file.read_text())
    except OSError:
        return False
