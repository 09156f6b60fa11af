"""Literal special-token strings in an article are text: translated and summarized on every engine, never a crash."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from summarizer.cli.main import app
from summarizer.engines.ctranslate2 import CT2Engine
from summarizer.engines.torch import TorchEngine
from summarizer.models.sources import ModelSource

LITERALS = ("<mask>", "</s>", "<pad>", "<unk>", "<s>")
DUTCH = "De tekst <mask> bevat </s> letterlijk <pad> en <unk> als woorden, en <s> ook."
ENGLISH = "The text <mask> contains </s> literally <pad> and <unk> as words, and <s> too."


def _engines(tiny_models, role, store):
    source = ModelSource(role, str(tiny_models[role]), "r", tiny_models[role])
    return [TorchEngine(source, device="cpu", dtype="float32"), CT2Engine(source, device="cpu", store=store, compute_type="float32")]


@pytest.mark.parametrize(("role", "text"), [("nl-en", DUTCH), ("summarizer", ENGLISH), ("en-nl", ENGLISH)])
def test_literals_are_encoded_as_text_within_the_models_vocabulary(tiny_models, tmp_path, role, text):
    for engine in _engines(tiny_models, role, tmp_path):
        ids = engine.encode([text], add_special_tokens=False)[0]
        special = set(engine.tokenizer.all_special_ids)
        assert not special & set(ids), (engine.name, [engine.tokenizer.convert_ids_to_tokens(i) for i in ids])
        config = json.loads((tiny_models[role] / "config.json").read_text())
        assert max(ids) < config["vocab_size"]
        assert engine.tokenizer.decode(ids).replace(" ", "") == text.replace(" ", "")  # nothing lost


def test_the_real_tokenizer_quirk_is_reproduced(tiny_models):
    engine = TorchEngine(ModelSource("summarizer", "x", "r", tiny_models["summarizer"]), device="cpu", dtype="float32")
    config = json.loads((tiny_models["summarizer"] / "config.json").read_text())
    assert engine.tokenizer.convert_tokens_to_ids("<mask>") >= config["vocab_size"]  # <mask> = 50264, 50264 rows


@pytest.mark.parametrize(("role", "text"), [("nl-en", DUTCH), ("summarizer", ENGLISH), ("en-nl", ENGLISH)])
def test_every_engine_generates_from_text_with_literals(tiny_models, tmp_path, role, text):
    for engine in _engines(tiny_models, role, tmp_path):
        out = engine.generate([text, "Gewone zin."], num_beams=2, max_new_tokens=8)
        assert len(out) == 2 and all(isinstance(t, str) for t in out), engine.name


@pytest.mark.parametrize("engine", ["torch", "ctranslate2"])
def test_an_article_full_of_literals_is_processed(tmp_path, model_args, engine):
    folder = tmp_path / "in"
    folder.mkdir()
    sentences = [f"Het woord {w} staat in zin {i} van dit artikel over de gemeenteraad van Utrecht." for i, w in enumerate(LITERALS)]
    (folder / "tokens.txt").write_text("Kop met <mask> erin\n\n" + " ".join(sentences) + "\n")
    result = CliRunner().invoke(app, ["run", str(folder), "--out", str(tmp_path / "out"), "--no-cache", "--engine", engine,
                                      "--num-beams", "1", "--max-length", "16", "--min-length", "2", *model_args])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "tokens.json").read_text())
    assert [t["nl"] for t in record["translation"]] == sentences
    assert record["meta"]["title"]["nl"] == "Kop met <mask> erin"
    assert record["summary"]
