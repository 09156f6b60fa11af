"""Finding and reading input articles: decoding, the ` date YYYY-MM ` header, headline, sentences."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ArticleError, UsageError
from .decoding import Decoded, NotText, decode_bytes
from .document import Document
from .segment import split_sentences
from .structure import Dropped, analyse

__all__ = ["Article", "find_articles", "read_article", "parse_article", "decode", "decode_article", "MAX_BYTES"]

log = logging.getLogger(__name__)

_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*")
# Largest article read by default: ~15,000 Dutch words, several times the longest news long-read
# and minutes of CPU time with the real models; bigger files are almost always dumps or logs.
MAX_BYTES = 100_000


@dataclass(frozen=True)
class Article:
    """One input article, segmented and ready to translate."""

    path: Path  # as found on disk
    name: str  # path relative to the input folder, used to name the outputs
    sha256: str  # of the raw bytes
    date: str | None  # from the ` date YYYY-MM ` header
    title: str | None  # Dutch headline, when the text starts with one
    paragraphs: tuple[tuple[str, ...], ...]  # Dutch sentences, per paragraph
    dateline: str | None = None  # as written, e.g. "27 mei 2018" (see summarizer/structure.py)
    published: str | None = None  # ISO date of the dateline
    time: str | None = None  # HH:MM
    source: str | None = None  # news agency, e.g. "Belga"
    byline: str | None = None
    intertitles: tuple[tuple[int, str], ...] = ()  # (index of the paragraph it precedes, Dutch text)
    dropped: tuple[Dropped, ...] = ()  # boilerplate lines left out, with reasons
    decode_warnings: tuple[str, ...] = ()  # repairs made while decoding the bytes, with byte offsets
    part: str | None = None  # position within a multi-article file (feed entry, JSON record); None for one article
    origin: str = "text"  # the reader that made it: text, html, feed, json, jsonl (summarizer.inputs.document.ORIGINS)
    url: str | None = None  # the article's own address, when the source gives it (http/https only)
    site: str | None = None  # the publisher or site, when the source gives it
    provided: tuple[str, ...] = ()  # the metadata fields the source itself gave (title, published, author, url...)

    @property
    def sentences(self) -> list[str]:
        """Every body sentence, in order."""
        return [s for p in self.paragraphs for s in p]


def find_articles(*roots: Path | str, follow_symlinks: bool = False) -> list[tuple[Path, str]]:
    """Every ``*.txt`` under each root (a folder, a file or a glob pattern) as (path, name), sorted by name.

    Names are relative to the folder that all roots share, so one folder gives names
    relative to it, one file gives its file name, and several folders keep theirs apart.
    A thin wrapper over ``summarizer.inputs.discovery.discover`` (text files only); what it refuses
    or skips (links out of the input, pipes, hidden and unreadable folders) is logged as a warning.
    """
    from .discovery import discover

    for spec in roots:
        if re.match(r"https?://", str(spec), re.IGNORECASE):
            raise UsageError(f"{spec}: URLs are not read here; use summarizer.inputs.discovery.discover")
    found = discover([str(spec) for spec in roots], follow_symlinks=follow_symlinks, kinds=("text",))
    # Pipes, devices and dangling links go on to read_article, which fails each with its reason without opening it;
    # regular files behind a refused link (outside the input, under /proc) are only named here.
    unopened = [(r.path, r.name) for r in found.refused if not _regular(r.path)]
    for problem in (*(r for r in found.refused if _regular(r.path)), *found.skipped):
        log.warning("%s", problem)
    named = [(item.path, item.name) for item in found.found if item.path is not None]
    return sorted(named + unopened, key=lambda item: item[1])


def _regular(path: Path) -> bool:
    """True when ``path`` (links followed) is a regular file."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def decode(raw: bytes, path: Path) -> str:
    """Decode article bytes (see summarizer/inputs/decoding.py); repairs are logged as warnings naming the file."""
    return decode_article(raw, path).text


