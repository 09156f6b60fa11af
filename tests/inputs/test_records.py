"""JSON and JSON Lines exports: one record, one article; the common field names of news APIs and scrapers."""

from __future__ import annotations

import json

import pytest

from summarizer.inputs.document import Document, InputFormatError, RecordError
from summarizer.inputs.records import ENVELOPE_KEYS, FIELD_KEYS, read_json, read_jsonl

ARTICLE = "De gemeenteraad van Arnhem stemt in met een nieuw zwembad. Het bad opent in 2027."


def one(record: object) -> Document | RecordError:
    (result,) = read_json(json.dumps(record).encode())
    return result


def test_newsapi_envelope(data):
    first, second, removed = read_json((data / "newsapi.json").read_bytes())
    assert first.title == "Maastricht wil minder toeristenbussen in het centrum"  # " - Dagblad van het Zuiden" dropped
    assert first.site == "Dagblad van het Zuiden"  # source.name
    assert first.author == "Bram Willems"
    assert (first.published, first.time) == ("2024-04-08", "06:45")
    assert first.url == "https://www.dagbladvanhetzuiden-voorbeeld.nl/maastricht/minder-toeristenbussen"
    # content is cut at 200 characters: the longer description is the better text, and no marker is left
    assert "twee vaste plekken aan de rand van het centrum" in first.text
    assert "chars]" not in first.text
    assert second.text.split("\n\n") == [
        "Het kabinet wil dat er de komende vijf jaar honderdduizend betaalbare huurwoningen bij komen.",
        "Gemeenten krijgen daarvoor extra bouwgrond van het Rijk.",
    ]  # HTML in the description
    assert second.author is None and "author" not in second.provided
    assert isinstance(removed, RecordError) and removed.part == "2" and "withheld" in removed.problem


def test_newsdata_envelope(data):
    first, second, empty = read_json((data / "newsdata.json").read_bytes())
    assert first.author == "Anouk Peeters, Tom Hendriks"  # creator: a list
    assert first.site == "Limburgs Nieuws"  # source_name before source_id
    assert (first.published, first.time) == ("2024-07-03", "08:20")
    assert first.url == "https://www.limburgsnieuws-voorbeeld.nl/regio/dijken-maas-venlo"
    assert len(first.text.split("\n\n")) == 3 and "inloopavond" in first.text  # full content, not the description
    assert "ONLY AVAILABLE" not in second.text and "verkort de route tussen Nieuwegein en Utrecht" in second.text
    assert second.site == "stadsnieuws"  # source_id
    assert isinstance(empty, RecordError) and empty.part == "2" and "no text" in empty.problem
    assert "title" in empty.problem  # it says what the record does have


def test_bare_list_of_scraped_records(data):
    first, second, no_text, not_a_record = read_json((data / "scraped.json").read_bytes())
    assert first.title == "Schiphol test stillere vliegtuigtrappen & bagagewagens"  # entity decoded
    assert (first.published, first.time) == ("2024-05-01", "08:00")  # epoch seconds, UTC
    assert first.author == "Iris van Dam, Mehmet Yilmaz"  # a list of {"name": ...}
    assert first.site == "Luchtvaartnieuws"  # source.name
    assert "ads.push" not in first.text and len(first.text.split("\n\n")) == 3
    assert second.text.count("\n\n") == 2  # one paragraph per line when there are no blank lines
    assert (second.published, second.time) == ("2024-05-06", "10:00")  # RFC 2822
    assert second.url is None and "url" not in second.provided  # an ftp: link is not kept
    assert isinstance(no_text, RecordError) and no_text.part == "2"
    assert isinstance(not_a_record, RecordError) and not_a_record.part == "3" and "not a record" in not_a_record.problem


def test_single_record_has_no_part(data):
    (doc,) = read_json((data / "single.json").read_bytes())
    assert doc.part is None and doc.origin == "json"
    assert (doc.title, doc.site, doc.author) == ("Rotterdamse haven slaat minder containers over", "De Havenkrant",
                                                  "Lisa Vermeulen")
    assert (doc.published, doc.time) == ("2024-04-17", "07:00")
    assert "onrust rond de Rode Zee" in doc.text


def test_jsonl_with_bom_blank_line_and_a_broken_line(data):
    results = read_jsonl((data / "export.jsonl").read_bytes())
    assert [type(r) for r in results] == [Document, RecordError, Document, RecordError]
    assert [r.part for r in results] == ["0", "1", "2", "3"]  # blank lines are not records
    first, broken, third, no_text = results
    assert first.title == "Gemeente Leiden plant extra laadpalen"  # the BOM did not break the first line
    assert first.origin == "jsonl" and first.author == "Joost de Groot" and first.site == "leidsnieuws"
    assert "line 3" in broken.problem and "not valid JSON" in broken.problem
    assert third.text.startswith("De Keukenhof verwacht") and third.published == "2024-03-21" and third.time is None
    assert "line 5" in no_text.problem and "no text" in no_text.problem


def test_parts_never_collide(data):
    for name in ("newsapi.json", "newsdata.json", "scraped.json"):
        parts = [r.part for r in read_json((data / name).read_bytes())]
        assert len(set(parts)) == len(parts)


@pytest.mark.parametrize("key", ENVELOPE_KEYS)
def test_every_envelope_key_is_found(key):
    (doc,) = read_json(json.dumps({"status": "ok", "total": 1, key: [{"title": "Zwembad", "text": ARTICLE}]}).encode())
    assert doc.text == ARTICLE and doc.part == "0"


