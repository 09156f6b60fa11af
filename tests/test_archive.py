"""The archive index on records written straight to disk: what it lists, in which order, links, pruning, regrouping."""

from __future__ import annotations

import json
import logging
import re
import tracemalloc

from archive_records import record, write

from summarizer.outputs.archive import ArticleEntry, input_gone, remove_article, scan_articles, scan_stories
from summarizer.outputs.index import arrange, article_anchor, write_index
from summarizer.outputs.paths import article_files
from summarizer.run.archive import regroup
from summarizer.trust.stories import Features, story_id

DAY1, DAY2, DAY3 = "2021-12-22", "2021-12-23", "2021-12-24"


def _index(out, new=frozenset()):
    write_index(out, list(scan_articles(out, new=new)), scan_stories(out))
    return (out / "index.html").read_text(), (out / "index.md").read_text()


def test_every_record_is_listed_newest_day_first_then_latest_written(tmp_path):
    out = tmp_path / "out"
    write(out, record("old.txt", DAY1, title="Old news"), mtime=3000)
    write(out, record("b.txt", DAY3, title="Written first"), mtime=1000)
    write(out, record("a.txt", DAY3, title="Written last"), mtime=2000)
    write(out, record("sub/mid.txt", DAY2, title="Middle"), mtime=500)
    write(out, record("undated.txt", "", title="No date"), mtime=4000)
    html, md = _index(out)
    order = [m for m in re.findall(r"^### (.*)$", md, re.M)]
    assert order == ["Written last", "Written first", "Middle", "Old news", "No date"]
    assert [h for h in re.findall(r"^## (.*)$", md, re.M)] == [DAY3, DAY2, DAY1, "Undated"]
    assert html.index("Written last") < html.index("Written first") < html.index("Middle") < html.index("Old news")
    assert html.count('<section class="day"') == 4


def test_new_records_are_marked_and_only_they(tmp_path):
    out = tmp_path / "out"
    old = write(out, record("old.txt", DAY1, title="Yesterday"))
    new = write(out, record("new.txt", DAY2, title="Today"))
    html, md = _index(out, new=frozenset({new}))
    today, yesterday = (html[html.index(f'id="{article_anchor(n)}"'):] for n in ("new.txt", "old.txt"))
    assert 'data-new="1"' in today[:400] and "badge new" in today[:today.index("</h3>")]
    assert 'data-new="0"' in yesterday[:400] and "badge new" not in yesterday[:yesterday.index("</h3>")]
    assert "2 articles (1 new in this run)" in md
    assert md.index("### Today\n\n**new** · ") >= 0 and "### Yesterday\n\n**new**" not in md
    assert old.exists()


def test_references_link_to_the_sentence_and_markdown_links_are_real(tmp_path):
    out = tmp_path / "out"
    write(out, record("a b(1).txt", DAY1, title="Odd name", url="https://example.org/x?id=1"))
    html, md = _index(out)
    assert 'href="./a%20b%281%29.translation.html#s1">[1]</a>' in html
    assert 'href="https://example.org/x?id=1" rel="noreferrer">original</a>' in html
    assert "[full translation](./a%20b%281%29.translation.html)" in md
    assert "[\\[1\\]](./a%20b%281%29.translation.html#s1)" in md
    assert "[original](https://example.org/x?id=1)" in md
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "prefers-color-scheme:dark" in html and "<script src" not in html and "http" not in html.split("<body>")[0]


def test_translation_page_has_language_headers_and_sentence_anchors(tmp_path):
    out = tmp_path / "out"
    path = write(out, record("a.txt", DAY1, url="https://example.org/a"), all_files=True)
    page = article_files(path)["translation.html"].read_text()
    assert ">NL · Nederlands (origineel)</th>" in page and ">EN · English</th>" in page
    assert all(f'<tr id="s{i}">' in page for i in range(3))
    assert 'href="https://example.org/a"' in page


