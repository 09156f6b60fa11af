"""Weights that are safe to load: pickles converted once, refused when they hold code, and wrong keys never silent."""

from __future__ import annotations

import os
import shutil
import zipfile

import pytest
import torch
from typer.testing import CliRunner

from summarizer.cache import Cache
from summarizer.cli.main import app
from summarizer.engines.torch import TorchEngine
from summarizer.errors import ModelLoadError
from summarizer.models.sources import ModelSource, file_digest
from summarizer.models.weights import check_loading_info, needs_conversion, safe_model_dir

runner = CliRunner()
FAST = ["--num-beams", "1", "--max-length", "12", "--min-length", "2"]


def _copy_with_state(src, dst, edit):
    """A copy of a stand-in checkpoint whose legacy pytorch_model.bin went through ``edit(state_dict)``."""
    shutil.copytree(src, dst)
    state = torch.load(dst / "pytorch_model.bin", weights_only=True)
    edit(state)
    torch.save(state, dst / "pytorch_model.bin", _use_new_zipfile_serialization=False)
    return dst


def _convert(path, tmp_path, role="nl-en"):
    cache = Cache(None)
    return safe_model_dir(path, role=role, model_id=str(path), revision="r", store=tmp_path / "store",
                          digest=lambda p: file_digest(p, cache=cache))


def test_a_pickle_is_converted_once_and_keyed_by_its_hash(hub_repos, tmp_path):
    source = hub_repos["nl-en"]
    assert needs_conversion(source) and not zipfile.is_zipfile(source / "pytorch_model.bin")  # legacy, like the real one
    first = _convert(source, tmp_path)
    assert (first / "model.safetensors").is_file() and not list(first.glob("*.bin"))
    for name in ("config.json", "generation_config.json", "vocab.json", "source.spm", "target.spm", "tokenizer_config.json"):
        assert (first / name).read_bytes() == (source / name).read_bytes()  # published files byte for byte
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert _convert(source, tmp_path) == first and (first / "model.safetensors").stat().st_mtime_ns == stamp
    changed = _copy_with_state(source, tmp_path / "changed", lambda s: s["final_logits_bias"].add_(1))
    assert _convert(changed, tmp_path) != first  # other bytes, other store entry


def test_converted_weights_equal_the_pickles(hub_repos, tmp_path):
    from transformers import AutoModelForSeq2SeqLM

    for role in ("nl-en", "summarizer"):
        original = AutoModelForSeq2SeqLM.from_pretrained(hub_repos[role]).state_dict()
        converted = AutoModelForSeq2SeqLM.from_pretrained(_convert(hub_repos[role], tmp_path, role)).state_dict()
        assert original.keys() == converted.keys()
        assert all(torch.equal(original[k], converted[k]) for k in original), role


def test_a_renamed_key_is_an_error_naming_role_and_keys(hub_repos, tmp_path, seed_dir, model_args):
    def rename(state):
        key = next(k for k in state if k.endswith("layers.0.self_attn.k_proj.weight"))
        state[key.replace("k_proj", "key_proj")] = state.pop(key)

    broken = _copy_with_state(hub_repos["nl-en"], tmp_path / "renamed", rename)
    with pytest.raises(ModelLoadError) as info:
        _convert(broken, tmp_path)
    message = str(info.value)
    assert message.startswith("nl-en:") and "k_proj.weight" in message and "key_proj.weight" in message
    assert "missing" in message and "unexpected" in message
    result = runner.invoke(app, ["run", str(seed_dir), "--out", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c"),
                                 *model_args, "--nl-en", str(broken), *FAST])
    assert result.exit_code == 1 and "k_proj.weight" in result.output and "--nl-en" in result.output


def test_a_renamed_key_in_safetensors_is_caught_at_load(converted_models, tmp_path):
    from safetensors.torch import load_file, save_file

    broken = shutil.copytree(converted_models["summarizer"], tmp_path / "broken")
    state = load_file(broken / "model.safetensors")
    key = next(k for k in state if k.endswith("fc1.weight"))
    state[key + "_old"] = state.pop(key)
    save_file(state, broken / "model.safetensors", metadata={"format": "pt"})
    engine = TorchEngine(ModelSource("summarizer", "x", "r", broken), device="cpu", dtype="float32")
    with pytest.raises(ModelLoadError, match=r"summarizer: .*missing: .*fc1\.weight.*unexpected: .*fc1\.weight_old"):
        engine.model


@pytest.mark.parametrize(("info", "ok"), [
    ({"missing_keys": ["lm_head.weight", "final_logits_bias", "model.encoder.embed_positions.weight"]}, True),
    ({"unexpected_keys": ["model.encoder.version", "model.decoder.version"]}, True),
    ({"missing_keys": ["model.encoder.layers.0.fc1.weight"]}, False),
    ({"unexpected_keys": ["model.encoder.layers.0.fc3.weight"]}, False),
    ({"mismatched_keys": [("model.shared.weight", (10, 4), (12, 4))]}, False),
])
def test_loading_info_allow_list(info, ok, tmp_path):
    if ok:
        check_loading_info("summarizer", tmp_path, info)
    else:
        with pytest.raises(ModelLoadError, match="summarizer: "):
            check_loading_info("summarizer", tmp_path, info)


class _Payload:
    def __reduce__(self):
        return (os.system, (f"touch {os.environ['PAYLOAD_MARKER']}",))


def test_a_pickle_with_code_is_refused_in_one_line_and_never_runs(hub_repos, tmp_path, seed_dir, monkeypatch, model_args):
    marker = tmp_path / "pwned"
    monkeypatch.setenv("PAYLOAD_MARKER", str(marker))
    evil = shutil.copytree(hub_repos["en-nl"], tmp_path / "evil")
    state = torch.load(evil / "pytorch_model.bin", weights_only=True)
    state["payload"] = _Payload()
    torch.save(state, evil / "pytorch_model.bin", _use_new_zipfile_serialization=False)
    result = runner.invoke(app, ["run", str(seed_dir), "--out", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c"),
                                 *model_args, "--en-nl", str(evil), *FAST])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "en-nl" in errors[0] and "weights_only" in errors[0]
    assert not marker.exists()
    assert not (tmp_path / "o" / "000_4ec734f60fdfd72d.json").exists()
