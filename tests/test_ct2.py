"""The CTranslate2 engine: parity with transformers, engine choice and fallback, conversion reuse, the CLI."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli.main import app
from summarizer.outputs.signature import Signature
from summarizer.run.options import RunOptions
from summarizer.run.plan import plan_engines
from summarizer.engines.ctranslate2 import CT2Engine, translate_options
from summarizer.engines.torch import TorchEngine
from summarizer.engines.factory import FallbackEngine, make_engine
from summarizer.errors import UsageError
from summarizer.models.sources import ModelSource

pytest.importorskip("ctranslate2")

DUTCH = [
    "Kim Jong-un is vastberaden om de ontmoeting met Trump te laten doorgaan.",
    "Ja.",
    "Rusland en Japan riepen op tot terughoudendheid in het conflict tussen Noord- en Zuid-Korea.",
]
ENGLISH = ["The North Korean leader is determined to hold the summit with the American president. " * 3, "Yes."]
GREEDY = {
    "nl-en": {"num_beams": 1, "max_new_tokens": 30},
    "summarizer": {"num_beams": 1, "length_penalty": 2.0, "min_length": 10, "max_length": 40,
                   "no_repeat_ngram_size": 3, "early_stopping": True},
}


def _source(tiny_models, role: str) -> ModelSource:
    path = tiny_models[role]
    return ModelSource(role=role, id=str(path), revision="test-rev", path=path)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ct2-store")


@pytest.mark.parametrize("role, texts", [("nl-en", DUTCH), ("summarizer", ENGLISH)])
def test_float32_greedy_matches_transformers_token_for_token(tiny_models, store, role, texts):
    import torch

    torch_engine = TorchEngine(_source(tiny_models, role), device="cpu", dtype="float32")
    ct2_engine = CT2Engine(_source(tiny_models, role), device="cpu", store=store, compute_type="float32")
    kwargs = GREEDY[role]
    tok = torch_engine.tokenizer
    batch = tok(texts, return_tensors="pt", padding=True)
    with torch.inference_mode():
        hf_ids = torch_engine.model.generate(**batch, **kwargs).tolist()
    special = set(tok.all_special_ids)
    hf_tokens = [[i for i in row if i not in special] for row in hf_ids]
    options = translate_options(kwargs, ct2_engine.generation_defaults)
    prefix = [tok.convert_ids_to_tokens(options.pop("prefix_ids"))] * len(texts)
    results = ct2_engine.translator.translate_batch(
        [tok.convert_ids_to_tokens(ids) for ids in tok(texts)["input_ids"]], prefix if prefix[0] else None, **options
    )
    ct2_tokens = [[i for i in tok.convert_tokens_to_ids(r.hypotheses[0]) if i not in special] for r in results]
    assert ct2_tokens == hf_tokens
    assert max(len(t) for t in hf_tokens) > 5, "outputs too short to mean anything"
    assert ct2_engine.generate(texts, **kwargs) == torch_engine.generate(texts, **kwargs)


def test_int8_runs_and_is_keyed_apart(tiny_models, store):
    int8 = CT2Engine(_source(tiny_models, "nl-en"), device="cpu", store=store)
    float32 = CT2Engine(_source(tiny_models, "nl-en"), device="cpu", store=store, compute_type="float32")
    assert int8.compute == "ctranslate2:cpu:int8" != float32.compute
    assert int8.converted_dir != float32.converted_dir
    out = int8.generate(DUTCH, num_beams=4, max_new_tokens=20)
    assert len(out) == 3 and all(out)
    assert int8.count_tokens(DUTCH) == float32.count_tokens(DUTCH)


def test_output_length_cap_applies(tiny_models, store):
    engine = CT2Engine(_source(tiny_models, "nl-en"), device="cpu", store=store, compute_type="float32")
    for cap in (3, 9):
        outputs = engine.generate(DUTCH, num_beams=2, max_new_tokens=cap)
        # English output, counted with the target-side sentencepiece model it was generated with
        lengths = [len(ids) for ids in engine.tokenizer(text_target=outputs, add_special_tokens=False)["input_ids"]]
        assert max(lengths) <= cap and min(lengths) >= 1


@pytest.mark.parametrize(
    "kwargs, defaults, expected",
    [
        ({"num_beams": 4, "max_new_tokens": 30}, {"forced_eos_token_id": 0}, {"beam_size": 4, "max_decoding_length": 29, "prefix_ids": []}),
        ({"num_beams": 1, "max_new_tokens": 30}, {}, {"max_decoding_length": 30}),
        ({"max_length": 142, "min_length": 56, "length_penalty": 2.0, "no_repeat_ngram_size": 3},
         {"forced_bos_token_id": 0, "forced_eos_token_id": 2},
         {"max_decoding_length": 140, "min_decoding_length": 55, "length_penalty": 2.0, "no_repeat_ngram_size": 3, "prefix_ids": [0]}),
    ],
)
def test_translate_options_map_transformers_arguments(kwargs, defaults, expected):
    options = translate_options(kwargs, defaults)
    assert {k: options[k] for k in expected} == expected
    assert options["max_input_length"] == 0


def test_translate_options_refuse_what_they_cannot_map():
    with pytest.raises(ValueError, match="top_k"):
        translate_options({"max_new_tokens": 5, "top_k": 3}, {})


def test_engine_choice(tiny_models, tmp_path, monkeypatch, caplog):
    source = _source(tiny_models, "nl-en")
    assert isinstance(make_engine("torch", source, device="cpu", dtype="float32", store=tmp_path), TorchEngine)
    assert isinstance(make_engine("ctranslate2", source, device="cpu", dtype="float32", store=tmp_path), CT2Engine)
    auto = make_engine("auto", source, device="cpu", dtype="float32", store=tmp_path)
    assert isinstance(auto, FallbackEngine) and auto.compute == "ctranslate2:cpu:int8"
    with pytest.raises(UsageError, match="--engine"):
        make_engine("onnx", source, device="cpu", dtype="float32", store=tmp_path)
    monkeypatch.setattr("summarizer.engines.factory.ct2_available", lambda: False)
    with caplog.at_level(logging.WARNING):
        assert isinstance(make_engine("auto", source, device="cpu", dtype="float32", store=tmp_path), TorchEngine)
    assert "not installed" in caplog.text
    monkeypatch.setattr("summarizer.run.plan.ct2_available", lambda: False)
    with pytest.raises(UsageError, match="pip install ctranslate2"):
        plan_engines(RunOptions(engine="ctranslate2"))


def test_auto_falls_back_to_torch_when_conversion_fails(tiny_models, tmp_path, caplog):
    model = shutil.copytree(tiny_models["nl-en"], tmp_path / "mish")
    config = json.loads((model / "config.json").read_text())
    config["activation_function"] = "mish"  # transformers runs it, CTranslate2 has no such activation
    (model / "config.json").write_text(json.dumps(config))
    source = ModelSource(role="nl-en", id=str(model), revision="mish", path=model)
    engine = make_engine("auto", source, device="cpu", dtype="float32", store=tmp_path / "store")
    with caplog.at_level(logging.WARNING):
        assert engine.compute == "torch:cpu:float32"
    assert "cannot convert" in caplog.text and "using torch" in caplog.text
    assert engine.generate(["Ja."], num_beams=1, max_new_tokens=5)[0]
    assert engine.loads == 1
    assert [p.name for p in (tmp_path / "store").iterdir()] == []  # no half-written conversion left behind


def test_cli_with_ctranslate2_converts_once(seed_dir, model_args, tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZE_ENGINE", "ctranslate2")
    runner = CliRunner()
    def args(out: str) -> list[str]:
        return ["run", str(seed_dir), "--out", str(tmp_path / out), "--no-cache", "--quiet", *model_args]

    result = runner.invoke(app, args("out"), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "000_4ec734f60fdfd72d.json").read_text())
    assert {m["compute"] for m in record["models"].values()} == {"ctranslate2:cpu:int8"}
    assert [m.compute for m in Signature.parse(record["signature"]).models] == ["ctranslate2:cpu:int8"] * 3
    assert record["summary"] and all(p["en"] and p["nl"] for p in record["summary"])
    assert all(t["en"] for t in record["translation"])

    store = tmp_path / "xdg-cache" / "summarize" / "ct2"  # --no-cache: the platform cache dir (XDG_CACHE_HOME)
    converted = {p: p.joinpath("model.bin").stat().st_mtime_ns for p in store.iterdir()}
    assert len(converted) == 3 and all(not p.name.startswith(".") for p in converted)
    result = runner.invoke(app, args("out2"), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert {p: p.joinpath("model.bin").stat().st_mtime_ns for p in store.iterdir()} == converted
    assert (tmp_path / "out2" / "000_4ec734f60fdfd72d.json").read_text() == (tmp_path / "out" / "000_4ec734f60fdfd72d.json").read_text()
