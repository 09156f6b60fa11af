import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer.cache import SCHEMA_VERSION, Cache, cache_key
from summarizer.generation.settings import SummarySettings, TranslationSettings

BASE = dict(task="translate:nl-en", model={"id": "m", "revision": "r1"}, settings=TranslationSettings().as_dict(),
            compute="torch:cpu:float32", text="Hallo.")


@pytest.mark.parametrize(
    "change",
    [
        {"text": "Hallo!"},
        {"model": {"id": "m", "revision": "r2"}},
        {"model": {"id": "other", "revision": "r1"}},
        {"task": "translate:en-nl"},
        {"settings": TranslationSettings(num_beams=2).as_dict()},
        {"settings": TranslationSettings(max_length_ratio=3.0).as_dict()},
        {"compute": "torch:cuda:float16"},
    ],
)
def test_any_change_misses(change):
    assert cache_key(**{**BASE, **change}) != cache_key(**BASE)


def test_key_ignores_dict_order_and_is_a_sha256():
    shuffled = {**BASE, "settings": dict(reversed(list(BASE["settings"].items()))), "model": {"revision": "r1", "id": "m"}}
    key = cache_key(**shuffled)
    assert key == cache_key(**BASE)  # a settings dict built in another order is the same request
    assert len(key) == 64 and set(key) <= set("0123456789abcdef")


def test_summary_settings_are_part_of_the_key():
    a = cache_key(**{**BASE, "settings": SummarySettings().as_dict()})
    b = cache_key(**{**BASE, "settings": SummarySettings(min_length=10).as_dict()})
    assert a != b


def test_values_persist_across_opens(tmp_path):
    cache = Cache(tmp_path)
    cache.put_many("t", {"k1": "one", "k2": ["x", 2]})
    cache.close()
    again = Cache(tmp_path)
    assert again.get_many(["k1", "k2", "k3"]) == {"k1": "one", "k2": ["x", 2]}
    assert (again.hits, again.misses) == (2, 1)
    assert again.info().entries == {"t": 2}
    assert again.clear() == 2
    assert again.get_many(["k1"]) == {}


def test_memory_cache_forgets(tmp_path):
    Cache(None).put_many("t", {"k": "v"})
    assert Cache(None).get_many(["k"]) == {}


def test_garbage_cache_file_is_moved_aside(tmp_path):
    (tmp_path / "cache.sqlite3").write_bytes(b"this is not a database" * 100)
    cache = Cache(tmp_path)
    cache.put_many("t", {"k": "v"})
    assert cache.get_many(["k"]) == {"k": "v"}
    assert list(tmp_path.glob("cache.sqlite3.corrupt-*"))


def test_other_schema_is_rebuilt_not_misread(tmp_path):
    db = sqlite3.connect(tmp_path / "cache.sqlite3")
    db.execute("CREATE TABLE results (key TEXT, blob BLOB)")
    db.execute("INSERT INTO results VALUES ('k', x'00')")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    cache = Cache(tmp_path)
    assert cache.get_many(["k"]) == {}
    cache.put_many("t", {"k": "v"})
    assert cache.get_many(["k"]) == {"k": "v"}


# --- damaged rows: a miss, deleted, recomputed, counted once ----------------------------------------------------------

GOOD = {"segment:nl": ["Een zin.", "Nog een."], "translate:nl-en": "A sentence.", "summarize": "A summary.", "t": "x"}


@pytest.mark.parametrize(
    ("task", "stored", "expect"),
    [
        ("segment:nl", "not json", None),
        ("segment:nl", "[1, 2]", None),
        ("segment:nl", '"one string, not a list"', None),
        ("segment:nl", "null", None),
        ("translate:nl-en", "123", None),
        ("translate:nl-en", "null", None),
        ("translate:nl-en", '{"en": "x"}', None),
        ("translate:nl-en", b"\xff\xfe not UTF-8", None),
        ("summarize", '["a"]', None),
        ("t", "null", None),
        ("t", "123", str),  # the caller's expectation holds for any task
        ("t", '["a", 1]', list[str]),
        ("t", '"x"', lambda value: value == "y"),
    ],
)
def test_damaged_row_is_a_miss_deleted_and_counted_once(tmp_path, task, stored, expect):
    good = GOOD[task] if expect is None or task != "t" else {str: "x", list[str]: ["a"]}.get(expect, "y")
    cache = Cache(tmp_path)
    cache.put_many(task, {"bad": good, "good": good})
    cache._db.execute("UPDATE results SET value = ? WHERE key = 'bad'", (stored,))
    cache._db.commit()
    cache.close()

    again = Cache(tmp_path)
    assert again.get_many(["bad", "good"], expect=expect) == {"good": good}
    assert (again.hits, again.misses, again.repaired) == (1, 1, 1)
    assert again.get_many(["bad"], expect=expect) == {}
    assert again.repaired == 1  # counted once
    with sqlite3.connect(tmp_path / "cache.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM results WHERE key = 'bad'").fetchone()[0] == 0  # deleted
    again.put_many(task, {"bad": good})  # recomputed
    assert again.get_many(["bad"], expect=expect) == {"bad": good}


