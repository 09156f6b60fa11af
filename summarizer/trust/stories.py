"""Stories: articles about the same event grouped, shared wire copy deduplicated, one digest per story."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..outputs.record import ArticleRecord, Lang, StoryRecord, SummaryPair, day, day_as_date, title_text
from .annotate import annotate
from .provenance import content_tokens

__all__ = [
    "Features", "group", "close_days", "similarity", "deduplicate", "digest_input", "build_story", "story_id", "SIMILARITY", "MAX_DAYS", "NEAR_DUPLICATE",
]

SIMILARITY = 0.3  # tf-idf cosine; same-event news scores 0.4-0.7, unrelated articles < 0.15
MAX_DAYS = 3  # articles further apart than this (when both dates are known to the day) are different stories
NEAR_DUPLICATE = 0.7  # word-set Jaccard above which two sentences are the same wire copy

_NORMAL = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Features:
    """What grouping needs of an article: its content words in each language and its date, kept instead of the record."""

    name: str
    words: dict[str, Counter[str]]  # lang -> content-token counts of headline and sentences
    day: str | None

    @classmethod
    def of(cls, record: ArticleRecord) -> Features:
        """The features of an article record."""
        langs: tuple[Lang, ...] = ("en", "nl")
        return cls(record["source"]["name"], {lang: Counter(content_tokens(_text(record, lang))) for lang in langs}, day(record))


def similarity(articles: Sequence[Features], lang: str = "en") -> list[list[float]]:
    """Pairwise cosine of tf-idf vectors of the articles' text in ``lang`` (headline included)."""
    bags = [a.words[lang] for a in articles]
    n = len(bags)
    df = Counter(t for b in bags for t in b)
    idf = {t: math.log(1 + n / k) for t, k in df.items()}  # smoothed: a word in every article still counts a little
    vectors = [{t: (1 + math.log(c)) * idf[t] for t, c in b.items()} for b in bags]
    norms = [math.sqrt(sum(v * v for v in vec.values())) or 1.0 for vec in vectors]
    sims = [[0.0] * n for _ in range(n)]
    for i in range(n):  # symmetric: each pair once
        for j in range(i, n):
            small, large = sorted((vectors[i], vectors[j]), key=len)
            sims[i][j] = sims[j][i] = sum(w * large.get(t, 0.0) for t, w in small.items()) / (norms[i] * norms[j])
    return sims


def group(records: Sequence[Features], *, threshold: float = SIMILARITY, max_days: int = MAX_DAYS) -> list[list[int]]:
    """Indices of articles grouped into stories: similar translations and close dates, linked transitively.

    Two articles must be similar in English and in the Dutch originals: a degenerate
    translation model (or the tiny test models) makes every translation look alike.
    """
    sims = [[min(a, b) for a, b in zip(ra, rb)] for ra, rb in zip(similarity(records, "en"), similarity(records, "nl"))]
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(records)):
        for j in range(i + 1, len(records)):
            if sims[i][j] >= threshold and _close(records[i], records[j], max_days):
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(records)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values())


def story_id(names: list[str]) -> str:
    """A stable id for a story: a hash of its members' names."""
    return "story-" + hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:10]


def deduplicate(records: Sequence[ArticleRecord]) -> dict[str, Any]:
    """The members' sentences with shared wire copy kept once, what was shared, and what each article adds."""
    kept: list[dict[str, Any]] = []
    shared: list[dict[str, Any]] = []
    owners: list[set[str]] = []  # per kept sentence: the articles that carry it
    words: list[set[str]] = []
    normals: list[str] = []  # per kept sentence: its Dutch text without case and punctuation
    exact = Counter(nl for r in records for nl in {t["nl"] for t in r["translation"]})  # the cache's unit: exact text
    shared_paragraphs = 0
    for record in records:
        name = record["source"]["name"]
        by_paragraph: dict[int, list[bool]] = {}
        for i, t in enumerate(record["translation"]):
            bag, normal = set(content_tokens(t["nl"])), _normal(t["nl"])
            match = next((k for k, other in enumerate(words) if _same(bag, other, normal, normals[k])), None)
            by_paragraph.setdefault(t["paragraph"], []).append(match is not None)
            if match is None:
                kept.append({"article": name, "index": i, "nl": t["nl"], "en": t["en"]})
                owners.append({name})
                words.append(bag)
                normals.append(normal)
            else:
                owners[match].add(name)
                shared.append({"article": name, "index": i, "same_as": match})
        shared_paragraphs += sum(1 for flags in by_paragraph.values() if all(flags))
    adds = {
        r["source"]["name"]: [k for k, s in enumerate(kept) if owners[k] == {r["source"]["name"]}] for r in records
    }
    saved = sum(count - 1 for count in exact.values() if count > 1)
    return {"sentences": kept, "shared": shared, "shared_paragraphs": shared_paragraphs, "adds": adds, "translations_saved": saved}


