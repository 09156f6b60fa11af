"""The hub download path end to end: the CLI in a subprocess against a fake hub on 127.0.0.1 serving the real layouts.

The fake hub (tests/hubserver.py) serves stand-ins built from ../shared/CHECKPOINTS.md: the
real repos' files on `main`, weights only as a legacy pytorch_model.bin beside TF, Flax and
Rust weights that must never be downloaded.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.models.lock import read_lock
from hubserver import FakeHub, hub_env

REPOS = {"nl-en": "Helsinki-NLP/opus-mt-nl-en", "summarizer": "sshleifer/distilbart-cnn-12-6", "en-nl": "Helsinki-NLP/opus-mt-en-nl"}
DISTILBART_MAIN = "a4f8f3ea906ed274767e9906dbaede7531d660ff"  # pinned in the committed models.lock
FAST = ["--num-beams", "1", "--max-length", "12", "--min-length", "2", "--engine", "torch"]
NEVER = (".h5", ".ot", ".msgpack", ".onnx", "README.md", ".gitattributes")


@pytest.fixture()
def hub(hub_repos):
    with FakeHub(lifetime=600) as hub:
        for role, repo in REPOS.items():
            hub.commit_dir(repo, hub_repos[role], sha=DISTILBART_MAIN if role == "summarizer" else None)
        yield hub


@pytest.fixture()
def project(tmp_path, repo_root, hub_repos):
    """A working folder with the seeds and the committed models.lock.

    The lock records the real checkpoints' pytorch_model.bin sha256; the stand-ins have other
    bytes, so those three hashes (and nothing else) are swapped for the stand-ins'.
    """
    text = (repo_root / "models.lock").read_text()
    for role, pin in read_lock(repo_root / "models.lock").pins.items():
        real = pin.files["pytorch_model.bin"]
        text = text.replace(real, hashlib.sha256((hub_repos[role] / "pytorch_model.bin").read_bytes()).hexdigest())
    (tmp_path / "models.lock").write_text(text)
    shutil.copytree(repo_root / "seeds", tmp_path / "seeds")
    return tmp_path


def summarize(hub, project: Path, *args: str, offline: bool = False, endpoint: str | None = None, timeout: float = 600,
              **env: str):
    environment = hub_env(hub, project / "hf-home")
    environment.update({"HF_HUB_DOWNLOAD_TIMEOUT": "5", "HF_HUB_ETAG_TIMEOUT": "5", "SUMMARIZE_CACHE_DIR": str(project / "cache"), **env})
    if offline:
        environment["HF_HUB_OFFLINE"] = "1"
    if endpoint:
        environment["HF_ENDPOINT"] = endpoint
    return subprocess.run([sys.executable, "-m", "summarizer", *args], cwd=project, env=environment, capture_output=True,
                          text=True, timeout=timeout)


def error_lines(proc) -> list[str]:
    """The command's error lines (and proof that nothing went wrong with a traceback)."""
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return [line for line in proc.stderr.splitlines() if line.startswith("error:")]


def one_line_error(proc) -> str:
    """The command's single error line."""
    errors = error_lines(proc)
    assert len(errors) == 1, proc.stderr
    return errors[0]


