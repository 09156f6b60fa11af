"""Talking to the Hugging Face hub: which files of a repo a run needs, downloading them, one-line errors.

Only the files a run needs are ever downloaded: the config, generation config and
tokenizer files at the top level of the repo, and one set of PyTorch weights:
safetensors when the revision has them, else ``pytorch_model.bin`` (converted to
safetensors before use, see summarizer/weights.py). TensorFlow, Flax, Rust, ONNX and
other formats, and anything in a sub-folder, are never fetched.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelNotFoundError, SummarizerError, first_line
from .lock import ModelPin
from .roles import ROLES

__all__ = [
    "SMALL_FILES",
    "RepoListing",
    "select_files",
    "weights_of",
    "list_repo",
    "download",
    "local_snapshot",
    "partial_downloads",
    "hub_error",
    "endpoint",
    "offline",
]

log = logging.getLogger(__name__)

# Non-weight files a run may need, by exact name (patterns would also match sub-folders).
SMALL_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "tokenizer.json",
    "vocab.json",
    "merges.txt",
    "vocab.txt",
    "source.spm",
    "target.spm",
    "spiece.model",
    "sentencepiece.bpe.model",
)
# Weight sets in order of preference: (single file, index of a sharded checkpoint, shard prefix).
_WEIGHT_SETS = (
    ("model.safetensors", "model.safetensors.index.json", "model-"),
    ("pytorch_model.bin", "pytorch_model.bin.index.json", "pytorch_model-"),
)


@dataclass(frozen=True)
class RepoListing:
    """The files of a repo at one commit, with the sha256 of the LFS ones (as the hub reports them)."""

    commit: str
    files: tuple[str, ...]
    sha256: dict[str, str]  # LFS files only: the hub gives small files a git blob id, not a sha256


def weights_of(names: Iterable[str]) -> list[str]:
    """The weight files a run loads: safetensors if present (single or sharded), else pytorch_model.bin; [] if neither."""
    top = {n for n in names if "/" not in n}
    for single, index, prefix in _WEIGHT_SETS:
        if single in top:
            return [single]
        suffix = single.rsplit(".", 1)[-1]
        shards = sorted(n for n in top if n.startswith(prefix) and n.endswith(f".{suffix}"))
        if index in top and shards:
            return [index, *shards]
    return []


def select_files(names: Iterable[str]) -> list[str]:
    """The subset of a repo's files that a run needs: top-level config and tokenizer files plus one set of weights."""
    names = list(names)
    return sorted({n for n in names if n in SMALL_FILES} | set(weights_of(names)))


