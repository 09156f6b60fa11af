"""Fetching a page or feed over http(s): bounded in time, size and redirects, cached with conditional GET."""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from . import webcache

__all__ = ["MAX_REDIRECTS", "PROJECT_URL", "FetchError", "Fetched", "fetch", "user_agent"]

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/summarize-nl/summarize"  # named in the user agent so site owners can find us
MAX_REDIRECTS = 5
_ACCEPT = ("text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, application/feed+json, "
           "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
_CHUNK = 65536
_SCHEMES = ("http", "https")


class FetchError(Exception):
    """A URL could not be fetched; the one-line message names the URL, the cause and a fix."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem


@dataclass(frozen=True)
class Fetched:
    """A fetched (or cached) response."""

    url: str  # final URL, after redirects
    content_type: str | None  # the Content-Type header as sent
    body: bytes
    from_cache: bool  # True for a 304, offline mode, or a network failure with a cached copy


def user_agent() -> str:
    """``summarize/<version> (+<project URL>)``."""
    import summarizer

    return f"summarize/{summarizer.__version__} (+{PROJECT_URL})"


def fetch(url: str, *, cache_dir: Path | None, timeout: float = 20, max_bytes: int = 5_000_000,
          offline: bool = False) -> Fetched:
    """Fetch ``url`` (http/https only), reusing the cached copy when the server answers 304 or the network fails.

    Args:
        url: the page or feed to fetch.
        cache_dir: folder of cached responses (``<sha256 of url>.body`` + ``.json``); None caches nothing.
        timeout: seconds for the whole request, from connecting to the last byte.
        max_bytes: largest body accepted; reading stops past it.
        offline: use the cached copy only, never the network.

    Raises:
        FetchError: DNS failure, refused connection, timeout, HTTP 4xx/5xx, too large, too many redirects,
            a scheme other than http/https (asked for or redirected to), or offline without a cached copy.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES or not parts.netloc:
        kind = f"a {parts.scheme}: URL" if parts.scheme else "not a URL"
        raise FetchError(url, f"{kind}; only http:// and https:// addresses can be fetched")
    try:
        parts.port  # a non-numeric or out-of-range port raises here
    except ValueError as exc:
        raise FetchError(url, f"not a valid URL ({exc}); check it for typing errors") from None
    cached = webcache.load(cache_dir, url) if cache_dir is not None else None
    if offline:
        if cached is None:
            raise FetchError(url, "not in the cache and offline mode is on; fetch it once while online")
        return _from_cache(cached)
    headers = {"User-Agent": user_agent(), "Accept": _ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if cached is not None and cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached is not None and cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    deadline = time.monotonic() + timeout
    try:
        request = urllib.request.Request(_ascii_url(url), headers=headers)
        with _opener(url).open(request, timeout=timeout) as response:
            body = _read(response, url, max_bytes=max_bytes, deadline=deadline, timeout=timeout)
            final_url, info = response.geturl(), response.headers
    except HTTPError as exc:
        exc.close()
        if exc.code == 304 and cached is not None:
            log.info("%s: not modified, cached copy reused", url)
            return _from_cache(cached)
        if exc.code >= 500 and cached is not None:
            log.warning("%s: HTTP %d; using the copy cached %s", url, exc.code, cached.fetched)
            return _from_cache(cached)
        raise FetchError(url, _http_problem(exc.code, exc.reason)) from None
    except (URLError, OSError, http.client.HTTPException) as exc:
        problem = _network_problem(exc, parts.hostname or url, timeout)
        if cached is not None:
            log.warning("%s: %s; using the copy cached %s", url, problem.split(";")[0], cached.fetched)
            return _from_cache(cached)
        raise FetchError(url, problem) from None
    except ValueError as exc:  # http.client.InvalidURL, a bad port, a host name IDNA cannot encode
        raise FetchError(url, f"not a valid URL ({exc}); check it for typing errors") from None
    content_type = info.get("Content-Type")
    if cache_dir is not None:
        webcache.store(cache_dir, url, final_url=final_url, content_type=content_type, etag=info.get("ETag"),
                       last_modified=info.get("Last-Modified"), body=body)
    return Fetched(url=final_url, content_type=content_type, body=body, from_cache=False)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most MAX_REDIRECTS redirects, and only to http/https URLs."""

    max_redirections = max_repeats = MAX_REDIRECTS + 1  # urllib's own loop checks: ours come first

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def http_error_302(self, req, fp, code, msg, headers):
        """Refuse a redirect to another scheme or one too many, then follow it as urllib does."""
        target = headers.get("location") or headers.get("uri")
        if target is not None:
            new_url = urljoin(req.full_url, target)
            scheme = urlsplit(new_url).scheme.lower()
            if scheme not in _SCHEMES:
                fp.close()
                raise FetchError(self.origin, f"redirected to a {scheme or 'relative'}: URL ({new_url}), which is never "
                                              "followed; only redirects to http:// and https:// are")
            if getattr(req, "hops", 0) >= MAX_REDIRECTS:
                fp.close()
                raise FetchError(self.origin, f"more than {MAX_REDIRECTS} redirects (a redirect loop?); open the URL "
                                              "in a browser and use the address it ends at")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        """A GET of the new URL with the same headers (308 included, which Python 3.10's urllib does not follow)."""
        kept = {k: v for k, v in req.header_items() if k.lower() not in ("host", "content-length", "content-type")}
        new = urllib.request.Request(_ascii_url(newurl), headers=kept, origin_req_host=req.origin_req_host,
                                     unverifiable=True)
        new.hops = getattr(req, "hops", 0) + 1
        return new


def _opener(url: str) -> urllib.request.OpenerDirector:
    """An opener that speaks http and https only: no file:, ftp: or data: handlers at all."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(), urllib.request.HTTPHandler(),
                    urllib.request.HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(), _Redirects(url),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def _ascii_url(url: str) -> str:
    """The URL as HTTP sends it: an IDNA host name, non-ASCII and spaces in path and query percent-encoded."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        host = parts.hostname or ""
        netloc = netloc.replace(host, host.encode("idna").decode("ascii")) if host in netloc else netloc
    path = quote(parts.path, safe="/%:@!$&'()*+,;=~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=~?")
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def _read(response: http.client.HTTPResponse, url: str, *, max_bytes: int, deadline: float, timeout: float) -> bytes:
    """The body, never more than ``max_bytes`` + 1 bytes read, decompressed if the server compressed it."""
    too_large = f"larger than {max_bytes:,} bytes; raise the size limit if this really is one article or feed"
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(url, f"{int(length):,} bytes, " + too_large)
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no complete response within {timeout:g} s")
        chunk = response.read1(min(_CHUNK, max_bytes + 1 - size))  # what has arrived, so the deadline is checked
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > max_bytes:
        raise FetchError(url, too_large)
    body = b"".join(chunks)
    encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        try:
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
            body = inflater.decompress(body, max_bytes + 1)
        except zlib.error as exc:
            raise FetchError(url, f"the server sent a broken {encoding} body ({exc}); try again later") from None
        if len(body) > max_bytes or inflater.unconsumed_tail:
            raise FetchError(url, too_large)
    return body


def _from_cache(cached: webcache.Cached) -> Fetched:
    return Fetched(url=cached.final_url, content_type=cached.content_type, body=cached.body, from_cache=True)


def _http_problem(code: int, reason: object) -> str:
    """What an HTTP error status means for the user, and what to do."""
    status = f"HTTP {code} {reason}".strip()
    if code in (404, 410):
        return f"{status}: the page does not exist (any more); check the URL"
    if code in (401, 402, 403, 451):
        return f"{status}: access denied (login, paywall or blocked client); save the page from a browser instead"
    if code == 429:
        return f"{status}: too many requests; wait a while and try again"
    if code >= 500:
        return f"{status}: the server failed; try again later"
    return f"{status}: the server refused the request; check the URL"


def _network_problem(exc: BaseException, host: str, timeout: float) -> str:
    """A one-line cause and fix for a failure below HTTP: DNS, refused connection, timeout, TLS."""
    reason = exc.reason if isinstance(exc, URLError) and isinstance(exc.reason, BaseException) else exc
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve the host name {host} (DNS); check the URL's spelling and the network connection"
    if isinstance(reason, ConnectionRefusedError):
        return f"connection refused by {host}; check the URL (and its port) or try again later"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no complete response within {timeout:g} s; try again later or raise the timeout"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"the TLS certificate of {host} is not trusted ({reason.verify_message}); check the URL"
    if isinstance(reason, ssl.SSLError):
        return f"TLS failure talking to {host} ({reason.reason or reason}); try again later"
    if isinstance(reason, (ConnectionError, http.client.HTTPException)):
        return f"the connection to {host} broke off ({type(reason).__name__}); try again later"
    detail = reason.reason if isinstance(reason, URLError) else reason
    return f"network error ({detail}); check the URL and the network connection"
