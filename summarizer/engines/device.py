"""Choosing the device and numeric precision, without importing torch when it can be avoided."""

from __future__ import annotations

import importlib.util
import logging
import re
from enum import Enum
from pathlib import Path

from ..errors import UsageError

__all__ = ["Device", "plan_device", "cuda_problem"]

log = logging.getLogger(__name__)


class Device(str, Enum):
    """The devices a run can ask for (`--device`)."""

    AUTO = "auto"  # CUDA when a GPU and a CUDA build of torch are present, else the CPU
    CPU = "cpu"
    CUDA = "cuda"

_CPU_BUILD = re.compile(r"^cuda\b[^=\n]*=\s*None", re.MULTILINE)  # torch/version.py of a CPU wheel


def plan_device(requested: str | Device, *, local: bool = True) -> tuple[str, str]:
    """(device, dtype) for a request of auto|cpu|cuda: half precision on GPU, float32 on CPU.

    `auto` is decided without importing torch (so fully cached runs stay fast): CUDA is
    picked when an NVIDIA device node exists and the installed torch is a CUDA build.
    `cuda` is refused when the models run in this process (``local``, not on Ray workers
    elsewhere) and this machine has no usable GPU (`cuda_problem`).
    """
    try:
        device = Device(requested)
    except ValueError:
        raise UsageError(f"--device must be one of {', '.join(d.value for d in Device)}, not {requested!r}") from None
    if device is Device.AUTO:
        device = Device.CUDA if _cuda_likely() else Device.CPU
    elif device is Device.CUDA and local and (problem := cuda_problem()):
        raise UsageError(f"--device cuda: {problem}; pass --device cpu (or auto)")
    return (device.value, "float16") if device is Device.CUDA else (device.value, "float32")


def cuda_problem() -> str | None:
    """Why no engine could run on a GPU here, or None when one could; decided without importing torch.

    A GPU needs an NVIDIA device node, and either a CUDA build of torch or a CTranslate2
    that sees a CUDA device (asked only when torch is a CPU build).
    """
    if not _nvidia_nodes():
        return "no NVIDIA GPU on this machine (no /dev/nvidia* device)"
    if _torch_cuda_build():
        return None
    try:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() > 0:
            return None
    except Exception:  # not installed, or its CUDA libraries cannot be loaded: either way no GPU for it
        pass
    return "torch is a CPU build and CTranslate2 sees no CUDA device"


def _nvidia_nodes() -> bool:
    return Path("/dev/nvidia0").exists() or Path("/dev/nvidiactl").exists()


def _cuda_likely() -> bool:
    return _nvidia_nodes() and _torch_cuda_build()


def _torch_cuda_build() -> bool:
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return False
    version_file = Path(next(iter(spec.submodule_search_locations))) / "version.py"
    try:
        return not _CPU_BUILD.search(version_file.read_text())
    except OSError:
        return False
