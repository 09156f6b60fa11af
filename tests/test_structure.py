"""Article structure on real inputs: the seeds and a saved web page with boilerplate; Dutch dates to ISO."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from summarizer.inputs.articles import read_article
from summarizer.inputs.dates import find_dates, parse_date, parse_time
from summarizer.inputs.structure import analyse

DATA = Path(__file__).parent / "data"
HEADLINE = "Kim Jong-un vastberaden om ontmoeting met Trump te laten doorgaan lva"


def test_seed_headline_dateline_time_and_source_are_metadata(seed_dir):
    article = read_article(seed_dir / "000_4ec734f60fdfd72d.txt", "000.txt")
    assert article.title == HEADLINE
    assert (article.dateline, article.published, article.time, article.source) == ("27 mei 2018", "2018-05-27", "00:37", "Belga")
    # the source line runs into the first sentence on the same line: the sentence survives, the source does not
    assert article.sentences[0].startswith("De Noord-Koreaanse leider Kim Jong-un is vastberaden")
    body = " ".join(article.sentences)
    for meta in ("27 mei 2018", "00u37", "Bron:", "Belga", HEADLINE):
        assert meta not in body
    assert article.intertitles == ((5, "Vierde ontmoeting ooit tussen Koreaanse leiders"),)
    assert "Vierde ontmoeting ooit tussen Koreaanse leiders" not in article.sentences


def test_second_seed_has_two_intertitles_and_no_headline(seed_dir):
    article = read_article(seed_dir / "001_543b75f5360eb1cb.txt", "001.txt")
    assert article.title is None and article.source is None
    assert [t for _, t in article.intertitles] == ["Voorbereidingen Witte Huis", "Poetin en Abe"]
    assert article.sentences[0].startswith("Daarnaast zou Kim Jong-un")
    assert not article.dropped


def test_saved_web_page_boilerplate_is_dropped_with_reasons():
    article = read_article(DATA / "web_page_politiek.txt", "web.txt")
    assert article.title == "Kabinet trekt extra geld uit voor dijkversterking in Zeeland"
    assert article.byline == "Sanne de Vries"
    assert (article.published, article.time) == ("2023-03-14", "17:42")
    assert [t for _, t in article.intertitles] == ["Kritiek van de oppositie"]
    reasons = {d.text: d.reason for d in article.dropped}
    assert reasons["Meer uit Politiek"] == "teaser block heading"
    assert reasons["2 uur geleden"] == "relative timestamp of a teaser"
    assert reasons["Tweede Kamer stemt in met nieuwe stikstofwet"] == "teaser headline"
    assert reasons["Lees meer"] == "read-more link"
    assert reasons["Log in op je webmail om nieuwsbrieven te beheren"] == "webmail prompt"
    assert reasons["Deze samenvatting werd gegenereerd met behulp van AI en nagekeken door de redactie."] == "AI-generated disclaimer"
    assert any(r == "cookie prompt" for r in reasons.values())
    assert reasons["Nieuws | Sport | Cultuur | Economie | Regio"] == "navigation"
    body = " ".join(article.sentences)
    for junk in ("cookies", "webmail", "Lees", "geleden", "stikstofwet", "AI", "©", "Facebook", "Menu"):
        assert junk not in body, junk
    # every story sentence is still there, in order
    assert article.sentences[0].startswith("Het kabinet trekt de komende vijf jaar 450 miljoen euro")
    assert article.sentences[-1] == "De provincie Zeeland draagt zelf 45 miljoen euro bij."
    assert len(article.sentences) == 9


def test_plain_text_without_structure_is_left_alone():
    text = "Dit is een gewoon bericht zonder kop. Het heeft twee zinnen."
    layout = analyse(text)
    assert layout.paragraphs == (text,) and layout.headline is None and not layout.dropped
    short = analyse("Alleen een korte regel")  # only short lines: they are the story, not headings
    assert short.paragraphs == ("Alleen een korte regel",)


@pytest.mark.parametrize("text, iso", [
    ("27 mei 2018", "2018-05-27"), ("zondag 3 maart 2024", "2024-03-03"), ("1 jan. 2020", "2020-01-01"),
    ("31 februari 2020", None), ("mei 2018", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text, hhmm", [("00u37", "00:37"), ("om 14:05", "14:05"), ("9h30", "09:30"), ("12 juni", None)])
def test_parse_time(text, hhmm):
    assert parse_time(text) == hhmm


def test_weekdays_resolve_only_when_unambiguous():
    sunday = date(2018, 5, 27)
    [sat] = find_dates("Kim had zaterdag een ontmoeting.", day=sunday, year=2018)
    assert sat.iso == "2018-05-26"
    [thu] = find_dates("Donderdag blies Trump de ontmoeting af.", day=sunday, year=2018)
    assert thu.iso == "2018-05-24"
    [same] = find_dates("zondag tijdens een persconferentie", day=sunday, year=2018)
    assert same.iso == "2018-05-27"
    [future] = find_dates("De delegatie zal zondag naar Singapore vliegen.", day=sunday, year=2018)
    assert future.iso is None
    [unknown_day] = find_dates("Kim had zaterdag een ontmoeting.", day=None, year=2018)
    assert unknown_day.iso is None  # the article date is only known to the month


def test_day_and_month_take_the_nearest_year():
    [june] = find_dates("de top op 12 juni", day=date(2018, 5, 27), year=2018)
    assert june.iso == "2018-06-12"
    [december] = find_dates("sinds 20 december", day=None, year=2019, month=1)
    assert december.iso == "2018-12-20"
