"""The command line: the RunOptions a command line builds, usage errors before any model is looked at, help panels."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli.main import EXIT_CODES, app, exit_code
from summarizer.engines.device import Device
from summarizer.engines.factory import EngineName
from summarizer.engines.ray import ClusterOptions
from summarizer.errors import Interrupted, ModelNotFoundError, UsageError
from summarizer.generation.settings import Overrides
from summarizer.models.roles import ROLES
from summarizer.run.options import RunOptions, RunReport

runner = CliRunner()


@pytest.fixture()
def captured(monkeypatch):
    """Replaces the pipeline by a recorder of what the CLI asked of it."""
    seen: dict = {}

    def fake_run(inputs, options, reporter=None):
        seen.update(inputs=inputs, options=options)
        return RunReport(done=["a"])

    monkeypatch.setattr("summarizer.run.pipeline.run", fake_run)
    return seen


def test_defaults_build_the_default_options(captured, tmp_path):
    result = runner.invoke(app, ["run", "in", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert captured["inputs"] == ["in"]
    assert captured["options"] == RunOptions(out_dir=Path("out"), cache_dir=tmp_path, models={r: None for r in ROLES})


def test_every_option_reaches_run_options(captured, tmp_path):
    args = ["run", "a", "b/*.txt", "-o", str(tmp_path / "o"), "--no-cache", "--nl-en", "x/nl", "--summarizer", "./s",
            "--en-nl", "y/en", "--lock", "l.lock", "--offline", "--num-beams", "2", "--min-length", "3", "--max-length", "30",
            "--length-penalty", "1.5", "--no-retry-loops", "--engine", "ray", "--device", "cpu", "--batch-tokens", "512",
            "--ray-address", "ray://h:1", "--workers", "3", "--gpus-per-worker", "0", "--max-bytes", "0", "--force-language", "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert captured["inputs"] == ["a", "b/*.txt"]
    assert captured["options"] == RunOptions(
        out_dir=tmp_path / "o", cache_dir=None, device=Device.CPU, models={"nl-en": "x/nl", "summarizer": "./s", "en-nl": "y/en"},
        lock_path=Path("l.lock"), settings=Overrides(num_beams=2, min_length=3, max_length=30, length_penalty=1.5),
        batch_tokens=512, engine=EngineName.RAY, cluster=ClusterOptions(address="ray://h:1", workers=3, gpus_per_worker=0.0),
        allow_download=False, force_language=True, max_bytes=None, retry_loops=False,
    )


def test_role_options_come_from_the_role_registry(captured, monkeypatch):
    for role in ROLES.values():
        monkeypatch.setenv(role.envvar, f"env/{role.name}")
    assert runner.invoke(app, ["run", "in", "--no-cache", "-q"]).exit_code == 0
    assert captured["options"].models == {name: f"env/{name}" for name in ROLES}
    help_text = runner.invoke(app, ["run", "--help"], terminal_width=200).output
    assert all(role.option in help_text for role in ROLES.values())


@pytest.mark.parametrize("args, message", [
    (["--engine", "onnx"], "onnx"),
    (["--device", "tpu"], "tpu"),
    (["--length-penalty", "nan"], "finite"),
    (["--length-penalty", "inf"], "finite"),
    (["--min-length", "500", "--max-length", "10"], "larger than --max-length"),
])
def test_bad_options_are_usage_errors_before_any_model(args, message, tmp_path, seed_dir):
    result = runner.invoke(app, ["run", str(seed_dir), "--nl-en", str(tmp_path / "no-such-model"), "--out", str(tmp_path / "o"),
                                 "--no-cache", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "no-such-model" not in result.output  # the model was never resolved
    assert not (tmp_path / "o").exists()


def test_engine_choices_include_ray():
    help_text = runner.invoke(app, ["run", "--help"], terminal_width=200).output
    assert all(name.value in help_text for name in EngineName)
    for panel in ("Inputs and outputs", "Models", "Generation", "Speed", "Cluster", "Safety limits", "Display"):
        assert panel in help_text


def test_the_exit_code_table():
    assert exit_code(Interrupted(done=1, failed=0, total=3)) == 130
    assert exit_code(UsageError("x")) == 2
    assert exit_code(ModelNotFoundError("x")) == 1

    class Special(UsageError):
        pass

    assert exit_code(Special("x")) == 2  # a subclass maps as its base, since more specific classes come first
    assert all(not issubclass(later, earlier) for i, (earlier, _) in enumerate(EXIT_CODES) for later, _ in EXIT_CODES[i + 1:])


def test_the_library_checks_the_engine_before_resolving_models(tmp_path, seed_dir):
    from summarizer.run.pipeline import run

    options = RunOptions(out_dir=tmp_path / "o", models={"nl-en": str(tmp_path / "no-such-model")}, engine="onnx")
    with pytest.raises(UsageError, match="--engine must be one of auto, torch, ctranslate2, ray, not 'onnx'"):
        run(seed_dir, options)
    assert not (tmp_path / "o").exists()
