"""The end of a run: prune outputs whose input is gone, regroup stories across the whole archive, write the index.

Stories are regrouped where this run can change them: the articles it wrote, the archived articles
whose day is close enough to join them (trust.stories.close_days), and the other members of the stories
those belong to. Only those records are read back in full; every other story stays as it is on disk.
A story whose members changed is written under its new id and the old one removed.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import CacheError, ModelLoadError, ModelNotFoundError, OutputError, SummarizerError
from ..inputs.segment import split_sentences
from ..outputs.archive import ArticleEntry, StoryEntry, read_record, remove_article, remove_story, scan_articles, scan_stories
from ..outputs.index import write_index
from ..outputs.record import ArticleRecord, StoryRecord
from ..outputs.report import write_stories
from ..trust.stories import Features, build_story, close_days, digest_input, group, story_id
from .failures import reported
from .reporting import Prefixed
from .options import Reporter, RunReport
from .workbench import Workbench

__all__ = ["finish", "Regrouping", "regroup"]

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Regrouping:
    """What regrouping decided: the member names of each story to (re)build, and the story ids that no longer hold."""

    build: list[list[str]]
    stale: list[str]


def finish(bench: Workbench, written: dict[str, Path], features: dict[str, Features], report: RunReport,
           reporter: Reporter) -> None:
    """Prune (when asked), regroup and write the stories this run touches, then write index.html and index.md.

    Args:
        bench: the run's models (story digests) and options (--out, --prune).
        written: article name -> the record this run wrote.
        features: article name -> its story features, for the articles this run wrote.
        report: gets stories, translations_saved, archived, gone and pruned.
        reporter: progress.
    """
    out_dir, prune = bench.options.out_dir, bench.options.prune
    new = frozenset(written.values())
    entries = list(scan_articles(out_dir, new=new))
    if prune:
        entries = _prune(entries, out_dir, report)
    stories = list(scan_stories(out_dir))
    plan = regroup(entries, stories, lambda e: features.get(e.name) if e.new else _features(e.json_path))
    built = _build(plan.build, {e.name: e.json_path for e in entries}, bench, Prefixed(reporter, "stories"))

    def write_built() -> bool:
        write_stories(out_dir, built)
        return True

    if reported(write_built, out_dir, "the story pages", report):  # stale stories go only once their successors exist
        rebuilt = {s["id"] for s in built}
        for sid in plan.stale:
            if sid not in rebuilt:
                reported(lambda: remove_story(out_dir, sid), out_dir, "the story pages", report)
    archive = reported(lambda: write_index(out_dir, entries, scan_stories(out_dir)), out_dir, "the index", report)
    report.stories = len(built)
    report.translations_saved = sum(s["translations_saved"] for s in built)
    report.archived = archive.articles if archive is not None else len(entries)
    report.gone = sum(1 for e in entries if e.gone)


def _prune(entries: list[ArticleEntry], out_dir: Path, report: RunReport) -> list[ArticleEntry]:
    """Remove the outputs of archived articles whose input is gone; the entries left in the archive.

    A removal that fails is one line in the report: the article stays in the archive while its
    record is there (records go first), and only articles whose record went count as pruned.
    """
    kept = []
    for entry in entries:
        if not entry.gone or entry.new:
            kept.append(entry)
            continue
        reported(functools.partial(remove_article, entry.json_path), out_dir, "the outputs of an article whose input is gone",
                 report, doing="remove")
        if os.path.lexists(entry.json_path):
            kept.append(entry)
        else:
            report.pruned += 1
            log.info("%s: input gone, outputs removed", entry.name)
    return kept


def regroup(entries: Sequence[ArticleEntry], stories: Sequence[StoryEntry],
            features_of: Callable[[ArticleEntry], Features | None]) -> Regrouping:
    """Which stories to build and which to remove, looking only at the articles this run can have changed.

    ``features_of`` is asked only for the candidates: new articles, those close to them in time, and the
    other members of the stories any candidate belongs to (plus the members of stories that lost one).
    """
    by_name = {e.name: e for e in entries}
    new_days = {e.day for e in entries if e.new}
    candidates = {e.name for e in entries if e.new or any(close_days(e.day, d) for d in new_days)}
    affected = []
    for story in stories:  # stories are disjoint: one pass takes in every member of a touched story
        members = set(story.members)
        if members & candidates or not members <= by_name.keys():
            affected.append(story)
            candidates |= members & by_name.keys()
    names = sorted(candidates)
    found = [(n, f) for n in names if (f := features_of(by_name[n])) is not None]
    groups = [[found[i][0] for i in m] for m in group([f for _, f in found]) if len(m) > 1]
    existing = {s.id for s in stories}
    build = [g for g in groups if story_id(g) not in existing or any(by_name[n].new for n in g)]
    ids = {story_id(g) for g in groups}
    return Regrouping(build=build, stale=[s.id for s in affected if s.id not in ids])


def _features(json_path: Path) -> Features | None:
    record = read_record(json_path)
    return Features.of(record) if record is not None else None


def _build(groups: list[list[str]], paths: dict[str, Path], bench: Workbench, reporter: Reporter) -> list[StoryRecord]:
    """Story records of the groups, every digest summarized and translated in one batch."""
    members: list[list[ArticleRecord]] = []
    for names in groups:
        records = [r for n in names if (r := read_record(paths[n])) is not None]
        if len(records) > 1:
            members.append(records)
    if not members:
        return []
    inputs = [digest_input(records) for records in members]
    try:  # every story's digest at once: summaries batched across stories, then their translations
        digests, _ = bench.summarize_guarded(inputs, reporter)
        sentences = [split_sentences(text, "en") for text in digests]
        dutch, _ = bench.translate_guarded("en-nl", [s for ss in sentences for s in ss], reporter)
    except (ModelNotFoundError, ModelLoadError, OutputError, CacheError):
        raise
    except SummarizerError as exc:  # the articles are written; stories without a digest are only logged
        log.error("stories of %s: no digests (%s)", ", ".join(r["source"]["name"] for m in members for r in m), exc)
        return []
    summaries = {tuple(i): s for i, s in zip(inputs, sentences)}
    translations = dict(zip((s for ss in sentences for s in ss), dutch))
    return [
        build_story(records, summarize=lambda text: summaries[tuple(text)],
                    translate=lambda english: [translations[s] for s in english])
        for records in members
    ]
