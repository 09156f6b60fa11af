"""Crashes, interruptions, a full disk, concurrent runs and a damaged cache, with real `summarize run` processes (issue 4)."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli.main import app

FAST = ["--num-beams", "1", "--max-length", "12", "--min-length", "2"]
SUBJECTS = ["de trein", "het kabinet", "de gemeente", "de politie", "het ziekenhuis", "de school", "de haven", "de boer"]


def _article(i: int, sentences: int) -> str:
    body = [f"Volgens {SUBJECTS[(i + j) % len(SUBJECTS)]} is er op dag {j} van maand {i} iets gebeurd in de stad."
            for j in range(sentences)]
    return " date 2018-05 \n\n" + " ".join(body) + "\n"


def _inputs(folder: Path, sizes: list[int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, n in enumerate(sizes):
        (folder / f"{chr(97 + i)}.txt").write_text(_article(i, n))
    return folder


def _spawn(args: list[str], tmp_path: Path, tag: str, **kwargs) -> subprocess.Popen:
    logs = tmp_path / "logs"
    logs.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "summarizer", "run", *args],
        stdout=(logs / f"{tag}.out").open("w"), stderr=(logs / f"{tag}.err").open("w"), text=True, **kwargs,
    )


def _log(tmp_path: Path, tag: str) -> tuple[str, str]:
    return (tmp_path / "logs" / f"{tag}.out").read_text(), (tmp_path / "logs" / f"{tag}.err").read_text()


def _cached_keys(cache: Path) -> set[str]:
    if not (cache / "cache.sqlite3").exists():
        return set()
    db = sqlite3.connect(cache / "cache.sqlite3", timeout=30)
    try:
        return {k for (k,) in db.execute("SELECT key FROM results WHERE task LIKE 'translate:%'")}
    except sqlite3.OperationalError:  # not created yet
        return set()
    finally:
        db.close()


def _wait_for_cached_sentences(proc: subprocess.Popen, cache: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not _cached_keys(cache):
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no sentence was cached in time"
        time.sleep(0.05)


def _assert_outputs_complete(out: Path, names: list[str]) -> None:
    """Every article has all three files, the JSON parses, and no temp file is left."""
    for name in names:
        record = json.loads((out / f"{name}.json").read_text())
        assert record["translation"] and all(t["en"] for t in record["translation"])
        assert (out / f"{name}.en.md").read_text().startswith("# ")
        assert (out / f"{name}.nl.md").read_text().startswith("# ")
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert not leftovers  # no temp file of an interrupted write


def _hits(stdout: str) -> int:
    return int(stdout.split("cache:")[1].split("hits")[0])


def test_sigkill_then_rerun_completes_from_cache(tmp_path, model_args):
    src = _inputs(tmp_path / "in", [5, 5, 5])
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = [str(src), "--out", str(out), "--cache-dir", str(cache), "--batch-tokens", "48", "--engine", "torch",
            *FAST, *model_args]
    first = _spawn(args, tmp_path, "killed")
    _wait_for_cached_sentences(first, cache)
    first.send_signal(signal.SIGKILL)
    assert first.wait(60) == -signal.SIGKILL
    cached = _cached_keys(cache)
    assert cached

    second = _spawn(args, tmp_path, "resumed")
    assert second.wait(300) == 0, _log(tmp_path, "resumed")
    stdout, _ = _log(tmp_path, "resumed")
    assert "3 done, 0 failed" in stdout
    assert _hits(stdout) >= len(cached)  # every sentence cached before the kill came from the cache
    _assert_outputs_complete(out, ["a", "b", "c"])


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["sigint", "sigterm"])
def test_a_stop_signal_stops_cleanly_and_says_how_far_it_got(tmp_path, model_args, sig, code):
    """Ctrl-C and SIGTERM (docker stop, systemd, CI timeouts) both end with the same one line and 128 + the signal."""
    src = _inputs(tmp_path / "in", [5, 5, 5])
    cache = tmp_path / "cache"
    proc = _spawn([str(src), "--out", str(tmp_path / "out"), "--cache-dir", str(cache), "--batch-tokens", "48",
                   "--engine", "torch", *FAST, *model_args], tmp_path, "stop")
    _wait_for_cached_sentences(proc, cache)
    proc.send_signal(sig)
    assert proc.wait(60) == code
    _, stderr = _log(tmp_path, "stop")
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("interrupted after 0 of 3 articles written"), stderr
    assert "rerun the same command to resume" in last
    assert _cached_keys(cache)  # what was done is kept


def _file_size_limit(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
    return apply


def test_full_disk_stops_with_a_clear_message_and_keeps_earlier_outputs(tmp_path, model_args):
    src = _inputs(tmp_path / "in", [2, 30])  # a.json is small, b.json much larger than the limit
    out = tmp_path / "out"
    proc = _spawn([str(src), "--out", str(out), "--no-cache", "--engine", "torch", *FAST, *model_args], tmp_path, "full",
                  preexec_fn=_file_size_limit(8_000))
    assert proc.wait(300) == 1
    _, stderr = _log(tmp_path, "full")
    assert "error:" in stderr and "cannot write the outputs of b.txt (File too large)" in stderr, stderr
    assert "outputs written before it are complete" in stderr and "Traceback" not in stderr
    _assert_outputs_complete(out, ["a"])
    assert not list(out.glob("b.*"))  # all of b's files or none


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_concurrent_runs_both_finish_and_write_nothing_elsewhere(tmp_path, model_args, tiny_models):
    src = _inputs(tmp_path / "in", [4, 5, 6])
    out, cache, cwd, home = tmp_path / "out", tmp_path / "cache", tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    models_before = _snapshot(tiny_models["nl-en"].parent)
    before = _snapshot(tmp_path)
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp_path / "cwd")}
    args = [str(src), "--out", str(out), "--cache-dir", str(cache), *FAST, *model_args]  # default engine
    runs = [_spawn(args, tmp_path, f"run{i}", cwd=cwd, env=env) for i in range(2)]
    for i, proc in enumerate(runs):
        assert proc.wait(300) == 0, _log(tmp_path, f"run{i}")
        assert "3 done, 0 failed" in _log(tmp_path, f"run{i}")[0]
    _assert_outputs_complete(out, ["a", "b", "c"])

    db = sqlite3.connect(cache / "cache.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    third = subprocess.run([sys.executable, "-m", "summarizer", "run", *args], capture_output=True, text=True, cwd=cwd,
                           env=env)
    assert third.returncode == 0 and "0 misses" in third.stdout, third.stdout + third.stderr  # consistent cache

    assert _snapshot(tiny_models["nl-en"].parent) == models_before  # model directories untouched
    new = [p for p in set(_snapshot(tmp_path)) - set(before) if not p.startswith((str(out), str(cache), str(tmp_path / "logs")))]
    assert not new, new  # nothing written outside out/ and the cache directory
    changed = [p for p, stamp in before.items() if _snapshot(tmp_path).get(p) != stamp]
    assert not changed, changed  # inputs untouched


def test_truncated_cache_is_moved_aside_and_rebuilt(tmp_path, model_args):
    src = _inputs(tmp_path / "in", [3])
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ["run", str(src), "--out", str(out), "--cache-dir", str(cache), "--engine", "torch", *FAST, *model_args]
    runner = CliRunner()
    assert runner.invoke(app, args).exit_code == 0
    db_file = cache / "cache.sqlite3"
    os.truncate(db_file, db_file.stat().st_size // 2)
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # rich wraps long log lines
    assert "damaged cache" in output and "moved aside" in output
    assert list(cache.glob("cache.sqlite3.corrupt-*"))
    assert runner.invoke(app, args).output.count(" 0 misses") == 1  # the rebuilt cache works


@pytest.mark.parametrize("kind", ["garbage", "other-tool", "other-schema"])
def test_foreign_cache_files_are_never_misread(tmp_path, kind):
    from summarizer.cache import SCHEMA_VERSION, Cache

    path = tmp_path / "cache.sqlite3"
    if kind == "garbage":
        path.write_bytes(b"\x00garbage" * 1000)
    else:
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, blob BLOB)")  # same table name, other layout
        db.execute("INSERT INTO results VALUES ('k', x'00')")
        if kind == "other-schema":
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")  # even a matching version number is not trusted
        db.commit()
        db.close()
    cache = Cache(tmp_path)
    assert cache.get_many(["k"]) == {}
    cache.put_many("t", {"k": "v"})
    cache.close()
    assert Cache(tmp_path).get_many(["k"]) == {"k": "v"}
