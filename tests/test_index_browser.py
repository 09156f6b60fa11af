"""index.html in a real headless chromium: a phone's 390 px and a desktop's 1280 px, light and dark, search that hides."""

from __future__ import annotations

import pytest
from archive_records import record, write
from browser import measure

from summarizer.outputs.archive import scan_articles, scan_stories
from summarizer.outputs.index import article_anchor, write_index

LONG = "Rijksinfrastructuurinvesteringsprogramma" * 3  # one word wider than a phone


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    out = tmp_path_factory.mktemp("archive") / "out"
    write(out, record("dijken.txt", "2021-12-24", title="Dikes in Zeeland get 450 million",
                      summary=("The cabinet allocates 450 million euros for dikes in Zeeland.",), agency="ANP"))
    write(out, record("top.txt", "2021-12-23", title="Summit in Singapore goes ahead",
                      summary=("Kim Jong-un is determined to hold the summit with Trump.",), agency="Belga",
                      url="https://example.org/" + "a" * 200))
    write(out, record(f"{LONG}.txt", "2021-12-22", title=f"The {LONG} reaches the phone",
                      summary=(f"A sentence with {LONG} in it and more words after it.",), agency=None))
    write_index(out, list(scan_articles(out)), scan_stories(out))
    return out / "index.html"


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_readable_without_horizontal_scroll(index, width, dark):
    facts = measure(index, width=width, dark=dark, search="zeeland")
    before = facts["before"]
    assert before["width"] == width
    assert before["scrollWidth"] <= before["width"], before  # nothing sticks out, not even the long word
    assert before["bodyFont"] >= 14 and before["textFont"] >= 14, before
    assert before["dark"] is dark
    background = [int(x) for x in before["background"][4:-1].split(",")[:3]]
    text = [int(x) for x in before["color"][4:-1].split(",")[:3]]
    if dark:
        assert sum(background) < 3 * 60 and sum(text) > 3 * 180, before
    else:
        assert sum(background) > 3 * 230 and sum(text) < 3 * 80, before
    assert len(before["shown"]) == 3


@pytest.mark.parametrize("width", [1280, 390])
def test_search_hides_the_articles_that_do_not_match(index, width):
    facts = measure(index, width=width, search="ZEELAND dikes")
    assert facts["after"]["shown"] == [article_anchor("dijken.txt")]
    assert measure(index, width=width, search="")["after"]["shown"] == [article_anchor(n) for n in
                                                                         ("dijken.txt", "top.txt", f"{LONG}.txt")]
    assert measure(index, width=width, search="nothing-matches-this")["after"]["shown"] == []
