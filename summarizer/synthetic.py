"""Randomly initialised, real-architecture seq2seq checkpoints for tests and benchmarks.

The builders train a tokenizer on a small corpus, create a randomly initialised
transformers model of a given shape and `save_pretrained` both into a directory, so
the result loads through the ordinary `AutoTokenizer` / `AutoModelForSeq2SeqLM` path.
Generated text is gibberish, but every id the model can emit decodes without error.
"""

from __future__ import annotations

__all__ = [
    "Shape",
    "BartShape",
    "DISTILBART_CNN_12_6",
    "MarianShape",
    "OPUS_MT",
    "TINY_BART",
    "TINY_MARIAN",
    "build_bart",
    "build_marian",
    "corpus_from_texts",
    "build_demo_models",
]

import json
import string
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

# Appended to every training corpus so all printable ASCII and common accented
# letters get their own piece, whatever (possibly tiny) corpus the caller passes.
_ALPHABET = string.printable.strip() + "àáâäçèéêëìíîïñòóôöùúûüÀÁÂÄÇÈÉÊËÌÍÎÏÑÒÓÔÖÙÚÛÜ€‘’“”–—…"
# Largest sentencepiece vocabulary requested; a few-dozen-line corpus supports far fewer pieces.
_MAX_SPM_PIECES = 8000


@dataclass(frozen=True)
class Shape:
    """Architecture hyper-parameters of an encoder-decoder model (Marian or BART)."""

    vocab_size: int
    d_model: int
    encoder_layers: int
    decoder_layers: int
    heads: int
    ffn_dim: int
    max_positions: int


MarianShape = BartShape = Shape  # the builders take the same fields; the names say which builder a constant is for


TINY_MARIAN = MarianShape(
    vocab_size=400, d_model=32, encoder_layers=1, decoder_layers=1, heads=2, ffn_dim=64, max_positions=512
)
# Shape of Helsinki-NLP/opus-mt-nl-en.
OPUS_MT = MarianShape(
    vocab_size=67028, d_model=512, encoder_layers=6, decoder_layers=6, heads=8, ffn_dim=2048, max_positions=512
)
TINY_BART = BartShape(
    vocab_size=500, d_model=32, encoder_layers=1, decoder_layers=1, heads=2, ffn_dim=64, max_positions=1024
)
# Shape of sshleifer/distilbart-cnn-12-6.
DISTILBART_CNN_12_6 = BartShape(
    vocab_size=50264, d_model=1024, encoder_layers=12, decoder_layers=6, heads=16, ffn_dim=4096, max_positions=1024
)


def corpus_from_texts(texts: Iterable[str]) -> list[str]:
    """Split texts into their non-empty, stripped lines (a tokenizer training corpus)."""
    return [line.strip() for text in texts for line in text.splitlines() if line.strip()]


def _training_lines(corpus: Iterable[str]) -> list[str]:
    return corpus_from_texts(corpus) + [_ALPHABET, " ".join(_ALPHABET)]


def _fillers(count: int, taken: dict[str, int], template: str) -> list[str]:
    """Return `count` distinct filler tokens, none of which is already in `taken`."""
    out, i = [], 0
    while len(out) < count:
        token = template.format(i)
        if token not in taken:
            out.append(token)
        i += 1
    return out


def build_marian(
    out_dir: Path, corpus: Iterable[str], *, shape: MarianShape = TINY_MARIAN, seed: int = 0
) -> Path:
    """Build a random opus-mt style MarianMTModel + MarianTokenizer checkpoint in `out_dir`."""
    import io

    import sentencepiece as spm
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    # Joint vocab: </s>=0, <unk>=1, spm pieces (spm id 0 is its own <unk>), fillers, <pad>=last.
    n_pieces = min(shape.vocab_size - 2, _MAX_SPM_PIECES)
    proto = io.BytesIO()
    spm.set_random_generator_seed(seed)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_training_lines(corpus)),
        model_writer=proto,
        model_type="unigram",
        vocab_size=n_pieces,
        hard_vocab_limit=False,
        character_coverage=1.0,
        byte_fallback=n_pieces >= 1024,  # needs 256 byte pieces, so only for large vocabs
        unk_id=0,
        bos_id=-1,
        eos_id=-1,
        pad_id=-1,
        num_threads=1,  # deterministic
        minloglevel=2,
    )
    for name in ("source.spm", "target.spm"):
        (out_dir / name).write_bytes(proto.getvalue())

    sp = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in (sp.id_to_piece(i) for i in range(1, sp.get_piece_size())):
        if piece not in vocab and piece != "<pad>":
            vocab[piece] = len(vocab)
    if len(vocab) + 1 > shape.vocab_size:
        raise ValueError(f"vocab_size {shape.vocab_size} too small for {len(vocab) + 1} tokens")
    fillers = range(len(vocab), shape.vocab_size - 1)
    for token in _fillers(len(fillers), vocab, "▁<unused{}>"):
        vocab[token] = len(vocab)
    pad_id = vocab["<pad>"] = len(vocab)
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8")

    tokenizer = MarianTokenizer(
        source_spm=str(out_dir / "source.spm"),
        target_spm=str(out_dir / "target.spm"),
        vocab=str(out_dir / "vocab.json"),
        source_lang="nl",
        target_lang="en",
        model_max_length=shape.max_positions,
    )
    tokenizer.save_pretrained(out_dir)

    ids = dict(bos_token_id=0, eos_token_id=0, forced_eos_token_id=0)
    ids.update(pad_token_id=pad_id, decoder_start_token_id=pad_id)
    config = MarianConfig(
        **_arch_kwargs(shape),
        **ids,
        decoder_vocab_size=shape.vocab_size,
        activation_function="swish",  # sinusoidal positions are the only option in MarianModel
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        architectures=["MarianMTModel"],
    )
    generation = GenerationConfig(
        **ids, num_beams=4, max_length=512, bad_words_ids=[[pad_id]], renormalize_logits=True
    )
    _save_model(MarianMTModel, config, generation, out_dir, seed, silent=fillers)
    return out_dir


