"""Weights that are safe to load: pickles converted once to safetensors, file hashes checked, loaded keys checked.

A run never unpickles anything. A checkpoint that holds only ``pytorch_model.bin`` (a
torch pickle) is converted once into ``model.safetensors`` in the project's model store,
keyed by model id, revision and the pickle's sha256; the conversion reads the pickle with
``torch.load(weights_only=True)`` (through transformers), which refuses any object but
tensors and plain containers. Every later load reads only the safetensors copy.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError, first_line
from .roles import ROLES

__all__ = [
    "ALLOWED_MISSING",
    "ALLOWED_UNEXPECTED",
    "PICKLE",
    "check_loading_info",
    "load_checked",
    "safe_model_dir",
    "check_hashes",
    "needs_conversion",
    "STORE_MARK",
    "quiet_transformers",
]

log = logging.getLogger(__name__)

PICKLE = "pytorch_model.bin"
STORE_MARK = "source.json"  # written last into a converted model: its presence means the conversion finished
_FORMAT = "st1"  # bump when the converted layout changes
# State-dict keys a checkpoint may lack or carry without harm: tied embeddings (transformers ties them after
# loading), the output bias buffer (zeros when absent), static position tables, fairseq's version markers.
ALLOWED_MISSING = (
    "final_logits_bias",
    "lm_head.weight",
    "model.shared.weight",
    "model.encoder.embed_tokens.weight",
    "model.decoder.embed_tokens.weight",
    "model.encoder.embed_positions.weight",
    "model.decoder.embed_positions.weight",
)
ALLOWED_UNEXPECTED = ALLOWED_MISSING + ("*.version",)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

Digest = Callable[[Path], str]  # sha256 of a file (callers may remember it)


def quiet_transformers() -> None:
    """Silence transformers' progress bars, and its warnings (sequence length, max_length vs max_new_tokens) unless we log verbosely.

    What it still logs goes to the root logger's handlers (above a live progress display), not straight to stderr.
    """
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own progress display owns the terminal
    hf_logging.disable_default_handler()  # its records go through the logging tree, as ours do: the CLI shows them
    hf_logging.enable_propagation()
    if not log.isEnabledFor(logging.INFO):
        hf_logging.set_verbosity_error()


def _allowed(key: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


def check_loading_info(role: str, path: Path, info: dict[str, Any]) -> None:
    """Raise ModelLoadError naming the role and the keys when weights are missing, unexpected or of the wrong shape."""
    missing = sorted(k for k in info.get("missing_keys", ()) if not _allowed(k, ALLOWED_MISSING))
    unexpected = sorted(k for k in info.get("unexpected_keys", ()) if not _allowed(k, ALLOWED_UNEXPECTED))
    mismatched = sorted(str(k[0] if isinstance(k, (tuple, list)) else k) for k in info.get("mismatched_keys", ()))
    errors = [str(e) for e in info.get("error_msgs", ())]
    problems = []
    for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", mismatched)):
        if keys:
            shown = ", ".join(keys[:5]) + (f" (+{len(keys) - 5} more)" if len(keys) > 5 else "")
            problems.append(f"{label}: {shown}")
    if errors:
        problems.append(f"errors: {first_line(Exception(errors[0]))}")
    if problems:
        raise ModelLoadError(
            f"{role}: the weights in {path} do not fit the model's architecture ({'; '.join(problems)}); "
            f"the checkpoint is damaged or for another model: re-download it with `summarize models fetch` "
            f"or pass another {ROLES[role].option}"
        )


def load_checked(model_cls: Any, path: Path, *, role: str, **kwargs: Any) -> Any:
    """``model_cls.from_pretrained(path)`` that refuses pickled code and silently random weights."""
    try:
        model, info = model_cls.from_pretrained(path, output_loading_info=True, trust_remote_code=False, **kwargs)
    except Exception as exc:  # transformers raises many kinds; all mean "cannot load"
        raise _load_error(role, path, exc) from exc
    check_loading_info(role, path, info)
    return model


def _load_error(role: str, path: Path, exc: Exception) -> ModelLoadError:
    text = str(exc)
    if "weights_only" in text or "Unsupported global" in text or "UnpicklingError" in type(exc).__name__:
        return ModelLoadError(
            f"{role}: {path / PICKLE} holds more than weights (torch.load with weights_only=True refused it: "
            f"{_refusal(text)}); it was not run. Use a checkpoint in safetensors format or pass another {ROLES[role].option}"
        )
    return ModelLoadError(
        f"{role}: cannot load the model from {path} ({first_line(exc)}); check the directory or pass another {ROLES[role].option}"
    )


def _refusal(text: str) -> str:
    match = re.search(r"Unsupported global: GLOBAL [\w.]+", text)
    return match.group(0) if match else first_line(Exception(text))


def needs_conversion(directory: Path) -> bool:
    """True when a model directory's only PyTorch weights are a pickle."""
    return not _has_safetensors(directory) and (
        (directory / PICKLE).is_file() or (directory / f"{PICKLE}.index.json").is_file()
    )


