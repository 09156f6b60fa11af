"""What a run reads: every input found and vetted, multi-article files and URLs opened up front, every output planned.

Plain-text files and saved pages hold one article each and are read window by window
(bounded memory). Feeds, JSON exports and URLs are opened here, because only their
contents say how many articles they hold, and every article needs its output name
before anything is written: `plan_outputs` checks the whole batch for collisions first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ArticleError, UsageError
from ..inputs.articles import Article, Splitter, parse_document, read_article, read_bounded
from ..inputs.discovery import Found, discover
from ..inputs.document import Document, InputFormatError, RecordError
from ..inputs.fetch import FetchError, fetch
from ..inputs.kinds import EXTENSIONS, read_bytes, reader_for_content_type
from ..outputs.paths import Plan, plan_outputs
from ..outputs.writers import WRITERS
from .options import RunOptions, RunReport

__all__ = ["Unit", "Intake", "take_in", "load", "RAW_LIMIT"]

RAW_LIMIT = 20_000_000  # bytes of a page, feed or export read at most; --max-bytes limits each article's text
_ONE_PER_FILE = ("text", "html")  # read in their window, not up front


@dataclass(frozen=True)
class Unit:
    """One article to produce: the input it comes from, its position there, and what was already read of it."""

    found: Found
    part: str | None = None  # position within a multi-article file or response; None for one article
    document: Document | None = None  # read up front (feed entry, record, fetched page); None: read the file later
    sha256: str = ""  # of the raw bytes it came from, when read up front

    @property
    def key(self) -> str:
        """The name the run reports it under: the input's name, plus `#<part>` for one of several articles."""
        return self.found.name if self.part is None else f"{self.found.name}#{self.part}"

    @property
    def location(self) -> Path | str:
        """The file it was read from, or the URL."""
        return self.found.path or self.found.url or self.found.name


@dataclass(frozen=True)
class Intake:
    """The articles of a run and where each one's outputs go."""

    units: list[Unit]
    plan: Plan

    def paths(self, unit: Unit) -> dict[str, Path]:
        """The output files of one article, by suffix."""
        return self.plan.paths(unit.found.name, unit.part)


def take_in(specs: list[str], options: RunOptions, report: RunReport, *, web_cache: Path | None) -> Intake:
    """Find, vet and open the inputs and plan every output; what cannot be read or placed is recorded in ``report``.

    Raises UsageError when a spec names nothing, or when nothing at all was found.
    """
    discovery = discover(specs, follow_symlinks=options.follow_symlinks)
    report.failed.update({r.name or str(r.path): r.reason for r in discovery.refused})
    report.skipped.update({s.name or str(s.path): s.reason for s in discovery.skipped})
    report.ignored += len(discovery.ignored)
    units: list[Unit] = []
    for found in discovery.found:
        if found.kind in _ONE_PER_FILE:
            units.append(Unit(found))
            continue
        try:
            documents, sha256 = _open(found, options, web_cache)
        except (InputFormatError, FetchError, ArticleError, ValueError) as exc:
            report.failed[found.name] = _problem(exc)
            continue
        for document in documents:
            if isinstance(document, RecordError):
                report.failed[Unit(found, document.part).key] = document.problem
            else:
                units.append(Unit(found, document.part, document, sha256))
    if not units and not report.failed:
        kinds = ", ".join(sorted(EXTENSIONS))
        raise UsageError(f"{', '.join(specs)}: no articles found (read: {kinds} files and http(s) URLs)")
    plan = plan_outputs([(u.found.name, u.part) for u in units], options.out_dir, suffixes=tuple(WRITERS))
    for unit in units:
        error = plan.errors.get((unit.found.name, unit.part))
        if error is not None:
            report.failed[unit.key] = error.problem
    return Intake([u for u in units if (u.found.name, u.part) in plan.planned], plan)


def load(unit: Unit, options: RunOptions, split: Splitter) -> Article:
    """The article of one unit, read, decoded and segmented; raises ArticleError with a one-line problem."""
    if unit.document is not None:
        return parse_document(unit.document, path=_path(unit), name=unit.key, sha256=unit.sha256, split=split,
                              max_bytes=options.max_bytes)
    assert unit.found.path is not None
    if unit.found.kind == "html":
        raw = read_bounded(unit.found.path, RAW_LIMIT)
        try:
            documents = read_bytes("html", raw)
        except InputFormatError as exc:
            raise ArticleError(unit.found.path, str(exc)) from exc
        document = next(d for d in documents if isinstance(d, Document))
        return parse_document(document, path=unit.found.path, name=unit.key, sha256=hashlib.sha256(raw).hexdigest(),
                              split=split, max_bytes=options.max_bytes)
    return read_article(unit.found.path, unit.found.name, max_bytes=options.max_bytes, split=split)


def _open(found: Found, options: RunOptions, web_cache: Path | None) -> tuple[list[Document | RecordError], str]:
    """Every document of a feed, export or URL, and the sha256 of the bytes they came from."""
    if found.url is not None:
        fetched = fetch(found.url, cache_dir=web_cache, max_bytes=RAW_LIMIT, offline=not options.allow_download)
        kind = reader_for_content_type(fetched.content_type, fetched.body)
        return read_bytes(kind, fetched.body, url=fetched.url), hashlib.sha256(fetched.body).hexdigest()
    assert found.path is not None
    raw = read_bounded(found.path, RAW_LIMIT)
    return read_bytes(found.kind, raw), hashlib.sha256(raw).hexdigest()


def _path(unit: Unit) -> Path:
    return unit.found.path if unit.found.path is not None else Path(unit.found.name)


def _problem(exc: Exception) -> str:
    if isinstance(exc, ArticleError):
        return exc.problem
    if isinstance(exc, FetchError):
        return exc.problem
    return str(exc)
