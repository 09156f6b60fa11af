"""Tokenizers for the CTranslate2 engine that never import torch or transformers.

`MarianTokens` (sentencepiece + vocab.json) and `BartTokens` (the `tokenizers` library) give
the same ids, tokens and decoded text as the transformers tokenizers the torch engine uses
(MarianTokenizer, RobertaTokenizer as transformers 5 loads BART), called the way
`TokenizedEngine` calls them: special-token strings in the text are encoded as plain text
(`split_special_tokens=True`) and decoding skips special tokens. tests/test_tokenizers.py
checks this token for token against transformers.

`load_tokens` returns None for a checkpoint these classes do not reproduce exactly (another
model type, separate vocabularies, overridden special tokens...); the caller then uses
transformers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Tokens", "MarianTokens", "BartTokens", "load_tokens", "TokensUnsupported"]

log = logging.getLogger(__name__)

_HUGE = int(1e30)  # transformers' VERY_LARGE_INTEGER: "no model_max_length configured"
_SPIECE_UNDERLINE = "\u2581"


class Tokens(Protocol):
    """What an engine needs from a tokenizer: ids in, ids out, limits."""

    name: str  # which library does the work, for log lines
    model_max_length: int  # the tokenizer's own limit (tokenizer_config.json or the class default)
    vocab_size: int  # entries, added tokens included (transformers' len(tokenizer))
    special_count: int  # tokens added to an empty input

    def encode(self, texts: Sequence[str], *, add_special_tokens: bool = True) -> list[list[int]]: ...

    def count(self, texts: Sequence[str]) -> list[int]: ...

    def ids_to_tokens(self, ids: Sequence[int]) -> list[str]: ...

    def tokens_to_ids(self, tokens: Sequence[str]) -> list[int]: ...

    def decode(self, batch: Sequence[Sequence[int]]) -> list[str]: ...


class TokensUnsupported(ValueError):
    """The checkpoint's tokenizer has settings these light classes do not reproduce; use transformers."""


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise TokensUnsupported(f"{path.name} is not a JSON object")
    return data


def _token_text(value: Any) -> Any:
    """A special token as written in tokenizer_config.json: a string or an AddedToken dict."""
    return value.get("content") if isinstance(value, dict) else value


def _check_config(config: dict[str, Any], *, classes: set[str], specials: dict[str, str], flags: dict[str, Any]) -> None:
    """Refuse tokenizer_config.json settings that would change the output of the default tokenizer."""
    cls = config.get("tokenizer_class")
    if cls is not None and cls not in classes:
        raise TokensUnsupported(f"tokenizer_class {cls}")
    for key, default in specials.items():
        if key in config and _token_text(config[key]) not in (None, default):
            raise TokensUnsupported(f"{key} {config[key]!r}")
    for key in ("additional_special_tokens", "extra_special_tokens"):
        if config.get(key):
            raise TokensUnsupported(f"{key} {config[key]!r}")
    for key, default in flags.items():
        if key in config and config[key] != default:
            raise TokensUnsupported(f"{key} {config[key]!r}")
    known = set(specials.values())
    for token in (config.get("added_tokens_decoder") or {}).values():
        if _token_text(token) not in known:
            raise TokensUnsupported(f"added token {_token_text(token)!r}")


def _check_added_ids(config: dict[str, Any], lookup: Callable[[str], int | None]) -> None:
    """Refuse added_tokens_decoder entries whose id is not the token's id in the vocabulary."""
    for index, token in (config.get("added_tokens_decoder") or {}).items():
        if lookup(_token_text(token)) != int(index):
            raise TokensUnsupported(f"added token {_token_text(token)!r} has id {index}")


def _max_length(config: dict[str, Any], default: int) -> int:
    value = config.get("model_max_length")
    return int(value) if isinstance(value, (int, float)) and value > 0 else default


