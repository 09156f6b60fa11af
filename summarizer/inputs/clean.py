"""Text fields of feeds and records to plain text: HTML fragments unwrapped, whitespace and truncation markers tidied."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

__all__ = ["html_to_text", "looks_like_html", "one_line", "tidy", "to_text", "truncated", "web_url"]

# Elements whose start and end are paragraph breaks; <br> is one too.
_BLOCKS = frozenset((
    "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "figure", "footer", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
))
# Never text: code, styling, embedded media and controls.
_DROP = (
    "//head|//script|//style|//noscript|//template|//iframe|//object|//embed|//svg|//form|//button|//select|"
    "//figcaption|//comment()|//processing-instruction()"
)
_BREAK = "\n\n"
_TAG = re.compile(r"<(?:[a-zA-Z][\w:-]*\b[^<>]*|/[a-zA-Z][\w:-]*\s*)>|<!--|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+\d*);")
_DOCUMENT = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype|<html)", re.IGNORECASE)
_BLANK = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")
# Trailing pieces of a teaser or a truncated text: NewsAPI's "[+1234 chars]", "[…]", a bare "Lees verder".
_TRUNCATED = re.compile(r"\s*(?:\[\+\d+\s*char(?:acter)?s?\]|\[(?:…|\.\.\.)\])\s*$", re.IGNORECASE)
# A read-more link stands alone or after a finished sentence, never inside one ("wie wil er meer lezen").
_READ_MORE = re.compile(
    r"(?:^|(?<=[.!?…\"”'’)\]]))\s*(?:»|›|>|→|\|)?\s*"
    r"(?:lees\s+(?:verder|meer|het\s+hele\s+artikel)|verder\s+lezen|meer\s+lezen|read\s+more|continue\s+reading)\b"
    r"\s*(?:»|›|>|→|\.{3}|…)?\s*$",
    re.IGNORECASE,
)
_APPEARED_FIRST = re.compile(r"^(?:the post .+ appeared first on .+|het bericht .+ verscheen eerst op .+)$", re.IGNORECASE)


def to_text(value: str) -> str:
    """A text field, HTML or plain, as tidy plain text with paragraphs separated by one blank line."""
    return tidy(html_to_text(value) if looks_like_html(value) else _plain(value))


def looks_like_html(value: str) -> bool:
    """True when the string holds tags or character references."""
    return bool(_TAG.search(value))


def html_to_text(fragment: str) -> str:
    """An HTML fragment or page as plain text: block elements and ``<br>`` become paragraph breaks, entities decoded."""
    import lxml.html  # type: ignore[import-untyped]
    from lxml import etree  # type: ignore[import-untyped]

    if not fragment.strip():
        return ""
    try:
        if _DOCUMENT.match(fragment):
            root = lxml.html.document_fromstring(fragment)
        else:
            root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return html.unescape(re.sub(r"<[^>]*>", " ", fragment))
    for element in root.xpath(_DROP):
        element.drop_tree()  # keeps the text that follows it
    chunks: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag in _BLOCKS or tag == "br":
                chunks.append(_BREAK)
            if element.text:
                chunks.append(element.text)
        else:
            if tag in _BLOCKS:
                chunks.append(_BREAK)
            if element.tail and element is not root:
                chunks.append(element.tail)
    return "".join(chunks)


def tidy(text: str) -> str:
    """Collapse whitespace within paragraphs, drop empty ones and strip trailing read-more links and truncation markers."""
    paragraphs = [_SPACE.sub(" ", p).strip() for p in _BLANK.split(text)]
    paragraphs = [p for p in paragraphs if p]
    while paragraphs:
        last = _without_tail(paragraphs[-1])
        if last and not _APPEARED_FIRST.match(last):
            paragraphs[-1] = last
            break
        paragraphs.pop()
    return "\n\n".join(paragraphs)


def truncated(value: str) -> bool:
    """True when a text field ends in a truncation marker such as NewsAPI's ``[+1234 chars]`` or ``[…]``."""
    return bool(_TRUNCATED.search(value))


def web_url(value: object) -> str | None:
    """The value as an http/https URL, or None for anything else (other schemes, no host, not a string)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc and not _SPACE.search(value) else None


def one_line(value: object) -> str | None:
    """A short metadata value (title, author, site) as one line of plain text, or None when empty."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value)
    if looks_like_html(text):
        text = html_to_text(text)
    text = _SPACE.sub(" ", text).strip()
    return text or None


def _without_tail(paragraph: str) -> str:
    """The paragraph without trailing read-more links and truncation markers, however they are stacked."""
    while True:
        shorter = _READ_MORE.sub("", _TRUNCATED.sub("", paragraph)).strip()
        if shorter == paragraph:
            return paragraph
        paragraph = shorter


def _plain(text: str) -> str:
    """Plain text: blank lines separate paragraphs; without any, every line is a paragraph."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if _BLANK.search(text) else text.replace("\n", _BREAK)
