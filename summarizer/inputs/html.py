"""Saved or fetched HTML pages: the article's text and metadata extracted by trafilatura, page furniture dropped."""

from __future__ import annotations

import json
import logging
from typing import Any

from .clean import one_line, tidy, web_url
from .timestamps import iso_date_time
from .document import Document, InputFormatError

__all__ = ["MIN_TEXT_CHARS", "read_html"]

log = logging.getLogger(__name__)

# JSON-LD types whose datePublished is the article's own (not the site's or a breadcrumb's).
_ARTICLE_TYPES = frozenset((
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle", "LiveBlogPosting", "BlogPosting",
    "SocialMediaPosting",
))
# Less text than this from a whole page is a menu, a login form or a teaser list that extraction fell back to,
# not an article; the shortest news briefs are a few sentences long.
MIN_TEXT_CHARS = 100
_META_DATES = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//*[@itemprop="datePublished"]/@datetime',
)


def read_html(raw: bytes | str, *, url: str | None = None) -> Document:
    """Extract the article of an HTML page: main text (paragraphs as blank-line blocks), title, date, author, site, URL.

    Args:
        raw: the page as bytes (its charset is detected) or text.
        url: where the page came from; used when the page names no canonical URL.

    Returns:
        A Document with origin "html"; ``provided`` lists the fields found in the page itself.

    Raises:
        InputFormatError: the bytes are not an HTML page, or no main text was found in it.
    """
    from trafilatura import bare_extraction, load_html

    url = web_url(url)
    tree = load_html(raw)
    if tree is None:
        raise InputFormatError("not an HTML page (nothing could be parsed); check that the file is a saved web page")
    stamp = _structured_date(tree)  # read before extraction, which prunes the tree
    found: Any = bare_extraction(  # a trafilatura Document, or None
        tree, url=url, with_metadata=True, favor_precision=True, include_comments=False, include_tables=False,
        include_images=False, include_links=False, deduplicate=False,
        date_extraction_params={"extensive_search": True, "original_date": True},
    )
    title = one_line(getattr(found, "title", None))
    text = _body(getattr(found, "text", None) or "", title)
    if len(text) < MIN_TEXT_CHARS:
        raise InputFormatError(
            "no article text found in the page; save the article page itself (not an index, search or login page)"
        )
    published, time = iso_date_time(stamp) if stamp else (None, None)
    if published is None:
        published, _ = iso_date_time(found.date)  # htmldate keeps no time of day
    author = one_line(found.author.replace("; ", ", ") if found.author else None)
    page_url = web_url(found.url)
    site = one_line(found.sitename)
    fields = {
        "title": title, "published": published, "time": time, "author": author,
        "url": page_url if page_url != url else None,  # trafilatura falls back to the URL it was given
        "site": site if site and site != found.hostname else None,  # and to the host name for the site
    }
    return Document(
        text=text, origin="html", title=title, published=published, time=time, author=author,
        url=page_url or url, site=site, provided=tuple(k for k, v in fields.items() if v),
    )


def _body(extracted: str, title: str | None) -> str:
    """trafilatura's text (one line per block) as blank-line paragraphs, without a first line repeating the title."""
    lines = [line.strip() for line in extracted.splitlines() if line.strip()]
    if lines and title and tidy(lines[0]).casefold() == title.casefold():
        lines.pop(0)
    return tidy("\n\n".join(lines))


def _structured_date(tree: Any) -> str | None:
    """The article's datePublished from its JSON-LD or meta tags, as written (with its time of day)."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            log.debug("unreadable JSON-LD block skipped")
            continue
        for node in _nodes(data):
            kinds = node.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & _ARTICLE_TYPES and isinstance(node.get("datePublished"), str):
                return node["datePublished"]
    for xpath in _META_DATES:
        values = tree.xpath(xpath)
        if values and str(values[0]).strip():
            return str(values[0]).strip()
    return None


def _nodes(data: Any) -> list[dict[str, Any]]:
    """Every object in a JSON-LD document, through lists and ``@graph``, depth first."""
    found: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            found.append(item)
            if isinstance(item.get("@graph"), list):
                stack.extend(reversed(item["@graph"]))
    return found
