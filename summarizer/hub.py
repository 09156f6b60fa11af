"""`summarize models lock|fetch|verify`: pin, download and check the hub models of models.lock."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .errors import LockError, ModelNotFoundError
from .fsutil import sha256_file
from .lock import ModelPin, read_lock, write_lock
from .roles import ROLES
from .sources import hub_snapshot, select_files

__all__ = ["lock_models", "fetch_models", "verify_models", "Verification"]

log = logging.getLogger(__name__)


def lock_models(lock_path: Path) -> dict[str, ModelPin]:
    """Resolve each role's current commit and file hashes on the hub and write models.lock."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    lock = read_lock(lock_path)
    api = HfApi()
    pins: dict[str, ModelPin] = {}
    for role in ROLES:
        old = lock.pin(role)
        try:
            info = api.model_info(old.id, revision=old.revision if old.pinned else None, files_metadata=True)
        except (HfHubHTTPError, OSError) as exc:
            raise ModelNotFoundError(f"{role}: cannot reach {old.id} on the hub to lock it ({exc}); run this on a connected machine") from exc
        hashes = {s.rfilename: s.lfs.sha256 if s.lfs else None for s in info.siblings or []}
        files = {name: hashes[name] or "" for name in select_files(list(hashes))}
        pins[role] = ModelPin(role=role, id=old.id, revision=info.sha, files=files)
    _fill_git_hashes(pins)
    write_lock(lock_path, pins)
    return pins


def _fill_git_hashes(pins: dict[str, ModelPin]) -> None:
    """Small files are not in LFS, so the hub gives no sha256: download and hash them."""
    for pin in pins.values():
        if all(pin.files.values()):
            continue
        path = hub_snapshot(pin)
        for name, digest in pin.files.items():
            if not digest:
                pin.files[name] = sha256_file(path / name)


def fetch_models(lock_path: Path) -> dict[str, Path]:
    """Download every locked model into the local hub cache; returns each role's snapshot directory."""
    lock = read_lock(lock_path)
    return {role: hub_snapshot(lock.pin(role), allow_download=True) for role in ROLES}


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
    results = []
    for role in ROLES:
        pin = lock.pin(role)
        problems: list[str] = []
        if not pin.pinned:
            problems.append(f"{pin.id} is not pinned to a commit (revision {pin.revision})")
        try:
            path = hub_snapshot(pin, allow_download=False)
        except ModelNotFoundError:
            problems.append(f"{pin.id} is not in the local model cache; run `summarize models fetch`")
            results.append(Verification(role, False, tuple(problems)))
            continue
        if not pin.files:
            problems.append("the lock lists no file hashes; run `summarize models lock`")
        for name, expected in sorted(pin.files.items()):
            local = path / name
            if not local.is_file():
                problems.append(f"{name}: missing")
            elif expected and sha256_file(local) != expected:
                problems.append(f"{name}: sha256 differs from the lock (corrupt or changed); rerun `summarize models fetch`")
        results.append(Verification(role, not problems, tuple(problems)))
    return results