def build_story(
    records: Sequence[ArticleRecord],
    *,
    summarize: Callable[[list[str]], list[str]],
    translate: Callable[[list[str]], list[str]],
) -> StoryRecord:
    """A story record: members, deduplicated sentences, an annotated digest (``summarize`` gives its English sentences)."""
    records = _in_order(records)
    names = [r["source"]["name"] for r in records]
    merged = deduplicate(records)
    english = summarize([s["en"] for s in merged["sentences"]])
    pairs: list[SummaryPair] = [{"en": en, "nl": nl} for en, nl in zip(english, translate(english))]
    sims = similarity([Features.of(r) for r in records])  # English, as reported
    return {
        "id": story_id(names),
        "articles": [
            {
                "name": r["source"]["name"],
                "title": r["meta"].get("title"),
                "date": day(r),
                "source": r["meta"].get("source"),
                "byline": r["meta"].get("byline"),
                "url": r["meta"].get("url"),
                "sentences": len(r["translation"]),
                "adds": merged["adds"][r["source"]["name"]],
            }
            for r in records
        ],
        "similarity": [[round(x, 3) for x in row] for row in sims],
        "sentences": merged["sentences"],
        "shared": merged["shared"],
        "shared_paragraphs": merged["shared_paragraphs"],
        "translations_saved": merged["translations_saved"],
        "summary": annotate(pairs, merged["sentences"]),
    }


def digest_input(records: Sequence[ArticleRecord]) -> list[str]:
    """The English sentences a story's digest summarizes: its members' text with shared wire copy kept once."""
    return [s["en"] for s in deduplicate(_in_order(records))["sentences"]]


def _in_order(records: Sequence[ArticleRecord]) -> list[ArticleRecord]:
    """Oldest first, then by name: the order a story lists and deduplicates its members in."""
    return sorted(records, key=lambda r: (day_as_date(r) or date.min, r["source"]["name"]))


def _text(record: ArticleRecord, lang: Lang) -> str:
    title = title_text(record["meta"].get("title"), lang) or ""
    return " ".join([title] + [t[lang] for t in record["translation"]])


def _normal(text: str) -> str:
    return _NORMAL.sub(" ", text.lower()).strip()


def _same(a: set[str], b: set[str], normal_a: str, normal_b: str) -> bool:
    """Same wire copy: equal Dutch text up to case and punctuation (``_normal``), or nearly the same Dutch words.

    Judged on the Dutch originals, not the translations: the shared copy is in the source,
    and a translation can only blur it.
    """
    if normal_a == normal_b:
        return True
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_DUPLICATE


def _day(value: str | None) -> date | None:
    value = value or ""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _close(a: Features, b: Features, max_days: int) -> bool:
    return close_days(a.day, b.day, max_days=max_days)


def close_days(a: str | None, b: str | None, *, max_days: int = MAX_DAYS) -> bool:
    """Whether two articles' days (ISO day, ``YYYY-MM`` or unknown) are close enough to be one story; unknown is close to all."""
    da, db = _day(a), _day(b)
    if da and db:
        return abs((da - db).days) <= max_days
    ma, mb = ((x or "")[:7] for x in (a, b))
    if len(ma) == 7 and len(mb) == 7 and ma[:4].isdigit() and mb[:4].isdigit() and ma[5:].isdigit() and mb[5:].isdigit():
        months = lambda m: int(m[:4]) * 12 + int(m[5:7])  # noqa: E731
        return abs(months(ma) - months(mb)) <= 1
    return True
