"""Where each model role comes from: a local directory or a pinned hub snapshot, and its revision."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache
from .errors import ModelNotFoundError, first_line
from .fsutil import sha256_file
from .lock import Lock, ModelPin
from .roles import ROLES

__all__ = ["ModelSource", "resolve_source", "hub_snapshot", "WANTED_FILES", "select_files"]

log = logging.getLogger(__name__)

# Files a run needs from a hub repository; weights in safetensors unless the repo has none.
WANTED_FILES = ("*.json", "*.spm", "*.model", "merges.txt", "vocab.txt", "*.safetensors")
_FALLBACK_WEIGHTS = "pytorch_model.bin"


def select_files(names: list[str]) -> list[str]:
    """The subset of a repository's files that a run needs (no TF/Flax/ONNX weights)."""
    from fnmatch import fnmatch

    chosen = [n for n in names if "/" not in n and any(fnmatch(n, pat) for pat in WANTED_FILES)]
    if not any(n.endswith(".safetensors") for n in chosen) and _FALLBACK_WEIGHTS in names:
        chosen.append(_FALLBACK_WEIGHTS)
    return sorted(chosen)


@dataclass(frozen=True)
class ModelSource:
    """A role's model, resolved to something loadable, with the revision that keys its results."""

    role: str
    id: str  # hub id, or the local directory as given
    revision: str  # hub commit, "main" when unpinned, or "sha256:<digest>" of a local directory
    path: Path | None  # local directory holding the files, once known

    def ref(self) -> dict[str, str]:
        """Id and revision, as recorded in outputs and cache keys."""
        return {"id": self.id, "revision": self.revision}

    def describe(self) -> str:
        """`id@revision`, for messages and signatures."""
        return f"{self.id}@{self.revision}"


def resolve_source(role: str, override: str | None, lock: Lock, cache: Cache, *, allow_download: bool = True) -> ModelSource:
    """Resolve a role to a local directory or a hub snapshot, without loading the model."""
    if override and Path(override).expanduser().is_dir():
        directory = Path(override).expanduser().resolve()
        return ModelSource(role=role, id=str(directory), revision=f"sha256:{_dir_digest(directory, cache)}", path=directory)
    if override and _looks_like_path(override):
        raise ModelNotFoundError(
            f"{role}: model directory {override} does not exist; pass {ROLES[role].option} with a directory "
            "holding config.json, the tokenizer files and the weights, or a hub id"
        )
    pin = lock.pin(role)
    if override and override != pin.id:
        pin = ModelPin(role=role, id=override, revision="main", note="overridden on the command line")
    if not pin.pinned:
        log.warning("%s: %s is not pinned to a commit in models.lock; run `summarize models lock`", role, pin.id)
    path = hub_snapshot(pin, allow_download=allow_download)
    revision = pin.revision if pin.pinned else path.name
    return ModelSource(role=role, id=pin.id, revision=revision, path=path)


def hub_snapshot(pin: ModelPin, *, allow_download: bool = True) -> Path:
    """Local snapshot directory of a pinned hub model, downloading it if allowed and needed."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    patterns = sorted(pin.files) or list(WANTED_FILES)
    try:
        return Path(snapshot_download(pin.id, revision=pin.revision, allow_patterns=patterns, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        pass
    if not allow_download or os.environ.get("HF_HUB_OFFLINE") == "1":
        raise _missing(pin, "it is not in the local model cache and downloads are off")
    try:
        return Path(snapshot_download(pin.id, revision=pin.revision, allow_patterns=patterns))
    except (HfHubHTTPError, LocalEntryNotFoundError, OSError, ValueError) as exc:
        raise _missing(pin, f"it is not cached locally and the hub could not be reached ({first_line(exc)})") from exc


def _missing(pin: ModelPin, why: str) -> ModelNotFoundError:
    option = ROLES[pin.role].option
    return ModelNotFoundError(
        f"{pin.role}: model {pin.id} (revision {pin.revision}) is unavailable: {why}. "
        f"Fix: run `summarize models fetch` on a machine that reaches the Hugging Face hub, "
        f"or point {option} at a local model directory"
    )


def _looks_like_path(value: str) -> bool:
    """Hub ids are `name` or `owner/name`; anything else is meant as a directory."""
    return value.startswith((".", "/", "~")) or value.count("/") > 1


def _dir_digest(directory: Path, cache: Cache) -> str:
    """Content digest of a model directory, remembered while no file's size or mtime changes."""
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))
    stamp = json.dumps([(p.relative_to(directory).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files])
    remembered = cache.fingerprint(str(directory), stamp)
    if remembered:
        return remembered
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.relative_to(directory).as_posix()}\0{sha256_file(p)}\n".encode())
    digest = h.hexdigest()
    cache.remember_fingerprint(str(directory), stamp, digest)
    return digest
