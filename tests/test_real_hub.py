"""The real hub repos still hold what ../shared/CHECKPOINTS.md (and our stand-ins) say: run on a connected machine."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlparse

import pytest

from summarizer.models.hubclient import select_files

pytestmark = pytest.mark.network

REAL_HUB = "https://huggingface.co"
EXPECTED = {
    "Helsinki-NLP/opus-mt-nl-en": ("70243188530be305eaee44a120fc768a1f7f52abad2f7bb4f87b70bd4fe2a6c1", 67028, 6),
    "Helsinki-NLP/opus-mt-en-nl": ("8b2ff97027f9b35904984dca8508ab633dfffc4e58c7fbedb7eb236d2a937a36", 67028, 4),
    "sshleifer/distilbart-cnn-12-6": ("3bac65d18c99463302d12ca75c2220ea714f9c81ce235f205fa818efe71df6ea", 50264, 4),
}
DISTILBART_MAIN = "a4f8f3ea906ed274767e9906dbaede7531d660ff"


@pytest.fixture(scope="module")
def api():
    host = urlparse(REAL_HUB).hostname
    try:
        socket.create_connection((host, 443), timeout=5).close()
    except OSError as exc:
        pytest.skip(f"needs the Hugging Face hub ({host} unreachable here: {exc})")
    from huggingface_hub import HfApi

    return HfApi(endpoint=REAL_HUB)


@pytest.mark.parametrize("repo", sorted(EXPECTED))
def test_real_repo_matches_the_recorded_facts(api, repo, tmp_path):
    from huggingface_hub import hf_hub_download

    sha256, vocab_size, beams = EXPECTED[repo]
    info = api.model_info(repo, files_metadata=True)
    files = {s.rfilename: s for s in info.siblings}
    assert "pytorch_model.bin" in files and files["pytorch_model.bin"].lfs.sha256 == sha256
    chosen = select_files(files)
    assert "model.safetensors" in chosen or "pytorch_model.bin" in chosen
    assert not any(n.endswith((".h5", ".ot", ".msgpack")) for n in chosen)
    config = json.loads(open(hf_hub_download(repo, "config.json", revision=info.sha, cache_dir=tmp_path, endpoint=REAL_HUB)).read())
    assert config["vocab_size"] == vocab_size
    if "generation_config.json" in files:
        generation = json.loads(open(hf_hub_download(repo, "generation_config.json", revision=info.sha, cache_dir=tmp_path,
                                                     endpoint=REAL_HUB)).read())
        assert generation["num_beams"] == beams
    else:
        assert config["num_beams"] == beams


def test_distilbart_pin_still_exists(api):
    assert api.model_info("sshleifer/distilbart-cnn-12-6", revision=DISTILBART_MAIN).sha == DISTILBART_MAIN
