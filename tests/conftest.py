"""Fixtures: the repo's seeds and tiny real models built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

ENGLISH = [
    "The North Korean leader is determined to hold the summit with the American president.",
    "Talks about the cancelled meeting are progressing very well, the White House said on Sunday.",
    "Russia and Japan called for restraint in the conflict between North and South Korea.",
]


def pytest_configure(config) -> None:
    """Stand-in tokenizers are trained once and kept in the repo's .pytest_cache, never in the user's cache."""
    os.environ.setdefault("SUMMARIZE_STANDIN_CACHE", str(REPO / ".pytest_cache" / "standins"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    return REPO / "seeds"


@pytest.fixture(scope="session")
def hub_repos(tmp_path_factory) -> dict[str, Path]:
    """Stand-ins of the three real hub repos as published on `main` (../shared/CHECKPOINTS.md), tiny layers.

    Real file layout, config text, tokenizers and vocabularies; weights only as a legacy
    pytorch_model.bin, beside placeholder TF/Flax/Rust files that must never be downloaded.
    """
    from summarizer.models.standins import build_standins

    return build_standins(tmp_path_factory.mktemp("hub-repos"), all_formats=True)


@pytest.fixture(scope="session")
def converted_models(hub_repos, tmp_path_factory) -> dict[str, Path]:
    """The stand-ins as a run loads them: pickles converted once to safetensors by the same code a user's run uses."""
    from summarizer.cache import Cache
    from summarizer.models.sources import file_digest
    from summarizer.models.weights import safe_model_dir

    store = tmp_path_factory.mktemp("model-store")
    cache = Cache(None)
    return {
        role: safe_model_dir(path, role=role, model_id=f"standin/{role}", revision="test", store=store,
                             digest=lambda p: file_digest(p, cache=cache))
        for role, path in hub_repos.items()
    }


@pytest.fixture(scope="session")
def tiny_models(converted_models) -> dict[str, Path]:
    """The models most tests run: real-like tiny stand-ins, loadable with from_pretrained."""
    return converted_models


@pytest.fixture()
def model_args(tiny_models) -> list[str]:
    """CLI options pointing every role at the tiny models."""
    return ["--nl-en", str(tiny_models["nl-en"]), "--summarizer", str(tiny_models["summarizer"]),
            "--en-nl", str(tiny_models["en-nl"])]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test reads the user's cache, config or the hub."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    for var in ("SUMMARIZE_NL_EN", "SUMMARIZE_SUMMARIZER", "SUMMARIZE_EN_NL", "SUMMARIZE_CACHE_DIR", "SUMMARIZE_OUT",
                "SUMMARIZE_ENGINE"):
        monkeypatch.delenv(var, raising=False)
