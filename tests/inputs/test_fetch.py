"""Fetching URLs from a local server: redirects, conditional GET, limits, errors and the offline cache."""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest

import summarizer
from summarizer.inputs import webcache
from summarizer.inputs.document import Document, InputFormatError, RecordError
from summarizer.inputs.fetch import FetchError, fetch
from summarizer.inputs.kinds import read_url

from .webserver import ETAG, Server


def requests_to(server, path):
    return [headers for p, headers in server.requests if p == path]


def test_a_page_is_fetched_with_our_user_agent(server, data, tmp_path):
    got = fetch(server.url("/page.html"), cache_dir=tmp_path)
    assert got.body == (data / "page.html").read_bytes()
    assert got.content_type == "text/html; charset=utf-8" and not got.from_cache
    assert got.url == server.url("/page.html")
    agent = requests_to(server, "/page.html")[-1]["User-Agent"]
    assert agent.startswith(f"summarize/{summarizer.__version__} (+https://")


def test_etag_revalidation_reuses_the_cached_body(server, tmp_path):
    url = server.url("/page.html")
    first = fetch(url, cache_dir=tmp_path)
    body_path, meta_path = webcache.paths(tmp_path, url)
    assert body_path.read_bytes() == first.body and json.loads(meta_path.read_text())["etag"] == ETAG
    assert not list(tmp_path.glob("*.tmp")) and body_path.stem == webcache.paths(tmp_path, url)[0].stem
    second = fetch(url, cache_dir=tmp_path)
    assert requests_to(server, "/page.html")[-1]["If-None-Match"] == ETAG  # a conditional GET...
    assert second.from_cache and second.body == first.body  # ...answered 304


def test_last_modified_revalidation(server, tmp_path):
    url = server.url("/feed")
    assert not fetch(url, cache_dir=tmp_path).from_cache
    again = fetch(url, cache_dir=tmp_path)
    assert "If-Modified-Since" in requests_to(server, "/feed")[-1] and again.from_cache
    assert again.content_type == "application/rss+xml"


def test_without_a_cache_folder_nothing_is_revalidated(server, tmp_path):
    fetch(server.url("/page.html"), cache_dir=None)
    assert not fetch(server.url("/page.html"), cache_dir=None).from_cache
    assert "If-None-Match" not in requests_to(server, "/page.html")[-1]


def test_a_damaged_cache_entry_is_ignored(server, tmp_path):
    url = server.url("/page.html")
    fetch(url, cache_dir=tmp_path)
    webcache.paths(tmp_path, url)[0].write_bytes(b"half a page")
    got = fetch(url, cache_dir=tmp_path)
    assert not got.from_cache and b"Oudegracht" in got.body
    assert "If-None-Match" not in requests_to(server, "/page.html")[-1]


@pytest.mark.parametrize("path, final", [("/hop/4", "/page.html"), ("/relative", "/page.html"), ("/permanent", "/feed")])
def test_redirects_are_followed_within_the_limit(server, path, final):
    got = fetch(server.url(path), cache_dir=None)
    assert got.url == server.url(final) and got.body


@pytest.mark.parametrize("path", ["/hop/5", "/loop"])
def test_too_many_redirects(server, path):
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(server.url(path), cache_dir=None)


@pytest.mark.parametrize("path, scheme", [("/to-file", "file"), ("/to-ftp", "ftp")])
def test_redirects_to_other_schemes_are_refused(server, path, scheme):
    with pytest.raises(FetchError, match=f"redirected to a {scheme}: URL") as caught:
        fetch(server.url(path), cache_dir=None)
    assert "root:" not in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed.xml", "data:text/html,<p>x</p>",
                                 "javascript:alert(1)", "nos.nl/artikel", "https://"])
def test_only_http_and_https_urls(url, tmp_path):
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch(url, cache_dir=tmp_path)


def test_a_body_over_the_limit_is_not_read_to_the_end(server):
    with pytest.raises(FetchError, match="larger than 100,000 bytes"):
        fetch(server.url("/big"), cache_dir=None, max_bytes=100_000)
    with pytest.raises(FetchError, match="10,000,000 bytes, larger than"):
        fetch(server.url("/big-declared"), cache_dir=None, max_bytes=100_000)


