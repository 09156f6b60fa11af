"""A local HTTP server for the fetch tests: pages, feeds, redirects, 304s, slow and oversized answers."""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DATA = Path(__file__).parent / "data"
ETAG = '"page-v1"'
LAST_MODIFIED = "Thu, 02 May 2024 12:30:00 GMT"


class Handler(BaseHTTPRequestHandler):
    """Routes by path; every request is logged on the server as (path, headers)."""

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))  # type: ignore[attr-defined]
        path = self.path.split("?")[0]
        if path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            return self._redirect(302, f"/hop/{left - 1}" if left > 0 else "/page.html")
        route = {
            "/page.html": self._page, "/feed": self._feed, "/loop": lambda: self._redirect(302, "/loop"),
            "/to-file": lambda: self._redirect(302, "file:///etc/passwd"),
            "/to-ftp": lambda: self._redirect(307, "ftp://127.0.0.1/feed.xml"),
            "/relative": lambda: self._redirect(301, "page.html"),
            "/permanent": lambda: self._redirect(308, "/feed"),
            "/big": self._big, "/big-declared": self._big_declared, "/slow": self._slow, "/slow-body": self._slow_body,
            "/missing": lambda: self._send(404, b"not found", "text/plain"),
            "/broken": lambda: self._send(503, b"down", "text/plain"),
            "/gzip": lambda: self._send(200, gzip.compress((DATA / "page.html").read_bytes()), "text/html",
                                        {"Content-Encoding": "gzip"}),
            "/export": lambda: self._send(200, (DATA / "export.jsonl").read_bytes(), "application/octet-stream"),
            "/newsapi": lambda: self._send(200, (DATA / "newsapi.json").read_bytes(), "application/json; charset=utf-8"),
            "/atom-as-xml": lambda: self._send(200, (DATA / "atom.xml").read_bytes(), "application/xml"),
            "/logo.png": lambda: self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
        }.get(path)
        if route is None:
            return self._send(404, b"no such route", "text/plain")
        try:
            route()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size limits): what those tests want

    def _page(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            return self._send(304, b"", None, {"ETag": ETAG})
        self._send(200, (DATA / "page.html").read_bytes(), "text/html; charset=utf-8", {"ETag": ETAG})

    def _feed(self) -> None:
        if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return self._send(304, b"", None)
        self._send(200, (DATA / "rss2.xml").read_bytes(), "application/rss+xml", {"Last-Modified": LAST_MODIFIED})

    def _redirect(self, code: int, location: str) -> None:
        self._send(code, b"", "text/plain", {"Location": location})

    def _big(self) -> None:  # no Content-Length: the client must stop reading by itself
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(40):
            self.wfile.write(b"<p>" + b"x" * 8192 + b"</p>")

    def _big_declared(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "10000000")
        self.end_headers()
        self.wfile.write(b"<html>")

    def _slow(self) -> None:
        time.sleep(1.0)
        self._send(200, b"<p>te laat</p>", "text/html")

    def _slow_body(self) -> None:  # each piece arrives within the socket timeout, the whole body does not
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(8):
            self.wfile.write(b"<p>druppel</p>")
            self.wfile.flush()
            time.sleep(0.15)

    def _send(self, code: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if code != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if code != 304:
            self.wfile.write(body)


class Server:
    """The server running on 127.0.0.1 on a free port, in a daemon thread, until stop()."""

    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.requests = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        return self.httpd.requests  # type: ignore[attr-defined]

    def url(self, path: str) -> str:
        return self.base + path

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
