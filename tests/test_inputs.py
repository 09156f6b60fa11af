"""Inputs named as several folders, files and glob patterns."""

from __future__ import annotations

import pytest

from summarizer.inputs.articles import find_articles
from summarizer.errors import UsageError


@pytest.fixture()
def archive(tmp_path):
    for name in ("2018/a.txt", "2018/deep/b.txt", "2019/a.txt", "2019/notes.md"):
        path = tmp_path / "archive" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Een zin.\n")
    return tmp_path / "archive"


def names(found):
    return [name for _, name in found]


def test_one_folder_names_are_relative_to_it(archive):
    assert names(find_articles(archive / "2018")) == ["a.txt", "deep/b.txt"]


def test_one_file_is_named_by_its_file_name(archive):
    assert names(find_articles(archive / "2019" / "a.txt")) == ["a.txt"]


def test_several_folders_keep_their_names_apart(archive):
    found = find_articles(archive / "2018", archive / "2019")
    assert names(found) == ["2018/a.txt", "2018/deep/b.txt", "2019/a.txt"]
    assert all(path.is_file() for path, _ in found)


def test_glob_patterns_and_duplicates(archive):
    assert names(find_articles(str(archive / "*" / "a.txt"))) == ["2018/a.txt", "2019/a.txt"]
    assert names(find_articles(str(archive / "**" / "*.txt"), archive / "2018")) == [
        "2018/a.txt", "2018/deep/b.txt", "2019/a.txt"
    ]


@pytest.mark.parametrize("spec", ["missing", "*.nothing"])
def test_nothing_there_is_a_usage_error(archive, spec):
    with pytest.raises(UsageError, match="no"):
        find_articles(str(archive / spec))
