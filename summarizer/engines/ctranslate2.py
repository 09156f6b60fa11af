"""The CTranslate2 engine: a seq2seq checkpoint converted once (int8 on CPU, half precision on GPU) and run fast.

The transformers checkpoint is converted with CTranslate2's own converter into a store
keyed by model id, revision and quantization; the conversion goes to a temp dir that is
renamed into place, so a crash or a concurrent run never leaves a half-written model.
Tokenization uses light tokenizers (engines/tokenizers.py: sentencepiece or `tokenizers`,
no torch or transformers import) that give the same ids and text as the checkpoint's
transformers tokenizer, which is used instead for any other kind of checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError, first_line
from ..models.sources import ModelSource
from ..models.weights import load_checked, quiet_transformers
from .base import TokenizedEngine, check_ids, check_model_dir
from .cuda import ct2_gpu_problem, load_cublas12
from .tokenizers import Tokens, load_tokens

__all__ = ["CT2Engine", "default_compute_type", "FORMAT"]

log = logging.getLogger(__name__)

FORMAT = "ct2v4"  # bump when the converted layout or the conversion fix-ups change
_COMPUTE_TYPES = {"cpu": "int8", "cuda": "float16"}  # int8_float16 also works on GPU: pass compute_type
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_compute_type(device: str) -> str:
    """CTranslate2 compute type for a device: int8 on CPU, float16 on CUDA."""
    return _COMPUTE_TYPES[device]


class CT2Engine(TokenizedEngine):
    """A seq2seq model run with CTranslate2; nothing is converted, imported or loaded until first use."""

    name = "ctranslate2"

    def __init__(
        self, source: ModelSource, *, device: str, store: Path, compute_type: str | None = None, threads: int = 0
    ) -> None:
        self.source = source
        self.device = device
        self.compute_type = compute_type or default_compute_type(device)
        self.store = store
        self.threads = threads  # intra-op threads on CPU; 0: the cores this process may use
        self.loads = 0  # how many times weights were loaded: 0 on a fully cached run
        self.conversions = 0  # how many times this engine converted the checkpoint

    @property
    def compute(self) -> str:
        """Backend, device and precision: results differ between them, so cache keys include it."""
        return f"{self.name}:{self.device}:{self.compute_type}"

    @property
    def converted_dir(self) -> Path:
        """Where the converted model lives: keyed by model id, revision, quantization and format."""
        digest = hashlib.sha256(f"{self.source.id}\0{self.source.revision}".encode()).hexdigest()[:16]
        name = _UNSAFE.sub("_", Path(self.source.id).name) or "model"
        return self.store / f"{name}-{digest}-{self.compute_type}-{FORMAT}"

    def is_converted(self) -> bool:
        """True when the converted model is already in the store."""
        return (self.converted_dir / "model.bin").is_file()

    def prepare(self) -> Path:
        """Convert the checkpoint into the store unless it is there already; returns its directory."""
        target = self.converted_dir
        if self.is_converted():
            return target
        assert self.source.path is not None
        check_model_dir(self.source.role, self.source.path)
        try:
            self.store.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=self.store))
        except OSError as exc:
            raise ModelLoadError(f"{self.source.role}: cannot write converted models to {self.store} ({exc})") from exc
        try:
            log.info("%s: converting %s to CTranslate2 (%s)", self.source.role, self.source.describe(), self.compute_type)
            _convert(self.source.path, work / "model", self.compute_type, role=self.source.role)
            (work / "model" / "source.json").write_text(json.dumps(self.source.ref(), indent=1), encoding="utf-8")
            try:
                os.rename(work / "model", target)
            except OSError:
                if not self.is_converted():  # not a concurrent run that finished first
                    raise
            self.conversions += 1
        except ModelLoadError:
            raise
        except Exception as exc:  # the converter raises many kinds; all mean "cannot convert"
            raise ModelLoadError(
                f"{self.source.role}: CTranslate2 cannot convert {self.source.path} ({first_line(exc)}); "
                "pass --engine torch"
            ) from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return target

    @cached_property
    def tokens(self) -> Tokens | None:
        """The light tokenizer, or None when this checkpoint needs the transformers tokenizer."""
        assert self.source.path is not None
        check_model_dir(self.source.role, self.source.path)
        return load_tokens(self.source.path)

    @cached_property
    def max_input_tokens(self) -> int:
        """Longest input, special tokens included, that the model accepts."""
        if self.tokens is None:
            return TokenizedEngine.max_input_tokens.func(self)  # type: ignore[attr-defined]
        assert self.source.path is not None
        try:
            config = json.loads((self.source.path / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            config = {}
        limits = [config.get("max_position_embeddings"), self.tokens.model_max_length]
        usable = [n for n in limits if isinstance(n, int) and 0 < n < 1_000_000]
        return min(usable) if usable else 512

    def encode(self, texts: list[str], *, add_special_tokens: bool = True) -> list[list[int]]:
        """Token ids of each text; special-token strings in the text are encoded as plain text."""
        if self.tokens is None:
            return super().encode(texts, add_special_tokens=add_special_tokens)
        return self.tokens.encode(texts, add_special_tokens=add_special_tokens)

    def _ids_to_tokens(self, ids: list[int]) -> list[str]:
        return self.tokens.ids_to_tokens(ids) if self.tokens else self.tokenizer.convert_ids_to_tokens(ids)

    def _tokens_to_ids(self, tokens: list[str]) -> list[int]:
        return self.tokens.tokens_to_ids(tokens) if self.tokens else self.tokenizer.convert_tokens_to_ids(tokens)

    def _decode(self, batch: list[list[int]]) -> list[str]:
        if self.tokens:
            return self.tokens.decode(batch)
        return [t.strip() for t in self.tokenizer.batch_decode(batch, skip_special_tokens=True)]

    @cached_property
    def translator(self) -> Any:
        """The converted model, loaded on the chosen device and compute type."""
        if self.device == "cuda":
            load_cublas12()  # before CTranslate2 dlopens libcublas.so.12 (CUDA 13-only hosts lack it)
        import ctranslate2

        path = self.prepare()
        if self.device == "cuda" and (problem := ct2_gpu_problem()):
            raise ModelLoadError(f"{self.source.role}: CUDA was chosen but {problem}; or pass --device cpu")
        try:
            translator = ctranslate2.Translator(
                str(path), device=self.device, compute_type=self.compute_type, intra_threads=self.threads or _cores()
            )
        except Exception as exc:
            raise ModelLoadError(
                f"{self.source.role}: cannot load the converted model {path} ({first_line(exc)}); "
                "delete that folder to convert again, or pass --engine torch"
            ) from exc
        self.loads += 1
        log.info("%s: loaded %s with CTranslate2 on %s (%s)", self.source.role, self.source.describe(), self.device, self.compute_type)
        return translator

    @cached_property
    def vocab_size(self) -> int:
        """Rows of the model's embedding: ids at or above it do not exist in the converted model."""
        assert self.source.path is not None
        try:
            return int(json.loads((self.source.path / "config.json").read_text(encoding="utf-8"))["vocab_size"])
        except (OSError, ValueError, KeyError, TypeError):
            return self.tokens.vocab_size if self.tokens else len(self.tokenizer)

    @cached_property
    def generation_defaults(self) -> dict[str, Any]:
        """The checkpoint's generation_config.json: forced BOS/EOS tokens that transformers would apply."""
        assert self.source.path is not None
        path = self.source.path / "generation_config.json"
        if not path.is_file():
            path = self.source.path / "config.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def preload(self) -> None:
        """Convert (if needed) and load the model now."""
        self.translator

    def generate(self, texts: list[str], **kwargs: Any) -> list[str]:
        """Translate one batch with transformers `generate()` arguments; inputs must already fit the model."""
        if not texts:
            return []
        ids = self.encode(texts)
        longest = max(len(i) for i in ids)
        if longest > self.max_input_tokens:
            raise ValueError(f"input of {longest} tokens exceeds the model limit of {self.max_input_tokens}")
        check_ids(ids, self.vocab_size, self.source)
        options = translate_options(kwargs, self.generation_defaults)
        prefix = options.pop("prefix_ids")
        target_prefix = [self._ids_to_tokens(prefix)] * len(texts) if prefix else None
        results = self.translator.translate_batch([self._ids_to_tokens(i) for i in ids], target_prefix, **options)
        return self._decode([self._tokens_to_ids(r.hypotheses[0]) for r in results])


