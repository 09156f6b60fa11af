"""CUDA 12 cuBLAS for CTranslate2 on hosts that only have CUDA 13 (or no toolkit at all).

CTranslate2's PyPI wheels dlopen ``libcublas.so.12`` the first time a model runs on a GPU.
A CUDA 13 host has a driver new enough for CUDA 12 code but no CUDA 12 cuBLAS on the loader's
path, so CTranslate2 fails there. The ``gpu`` extra installs the ``nvidia-cublas-cu12`` wheel
(site-packages/nvidia/cublas/lib); `load_cublas12` loads its libraries process-wide
(RTLD_GLOBAL) before CTranslate2 asks, and the dynamic loader then hands CTranslate2 the copy
already in memory (it matches loaded libraries by soname). Nothing here imports torch or
ctranslate2 at import time; nothing is loaded until a function is called.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["GPU_FIX", "ct2_gpu_problem", "load_cublas12"]

log = logging.getLogger(__name__)

GPU_FIX = "pip install 'summarize-nl[gpu]'"
CUBLAS = "libcublas.so.12"
CUBLAS_LT = "libcublasLt.so.12"  # libcublas.so.12 needs it; loaded first from the same folder
_PACKAGE_LIB = ("nvidia", "cublas", "lib")  # where the nvidia-cublas-cu12 wheel puts both
_MAPPED = re.compile(r"\s(/\S*/libcublas\.so\.12(?:\.[\d.]+)?)$")


@dataclass(frozen=True)
class _Outcome:
    where: str | None  # how and from where libcublas.so.12 was loaded; None when it was not
    reason: str = ""  # why not, when where is None


_outcomes: dict[tuple[str, ...] | None, _Outcome] = {}
_handles: list[ctypes.CDLL] = []  # loaded libraries stay referenced for the life of the process


def load_cublas12(*, search_path: Sequence[str] | None = None) -> str | None:
    """Load CUDA 12 cuBLAS globally before CTranslate2 needs it; where it came from, or None when not found.

    First whatever the system loader finds (LD_LIBRARY_PATH, ldconfig, an already loaded copy),
    then ``nvidia/cublas/lib`` of the nvidia-cublas-cu12 wheel, found through the ``nvidia``
    package and the ``search_path`` entries (default: sys.path). The outcome is remembered.
    """
    return _load(search_path).where


def ct2_gpu_problem(*, device_count: int | None = None, search_path: Sequence[str] | None = None) -> str | None:
    """One line on why CTranslate2 cannot use the GPU here, or None when it can; loads CUDA 12 cuBLAS first.

    ``device_count`` replaces asking CTranslate2 (which imports it) for the number of CUDA devices.
    """
    outcome = _load(search_path)
    if device_count is None:
        try:
            import ctranslate2
        except ImportError:
            return "CTranslate2 is not installed: pip install ctranslate2"
        device_count = ctranslate2.get_cuda_device_count()
    if device_count < 1:
        return "no CUDA device visible to CTranslate2 (no NVIDIA driver, CUDA_VISIBLE_DEVICES, or a CPU-only build)"
    if outcome.where is None:
        return f"CTranslate2 needs CUDA 12 cuBLAS but {outcome.reason}: {GPU_FIX}"
    return None


def _load(search_path: Sequence[str] | None) -> _Outcome:
    key = None if search_path is None else tuple(search_path)
    if key not in _outcomes:
        _outcomes[key] = _find_and_load(search_path)
        outcome = _outcomes[key]
        if outcome.where:
            log.info("CUDA 12 cuBLAS: %s", outcome.where)
        else:
            log.info("CUDA 12 cuBLAS: %s", outcome.reason)
    return _outcomes[key]


def _find_and_load(search_path: Sequence[str] | None) -> _Outcome:
    if not sys.platform.startswith("linux"):
        return _Outcome(None, f"{CUBLAS} is looked for on Linux only")
    try:
        _handles.append(ctypes.CDLL(CUBLAS, mode=ctypes.RTLD_GLOBAL))
        return _Outcome(f"system loader ({_mapped_path() or CUBLAS})")
    except OSError as exc:
        log.debug("system loader: %s", exc)
    failures = []
    for folder in _package_dirs(search_path):
        cublas = os.path.join(folder, CUBLAS)
        if not os.path.isfile(cublas):
            continue
        try:
            lt = os.path.join(folder, CUBLAS_LT)
            if os.path.isfile(lt):
                _handles.append(ctypes.CDLL(lt, mode=ctypes.RTLD_GLOBAL))
            _handles.append(ctypes.CDLL(cublas, mode=ctypes.RTLD_GLOBAL))
        except OSError as exc:
            failures.append(f"{cublas} does not load ({exc})")
            continue
        return _Outcome(f"nvidia-cublas-cu12 wheel ({cublas})")
    if failures:
        return _Outcome(None, "; ".join(failures))
    return _Outcome(None, f"no {CUBLAS} was found (not on the system loader's path, no nvidia/cublas/lib in site-packages)")


def _package_dirs(search_path: Sequence[str] | None) -> Iterator[str]:
    """Candidate nvidia/cublas/lib folders: the importable nvidia.cublas package, then each search path entry."""
    seen: set[str] = set()
    found: list[str] = []
    if search_path is None:
        try:
            spec = importlib.util.find_spec(".".join(_PACKAGE_LIB[:2]))
        except (ImportError, ValueError):
            spec = None
        found += [os.path.join(p, _PACKAGE_LIB[2]) for p in (spec.submodule_search_locations or [])] if spec else []
        search_path = sys.path
    found += [os.path.join(entry or os.curdir, *_PACKAGE_LIB) for entry in search_path]
    for folder in found:
        real = os.path.realpath(folder)
        if real not in seen and os.path.isdir(real):
            seen.add(real)
            yield folder


def _mapped_path() -> str | None:
    """The file libcublas.so.12 was mapped from, read from /proc/self/maps."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                match = _MAPPED.search(line.rstrip("\n"))
                if match:
                    return match.group(1)
    except OSError:
        pass
    return None
