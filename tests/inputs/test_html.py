"""HTML pages: the article extracted by trafilatura, furniture dropped, the page's own metadata kept."""

from __future__ import annotations

import pytest

from summarizer.inputs.document import InputFormatError
from summarizer.inputs.html import read_html

CANONICAL = "https://www.stadsblad-utrecht.nl/nieuws/2024/03/14/utrecht-sluit-binnenstad-voor-autoverkeer"


@pytest.fixture(scope="module")
def page(data):
    return read_html((data / "page.html").read_bytes(), url="https://mirror.example.org/kopie.html")


def test_the_article_text_is_kept(page):
    for sentence in (
        "Vanaf 1 september kunnen automobilisten niet meer dwars door de Utrechtse binnenstad rijden.",
        "Volgens de gemeente rijden er nu dagelijks ruim twaalfduizend auto's door de binnenstad",
        "zegt Peter Janssen van de ondernemersvereniging",
        "In het voorjaar van 2025 beslist de raad of het plan definitief wordt.",
    ):
        assert sentence in page.text


@pytest.mark.parametrize("furniture", [
    "cookies", "Alles accepteren", "Cookie-instellingen",  # cookie banner
    "Word abonnee", "Regio Utrecht", "Home",  # navigation and breadcrumbs
    "Lees ook", "Ondernemers Oudegracht vrezen", "fietsenstalling onder de Neude",  # read-also block
    "Meest gelezen", "Brand in studentenflat", "uur geleden",  # teasers
    "Facebook", "WhatsApp", "Kopieer link", "Deel dit artikel",  # share buttons
    "nieuwsbrief", "Privacyverklaring", "Alle rechten voorbehouden",  # newsletter, footer
    "dataLayer", "drukke zaterdagmiddag",  # script, photo caption
])
def test_page_furniture_is_dropped(page, furniture):
    assert furniture.lower() not in page.text.lower()


def test_paragraphs_are_blank_line_blocks_without_markup(page):
    paragraphs = page.text.split("\n\n")
    assert len(paragraphs) == 7  # six paragraphs and the intertitle
    assert paragraphs[0].startswith("Vanaf 1 september") and "Kritiek van ondernemers" in paragraphs
    assert all(p.strip() == p and "\n" not in p and "  " not in p for p in paragraphs)
    assert "<" not in page.text and "&quot;" not in page.text
    assert not page.text.startswith("Utrecht sluit binnenstad")  # the headline is the title, not body text


def test_the_pages_metadata_wins(page):
    assert page.title == "Utrecht sluit binnenstad voor doorgaand autoverkeer"  # without " | Stadsblad Utrecht"
    assert (page.published, page.time) == ("2024-03-14", "09:30")  # JSON-LD datePublished, not dateModified
    assert page.author == "Sanne de Vries"
    assert page.site == "Stadsblad Utrecht"
    assert page.url == CANONICAL  # the canonical URL, not the one it was saved from
    assert (page.origin, page.part) == ("html", None)
    assert set(page.provided) == {"title", "published", "time", "author", "url", "site"}


BARE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Storm veroorzaakt schade in Zeeland</title></head>
<body><main><article><h1>Storm veroorzaakt schade in Zeeland</h1>
<p>Een zware storm heeft dinsdagnacht in Zeeland veel schade aangericht. Bomen waaiden om en daken raakten beschadigd.</p>
<p>De brandweer rukte ruim tweehonderd keer uit. Er raakte niemand gewond, meldt de veiligheidsregio.</p>
<p>Het KNMI had code oranje afgegeven voor de hele provincie. Woensdagochtend nam de wind snel af.</p>
</article></main></body></html>"""


def test_fields_the_page_lacks_are_not_marked_provided():
    doc = read_html(BARE_PAGE, url="https://www.zeeuwsnieuws.nl/storm")
    assert "tweehonderd keer uit" in doc.text
    assert doc.url == "https://www.zeeuwsnieuws.nl/storm"  # from the caller: not the page's
    assert "url" not in doc.provided and "site" not in doc.provided and "author" not in doc.provided
    assert doc.author is None and doc.time is None


def test_meta_published_time_and_jsonld_graph_give_the_time():
    graph = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", '
             '"datePublished": "2001-01-01"}, {"@type": ["NewsArticle"], "datePublished": "2024-11-05T16:45:00+01:00"}]}'
             "</script>")
    assert read_html(BARE_PAGE.replace("</head>", graph + "</head>")).time == "16:45"
    meta = '<meta property="article:published_time" content="2024-11-05T07:10:00+01:00">'
    doc = read_html(BARE_PAGE.replace("</head>", '<script type="application/ld+json">{broken</script>' + meta + "</head>"))
    assert (doc.published, doc.time) == ("2024-11-05", "07:10")


def test_the_declared_charset_is_used():
    page = BARE_PAGE.replace('charset="utf-8"', 'charset="windows-1252"')
    page = page.replace("Een zware storm", "Caf\u00e9 De Zwaan: een zware storm")
    assert "Café De Zwaan" in read_html(page.encode("cp1252")).text


@pytest.mark.parametrize("raw", [
    b"<html><head><title>Zoeken</title></head><body><nav><a href='/'>Home</a><a href='/sport'>Sport</a></nav></body></html>",
    (b"<html><body><form><label>E-mail</label><input><button>Inloggen</button></form>"
     b"<p>Nog geen account? Registreer je hier.</p></body></html>"),
    b"",
    b"   ",
])
def test_a_page_without_an_article_is_refused(raw):
    with pytest.raises(InputFormatError, match="no article text found|not an HTML page"):
        read_html(raw)