def build_bart(out_dir: Path, corpus: Iterable[str], *, shape: BartShape = TINY_BART, seed: int = 0) -> Path:
    """Build a random distilbart-cnn style BartForConditionalGeneration + byte-level BPE tokenizer in `out_dir`."""
    from tokenizers import AddedToken, Tokenizer, models, pre_tokenizers, trainers
    from transformers import BartConfig, BartForConditionalGeneration, GenerationConfig, RobertaTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    # Vocab: <s>=0, <pad>=1, </s>=2, <unk>=3, 256 bytes, merges, fillers, <mask>=last (as in BART).
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=shape.vocab_size - 1,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(_training_lines(corpus), trainer)
    vocab = dict(sorted(bpe.get_vocab().items(), key=lambda item: item[1]))
    merges = [tuple(pair) for pair in json.loads(bpe.to_str())["model"]["merges"]]
    if len(vocab) + 1 > shape.vocab_size:
        raise ValueError(f"vocab_size {shape.vocab_size} too small for {len(vocab) + 1} tokens")
    fillers = range(len(vocab), shape.vocab_size - 1)
    for token in _fillers(len(fillers), vocab, "Ġunused{}"):
        vocab[token] = len(vocab)
    vocab["<mask>"] = len(vocab)

    mask = AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True)  # as in BART
    tokenizer = RobertaTokenizer(vocab=vocab, merges=merges, mask_token=mask, model_max_length=shape.max_positions)
    tokenizer.save_pretrained(out_dir)

    ids = dict(bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2)
    config = BartConfig(
        **_arch_kwargs(shape),
        **ids,
        activation_function="gelu",
        scale_embedding=False,
        tie_word_embeddings=True,
        architectures=["BartForConditionalGeneration"],
    )
    # forced_bos_token_id is a generation-only field in v5: BartConfig would refuse to save it.
    generation = GenerationConfig(
        **ids,
        forced_bos_token_id=0,
        num_beams=4,
        length_penalty=2.0,
        min_length=56,
        max_length=142,
        no_repeat_ngram_size=3,
        early_stopping=True,
    )
    _save_model(BartForConditionalGeneration, config, generation, out_dir, seed, silent=fillers)
    return out_dir


def _arch_kwargs(shape: Shape) -> dict[str, int]:
    """Map a shape onto the config fields that MarianConfig and BartConfig share."""
    return dict(
        vocab_size=shape.vocab_size,
        d_model=shape.d_model,
        encoder_layers=shape.encoder_layers,
        decoder_layers=shape.decoder_layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn_dim,
        decoder_ffn_dim=shape.ffn_dim,
        max_position_embeddings=shape.max_positions,
    )


def _save_model(model_cls, config, generation, out_dir: Path, seed: int, *, silent: range) -> None:
    """Instantiate `model_cls` with seeded random weights and save it as safetensors.

    The output-embedding rows of the ``silent`` ids (vocabulary fillers) are zeroed: their
    logit is then 0 while hundreds of real tokens score above it, so the model never emits
    a filler. Fillers decode to text like "unused123" that re-tokenizes into many tokens,
    which would make random-model text balloon between pipeline stages. Shapes and FLOPs
    are unchanged.
    """
    import torch

    torch.manual_seed(seed)
    model = model_cls(config).eval()
    if len(silent):
        with torch.no_grad():
            model.get_output_embeddings().weight[silent.start:silent.stop] = 0
    model.generation_config = generation
    model.save_pretrained(out_dir)  # safetensors is the only format in v5


def build_demo_models(root: Path, *, corpus: Iterable[str]) -> dict[str, Path]:
    """Tiny nl-en, summarizer and en-nl models under ``root``, for trying the CLI without the hub."""
    lines = corpus_from_texts(corpus)
    return {
        "nl-en": build_marian(root / "nl-en", lines, seed=1),
        "summarizer": build_bart(root / "summarizer", lines, shape=replace(TINY_BART, max_positions=256), seed=2),
        "en-nl": build_marian(root / "en-nl", lines, seed=3),
    }


def main(argv: list[str] | None = None) -> None:
    """`python -m summarizer.synthetic OUT [SEEDS]`: build the tiny demo models from the seed articles."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out", type=Path, help="folder to create nl-en/, summarizer/ and en-nl/ in")
    parser.add_argument("seeds", type=Path, nargs="?", default=Path("seeds"), help="articles to train tokenizers on")
    args = parser.parse_args(argv)
    texts = [p.read_text(encoding="utf-8") for p in sorted(args.seeds.rglob("*.txt"))]
    for role, path in build_demo_models(args.out, corpus=texts).items():
        print(f"{role}: {path}")


if __name__ == "__main__":
    main()
