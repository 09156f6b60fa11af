"""One registry from extensions and content types to readers, and one entry point for all of them."""

from __future__ import annotations

import pytest

from summarizer.inputs.document import Document, InputFormatError, RecordError
from summarizer.inputs.kinds import (
    READERS,
    read_bytes,
    reader_for_content_type,
    reader_for_path,
)


@pytest.mark.parametrize("path, kind", [
    ("a/pagina.html", "html"), ("PAGINA.HTM", "html"), ("feed.xml", "feed"), ("nieuws.rss", "feed"),
    ("nieuws.atom", "feed"), ("export.json", "json"), ("export.jsonl", "jsonl"), ("export.ndjson", "jsonl"),
    ("artikel.txt", "text"), ("scan.pdf", None), ("geen-extensie", None),
])
def test_reader_for_path(path, kind):
    assert reader_for_path(path) == kind


@pytest.mark.parametrize("content_type, fixture, kind", [
    ("text/html; charset=utf-8", "page.html", "html"),
    ("application/xhtml+xml", "page.html", "html"),
    ("application/rss+xml", "rss2.xml", "feed"),
    ("application/atom+xml", "atom.xml", "feed"),
    ("application/xml", "rdf.rss", "feed"),
    ("text/xml", "page.html", "html"),  # ambiguous type: the body decides
    ("text/html", "rss2.xml", "feed"),  # a feed served as HTML
    ("application/json", "newsapi.json", "json"),
    ("application/x-ndjson", "export.jsonl", "jsonl"),
    ("application/octet-stream", "export.jsonl", "jsonl"),
    (None, "newsapi.json", "json"),
    (None, "atom.xml", "feed"),
    ("", "page.html", "html"),
    ("text/plain", "single.json", "json"),
])
def test_reader_for_content_type(content_type, fixture, kind, data):
    assert reader_for_content_type(content_type, (data / fixture).read_bytes()) == kind


def test_plain_text_without_other_signs_is_text():
    assert reader_for_content_type("text/plain", b"Gewoon een artikel.\n") == "text"


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf", "video/mp4"])
def test_unreadable_content_types_are_refused(content_type):
    with pytest.raises(InputFormatError, match="not a page, feed or JSON"):
        reader_for_content_type(content_type, b"\x89PNG")


@pytest.mark.parametrize("kind, fixture, count", [
    ("html", "page.html", 1), ("feed", "rss2.xml", 3), ("feed", "atom.xml", 2), ("json", "newsdata.json", 3),
    ("jsonl", "export.jsonl", 4),
])
def test_read_bytes_dispatches_to_every_reader(kind, fixture, count, data):
    results = read_bytes(kind, (data / fixture).read_bytes(), url="https://www.example.org/bron")
    assert len(results) == count and all(isinstance(r, (Document, RecordError)) for r in results)
    assert {r.origin for r in results if isinstance(r, Document)} == {kind}


def test_read_bytes_text():
    (doc,) = read_bytes("text", "\ufeffKop\r\n\r\nDe tekst van het artikel.".encode())
    assert (doc.origin, doc.text) == ("text", "Kop\n\nDe tekst van het artikel.")
    with pytest.raises(InputFormatError, match="empty"):
        read_bytes("text", b"  \n")


def test_unknown_reader_name():
    with pytest.raises(ValueError, match="no reader named 'pdf'"):
        read_bytes("pdf", b"")
    assert set(READERS) == {"html", "feed", "json", "jsonl", "text"}
