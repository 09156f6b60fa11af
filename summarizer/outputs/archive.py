"""The archive: every article and story record in ``out/``, read one file at a time into small entries for the index.

A run writes into the same ``out/`` day after day, so the index is built from what is on disk, not from
what the run has in memory. Each record is parsed, reduced to an entry (titles, day, summary, links) and
dropped, so ten thousand records cost ten thousand small entries. A file that is not a record of this
schema is skipped with a warning naming it; nothing in ``out/`` can stop the index from being written.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .html import meta_line
from .paths import STORIES_DIR, article_files, story_paths
from .record import SCHEMA, ArticleRecord, Lang, StoryRecord, SummaryPair, display_title, fallback_title, title_text

__all__ = [
    "ArticleEntry", "StoryEntry", "scan_articles", "scan_stories", "read_record", "input_gone", "remove_article",
    "remove_story",
]

log = logging.getLogger(__name__)

_PAIR_KEYS = ("en", "nl", "sources", "unsupported", "unsupported_nl", "loop")  # what the index shows of a summary sentence


@dataclass(frozen=True)
class ArticleEntry:
    """What the index shows of one article record, kept instead of the record."""

    name: str  # the input's name (``source.name``)
    json_path: Path
    titles: tuple[str, str]  # English, Dutch: the headline, else the first sentence shortened, else the name
    day: str | None  # ISO day (or ``YYYY-MM``) of publication
    written_ns: int  # when the record was written (its modification time)
    line: str  # date, time, agency, byline and name, as the article pages show them
    source: str  # the agency, else the site, else ""
    url: str | None
    summary: tuple[SummaryPair, ...]
    new: bool  # written by this run
    gone: bool  # its input file no longer exists

    def title(self, lang: Lang) -> str:
        """The title to show in ``lang``."""
        return self.titles[0 if lang == "en" else 1]

    @property
    def page(self) -> Path:
        """Its translation page."""
        return article_files(self.json_path)["translation.html"]


@dataclass(frozen=True)
class StoryEntry:
    """What the index shows of one story record."""

    id: str
    titles: tuple[str, str]  # English, Dutch
    members: tuple[str, ...]  # article names, oldest first
    day: str | None  # the newest member's day
    sources: tuple[str, ...]  # the members' agencies
    shared: int
    translations_saved: int
    summary: tuple[SummaryPair, ...]
    cited: dict[int, tuple[str, int]]  # story sentence -> (article name, its sentence index), for the cited ones

    def title(self, lang: Lang) -> str:
        """The title to show in ``lang``."""
        return self.titles[0 if lang == "en" else 1]


def scan_articles(out_dir: Path, *, new: frozenset[Path] = frozenset()) -> Iterator[ArticleEntry]:
    """An entry per valid article record under ``out_dir`` (not ``stories/``), in path order; ``new``: records this run wrote."""
    for path in _record_files(out_dir):
        record = read_record(path)
        if record is not None:
            yield _entry(record, path, new=path in new)


def read_record(path: Path) -> ArticleRecord | None:
    """The article record at ``path``, or None (with a warning naming the file) when it is not one this schema reads."""
    data = _load(path)
    if data is None:
        return None
    problem = _record_problem(data)
    if problem:
        log.warning("%s: not an article record (%s); left out of the index", path, problem)
        return None
    record: ArticleRecord = data
    return record


def scan_stories(out_dir: Path) -> Iterator[StoryEntry]:
    """An entry per valid story record in ``out_dir/stories``, in name order."""
    folder = out_dir / STORIES_DIR
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        data = _load(folder / name)
        if data is None:
            continue
        problem = _story_problem(data)
        if problem:
            log.warning("%s: not a story record (%s); left out of the index", folder / name, problem)
            continue
        yield _story_entry(data)


def input_gone(record: ArticleRecord) -> bool:
    """True when the local file the article was read from no longer exists (never for a URL, or a path that cannot tell)."""
    source = record["source"]
    if "file" in source:
        file = source.get("file")
        return file is not None and not os.path.exists(file)
    path = source.get("path") or ""  # records older than the "file" field: only an absolute path can be checked
    return os.path.isabs(path) and not os.path.exists(path)


def remove_article(json_path: Path) -> int:
    """Delete an article's output files (its record first, so that no half-removed article looks complete); how many."""
    return _remove_record_first(article_files(json_path))


def remove_story(out_dir: Path, story_id: str) -> None:
    """Delete a story's files (its record first)."""
    _remove_record_first(story_paths(out_dir, story_id))


