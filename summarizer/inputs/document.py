"""What every reader returns: one article as its format gives it, a per-record error, or a whole-file error."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["FIELDS", "ORIGINS", "Document", "InputFormatError", "RecordError"]

ORIGINS = ("html", "feed", "json", "jsonl", "text")
FIELDS = ("title", "published", "time", "author", "url", "site")  # the metadata a source may provide


class InputFormatError(Exception):
    """A whole file or response cannot be read as the format it was taken for; the message names the cause and a fix."""


@dataclass(frozen=True)
class Document:
    """One article as its format gives it, before sentence segmentation."""

    text: str  # plain text, paragraphs separated by one blank line, no markup or page furniture
    origin: str  # one of ORIGINS: which reader made it
    title: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    time: str | None = None  # HH:MM, as the source wrote it (its own time zone)
    author: str | None = None  # several authors joined with ", "
    url: str | None = None  # http/https only
    site: str | None = None  # publisher or source name
    provided: tuple[str, ...] = ()  # which FIELDS the source itself gave (the rest are absent or inferred)
    part: str | None = None  # position within its file ("3" = the 4th record or entry); None for one-article files

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise ValueError(f"origin {self.origin!r} is not one of {', '.join(ORIGINS)}")
        if self.url is not None and urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"url {self.url!r} is not an http or https URL")
        unknown = set(self.provided) - set(FIELDS)
        if unknown:
            raise ValueError(f"provided names unknown fields: {', '.join(sorted(unknown))}")


@dataclass(frozen=True)
class RecordError:
    """One record or entry that cannot become an article while the rest of its file can."""

    part: str | None  # position within its file, as in Document.part
    problem: str  # one line: what is wrong and, where it helps, how to fix it

    def __str__(self) -> str:
        return f"record {self.part}: {self.problem}" if self.part is not None else self.problem
