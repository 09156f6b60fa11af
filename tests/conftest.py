"""Fixtures: the repo's seeds and tiny real models built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

ENGLISH = [
    "The North Korean leader is determined to hold the summit with the American president.",
    "Talks about the cancelled meeting are progressing very well, the White House said on Sunday.",
    "Russia and Japan called for restraint in the conflict between North and South Korea.",
]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    return REPO / "seeds"


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """Tiny random Marian nl-en/en-nl and BART models, saved and loadable with from_pretrained.

    The summarizer's window is 256 positions, so a seed article needs chunking.
    """
    from summarizer.synthetic import build_demo_models

    texts = [p.read_text() for p in sorted((REPO / "seeds").glob("*.txt"))] + ENGLISH
    return build_demo_models(tmp_path_factory.mktemp("models"), corpus=texts)


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
