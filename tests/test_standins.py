"""Stand-ins for the real checkpoints: the hub's files, configs, tokenizers and weight format, random weights."""

from __future__ import annotations

import hashlib
import json
import pickle
import zipfile
from pathlib import Path

import pytest

from summarizer.models import standins
from summarizer.models.standins import TINY_LAYERS

MARIAN_FILES = {
    ".gitattributes", "README.md", "config.json", "generation_config.json", "pytorch_model.bin",
    "source.spm", "target.spm", "tokenizer_config.json", "vocab.json",
}
BART_FILES = {
    ".gitattributes", "README.md", "config.json", "merges.txt", "pytorch_model.bin", "tokenizer_config.json",
    "vocab.json",
}
# News-style English (written for these tests): names, numbers, possessives and quotes, as in real articles.
ENGLISH_NEWS = [
    (
        "North Korea's leader Kim Jong-un is still determined to meet US President Donald Trump, South Korean "
        "President Moon Jae-in said on Sunday, a day after the two leaders held a surprise meeting at the border."
    ),
    (
        '"We agreed that the summit must take place," Moon told reporters in Seoul, adding that Pyongyang\'s '
        'commitment to denuclearisation was "clear".'
    ),
    (
        "The European Central Bank left its key interest rate unchanged at 4.5% on Thursday, while President "
        "Christine Lagarde warned that inflation would stay above target well into 2025."
    ),
    (
        "Dutch police arrested three men, aged 19, 23 and 31, in connection with a string of burglaries in "
        "Utrecht and Amersfoort, a spokesperson said."
    ),
    "Thousands of residents were evacuated from their homes in Limburg as the Meuse reached its highest level.",
]


@pytest.fixture(scope="session")
def standin_cache() -> str:
    """Root of the tokenizer cache, resolved before any test patches the environment (session fixtures go first).

    The same cache conftest's stand-ins use: $SUMMARIZE_STANDIN_CACHE, else the user cache, so the
    tokenizers are trained once per machine, not once per session.
    """
    return str(standins.cache_dir().parent)


@pytest.fixture(scope="session")
def built(tmp_path_factory, standin_cache) -> dict[str, Path]:
    """The three tiny stand-ins, built once (first run trains the tokenizers, about 40 s on 2 cores)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(standins.CACHE_ENV, standin_cache)
        return standins.build_standins(tmp_path_factory.mktemp("standins"))


@pytest.fixture()
def use_cache(monkeypatch, standin_cache) -> None:
    """Point builders called inside a test at the session's tokenizer cache."""
    monkeypatch.setenv(standins.CACHE_ENV, standin_cache)


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _load(path: Path):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    model, info = AutoModelForSeq2SeqLM.from_pretrained(path, output_loading_info=True)
    return model, info, AutoTokenizer.from_pretrained(path)


def _fillers(path: Path) -> set[int]:
    return {i for token, i in _json(path / "vocab.json").items() if "<unused" in token}


# --- files ------------------------------------------------------------------------------------------------


def test_build_standins_roles(built):
    assert set(built) == {"nl-en", "summarizer", "en-nl"}
    assert all(path.name == role for role, path in built.items())


@pytest.mark.parametrize("role, files", [("nl-en", MARIAN_FILES), ("en-nl", MARIAN_FILES), ("summarizer", BART_FILES)])
def test_file_list_is_the_real_repos(built, role, files):
    assert {p.name for p in built[role].iterdir()} == files


def test_bart_has_no_generation_or_fast_tokenizer_files(built):
    for name in ("generation_config.json", "tokenizer.json", "special_tokens_map.json", "model.safetensors"):
        assert not (built["summarizer"] / name).exists()


@pytest.mark.parametrize(
    "role, expected",
    [
        ("nl-en", b'{"source_lang": "nl", "target_lang": "en"}'),
        ("en-nl", b'{"source_lang": "en", "target_lang": "nl"}'),
        ("summarizer", b'{"model_max_length": 1024}'),
    ],
)
def test_tokenizer_config_bytes(built, role, expected):
    data = (built[role] / "tokenizer_config.json").read_bytes()
    assert data == expected
    assert len(data) == (26 if role == "summarizer" else 42)


