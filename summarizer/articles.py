"""Finding and reading input articles: decoding, the ` date YYYY-MM ` header, headline, sentences."""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ArticleError, UsageError
from .segment import split_paragraphs, split_sentences

__all__ = ["Article", "find_articles", "read_article", "parse_article", "decode"]

log = logging.getLogger(__name__)

_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*")
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’)]$")
HEADLINE_MAX_WORDS = 20


@dataclass(frozen=True)
class Article:
    """One input article, segmented and ready to translate."""

    path: Path  # as found on disk
    name: str  # path relative to the input folder, used to name the outputs
    sha256: str  # of the raw bytes
    date: str | None  # from the ` date YYYY-MM ` header
    title: str | None  # Dutch headline, when the text starts with one
    paragraphs: tuple[tuple[str, ...], ...]  # Dutch sentences, per paragraph

    @property
    def sentences(self) -> list[str]:
        """Every body sentence, in order."""
        return [s for p in self.paragraphs for s in p]


def find_articles(root: Path) -> list[tuple[Path, str]]:
    """Every ``*.txt`` under ``root`` (or ``root`` itself) as (path, name relative to root), sorted."""
    if not root.exists():
        raise UsageError(f"{root}: no such file or directory")
    if root.is_file():
        return [(root, root.name)]
    found = sorted(p for p in root.rglob("*.txt") if not p.is_dir())
    return [(p, p.relative_to(root).as_posix()) for p in found]


def decode(raw: bytes, path: Path) -> str:
    """Decode article bytes: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252 with a warning."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        raise ArticleError(path, "binary data, not a text article")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: not UTF-8; decoded as Windows-1252", path)
        return raw.decode("cp1252", errors="replace")


def parse_article(text: str, *, path: Path, name: str, sha256: str) -> Article:
    """Split raw article text into header date, optional headline and sentences."""
    date = None
    header = _HEADER.match(text)
    if header:
        date = header.group(1)
        text = text[header.end():]
    paragraphs = split_paragraphs(text)
    title = None
    if len(paragraphs) > 1 and _looks_like_headline(paragraphs[0]):
        title = paragraphs.pop(0)
    segmented = tuple(tuple(split_sentences(p, "nl")) for p in paragraphs)
    segmented = tuple(p for p in segmented if p)
    if not segmented:
        raise ArticleError(path, "no article text (empty, or only a header)")
    return Article(path=path, name=name, sha256=sha256, date=date, title=title, paragraphs=segmented)


def read_article(path: Path, name: str) -> Article:
    """Read, decode and segment one article file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(path, f"cannot read: {exc.strerror or exc}") from exc
    text = decode(raw, path)
    return parse_article(text, path=path, name=name, sha256=hashlib.sha256(raw).hexdigest())


def _looks_like_headline(paragraph: str) -> bool:
    words = paragraph.split()
    return 0 < len(words) <= HEADLINE_MAX_WORDS and not _SENTENCE_END.search(paragraph)