class MarianTokens:
    """MarianTokenizer (transformers 5) on sentencepiece alone: source.spm, target.spm, vocab.json.

    Like MarianTokenizer: no punctuation normalisation is applied (it sets up a Moses
    normaliser but never calls it); a leading ``>>xx<<`` language code becomes one token;
    pieces missing from vocab.json become ``<unk>``; ``</s>`` is appended. Decoding drops
    ``</s>``, ``<unk>`` and ``<pad>`` and joins the pieces with the *source* sentencepiece
    model, as transformers 5 does for a shared vocabulary.
    """

    name = "sentencepiece"
    _SPECIALS = {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}

    def __init__(self, model_dir: Path) -> None:
        import sentencepiece

        model_dir = Path(model_dir)
        config = _read_json(model_dir / "tokenizer_config.json")
        _check_config(config, classes={"MarianTokenizer"}, specials=self._SPECIALS,
                      flags={"separate_vocabs": False, "sp_model_kwargs": {}, "clean_up_tokenization_spaces": False})
        if (model_dir / "added_tokens.json").is_file():
            raise TokensUnsupported("added_tokens.json")
        if not (model_dir / "target.spm").is_file():
            raise TokensUnsupported("no target.spm")
        vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
        if not isinstance(vocab, dict) or not all(isinstance(i, int) for i in vocab.values()):
            raise TokensUnsupported("vocab.json is not a token -> id map")
        missing = [t for t in self._SPECIALS.values() if t not in vocab]
        if missing:
            raise TokensUnsupported(f"vocab.json lacks {', '.join(missing)}")
        _check_added_ids(config, vocab.get)
        self._encoder: dict[str, int] = vocab
        self._decoder: dict[int, str] = {i: token for token, i in vocab.items()}
        self.eos_id, self.unk_id, self.pad_id = (vocab[t] for t in self._SPECIALS.values())
        self._special_ids = frozenset((self.eos_id, self.unk_id, self.pad_id))
        self._special_tokens = frozenset(self._SPECIALS.values())
        self._source = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
        self.model_max_length = _max_length(config, 512)
        self.vocab_size = len(vocab)
        self.special_count = 1

    def _pieces(self, texts: list[str]) -> list[list[str]]:
        """Sentencepiece pieces of each text, after MarianTokenizer.remove_language_code."""
        codes, rest = [], []
        for text in texts:
            end = text.find("<<") if text.startswith(">>") else -1
            codes.append([text[: end + 2]] if end != -1 else [])
            rest.append(text[end + 2:] if end != -1 else text)
        pieces = self._source.encode(rest, out_type=str) if rest else []
        return [code + p for code, p in zip(codes, pieces)]

    def encode(self, texts: Sequence[str], *, add_special_tokens: bool = True) -> list[list[int]]:
        """Token ids of each text; `</s>` appended when ``add_special_tokens``."""
        tail = [self.eos_id] if add_special_tokens else []
        return [self.tokens_to_ids(pieces) + tail for pieces in self._pieces(list(texts))]

    def count(self, texts: Sequence[str]) -> list[int]:
        """Token count of each text, without special tokens."""
        return [len(pieces) for pieces in self._pieces(list(texts))]

    def ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        """The vocabulary entry of each id; an id outside the vocabulary raises ValueError."""
        try:
            return [self._decoder[int(i)] for i in ids]
        except KeyError as exc:
            raise ValueError(f"token id {exc.args[0]} is not in the vocabulary of {self.vocab_size}") from None

    def tokens_to_ids(self, tokens: Sequence[str]) -> list[int]:
        """The id of each token; tokens missing from the vocabulary give the `<unk>` id."""
        get, unk = self._encoder.get, self.unk_id
        return [get(t, unk) for t in tokens]

    def decode(self, batch: Sequence[Sequence[int]]) -> list[str]:
        """Text of each id sequence, special tokens skipped, stripped."""
        return [self._decode_one(ids) for ids in batch]

    def _decode_one(self, ids: Sequence[int]) -> str:
        tokens = self.ids_to_tokens([i for i in ids if int(i) not in self._special_ids])
        out, run = "", list[str]()
        for token in tokens:  # MarianTokenizer.convert_tokens_to_string
            if token in self._special_tokens:
                out += self._source.decode_pieces(run) + token + " "
                run = []
            else:
                run.append(token)
        out += self._source.decode_pieces(run)
        return out.replace(_SPIECE_UNDERLINE, " ").strip()