@pytest.mark.parametrize("wrapped", [
    {"response": {"status": "ok", "results": [{"webTitle": "Zwembad", "body": ARTICLE}]}},  # The Guardian
    {"took": 3, "hits": {"total": 1, "hits": [{"_id": "a1", "_source": {"title": "Zwembad", "content": ARTICLE}}]}},
])
def test_nested_envelopes_and_search_hits(wrapped):
    (doc,) = read_json(json.dumps(wrapped).encode())
    assert doc.text == ARTICLE and doc.title == "Zwembad"


@pytest.mark.parametrize("key", FIELD_KEYS["text"])
def test_every_text_key_is_read(key):
    assert one({key: ARTICLE}).text == ARTICLE


def test_field_names_match_case_insensitively_and_wrappers_are_unwrapped():
    doc = one({"Title": {"rendered": "Zwembad &#8211; Arnhem"}, "Content": {"rendered": f"<p>{ARTICLE}</p>"},
               "DATE": {"$date": "2024-09-01T10:15:00Z"}, "Link": "https://www.arnhemnieuws.nl/zwembad"})
    assert doc.title == "Zwembad – Arnhem" and doc.text == ARTICLE
    assert (doc.published, doc.time) == ("2024-09-01", "10:15")
    assert doc.url == "https://www.arnhemnieuws.nl/zwembad"


@pytest.mark.parametrize("value, expected", [
    ("2024-09-01T10:15:00+02:00", ("2024-09-01", "10:15")),
    ("2024-09-01", ("2024-09-01", None)),
    ("Sun, 01 Sep 2024 10:15:00 +0200", ("2024-09-01", "10:15")),
    (1725185700000, ("2024-09-01", "10:15")),  # epoch milliseconds
    ("1725185700", ("2024-09-01", "10:15")),
    ("zondag 1 september 2024, 10:15", ("2024-09-01", "10:15")),
    ("gisteren", (None, None)),
    ("2024-02-30", (None, None)),
])
def test_dates_are_normalised(value, expected):
    doc = one({"text": ARTICLE, "date": value})
    assert (doc.published, doc.time) == expected
    assert ("published" in doc.provided) is (expected[0] is not None)


def test_authors_in_every_shape():
    assert one({"text": ARTICLE, "author": "Eva Smit"}).author == "Eva Smit"
    assert one({"text": ARTICLE, "authors": ["Eva Smit", "Ali Demir", "Eva Smit"]}).author == "Eva Smit, Ali Demir"
    assert one({"text": ARTICLE, "author": {"name": "Eva Smit", "url": "x"}}).author == "Eva Smit"
    assert one({"text": ARTICLE, "author": 17}).author is None  # a WordPress user id is not a name


def test_newsapi_truncation_marker_is_stripped_when_there_is_nothing_longer():
    doc = one({"content": "De raad stemt in met het plan. Volgens de wethouder… [+1234 chars]"})
    assert doc.text == "De raad stemt in met het plan. Volgens de wethouder…"


@pytest.mark.parametrize("raw, match", [
    (b'{"title": "Half', "not valid JSON .*line 1"),
    (b'{"text": "a"}\n{"text": "b"}\n', "name it .jsonl"),
    (b'{"status": "error", "code": "apiKeyInvalid", "message": "Your API key is invalid."}', "Your API key is invalid"),
    (b'{"status": "error", "results": {"message": "Rate limit exceeded", "code": "RateLimitExceeded"}}', "Rate limit"),
    (b'{"settings": {"theme": "dark"}}', "no news records found"),
    (b"[]", "empty list"),
    (b'"tekst"', "a string"),
    (b"\xff\xfe\x00{", "not valid JSON|not UTF-8"),
    (b'{"title": "caf\xe9"}', "not UTF-8"),
])
def test_whole_file_errors(raw, match):
    with pytest.raises(InputFormatError, match=match):
        read_json(raw)


def test_utf16_json_with_bom_is_read():
    (doc,) = read_json(json.dumps({"text": ARTICLE}).encode("utf-16"))
    assert doc.text == ARTICLE


@pytest.mark.parametrize("raw, match", [(b"\n \n", "no records"), (b'{\n  "text": "a"\n}\n', "name it .json")])
def test_jsonl_whole_file_errors(raw, match):
    with pytest.raises(InputFormatError, match=match):
        read_jsonl(raw)


def test_jsonl_lines_that_are_not_objects_or_not_utf8():
    results = read_jsonl(b'{"text": "Een goed bericht."}\r\n[1, 2]\n{"text": "caf\xe9"}\n')
    assert isinstance(results[0], Document) and results[0].text == "Een goed bericht."  # CRLF line ends
    assert "line 2" in results[1].problem and "list" in results[1].problem
    assert "line 3" in results[2].problem and "UTF-8" in results[2].problem


def test_json_feed_items_are_records_despite_the_feeds_own_description():
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Arnhems Nieuws", "description": "Nieuws uit Arnhem",
            "items": [{"id": "1", "url": "https://www.arnhemnieuws.nl/zwembad", "title": "Zwembad",
                       "content_html": f"<p>{ARTICLE}</p>", "date_published": "2024-09-01T10:15:00+02:00",
                       "authors": [{"name": "Eva Smit"}]}]}
    (doc,) = read_json(json.dumps(feed).encode())
    assert (doc.part, doc.text, doc.author, doc.time) == ("0", ARTICLE, "Eva Smit", "10:15")


def test_a_record_with_an_empty_list_or_a_null_error_field_is_still_one_record():
    doc = one({"title": "Zwembad", "content": ARTICLE, "items": [], "error": None})
    assert doc.part is None and doc.text == ARTICLE
