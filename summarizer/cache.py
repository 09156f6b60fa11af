"""Persistent result cache: SQLite, keyed by everything that changes a result.

A cache never stops or poisons a run: a row that does not hold the value its task expects is a miss
(deleted, recomputed, counted in ``Cache.repaired``); writes that find the database locked by another
process are held in memory, served to later lookups and written when the lock is free (``flush``);
a cache that cannot be written is used read-only, with one warning.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .errors import CacheError

__all__ = ["Cache", "CacheInfo", "ConvertedInfo", "cache_key", "default_cache_dir", "read_info", "converted_models",
           "clear_converted", "CONVERTED", "SCHEMA_VERSION", "EXPECTED"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
APPLICATION_ID = 0x53554D31  # "SUM1": marks the file as this tool's cache
_COLUMNS = {"results": ["key", "task", "value", "created"], "fingerprints": ["path", "stamp", "digest"]}
CACHE_FILE = "cache.sqlite3"
# Folders beside the cache file where runs keep converted models (summarizer/models/sources.py `model_store`,
# the CTranslate2 store of summarizer/run/workbench.py), each model in a folder of its own: folder -> format.
CONVERTED = {"models": "safetensors", "ct2": "CTranslate2"}
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
WRITE_TIMEOUT = 2.0  # seconds a write waits for another process's lock before its rows are held in memory
FLUSH_TIMEOUT = 60.0  # seconds the final flush (and opening) waits for the lock
RETRY_EVERY = 5.0  # seconds between attempts to write held rows while the database stays locked
_RETRY_TIMEOUT = 0.1  # seconds those attempts wait: a run never stalls on a lock it already knows about

Validator = Callable[[Any], bool]


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_value(value: Any) -> bool:
    return value is not None


# What a cached value of each task must be, by the task's name up to the first ":" (translate:nl-en ->
# translate); any other task takes any JSON value but null. A row that is not what its task expects is damaged.
EXPECTED: dict[str, Validator] = {"translate": _is_str, "summarize": _is_str, "segment": _is_str_list}


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
    """What `summarize cache info` shows of the results."""

    path: str
    entries: dict[str, int]  # results by task
    size_bytes: int


@dataclass(frozen=True)
class ConvertedInfo:
    """Converted models in one folder beside the cache."""

    path: str
    format: str  # safetensors | CTranslate2
    count: int  # finished models (work folders of unfinished conversions are not counted, but sized)
    size_bytes: int


class Cache:
    """Key/value store of results; ``Cache(None)`` keeps results in memory for one run only.

    Args:
        directory: where ``cache.sqlite3`` lives; None for a cache in memory.
        on_busy: called with the number of results held in memory whenever a write finds the database
            locked by another process, and with 0 once they are all written.
        write_timeout: seconds a write waits for the lock before its rows are held in memory.
        flush_timeout: seconds ``flush`` and ``close`` (and opening) wait for the lock.
    """

    def __init__(
        self,
        directory: Path | None,
        *,
        on_busy: Callable[[int], None] | None = None,
        write_timeout: float = WRITE_TIMEOUT,
        flush_timeout: float = FLUSH_TIMEOUT,
    ) -> None:
        self.path = directory / CACHE_FILE if directory is not None else None
        self.hits = 0
        self.misses = 0
        self.hits_by_task: Counter[str] = Counter()  # by the task of the row found
        self.misses_by_task: Counter[str] = Counter()  # by the task a missed key's result was then stored under
        self._missed: set[str] = set()  # keys looked up in vain whose result has not been stored yet
        self.on_busy = on_busy
        self.write_timeout = write_timeout
        self.flush_timeout = flush_timeout
        self.read_only = False  # True when the database cannot be written: new results live for this run only
        self.busy = False  # True while results are held because another process holds the write lock
        self._repaired: set[str] = set()
        self._held: dict[str, tuple[str, str]] = {}  # key -> (task, JSON value) not yet written
        self._held_fingerprints: dict[str, tuple[str, str]] = {}  # path -> (stamp, digest) not yet written
        self._retry_at = 0.0
        self._read_failed = False
        self._db = self._open()

    @property
    def repaired(self) -> int:
        """Damaged rows found this run (each a miss, deleted and recomputed), each counted once."""
        return len(self._repaired)

    @property
    def pending(self) -> int:
        """Results held in memory, not yet written to the database."""
        return len(self._held)

    # --- opening ----------------------------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._init(sqlite3.connect(":memory:"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                return self._without_file(f"cannot create the cache directory ({exc.strerror})")
            raise CacheError(f"{self.path.parent}: cannot create cache directory ({exc.strerror}); use --cache-dir") from exc
        inode = _inode(self.path)
        try:
            return self._init(_connect(self.path, self.flush_timeout))
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and _is_locked(exc):
                raise CacheError(f"{self.path}: cache is locked by another process ({exc})") from exc
            if _is_read_only(exc):
                return self._open_read_only(exc)
            if isinstance(exc, sqlite3.OperationalError) and _is_disk_error(exc):
                raise _write_error(self.path, exc) from exc
            try:
                self._move_aside(exc, inode)
            except OSError as move:
                return self._without_file(f"damaged ({exc}) and cannot be moved aside ({move.strerror})")
            return self._init(_connect(self.path, self.flush_timeout))

    def _open_read_only(self, why: Exception) -> sqlite3.Connection:
        """Open the database for reading only; a cache in memory when even that fails."""
        assert self.path is not None
        if not self.path.is_file():
            return self._without_file(f"cannot create the cache file ({why})")
        location = quote(str(self.path.absolute()))
        for query in ("mode=ro", "immutable=1"):  # immutable: a WAL database in a folder where -shm cannot be made
            try:
                db = sqlite3.connect(f"file:{location}?{query}", uri=True, timeout=self.flush_timeout)
            except sqlite3.Error:
                continue
            try:
                problems = [row[0] for row in db.execute("PRAGMA quick_check")]
                schema = self._schema_problem(db)
            except sqlite3.Error:
                db.close()
                continue
            if problems != ["ok"] or schema:
                db.close()
                return self._without_file(f"not writable ({why}) and {schema or 'damaged: ' + problems[0]}")
            self.read_only = True
            log.warning(
                "%s: cache is read-only (%s); using its results, new results are kept for this run only", self.path, why
            )
            return db
        return self._without_file(f"cannot be opened, not even read-only ({why})")

    def _without_file(self, why: str) -> sqlite3.Connection:
        """A cache in memory for this run, after one warning saying why the file cannot be used."""
        log.warning("%s: %s; running without a cache file (results are kept for this run only)", self.path, why)
        self.read_only = True
        return self._init(sqlite3.connect(":memory:"))

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
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            problems = [row[0] for row in db.execute("PRAGMA quick_check")]  # ~0.1 s for 50 MB; finds truncation
            if problems != ["ok"]:
                raise sqlite3.DatabaseError(f"integrity check failed: {problems[0]}")
            if self._schema_problem(db) is None and _has_tables(db):
                return db  # nothing to write: opening works while another process holds the write lock
            with db:  # one write transaction: concurrent runs see the old schema or the new one, never half
                db.execute("BEGIN IMMEDIATE")
                problem = self._schema_problem(db)
                if problem:
                    log.warning("%s: cache %s; rebuilding", self.path, problem)
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

    @staticmethod
    def _schema_problem(db: sqlite3.Connection) -> str | None:
        """None for an empty file or one of our current schema; else what is wrong (it is rebuilt, never misread)."""
        version = db.execute("PRAGMA user_version").fetchone()[0]
        app = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables and version == 0:
            return None
        columns = {t: [row[1] for row in db.execute(f"PRAGMA table_info({t})")] for t in tables & set(_COLUMNS)}
        if version == SCHEMA_VERSION and app in (0, APPLICATION_ID) and columns == _COLUMNS:
            return None
        return (
            f"written by another version or tool (schema {version}, application id {app}, "
            f"tables {', '.join(sorted(tables)) or 'none'})"
        )

    # --- reading ----------------------------------------------------------------------------------------------------

    def get_many(self, keys: Iterable[str], *, expect: type | Validator | None = None) -> dict[str, Any]:
        """Cached values for those keys that are present and valid; counts hits and misses.

        Each value must decode as JSON and be what ``expect`` says (a type such as ``str`` or ``list[str]``,
        or a predicate); without ``expect``, what its row's task expects (``EXPECTED``). Any other row is a
        miss: it is deleted and counted in ``repaired``.
        """
        wanted = list(dict.fromkeys(keys))
        check = _validator(expect)
        found: dict[str, Any] = {}
        tasks: dict[str, str] = {}
        for key in wanted:
            if key in self._held:
                found[key] = json.loads(self._held[key][1])
                tasks[key] = self._held[key][0]
        rest = [k for k in wanted if k not in found]
        damaged: list[tuple[str, bytes, str]] = []
        try:
            for start in range(0, len(rest), 500):
                part = rest[start:start + 500]
                marks = ",".join("?" * len(part))
                query = f"SELECT key, task, CAST(value AS BLOB) FROM results WHERE key IN ({marks})"
                for key, task, blob in self._read(query, part):
                    value, problem = _parse(blob, check or EXPECTED.get(str(task).split(":", 1)[0], _is_value))
                    if problem:
                        damaged.append((key, blob, f"{task}: {problem}"))
                    else:
                        found[key] = value
                        tasks[key] = str(task)
        except sqlite3.DatabaseError as exc:
            self._reading_failed(exc)
        for key, blob, problem in damaged:
            self._repair(key, blob, problem)
        self.hits += len(found)
        self.misses += len(wanted) - len(found)
        self.hits_by_task.update(tasks[k] for k in found)
        self._missed.update(k for k in wanted if k not in found)
        self._missed.difference_update(found)
        return found

    def lookups(self, *tasks: str) -> tuple[int, int]:
        """Hits and misses of these tasks, each named up to its ":" (``translate`` counts ``translate:nl-en``).

        A hit counts under the task of the row found; a miss under the task its result is
        then stored with (``put_many``), so misses whose work failed are not counted.
        """
        def counted(task: str) -> bool:
            return task.split(":", 1)[0] in tasks

        return (sum(n for t, n in self.hits_by_task.items() if counted(t)),
                sum(n for t, n in self.misses_by_task.items() if counted(t)))

    def _read(self, query: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
        self._db.execute(f"PRAGMA busy_timeout = {int(self.write_timeout * 1000)}")
        return self._db.execute(query, list(params)).fetchall()

    def _reading_failed(self, exc: sqlite3.DatabaseError) -> None:
        if not self._read_failed:
            log.warning("%s: cannot read the cache (%s); recomputing what it holds", self.path, exc)
        self._read_failed = True

    def _repair(self, key: str, blob: bytes, problem: str) -> None:
        """Count a damaged row once and delete it unless another process has already replaced it."""
        if key in self._repaired:
            return
        if not self._repaired:
            log.warning("%s: damaged cache entry (%s); recomputing it (the report counts any others)", self.path, problem)
        else:
            log.debug("%s: damaged cache entry (%s)", self.path, problem)
        self._repaired.add(key)
        if self.read_only:
            return
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(_RETRY_TIMEOUT * 1000)}")
            with self._db:
                self._db.execute("DELETE FROM results WHERE key = ? AND CAST(value AS BLOB) = ?", (key, blob))
        except sqlite3.OperationalError as exc:
            if _is_read_only(exc):
                self._became_read_only(exc)
            else:
                log.debug("%s: damaged entry not deleted now (%s); the recomputed value replaces it", self.path, exc)

    def fingerprint(self, path: str, stamp: str) -> str | None:
        """A remembered digest of a model directory, valid while its stamp is unchanged."""
        if path in self._held_fingerprints:
            held_stamp, digest = self._held_fingerprints[path]
            return digest if held_stamp == stamp else None
        try:
            rows = self._read("SELECT stamp, digest FROM fingerprints WHERE path = ?", (path,))
        except sqlite3.DatabaseError as exc:
            self._reading_failed(exc)
            return None
        return rows[0][1] if rows and rows[0][0] == stamp and isinstance(rows[0][1], str) else None

    # --- writing ----------------------------------------------------------------------------------------------------

    def put_many(self, task: str, items: Mapping[str, Any]) -> None:
        """Store results in one transaction; held in memory (and served from there) while the database is locked."""
        self._held.update({k: (task, json.dumps(v, ensure_ascii=False)) for k, v in items.items()})
        if self._missed and (missed := self._missed.intersection(items)):
            self.misses_by_task[task] += len(missed)
            self._missed -= missed
        self._write_held(self._attempt_timeout())

    def remember_fingerprint(self, path: str, stamp: str, digest: str) -> None:
        """Remember a model directory's digest."""
        self._held_fingerprints[path] = (stamp, digest)
        self._write_held(self._attempt_timeout())

    def flush(self, *, timeout: float | None = None) -> int:
        """Write held results, retrying while the database is locked for up to ``timeout`` seconds
        (default ``flush_timeout``); returns how many results are still held (0: all written)."""
        deadline = time.monotonic() + (self.flush_timeout if timeout is None else timeout)
        while (self._held or self._held_fingerprints) and not self.read_only:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._write_held(min(remaining, 1.0))  # short attempts: Ctrl-C and on_busy get their turn
        return len(self._held)

    def _attempt_timeout(self) -> float | None:
        """How long the next write may wait for the lock; None to skip it (locked a moment ago)."""
        if not self.busy:
            return self.write_timeout
        return _RETRY_TIMEOUT if time.monotonic() >= self._retry_at else None

    def _write_held(self, timeout: float | None) -> None:
        if self.read_only or timeout is None or not (self._held or self._held_fingerprints):
            if self.busy:
                self._notify()
            return
        rows = [(k, task, value, time.time()) for k, (task, value) in self._held.items()]
        prints = [(path, stamp, digest) for path, (stamp, digest) in self._held_fingerprints.items()]
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)
                self._db.executemany("INSERT OR REPLACE INTO fingerprints VALUES (?, ?, ?)", prints)
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                self._locked(exc)
            elif _is_read_only(exc):
                self._became_read_only(exc)
            elif _is_disk_error(exc):
                raise _write_error(self.path, exc) from exc
            else:
                raise CacheError(f"{self.path}: cannot write the cache ({exc})") from exc
            return
        self._held.clear()
        self._held_fingerprints.clear()
        if self.busy:
            self.busy = False
            log.info("%s: cache lock released; held results written", self.path)
            self._notify()

    def _became_read_only(self, exc: sqlite3.OperationalError) -> None:
        self.read_only = True
        log.warning("%s: cache is read-only (%s); using its results, new results are kept for this run only", self.path, exc)

    def _locked(self, exc: sqlite3.OperationalError) -> None:
        if not self.busy:
            log.warning(
                "%s: cache is locked by another process (%s); holding results in memory and retrying", self.path, exc
            )
        self.busy = True
        self._retry_at = time.monotonic() + RETRY_EVERY
        self._notify()

    def _notify(self) -> None:
        if self.on_busy is not None:
            self.on_busy(len(self._held) if self.busy else 0)

    # --- housekeeping -----------------------------------------------------------------------------------------------

    def info(self) -> CacheInfo:
        """Entry counts by task and size on disk (`read_info` reads a cache without opening it for writing)."""
        size = sum(p.stat().st_size for p in self._files() if p.exists())
        return CacheInfo(path=str(self.path or ":memory:"), entries=_counts(self._db), size_bytes=size)

    def clear(self) -> int:
        """Delete every result; returns how many there were."""
        if self.read_only and self.path is not None:
            raise CacheError(f"{self.path}: cache is read-only; cannot clear it")
        self._held.clear()
        self._held_fingerprints.clear()
        with self._db:
            n = self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            self._db.execute("DELETE FROM results")
            self._db.execute("DELETE FROM fingerprints")
        self._db.execute("VACUUM")
        return n

    def close(self, *, timeout: float | None = None) -> None:
        """Write held results (waiting up to ``timeout``, default ``flush_timeout``), then close the database."""
        try:
            if not self.read_only and (left := self.flush(timeout=timeout)):
                log.warning("%s: cache still locked; %d results not saved (a later run recomputes them)", self.path, left)
        finally:
            self._db.close()

    def _files(self) -> list[Path]:
        if self.path is None:
            return []
        return [self.path, Path(f"{self.path}-wal")]


