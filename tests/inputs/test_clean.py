"""Text fields to plain text: HTML unwrapped into paragraphs, whitespace and trailing teaser links tidied."""

from __future__ import annotations

import pytest

from summarizer.inputs.clean import one_line, to_text, web_url
from summarizer.inputs.document import Document, RecordError


@pytest.mark.parametrize("value, expected", [
    ("<p>Eerste alinea.</p><p>Tweede alinea.</p>", "Eerste alinea.\n\nTweede alinea."),
    ("Regel een.<br>Regel twee.<br/><br/>Regel drie.", "Regel een.\n\nRegel twee.\n\nRegel drie."),
    ("<p>Prijs: &euro;&nbsp;5 &amp; meer &#8211; ook &#x27;s avonds</p>", "Prijs: € 5 & meer – ook 's avonds"),
    ("<p>Tekst.</p><script>var x = '<p>nee</p>';</script><style>p{color:red}</style>", "Tekst."),
    ("<p>Veel    ruimte\n\t binnen   een alinea.</p>", "Veel ruimte binnen een alinea."),
    ("<ul><li>Punt een</li><li>Punt twee</li></ul>", "Punt een\n\nPunt twee"),
    ("<p>Voor.</p><!-- reclame --><p>Na.</p>", "Voor.\n\nNa."),
    ("<figure><img src='a.jpg'><figcaption>Foto: ANP</figcaption></figure><p>Tekst.</p>", "Tekst."),
    ("<p>Het nieuws.</p><p><a href='/x'>Lees verder</a></p>", "Het nieuws."),
    ("<p>Het nieuws. <a href='/x'>Lees meer »</a></p>", "Het nieuws."),
    ("Het nieuws in het kort. Read more", "Het nieuws in het kort."),
    ("Het kabinet wil meer geld… [+2345 chars]", "Het kabinet wil meer geld…"),
    ("Het bericht gaat door [&#8230;]", "Het bericht gaat door"),
    ("Het bericht gaat door [...] Lees verder", "Het bericht gaat door"),
    ("<p>Tekst.</p><p>The post Tekst appeared first on Nieuwssite.</p>", "Tekst."),
    ("<p>Tekst.</p><p>Het bericht Tekst verscheen eerst op Nieuwssite.</p>", "Tekst."),
    ("Wie wil er meer lezen", "Wie wil er meer lezen"),  # not a link: no sentence end before it
    ("Alinea een\nzelfde alinea\n\nAlinea twee", "Alinea een zelfde alinea\n\nAlinea twee"),
    ("Regel een\r\nRegel twee", "Regel een\n\nRegel twee"),
    ("3 < 4 en 5 > 2", "3 < 4 en 5 > 2"),  # not markup
    ("", ""),
])
def test_to_text(value, expected):
    assert to_text(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("https://nos.nl/artikel/1", "https://nos.nl/artikel/1"),
    ("  http://example.org/a  ", "http://example.org/a"),
    ("file:///etc/passwd", None), ("ftp://example.org/x", None), ("javascript:alert(1)", None),
    ("data:text/html,hoi", None), ("//nos.nl/artikel", None), ("https://", None), ("https://nos.nl/a b", None),
    (42, None), (None, None),
])
def test_web_url(value, expected):
    assert web_url(value) == expected


def test_one_line():
    assert one_line("  <b>Jan</b>\n de   Vries ") == "Jan de Vries"
    assert one_line(["Jan"]) is None and one_line("   ") is None and one_line(True) is None


def test_document_checks_its_invariants():
    with pytest.raises(ValueError, match="http"):
        Document(text="Tekst.", origin="json", url="file:///etc/passwd")
    with pytest.raises(ValueError, match="origin"):
        Document(text="Tekst.", origin="pdf")
    with pytest.raises(ValueError, match="unknown"):
        Document(text="Tekst.", origin="json", provided=("title", "colour"))
    assert str(RecordError("4", "no text")) == "record 4: no text"
