"""models.lock: the pinned hub revision and file hashes of each model role."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import LockError
from .roles import ROLES

__all__ = ["ModelPin", "Lock", "read_lock", "write_lock", "is_commit", "DEFAULT_LOCK"]

DEFAULT_LOCK = "models.lock"
LOCK_VERSION = 1
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def is_commit(revision: str) -> bool:
    """True for a full 40-hex commit id, the only revision that counts as a pin."""
    return bool(_COMMIT.match(revision))


@dataclass(frozen=True)
class ModelPin:
    """What the lock says about one role."""

    role: str
    id: str
    revision: str = "main"
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    note: str = ""

    @property
    def pinned(self) -> bool:
        """Whether the revision is an immutable commit."""
        return is_commit(self.revision)


@dataclass(frozen=True)
class Lock:
    """Every role's pin, plus where it was read from."""

    pins: dict[str, ModelPin]
    path: Path | None = None

    def pin(self, role: str) -> ModelPin:
        """The pin of a role, or the role's default id, unpinned, if the lock omits it."""
        if role in self.pins:
            return self.pins[role]
        return ModelPin(role=role, id=ROLES[role].default_id, note="not in models.lock")


def _parse_pin(role: str, raw: Any, where: str) -> ModelPin:
    if not isinstance(raw, dict):
        raise LockError(f"{where}: [models.{role}] must be a table")
    model_id = raw.get("id")
    if not isinstance(model_id, str) or not model_id:
        raise LockError(f"{where}: [models.{role}] needs id = \"owner/name\"")
    revision = raw.get("revision", "main")
    if not isinstance(revision, str) or not revision:
        raise LockError(f"{where}: [models.{role}] revision must be a string")
    if revision != "main" and not is_commit(revision):
        raise LockError(
            f"{where}: [models.{role}] revision {revision!r} is neither a full 40-hex commit nor \"main\"; "
            "run `summarize models lock` on a connected machine to pin it"
        )
    files = raw.get("files", {})
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise LockError(f"{where}: [models.{role}.files] must map file names to sha256 strings")
    return ModelPin(role=role, id=model_id, revision=revision, files=dict(files), note=str(raw.get("note", "")))


def read_lock(path: Path) -> Lock:
    """Parse models.lock; a missing file means every role uses its default id, unpinned."""
    if not path.exists():
        return Lock(pins={}, path=None)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LockError(f"{path}: not valid TOML ({exc}); restore it from git or rerun `summarize models lock`") from exc
    if data.get("version") != LOCK_VERSION:
        raise LockError(f"{path}: unsupported lock version {data.get('version')!r} (expected {LOCK_VERSION})")
    models = data.get("models", {})
    if not isinstance(models, dict):
        raise LockError(f"{path}: [models] must be a table")
    unknown = sorted(set(models) - set(ROLES))
    if unknown:
        raise LockError(f"{path}: unknown role(s) {', '.join(unknown)}; known roles: {', '.join(ROLES)}")
    return Lock(pins={r: _parse_pin(r, raw, str(path)) for r, raw in models.items()}, path=path)


def write_lock(path: Path, pins: dict[str, ModelPin]) -> None:
    """Write models.lock atomically."""
    import tomli_w

    from ..outputs.fsutil import atomic_write_text

    doc: dict[str, Any] = {"version": LOCK_VERSION, "models": {}}
    for name, pin in pins.items():
        entry: dict[str, Any] = {"id": pin.id, "revision": pin.revision}
        if pin.note:
            entry["note"] = pin.note
        if pin.files:
            entry["files"] = dict(sorted(pin.files.items()))
        doc["models"][name] = entry
    header = "# Pinned model revisions and file hashes. Written by `summarize models lock`.\n"
    atomic_write_text(path, header + tomli_w.dumps(doc))