def _has_safetensors(directory: Path) -> bool:
    return (directory / "model.safetensors").is_file() or (directory / "model.safetensors.index.json").is_file()


def safe_model_dir(directory: Path, *, role: str, model_id: str, revision: str, store: Path, digest: Digest) -> Path:
    """``directory`` itself when it holds safetensors; else its converted copy in ``store`` (converted now if needed)."""
    if not needs_conversion(directory):
        return directory
    pickle = directory / PICKLE
    if not pickle.is_file():
        raise ModelLoadError(
            f"{role}: {directory} holds a sharded pytorch_model.bin, which this tool does not convert; "
            f"use a safetensors checkpoint or pass another {ROLES[role].option}"
        )
    sha = digest(pickle)
    key = hashlib.sha256(f"{model_id}\0{revision}\0{sha}\0{_FORMAT}".encode()).hexdigest()[:16]
    target = store / f"{_UNSAFE.sub('_', Path(model_id).name) or 'model'}-{key}"
    if (target / STORE_MARK).is_file():
        return target
    _convert(directory, target, role=role, ref={"id": model_id, "revision": revision, PICKLE: sha})
    return target


def _convert(directory: Path, target: Path, *, role: str, ref: dict[str, str]) -> None:
    """Load the pickle with weights_only=True, check its keys, write safetensors plus the original small files."""
    from transformers import AutoModelForSeq2SeqLM

    quiet_transformers()
    log.warning("%s: converting %s to safetensors (once; later runs load only the converted copy)", role, directory / PICKLE)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".converting", dir=target.parent))
    except OSError as exc:
        raise ModelLoadError(f"{role}: cannot write converted models to {target.parent} ({exc.strerror})") from exc
    try:
        model = load_checked(AutoModelForSeq2SeqLM, directory, role=role)
        saved = work / "saved"
        model.save_pretrained(saved)  # safetensors, tied weights stored once under their canonical names
        del model
        model_dir = work / "model"
        model_dir.mkdir()
        for item in sorted(saved.iterdir()):
            if item.name.endswith(".safetensors") or item.name == "model.safetensors.index.json":
                os.replace(item, model_dir / item.name)
        for item in sorted(directory.iterdir()):  # config and tokenizer files as published, byte for byte
            if item.is_file() and item.name != PICKLE and not item.name.endswith((".bin", ".h5", ".msgpack", ".ot", ".onnx")):
                if not (model_dir / item.name).exists():
                    shutil.copyfile(item, model_dir / item.name)
        (model_dir / STORE_MARK).write_text(json.dumps(ref, indent=1) + "\n", encoding="utf-8")
        try:
            os.rename(model_dir, target)
        except OSError:
            if not (target / STORE_MARK).is_file():  # not a concurrent run's finished copy
                raise
    except ModelLoadError:
        raise
    except OSError as exc:
        raise ModelLoadError(f"{role}: cannot write the converted model to {target} ({exc.strerror or exc})") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_hashes(role: str, directory: Path, expected: dict[str, str], digest: Digest) -> None:
    """Raise ModelLoadError when a local file's sha256 differs from models.lock."""
    for name, sha in sorted(expected.items()):
        path = directory / name
        if sha and path.is_file() and digest(path) != sha:
            raise ModelLoadError(
                f"{role}: {name} in {directory} has a different sha256 than models.lock records "
                f"(corrupt, or changed on the hub); run `summarize models fetch` to download it again"
            )