class BartTokens:
    """BART's byte-level BPE through the `tokenizers` library, built as transformers 5 builds it.

    From vocab.json + merges.txt (the hub layout): BPE, ByteLevel pre-tokenizer and decoder,
    ``<s> … </s>`` post-processing, the five special tokens. A tokenizer.json is used as it is
    when its pre-tokenizer, normaliser and post-processor are the standard ones. Special-token
    strings in the text are plain text, so the literal ``<mask>`` never becomes id 50264.
    """

    name = "tokenizers"
    _SPECIALS = {"bos_token": "<s>", "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>",
                 "sep_token": "</s>", "cls_token": "<s>", "mask_token": "<mask>"}
    _CLASSES = {"BartTokenizer", "BartTokenizerFast", "RobertaTokenizer", "RobertaTokenizerFast"}

    def __init__(self, model_dir: Path) -> None:
        model_dir = Path(model_dir)
        config = _read_json(model_dir / "tokenizer_config.json")
        _check_config(config, classes=self._CLASSES, specials=self._SPECIALS,
                      flags={"errors": "replace"})
        if (model_dir / "added_tokens.json").is_file():
            raise TokensUnsupported("added_tokens.json")
        prefix_space = bool(config.get("add_prefix_space", False))
        trim_offsets = bool(config.get("trim_offsets", True))
        if (model_dir / "tokenizer.json").is_file():
            tokenizer = self._from_json(model_dir / "tokenizer.json", prefix_space)
        else:
            tokenizer = self._from_vocab(model_dir, prefix_space, trim_offsets)
        ids = [tokenizer.token_to_id(t) for t in self._SPECIALS.values()]
        if None in ids:
            raise TokensUnsupported("a special token is missing from the vocabulary")
        _check_added_ids(config, tokenizer.token_to_id)
        self.bos_id, self.pad_id, self.eos_id, self.unk_id = ids[:4]
        tokenizer.encode_special_tokens = True  # `<mask>` in the text is text
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self._tokenizer = tokenizer
        self.model_max_length = _max_length(config, _HUGE)
        self.vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)
        self.special_count = len(self.encode([""])[0])

    @classmethod
    def _from_vocab(cls, model_dir: Path, prefix_space: bool, trim_offsets: bool) -> Any:
        """The tokenizer transformers' RobertaTokenizer.__init__ builds from vocab.json and merges.txt."""
        from tokenizers import AddedToken, Tokenizer, decoders, pre_tokenizers, processors
        from tokenizers.models import BPE

        vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
        missing = [t for t in dict.fromkeys(cls._SPECIALS.values()) if t not in vocab]
        if missing:  # transformers would append them with new ids; not worth reproducing
            raise TokensUnsupported(f"vocab.json lacks {', '.join(missing)}")
        # File paths, as transformers passes them: the library parses vocab.json and merges.txt itself.
        tokenizer = Tokenizer(BPE(vocab=str(model_dir / "vocab.json"), merges=str(model_dir / "merges.txt"),
                                  dropout=None, continuing_subword_prefix="", end_of_word_suffix="", fuse_unk=False))
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=prefix_space)
        tokenizer.decoder = decoders.ByteLevel()
        tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False)
                                      for t in dict.fromkeys(cls._SPECIALS.values())])
        tokenizer.post_processor = processors.RobertaProcessing(
            ("</s>", vocab["</s>"]), ("<s>", vocab["<s>"]), trim_offsets=trim_offsets, add_prefix_space=prefix_space
        )
        return tokenizer

    @classmethod
    def _from_json(cls, path: Path, prefix_space: bool) -> Any:
        """A tokenizer.json, when it is the standard byte-level BPE transformers would rebuild identically."""
        from tokenizers import Tokenizer

        spec = json.loads(path.read_text(encoding="utf-8"))
        pre, post, model = spec.get("pre_tokenizer") or {}, spec.get("post_processor") or {}, spec.get("model") or {}
        if spec.get("normalizer") is not None:
            raise TokensUnsupported("tokenizer.json has a normalizer")
        if pre.get("type") != "ByteLevel" or pre.get("add_prefix_space") != prefix_space or not pre.get("use_regex", True):
            raise TokensUnsupported(f"tokenizer.json pre-tokenizer {pre}")
        if post.get("type") != "RobertaProcessing" or post.get("add_prefix_space") != prefix_space:
            raise TokensUnsupported(f"tokenizer.json post-processor {post.get('type')}")
        if model.get("type") != "BPE" or model.get("dropout") or model.get("continuing_subword_prefix") \
                or model.get("end_of_word_suffix"):
            raise TokensUnsupported("tokenizer.json model is not a plain BPE")
        if (spec.get("decoder") or {}).get("type") != "ByteLevel":
            raise TokensUnsupported("tokenizer.json decoder is not ByteLevel")
        specials = set(cls._SPECIALS.values())
        added = {t.get("content"): bool(t.get("special")) for t in spec.get("added_tokens") or []}
        if any(content not in specials or not special for content, special in added.items()):
            raise TokensUnsupported("tokenizer.json has added tokens beyond the five special ones")
        return Tokenizer.from_file(str(path))

    def encode(self, texts: Sequence[str], *, add_special_tokens: bool = True) -> list[list[int]]:
        """Token ids of each text; `<s> … </s>` around it when ``add_special_tokens``."""
        texts = list(texts)
        if not texts:
            return []
        return [e.ids for e in self._tokenizer.encode_batch(texts, add_special_tokens=add_special_tokens)]

    def count(self, texts: Sequence[str]) -> list[int]:
        """Token count of each text, without special tokens."""
        return [len(ids) for ids in self.encode(texts, add_special_tokens=False)]

    def ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        """The vocabulary entry of each id; an id outside the vocabulary raises ValueError."""
        tokens = [self._tokenizer.id_to_token(int(i)) for i in ids]
        if None in tokens:
            bad = next(i for i, t in zip(ids, tokens) if t is None)
            raise ValueError(f"token id {bad} is not in the vocabulary of {self.vocab_size}")
        return tokens

    def tokens_to_ids(self, tokens: Sequence[str]) -> list[int]:
        """The id of each token; tokens missing from the vocabulary give the `<unk>` id."""
        to_id, unk = self._tokenizer.token_to_id, self.unk_id
        return [unk if (i := to_id(t)) is None else i for t in tokens]

    def decode(self, batch: Sequence[Sequence[int]]) -> list[str]:
        """Text of each id sequence, special tokens skipped, stripped."""
        batch = [list(map(int, ids)) for ids in batch]
        if not batch:
            return []
        return [t.strip() for t in self._tokenizer.decode_batch(batch, skip_special_tokens=True)]


_KINDS: dict[str, Callable[[Path], Tokens]] = {"marian": MarianTokens, "bart": BartTokens}


def load_tokens(model_dir: Path) -> Tokens | None:
    """The light tokenizer for a checkpoint directory, or None when transformers' must be used.

    None for a model type other than marian and bart, for tokenizer settings these classes do
    not reproduce, and for unreadable files (transformers then reports the problem properly).
    """
    model_dir = Path(model_dir)
    try:
        kind = _read_json(model_dir / "config.json").get("model_type")
    except (OSError, ValueError) as exc:
        log.debug("%s: no light tokenizer (config.json: %s)", model_dir, exc)
        return None
    make = _KINDS.get(kind) if isinstance(kind, str) else None
    if make is None:
        log.debug("%s: no light tokenizer for model_type %r", model_dir, kind)
        return None
    try:
        return make(model_dir)
    except Exception as exc:  # sentencepiece and tokenizers raise many kinds; all mean "use transformers"
        log.info("%s: using the transformers tokenizer (%s)", model_dir, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return None
