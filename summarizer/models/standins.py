"""Random-weight stand-ins that look like the real hub checkpoints except for their layer sizes.

`build_opus_mt` and `build_distilbart` write a directory laid out like the `main` branch of
Helsinki-NLP/opus-mt-{nl-en,en-nl} and sshleifer/distilbart-cnn-12-6 (see shared/CHECKPOINTS.md):
the same file names, a hand-written config.json with the real keys and values, a legacy (non-zip)
`pytorch_model.bin` with 2020/2021 key names, and tokenizers of the real kind and size trained on
word frequencies from `wordfreq`, so that token counts per word are close to the real ones.
Only the layer sizes (`Layers`) shrink; vocabularies and positions keep their real sizes.

Training the tokenizers is the slow part, so their files are cached on disk (see `cache_dir`).
"""

from __future__ import annotations

__all__ = [
    "CACHE_VERSION",
    "DISTILBART_LAYERS",
    "OPUS_MT_LAYERS",
    "TINY_LAYERS",
    "Layers",
    "build_distilbart",
    "build_opus_mt",
    "build_standins",
    "cache_dir",
    "main",
]

import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Layers:
    """Layer sizes of an encoder-decoder; vocabulary, positions and everything else stay real."""

    d_model: int  # hidden size
    encoder_layers: int
    decoder_layers: int
    heads: int  # attention heads, encoder and decoder alike
    ffn_dim: int  # feed-forward width, encoder and decoder alike


OPUS_MT_LAYERS = Layers(512, 6, 6, 8, 2048)  # Helsinki-NLP/opus-mt-nl-en, opus-mt-en-nl
DISTILBART_LAYERS = Layers(1024, 12, 6, 16, 4096)  # sshleifer/distilbart-cnn-12-6
TINY_LAYERS = Layers(32, 1, 1, 2, 64)  # fast tests

# Bump when anything that changes the cached tokenizer files changes (corpus recipe, trainer options).
CACHE_VERSION = "standins-v1"
CACHE_ENV = "SUMMARIZE_STANDIN_CACHE"

MARIAN_VOCAB = 67028  # vocab_size = decoder_vocab_size; <pad> is the last id
BART_VOCAB = 50264  # embedding rows; the tokenizer has one more entry, <mask>
MARIAN_PIECES = 32000  # per sentencepiece model (real: about 32k each)

# Corpus recipe: the most frequent words of a language, each written as often as its frequency says.
_TOP_WORDS = 150_000
_WORDS_PER_UNIT = 2_000_000  # a word of frequency f is written round(f * this) times (at least once)
_CAPITALIZED = 0.3  # extra share of each word written Capitalized (sentence starts, names)
_NO_SPACE = 0.05  # BPE only: share written without a leading space (text starts, after quotes)
_YEARS = [str(year) for year in range(1900, 2031)]
# wordfreq drops punctuation; news has it. Count per unit of frequency, relative to a word like "de".
_PUNCTUATION = {
    ".": 0.05, ",": 0.05, '"': 0.01, "'": 0.003, "(": 0.003, ")": 0.003, ":": 0.004, ";": 0.001,
    "?": 0.002, "!": 0.001, "-": 0.004, "–": 0.001, "—": 0.0005, "%": 0.001, "€": 0.001, "$": 0.0005,
    "&": 0.0003, "/": 0.001, "…": 0.0003, "‘": 0.0003, "’": 0.001, "“": 0.0005, "”": 0.0005, "„": 0.0002,
    "«": 0.0001, "»": 0.0001, "[": 0.0002, "]": 0.0002, "#": 0.0001, "@": 0.0001, "*": 0.0002, "+": 0.0002,
    "=": 0.0001, "<": 0.0001, ">": 0.0001, "_": 0.0001, "|": 0.0001, "°": 0.0001, "£": 0.0002,
}
# Punctuation runs the GPT-2 pre-tokenizer keeps together (it splits letters, digits and the rest).
_BPE_PUNCTUATION = {
    '."': 0.002, ',"': 0.002, '?"': 0.0003, ').': 0.0005, '),': 0.0005, '...': 0.0005, "--": 0.0003,
    ".'": 0.0002, ",'": 0.0002, '("': 0.0001, '")': 0.0001, "'s": 0.004, "'t": 0.002, "'re": 0.0005,
    "'ve": 0.0005, "'m": 0.0005, "'ll": 0.0005, "'d": 0.0003,
}
_MARIAN_DIRECTIONS = {"nl-en": ("nl", "en", 6), "en-nl": ("en", "nl", 4)}  # source, target, num_beams
_FILLER_BIAS = -1e4  # Marian final_logits_bias of filler ids: never chosen, even after fp16 conversion
# ... and of source-language-only pieces: a trained model never writes them, so its output bias is low.
_SOURCE_ONLY_BIAS = -30.0
_PLACEHOLDER_SIZE = 4096