def decode_article(raw: bytes, path: Path) -> Decoded:
    """Decode article bytes: the text, the encoding and the repairs made (each also logged with the path)."""
    try:
        decoded = decode_bytes(raw)
    except NotText as exc:
        raise ArticleError(path, exc.problem) from exc
    for warning in decoded.warnings:
        log.warning("%s: %s", path, warning)
    return decoded


Splitter = Callable[[list[str]], list[list[str]]]


def split_dutch(paragraphs: list[str]) -> list[list[str]]:
    """Each paragraph's Dutch sentences."""
    return [split_sentences(p, "nl") for p in paragraphs]


def parse_article(text: str, *, path: Path, name: str, sha256: str, split: Splitter = split_dutch) -> Article:
    """Split raw article text into header date, optional headline and sentences (``split`` segments paragraphs)."""
    date = None
    header = _HEADER.match(text)
    if header:
        date = header.group(1)
        text = text[header.end():]
    layout = analyse(text)  # headline, dateline, source, intertitles and boilerplate come out here
    segmented = tuple(tuple(sentences) for sentences in split(list(layout.paragraphs)))
    if not any(segmented):
        raise ArticleError(path, "no article text (empty, or only a header)")
    return Article(
        path=path, name=name, sha256=sha256, date=date, title=layout.headline, paragraphs=segmented,
        dateline=layout.dateline, published=layout.published, time=layout.time, source=layout.source,
        byline=layout.byline, intertitles=layout.intertitles, dropped=layout.dropped,
    )


def parse_document(document: Document, *, path: Path, name: str, sha256: str, split: Splitter = split_dutch,
                   max_bytes: int | None = MAX_BYTES) -> Article:
    """An article from what a reader extracted (HTML, feed entry, JSON record): the source's metadata wins.

    The plain-text rules still drop furniture and find datelines, bylines and intertitles, but only
    fill what the source did not give; ``max_bytes`` limits the extracted text.
    """
    size = len(document.text.encode("utf-8"))
    if max_bytes is not None and size > max_bytes:
        raise ArticleError(path, f"article text is {size:,} bytes, over the limit of {max_bytes:,} (--max-bytes); raise the limit")
    layout = analyse(document.text, find_headline=document.title is None)
    segmented = tuple(tuple(sentences) for sentences in split(list(layout.paragraphs)))
    if not any(segmented):
        raise ArticleError(path, "no article text")
    return Article(
        path=path, name=name, sha256=sha256, date=None, title=document.title or layout.headline, paragraphs=segmented,
        dateline=layout.dateline, published=document.published or layout.published,
        time=document.time or (layout.time if not document.published else None), source=layout.source,
        byline=document.author or layout.byline, intertitles=layout.intertitles, dropped=layout.dropped,
        part=document.part, origin=document.origin, url=document.url, site=document.site, provided=document.provided,
    )


def read_article(path: Path, name: str, *, max_bytes: int | None = MAX_BYTES, split: Splitter = split_dutch) -> Article:
    """Read, decode and segment one article file; files over ``max_bytes`` are refused unread."""
    raw = read_bounded(path, max_bytes)
    decoded = decode_article(raw, path)
    article = parse_article(decoded.text, path=path, name=name, sha256=hashlib.sha256(raw).hexdigest(), split=split)
    return replace(article, decode_warnings=decoded.warnings)


def read_bounded(path: Path, max_bytes: int | None) -> bytes:
    """The file's bytes, never more than ``max_bytes`` + 1 in memory; special files are refused, not opened."""
    if path.is_symlink() and not path.exists():
        raise ArticleError(path, f"dangling symbolic link (target {os.readlink(path)} does not exist)")
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ArticleError(path, f"cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(mode):
        raise ArticleError(path, "not a regular file (a folder, pipe or device)")
    try:
        with path.open("rb") as fh:
            raw = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    except OSError as exc:
        raise ArticleError(path, f"cannot read: {exc.strerror or exc}") from exc
    if max_bytes is not None and len(raw) > max_bytes:
        size = path.stat().st_size
        raise ArticleError(
            path, f"file is {size:,} bytes, over the limit of {max_bytes:,} (--max-bytes); split it into articles or raise the limit"
        )
    return raw