def test_damaged_rows_warn_once(tmp_path, caplog):
    caplog.set_level(logging.WARNING)  # a CLI test before may have left the root logger at ERROR
    cache = Cache(tmp_path)
    cache.put_many("translate:nl-en", {f"k{i}": "x" for i in range(5)})
    cache._db.execute("UPDATE results SET value = '123'")
    cache._db.commit()
    assert cache.get_many([f"k{i}" for i in range(5)]) == {}
    assert cache.repaired == 5
    assert caplog.text.count("damaged cache entry") == 1


def test_a_damaged_row_another_run_has_replaced_is_not_deleted(tmp_path):
    cache = Cache(tmp_path)
    cache.put_many("translate:nl-en", {"k": "x"})
    cache._db.execute("UPDATE results SET value = '123'")
    cache._db.commit()
    other = Cache(tmp_path)
    rows = other._db.execute("SELECT key, task, CAST(value AS BLOB) FROM results").fetchall()
    cache.put_many("translate:nl-en", {"k": "fixed"})  # the other run recomputed it between our read and delete
    other._repair("k", rows[0][2], "translate:nl-en: unexpected value")
    assert Cache(tmp_path).get_many(["k"]) == {"k": "fixed"}


# --- a busy cache: writes held in memory, served, flushed later ---------------------------------------------------------


def _hold_lock(directory) -> sqlite3.Connection:
    """Another process's view: a connection holding the write lock until it commits or closes."""
    other = sqlite3.connect(directory / "cache.sqlite3", isolation_level=None, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    return other


def test_locked_cache_holds_writes_serves_them_and_flushes_after_release(tmp_path, caplog):
    caplog.set_level(logging.WARNING)  # a CLI test before may have left the root logger at ERROR
    Cache(tmp_path).close()
    seen: list[int] = []
    cache = Cache(tmp_path, on_busy=seen.append, write_timeout=0.3, flush_timeout=10)
    other = _hold_lock(tmp_path)
    started = time.monotonic()
    for i in range(20):
        put = time.monotonic()
        cache.put_many("translate:nl-en", {f"k{i}": f"v{i}"})
        assert time.monotonic() - put < 1.5  # never blocks the run for long
    cache.remember_fingerprint("/models/a", "stamp", "digest")
    assert time.monotonic() - started < 3
    assert cache.busy and cache.pending == 20
    assert seen[:20] == list(range(1, 21))  # "cache busy" with the number of results held
    assert caplog.text.count("cache is locked by another process") == 1
    assert cache.get_many([f"k{i}" for i in range(20)]) == {f"k{i}": f"v{i}" for i in range(20)}  # nothing lost
    assert cache.fingerprint("/models/a", "stamp") == "digest"
    assert cache.flush(timeout=0.5) == 20  # still locked: still held

    other.execute("ROLLBACK")
    assert cache.flush() == 0
    assert not cache.busy and seen[-1] == 0
    with sqlite3.connect(tmp_path / "cache.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 20
        assert db.execute("SELECT digest FROM fingerprints").fetchone()[0] == "digest"
    cache.close()
    assert Cache(tmp_path).get_many(["k19"]) == {"k19": "v19"}


def test_held_writes_go_out_with_a_later_write_once_the_lock_is_free(tmp_path, monkeypatch):
    monkeypatch.setattr("summarizer.cache.RETRY_EVERY", 0.0)
    Cache(tmp_path).close()
    cache = Cache(tmp_path, write_timeout=0.2)
    other = _hold_lock(tmp_path)
    cache.put_many("summarize", {"a": "A."})
    assert cache.busy
    other.close()
    cache.put_many("summarize", {"b": "B."})
    assert not cache.busy and cache.pending == 0
    assert Cache(tmp_path).get_many(["a", "b"]) == {"a": "A.", "b": "B."}


def test_opening_and_closing_a_locked_cache_never_hangs(tmp_path, caplog):
    caplog.set_level(logging.WARNING)  # a CLI test before may have left the root logger at ERROR
    Cache(tmp_path).close()
    other = _hold_lock(tmp_path)
    started = time.monotonic()
    cache = Cache(tmp_path, write_timeout=0.2)  # opening needs no write once the schema is there
    cache.put_many("summarize", {"a": "A."})
    cache.close(timeout=0.5)
    assert time.monotonic() - started < 3
    assert "1 results not saved" in caplog.text
    other.close()


# --- a read-only cache: used read-only, one warning -----------------------------------------------------------------------

_CHILD = """
import json, sys
from pathlib import Path
from summarizer.cache import Cache
cache = Cache(Path(sys.argv[1]))
found = cache.get_many(["k"])
cache.put_many("translate:nl-en", {"new": "nieuw"})
cache.remember_fingerprint("/m", "s", "d")
print(json.dumps({"read_only": cache.read_only, "found": found, "held": cache.get_many(["new"]),
                  "fingerprint": cache.fingerprint("/m", "s")}))
cache.close()
"""


@pytest.mark.parametrize("case", ["file", "folder", "both", "empty-folder"])
def test_unwritable_cache_is_used_read_only(tmp_path, case):
    from test_bad_input import _no_dac_override

    directory = tmp_path / "cache"
    directory.mkdir()
    if case != "empty-folder":
        cache = Cache(directory)
        cache.put_many("translate:nl-en", {"k": "v"})
        cache.close()
    before = (directory / "cache.sqlite3").read_bytes() if case != "empty-folder" else None
    if case in ("file", "both"):
        (directory / "cache.sqlite3").chmod(0o444)
    if case in ("folder", "both", "empty-folder"):
        directory.chmod(0o555)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(directory)], capture_output=True, text=True, env=env,
                          preexec_fn=_no_dac_override if os.geteuid() == 0 else None, timeout=60)
    directory.chmod(0o755)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout)
    assert result["read_only"]
    assert result["found"] == ({} if case == "empty-folder" else {"k": "v"})
    assert result["held"] == {"new": "nieuw"} and result["fingerprint"] == "d"  # new results serve this run
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr  # one warning
    assert "read-only" in proc.stderr or "without a cache file" in proc.stderr
    if before is None:
        assert not list(directory.iterdir())
    else:  # SQLite may leave its -shm index beside a read-only file; the database itself is untouched
        assert (directory / "cache.sqlite3").read_bytes() == before
        assert {p.name for p in directory.iterdir()} <= {"cache.sqlite3", "cache.sqlite3-wal", "cache.sqlite3-shm"}


