"""Finding and loading CUDA 12 cuBLAS for CTranslate2, tested on CPU with stand-in shared objects.

Anything that loads a library runs in a subprocess, so the pytest process never holds a fake
libcublas.so.12 that a later CTranslate2 test could pick up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from summarizer.engines import cuda

REPO = Path(__file__).resolve().parents[1]

_LT_C = "int cublasLtCreate(void) { return 41; }\n"
_CUBLAS_C = "int cublasLtCreate(void);\nint cublasCreate_v2(void) { return cublasLtCreate() + MARK; }\n"


def _gcc(out: Path, source: str, *args: str) -> None:
    src = out.with_suffix(".c")
    src.write_text(source)
    subprocess.run(["gcc", "-shared", "-fPIC", f"-Wl,-soname,{out.name}", "-o", str(out), str(src), *args], check=True)
    src.unlink()


def _fake_cublas(folder: Path, mark: int, *, rpath: bool = True) -> Path:
    """libcublasLt.so.12 and libcublas.so.12, which needs it (found beside it through $ORIGIN, as the wheel's is).

    cublasCreate_v2() returns 41 + mark.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _gcc(folder / "libcublasLt.so.12", _LT_C)
    _gcc(folder / "libcublas.so.12", _CUBLAS_C, f"-DMARK={mark}", f"-L{folder}", "-l:libcublasLt.so.12",
         *(["-Wl,-rpath,$ORIGIN"] if rpath else []))
    return folder


@pytest.fixture()
def site(tmp_path) -> Path:
    """A site-packages folder holding a fake nvidia-cublas-cu12 wheel (nvidia as a namespace package)."""
    if shutil.which("gcc") is None:
        pytest.skip("needs gcc to build stand-in shared objects")
    root = tmp_path / "site"
    lib = _fake_cublas(root / "nvidia" / "cublas" / "lib", mark=1)
    (lib.parent / "__init__.py").write_text("")
    return root


def _run(code: str, *, pythonpath: list[Path], env: dict[str, str] | None = None) -> dict:
    """Run code in a fresh interpreter that prints one JSON line; returns it."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH")}
    environ["PYTHONPATH"] = os.pathsep.join(str(p) for p in [REPO, *pythonpath])
    environ.update(env or {})
    prologue = textwrap.dedent("""
        import ctypes, json, sys
        from summarizer.engines import cuda
        def called():
            return ctypes.CDLL("libcublas.so.12").cublasCreate_v2()  # by name, as CTranslate2 will ask
        def heavy():
            return sorted(m for m in ("torch", "ctranslate2", "transformers") if m in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", prologue + textwrap.dedent(code)], env=environ, cwd=REPO,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _skip_if_system_has_cublas() -> None:
    found = _run("print(json.dumps(cuda.load_cublas12(search_path=[])))", pythonpath=[])
    if found:
        pytest.skip(f"this host's loader already finds CUDA 12 cuBLAS ({found})")


@pytest.mark.parametrize("regular_package", [False, True])
def test_found_in_the_wheel_folder_through_sys_path(site, regular_package):
    _skip_if_system_has_cublas()
    if regular_package:  # older nvidia-* wheels ship nvidia/__init__.py
        (site / "nvidia" / "__init__.py").write_text("")
    out = _run("""
        where = cuda.load_cublas12()
        print(json.dumps({"where": where, "called": called(), "problem": cuda.ct2_gpu_problem(device_count=1),
                          "heavy": heavy()}))
    """, pythonpath=[site])
    assert out["where"] == f"nvidia-cublas-cu12 wheel ({site / 'nvidia' / 'cublas' / 'lib' / 'libcublas.so.12'})"
    assert out["called"] == 42  # the preloaded copy answers a later dlopen by name
    assert out["problem"] is None
    assert out["heavy"] == []


def test_explicit_search_path_and_lt_loaded_first(site, tmp_path):
    """A libcublas.so.12 without $ORIGIN in its search path still loads: libcublasLt.so.12 is loaded before it."""
    _skip_if_system_has_cublas()
    other = tmp_path / "other"
    _fake_cublas(other / "nvidia" / "cublas" / "lib", mark=2, rpath=False)
    out = _run(f"print(json.dumps({{'where': cuda.load_cublas12(search_path=[{str(other)!r}, {str(site)!r}]),"
               "'called': called()}))", pythonpath=[])
    assert str(other) in out["where"] and out["called"] == 43


def test_system_loader_comes_first(site, tmp_path):
    system = _fake_cublas(tmp_path / "system-lib", mark=100)
    out = _run("print(json.dumps({'where': cuda.load_cublas12(), 'called': called()}))", pythonpath=[site],
               env={"LD_LIBRARY_PATH": str(system)})
    assert out["where"] == f"system loader ({system / 'libcublas.so.12'})"
    assert out["called"] == 141


def test_missing_library_gives_none_and_the_fix(tmp_path):
    _skip_if_system_has_cublas()
    (tmp_path / "nvidia" / "cublas" / "lib").mkdir(parents=True)  # the folder, without the library
    assert cuda.load_cublas12(search_path=[str(tmp_path)]) is None
    problem = cuda.ct2_gpu_problem(device_count=1, search_path=[str(tmp_path)])
    assert "libcublas.so.12" in problem and "pip install 'summarize-nl[gpu]'" in problem and "\n" not in problem


def test_a_broken_library_is_reported(tmp_path):
    _skip_if_system_has_cublas()
    lib = tmp_path / "nvidia" / "cublas" / "lib"
    lib.mkdir(parents=True)
    (lib / "libcublas.so.12").write_text("not an ELF file")
    assert cuda.load_cublas12(search_path=[str(tmp_path)]) is None
    problem = cuda.ct2_gpu_problem(device_count=1, search_path=[str(tmp_path)])
    assert "does not load" in problem and str(lib / "libcublas.so.12") in problem


def test_no_device_comes_before_cublas(tmp_path):
    problem = cuda.ct2_gpu_problem(device_count=0, search_path=[str(tmp_path)])
    assert problem.startswith("no CUDA device visible to CTranslate2")


def test_importing_loads_nothing_heavy():
    out = _run("print(json.dumps(heavy()))", pythonpath=[])
    assert out == []


def test_real_ctranslate2_on_this_host():
    """With CTranslate2 itself: no problem on a GPU host with cuBLAS 12 reachable, a one-line reason otherwise."""
    pytest.importorskip("ctranslate2")
    out = _run("""
        import ctranslate2
        print(json.dumps({"problem": cuda.ct2_gpu_problem(), "devices": ctranslate2.get_cuda_device_count(),
                          "where": cuda.load_cublas12()}))
    """, pythonpath=[])
    if out["devices"] == 0:
        assert out["problem"].startswith("no CUDA device")
    else:
        assert (out["problem"] is None) == (out["where"] is not None)


@pytest.mark.gpu
def test_gpu_host_loads_cublas12():
    ct2 = pytest.importorskip("ctranslate2")
    if ct2.get_cuda_device_count() < 1:
        pytest.skip("no CUDA device visible to CTranslate2")
    out = _run("print(json.dumps({'problem': cuda.ct2_gpu_problem(), 'where': cuda.load_cublas12()}))", pythonpath=[])
    assert out["problem"] is None, out
    assert out["where"]


def test_the_real_wheel_when_installed():
    """With nvidia-cublas-cu12 installed (pip install 'summarize-nl[gpu]'): found and loaded, no GPU needed."""
    import importlib.util

    if importlib.util.find_spec("nvidia") is None or importlib.util.find_spec("nvidia.cublas") is None:
        pytest.skip("nvidia-cublas-cu12 is not installed")
    sites = [Path(p).parent for p in importlib.util.find_spec("nvidia").submodule_search_locations]
    out = _run("""
        where = cuda.load_cublas12()
        v = ctypes.c_int()
        ctypes.CDLL("libcublas.so.12").cublasGetProperty(0, ctypes.byref(v))  # MAJOR_VERSION; needs no GPU
        print(json.dumps({"where": where, "major": v.value, "heavy": heavy()}))
    """, pythonpath=sites)
    assert out["where"] and out["major"] == 12 and out["heavy"] == []
