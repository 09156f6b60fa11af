"""Grouping articles into stories and deduplicating shared wire copy, on constructed records."""

from __future__ import annotations

from summarizer.trust.stories import Features, build_story, deduplicate, group, story_id


def record(name, date, pairs, title=None):
    return {
        "source": {"name": name},
        "meta": {"date": date[:7], "published": date if len(date) == 10 else None, "title": title},
        "translation": [{"paragraph": i // 2, "nl": nl, "en": en} for i, (nl, en) in enumerate(pairs)],
    }


SUMMIT_A = [
    ("Kim Jong-un is vastberaden de top met Trump te laten doorgaan.", "Kim Jong-un is determined to hold the summit with Trump."),
    ("De top op 12 juni in Singapore is nog niet dood.", "The summit on 12 June in Singapore is not dead yet."),
    ("Moon en Kim ontmoetten elkaar zaterdag in Panmunjeom.", "Moon and Kim met on Saturday in Panmunjom."),
]
SUMMIT_B = [
    ("De top op 12 juni in Singapore is nog niet dood.", "The summit on 12 June in Singapore is not dead yet."),
    ("Kim Jong-un is vastberaden om de top met Trump door te laten gaan.", "Kim Jong-un is determined to let the summit with Trump go ahead."),
    ("Poetin en Abe riepen in Moskou op tot terughoudendheid over Korea.", "Putin and Abe called for restraint over Korea in Moscow."),
]
DIKES = [
    ("Het kabinet trekt 450 miljoen euro uit voor dijken in Zeeland.", "The cabinet allocates 450 million euros for dikes in Zeeland."),
    ("De oppositie vindt het bedrag te laag.", "The opposition finds the amount too low."),
]


def test_same_event_groups_other_news_and_distant_dates_do_not():
    records = [
        record("a.txt", "2018-05-27", SUMMIT_A),
        record("b.txt", "2018-05-26", SUMMIT_B),
        record("c.txt", "2023-03-14", DIKES),
        record("d.txt", "2018-09-20", SUMMIT_A),  # same words, four months later: another story
    ]
    assert group([Features.of(r) for r in records]) == [[0, 1], [2], [3]]


def test_month_only_dates_still_group():
    pair = [record("a.txt", "2018-05", SUMMIT_A), record("b.txt", "2018-05-27", SUMMIT_B)]
    assert group([Features.of(r) for r in pair]) == [[0, 1]]


def test_shared_wire_copy_is_kept_once_and_additions_are_per_article():
    a, b = record("a.txt", "2018-05-27", SUMMIT_A), record("b.txt", "2018-05-27", SUMMIT_B)
    merged = deduplicate([a, b])
    assert [s["nl"] for s in merged["sentences"]] == [nl for nl, _ in SUMMIT_A] + [SUMMIT_B[2][0]]
    assert {(s["article"], s["index"], s["same_as"]) for s in merged["shared"]} == {("b.txt", 0, 1), ("b.txt", 1, 0)}
    assert merged["adds"] == {"a.txt": [2], "b.txt": [3]}
    assert merged["translations_saved"] == 1  # only the identical sentence is a cache hit
    assert merged["shared_paragraphs"] == 1  # b's first paragraph is entirely wire copy


def test_build_story_summarizes_the_deduplicated_text_once():
    seen = []

    def summarize(sentences):
        seen.append(sentences)
        return ["Kim wants the summit on 12 June in Singapore.", "Putin met Abe on 3 May."]

    story = build_story(
        [record("b.txt", "2018-05-27", SUMMIT_B), record("a.txt", "2018-05-26", SUMMIT_A)],
        summarize=summarize, translate=lambda english: [f"NL {e}" for e in english],
    )
    assert len(seen) == 1 and len(seen[0]) == 4  # six sentences, two shared
    assert story["id"] == story_id(["a.txt", "b.txt"])
    assert [a["name"] for a in story["articles"]] == ["a.txt", "b.txt"]  # by date
    first, second = story["summary"]
    assert story["sentences"][first["sources"][0]]["en"].startswith("The summit on 12 June")
    assert first["unsupported"] == [] and [s["text"] for s in second["unsupported"]] == ["3 May"]