def test_query_only_connection_is_used_read_only(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.WARNING)  # a CLI test before may have left the root logger at ERROR
    cache = Cache(tmp_path)
    cache.put_many("translate:nl-en", {"k": "v"})
    cache.close()

    def query_only(path, *args, **kwargs):
        db = sqlite3.connect(path, timeout=1)
        db.execute("PRAGMA query_only = 1")
        return db

    monkeypatch.setattr("summarizer.cache._connect", query_only)
    cache = Cache(tmp_path)
    assert cache.get_many(["k"]) == {"k": "v"}
    cache.put_many("translate:nl-en", {"a": "A"})
    cache.put_many("translate:nl-en", {"b": "B"})
    assert cache.read_only and cache.get_many(["a", "b"]) == {"a": "A", "b": "B"}
    cache.close()
    assert caplog.text.count("read-only") == 1


def test_damaged_row_in_a_read_only_cache_is_a_miss_counted_once(tmp_path, monkeypatch):
    cache = Cache(tmp_path)
    cache.put_many("segment:nl", {"k": ["Een zin."]})
    cache._db.execute("UPDATE results SET value = 'not json'")
    cache._db.commit()
    cache.close()
    monkeypatch.setattr("summarizer.cache._connect", lambda path, *a: sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    cache = Cache(tmp_path)
    assert cache.get_many(["k"]) == {} and cache.get_many(["k"]) == {}
    assert cache.repaired == 1 and cache.read_only  # found read-only when deleting the row
    cache.put_many("segment:nl", {"k": ["Een zin."]})
    assert cache.get_many(["k"]) == {"k": ["Een zin."]}


# --- through a run ------------------------------------------------------------------------------------------------------


def test_a_run_recomputes_damaged_rows_instead_of_failing(tmp_path, seed_dir, model_args):
    from typer.testing import CliRunner

    from summarizer.cli.main import app

    src, out, cache_dir = tmp_path / "in", tmp_path / "out", tmp_path / "cache"
    src.mkdir()
    (src / "a.txt").write_bytes((seed_dir / "000_4ec734f60fdfd72d.txt").read_bytes())
    fast = ["--num-beams", "1", "--max-length", "12", "--min-length", "2", "--engine", "torch"]
    args = ["run", str(src), "--out", str(out), "--cache-dir", str(cache_dir), *fast, *model_args]
    runner = CliRunner()
    assert runner.invoke(app, args).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.json")}
    with sqlite3.connect(cache_dir / "cache.sqlite3") as db:
        db.execute("UPDATE results SET value = 'not json' WHERE task = 'segment:nl'")
        db.execute("UPDATE results SET value = '123' WHERE task LIKE 'translate:%'")
        db.execute("UPDATE results SET value = 'null' WHERE task = 'summarize'")

    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "damaged cache entry" in " ".join(result.output.split())
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*.json")} == before  # recomputed, same results
    assert " 0 misses" in runner.invoke(app, args).output  # and stored again