_GITATTRIBUTES = """\
*.bin.* filter=lfs diff=lfs merge=lfs -text
*.lfs.* filter=lfs diff=lfs merge=lfs -text
*.bin filter=lfs diff=lfs merge=lfs -text
*.h5 filter=lfs diff=lfs merge=lfs -text
*.tflite filter=lfs diff=lfs merge=lfs -text
*.tar.gz filter=lfs diff=lfs merge=lfs -text
*.ot filter=lfs diff=lfs merge=lfs -text
*.onnx filter=lfs diff=lfs merge=lfs -text
*.arrow filter=lfs diff=lfs merge=lfs -text
*.ftz filter=lfs diff=lfs merge=lfs -text
*.joblib filter=lfs diff=lfs merge=lfs -text
*.model filter=lfs diff=lfs merge=lfs -text
*.msgpack filter=lfs diff=lfs merge=lfs -text
*.pb filter=lfs diff=lfs merge=lfs -text
*.pt filter=lfs diff=lfs merge=lfs -text
*.pth filter=lfs diff=lfs merge=lfs -text
"""


# --- configs: written as text, key for key like the hub's --------------------------------------------------


def _labels() -> dict:
    return {
        "id2label": {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"},
        "label2id": {"LABEL_0": 0, "LABEL_1": 1, "LABEL_2": 2},
    }


def _marian_config(direction: str, layers: Layers) -> dict:
    """config.json of opus-mt-{direction}: the opus-mt key set (CHECKPOINTS.md), layer sizes from `layers`."""
    _, _, num_beams = _MARIAN_DIRECTIONS[direction]
    pad = MARIAN_VOCAB - 1
    config = {
        "_num_labels": 3,
        "activation_dropout": 0.0,
        "activation_function": "swish",
        "add_bias_logits": False,
        "add_final_layer_norm": False,
        "architectures": ["MarianMTModel"],
        "attention_dropout": 0.0,
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "classif_dropout": 0.0,
        "classifier_dropout": 0.0,
        "d_model": layers.d_model,
        "decoder_attention_heads": layers.heads,
        "decoder_ffn_dim": layers.ffn_dim,
        "decoder_layerdrop": 0.0,
        "decoder_layers": layers.decoder_layers,
        "decoder_start_token_id": pad,
        "decoder_vocab_size": MARIAN_VOCAB,
        "dropout": 0.1,
        "encoder_attention_heads": layers.heads,
        "encoder_ffn_dim": layers.ffn_dim,
        "encoder_layerdrop": 0.0,
        "encoder_layers": layers.encoder_layers,
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        "gradient_checkpointing": False,
        **_labels(),
        "init_std": 0.02,
        "is_encoder_decoder": True,
        "max_length": 512,
        "max_position_embeddings": 512,
        "model_type": "marian",
        "normalize_before": False,
        "normalize_embedding": False,
        "num_beams": num_beams,  # inferred: generation_config.json was derived from it
        "num_hidden_layers": layers.encoder_layers,
        "pad_token_id": pad,
        "scale_embedding": True,
        "share_encoder_decoder_embeddings": True,
        "static_position_embeddings": True,
        "torch_dtype": "float32",
        "transformers_version": "4.22.0.dev0",
        "use_cache": True,
        "vocab_size": MARIAN_VOCAB,
    }
    return dict(sorted(config.items()))


def _marian_generation_config(direction: str) -> dict:
    """generation_config.json of opus-mt-{direction}: num_beams 6 for nl-en, 4 for en-nl."""
    _, _, num_beams = _MARIAN_DIRECTIONS[direction]
    pad = MARIAN_VOCAB - 1
    return {
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "decoder_start_token_id": pad,
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        "max_length": 512,
        "num_beams": num_beams,
        "pad_token_id": pad,
        "renormalize_logits": True,
        "transformers_version": "4.32.0.dev0",
    }


def _bart_config(layers: Layers) -> dict:
    """config.json of distilbart-cnn-12-6, key for key as public copies show it, layer sizes from `layers`."""
    summarization = {
        "early_stopping": True,
        "length_penalty": 2.0,
        "max_length": 142,
        "min_length": 56,
        "no_repeat_ngram_size": 3,
        "num_beams": 4,
    }
    return {
        "_num_labels": 3,
        "activation_dropout": 0.0,
        "activation_function": "gelu",
        "add_bias_logits": False,
        "add_final_layer_norm": False,
        "architectures": ["BartForConditionalGeneration"],
        "attention_dropout": 0.0,
        "bos_token_id": 0,
        "classif_dropout": 0.0,
        "classifier_dropout": 0.0,
        "d_model": layers.d_model,
        "decoder_attention_heads": layers.heads,
        "decoder_ffn_dim": layers.ffn_dim,
        "decoder_layerdrop": 0.0,
        "decoder_layers": layers.decoder_layers,
        "decoder_start_token_id": 2,
        "dropout": 0.1,
        "early_stopping": True,
        "encoder_attention_heads": layers.heads,
        "encoder_ffn_dim": layers.ffn_dim,
        "encoder_layerdrop": 0.0,
        "encoder_layers": layers.encoder_layers,
        "eos_token_id": 2,
        "extra_pos_embeddings": 2,
        "force_bos_token_to_be_generated": True,
        "forced_bos_token_id": 0,
        "forced_eos_token_id": 2,
        "gradient_checkpointing": False,
        **_labels(),
        "init_std": 0.02,
        "is_encoder_decoder": True,
        "length_penalty": 2.0,
        "max_length": 142,
        "max_position_embeddings": 1024,
        "min_length": 56,
        "model_type": "bart",
        "no_repeat_ngram_size": 3,
        "normalize_before": False,
        "normalize_embedding": True,
        "num_beams": 4,
        "num_hidden_layers": layers.encoder_layers,
        "output_past": True,
        "pad_token_id": 1,
        "prefix": " ",
        "replacing_rate": 0,
        "scale_embedding": False,
        "static_position_embeddings": False,
        "student_decoder_layers": None,
        "student_encoder_layers": None,
        "task_specific_params": {"summarization": summarization},
        "transformers_version": "4.7.0.dev0",
        "use_cache": True,
        "vocab_size": BART_VOCAB,
    }


def _json_text(obj: dict) -> str:
    return json.dumps(obj, indent=2) + "\n"


# --- training corpora from word frequencies ------------------------------------------------------------------


def _word_counts(lang: str, *, capitalized: float = _CAPITALIZED) -> dict[str, int]:
    """How often to write each word: wordfreq's `lang` list, with capitalized forms and real digits."""
    import random

    import wordfreq

    rng = random.Random(0)
    counts: dict[str, int] = {}

    def add(word: str, count: int) -> None:
        counts[word] = counts.get(word, 0) + count

    for rank, (word, freq) in enumerate(wordfreq.get_frequency_dict(lang, "large").items()):
        if rank >= _TOP_WORDS:
            break
        count = max(1, round(freq * _WORDS_PER_UNIT))
        if any(ch.isdigit() for ch in word):  # wordfreq writes every digit as 0: spread over real numbers
            realized = _YEARS if word == "0000" else sorted(
                {re.sub("0", lambda _: str(rng.randrange(10)), word) for _ in range(30)}
            )
            for number in realized:
                add(number, max(1, count // len(realized)))
            continue
        add(word, count)
        if capitalized and word[:1].isalpha() and word[:1].upper() != word[:1]:
            add(word[:1].upper() + word[1:], max(1, round(count * capitalized)))
    for mark, share in _PUNCTUATION.items():
        add(mark, max(1, round(share * _WORDS_PER_UNIT)))
    return counts


def _train_spm(lang: str) -> bytes:
    """A unigram sentencepiece model of `lang` (MARIAN_PIECES pieces, no byte fallback), as bytes."""
    import io

    import sentencepiece as spm

    lines = [f"{word}\t{count}" for word, count in _word_counts(lang).items()]
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=proto,
        input_format="tsv",  # word<TAB>count: each word weighted by its frequency
        model_type="unigram",
        vocab_size=MARIAN_PIECES,
        character_coverage=1.0,
        byte_fallback=False,
        unk_id=0,
        bos_id=-1,
        eos_id=-1,
        pad_id=-1,
        num_threads=2,  # fixed, so the model is reproducible (checked: identical bytes run to run)
        minloglevel=2,
    )
    return proto.getvalue()


def _train_bpe() -> tuple[dict[str, int], list[str]]:
    """A byte-level BPE of English like BART's: vocab (<s> <pad> </s> <unk> ... <mask>) and merges."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    counts = _word_counts("en")
    for mark, share in _BPE_PUNCTUATION.items():
        counts[mark] = counts.get(mark, 0) + max(1, round(share * _WORDS_PER_UNIT))

    def stream() -> Iterator[str]:
        for word, count in counts.items():
            for start in range(0, count, 10_000):  # " w w w ...": every copy pre-tokenizes to "Ġw"
                yield " " + " ".join([word] * min(10_000, count - start))
            if bare := round(count * _NO_SPACE):  # "w\nw\n...": copies without the leading space
                yield "\n".join([word] * bare)

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=BART_VOCAB,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(stream(), trainer)
    model = json.loads(bpe.to_str())["model"]
    vocab = dict(sorted(model["vocab"].items(), key=lambda item: item[1]))
    merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
    vocab.update((token, len(vocab)) for token in _fillers(BART_VOCAB - len(vocab), vocab, "Ġ<unused{}>"))
    vocab["<mask>"] = len(vocab)  # = BART_VOCAB: one past the model's embedding rows, as in the real repo
    return vocab, merges


def _fillers(count: int, taken: dict[str, int], template: str) -> list[str]:
    """`count` distinct filler tokens, none of them already in `taken`."""
    out: list[str] = []
    i = 0
    while len(out) < count:
        token = template.format(i)
        if token not in taken:
            out.append(token)
        i += 1
    return out


def _spm_pieces(path: Path) -> set[str]:
    """The pieces of the sentencepiece model at `path`, its <unk> left out."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(path))
    return {sp.id_to_piece(i) for i in range(sp.get_piece_size()) if not sp.is_unknown(i)}


def _joint_marian_vocab(nl_spm: bytes, en_spm: bytes) -> dict[str, int]:
    """vocab.json: </s> 0, <unk> 1, both models' pieces by score, fillers, <pad> last (MARIAN_VOCAB - 1)."""
    import sentencepiece as spm

    scores: dict[str, float] = {}
    for proto in (nl_spm, en_spm):
        sp = spm.SentencePieceProcessor(model_proto=proto)
        for i in range(sp.get_piece_size()):
            if not (sp.is_unknown(i) or sp.is_control(i)):
                piece = sp.id_to_piece(i)
                scores[piece] = max(scores.get(piece, float("-inf")), sp.get_score(i))
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in sorted(scores, key=lambda p: (-scores[p], p)):
        vocab.setdefault(piece, len(vocab))
    if len(vocab) >= MARIAN_VOCAB:
        raise ValueError(f"{len(vocab)} pieces do not fit a vocabulary of {MARIAN_VOCAB}")
    vocab.update((token, len(vocab)) for token in _fillers(MARIAN_VOCAB - 1 - len(vocab), vocab, "▁<unused{}>"))
    vocab["<pad>"] = len(vocab)
    return vocab


# --- the on-disk tokenizer cache ------------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where trained tokenizer files are kept: $SUMMARIZE_STANDIN_CACHE or the user cache, per CACHE_VERSION."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root) / CACHE_VERSION
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarize")) / "standins" / CACHE_VERSION


def _cached(name: str, make: Callable[[], dict[str, bytes]]) -> Path:
    """The cache entry `name` (a folder of files), made by `make` once and published atomically."""
    final = cache_dir() / name
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    log.info("training %s tokenizer files into %s (once per cache)", name, final)
    files = make()
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{name}.", suffix=".tmp"))
    try:
        for fname, data in files.items():
            (tmp / fname).write_bytes(data)
        try:
            os.rename(tmp, final)  # atomic; fails if another process published first
        except OSError:
            if not final.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _marian_tokenizer_files() -> Path:
    """Cached nl.spm, en.spm and the joint vocab.json shared by both directions."""

    def make() -> dict[str, bytes]:
        nl, en = _train_spm("nl"), _train_spm("en")
        vocab = _joint_marian_vocab(nl, en)
        return {"nl.spm": nl, "en.spm": en, "vocab.json": _json_text(vocab).encode()}  # ASCII-escaped, as the hub's

    return _cached("marian", make)


def _bart_tokenizer_files() -> Path:
    """Cached BART vocab.json and merges.txt."""

    def make() -> dict[str, bytes]:
        vocab, merges = _train_bpe()
        merges_text = "#version: 0.2\n" + "".join(f"{m}\n" for m in merges)
        return {"vocab.json": json.dumps(vocab).encode(), "merges.txt": merges_text.encode("utf-8")}

    return _cached("bart", make)


# --- weights ----------------------------------------------------------------------------------------------------


def _save_weights(model, out_dir: Path) -> None:
    """Write the state dict (tied aliases included) as a legacy, non-zip pickle, like 2020's checkpoints."""
    state = {key: tensor.detach() for key, tensor in model.state_dict().items()}
    with open(out_dir / "pytorch_model.bin", "wb") as fh:
        _torch_save_legacy(state, fh)


def _torch_save_legacy(state: dict, fh) -> None:
    """`torch.save(state, fh, _use_new_zipfile_serialization=False)`, byte for byte reproducible.

    torch's legacy writer names each storage by its memory address and orders the storages by
    that name, so equal tensors give different files. This writes the same format (magic number,
    protocol version, sys info, the pickle with persistent storage ids, the key list, then each
    storage's bytes) with the storages numbered in order of first use. Falls back to torch.save
    if torch's storage internals ever change.
    """
    import io
    import pickle
    import sys

    import torch
    from torch import serialization

    try:
        storages: dict[int, tuple[str, Any, Any]] = {}  # storage id -> (key, untyped storage, dtype)

        class Pickler(pickle.Pickler):
            def persistent_id(self, obj):
                if not isinstance(obj, torch.storage.TypedStorage):
                    return None
                untyped = obj._untyped_storage
                key = storages.setdefault(untyped._cdata, (str(len(storages)), untyped, obj.dtype))[0]
                storage_type = getattr(torch, obj._pickle_storage_type())
                return ("storage", storage_type, key, serialization.location_tag(untyped), obj._size(), None)

        sys_info = {
            "protocol_version": serialization.PROTOCOL_VERSION,
            "little_endian": sys.byteorder == "little",
            "type_sizes": {"short": serialization.SHORT_SIZE, "int": serialization.INT_SIZE,
                           "long": serialization.LONG_SIZE},
        }
        body = io.BytesIO()
        for header in (serialization.MAGIC_NUMBER, serialization.PROTOCOL_VERSION, sys_info):
            pickle.dump(header, body, protocol=serialization.DEFAULT_PROTOCOL)
        Pickler(body, protocol=serialization.DEFAULT_PROTOCOL).dump(state)
        pickle.dump([key for key, _, _ in storages.values()], body, protocol=serialization.DEFAULT_PROTOCOL)
    except AttributeError:  # torch internals moved: same format, address-named storages
        log.warning("writing pytorch_model.bin with torch.save: its bytes will differ from run to run")
        torch.save(state, fh, _use_new_zipfile_serialization=False)
        return
    fh.write(body.getvalue())
    fh.flush()
    for _, untyped, dtype in storages.values():
        untyped._write_file(fh, serialization._should_read_directly(fh), True, torch._utils._element_size(dtype))


def _random_model(config_path: Path, seed: int):
    """A randomly initialised model for the config.json at `config_path`, seeded."""
    import torch
    from transformers import AutoConfig, AutoModelForSeq2SeqLM

    config = AutoConfig.from_pretrained(config_path.parent)
    torch.manual_seed(seed)
    return AutoModelForSeq2SeqLM.from_config(config).eval()


def _marian_like(model, seed: int, *, source_only: list[int]) -> None:
    """What a converted opus-mt model has: a small nonzero output bias and a zero <pad> (decoder start) row.

    Pieces only the source language uses get a low bias, as training gives them: a random model
    would otherwise write Dutch pieces into English output, which the target tokenizer splits up.
    """
    import torch

    with torch.no_grad():
        generator = torch.Generator().manual_seed(seed)
        model.final_logits_bias.copy_(torch.randn(model.final_logits_bias.shape, generator=generator) * 0.1)
        model.final_logits_bias[0, torch.tensor(source_only, dtype=torch.long)] = _SOURCE_ONLY_BIAS
        model.get_input_embeddings().weight[MARIAN_VOCAB - 1] = 0


def _silence(model, ids: list[int], *, bias: float | None) -> None:
    """Make `ids` (vocabulary fillers) unemittable: zero their embedding/output rows, optionally bias them down.

    A zero row gives logit 0 (plus bias) while hundreds of real tokens score above it, so even a
    random model never emits a filler; fillers exist only to give the vocabulary its real size.
    """
    import torch

    if not ids:
        return
    index = torch.tensor(ids)
    with torch.no_grad():
        model.get_input_embeddings().weight[index] = 0
        model.get_output_embeddings().weight[index] = 0
        if bias is not None:
            model.final_logits_bias[0, index] = bias


def _write_common(out_dir: Path, *, title: str, real_id: str, layers: Layers, seed: int) -> None:
    (out_dir / ".gitattributes").write_text(_GITATTRIBUTES)
    (out_dir / "README.md").write_text(
        f"# {title}: random-weight stand-in\n\n"
        f"A random-weight stand-in for `{real_id}`, built by `summarizer.standins` (seed {seed}) for tests and\n"
        "benchmarks. It has the real repository's files, config values and tokenizer kind and size, but its\n"
        f"weights are random and its layer sizes are {layers}. Its output is gibberish.\n"
    )


def _write_placeholders(out_dir: Path, names: list[str], *, all_formats: bool) -> None:
    """Unloadable placeholder files for the other weight formats the real repo holds (or remove stale ones)."""
    for name in names:
        path = out_dir / name
        if all_formats:
            head = f"STAND-IN PLACEHOLDER for {name}: not a model file, never download or load it.\n".encode()
            path.write_bytes((head * (_PLACEHOLDER_SIZE // len(head) + 1))[:_PLACEHOLDER_SIZE])
        elif path.exists():
            path.unlink()


# --- builders ---------------------------------------------------------------------------------------------------


def build_opus_mt(
    out_dir: Path, *, direction: str = "nl-en", layers: Layers = TINY_LAYERS, seed: int = 0, all_formats: bool = False
) -> Path:
    """Build a Helsinki-NLP/opus-mt-{direction} stand-in (MarianMTModel + MarianTokenizer) in `out_dir`.

    Args:
        out_dir: folder to write into (created; files of a previous build are overwritten).
        direction: "nl-en" or "en-nl"; picks the source/target sentencepiece models and num_beams.
        layers: layer sizes; OPUS_MT_LAYERS for the real shape (about 78M parameters).
        seed: seed of the random weights; the tokenizer is the same for every seed.
        all_formats: also write placeholder tf_model.h5 and rust_model.ot files.

    Returns:
        `out_dir`.
    """
    if direction not in _MARIAN_DIRECTIONS:
        raise ValueError(f"direction must be one of {sorted(_MARIAN_DIRECTIONS)}, not {direction!r}")
    source, target, _ = _MARIAN_DIRECTIONS[direction]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cached = _marian_tokenizer_files()
    shutil.copyfile(cached / f"{source}.spm", out_dir / "source.spm")
    shutil.copyfile(cached / f"{target}.spm", out_dir / "target.spm")
    shutil.copyfile(cached / "vocab.json", out_dir / "vocab.json")
    (out_dir / "tokenizer_config.json").write_text(json.dumps({"source_lang": source, "target_lang": target}))
    (out_dir / "config.json").write_text(_json_text(_marian_config(direction, layers)))
    (out_dir / "generation_config.json").write_text(_json_text(_marian_generation_config(direction)))

    vocab = json.loads((cached / "vocab.json").read_text(encoding="utf-8"))
    fillers = [i for token, i in vocab.items() if token.startswith("▁<unused")]
    writable = _spm_pieces(out_dir / "target.spm") | {"</s>", "<unk>", "<pad>"}
    source_only = [i for token, i in vocab.items() if token not in writable and not token.startswith("▁<unused")]
    model = _random_model(out_dir / "config.json", seed)
    _marian_like(model, seed, source_only=source_only)
    _silence(model, fillers, bias=_FILLER_BIAS)
    _save_weights(model, out_dir)
    _write_common(out_dir, title=f"opus-mt-{direction}", real_id=f"Helsinki-NLP/opus-mt-{direction}", layers=layers,
                  seed=seed)
    _write_placeholders(out_dir, ["tf_model.h5", "rust_model.ot"], all_formats=all_formats)
    return out_dir


def build_distilbart(out_dir: Path, *, layers: Layers = TINY_LAYERS, seed: int = 0, all_formats: bool = False) -> Path:
    """Build an sshleifer/distilbart-cnn-12-6 stand-in (BartForConditionalGeneration + byte-level BPE) in `out_dir`.

    Args:
        out_dir: folder to write into (created; files of a previous build are overwritten).
        layers: layer sizes; DISTILBART_LAYERS for the real shape (about 306M parameters).
        seed: seed of the random weights; the tokenizer is the same for every seed.
        all_formats: also write placeholder flax_model.msgpack and rust_model.ot files.

    Returns:
        `out_dir`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cached = _bart_tokenizer_files()
    shutil.copyfile(cached / "vocab.json", out_dir / "vocab.json")
    shutil.copyfile(cached / "merges.txt", out_dir / "merges.txt")
    (out_dir / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 1024}))
    (out_dir / "config.json").write_text(_json_text(_bart_config(layers)))

    vocab = json.loads((cached / "vocab.json").read_text(encoding="utf-8"))
    fillers = [i for token, i in vocab.items() if token.startswith("Ġ<unused")]
    model = _random_model(out_dir / "config.json", seed)
    _silence(model, fillers, bias=None)  # BART's final_logits_bias is all zeros in the real checkpoint
    _save_weights(model, out_dir)
    _write_common(out_dir, title="distilbart-cnn-12-6", real_id="sshleifer/distilbart-cnn-12-6", layers=layers,
                  seed=seed)
    _write_placeholders(out_dir, ["flax_model.msgpack", "rust_model.ot"], all_formats=all_formats)
    return out_dir


def build_standins(root: Path, *, real_shapes: bool = False, all_formats: bool = False) -> dict[str, Path]:
    """Build the nl-en, summarizer and en-nl stand-ins under `root`, tiny or with the real layer sizes."""
    root = Path(root)
    marian = OPUS_MT_LAYERS if real_shapes else TINY_LAYERS
    bart = DISTILBART_LAYERS if real_shapes else TINY_LAYERS
    return {
        "nl-en": build_opus_mt(root / "nl-en", direction="nl-en", layers=marian, seed=1, all_formats=all_formats),
        "summarizer": build_distilbart(root / "summarizer", layers=bart, seed=2, all_formats=all_formats),
        "en-nl": build_opus_mt(root / "en-nl", direction="en-nl", layers=marian, seed=3, all_formats=all_formats),
    }


def main(argv: list[str] | None = None) -> None:
    """`python -m summarizer.models.standins OUT [--real-shapes] [--all-formats]`: build the three stand-ins."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out", type=Path, help="folder to create nl-en/, summarizer/ and en-nl/ in")
    parser.add_argument("--real-shapes", action="store_true", help="real layer sizes (slow, ~1.7 GB) instead of tiny")
    parser.add_argument("--all-formats", action="store_true", help="also placeholder tf/flax/rust weight files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for role, path in build_standins(args.out, real_shapes=args.real_shapes, all_formats=args.all_formats).items():
        print(f"{role}: {path}")


if __name__ == "__main__":
    main()