def endpoint() -> str:
    """The hub address in use (HF_ENDPOINT, or huggingface.co)."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def offline() -> bool:
    """True when HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) forbids network access."""
    return any(os.environ.get(v, "").strip().lower() in ("1", "on", "yes", "true") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def list_repo(pin: ModelPin) -> RepoListing:
    """The repo's files at the pin's revision, from the hub (one API call)."""
    from huggingface_hub import HfApi

    try:
        from huggingface_hub import constants

        info = HfApi().model_info(pin.id, revision=pin.revision, files_metadata=True, timeout=constants.HF_HUB_ETAG_TIMEOUT)
    except Exception as exc:  # httpx, OSError and the hub's own errors: all mapped to one line
        raise hub_error(pin, exc, doing="list the files of") from exc
    siblings = info.siblings or []
    return RepoListing(
        commit=str(info.sha),
        files=tuple(s.rfilename for s in siblings),
        sha256={s.rfilename: s.lfs.sha256 for s in siblings if s.lfs is not None and s.lfs.sha256},
    )


def download(pin: ModelPin, names: list[str], *, listing: RepoListing | None = None, force: bool = False) -> Path:
    """Download ``names`` at the pin's revision into the local hub cache; returns the snapshot folder.

    Large (LFS) files named in ``listing`` are fetched first by ``_fetch_lfs``, which keeps a
    partial file across runs and resumes it; huggingface_hub then adds the small files, the
    revision's ref and its file listing, and finds the large ones already in place.
    """
    from huggingface_hub import snapshot_download

    try:
        if listing is not None:
            for name in names:
                if name in listing.sha256:
                    _fetch_lfs(pin, listing.commit, name, listing.sha256[name], force=force)
        return Path(snapshot_download(pin.id, revision=pin.revision, allow_patterns=names, force_download=force))
    except SummarizerError:
        raise
    except Exception as exc:
        raise hub_error(pin, exc, doing="download") from exc


RETRIES = 3  # extra attempts within one run after a broken connection, while bytes keep arriving
_CHUNK = 1 << 20


def _fetch_lfs(pin: ModelPin, commit: str, name: str, sha256: str, *, force: bool) -> None:
    """Put one LFS file into the hub cache's documented layout, resuming a partial download left by an earlier run.

    The bytes go to ``blobs/<sha256>.partial``; each attempt asks for the rest with a Range
    request, so neither a broken connection nor an interrupted run loses what arrived. The
    finished file is checked against the sha256 the hub published before it becomes
    ``blobs/<sha256>`` with the snapshot's link to it.
    """
    import hashlib
    import time

    from huggingface_hub import constants, hf_hub_url
    from huggingface_hub.utils import build_hf_headers, get_session

    storage = Path(constants.HF_HUB_CACHE) / ("models--" + pin.id.replace("/", "--"))
    blob = storage / "blobs" / sha256
    link = storage / "snapshots" / commit / name
    if force:
        blob.unlink(missing_ok=True)
        link.unlink(missing_ok=True)
    if not blob.is_file():
        blob.parent.mkdir(parents=True, exist_ok=True)
        partial = blob.with_name(f"{sha256}.partial")
        url = hf_hub_url(pin.id, name, revision=commit)
        attempts = 0
        while True:
            have = partial.stat().st_size if partial.exists() else 0
            try:
                _get_range(get_session(), url, partial, have, headers=build_hf_headers(),
                           timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT)
                break
            except Exception as exc:
                got = partial.stat().st_size if partial.exists() else 0
                attempts += 1
                if got <= have or attempts > RETRIES or not _is_transient(exc):
                    if got:
                        log.warning("%s: %s: %d of its bytes are kept; rerun to resume", pin.role, name, got)
                    raise
                log.warning("%s: %s: connection broke after %d bytes; resuming", pin.role, name, got)
                time.sleep(1)
        digest = hashlib.sha256()
        with partial.open("rb") as fh:
            while block := fh.read(_CHUNK):
                digest.update(block)
        if digest.hexdigest() != sha256:
            partial.unlink(missing_ok=True)
            raise ModelNotFoundError(
                f"{pin.role}: {name} of {pin.id}@{commit[:12]} arrived damaged (its sha256 differs from the one the hub "
                "publishes); run the command again to download it afresh"
            )
        os.replace(partial, blob)
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)  # a dangling link
        os.symlink(os.path.relpath(blob, link.parent), link)


def _get_range(session: Any, url: str, partial: Path, have: int, *, headers: dict[str, str], timeout: float) -> None:
    """Append the bytes after ``have`` to ``partial`` (all of them again if the server ignores the Range)."""
    request_headers = {**headers, "Accept-Encoding": "identity", **({"Range": f"bytes={have}-"} if have else {})}
    with session.stream("GET", url, headers=request_headers, timeout=timeout, follow_redirects=True) as response:
        if response.status_code == 416 and have:  # nothing left to send: the partial file is whole
            return
        response.raise_for_status()
        mode = "ab" if have and response.status_code == 206 else "wb"
        with partial.open(mode) as fh:
            for block in response.iter_bytes():  # as received: a broken connection loses nothing that arrived
                fh.write(block)
            fh.flush()
            os.fsync(fh.fileno())


def _is_transient(exc: BaseException) -> bool:
    """A broken or timed-out connection, worth another Range request."""
    name = type(exc).__name__
    return _is_timeout(exc) or any(word in name for word in ("Protocol", "ReadError", "ConnectError", "NetworkError"))


def local_snapshot(pin: ModelPin) -> Path | None:
    """The complete local snapshot of the pin's revision, or None when it was never downloaded.

    Raises ModelNotFoundError when a download was started but not finished.
    """
    from huggingface_hub import get_cached_repo_tree, snapshot_download
    from huggingface_hub.errors import CachedRepoTreeNotFoundError, IncompleteSnapshotError, LocalEntryNotFoundError

    try:
        listing = [f.path for f in get_cached_repo_tree(pin.id, revision=pin.revision)]
    except (CachedRepoTreeNotFoundError, OSError, ValueError):
        return None
    wanted = select_files(listing)
    try:
        return Path(snapshot_download(pin.id, revision=pin.revision, allow_patterns=wanted, local_files_only=True))
    except IncompleteSnapshotError as exc:
        raise ModelNotFoundError(
            f"{pin.role}: the download of {pin.id}@{pin.revision} is incomplete ({_missing_files(str(exc))}); "
            "run `summarize models fetch` to resume it"
        ) from exc
    except (LocalEntryNotFoundError, OSError, ValueError):
        return None


def partial_downloads(pin: ModelPin) -> list[Path]:
    """Files of this repo whose download started but did not finish (kept to be resumed)."""
    from huggingface_hub import constants

    storage = Path(constants.HF_HUB_CACHE) / ("models--" + pin.id.replace("/", "--")) / "blobs"
    return sorted(storage.glob("*.partial")) + sorted(storage.glob("*.incomplete"))


def _missing_files(message: str) -> str:
    """'2 file(s) are missing (a, b)' out of huggingface_hub's IncompleteSnapshotError message."""
    start = message.find("are missing (")
    if start < 0:
        return "files are missing"
    start += len("are missing (")
    return "missing: " + message[start:message.find("). ", start)]