def test_compressed_bodies_are_inflated_and_still_bounded(server, data):
    assert fetch(server.url("/gzip"), cache_dir=None).body == (data / "page.html").read_bytes()
    with pytest.raises(FetchError, match="larger than 1,000 bytes"):
        fetch(server.url("/gzip"), cache_dir=None, max_bytes=1_000)


@pytest.mark.parametrize("path", ["/slow", "/slow-body"])
def test_timeouts_cover_the_whole_response(server, path):
    start = time.monotonic()
    with pytest.raises(FetchError, match="no complete response within 0.4 s"):
        fetch(server.url(path), cache_dir=None, timeout=0.4)
    assert time.monotonic() - start < 0.9


@pytest.mark.parametrize("path, match", [("/missing", "HTTP 404 Not Found: the page does not exist"),
                                         ("/broken", "HTTP 503 Service Unavailable: the server failed")])
def test_http_errors(server, path, match):
    with pytest.raises(FetchError, match=match) as caught:
        fetch(server.url(path), cache_dir=None)
    assert str(caught.value).startswith(server.url(path) + ": ")


def test_non_ascii_urls_are_encoded_not_a_crash(server):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(server.url("/nieuws/caf\u00e9 terras"), cache_dir=None)
    assert server.requests[-1][0] == "/nieuws/caf%C3%A9%20terras"
    with pytest.raises(FetchError, match="not a valid URL"):
        fetch("http://127.0.0.1:poort/nieuws", cache_dir=None)


def test_a_refused_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="connection refused by 127.0.0.1"):
        fetch(f"http://127.0.0.1:{port}/nieuws", cache_dir=None)


def test_a_dns_failure(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(FetchError, match=r"cannot resolve the host name nieuws\.invalid \(DNS\)"):
        fetch("https://nieuws.invalid/artikel", cache_dir=None)


def test_offline_the_cached_copy_is_used_and_the_network_is_not(tmp_path):
    site = Server()
    url = site.url("/page.html")
    try:
        online = fetch(url, cache_dir=tmp_path)
        seen = len(site.requests)
        offline = fetch(url, cache_dir=tmp_path, offline=True)
        assert offline.from_cache and offline.body == online.body and len(site.requests) == seen
        with pytest.raises(FetchError, match="not in the cache and offline mode is on"):
            fetch(site.url("/feed"), cache_dir=tmp_path, offline=True)
    finally:
        site.stop()


def test_when_the_network_fails_the_cached_copy_is_used_with_a_warning(tmp_path, caplog):
    site = Server()
    url = site.url("/feed")
    try:
        online = fetch(url, cache_dir=tmp_path)
    finally:
        site.stop()  # the server is gone: the connection is refused
    with caplog.at_level(logging.WARNING, logger="summarizer.inputs.fetch"):
        again = fetch(url, cache_dir=tmp_path)
    assert again.from_cache and again.body == online.body and again.content_type == "application/rss+xml"
    assert "connection refused" in caplog.text and "using the copy cached" in caplog.text


def test_read_url_picks_the_reader_by_content_type_then_by_sniffing(server, tmp_path):
    (page,) = read_url(server.url("/page.html"), cache_dir=tmp_path)
    assert page.origin == "html" and page.author == "Sanne de Vries"
    feed = read_url(server.url("/atom-as-xml"), cache_dir=tmp_path)  # application/xml: sniffed as a feed
    assert [d.origin for d in feed] == ["feed", "feed"]
    records = read_url(server.url("/export"), cache_dir=tmp_path)  # octet-stream: sniffed as JSON Lines
    assert [type(r) for r in records] == [Document, RecordError, Document, RecordError]
    assert [d.site for d in read_url(server.url("/newsapi"), cache_dir=tmp_path)[:2]] == ["Dagblad van het Zuiden",
                                                                                           "Nieuwsplein"]
    with pytest.raises(InputFormatError, match="image/png"):
        read_url(server.url("/logo.png"), cache_dir=tmp_path)
