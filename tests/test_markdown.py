"""Source text in Markdown outputs cannot become markup: titles, names and sentences are escaped."""

from __future__ import annotations

import pytest

from summarizer.outputs.markdown import code_span, escape_md
from summarizer.outputs.writers import WRITERS


@pytest.mark.parametrize(("text", "escaped"), [
    ("[klik](javascript:alert(1))", "\\[klik\\](javascript:alert(1))"),
    ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
    ("# Kop", "\\# Kop"),
    ("- punt", "\\- punt"),
    ("1. eerst", "1\\. eerst"),
    ("*vet* en _schuin_ en ~~weg~~", "\\*vet\\* en \\_schuin\\_ en \\~\\~weg\\~\\~"),
    ("a & b | c", "a \\& b \\| c"),
    ("regel\nnieuwe # regel", "regel nieuwe # regel"),
    ("Rutte: 'ja' - zegt hij (VVD), 2018!", "Rutte: 'ja' - zegt hij (VVD), 2018!"),  # ordinary prose stays as is
])
def test_escape_md(text, escaped):
    assert escape_md(text) == escaped


@pytest.mark.parametrize(("name", "span"), [
    ("a.txt", "`a.txt`"),
    ("we`ird.txt", "``we`ird.txt``"),
    ("`start.txt", "`` `start.txt ``"),
    ("dubbel``x.txt", "```dubbel``x.txt```"),
])
def test_code_span_survives_backticks(name, span):
    assert code_span(name) == span


def test_an_article_markdown_carries_its_source_text_escaped():
    record = {
        "schema": 1,
        "source": {"path": "x", "name": "in/`odd`.txt", "sha256": "0", "decode_warnings": []},
        "meta": {"date": None, "title": {"nl": "# Kop [link](javascript:x)", "en": "<b>Head</b>"}, "dateline": None,
                 "published": "2024-01-02", "time": None, "source": "ANP *", "byline": None, "sections": [], "dates": [],
                 "url": "javascript:alert(1)", "site": None, "origin": "text", "provided": []},
        "translation": [{"paragraph": 0, "nl": "Zin.", "en": "Sentence.", "loop": None}],
        "dropped": [],
        "summary": [{"en": "- not a list <i>", "nl": "1. geen lijst", "sources": [0], "unsupported": [],
                     "unsupported_nl": []}],
        "summary_loop": None, "models": {}, "settings": {}, "signature": "sig",
    }
    en, nl = WRITERS["en.md"](record), WRITERS["nl.md"](record)
    assert en.startswith("# \\<b\\>Head\\</b\\>\n") and nl.startswith("# \\# Kop \\[link\\](javascript:x)\n")
    assert "`` `odd`.txt ``" not in en and "``in/`odd`.txt``" in en
    assert "\\- not a list \\<i\\> [0]" in en and "1\\. geen lijst" in nl
    assert "javascript:" not in en.split("## Summary")[0].replace("\\[link\\](javascript:x)", "")  # no link to it
    assert "ANP \\*" in en
