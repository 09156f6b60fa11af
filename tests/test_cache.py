import sqlite3

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
