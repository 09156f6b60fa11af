"""Which reader reads what: file extensions and content types to readers, and the one entry point that runs them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .document import Document, InputFormatError, RecordError

__all__ = [
    "CONTENT_TYPES",
    "EXTENSIONS",
    "READERS",
    "read_bytes",
    "read_url",
    "reader_for_content_type",
    "reader_for_path",
]

Reader = Callable[..., list[Document | RecordError]]

EXTENSIONS: dict[str, str] = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
    ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".txt": "text",
}
CONTENT_TYPES: dict[str, str] = {
    "text/html": "html", "application/xhtml+xml": "html",
    "application/rss+xml": "feed", "application/atom+xml": "feed", "application/rdf+xml": "feed",
    "application/xml": "feed", "text/xml": "feed",  # ambiguous: sniffed (see reader_for_content_type)
    "application/json": "json", "text/json": "json", "application/feed+json": "json",
    "application/x-ndjson": "jsonl", "application/jsonl": "jsonl", "application/x-jsonlines": "jsonl",
    "application/jsonlines": "jsonl",
    "text/plain": "text",
}
_AMBIGUOUS = frozenset({"application/xml", "text/xml", "text/plain", "application/octet-stream", ""})
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<meta|<title)", re.IGNORECASE | re.DOTALL)
_JSON_LINES = re.compile(rb"\A\s*\{[^\n]*\}\s*\r?\n\s*\{")


def _read_html(raw: bytes, *, url: str | None = None) -> list[Document | RecordError]:
    from .html import read_html

    return [read_html(raw, url=url)]


def _read_feed(raw: bytes, *, url: str | None = None) -> list[Document | RecordError]:
    from .feeds import read_feed

    return read_feed(raw, url=url)


def _read_json(raw: bytes, *, url: str | None = None) -> list[Document | RecordError]:
    from .records import read_json

    return read_json(raw)


def _read_jsonl(raw: bytes, *, url: str | None = None) -> list[Document | RecordError]:
    from .records import read_jsonl

    return read_jsonl(raw)


def _read_text(raw: bytes, *, url: str | None = None) -> list[Document | RecordError]:
    from .plain import read_text

    return [read_text(raw, url=url)]


# Reader name -> function; each imports its heavy dependency (trafilatura, feedparser, lxml) only when called.
READERS: dict[str, Reader] = {
    "html": _read_html, "feed": _read_feed, "json": _read_json, "jsonl": _read_jsonl, "text": _read_text,
}


def reader_for_path(path: Path | str) -> str | None:
    """The reader for a file by its extension (case-insensitive), or None when no reader takes it."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def reader_for_content_type(content_type: str | None, body: bytes) -> str:
    """The reader for a response: by its content type, sniffing the body when the type is missing or ambiguous.

    Raises:
        InputFormatError: a content type no reader takes (an image, a PDF...).
    """
    from .feeds import looks_like_feed

    media = (content_type or "").split(";")[0].strip().lower()
    if media in _AMBIGUOUS or (media == "text/html" and looks_like_feed(body)):
        return _sniff(body, fallback=CONTENT_TYPES.get(media, "text"))
    if media in CONTENT_TYPES:
        return CONTENT_TYPES[media]
    if media.endswith("+xml"):
        return "feed" if looks_like_feed(body) else "html"
    if media.endswith("+json"):
        return "json"
    raise InputFormatError(f"content type {media} is not a page, feed or JSON export; give the URL of the article itself")


def read_bytes(kind: str, raw: bytes, *, url: str | None = None) -> list[Document | RecordError]:
    """Read ``raw`` with the named reader (see READERS): the single entry point for every format.

    Raises:
        InputFormatError: the whole input cannot be read as that format.
        ValueError: ``kind`` names no reader.
    """
    try:
        reader = READERS[kind]
    except KeyError:
        raise ValueError(f"no reader named {kind!r}; choose one of {', '.join(READERS)}") from None
    return reader(raw, url=url)


def read_url(url: str, *, cache_dir: Path | None, timeout: float = 20, max_bytes: int = 5_000_000,
             offline: bool = False) -> list[Document | RecordError]:
    """Fetch a page or feed and read it with the reader its content type (or its body) calls for.

    Raises:
        FetchError: the URL could not be fetched.
        InputFormatError: the response is not a page, feed or JSON export, or holds no article.
    """
    from .fetch import fetch

    fetched = fetch(url, cache_dir=cache_dir, timeout=timeout, max_bytes=max_bytes, offline=offline)
    kind = reader_for_content_type(fetched.content_type, fetched.body)
    return read_bytes(kind, fetched.body, url=fetched.url)


def _sniff(body: bytes, *, fallback: str) -> str:
    """Guess the reader from the first bytes: a feed, an HTML page, JSON Lines, JSON, else ``fallback``."""
    from .feeds import looks_like_feed

    head = body[:4096].lstrip(b"\xef\xbb\xbf")
    if looks_like_feed(head):
        return "feed"
    if _HTML_START.match(head):
        return "html"
    if _JSON_LINES.match(head):
        return "jsonl"
    if head.lstrip()[:1] in (b"{", b"["):
        return "json"
    return fallback