def _remove_record_first(files: dict[str, Path]) -> int:
    """Delete the files by suffix, ``json`` first; how many existed."""
    removed = 0
    for suffix in ("json", *(s for s in files if s != "json")):
        try:
            files[suffix].unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def _record_files(out_dir: Path) -> Iterator[Path]:
    """Every ``*.json`` under ``out_dir`` outside ``stories/``, hidden names (temp files) skipped, links not followed."""
    for root, dirs, files in os.walk(out_dir):
        top = Path(root) == out_dir
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (top and d == STORIES_DIR))
        for name in sorted(files):
            if name.endswith(".json") and not name.startswith("."):
                yield Path(root, name)


def _load(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:  # ValueError: bad JSON, bad UTF-8
        log.warning("%s: cannot be read as JSON (%s); left out of the index", path, exc)
        return None


def _record_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "not a JSON object"
    if data.get("schema") != SCHEMA:
        return f"schema {data.get('schema')!r}, this version reads {SCHEMA}"
    source, meta = data.get("source"), data.get("meta")
    if not isinstance(source, dict) or not isinstance(source.get("name"), str):
        return "no source name"
    if not isinstance(meta, dict) or not isinstance(data.get("translation"), list) or not isinstance(data.get("summary"), list):
        return "no meta, translation or summary"
    if not _bilingual(data["summary"]):
        return "a summary sentence without English and Dutch"
    if not _bilingual(data["translation"]):
        return "a sentence without English and Dutch"
    return None


def _story_problem(data: Any) -> str | None:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return "no id"
    try:
        story_paths(Path("."), data["id"])
    except ValueError:
        return "a malformed id"
    articles, sentences, summary = data.get("articles"), data.get("sentences"), data.get("summary")
    if not isinstance(articles, list) or not all(isinstance(a, dict) and isinstance(a.get("name"), str) for a in articles):
        return "no member list"
    if not isinstance(sentences, list) or not all(isinstance(s, dict) for s in sentences):
        return "no sentences"
    if not isinstance(summary, list) or not _bilingual(summary):
        return "no summary"
    return None


def _bilingual(items: list[Any]) -> bool:
    """Whether every item is an object with English and Dutch text (summary and translation sentences)."""
    return all(isinstance(i, dict) and isinstance(i.get("en"), str) and isinstance(i.get("nl"), str) for i in items)


def _pairs(pairs: list[SummaryPair]) -> tuple[SummaryPair, ...]:
    """The summary sentences with only what the index shows (no scores, no coverage)."""
    return tuple({k: p[k] for k in _PAIR_KEYS if k in p} for p in pairs)  # type: ignore[literal-required,misc]


def _entry(record: ArticleRecord, path: Path, *, new: bool) -> ArticleEntry:
    meta = record["meta"]
    try:
        written = path.stat().st_mtime_ns
    except OSError:
        written = 0
    day = meta.get("published") or meta.get("date")
    return ArticleEntry(
        name=record["source"]["name"],
        json_path=path,
        titles=(display_title(record, "en"), display_title(record, "nl")),
        day=day if isinstance(day, str) and day else None,
        written_ns=written,
        line=meta_line(meta, record["source"]["name"]),
        source=meta.get("source") or meta.get("site") or "",
        url=meta.get("url"),
        summary=_pairs(record["summary"]),
        new=new,
        gone=input_gone(record),
    )


def _story_entry(story: StoryRecord) -> StoryEntry:
    members = story["articles"]
    days = [d for a in members if isinstance(d := a.get("date"), str) and d]
    cited = {i for p in story["summary"] for i in p.get("sources", [])}
    sentences = story["sentences"]
    return StoryEntry(
        id=story["id"],
        titles=(_story_title(story, "en"), _story_title(story, "nl")),
        members=tuple(a["name"] for a in members),
        day=max(days) if days else None,
        sources=tuple(sorted({s for a in members if (s := a.get("source"))})),
        shared=len(story.get("shared") or []),
        translations_saved=int(story.get("translations_saved") or 0),
        summary=_pairs(story["summary"]),
        cited={i: (str(sentences[i].get("article")), int(sentences[i].get("index", 0)))
               for i in sorted(cited) if isinstance(i, int) and 0 <= i < len(sentences)},
    )


def _story_title(story: StoryRecord, lang: Lang) -> str:
    """The first member's headline; without one, the story's first sentence shortened, then the first member's name."""
    titles = [t for a in story["articles"] if (t := title_text(a.get("title"), lang))]
    if titles:
        return titles[0]
    first = story["articles"][0]["name"] if story["articles"] else story["id"]
    return fallback_title(str(s.get(lang) or "") for s in story["sentences"]) or first