def hub_error(pin: ModelPin, exc: BaseException, *, doing: str) -> SummarizerError:
    """One line with the cause and the fix, for any failure talking to the hub."""
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    what = f"{pin.role}: cannot {doing} {pin.id}@{pin.revision}"
    option = ROLES[pin.role].option
    if isinstance(exc, RevisionNotFoundError):
        cause = f"revision {pin.revision} does not exist in {pin.id} on {endpoint()}"
        fix = "correct the revision in models.lock, or run `summarize models lock` to pin the current commit"
    elif isinstance(exc, GatedRepoError):
        cause = f"{pin.id} is gated on {endpoint()} and needs an access token"
        fix = "accept its terms on the hub and log in (`hf auth login`), or pass a local directory with " + option
    elif isinstance(exc, RepositoryNotFoundError):
        cause = f"no repository {pin.id} on {endpoint()} (or it is private)"
        fix = f"check the model id in models.lock or {option}"
    elif isinstance(exc, EntryNotFoundError):
        cause = f"a file is missing at that revision ({first_line(exc)})"
        fix = "run `summarize models lock` to record what the revision holds"
    elif isinstance(exc, OfflineModeIsEnabled):
        cause = "HF_HUB_OFFLINE is set, so the hub is not contacted"
        fix = "unset HF_HUB_OFFLINE to download, or fetch the models on a connected machine first"
    elif isinstance(exc, HfHubHTTPError) and exc.response is not None and exc.response.status_code >= 500:
        cause = f"the hub at {endpoint()} answered {exc.response.status_code} (a server error)"
        fix = "try again later; finished files are kept and partial ones resume"
    elif isinstance(exc, HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else "?"
        cause = f"the hub at {endpoint()} answered {status} ({first_line(exc)})"
        fix = f"check the model id and revision, or pass a local directory with {option}"
    elif _is_timeout(exc):
        cause = f"the hub at {endpoint()} did not answer in time"
        fix = "try again (a partial download resumes), or raise HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT (seconds)"
    elif _is_transient(exc) and not isinstance(exc, OSError) and "Connect" not in type(exc).__name__:
        cause = f"the connection to {endpoint()} broke during the download ({type(exc).__name__})"
        fix = "run the command again: the partial download resumes where it stopped"
    else:
        cause = f"the hub at {endpoint()} cannot be reached ({type(exc).__name__}: {first_line(exc)})"
        fix = f"check the network (and HF_ENDPOINT), or pass a local model directory with {option}"
    return ModelNotFoundError(f"{what}: {cause}. Fix: {fix}")


def _is_timeout(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError) or "Timeout" in type(seen).__name__:
            return True
        seen = seen.__cause__ or seen.__context__
    return False