def test_readme_says_random_stand_in(built):
    for path in built.values():
        assert "random-weight stand-in" in (path / "README.md").read_text()
        assert "*.bin filter=lfs" in (path / ".gitattributes").read_text()


def test_all_formats_adds_unloadable_placeholders(tmp_path, use_cache):
    import torch

    marian = standins.build_opus_mt(tmp_path / "m", all_formats=True)
    bart = standins.build_distilbart(tmp_path / "b", all_formats=True)
    assert {p.name for p in marian.iterdir()} == MARIAN_FILES | {"tf_model.h5", "rust_model.ot"}
    assert {p.name for p in bart.iterdir()} == BART_FILES | {"flax_model.msgpack", "rust_model.ot"}
    for path in [marian / "tf_model.h5", marian / "rust_model.ot", bart / "flax_model.msgpack", bart / "rust_model.ot"]:
        data = path.read_bytes()
        assert 1024 <= len(data) <= 16384
        assert data.startswith(b"STAND-IN PLACEHOLDER")
        assert not data.startswith(b"\x89HDF")
        with pytest.raises(pickle.UnpicklingError):
            torch.load(path, weights_only=True)
    # Rebuilding without all_formats removes them again.
    standins.build_distilbart(tmp_path / "b")
    assert {p.name for p in bart.iterdir()} == BART_FILES


# --- configs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["nl-en", "en-nl"])
def test_marian_config_values(built, role):
    config = _json(built[role] / "config.json")
    expected = {
        "model_type": "marian", "architectures": ["MarianMTModel"], "vocab_size": 67028, "decoder_vocab_size": 67028,
        "activation_function": "swish", "max_position_embeddings": 512, "bos_token_id": 0, "eos_token_id": 0,
        "forced_eos_token_id": 0, "pad_token_id": 67027, "decoder_start_token_id": 67027, "bad_words_ids": [[67027]],
        "scale_embedding": True, "normalize_embedding": False, "normalize_before": False,
        "static_position_embeddings": True, "share_encoder_decoder_embeddings": True, "add_bias_logits": False,
        "add_final_layer_norm": False,
    }
    assert {key: config[key] for key in expected} == expected
    layers = {"d_model": 32, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2,
              "decoder_attention_heads": 2, "encoder_ffn_dim": 64, "decoder_ffn_dim": 64, "num_hidden_layers": 1}
    assert {key: config[key] for key in layers} == layers


@pytest.mark.parametrize("role, beams", [("nl-en", 6), ("en-nl", 4)])
def test_marian_generation_config(built, role, beams):
    generation = _json(built[role] / "generation_config.json")
    generation.pop("transformers_version")
    assert generation == {
        "bad_words_ids": [[67027]], "bos_token_id": 0, "decoder_start_token_id": 67027, "eos_token_id": 0,
        "forced_eos_token_id": 0, "max_length": 512, "num_beams": beams, "pad_token_id": 67027,
        "renormalize_logits": True,
    }
    model, _, _ = _load(built[role])
    assert model.generation_config.num_beams == beams
    assert model.generation_config.bad_words_ids == [[67027]]


def test_bart_config_values(built):
    config = _json(built["summarizer"] / "config.json")
    generation = {"num_beams": 4, "length_penalty": 2.0, "min_length": 56, "max_length": 142,
                  "no_repeat_ngram_size": 3, "early_stopping": True}
    expected = {
        "model_type": "bart", "architectures": ["BartForConditionalGeneration"], "vocab_size": 50264,
        "activation_function": "gelu", "max_position_embeddings": 1024, "bos_token_id": 0, "pad_token_id": 1,
        "eos_token_id": 2, "decoder_start_token_id": 2, "forced_bos_token_id": 0, "forced_eos_token_id": 2,
        "force_bos_token_to_be_generated": True, "extra_pos_embeddings": 2, "normalize_before": False,
        "normalize_embedding": True, "add_final_layer_norm": False, "scale_embedding": False, "prefix": " ",
        "task_specific_params": {"summarization": generation}, **generation,
    }
    assert {key: config[key] for key in expected} == expected
    assert (config["d_model"], config["encoder_layers"], config["decoder_layers"]) == (32, 1, 1)
    assert config["num_hidden_layers"] == config["encoder_layers"]