def read_info(directory: Path) -> CacheInfo | None:
    """What the cache in ``directory`` holds, read without writing or creating anything; None when it has no cache file.

    While another process has the database open (its ``-wal`` file exists) it is read with
    ``mode=ro``; otherwise as immutable, since a read-only connection to a WAL database
    leaves ``-wal`` and ``-shm`` files behind.
    """
    path = directory / CACHE_FILE
    if not path.is_file():
        return None
    wal = Path(f"{path}-wal")
    query = "mode=ro" if wal.exists() else "immutable=1"
    try:
        db = sqlite3.connect(f"file:{quote(str(path.absolute()))}?{query}", uri=True, timeout=FLUSH_TIMEOUT)
        try:
            if problem := Cache._schema_problem(db):
                raise CacheError(f"{path}: not a cache of this version of summarize ({problem})")
            entries = _counts(db) if _has_tables(db) else {}
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise CacheError(f"{path}: cannot read the cache ({exc})") from exc
    size = sum(p.stat().st_size for p in (path, wal) if p.exists())
    return CacheInfo(path=str(path), entries=entries, size_bytes=size)


def _counts(db: sqlite3.Connection) -> dict[str, int]:
    return dict(db.execute("SELECT task, COUNT(*) FROM results GROUP BY task").fetchall())


