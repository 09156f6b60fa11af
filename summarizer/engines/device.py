"""Choosing the device and numeric precision, without importing torch when it can be avoided."""

from __future__ import annotations

import importlib.util
import logging
import re
from enum import Enum
from pathlib import Path

from ..errors import UsageError

__all__ = ["Device", "plan_device"]

log = logging.getLogger(__name__)


class Device(str, Enum):
    """The devices a run can ask for (`--device`)."""

    AUTO = "auto"  # CUDA when a GPU and a CUDA build of torch are present, else the CPU
    CPU = "cpu"
    CUDA = "cuda"

_CPU_BUILD = re.compile(r"^cuda\b[^=\n]*=\s*None", re.MULTILINE)  # torch/version.py of a CPU wheel


def plan_device(requested: str | Device) -> tuple[str, str]:
    """(device, dtype) for a request of auto|cpu|cuda: half precision on GPU, float32 on CPU.

    `auto` is decided without importing torch (so fully cached runs stay fast): CUDA is
    picked when an NVIDIA device node exists and the installed torch is a CUDA build.
    """
    try:
        device = Device(requested)
    except ValueError:
        raise UsageError(f"--device must be one of {', '.join(d.value for d in Device)}, not {requested!r}") from None
    if device is Device.AUTO:
        device = Device.CUDA if _cuda_likely() else Device.CPU
    return (device.value, "float16") if device is Device.CUDA else (device.value, "float32")


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