def test_bart_generation_settings_come_from_config(built):
    model, _, _ = _load(built["summarizer"])
    g = model.generation_config
    assert (g.num_beams, g.length_penalty, g.min_length, g.max_length, g.no_repeat_ngram_size, g.early_stopping) == (
        4, 2.0, 56, 142, 3, True)
    assert (g.forced_bos_token_id, g.forced_eos_token_id, g.decoder_start_token_id) == (0, 2, 2)


def test_only_layer_sizes_differ_from_real_shape():
    from summarizer.models.standins import DISTILBART_LAYERS, OPUS_MT_LAYERS

    layer_keys = {"d_model", "encoder_layers", "decoder_layers", "encoder_attention_heads", "decoder_attention_heads",
                  "encoder_ffn_dim", "decoder_ffn_dim", "num_hidden_layers"}
    for tiny, real in [
        (standins._marian_config("nl-en", TINY_LAYERS), standins._marian_config("nl-en", OPUS_MT_LAYERS)),
        (standins._bart_config(TINY_LAYERS), standins._bart_config(DISTILBART_LAYERS)),
    ]:
        assert tiny.keys() == real.keys()
        assert {key for key in tiny if tiny[key] != real[key]} == layer_keys
    real = standins._bart_config(DISTILBART_LAYERS)
    assert (real["d_model"], real["encoder_layers"], real["decoder_layers"], real["encoder_attention_heads"],
            real["encoder_ffn_dim"]) == (1024, 12, 6, 16, 4096)


# --- tokenizers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["nl-en", "en-nl"])
def test_marian_vocab_and_special_ids(built, role):
    vocab = _json(built[role] / "vocab.json")
    assert len(vocab) == 67028
    assert sorted(vocab.values()) == list(range(67028))
    assert (vocab["</s>"], vocab["<unk>"], vocab["<pad>"]) == (0, 1, 67027)
    _, _, tokenizer = _load(built[role])
    assert type(tokenizer).__name__ == "MarianTokenizer"
    assert (len(tokenizer), tokenizer.eos_token_id, tokenizer.unk_token_id, tokenizer.pad_token_id) == (67028, 0, 1,
                                                                                                        67027)
    assert tokenizer.model_max_length == 512  # class default: the real tokenizer_config.json has none


def test_marian_sentencepiece_models(built):
    import sentencepiece as spm

    nl_en, en_nl = built["nl-en"], built["en-nl"]
    assert (nl_en / "source.spm").read_bytes() != (nl_en / "target.spm").read_bytes()
    assert (en_nl / "source.spm").read_bytes() == (nl_en / "target.spm").read_bytes()
    assert (en_nl / "target.spm").read_bytes() == (nl_en / "source.spm").read_bytes()
    vocab = _json(nl_en / "vocab.json")
    for name in ("source.spm", "target.spm"):
        sp = spm.SentencePieceProcessor(model_file=str(nl_en / name))
        assert 31000 <= sp.get_piece_size() <= 33000
        pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        assert not any(p.startswith("<0x") for p in pieces)  # no byte fallback
        assert all(p in vocab for p in pieces if p != "<unk>")  # vocab.json is the union of both


def test_bart_vocab_and_mask_beyond_embeddings(built):
    path = built["summarizer"]
    vocab = _json(path / "vocab.json")
    assert len(vocab) == 50265
    assert [vocab[t] for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")] == [0, 1, 2, 3, 50264]
    assert (path / "merges.txt").read_text(encoding="utf-8").startswith("#version: 0.2\n")
    model, _, tokenizer = _load(path)
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (
        0, 1, 2, 3)
    assert len(tokenizer) == 50265 and tokenizer.model_max_length == 1024
    mask_ids = tokenizer("An <mask> here.", add_special_tokens=False)["input_ids"]
    assert 50264 in mask_ids
    assert max(mask_ids) >= model.config.vocab_size == model.get_input_embeddings().num_embeddings == 50264


def _tokens_per_word(path: Path, texts: list[str]) -> float:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    tokens = sum(len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)
    return tokens / sum(len(t.split()) for t in texts)


def test_tokens_per_word_dutch_news(built, seed_dir):
    texts = [p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))]
    assert 1.2 <= _tokens_per_word(built["nl-en"], texts) <= 1.8


