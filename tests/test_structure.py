"""Article structure on real inputs: the seeds and a saved web page with boilerplate; Dutch dates to ISO."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from summarizer.inputs.articles import read_article
from summarizer.inputs.dates import find_dates, parse_date, parse_time
from summarizer.inputs.structure import analyse
from summarizer.outputs.record import fallback_title

DATA = Path(__file__).parent / "data"
HEADLINE = "Kim Jong-un vastberaden om ontmoeting met Trump te laten doorgaan"  # the file's headline ends in " lva": initials
BODY = "De premier zei dinsdag in Den Haag dat de formatie nog maanden kan duren, tot ergernis van de oppositie."
LAST = "Het is nog altijd niet zeker of de top op 12 juni in Singapore echt doorgaat,"  # a last sentence, to finish


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
    assert [(d.text, d.reason) for d in article.dropped] == [("lva", "author initials")]  # kept, with its reason
    assert article.byline is None


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
    ("2021-12-24", "2021-12-24"), ("2021-12-24T14:05:00+01:00", "2021-12-24"), ("24-12-2021", "2021-12-24"),
    ("24/12/2021", "2021-12-24"), ("24.12.2021 om 14.05 uur", "2021-12-24"), ("12/24/2021", None), ("24-12/2021", None),
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


@pytest.mark.parametrize("first, headline", [
    ("Rutte over formatie: 'Hielp niet dat de koning eruit is gehaald'", True),
    ('Rutte: "Met kleine aanscherpingen kom je er niet"', True),
    ("Rutte: ‘Met kleine aanscherpingen kom je er niet’", True),
    ("Rutte: “Met kleine aanscherpingen kom je er niet”", True),
    ('Rutte: „Met kleine aanscherpingen kom je er niet"', True),
    ("Rutte: met kleine aanscherpingen kom je er niet", True),
    ("Komt er een nieuw kabinet?", True),
    ("Eindelijk een nieuw kabinet!", True),
    ("Wat nu, Rutte?'", True),
    ("Dit zijn de plannen van het nieuwe kabinet:", True),
    ("Kabinet trekt extra geld uit voor dijkversterking in Zeeland", True),
    # not headlines: a sentence that closes with a full stop, also inside a quote, or is cut off
    ("Het regent.", False),
    ('Hij zei: "Het vordert erg goed."', False),
    ("'Het vordert erg goed', aldus Trump.", False),
    ("Kim wil praten, maar…", False),
    ("De oppositie zweeg;", False),
    (" ".join(["woord"] * 21), False),
])
def test_headline_forms(first, headline):
    layout = analyse(f"{first}\n\n{BODY}")
    assert layout.headline == (first if headline else None)
    assert layout.paragraphs == ((BODY,) if headline else (first, BODY))


@pytest.mark.parametrize("text", [
    "Komt er een nieuw kabinet?\n\nJa, dat denk ik wel.",  # a question and a short answer: an interview, not a headline
    "Eindelijk!\n\nNee.",
    # a one-line sentence ending in a colon, then a quote block or a list: story text
    'De minister zei dinsdag tegen de pers het volgende:\n\n"We gaan door met de formatie, ook als het nog maanden duurt. '
    'Dat is onze plicht."',
    "De minister zei dinsdag tegen de pers het volgende:\n\n„We gaan door met de formatie, ook als het nog maanden duurt.”",
    "Het kabinet neemt drie maatregelen:\n\n- de accijns op benzine gaat omhoog vanaf volgend jaar, zo is besloten.",
])
def test_first_paragraph_that_stays_story_text(text):
    layout = analyse(text)
    assert layout.headline is None
    assert layout.paragraphs == tuple(text.split("\n\n"))


@pytest.mark.parametrize("line, published, time", [
    ("27 mei 2018", "2018-05-27", None),
    ("2021-12-24", "2021-12-24", None),
    ("24-12-2021", "2021-12-24", None),
    ("24/12/2021", "2021-12-24", None),
    ("24.12.2021", "2021-12-24", None),
    ("4-1-2022", "2022-01-04", None),
    ("2021-12-24 14:05", "2021-12-24", "14:05"),
    ("2021-12-24T14:05:00+01:00", "2021-12-24", "14:05"),
    ("2021-12-24T14:05:00.000Z", "2021-12-24", "14:05"),
    ("24-12-2021 om 14.05 uur", "2021-12-24", "14:05"),
    ("24/12/2021, 9:30", "2021-12-24", "09:30"),
    ("Gepubliceerd op 24-12-2021 om 14.05 uur", "2021-12-24", "14:05"),
    ("vrijdag 24.12.2021 14u05", "2021-12-24", "14:05"),
    ("31-02-2021", None, None),  # a date line, but no such day
])
def test_date_lines_become_metadata(line, published, time):
    layout = analyse(f"Kabinet valt over stikstof\n\n{line}\n\n{BODY}")
    assert (layout.dateline, layout.published, layout.time) == (line, published, time)
    assert layout.paragraphs == (BODY,)


@pytest.mark.parametrize("line", ["24-12", "2021", "24-12/2021", "Op 24-12-2021 viel het kabinet.", "24-12-2021 was een zware dag."])
def test_dates_inside_text_are_not_date_lines(line):
    layout = analyse(f"{BODY}\n\n{line}")
    assert layout.dateline is None and line in layout.paragraphs


@pytest.mark.parametrize("headline, kept, initials", [
    ("Kim Jong-un vastberaden om ontmoeting met Trump te laten doorgaan lva", "Kim Jong-un vastberaden om ontmoeting met Trump te laten doorgaan", "lva"),
    ("Kabinet valt over stikstof kv", "Kabinet valt over stikstof", "kv"),
    ("Kabinet valt over stikstof jvh", "Kabinet valt over stikstof", "jvh"),
    ("Kabinet valt over stikstof (tve)", "Kabinet valt over stikstof", "(tve)"),
    ("Kabinet valt over stikstof /bdb", "Kabinet valt over stikstof", "/bdb"),
    ("Kabinet valt over stikstof (lva/kv)", "Kabinet valt over stikstof", "(lva/kv)"),
    ("Rutte: 'Hielp niet' lva", "Rutte: 'Hielp niet'", "lva"),
    # real last words stay: capitals, longer words, short Dutch words and words that can be Dutch
    ("Trump stuurt delegatie naar de VS", None, None),
    ("Trump breekt met de NAVO", None, None),
    ("Kim verschijnt op tv", None, None),
    ("Wat Rutte wil en wat hij doet", None, None),
    ("Wie betaalt de rekening voor hun", None, None),
    ("Rusland zoekt toenadering, Japan ook", None, None),
    ("Het kabinet is er nu", None, None),
    ("Kabinet zet in op wind", None, None),
    ("Prijs van gas stijgt fors", None, None),
    ("Debat over formatie (live)", None, None),
])
def test_author_initials_on_a_headline(headline, kept, initials):
    layout = analyse(f"{headline}\n\n{BODY}")
    assert layout.headline == (kept or headline)
    assert [(d.text, d.reason) for d in layout.dropped] == ([(initials, "author initials")] if initials else [])


@pytest.mark.parametrize("ending, last, initials", [
    ("\n\nlva", BODY, "lva"),
    ("\n\n(tve)", BODY, "(tve)"),
    (" kv", BODY, "kv"),
    ("\njvh", BODY, "jvh"),
    ("/bdb", BODY, "/bdb"),
    (" (tve)", BODY, "(tve)"),
    # a normal last sentence keeps its last word, also a short one (long enough not to be a trailing heading)
    (f"\n\n{LAST} zei hij", f"{LAST} zei hij", None),
    (f"\n\n{LAST} zei een bron bij de VN", f"{LAST} zei een bron bij de VN", None),
    (f"\n\n{LAST} zo meldt de krant", f"{LAST} zo meldt de krant", None),
    (f"\n\n{LAST} en dat geldt ook voor gas", f"{LAST} en dat geldt ook voor gas", None),
    (f"\n\n{LAST} zei hij. (red)", f"{LAST} zei hij. (red)", None),
])
def test_author_initials_on_the_last_line(ending, last, initials):
    layout = analyse(f"Kabinet valt over stikstof\n\n{BODY}{ending}")
    assert layout.paragraphs[-1] == last
    assert [(d.text, d.reason) for d in layout.dropped] == ([(initials, "author initials")] if initials else [])


@pytest.mark.parametrize("line, reason", [
    ("Social", "page label"), ("Video", "page label"), ("Foto", "page label"), ("Audio", "page label"),
    ("Live", "page label"), ("Liveblog", "page label"), ("Podcast", "page label"), ("Net binnen", "page label"),
    ("Update", "page label"), ("Premium", "page label"), ("Plus", "page label"), ("PLUS", "page label"),
    ("Exclusief voor abonnees", "page label"), ("Video 02:31", "page label"),
    ("Vandaag, 22:14 · Aangepast 22:40", "relative timestamp"), ("Gisteren, 08:12", "relative timestamp"),
    ("Vandaag", "relative timestamp"), ("Update 14:05", "update timestamp"),
    ("Leestijd 3 minuten", "reading time"), ("3 min leestijd", "reading time"), ("Leestijd: 4 min.", "reading time"),
    ("Premium | Leestijd 4 minuten", "page label"),
])
def test_furniture_alone_on_a_line_is_dropped(line, reason):
    layout = analyse(f"{line}\n\nKabinet valt over stikstof\n\n{line}\n\n{BODY}")
    assert layout.headline == "Kabinet valt over stikstof" and layout.paragraphs == (BODY,)
    assert [(d.text, d.reason) for d in layout.dropped] == [(line, reason)] * 2


@pytest.mark.parametrize("sentence", [
    "De video van de aanslag ging vandaag rond op sociale media.",
    "Live volgen kan via de site van de omroep, zei de woordvoerder.",
    "Het kabinet komt met een plus van 3 procent voor de zorg.",
    "Update: het kabinet heeft besloten de maatregelen te verlengen tot na de zomer.",
    "Foto, video en audio van de persconferentie staan online.",
])
def test_furniture_words_inside_a_sentence_stay(sentence):
    layout = analyse(f"Kabinet valt over stikstof\n\n{sentence}\n\n{BODY}")
    assert layout.paragraphs == (sentence, BODY) and not layout.dropped


def test_net_binnen_below_the_story_still_heads_teasers():
    layout = analyse(f"Kabinet valt over stikstof\n\n{BODY}\n\nNet binnen\nTrein rijdt weer\nBrand in Gent")
    assert layout.paragraphs == (BODY,)
    assert [d.reason for d in layout.dropped] == ["teaser block heading", "teaser headline", "teaser headline"]


@pytest.mark.parametrize("sentences, title", [
    (["Het kabinet is gevallen.", "Rutte biedt ontslag aan."], "Het kabinet is gevallen"),
    (["Valt het kabinet?"], "Valt het kabinet?"),
    ([BODY], "De premier zei dinsdag in Den Haag dat de formatie nog maanden kan duren, tot…"),
    (["", "  ", "Tweede zin."], "Tweede zin"),
    (["x" * 100], "x" * 79 + "…"),
    ([], ""),
])
def test_fallback_title(sentences, title):
    assert fallback_title(sentences) == title
    assert len(fallback_title(sentences)) <= 80


def test_no_headline_leaves_the_title_empty_and_the_display_uses_the_first_sentence(seed_dir):
    article = read_article(seed_dir / "001_543b75f5360eb1cb.txt", "001.txt")
    assert article.title is None
    assert fallback_title(article.sentences).startswith("Daarnaast zou Kim Jong-un hebben bevestigd")
    assert fallback_title(article.sentences).endswith("…")
