"""CLI polish: --version, option panels, `--device cuda` refused up front, and the cache commands (read-only info, confirmed clear)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import __version__
from summarizer.cache import CACHE_FILE, Cache
from summarizer.cli.main import EXIT_USAGE, app
from summarizer.engines import device as device_module
from summarizer.errors import UsageError
from summarizer.inputs import webcache

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"summarize {__version__}\n"


@pytest.mark.parametrize(("panel", "options"), [
    ("Inputs and outputs", ["--out"]),
    ("Models", ["--nl-en", "--summarizer", "--en-nl", "--lock", "--offline"]),
    ("Generation", ["--num-beams", "--min-length", "--max-length", "--length-penalty", "--retry-loops"]),
    ("Speed", ["--engine", "--device", "--batch-tokens", "--cache-dir", "--no-cache"]),
    ("Cluster (--engine ray)", ["--ray-address", "--workers", "--gpus-per-worker"]),
    ("Safety limits", ["--max-bytes", "--follow-symlinks", "--force-language"]),
    ("Display", ["--quiet", "--verbose"]),
])
def test_run_options_sit_in_their_help_panel(panel, options):
    text = runner.invoke(app, ["run", "--help"], terminal_width=200).output
    titles = [(m.start(), m.group(1).strip()) for m in re.finditer(r"╭─ (.+?) ─+╮", text)]
    starts = [start for start, _ in titles] + [len(text)]
    where = {title: (start, starts[i + 1]) for i, (start, title) in enumerate(titles)}
    begin, end = where[panel]
    body = text[begin:end]
    for option in options:
        assert re.search(rf"{re.escape(option)}\b", body), f"{option} not in the {panel} panel"


def _no_gpu(monkeypatch):
    """This machine, as far as the device check can tell, has no NVIDIA GPU (whatever machine runs the test)."""
    monkeypatch.setattr(device_module, "_nvidia_nodes", lambda: False)


def test_device_cuda_without_a_gpu_is_a_usage_error_before_any_model(monkeypatch, tmp_path, seed_dir, model_args):
    _no_gpu(monkeypatch)

    def no_models(*args, **kwargs):
        raise AssertionError("models were looked at")

    monkeypatch.setattr("summarizer.run.workbench.Workbench.build", no_models)
    result = runner.invoke(app, ["run", str(seed_dir), "--device", "cuda", "--out", str(tmp_path / "o"),
                                 "--cache-dir", str(tmp_path / "c"), *model_args])
    assert result.exit_code == EXIT_USAGE, result.output
    assert "--device cuda: no NVIDIA GPU" in result.output and "--device cpu" in result.output
    assert result.output.count("error:") == 1  # one line, not one per article
    assert not (tmp_path / "o").exists() and not (tmp_path / "c").exists()


def test_device_cuda_is_refused_when_no_engine_could_use_the_gpu(monkeypatch):
    monkeypatch.setattr(device_module, "_nvidia_nodes", lambda: True)
    monkeypatch.setattr(device_module, "_torch_cuda_build", lambda: False)
    monkeypatch.setitem(__import__("sys").modules, "ctranslate2", None)  # not installed
    with pytest.raises(UsageError, match="torch is a CPU build and CTranslate2 sees no CUDA device"):
        device_module.plan_device("cuda")
    monkeypatch.setattr(device_module, "_torch_cuda_build", lambda: True)
    assert device_module.plan_device("cuda") == ("cuda", "float16")


def test_device_cuda_on_ray_is_left_to_the_workers(monkeypatch):
    _no_gpu(monkeypatch)
    assert device_module.plan_device("cuda", local=False) == ("cuda", "float16")
    with pytest.raises(UsageError):
        device_module.plan_device("cuda")


def _files(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def _filled_cache(directory: Path) -> None:
    cache = Cache(directory)
    cache.put_many("translate:nl-en", {"k1": "one", "k2": "two"})
    cache.put_many("summarize", {"k3": "three"})
    cache.close()
    for folder, model, size in (("models", "opus-mt-nl-en-abc", 3000), ("ct2", "opus-mt-nl-en-def-int8-ct2v4", 2000),
                                ("ct2", "distilbart-123-int8-ct2v4", 1000)):
        (directory / folder / model).mkdir(parents=True, exist_ok=True)
        (directory / folder / model / "model.bin").write_bytes(b"x" * size)


def test_cache_info_on_a_missing_cache_creates_nothing(tmp_path):
    result = runner.invoke(app, ["cache", "info", "--cache-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 0, result.output
    assert "no cache yet" in result.output and "converted models: 0" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_cache_info_reads_only_and_lists_results_and_converted_models_apart(tmp_path):
    _filled_cache(tmp_path)
    before = _files(tmp_path)
    result = runner.invoke(app, ["cache", "info", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert _files(tmp_path) == before  # no file written, touched or created (no -wal or -shm either)
    assert re.search(r"^results: 3$", result.output, re.MULTILINE)
    assert re.search(r"^  summarize: 1$", result.output, re.MULTILINE)
    assert re.search(r"^  translate:nl-en: 2$", result.output, re.MULTILINE)
    assert re.search(r"^converted models: 3 \(0\.0 MB\)$", result.output, re.MULTILINE)
    assert re.search(r"models: 1 safetensors", result.output) and re.search(r"ct2: 2 CTranslate2", result.output)


def test_cache_info_on_a_foreign_file_is_an_error_that_changes_nothing(tmp_path):
    (tmp_path / CACHE_FILE).write_bytes(b"not a database at all" * 100)
    before = _files(tmp_path)
    result = runner.invoke(app, ["cache", "info", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 1 and "error:" in result.output
    assert _files(tmp_path) == before


def test_cache_clear_asks_and_a_no_deletes_nothing(tmp_path):
    _filled_cache(tmp_path)
    result = runner.invoke(app, ["cache", "clear", "--models", "--cache-dir", str(tmp_path)], input="n\n")
    assert result.exit_code != 0
    assert "Delete 3 cached results" in result.output and "3 converted models" in result.output
    info = runner.invoke(app, ["cache", "info", "--cache-dir", str(tmp_path)]).output
    assert "results: 3" in info and "converted models: 3" in info


def test_cache_clear_with_yes_keeps_converted_models_unless_asked(tmp_path):
    _filled_cache(tmp_path)
    result = runner.invoke(app, ["cache", "clear", "--yes", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "removed 3 cached results" in result.output
    info = runner.invoke(app, ["cache", "info", "--cache-dir", str(tmp_path)]).output
    assert "results: 0" in info and "converted models: 3" in info
    result = runner.invoke(app, ["cache", "clear", "--models", "--cache-dir", str(tmp_path)], input="y\n")
    assert result.exit_code == 0, result.output
    assert "removed 3 converted models" in result.output
    assert not (tmp_path / "models").exists() and not (tmp_path / "ct2").exists()


def test_cache_clear_of_nothing_says_so_and_creates_nothing(tmp_path):
    result = runner.invoke(app, ["cache", "clear", "--cache-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 0 and "nothing to clear" in result.output
    assert not os.path.exists(tmp_path / "nowhere")


def _fetched_pages(directory: Path, urls: list[str]) -> Path:
    web = directory / webcache.WEB_DIR
    for url in urls:
        webcache.store(web, url, final_url=url, content_type="text/html", etag=None, last_modified=None, body=b"<p>x</p>" * 100)
    return web


def test_cache_info_and_clear_include_the_fetched_pages_and_nothing_else_in_their_folder(tmp_path):
    _filled_cache(tmp_path)
    web = _fetched_pages(tmp_path, ["https://nos.nl/a", "https://nos.nl/b"])
    (web / "notes.txt").write_text("mine")  # not the cache's: stays
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text("{}")
    (web / ("f" * 64 + ".json")).symlink_to(outside)  # named like a page, but a link: neither counted nor followed
    info = runner.invoke(app, ["cache", "info", "--cache-dir", str(tmp_path)]).output
    assert re.search(rf"^fetched pages: 2 \(0\.0 MB\) in {re.escape(str(web))}$", info, re.MULTILINE), info
    result = runner.invoke(app, ["cache", "clear", "--cache-dir", str(tmp_path)], input="y\n")
    assert result.exit_code == 0, result.output
    assert "and 2 fetched web pages" in result.output and "removed 2 fetched web pages" in result.output
    assert sorted(p.name for p in web.iterdir()) == ["f" * 64 + ".json", "notes.txt"] and outside.read_text() == "{}"
    assert webcache.load(web, "https://nos.nl/a") is None
    info = runner.invoke(app, ["cache", "info", "--cache-dir", str(tmp_path)]).output
    assert "fetched pages: 0 (0.0 MB)" in info and "results: 0" in info


def test_cache_clear_of_fetched_pages_alone_removes_their_folder(tmp_path):
    web = _fetched_pages(tmp_path, ["https://example.org/feed.xml"])
    result = runner.invoke(app, ["cache", "clear", "--yes", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "removed 1 fetched web pages" in result.output and "cached results" not in result.output
    assert not web.exists()
    assert "fetched pages: 0" in runner.invoke(app, ["cache", "info", "--cache-dir", str(tmp_path)]).output
