"""--engine ray: a local Ray instance with 2 CPUs gives the local engine's outputs, and survives a killed worker."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.inputs.articles import find_articles, read_article
from summarizer.cli.main import app
from summarizer.engines.ray import NAME_PREFIX, ClusterOptions
from summarizer.run.options import RunOptions
from summarizer.run.pipeline import run
from summarizer.generation.settings import Overrides
from summarizer.outputs.writers import WRITERS

runner = CliRunner()
N_ARTICLES = 200
CHEAP = ["--num-beams", "1", "--min-length", "2", "--max-length", "12"]  # tiny models emit gibberish: keep it short


@pytest.fixture(scope="module")
def ray_cluster():
    """One local Ray instance with 2 CPUs for the whole module (start-up costs seconds)."""
    ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'summarize-nl[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}})
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, seed_dir) -> Path:
    """~200 short articles in nested folders, built from the seeds' sentences (so sentences repeat across articles)."""
    pool = [s for path, name in find_articles(seed_dir) for s in read_article(path, name).sentences][:24]
    root = tmp_path_factory.mktemp("corpus")
    for i in range(N_ARTICLES):
        body = f"{pool[i % len(pool)]} {pool[(7 * i + 3) % len(pool)]}"
        path = root / f"{i // 50:02d}" / f"{i:03d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f" date 2018-05 \n{body}\n", encoding="utf-8")
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def wait_for(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def run_cli(*args: str):
    return runner.invoke(app, ["run", *args], catch_exceptions=False)


def test_ray_outputs_equal_local_outputs(ray_cluster, corpus, seed_dir, model_args, tmp_path):
    inputs = [str(seed_dir), str(corpus / "*")]  # a list of roots, one of them a glob
    local = run_cli(*inputs, "--out", str(tmp_path / "local"), "--cache-dir", str(tmp_path / "c1"), *CHEAP, *model_args)
    assert local.exit_code == 0, local.output
    on_ray = run_cli(*inputs, "--out", str(tmp_path / "ray"), "--cache-dir", str(tmp_path / "c2"), "--engine", "ray",
                     "--workers", "2", *CHEAP, *model_args)
    assert on_ray.exit_code == 0, on_ray.output
    assert f"{N_ARTICLES + 2} done, 0 failed" in on_ray.output
    assert "models:    6 loaded" in on_ray.output  # 3 roles x 2 workers, each model loaded once
    assert "retries:   0" in on_ray.output
    expected, got = tree(tmp_path / "local"), tree(tmp_path / "ray")
    articles = [k for k in expected if not k.startswith("stories/") and k.endswith(tuple(f".{s}" for s in WRITERS))]
    assert len(articles) == len(WRITERS) * (N_ARTICLES + 2)  # besides: index.html/.md, translation pages, stories/
    assert got == expected  # byte for byte: same batches, same engine, same compute key
    assert wait_for(lambda: not [n for n in ray_cluster.util.list_named_actors() if n.startswith(NAME_PREFIX)])

    again = run_cli(*inputs, "--out", str(tmp_path / "ray"), "--cache-dir", str(tmp_path / "c1"), "--engine", "ray",
                    *CHEAP, *model_args)
    assert again.exit_code == 0, again.output
    assert "0 misses" in again.output and "0 loaded" in again.output  # a local run's cache serves a Ray run
    assert tree(tmp_path / "ray") == expected


def test_killed_worker_is_restarted_and_the_run_completes(ray_cluster, corpus, tiny_models, tmp_path):
    killed: list[int] = []

    def kill_a_translation_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            names = [n for n in ray_cluster.util.list_named_actors() if n.startswith(f"{NAME_PREFIX}:nl-en:")]
            if names:
                pid = ray_cluster.get(ray_cluster.get_actor(names[0]).pid.remote())
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.05)

    options = RunOptions(
        out_dir=tmp_path / "out",
        cache_dir=tmp_path / "cache",
        models={role: str(path) for role, path in tiny_models.items()},
        settings=Overrides(num_beams=1, min_length=2, max_length=12),
        engine="ray",
        cluster=ClusterOptions(workers=1),
    )
    killer = threading.Thread(target=kill_a_translation_worker, daemon=True)
    killer.start()
    report = run(corpus, options)
    killer.join(timeout=5)
    assert killed, "the worker was never killed"
    assert report.ok and len(report.done) == N_ARTICLES
    assert report.retries >= 1
    assert report.models_loaded >= 4  # 3 roles, plus the restarted worker's reload
    for path, name in find_articles(corpus):
        stem = Path(name).with_suffix("")
        assert (tmp_path / "out" / f"{stem}.json").is_file()


def test_engine_ray_without_ray_says_how_to_install(monkeypatch, seed_dir, model_args, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    result = runner.invoke(app, ["run", str(seed_dir), "--out", str(tmp_path / "out"), "--engine", "ray", *model_args])
    assert result.exit_code == 2
    assert "pip install 'summarize-nl[ray]'" in result.output


def test_workers_load_their_model_before_taking_work(ray_cluster, tiny_models, tmp_path):
    """Every engine kind preloads through the Engine protocol (CTranslate2 and the fallback had no `model` to probe)."""
    from summarizer.engines.factory import EngineName, make_engine
    from summarizer.engines.ray import RayEngine
    from summarizer.models.sources import ModelSource

    source = ModelSource("nl-en", str(tiny_models["nl-en"]), "r", tiny_models["nl-en"])
    for name in (EngineName.AUTO, EngineName.CTRANSLATE2, EngineName.TORCH):
        def factory(name=name):
            return make_engine(name, source, device="cpu", dtype="float32", store=tmp_path / "ct2")

        engine = RayEngine(factory(), factory, cluster=ClusterOptions(workers=1))
        try:
            engine.preload()
            actor = ray_cluster.get_actor(next(n for n in ray_cluster.util.list_named_actors()
                                               if n.startswith(f"{NAME_PREFIX}:nl-en:")))
            assert ray_cluster.get(actor.loads.remote()) == 1, name  # loaded at start, no batch sent yet
        finally:
            engine.close()
