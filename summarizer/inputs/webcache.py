"""Fetched pages and feeds kept on disk by URL, with the validators (ETag, Last-Modified) a conditional GET needs."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import CacheError

__all__ = ["WEB_DIR", "Cached", "Stored", "clear", "load", "paths", "store", "stored"]

log = logging.getLogger(__name__)

WEB_DIR = "web"  # the fetched pages' folder, beside the result cache
_OWN = re.compile(r"[0-9a-f]{64}\.(body|json)|\.[0-9a-f]{64}\.(body|json)\..*\.tmp")  # what store() writes, nothing else


@dataclass(frozen=True)
class Cached:
    """A stored response: the body and what is needed to revalidate it."""

    url: str  # as asked for: the cache key
    final_url: str  # after redirects
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched: str  # ISO timestamp, UTC
    sha256: str  # of the body, checked on every load
    body: bytes


@dataclass(frozen=True)
class Stored:
    """What a web cache folder holds: fetched pages (one metadata file each) and their bytes on disk."""

    path: str
    pages: int
    size_bytes: int


def stored(cache_dir: Path) -> Stored | None:
    """The pages kept in ``cache_dir`` (None when the folder does not exist); reads only, follows no link."""
    own = _own_files(cache_dir)
    if own is None:
        return None
    return Stored(path=str(cache_dir), pages=sum(1 for entry in own if entry.name.endswith(".json")),
                  size_bytes=sum(entry.stat(follow_symlinks=False).st_size for entry in own))


def clear(cache_dir: Path) -> int:
    """Delete the fetched pages in ``cache_dir`` (only files this module writes; links and other files are left); how many.

    Raises:
        CacheError: a page could not be deleted (the pages before it are gone).
    """
    own = _own_files(cache_dir) or []
    for entry in own:
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheError(f"{entry.path}: cannot delete this fetched page ({exc.strerror or exc})") from exc
    try:
        cache_dir.rmdir()
    except OSError:
        pass  # something else is in there, or it is gone already
    return sum(1 for entry in own if entry.name.endswith(".json"))


def _own_files(cache_dir: Path) -> list[os.DirEntry[str]] | None:
    """The regular files in ``cache_dir`` named as store() names them; None when it is not a folder (a link is not one)."""
    if not cache_dir.is_dir() or cache_dir.is_symlink():
        return None
    with os.scandir(cache_dir) as entries:
        return [e for e in entries if _OWN.fullmatch(e.name) and e.is_file(follow_symlinks=False)]


def paths(cache_dir: Path, url: str) -> tuple[Path, Path]:
    """``<dir>/<sha256 of url>.body`` and ``.json``."""
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()
    return cache_dir / f"{key}.body", cache_dir / f"{key}.json"


def load(cache_dir: Path, url: str) -> Cached | None:
    """The stored response for ``url``, or None if there is none or it is damaged (the body's hash disagrees)."""
    body_path, meta_path = paths(cache_dir, url)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body = body_path.read_bytes()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: cached copy unreadable, ignored (%s)", url, exc)
        return None
    if not isinstance(meta, dict) or meta.get("url") != url or meta.get("sha256") != hashlib.sha256(body).hexdigest():
        log.warning("%s: cached copy damaged or incomplete, ignored", url)
        return None
    return Cached(
        url=url, final_url=str(meta.get("final_url") or url), content_type=meta.get("content_type"),
        etag=meta.get("etag"), last_modified=meta.get("last_modified"), fetched=str(meta.get("fetched", "")),
        sha256=meta["sha256"], body=body,
    )


def store(cache_dir: Path, url: str, *, final_url: str, content_type: str | None, etag: str | None,
          last_modified: str | None, body: bytes) -> Cached:
    """Write the response atomically (body first, then its metadata); a cache that cannot be written only warns."""
    entry = Cached(
        url=url, final_url=final_url, content_type=content_type, etag=etag, last_modified=last_modified,
        fetched=datetime.now(timezone.utc).isoformat(timespec="seconds"), sha256=hashlib.sha256(body).hexdigest(),
        body=body,
    )
    body_path, meta_path = paths(cache_dir, url)
    meta = {k: v for k, v in asdict(entry).items() if k != "body"}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(body_path, body)
        _write_atomic(meta_path, (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    except OSError as exc:
        log.warning("%s: not cached, cannot write %s (%s)", url, cache_dir, exc.strerror or exc)
    return entry


def _write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder and ``os.replace`` it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
