"""`summarize models lock|fetch|verify`: pin, download and check the hub models of models.lock."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..cache import Cache
from ..errors import LockError, ModelLoadError, ModelNotFoundError, SummarizerError
from ..outputs.fsutil import sha256_file
from .hubclient import download, list_repo, local_snapshot, partial_downloads, select_files, weights_of
from .lock import ModelPin, read_lock, write_lock
from .roles import ROLES
from .sources import file_digest, hub_snapshot, model_store
from .weights import check_hashes, safe_model_dir

__all__ = ["lock_models", "fetch_models", "verify_models", "Verification"]

log = logging.getLogger(__name__)


def lock_models(lock_path: Path) -> dict[str, ModelPin]:
    """Pin each role's revision (its `revision`, `main` when unpinned) to a commit with the sha256 of every file a run needs.

    LFS files (the weights) are hashed from the hub's metadata; only the small files, which
    the hub identifies by git blob id instead, are downloaded and hashed here.
    """
    lock = read_lock(lock_path)
    pins: dict[str, ModelPin] = {}
    for role in ROLES:
        old = lock.pin(role)
        listing = list_repo(old)
        names = select_files(listing.files)
        if not weights_of(names):
            raise ModelNotFoundError(
                f"{role}: {old.id}@{old.revision} holds no PyTorch weights (model.safetensors or pytorch_model.bin); "
                "nothing to lock"
            )
        pinned = ModelPin(role=role, id=old.id, revision=listing.commit)
        small = [n for n in names if n not in listing.sha256]
        snapshot = download(pinned, small) if small else None
        files = {n: listing.sha256.get(n) or sha256_file(snapshot / n) for n in names}  # type: ignore[operator]
        pins[role] = ModelPin(role=role, id=old.id, revision=listing.commit, files=files)
    write_lock(lock_path, pins)
    return pins


def fetch_models(lock_path: Path, cache_dir: Path) -> dict[str, Path | SummarizerError]:
    """Download every locked model (resuming partial files), check it against the lock, convert pickles to safetensors.

    Returns each role's loadable directory, or the error that stopped that role (the other
    roles are still fetched). A file whose sha256 differs from the lock is downloaded once
    more; if it still differs, the hub serves another file than was locked.
    """
    lock = read_lock(lock_path)
    cache = Cache(cache_dir)
    results: dict[str, Path | SummarizerError] = {}
    try:
        for role in ROLES:
            try:
                results[role] = _fetch(lock.pin(role), cache, model_store(cache_dir))
            except (ModelNotFoundError, ModelLoadError) as exc:
                results[role] = exc
        return results
    finally:
        cache.close()


def _fetch(pin: ModelPin, cache: Cache, store: Path) -> Path:
    def digest(path: Path) -> str:
        return file_digest(path, cache=cache)

    snapshot = hub_snapshot(pin, allow_download=True)
    try:
        check_hashes(pin.role, snapshot, pin.files, digest)
    except ModelLoadError:
        log.warning("%s: a downloaded file differs from models.lock; downloading it again", pin.role)
        snapshot = hub_snapshot(pin, allow_download=True, force=True)
        try:
            check_hashes(pin.role, snapshot, pin.files, digest)
        except ModelLoadError as exc:
            raise ModelLoadError(
                f"{exc.args[0].split('; run ')[0]}; it was downloaded twice, so the hub serves another file than "
                "models.lock pinned: if that change is expected, rerun `summarize models lock`"
            ) from None
    return safe_model_dir(snapshot, role=pin.role, model_id=pin.id, revision=snapshot.name, store=store, digest=digest)


@dataclass(frozen=True)
class Verification:
    """Outcome of checking one role's local files against the lock."""

    role: str
    ok: bool
    problems: tuple[str, ...]


def verify_models(lock_path: Path) -> list[Verification]:
    """Re-hash each locked model's local files and compare them with models.lock."""
    lock = read_lock(lock_path)
    if lock.path is None:
        raise LockError(f"{lock_path}: no such lock file")
    return [_verify(lock.pin(role)) for role in ROLES]


def _verify(pin: ModelPin) -> Verification:
    problems: list[str] = []
    if not pin.pinned:
        problems.append(f"{pin.id} is not pinned to a commit (revision {pin.revision}); run `summarize models lock`")
    try:
        path = local_snapshot(pin)
    except ModelNotFoundError as exc:
        return Verification(pin.role, False, (*problems, f"incomplete download: {str(exc).split(': ', 1)[-1]}"))
    if path is None:
        partial = partial_downloads(pin)
        if partial:
            sizes = ", ".join(f"{p.stat().st_size:,} bytes" for p in partial)
            return Verification(pin.role, False, (*problems, f"incomplete download ({sizes} kept); run `summarize models fetch` to resume it"))
        return Verification(pin.role, False, (*problems, f"{pin.id}@{pin.revision} is not downloaded; run `summarize models fetch`"))
    if not pin.files:
        problems.append("the lock lists no file hashes; run `summarize models lock`")
    for name, expected in sorted(pin.files.items()):
        local = path / name
        if not local.is_file():
            problems.append(f"{name}: missing from the local copy {path}; rerun `summarize models fetch`")
        elif expected and sha256_file(local) != expected:
            problems.append(f"{name}: sha256 differs from the lock (corrupt, or changed on the hub); rerun `summarize models fetch`")
    return Verification(pin.role, not problems, tuple(problems))