def translate_options(kwargs: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """`translate_batch` options equivalent to transformers `generate()` arguments.

    transformers counts `max_length`/`min_length` with the decoder start token and counts a
    forced BOS and the final EOS as new tokens; CTranslate2 counts neither the start nor the
    EOS, but does count a target prefix. A forced EOS (`forced_eos_token_id`) takes the last
    place when transformers hits the cap, so one token fewer is left for text.
    """
    unknown = set(kwargs) - {"num_beams", "max_new_tokens", "max_length", "min_length", "length_penalty",
                             "no_repeat_ngram_size", "early_stopping", "do_sample"}
    if unknown:
        raise ValueError(f"generation options not supported by the CTranslate2 engine: {', '.join(sorted(unknown))}")
    if kwargs.get("do_sample"):
        raise ValueError("sampling is not supported by the CTranslate2 engine")
    new_tokens = kwargs["max_new_tokens"] if "max_new_tokens" in kwargs else kwargs.get("max_length", defaults.get("max_length", 256)) - 1
    min_new = max(0, kwargs.get("min_length", defaults.get("min_length", 0)) - 1)
    forced_eos = defaults.get("forced_eos_token_id") is not None
    bos = defaults.get("forced_bos_token_id")
    return {
        "beam_size": kwargs.get("num_beams", defaults.get("num_beams", 1)),
        "length_penalty": kwargs.get("length_penalty", defaults.get("length_penalty", 1.0)),
        "no_repeat_ngram_size": kwargs.get("no_repeat_ngram_size", defaults.get("no_repeat_ngram_size") or 0),
        # early_stopping=True (stop once num_beams hypotheses are done) is CTranslate2's behaviour with patience 1.
        "max_decoding_length": max(1, new_tokens - (1 if forced_eos else 0)),
        "min_decoding_length": min(min_new, max(1, new_tokens - 1)),
        "max_input_length": 0,  # never truncate: inputs were fitted to the model before
        "prefix_ids": [bos] if bos is not None else [],
    }


def _convert(model_dir: Path, output_dir: Path, quantization: str, *, role: str) -> None:
    """Run CTranslate2's transformers converter, patching configs transformers 5 no longer fills in."""
    from ctranslate2.converters import TransformersConverter

    quiet_transformers()

    class _Converter(TransformersConverter):
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            model = load_checked(model_class, Path(model_name_or_path), role=role, **kwargs)
            if not hasattr(model.config, "normalize_before"):  # dropped from BartConfig in transformers 5
                model.config.normalize_before = False  # BART is post-norm
            return model

    _Converter(str(model_dir)).convert(str(output_dir), quantization=quantization, force=True)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
