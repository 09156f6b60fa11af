"""Persistent result cache: SQLite, keyed by everything that changes a result."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CacheError

__all__ = ["Cache", "CacheInfo", "cache_key", "default_cache_dir", "SCHEMA_VERSION"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
APPLICATION_ID = 0x53554D31  # "SUM1": marks the file as this tool's cache
_COLUMNS = {"results": ["key", "task", "value", "created"], "fingerprints": ["path", "stamp", "digest"]}
CACHE_FILE = "cache.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    value TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fingerprints (
    path TEXT PRIMARY KEY,
    stamp TEXT NOT NULL,
    digest TEXT NOT NULL
);
"""


def default_cache_dir() -> Path:
    """The platform's user cache directory for this tool."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("summarize"))


def cache_key(*, task: str, model: Mapping[str, str], settings: Mapping[str, Any], compute: str, text: str) -> str:
    """sha256 over the task, model id and revision, settings, numeric backend and input text."""
    blob = json.dumps(
        {"task": task, "model": dict(model), "settings": dict(settings), "compute": compute, "text": text},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    """What `summarize cache info` shows."""

    path: str
    entries: dict[str, int]
    size_bytes: int


class Cache:
    """Key/value store of results; ``Cache(None)`` keeps results in memory for one run only."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / CACHE_FILE if directory is not None else None
        self.hits = 0
        self.misses = 0
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._init(sqlite3.connect(":memory:"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"{self.path.parent}: cannot create cache directory ({exc.strerror}); use --cache-dir") from exc
        inode = _inode(self.path)
        try:
            return self._init(_connect(self.path))
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
                raise CacheError(f"{self.path}: cache is locked by another process ({exc})") from exc
            if isinstance(exc, sqlite3.OperationalError) and _is_disk_error(exc):
                raise _write_error(self.path, exc) from exc
            self._move_aside(exc, inode)
            return self._init(_connect(self.path))

    def _move_aside(self, exc: Exception, inode: int | None) -> None:
        assert self.path is not None
        if inode is not None and _inode(self.path) != inode:
            return  # a concurrent run already moved the damaged file aside and started a new one
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}-{os.getpid()}")
        log.warning("%s: damaged cache (%s); moved aside to %s and starting a new one", self.path, exc, aside)
        try:
            self.path.replace(aside)
        except FileNotFoundError:
            pass
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _init(self, db: sqlite3.Connection) -> sqlite3.Connection:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            problems = [row[0] for row in db.execute("PRAGMA quick_check")]  # ~0.1 s for 50 MB; finds truncation
            if problems != ["ok"]:
                raise sqlite3.DatabaseError(f"integrity check failed: {problems[0]}")
            with db:  # one write transaction: concurrent runs see the old schema or the new one, never half
                db.execute("BEGIN IMMEDIATE")
                if not self._is_ours(db):
                    tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                    for table in tables:
                        if not table.startswith("sqlite_"):
                            db.execute(f'DROP TABLE IF EXISTS "{table}"')
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        except BaseException:
            db.close()
            raise
        return db

    def _is_ours(self, db: sqlite3.Connection) -> bool:
        """True for an empty file or one of our current schema; anything else is rebuilt, never misread."""
        version = db.execute("PRAGMA user_version").fetchone()[0]
        app = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables and version == 0:
            return True
        columns = {t: [row[1] for row in db.execute(f"PRAGMA table_info({t})")] for t in tables & set(_COLUMNS)}
        if version == SCHEMA_VERSION and app in (0, APPLICATION_ID) and columns == _COLUMNS:
            return True
        log.warning(
            "%s: cache written by another version or tool (schema %s, application id %s, tables %s); rebuilding",
            self.path, version, app, ", ".join(sorted(tables)) or "none",
        )
        return False

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Cached values for those keys that are present; counts hits and misses."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            marks = ",".join("?" * len(part))
            for key, value in self._db.execute(f"SELECT key, value FROM results WHERE key IN ({marks})", part):
                found[key] = json.loads(value)
        self.hits += len(found)
        self.misses += len(wanted) - len(found)
        return found

    def put_many(self, task: str, items: Mapping[str, Any]) -> None:
        """Store results in one transaction."""
        now = time.time()
        rows = [(k, task, json.dumps(v, ensure_ascii=False), now) for k, v in items.items()]
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)
        except sqlite3.OperationalError as exc:
            if _is_disk_error(exc):
                raise _write_error(self.path, exc) from exc
            raise CacheError(f"{self.path}: cannot write the cache ({exc})") from exc

    def fingerprint(self, path: str, stamp: str) -> str | None:
        """A remembered digest of a model directory, valid while its stamp is unchanged."""
        row = self._db.execute("SELECT stamp, digest FROM fingerprints WHERE path = ?", (path,)).fetchone()
        return row[1] if row and row[0] == stamp else None

    def remember_fingerprint(self, path: str, stamp: str, digest: str) -> None:
        """Remember a model directory's digest."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO fingerprints VALUES (?, ?, ?)", (path, stamp, digest))

    def info(self) -> CacheInfo:
        """Entry counts by task and size on disk."""
        counts = Counter(dict(self._db.execute("SELECT task, COUNT(*) FROM results GROUP BY task")))
        size = sum(p.stat().st_size for p in self._files() if p.exists())
        return CacheInfo(path=str(self.path or ":memory:"), entries=dict(counts), size_bytes=size)

    def clear(self) -> int:
        """Delete every result; returns how many there were."""
        with self._db:
            n = self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            self._db.execute("DELETE FROM results")
            self._db.execute("DELETE FROM fingerprints")
        self._db.execute("VACUUM")
        return n

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _files(self) -> list[Path]:
        if self.path is None:
            return []
        return [self.path, Path(f"{self.path}-wal")]


def _connect(path: Path) -> sqlite3.Connection:
    """A connection that waits up to a minute for concurrent runs' writes instead of failing."""
    return sqlite3.connect(path, timeout=60)


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def _is_disk_error(exc: sqlite3.OperationalError) -> bool:
    return any(word in str(exc) for word in ("disk is full", "disk I/O error", "readonly database", "unable to open"))


def _write_error(path: Path | None, exc: Exception) -> CacheError:
    return CacheError(
        f"{path}: cannot write the result cache ({exc}); free some space, pass another --cache-dir, or use --no-cache"
    )
