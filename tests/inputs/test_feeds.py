"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: every entry an article, full content preferred, HTML made plain."""

from __future__ import annotations

import logging

import pytest

from summarizer.inputs.document import Document, InputFormatError, RecordError
from summarizer.inputs.feeds import looks_like_feed, read_feed


@pytest.fixture(scope="module")
def rss(data):
    return read_feed((data / "rss2.xml").read_bytes(), url="https://www.noordelijknieuwsblad.nl/binnenland/rss.xml")


@pytest.fixture(scope="module")
def atom(data):
    return read_feed((data / "atom.xml").read_bytes())


def test_rss_entries_are_articles_in_order(rss):
    assert [type(r) for r in rss] == [Document, Document, RecordError]
    assert [r.part for r in rss] == ["0", "1", "2"]
    assert all(d.origin == "feed" for d in rss[:2])


def test_rss_full_content_wins_over_the_description(rss):
    text = rss[0].text
    assert "Het geld is bedoeld voor ongeveer drieduizend woningen" in text
    assert "De Tweede Kamer debatteert volgende week" in text
    assert 'De provincie spreekt van "een belangrijke stap"' in text  # entity decoded, after a <br>
    for markup in ("<p>", "<strong>", "trackView", "Lees verder", "&quot;"):
        assert markup not in text
    assert len(text.split("\n\n")) == 4  # <p> and <br> became paragraph breaks


def test_rss_metadata(rss):
    first = rss[0]
    assert first.title == "Groningen krijgt extra geld voor versterking van huizen"
    assert (first.published, first.time) == ("2024-05-02", "14:15")  # as written (+0200), not feedparser's UTC 12:15
    assert first.author == "Marieke Bakker"  # dc:creator
    assert first.url == "https://www.noordelijknieuwsblad.nl/binnenland/2024/05/02/groningen-extra-geld-versterking"
    assert first.site == "Het Noordelijk Nieuwsblad - Binnenland"
    assert set(first.provided) == {"title", "published", "time", "author", "url", "site"}


def test_rss_description_only_entry(rss):
    second = rss[1]
    assert second.text.split("\n\n") == [
        "Door werkzaamheden aan het spoor rijden er zaterdag geen treinen tussen Zwolle en Leeuwarden.",
        ("ProRail vervangt bij Meppel een wissel en twee overwegen. Reizigers kunnen gebruikmaken van bussen, "
         "die ongeveer een half uur langer onderweg zijn."),
    ]  # <br /><br /> split it, the trailing [&#8230;] is gone
    assert second.author is None and "author" not in second.provided


def test_an_entry_without_text_is_a_record_error(rss):
    error = rss[2]
    assert error.part == "2" and "Alleen een kop zonder tekst" in error.problem and "no content" in error.problem


def test_atom_content_author_and_dates(atom):
    first, second = atom
    assert "Honderden forenzen en scholieren moesten daardoor met de bus" in first.text  # content, not the summary
    assert first.author == "Jeroen Maas"  # without the e-mail address feedparser appends
    assert (first.published, first.time) == ("2024-06-11", "07:40")  # published, not updated (07:55)
    assert (second.published, second.time) == ("2024-06-10", "16:20")  # updated, when there is no published
    assert "zwerfafval op het strand" in second.text and "<p>" not in second.text  # xhtml content
    assert second.author == "Redactie Omroep Zeeland"  # inherited from the feed, as Atom says
    assert second.site == "Omroep Zeeland Nieuws"


def test_rss1_rdf_feed(data):
    (entry,) = read_feed((data / "rdf.rss").read_bytes())
    assert entry.title == "Wadplaten groeien voorlopig mee met stijgende zeespiegel"
    assert (entry.published, entry.time, entry.author) == ("2024-02-20", "10:00", "Femke Hoekstra")  # dc:date, dc:creator
    assert len(entry.text.split("\n\n")) == 2 and "Ameland en Schiermonnikoog" in entry.text
    assert entry.site == "Wetenschapsnieuws"


RELATIVE = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Lokaal</title>
<item><title>Markt verhuist</title><link>/nieuws/markt-verhuist</link>
<description>De weekmarkt verhuist naar het stationsplein.</description></item>
<item><title>Geen web</title><link>javascript:alert(1)</link><description>Tekst van het bericht.</description></item>
</channel></rss>"""


def test_relative_links_resolve_against_the_feed_url_and_other_schemes_are_dropped():
    first, second = read_feed(RELATIVE, url="https://www.lokaal.nl/feeds/nieuws.xml")
    assert first.url == "https://www.lokaal.nl/nieuws/markt-verhuist"
    assert second.url is None and "url" not in second.provided


def test_a_malformed_feed_that_still_parses_is_read_with_a_warning(caplog):
    raw = b"<rss version='2.0'><channel><title>Slordig</title><item><title>Kaas & wijn</title>" \
          b"<description>De kaasmarkt in Alkmaar opent weer.</description></item></channel></rss>"
    with caplog.at_level(logging.WARNING, logger="summarizer.inputs.feeds"):
        (entry,) = read_feed(raw)
    assert entry.title == "Kaas & wijn" and "kaasmarkt in Alkmaar" in entry.text
    assert "malformed feed" in caplog.text


@pytest.mark.parametrize("raw, match", [
    (b"<html><body><p>Geen feed</p></body></html>", "not an RSS or Atom feed"),
    (b'{"articles": []}', "not an RSS or Atom feed"),
    (b"", "not an RSS or Atom feed"),
    (b"<?xml version='1.0'?><rss version='2.0'><channel><title>Leeg</title></channel></rss>", "no entries"),
])
def test_not_a_feed_or_an_empty_one_is_refused(raw, match):
    with pytest.raises(InputFormatError, match=match):
        read_feed(raw)


@pytest.mark.parametrize("raw, expected", [
    (b"<?xml version='1.0'?>\n<rss version='2.0'><channel/></rss>", True),
    (b"\xef\xbb\xbf<?xml version='1.0'?><?xml-stylesheet href='s.xsl'?><!-- feed --><feed xmlns='http://www.w3.org/2005/Atom'>", True),
    (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", True),
    ("<?xml version='1.0' encoding='utf-16'?><rss version='2.0'>".encode("utf-16"), True),
    (b"<!DOCTYPE html><html><head><title>rss feed</title></head>", False),
    (b'{"feed": "<rss>"}', False),
    (b"<feedback>niet</feedback>", False),
])
def test_looks_like_feed(raw, expected):
    assert looks_like_feed(raw) is expected


def test_looks_like_feed_on_the_fixtures(data):
    assert all(looks_like_feed((data / name).read_bytes()) for name in ("rss2.xml", "atom.xml", "rdf.rss"))
    assert not looks_like_feed((data / "page.html").read_bytes())
