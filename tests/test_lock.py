import pytest

from summarizer.errors import LockError
from summarizer.models.lock import ModelPin, read_lock, write_lock

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_repo_lock_parses_and_names_every_role(repo_root):
    lock = read_lock(repo_root / "models.lock")
    assert set(lock.pins) == {"nl-en", "summarizer", "en-nl"}
    assert lock.pin("nl-en").id == "Helsinki-NLP/opus-mt-nl-en"
    assert lock.pin("summarizer").id == "sshleifer/distilbart-cnn-12-6"


def test_missing_lock_means_default_ids_unpinned(tmp_path):
    pin = read_lock(tmp_path / "none.lock").pin("en-nl")
    assert pin.id == "Helsinki-NLP/opus-mt-en-nl" and not pin.pinned


def test_round_trip_keeps_commit_and_hashes(tmp_path):
    path = tmp_path / "models.lock"
    write_lock(path, {"nl-en": ModelPin("nl-en", "a/b", COMMIT, {"config.json": "ab" * 32})})
    pin = read_lock(path).pin("nl-en")
    assert pin.pinned and pin.revision == COMMIT and pin.files == {"config.json": "ab" * 32}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 1\n[models.nl-en\n", "not valid TOML"),
        ("version = 7\n", "unsupported lock version"),
        ('version = 1\n[models.nl-en]\nrevision = "main"\n', "needs id"),
        ('version = 1\n[models.nl-en]\nid = "a/b"\nrevision = "v1.0"\n', "neither a full 40-hex commit"),
        ('version = 1\n[models.xx]\nid = "a/b"\n', "unknown role"),
        ('version = 1\n[models.nl-en]\nid = "a/b"\nfiles = 3\n', "must map file names"),
    ],
)
def test_malformed_lock_names_the_file_and_problem(tmp_path, text, message):
    path = tmp_path / "models.lock"
    path.write_text(text)
    with pytest.raises(LockError, match=message) as info:
        read_lock(path)
    assert str(path) in str(info.value)
