"""Where each model role comes from: a local directory or a hub snapshot, made safe to load, and its revision."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..cache import Cache
from ..errors import ModelNotFoundError
from ..outputs.fsutil import sha256_file
from .hubclient import download, list_repo, local_snapshot, offline, select_files, weights_of
from .lock import Lock, ModelPin
from .roles import ROLES
from .weights import check_hashes, safe_model_dir

__all__ = ["ModelSource", "resolve_source", "hub_snapshot", "file_digest", "model_store"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSource:
    """A role's model, resolved to something loadable, with the revision that keys its results."""

    role: str
    id: str  # hub id, or the local directory as given
    revision: str  # hub commit, "main" when unpinned, or "sha256:<digest>" of a local directory
    path: Path | None  # local directory holding config, tokenizer and safetensors weights, once known

    def ref(self) -> dict[str, str]:
        """Id and revision, as recorded in outputs and cache keys."""
        return {"id": self.id, "revision": self.revision}

    def describe(self) -> str:
        """`id@revision`, for messages and signatures."""
        return f"{self.id}@{self.revision}"


def model_store(cache_dir: Path) -> Path:
    """Where converted (safetensors) copies of pickled checkpoints live: `<cache dir>/models`."""
    return cache_dir / "models"


def resolve_source(
    role: str, override: str | None, lock: Lock, cache: Cache, *, store: Path, allow_download: bool = True
) -> ModelSource:
    """Resolve a role to a local directory of safetensors weights (downloading and converting if needed)."""
    digest = partial(file_digest, cache=cache)
    if override and Path(override).expanduser().is_dir():
        directory = Path(override).expanduser().resolve()
        revision = f"sha256:{_dir_digest(directory, cache)}"
        path = safe_model_dir(directory, role=role, model_id=str(directory), revision=revision, store=store, digest=digest)
        return ModelSource(role=role, id=str(directory), revision=revision, path=path)
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
    snapshot = hub_snapshot(pin, allow_download=allow_download)
    check_hashes(role, snapshot, pin.files, digest)
    path = safe_model_dir(snapshot, role=role, model_id=pin.id, revision=snapshot.name, store=store, digest=digest)
    return ModelSource(role=role, id=pin.id, revision=pin.revision if pin.pinned else snapshot.name, path=path)


def hub_snapshot(pin: ModelPin, *, allow_download: bool = True, force: bool = False) -> Path:
    """The local snapshot of a hub model with the files a run needs, downloading (or resuming) them if allowed."""
    partial_download: ModelNotFoundError | None = None
    if not force:
        try:
            local = local_snapshot(pin)
        except ModelNotFoundError as exc:  # started but unfinished: a download resumes it
            local, partial_download = None, exc
        if local is not None:
            return local
    if not allow_download or offline():
        if partial_download is not None:
            raise partial_download
        raise _missing(pin, "it is not in the local model cache and downloads are off")
    listing = list_repo(pin)
    names = select_files(listing.files)
    if not weights_of(names):
        raise ModelNotFoundError(
            f"{pin.role}: {pin.id}@{pin.revision} holds no PyTorch weights (model.safetensors or pytorch_model.bin; "
            f"it has {', '.join(listing.files) or 'no files'}); pass another {ROLES[pin.role].option}"
        )
    log.info("%s: downloading %s from %s", pin.role, ", ".join(names), pin.id)
    return download(pin, names, listing=listing, force=force)


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


def file_digest(path: Path, *, cache: Cache) -> str:
    """sha256 of a file, remembered while its size, mtime and inode are unchanged."""
    real = path.resolve()
    st = real.stat()
    stamp = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
    remembered = cache.fingerprint(f"file:{real}", stamp)
    if remembered:
        return remembered
    digest = sha256_file(real)
    cache.remember_fingerprint(f"file:{real}", stamp, digest)
    return digest


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