def converted_models(directory: Path) -> list[ConvertedInfo]:
    """The converted models kept beside the cache in ``directory``, per folder of ``CONVERTED`` that exists."""
    found = []
    for name, kind in CONVERTED.items():
        folder = directory / name
        if not folder.is_dir():
            continue
        count = sum(1 for entry in os.scandir(folder) if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."))
        found.append(ConvertedInfo(path=str(folder), format=kind, count=count, size_bytes=_tree_size(folder)))
    return found


def clear_converted(directory: Path) -> int:
    """Delete the converted models beside the cache in ``directory`` (a later run converts again); returns how many."""
    found = converted_models(directory)
    for info in found:
        shutil.rmtree(info.path)
    return sum(info.count for info in found)


def _tree_size(folder: Path) -> int:
    """Bytes of the files under ``folder``, symbolic links not followed."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _validator(expect: type | Validator | None) -> Validator | None:
    """A predicate for ``expect``: a type (``str``, ``list[str]``, ``dict``), a predicate, or None."""
    if expect is None:
        return None
    if typing.get_origin(expect) is list:
        (item,) = typing.get_args(expect) or (object,)
        return lambda value: isinstance(value, list) and all(isinstance(v, item) for v in value)
    if isinstance(expect, type):
        return lambda value: isinstance(value, expect)
    return expect


def _parse(blob: Any, check: Validator) -> tuple[Any, str | None]:
    """A row's value and None, or None and what is wrong with it."""
    try:
        text = blob.decode("utf-8") if isinstance(blob, bytes) else str(blob)
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"not JSON ({exc})"
    if not check(value):
        return None, f"unexpected value {text[:40]!r}"
    return value, None


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection that waits up to ``timeout`` seconds for concurrent runs' writes instead of failing."""
    return sqlite3.connect(path, timeout=timeout)


def _has_tables(db: sqlite3.Connection) -> bool:
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return set(_COLUMNS) <= tables


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def _is_locked(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _is_read_only(exc: sqlite3.Error) -> bool:
    return any(words in str(exc) for words in ("readonly database", "read-only file system", "unable to open database file"))


def _is_disk_error(exc: sqlite3.OperationalError) -> bool:
    return any(word in str(exc) for word in ("disk is full", "disk I/O error"))


def _write_error(path: Path | None, exc: Exception) -> CacheError:
    return CacheError(
        f"{path}: cannot write the result cache ({exc}); free some space, pass another --cache-dir, or use --no-cache"
    )
