"""Small filesystem helpers: atomic writes, cleaning up what interrupted writes and conversions leave, file hashing."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path

__all__ = [
    "atomic_write_text", "atomic_write_bytes", "atomic_write_many", "remove_stale_temps", "remove_stale_conversions",
    "sha256_file", "sha256_text",
]

log = logging.getLogger(__name__)

_TEMP_MARK = "~part~"  # temp names: .<name>.<pid>~part~<random>.tmp
_RANDOM = r"[a-z0-9_]{8}"  # what tempfile puts in a name
_TEMP_NAME = re.compile(rf"\..+\.(?P<pid>[0-9]+){re.escape(_TEMP_MARK)}{_RANDOM}\.tmp\Z")
# .<model>-<16 hex>.<random>.converting (safetensors) and .<model>-<16 hex>-<compute type>-<format>.<random> (CTranslate2)
_CONVERSION_NAME = re.compile(
    rf"\.[A-Za-z0-9._-]+-[0-9a-f]{{16}}(?:\.{_RANDOM}\.converting|-[a-z0-9_]+-ct2v[0-9]+\.{_RANDOM})\Z"
)
CONVERSION_GRACE = 3600.0  # seconds: a conversion folder untouched this long belongs to a run that is gone


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
    """Delete temp files left in ``folder`` (recursively) by atomic writes of processes that no longer run.

    Only regular files named exactly as ``atomic_write_many`` names them; never a folder or a link,
    whatever its name (an input folder may be called anything, and is mirrored into the outputs).
    """
    removed = 0
    for root, _, names in os.walk(folder):
        for name in names:
            match = _TEMP_NAME.match(name)
            path = Path(root, name)
            if not match or _alive(int(match.group("pid"))):
                continue
            try:
                if stat.S_ISREG(path.lstat().st_mode):
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                pass  # another run removed it first
    return removed


def remove_stale_conversions(store: Path, *, grace: float = CONVERSION_GRACE) -> int:
    """Delete half-finished model conversions in ``store`` (not recursively) that nothing has touched for ``grace`` seconds.

    Only folders named exactly as the converters name their work folders (``.<target>.<random>.converting``
    in summarizer/models/weights.py, ``.<target>.<random>`` under ``<cache>/ct2``); a conversion another
    run is still doing keeps its files fresh, so the grace period leaves it alone.
    """
    try:
        entries = list(os.scandir(store))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    cutoff = time.time() - grace
    for entry in entries:
        if not _CONVERSION_NAME.match(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if _newest_mtime(Path(entry.path)) > cutoff:
                continue
            shutil.rmtree(entry.path)
            removed += 1
        except FileNotFoundError:
            pass  # another run removed it first
        except OSError as exc:
            log.warning("%s: cannot remove a stale model conversion (%s)", entry.path, exc.strerror or exc)
    return removed


def _newest_mtime(folder: Path) -> float:
    """The latest modification time of ``folder`` and everything under it (links not followed)."""
    newest = folder.lstat().st_mtime
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            try:
                newest = max(newest, Path(root, name).lstat().st_mtime)
            except FileNotFoundError:
                pass
    return newest


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