@pytest.mark.parametrize("role", ["summarizer", "en-nl"])
def test_tokens_per_word_english_news(built, role):
    assert 1.2 <= _tokens_per_word(built[role], ENGLISH_NEWS) <= 1.8


def test_tokenizers_round_trip(built):
    from transformers import AutoTokenizer

    text = "Thousands of residents were evacuated from their homes."
    bart = AutoTokenizer.from_pretrained(built["summarizer"])
    assert bart.decode(bart(text)["input_ids"], skip_special_tokens=True) == text
    marian = AutoTokenizer.from_pretrained(built["nl-en"])
    dutch = "De Noord-Koreaanse leider is vastberaden de top te laten doorgaan."
    ids = marian(dutch)["input_ids"]
    assert ids[-1] == 0 and 1 not in ids  # </s> appended, no <unk>
    assert marian.decode(ids, skip_special_tokens=True, use_source_tokenizer=True) == dutch


# --- weights ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["nl-en", "summarizer", "en-nl"])
def test_weights_are_a_legacy_pickle_with_2020_keys(built, role):
    import torch

    path = built[role] / "pytorch_model.bin"
    assert not zipfile.is_zipfile(path)
    state = torch.load(path, weights_only=True)
    tied = {"model.shared.weight", "model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight",
            "lm_head.weight", "final_logits_bias", "model.encoder.embed_positions.weight",
            "model.decoder.embed_positions.weight"}
    assert tied <= state.keys()
    vocab = 50264 if role == "summarizer" else 67028
    assert state["model.shared.weight"].shape == (vocab, TINY_LAYERS.d_model)
    assert state["final_logits_bias"].shape == (1, vocab)
    assert torch.equal(state["lm_head.weight"], state["model.shared.weight"])
    if role != "summarizer":  # static sinusoidal tables, 512 positions
        assert state["model.encoder.embed_positions.weight"].shape == (512, TINY_LAYERS.d_model)
    _, info, _ = _load(built[role])
    assert {"missing_keys", "unexpected_keys"} <= info.keys()
    assert {key: list(value) for key, value in info.items() if value} == {}
    assert not any(path.name.endswith(".safetensors") for path in built[role].iterdir())