def test_bad_files_are_skipped_with_a_warning_naming_them(tmp_path, caplog):
    out = tmp_path / "out"
    write(out, record("good.txt", DAY1, title="Good"))
    (out / "broken.json").write_text("{not json")
    (out / "other.json").write_text(json.dumps({"schema": 99, "source": {"name": "x"}}))
    (out / "list.json").write_text("[1, 2]")
    (out / "stories").mkdir()
    (out / "stories" / "story-0123456789.json").write_text("{}")
    (out / ".hidden.json").write_text("{")
    with caplog.at_level(logging.WARNING):
        entries = list(scan_articles(out))
        stories = list(scan_stories(out))
    assert [e.name for e in entries] == ["good.txt"] and stories == []
    logged = caplog.text
    assert all(name in logged for name in ("broken.json", "other.json", "list.json", "story-0123456789.json"))
    assert ".hidden.json" not in logged


def test_gone_inputs_are_flagged_and_prune_removes_only_their_outputs(tmp_path):
    out = tmp_path / "out"
    here = tmp_path / "here.txt"
    here.write_text("x")
    kept = write(out, record("here.txt", DAY1, file=str(here)), all_files=True)
    gone = write(out, record("gone.txt", DAY1, file=str(tmp_path / "gone.txt")), all_files=True)
    write(out, record("nos.nl/x", DAY1, file=None), all_files=True)  # a URL: never gone
    (out / "gone.notes.txt").write_text("mine")
    entries = {e.name: e for e in scan_articles(out)}
    assert {n for n, e in entries.items() if e.gone} == {"gone.txt"}
    html, md = _index(out)
    assert "input gone" in html and "*input gone*" in md and "--prune" in md
    assert remove_article(gone) == 4
    assert not any(p.exists() for p in article_files(gone).values())
    assert all(p.exists() for p in article_files(kept).values()) and (out / "gone.notes.txt").exists()
    old = record("old.txt", DAY1)
    old["source"].pop("file")
    old["source"]["path"] = str(tmp_path / "nowhere.txt")
    assert input_gone(old)
    old["source"]["path"] = "relative/nowhere.txt"  # a record from before the field: a relative path cannot tell
    assert not input_gone(old)


SUMMIT = [("Kim Jong-un is vastberaden de top met Trump te laten doorgaan.", "Kim Jong-un is determined to hold the summit with Trump."),
          ("De top op 12 juni in Singapore is nog niet dood.", "The summit on 12 June in Singapore is not dead yet.")]
SUMMIT_2 = [("De top op 12 juni in Singapore is nog niet dood.", "The summit on 12 June in Singapore is not dead yet."),
            ("Kim Jong-un wil de top met Trump in Singapore.", "Kim Jong-un wants the summit with Trump in Singapore.")]
SUMMIT_3 = [("Trump bevestigt de top met Kim Jong-un in Singapore op 12 juni.", "Trump confirms the summit with Kim Jong-un in Singapore on 12 June."),
            ("De top is nog niet dood.", "The summit is not dead yet.")]
DIKES = [("Het kabinet trekt 450 miljoen euro uit voor dijken in Zeeland.", "The cabinet allocates 450 million euros for dikes in Zeeland."),
         ("De oppositie vindt het bedrag te laag.", "The opposition finds the amount too low.")]


def _entry(name, day, *, new=False):
    return ArticleEntry(name=name, json_path=None, titles=(name, name), day=day, written_ns=0, line="", source="",  # type: ignore[arg-type]
                        url=None, summary=(), new=new, gone=False)


