"""Cleaning up after killed runs: only temp files and conversion folders we made, never anything else."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from summarizer.outputs.fsutil import atomic_write_text, remove_stale_conversions, remove_stale_temps


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _age(path: Path, seconds: float) -> None:
    """Set the modification time of ``path`` and everything under it ``seconds`` into the past."""
    past = time.time() - seconds
    for item in [path, *path.rglob("*")] if path.is_dir() and not path.is_symlink() else [path]:
        os.utime(item, (past, past), follow_symlinks=False)


def test_stale_temp_files_go_and_nothing_else(tmp_path):
    dead = _dead_pid()
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    stale = [out / f".a.json.{dead}~part~abcd1234.tmp", out / "sub" / f".b.md.{dead}~part~x_y9z0q1.tmp"]
    for path in stale:
        path.write_text("half")
    live = out / f".c.json.{os.getpid()}~part~abcd1234.tmp"  # a running process's write in progress
    live.write_text("half")
    folder = out / ".d.999999~part~e.tmp"  # an input sub-folder with a temp-like name, mirrored into out/
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "a.json").write_text("{}")
    exact_folder = out / f".e.{dead}~part~abcd1234.tmp"  # even a folder named exactly like a temp file
    exact_folder.mkdir()
    (exact_folder / "keep.json").write_text("{}")
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep")
    link = out / f".f.{dead}~part~abcd1234.tmp"
    link.symlink_to(target)
    odd = [out / f"notes.{dead}~part~abcd1234.tmp", out / f".g.{dead}~part~abc.tmp", out / f".h.{dead}~part~abcd1234.txt"]
    for path in odd:
        path.write_text("someone's file")

    assert remove_stale_temps(out) == 2
    assert not any(p.exists() for p in stale)
    assert live.exists() and (folder / "inner" / "a.json").exists() and (exact_folder / "keep.json").exists()
    assert link.is_symlink() and target.read_text() == "keep"
    assert all(p.exists() for p in odd)
    assert remove_stale_temps(out) == 0  # and again: the next run does not crash either


def test_temp_names_written_by_atomic_writes_are_recognised(tmp_path, monkeypatch):
    made = []
    real = tempfile.mkstemp

    def keep(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        made.append(Path(name))
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", keep)
    monkeypatch.setattr(os, "replace", lambda *a: None)  # as if killed before the rename
    atomic_write_text(tmp_path / "a.json", "{}")
    dead = _dead_pid()
    (stale,) = made
    renamed = stale.with_name(stale.name.replace(f".{os.getpid()}~", f".{dead}~"))
    stale.rename(renamed)
    assert remove_stale_temps(tmp_path) == 1 and not renamed.exists()


def _weights_work(store: Path, name: str = "opus-mt-nl-en-0123456789abcdef") -> Path:
    """A work folder named as summarizer/models/weights.py names it."""
    return Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".converting", dir=store))


def _ct2_work(store: Path, name: str = "opus-mt-nl-en-0123456789abcdef-int8_float16-ct2v4") -> Path:
    """A work folder named as summarizer/engines/ctranslate2.py names it."""
    return Path(tempfile.mkdtemp(prefix=f".{name}.", dir=store))


@pytest.mark.parametrize("make", [_weights_work, _ct2_work], ids=["safetensors", "ctranslate2"])
def test_stale_conversion_folders_go_after_the_grace_period(tmp_path, make):
    store = tmp_path / "store"
    store.mkdir()
    old = make(store)
    (old / "model").mkdir()
    (old / "model" / "model.bin").write_bytes(b"x" * 100)
    _age(old, 7200)
    fresh = make(store)  # a concurrent run converting right now
    (fresh / "model").mkdir()
    _age(fresh, 7200)
    (fresh / "model" / "model.bin").write_bytes(b"x")  # ...and still writing
    finished = store / "opus-mt-nl-en-0123456789abcdef-int8-ct2v4"  # a finished conversion: never touched
    finished.mkdir()
    _age(finished, 7200)
    other = store / ".cache-of-something"
    other.mkdir()
    _age(other, 7200)
    lookalike_file = store / ".opus-mt-nl-en-0123456789abcdef.zzzzzzzz.converting"  # the right name, but a file
    lookalike_file.write_text("not a folder")
    _age(lookalike_file, 7200)
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "data").write_text("keep")
    link = make(store)
    link.rmdir()
    link.symlink_to(outside, target_is_directory=True)
    _age(link, 7200)

    assert remove_stale_conversions(store) == 1
    assert not old.exists()
    assert fresh.exists() and finished.exists() and other.exists() and lookalike_file.exists()
    assert link.is_symlink() and (outside / "data").read_text() == "keep"
    assert remove_stale_conversions(store, grace=0) == 1 and not fresh.exists()  # once the grace period is over
    assert remove_stale_conversions(tmp_path / "missing") == 0