def test_first_run_with_the_committed_lock_downloads_converts_and_writes(hub, project):
    proc = summarize(hub, project, "run", "seeds", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert "2 done, 0 failed" in proc.stdout
    fetched = hub.downloads()
    assert {f for f in fetched if f.endswith(".bin")} == {"pytorch_model.bin"}
    assert not [f for f in fetched if f.endswith(NEVER)]
    record = json.loads((project / "out" / "000_4ec734f60fdfd72d.json").read_text())
    assert record["models"]["summarizer"]["revision"] == DISTILBART_MAIN
    assert re.fullmatch(r"[0-9a-f]{40}", record["models"]["nl-en"]["revision"])  # unpinned: the commit main pointed to
    assert "not pinned" in proc.stderr  # nl-en and en-nl follow main, and the run says so
    converted = sorted((project / "cache" / "models").glob("*/model.safetensors"))
    assert len(converted) == 3
    assert not list((project / "cache" / "models").rglob("*.bin"))


def test_runs_load_only_the_converted_safetensors(hub, project):
    assert summarize(hub, project, "run", "seeds", *FAST).returncode == 0
    script = (
        "import sys, torch\n"
        "def refuse(*a, **k):\n    raise SystemExit('torch.load was called: a pickle was read')\n"
        "torch.load = refuse\n"
        "from summarizer.cli.main import app\n"
        "app(sys.argv[1:])\n"
    )
    environment = hub_env(hub, project / "hf-home")
    environment.update(SUMMARIZE_CACHE_DIR=str(project / "cache"), HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-c", script, "run", "seeds", "--out", "out2", "--cache-dir", "fresh-results",
                           *FAST], cwd=project, env={**environment, "SUMMARIZE_CACHE_DIR": str(project / "fresh-results")},
                          capture_output=True, text=True, timeout=600)
    # a fresh result cache with its own (empty) model store converts again, with torch.load refused: it must fail
    assert proc.returncode != 0 and "torch.load was called" in proc.stderr + proc.stdout
    proc = subprocess.run([sys.executable, "-c", script, "run", "seeds", "--out", "out3", "--cache-dir", "cache",
                           "--no-retry-loops", "--min-length", "3", *FAST], cwd=project, env=environment,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr  # models loaded again (new settings), from safetensors only
    assert "converting" not in proc.stderr


def test_lock_fetch_verify_then_offline_run(hub, project):
    proc = summarize(hub, project, "models", "lock")
    assert proc.returncode == 0, proc.stderr
    assert not [f for f in hub.downloads() if f.endswith((".bin", *NEVER))]  # weights are hashed from hub metadata
    lock = read_lock(project / "models.lock")
    for role, pin in lock.pins.items():
        assert pin.pinned and "pytorch_model.bin" in pin.files and "config.json" in pin.files
        assert not [n for n in pin.files if n.endswith(NEVER)]
    assert lock.pin("summarizer").revision == DISTILBART_MAIN
    proc = summarize(hub, project, "models", "fetch")
    assert proc.returncode == 0, proc.stderr
    proc = summarize(hub, project, "models", "verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(": ok") == 3
    before = len(hub.requests)
    proc = summarize(hub, project, "run", "seeds", *FAST, offline=True)
    assert proc.returncode == 0, proc.stderr
    assert len(hub.requests) == before  # offline: not one request
    assert "not pinned" not in proc.stderr


def test_lock_records_the_hubs_weight_hashes(hub, project, hub_repos):
    assert summarize(hub, project, "models", "lock").returncode == 0
    lock = read_lock(project / "models.lock")
    for role, path in hub_repos.items():
        for name, sha in lock.pin(role).files.items():
            assert sha == hashlib.sha256((path / name).read_bytes()).hexdigest(), name


def test_a_file_changed_on_the_hub_after_lock_is_caught_and_named(hub, project, hub_repos, tmp_path):
    assert summarize(hub, project, "models", "lock").returncode == 0
    pinned = read_lock(project / "models.lock").pin("nl-en").revision
    with FakeHub(lifetime=600) as changed:  # the same commit id now serves other weights (a tampered mirror)
        for role, repo in REPOS.items():
            files = {p.name: p.read_bytes() for p in hub_repos[role].iterdir() if p.is_file()}
            if role == "nl-en":
                weights = files["pytorch_model.bin"]
                files["pytorch_model.bin"] = weights[:-64] + bytes(b ^ 0xFF for b in weights[-64:])
                changed.commit(repo, files, sha=pinned)
            else:
                changed.commit(repo, files, sha=read_lock(project / "models.lock").pin(role).revision)
        proc = summarize(changed, project, "models", "fetch")
        line = one_line_error(proc)
        assert proc.returncode == 1 and "nl-en" in line and "pytorch_model.bin" in line and "models lock" in line
        proc = summarize(changed, project, "models", "verify")
        assert proc.returncode == 1
        assert "nl-en: FAILED" in proc.stdout and "pytorch_model.bin: sha256 differs" in proc.stdout
        assert "summarizer: ok" in proc.stdout


def test_an_interrupted_weight_download_resumes(hub, project):
    from summarizer.models.hubclient import RETRIES

    hub.truncate("*/opus-mt-nl-en/resolve/*/pytorch_model.bin", after=300_000, times=RETRIES + 1)
    proc = summarize(hub, project, "models", "fetch")
    line = one_line_error(proc)
    assert proc.returncode == 1 and "nl-en" in line and "resume" in line
    partial = list((project / "hf-home" / "hub").rglob("*.partial"))
    assert len(partial) == 1 and partial[0].stat().st_size == 300_000 * (RETRIES + 1)
    proc = summarize(hub, project, "models", "fetch")
    assert proc.returncode == 0, proc.stderr
    ranges = [r.range for r in hub.requests if r.file == "pytorch_model.bin" and "opus-mt-nl-en" in r.path and r.range]
    assert ranges[-1] == f"bytes={300_000 * (RETRIES + 1)}-"
    proc = summarize(hub, project, "models", "verify")
    assert "nl-en: FAILED" in proc.stdout and "pytorch_model.bin: sha256" not in proc.stdout  # unpinned, but whole
    assert not list((project / "hf-home" / "hub").rglob("*.partial"))


def test_a_revision_that_does_not_exist(hub, project):
    text = (project / "models.lock").read_text().replace(DISTILBART_MAIN, "f" * 40)
    (project / "models.lock").write_text(text)
    proc = summarize(hub, project, "run", "seeds", *FAST)
    line = one_line_error(proc)
    assert proc.returncode == 1
    assert "summarizer" in line and "f" * 40 in line and "does not exist" in line and "Fix:" in line


def test_a_repository_that_does_not_exist(hub, project):
    proc = summarize(hub, project, "run", "seeds", "--summarizer", "nobody/no-such-model", *FAST)
    line = one_line_error(proc)
    assert proc.returncode == 1 and "nobody/no-such-model" in line and "--summarizer" in line


def test_the_hub_unreachable(hub, project):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before use: nothing listens there
    for command, roles in ((("run", "seeds", *FAST), 1), (("models", "lock"), 1), (("models", "fetch"), 3)):
        proc = summarize(hub, project, *command, endpoint=f"http://127.0.0.1:{port}")
        lines = error_lines(proc)
        assert proc.returncode == 1 and len(lines) == roles, proc.stderr  # fetch tries every role and names each
        assert all("cannot be reached" in line and "Fix:" in line for line in lines)


def test_a_server_error_and_a_timeout_are_one_line(hub, project):
    hub.fail("/api/models/*", status=503, times=10)
    line = one_line_error(summarize(hub, project, "models", "lock"))
    assert "503" in line and "try again" in line
    hub.stall("/api/models/*", seconds=8, times=10)
    line = one_line_error(summarize(hub, project, "models", "lock", HF_HUB_ETAG_TIMEOUT="2"))
    assert "did not answer in time" in line


def test_main_gaining_safetensors_is_locked_without_the_pickle(hub, project, hub_repos, converted_models):
    files = {p.name: p for p in hub_repos["en-nl"].iterdir() if p.is_file()}
    files["model.safetensors"] = converted_models["en-nl"] / "model.safetensors"
    hub.commit(REPOS["en-nl"], files)
    assert summarize(hub, project, "models", "lock").returncode == 0
    pin = read_lock(project / "models.lock").pin("en-nl")
    assert "model.safetensors" in pin.files and "pytorch_model.bin" not in pin.files
    assert summarize(hub, project, "models", "fetch").returncode == 0
    fetched = {r.file for r in hub.requests if "opus-mt-en-nl/resolve" in r.path and r.method == "GET" and r.status == 200}
    assert "model.safetensors" in fetched and "pytorch_model.bin" not in fetched


def test_a_hub_id_override_takes_the_same_path(hub, project, hub_repos):
    hub.commit_dir("someone/distilbart-copy", hub_repos["summarizer"])
    proc = summarize(hub, project, "run", "seeds", "--summarizer", "someone/distilbart-copy", *FAST)
    assert proc.returncode == 0, proc.stderr
    copy = [r.file for r in hub.requests if "someone/distilbart-copy/resolve" in r.path and r.method == "GET" and r.status == 200]
    assert "pytorch_model.bin" in copy and not [f for f in copy if f.endswith(NEVER)]
    record = json.loads((project / "out" / "001_543b75f5360eb1cb.json").read_text())
    assert record["models"]["summarizer"]["id"] == "someone/distilbart-copy"


def test_verify_tells_incomplete_from_not_downloaded(hub, project):
    from summarizer.models.hubclient import RETRIES

    proc = summarize(hub, project, "models", "verify")
    assert proc.returncode == 1 and proc.stdout.count("is not downloaded") == 3
    hub.truncate("*/distilbart-cnn-12-6/resolve/*/pytorch_model.bin", after=100_000, times=RETRIES + 1)
    assert summarize(hub, project, "models", "fetch").returncode == 1
    proc = summarize(hub, project, "models", "verify")
    assert proc.returncode == 1
    assert re.search(r"summarizer: FAILED\n  - incomplete download", proc.stdout), proc.stdout
    assert "nl-en: FAILED" in proc.stdout and "is not downloaded" not in proc.stdout.split("summarizer: FAILED")[0]