def _target_ids(path: Path) -> set[int]:
    """Vocabulary ids of the target sentencepiece model's pieces."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(path / "target.spm"))
    vocab = _json(path / "vocab.json")
    return {vocab[sp.id_to_piece(i)] for i in range(sp.get_piece_size()) if not sp.is_unknown(i)}


@pytest.mark.parametrize("role", ["nl-en", "en-nl"])
def test_marian_bias_real_and_fillers_silenced(built, role):
    import torch

    state = torch.load(built[role] / "pytorch_model.bin", weights_only=True)
    fillers = sorted(_fillers(built[role]))
    assert len(fillers) > 1000  # the vocabulary is padded to its real size
    bias = state["final_logits_bias"][0]
    target = sorted(_target_ids(built[role]))
    source_only = sorted(set(range(2, 67027)) - set(target) - set(fillers))
    assert len(target) > 30000 and len(source_only) > 10000
    assert bias[target].abs().gt(0).float().mean() > 0.99 and bias[target].abs().max() < 1  # small, nonzero
    assert bias[source_only].max() <= -10  # a trained model never writes source-language pieces
    assert bias[fillers].max() <= -1000
    assert state["lm_head.weight"][fillers].abs().sum() == 0
    assert state["model.shared.weight"][source_only].abs().sum() > 0  # ...but the encoder reads them


def test_bytes_are_deterministic_given_the_seed(tmp_path, use_cache):
    def digest(path: Path) -> str:
        return hashlib.sha256((path / "pytorch_model.bin").read_bytes()).hexdigest()

    a = standins.build_distilbart(tmp_path / "a", seed=5)
    b = standins.build_distilbart(tmp_path / "b", seed=5)
    c = standins.build_distilbart(tmp_path / "c", seed=6)
    assert digest(a) == digest(b) != digest(c)
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in BART_FILES)


# --- generation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["nl-en", "summarizer", "en-nl"])
def test_generate_decodes_without_fillers(built, role, seed_dir):
    model, _, tokenizer = _load(built[role])
    text = next(iter(sorted(seed_dir.glob("*.txt")))).read_text()[:400] if role == "nl-en" else ENGLISH_NEWS[0]
    inputs = tokenizer([text], return_tensors="pt")
    out = model.generate(**inputs, max_new_tokens=24, min_length=0, num_beams=2)
    ids = set(out[0].tolist())
    assert not ids & _fillers(built[role])
    if role != "summarizer":
        assert ids - {0, 67027} <= _target_ids(built[role])  # target-language pieces only
    decoded = tokenizer.decode(out[0], skip_special_tokens=True)
    assert decoded.strip() and "unused" not in decoded


# --- real shapes, counted on the meta device ------------------------------------------------------------------


@pytest.mark.parametrize(
    "config, low, high, real_bin_bytes",
    [
        (lambda: standins._marian_config("nl-en", standins.OPUS_MT_LAYERS), 77e6, 79e6, 316e6),
        (lambda: standins._bart_config(standins.DISTILBART_LAYERS), 305e6, 307e6, 1.22e9),
    ],
)
def test_real_shape_parameter_counts(tmp_path, config, low, high, real_bin_bytes):
    import torch
    from transformers import AutoConfig, AutoModelForSeq2SeqLM

    (tmp_path / "config.json").write_text(json.dumps(config()))
    with torch.device("meta"):
        model = AutoModelForSeq2SeqLM.from_config(AutoConfig.from_pretrained(tmp_path))
    params = sum(p.numel() for p in model.parameters())  # tied embeddings counted once
    assert low <= params <= high
    stored = params + model.final_logits_bias.numel()  # what pytorch_model.bin holds, in float32
    assert abs(stored * 4 - real_bin_bytes) / real_bin_bytes < 0.01


# --- cache and CLI ----------------------------------------------------------------------------------------


def test_cache_dir_follows_env_and_version(monkeypatch, tmp_path):
    monkeypatch.setenv(standins.CACHE_ENV, str(tmp_path))
    assert standins.cache_dir() == tmp_path / standins.CACHE_VERSION
    monkeypatch.delenv(standins.CACHE_ENV)
    assert standins.cache_dir().parts[-2:] == ("standins", standins.CACHE_VERSION)


def test_cache_publish_is_atomic_and_tolerates_a_race(monkeypatch, tmp_path):
    monkeypatch.setenv(standins.CACHE_ENV, str(tmp_path))
    final = tmp_path / standins.CACHE_VERSION / "entry"
    calls = []

    def make_while_another_process_publishes() -> dict[str, bytes]:
        calls.append(1)
        final.mkdir(parents=True)  # the other process wins the race
        (final / "f").write_bytes(b"theirs")
        return {"f": b"ours"}

    assert standins._cached("entry", make_while_another_process_publishes) == final
    assert (final / "f").read_bytes() == b"theirs"
    assert standins._cached("entry", lambda: pytest.fail("cached entry must be reused")) == final
    assert calls == [1]
    assert [p.name for p in final.parent.iterdir()] == ["entry"]  # no temp folders left behind


def test_cli_builds_all_three(tmp_path, use_cache, capsys):
    standins.main([str(tmp_path / "out")])
    printed = capsys.readouterr().out
    for role in ("nl-en", "summarizer", "en-nl"):
        assert f"{role}: {tmp_path / 'out' / role}" in printed
        assert (tmp_path / "out" / role / "pytorch_model.bin").is_file()
