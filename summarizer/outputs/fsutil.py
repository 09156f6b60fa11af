"""Small filesystem helpers: atomic writes and file hashing."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_text", "atomic_write_bytes", "atomic_write_many", "remove_stale_temps", "sha256_file", "sha256_text"]

_TEMP_MARK = "~part~"  # temp names: .<name>.<pid>~part~<random>.tmp


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory and ``os.replace``."""
    atomic_write_many({path: data})


def atomic_write_many(files: dict[Path, bytes]) -> None:
    """Write several files all or nothing: every temp file is written before any is renamed into place.

    Renames happen in the mapping's order, so the last file's presence means the others are there too.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}{_TEMP_MARK}", suffix=".tmp")
            temps.append((tmp, path))
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would make outputs private; follow the umask instead
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in temps:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise


@functools.cache
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files left in ``folder`` (recursively) by atomic writes of processes that no longer run."""
    removed = 0
    for tmp in folder.rglob(f".*{_TEMP_MARK}*.tmp"):
        pid = tmp.name.split(_TEMP_MARK)[0].rsplit(".", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def atomic_write_text(path: Path, text: str) -> None:
    """Atomic UTF-8 text write."""
    atomic_write_bytes(path, text.encode("utf-8"))


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    """Hex sha256 of a string's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