def test_an_article_arriving_today_joins_yesterdays_story(tmp_path):
    records = {"a.txt": record("a.txt", DAY1, sentences=SUMMIT), "b.txt": record("b.txt", DAY1, sentences=SUMMIT_2),
               "c.txt": record("c.txt", DAY2, sentences=SUMMIT_3), "d.txt": record("d.txt", "2019-01-10", sentences=SUMMIT),
               "e.txt": record("e.txt", DAY2, sentences=DIKES)}
    entries = [_entry("a.txt", DAY1), _entry("b.txt", DAY1), _entry("c.txt", DAY2, new=True), _entry("d.txt", "2019-01-10"),
               _entry("e.txt", DAY2, new=True)]
    [old] = list(_stories(tmp_path / "out", ["a.txt", "b.txt"]))
    asked = []

    def features(entry):
        asked.append(entry.name)
        return Features.of(records[entry.name])

    plan = regroup(entries, [old], features)
    assert plan.build == [["a.txt", "b.txt", "c.txt"]] and plan.stale == [old.id]
    assert "d.txt" not in asked  # years away: never read


def test_a_story_that_lost_a_member_is_rebuilt_from_the_rest(tmp_path):
    records = {n: record(n, DAY1, sentences=s) for n, s in (("a.txt", SUMMIT), ("b.txt", SUMMIT_2), ("c.txt", SUMMIT_3))}
    [old] = list(_stories(tmp_path / "out", ["a.txt", "b.txt", "c.txt"]))
    entries = [_entry("a.txt", DAY1), _entry("b.txt", DAY1)]  # c.txt pruned
    plan = regroup(entries, [old], lambda e: Features.of(records[e.name]))
    assert plan.build == [["a.txt", "b.txt"]] and plan.stale == [old.id]
    assert regroup(entries[:1], [], lambda e: None) == type(plan)(build=[], stale=[])


def _stories(out, names):
    """Story records on disk with these members, read back as the index reads them."""
    story = {"id": story_id(names), "articles": [{"name": n, "title": None, "date": DAY1, "source": "ANP"} for n in names],
             "sentences": [{"article": names[0], "index": 0, "nl": "x", "en": "x"}], "shared": [], "translations_saved": 0,
             "summary": [{"en": "The summit goes ahead.", "nl": "De top gaat door.", "sources": [0]}]}
    (out / "stories").mkdir(parents=True, exist_ok=True)
    (out / "stories" / f"{story['id']}.json").write_text(json.dumps(story))
    return scan_stories(out)


def test_story_citations_link_to_the_member_sentence(tmp_path):
    out = tmp_path / "out"
    write(out, record("a.txt", DAY1, sentences=SUMMIT))
    write(out, record("b.txt", DAY1, sentences=SUMMIT_2))
    list(_stories(out, ["a.txt", "b.txt"]))
    html, md = _index(out)
    assert 'href="./a.translation.html#s0">[0]</a>' in html
    assert "### Story: " in md and "[English digest](./stories/story-" in md
    assert f'href="#{article_anchor("a.txt")}"' in html and 'data-story="story-' in html


def test_ten_thousand_records_index_in_bounded_memory(tmp_path):
    out = tmp_path / "out"
    base = record("x.txt", DAY1, title="A title of a usual length for a news article")
    for i in range(10_000):
        base["source"]["name"] = name = f"{i // 1000}/article-{i}.txt"
        day = f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}"
        base["meta"]["published"], base["meta"]["date"] = day, day[:7]
        folder = out / str(i // 1000)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"article-{i}.json").write_text(json.dumps(base))
    assert name
    tracemalloc.start()
    try:
        archive = write_index(out, scan_articles(out), scan_stories(out))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert archive.articles == 10_000 and len(archive.days) == 84
    html = (out / "index.html").read_text()
    assert html.count('<article class="item article"') == 10_000
    size = len(html.encode()) + len((out / "index.md").read_bytes())
    assert peak < 5 * size + 10_000_000, (peak, size)  # the entries and the two pages (41 MB here), never 10,000 records


def test_arrange_counts_and_days(tmp_path):
    archive = arrange([_entry("a.txt", DAY1, new=True), _entry("b.txt", None)], [])
    assert [d for d, _, _ in archive.days] == [DAY1, "undated"] and archive.articles == 2
