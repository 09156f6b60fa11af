"""RSS 0.9x/1.0/2.0 and Atom feeds: every entry an article, read with feedparser."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from .clean import one_line, tidy, to_text, web_url
from .timestamps import iso_date_time
from .document import Document, InputFormatError, RecordError

__all__ = ["looks_like_feed", "read_feed"]

log = logging.getLogger(__name__)

_SNIFF_BYTES = 4096
# Skipped before the root element: BOM, whitespace, XML declaration, processing instructions, comments, doctype.
_PROLOGUE = re.compile(r"(?:\ufeff|\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(r"<(?:[\w.-]+:)?(rss|feed|RDF)[\s>/]", re.IGNORECASE)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def looks_like_feed(raw: bytes) -> bool:
    """True when the bytes start (after the XML prologue) with an ``<rss>``, Atom ``<feed>`` or RSS 1.0 ``<rdf:RDF>``."""
    head = _head(raw)
    prologue = _PROLOGUE.match(head)
    return bool(_ROOT.match(head, prologue.end() if prologue else 0))


def read_feed(raw: bytes, *, url: str | None = None) -> list[Document | RecordError]:
    """Every entry of a feed as a Document (origin "feed", ``part`` its position), or a RecordError if it has no text.

    Args:
        raw: the feed's bytes, as saved or fetched.
        url: where the feed came from; relative entry links are resolved against it.

    Raises:
        InputFormatError: the bytes are not an RSS or Atom feed, or it has no entries.
    """
    import feedparser  # type: ignore[import-untyped]

    headers = {"content-type": "application/xml"}  # without one feedparser flags every file as bozo
    base = web_url(url)
    if base:
        headers["content-location"] = base
    parsed = feedparser.parse(io.BytesIO(raw), response_headers=headers)
    problem = parsed.get("bozo_exception")
    if not parsed.get("version"):
        cause = f" ({_first_line(problem)})" if problem else ""
        raise InputFormatError(
            f"not an RSS or Atom feed{cause}; check that the file or URL is the feed itself, not a page that links to it"
        )
    if not parsed.entries:
        raise InputFormatError("the feed has no entries; it may be empty right now, try again later")
    if parsed.get("bozo"):
        log.warning("%s: malformed feed read anyway (%s)", url or "feed", _first_line(problem))
    site = one_line(parsed.feed.get("title"))
    # Atom entries without an author inherit the feed's (RFC 4287 4.2.1); RSS has no such rule.
    author = _authors(parsed.feed) if parsed.version.startswith("atom") else None
    return [_entry(entry, str(i), site, author) for i, entry in enumerate(parsed.entries)]


def _entry(entry: Any, part: str, site: str | None, feed_author: str | None) -> Document | RecordError:
    """One feed entry as a Document, or the reason it cannot be one."""
    text = _content(entry)
    if not text:
        title = one_line(entry.get("title"))
        named = f' ("{title}")' if title else ""
        return RecordError(part, f"entry {part}{named} has no content or summary, only a title or link")
    stamp = entry.get("published") or entry.get("updated")
    published, time = iso_date_time(stamp)
    if published is None:  # a format only feedparser knows: its parsed form, in UTC
        published, time = iso_date_time(entry.get("published_parsed") or entry.get("updated_parsed"))
    source = entry.get("source") or {}
    fields = {
        "title": one_line(entry.get("title")),
        "published": published,
        "time": time,
        "author": _authors(entry) or feed_author,
        "url": web_url(entry.get("link")),
        "site": one_line(source.get("title")) or site,
    }
    return Document(text=text, origin="feed", provided=tuple(k for k, v in fields.items() if v), part=part, **fields)


def _content(entry: Any) -> str:
    """The entry's full content when the feed carries it (``content:encoded``, Atom content), else its summary."""
    contents = entry.get("content") or []
    for wanted in ("text/html", "application/xhtml+xml", "text/plain"):
        for content in contents:
            if content.get("type") == wanted and content.get("value", "").strip():
                text = to_text(content["value"]) if wanted in _HTML_TYPES else tidy(content["value"])
                if text:
                    return text
    summary = entry.get("summary") or ""
    return to_text(summary)


def _authors(entry: Any) -> str | None:  # an entry or the feed itself
    """Author names without e-mail addresses, joined with ", "."""
    found = [one_line(a.get("name")) for a in entry.get("authors") or [] if isinstance(a, dict)]
    if not any(found):
        detail = entry.get("author_detail") or {}
        found = [one_line(detail.get("name")) or one_line(entry.get("author"))]
    return ", ".join(dict.fromkeys(n for n in found if n)) or None


def _head(raw: bytes) -> str:
    """The first bytes as text, enough to find the root element."""
    head = raw[:_SNIFF_BYTES]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, errors="ignore")
    return head.decode("utf-8", errors="ignore")


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
