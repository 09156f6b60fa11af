"""The article and story records: their typed shape, the schema version, and the helpers every reader of them uses.

An article record is what `out/<name>.json` holds. Two fields are easy to confuse:
``source`` is the input file the article came from (path, name, sha256), while
``meta.source`` is the news agency named in the text (Belga, ANP); code reads the latter
through `agency()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, TypedDict

__all__ = [
    "SCHEMA",
    "ArticleRecord",
    "StoryRecord",
    "StoryMember",
    "SummaryPair",
    "Sentence",
    "Span",
    "Meta",
    "ArticleDigest",
    "title",
    "title_text",
    "fallback_title",
    "TITLE_MAX_CHARS",
    "display_title",
    "day",
    "day_as_date",
    "agency",
    "flag_key",
    "flags",
]

SCHEMA = 1  # the "schema" key of every article record; bump when a field changes meaning or shape

Lang = Literal["en", "nl"]


class SourceFile(TypedDict):
    """The input the article was read from."""

    path: str
    name: str  # path relative to the input folder: names the outputs
    sha256: str
    decode_warnings: list[str]  # what decoding had to repair (bad bytes, NULs), with byte offsets


class Title(TypedDict):
    """The headline in Dutch and its English translation."""

    nl: str
    en: str | None


class Section(TypedDict):
    """An intertitle: a section break before a paragraph, translated, never summarized."""

    paragraph: int
    nl: str
    en: str | None


class DateMention(TypedDict):
    """A date in a sentence, resolved to ISO when the article's own date allows."""

    sentence: int
    text: str
    iso: str
    why: str


class Meta(TypedDict):
    """What the article says about itself besides its story text."""

    date: str | None  # from the ` date YYYY-MM ` header
    title: Title | None
    dateline: str | None
    published: str | None  # ISO date of the dateline
    time: str | None
    source: str | None  # the news agency (Belga, ANP): see agency()
    byline: str | None  # the author(s)
    sections: list[Section]
    dates: list[DateMention]
    url: str | None  # the article's own address, when the source gives it (http/https only)
    site: str | None  # the publisher or site, when the source gives it
    origin: str  # how it was read: text, html, feed, json, jsonl
    provided: list[str]  # the metadata fields the source itself gave (the rest come from the text, or are absent)


class Sentence(TypedDict):
    """One source sentence and its translation."""

    paragraph: int
    nl: str
    en: str
    loop: str | None  # how the translation still loops after its retry, if it does


class Span(TypedDict):
    """A number, date, time or name of a summary sentence that the fact check looked up."""

    text: str
    kind: str
    start: int
    end: int


class SummaryPair(TypedDict, total=False):
    """One summary sentence in English and Dutch, with provenance and fact-check flags."""

    en: str
    nl: str
    loop: str | None
    sources: list[int]  # indices into the record's translation, best first
    scores: list[float]
    coverage: float
    match: str
    unsupported: list[Span]  # English spans found nowhere in the article
    elsewhere: list[Span]  # English spans found in the article but not in the cited sources
    unsupported_nl: list[Span]


class ModelRef(TypedDict):
    """A role's model as the run used it."""

    id: str
    revision: str
    compute: str


class DroppedLine(TypedDict):
    """A line left out of the story, and why."""

    text: str
    reason: str


class ArticleRecord(TypedDict):
    """Everything about one article: `out/<name>.json`."""

    schema: int
    source: SourceFile
    meta: Meta
    translation: list[Sentence]
    dropped: list[DroppedLine]
    summary: list[SummaryPair]
    summary_loop: str | None
    models: dict[str, ModelRef]
    settings: dict[str, dict[str, Any]]
    signature: str


class StoryMember(TypedDict):
    """One article of a story, as the story lists it."""

    name: str
    title: Title | None
    date: str | None
    source: str | None  # the news agency, as meta.source
    byline: str | None
    sentences: int
    adds: list[int]  # indices into the story's sentences that only this article has


class StoryRecord(TypedDict):
    """A story: articles about one event, their shared wire copy kept once, one digest: `out/stories/<id>.json`."""

    id: str
    articles: list[StoryMember]
    similarity: list[list[float]]
    sentences: list[dict[str, Any]]
    shared: list[dict[str, Any]]
    shared_paragraphs: int
    translations_saved: int
    summary: list[SummaryPair]


TITLE_MAX_CHARS = 80  # a title made from the first sentence is cut to this length


def fallback_title(sentences: Iterable[str], *, limit: int = TITLE_MAX_CHARS) -> str:
    """The first sentence as a display title for an article without a headline, cut at a word boundary with ``…``."""
    first = next((s.strip() for s in sentences if s and s.strip()), "")
    if len(first) <= limit:
        return first[:-1] if first.endswith(".") and not first.endswith("..") else first
    cut = first[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…"


def title_text(headline: Title | None, lang: Lang) -> str | None:
    """A headline in ``lang``, if there is one."""
    return headline[lang] if headline else None


def title(record: ArticleRecord, lang: Lang) -> str | None:
    """The article's headline in ``lang``, if it has one."""
    return title_text(record["meta"].get("title"), lang)


def display_title(record: ArticleRecord, lang: Lang) -> str:
    """The headline in ``lang``; without one, the first sentence shortened (`meta.title` stays null), then the input's name."""
    return title(record, lang) or fallback_title(t[lang] for t in record["translation"]) or record["source"]["name"]


def day(record: ArticleRecord | StoryMember) -> str | None:
    """The article's date as written in `meta`: the dateline's ISO date, else the header's `YYYY-MM`."""
    if "meta" in record:
        meta = record["meta"]  # type: ignore[typeddict-item]
        return meta.get("published") or meta.get("date")
    return record.get("date")  # type: ignore[return-value]


def day_as_date(record: ArticleRecord) -> date | None:
    """The article's day, when it is known to the day."""
    value = day(record) or ""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def agency(record: ArticleRecord) -> str | None:
    """The news agency the article names (`meta.source`), not the input file (`source`)."""
    return record["meta"].get("source")


def flag_key(lang: Lang) -> Literal["unsupported", "unsupported_nl"]:
    """The field of a summary pair that lists the spans unsupported in ``lang``."""
    return "unsupported" if lang == "en" else "unsupported_nl"


def flags(pair: SummaryPair, lang: Lang) -> list[Span]:
    """The spans of a summary sentence in ``lang`` found nowhere in the article."""
    return pair.get(flag_key(lang)) or []


@dataclass(frozen=True)
class ArticleDigest:
    """What the index needs of a written article, kept in memory instead of re-reading its JSON."""

    name: str
    json_path: Path
    record_title: Title | None
    meta: Meta
    summary: tuple[SummaryPair, ...]
    sources_en: dict[int, str]  # English text of each cited source sentence
    titles: dict[str, str]  # lang -> the title to show: the headline, else the first sentence shortened, else the name

    @classmethod
    def of(cls, record: ArticleRecord, json_path: Path) -> ArticleDigest:
        """The digest of a record written at ``json_path``."""
        cited = {i for pair in record["summary"] for i in pair.get("sources", [])}
        english = record["translation"]
        return cls(
            name=record["source"]["name"],
            json_path=json_path,
            record_title=record["meta"].get("title"),
            meta=record["meta"],
            summary=tuple(record["summary"]),
            sources_en={i: english[i]["en"] for i in sorted(cited) if i < len(english)},
            titles={lang: display_title(record, lang) for lang in ("en", "nl")},
        )
