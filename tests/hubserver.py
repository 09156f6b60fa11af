"""A fake Hugging Face hub on 127.0.0.1 for tests (Python stdlib only).

It speaks the part of the hub's HTTP API that huggingface_hub 2.4.0 uses to read model repos:

- ``GET /api/models/{repo_id}`` and ``GET /api/models/{repo_id}/revision/{revision}``: model info (``HfApi.model_info``,
  ``repo_info``, the first call of ``snapshot_download``); ``blobs=true`` adds ``size``/``blobId``/``lfs`` to
  ``siblings``; ``expand=`` filters the properties; ``securityStatus=true`` adds ``securityRepoStatus``.
- ``GET /api/models/{repo_id}/tree/{revision}[/{path}]`` with ``recursive``, ``expand`` and a ``cursor``: the tree
  listing (``list_repo_tree``, ``list_repo_files``, ``snapshot_download``), paginated with a ``Link: <...>;
  rel="next"`` header like the hub (1000 entries a page, 50 with ``expand=true``).
- ``HEAD``/``GET /{repo_id}/resolve/{revision}/{path}``: file metadata (``get_hf_file_metadata``) and content
  (``hf_hub_download``), with ``X-Repo-Commit``, ``ETag``, ``X-Linked-Etag``/``X-Linked-Size`` for LFS files,
  ``Accept-Ranges`` and ``Range`` -> ``206``/``Content-Range``. No ``X-Xet-*`` headers, so the client downloads
  over plain HTTP. Unlike the real hub, LFS files are served directly (200), not through a 302 to a CDN.
- Errors carry ``X-Error-Code``/``X-Error-Message`` as on the hub: a missing repo is ``401`` for an anonymous request
  and ``404`` with a token (both ``RepoNotFound``), a missing revision ``404 RevisionNotFound``, a missing file
  ``404 EntryNotFound`` (with ``X-Repo-Commit``), a gated repo's files ``401``/``403 GatedRepo``.

Revisions in URLs are one percent-encoded path segment (``refs%2Fpr%2F1``), as the client sends them.
Only model repos exist; nothing is ever read from disk after ``commit()`` returned.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, quote, unquote, urlsplit

__all__ = ["LFS_PATTERNS", "FakeHub", "LoggedRequest", "git_blob_sha1", "hub_env", "is_lfs"]

# The hub's default .gitattributes (what `create_repo` writes): these names are stored in LFS.
LFS_PATTERNS = (
    "*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5", "*.joblib", "*.lfs.*", "*.mlmodel",
    "*.model", "*.msgpack", "*.npy", "*.npz", "*.onnx", "*.ot", "*.parquet", "*.pb", "*.pickle", "*.pkl", "*.pt",
    "*.pth", "*.rar", "*.safetensors", "saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm", "*.xz",
    "*.zip", "*.zst", "*tfevents*",
)
LFS_THRESHOLD = 10 * 1024 * 1024  # the hub refuses plain git blobs over 10 MiB
_HEX = set("0123456789abcdef")


def git_blob_sha1(data: bytes) -> str:
    """Git's blob id: sha1 of ``b"blob <len>\\0" + data``."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def is_lfs(path: str, size: int) -> bool:
    """Whether the hub would store this file in LFS (default .gitattributes patterns, or over 10 MiB)."""
    name = path.rsplit("/", 1)[-1]
    return size > LFS_THRESHOLD or any(
        fnmatch.fnmatchcase(path, p) if "/" in p else fnmatch.fnmatchcase(name, p) for p in LFS_PATTERNS
    )


@dataclass(frozen=True)
class _Blob:
    """One committed file: its bytes, git oid (of the LFS pointer for LFS files) and LFS sha256."""

    data: bytes
    oid: str
    sha256: str | None
    pointer_size: int | None

    @classmethod
    def make(cls, path: str, data: bytes) -> _Blob:
        """Store `data` the way the hub would (as a git blob or behind an LFS pointer)."""
        if not is_lfs(path, len(data)):
            return cls(data, git_blob_sha1(data), None, None)
        sha256 = hashlib.sha256(data).hexdigest()
        pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {len(data)}\n".encode()
        return cls(data, git_blob_sha1(pointer), sha256, len(pointer))

    @property
    def etag(self) -> str:
        """The ETag the hub sends: the sha256 for LFS files, the git blob id otherwise (quoted)."""
        return f'"{self.sha256 or self.oid}"'


@dataclass(frozen=True)
class _Commit:
    sha: str
    files: Mapping[str, _Blob]
    parent: str | None
    date: str
    title: str


@dataclass
class _Repo:
    created: str
    commits: dict[str, _Commit] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    gate_token: str | None = None


@dataclass
class LoggedRequest:
    """One request as the hub saw it; `status` is None until the response is sent, `file` set for resolve URLs."""

    method: str
    path: str  # percent-decoded URL path
    query: str  # raw query string
    range: str | None  # the Range header
    status: int | None = None
    file: str | None = None  # repo path of a /resolve/ request


@dataclass
class _Rule:
    kind: str  # "fail" | "truncate" | "stall"
    pattern: str
    method: str | None
    times: int
    value: float  # status, byte count or seconds


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _check_path(path: str) -> str:
    parts = path.split("/")
    if not path or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid path in repo: {path!r}")
    return path


class FakeHub:
    """A hub on 127.0.0.1 in a daemon thread; stops on close()/__exit__ and by itself after `lifetime` seconds."""

    tree_page_size: int = 1000  # entries per /tree page (the hub's value; 50 with expand=true)

    def __init__(self, *, lifetime: float = 900):
        """Start serving on a free port of 127.0.0.1."""
        self._lock = threading.RLock()
        self._repos: dict[str, _Repo] = {}
        self._rules: list[_Rule] = []
        self._closed = threading.Event()  # set when close() starts: ends stalls
        self._stopped = threading.Event()  # set when close() has finished
        self.requests: list[LoggedRequest] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.hub = self
        self.endpoint: str = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fakehub", daemon=True
        )
        self._thread.start()
        self._timer = threading.Timer(lifetime, self.close)
        self._timer.daemon = True
        self._timer.start()

    # -- content ------------------------------------------------------------------------------------------------

    def commit(
        self,
        repo_id: str,
        files: Mapping[str, bytes | Path],
        *,
        branch: str | None = "main",
        sha: str | None = None,
        title: str | None = None,
    ) -> str:
        """Add a commit holding exactly `files` (a full snapshot), move `branch` to it unless None; return its sha."""
        blobs = {}
        for path, content in sorted(files.items()):
            data = Path(content).read_bytes() if isinstance(content, (Path, os.PathLike)) else bytes(content)
            blobs[_check_path(path)] = _Blob.make(path, data)
        with self._lock:
            repo = self._repos.setdefault(repo_id, _Repo(created=_now()))
            parent = repo.refs.get(branch or "main") or repo.refs.get("main")
            if sha is None:
                h = hashlib.sha1(f"fakehub commit\0{repo_id}\0{parent}\0".encode())
                for path, blob in blobs.items():
                    h.update(f"{path}\0{blob.oid}\n".encode())
                sha = h.hexdigest()
            if len(sha) != 40 or not set(sha) <= _HEX:
                raise ValueError(f"commit sha must be 40 lowercase hex digits, not {sha!r}")
            old = repo.commits.get(sha)
            if old is not None and {p: b.oid for p, b in old.files.items()} != {p: b.oid for p, b in blobs.items()}:
                raise ValueError(f"commit {sha} already exists in {repo_id} with other files")
            if old is None:
                n = len(repo.commits) + 1
                repo.commits[sha] = _Commit(sha, blobs, parent, _now(), title or f"Commit {n}")
            if branch is not None:
                repo.refs[branch] = sha
        return sha

    def commit_dir(self, repo_id: str, directory: Path, **kw) -> str:
        """Commit every file under `directory`, named by its path relative to it (see `commit`)."""
        directory = Path(directory)
        files = {p.relative_to(directory).as_posix(): p for p in sorted(directory.rglob("*")) if p.is_file()}
        return self.commit(repo_id, files, **kw)

    def gate(self, repo_id: str, *, token: str = "hf_granted") -> None:
        """Gate the repo: its files need `Authorization: Bearer <token>` (401 anonymous, 403 other token)."""
        with self._lock:
            self._repos[repo_id].gate_token = token

    # -- faults ---------------------------------------------------------------------------------------------------

    def fail(self, pattern: str, *, status: int = 500, times: int = 1, method: str | None = None) -> None:
        """The next `times` requests whose decoded URL path matches fnmatch `pattern` get `status`."""
        self._add(_Rule("fail", pattern, method, times, status))

    def truncate(self, pattern: str, *, after: int, times: int = 1) -> None:
        """The next `times` matching file GETs send the full Content-Length but only `after` bytes, then hang up."""
        self._add(_Rule("truncate", pattern, "GET", times, after))

    def stall(self, pattern: str, *, seconds: float, times: int = 1, method: str | None = None) -> None:
        """Delay the next `times` matching responses by `seconds` (to provoke client timeouts)."""
        self._add(_Rule("stall", pattern, method, times, seconds))

    def _add(self, rule: _Rule) -> None:
        with self._lock:
            self._rules.append(rule)

    def _take(self, kind: str, path: str, method: str) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                if (
                    rule.kind == kind
                    and rule.times > 0
                    and (rule.method is None or rule.method.upper() == method)
                    and fnmatch.fnmatchcase(path, rule.pattern)
                ):
                    rule.times -= 1
                    return rule
        return None

    # -- log ------------------------------------------------------------------------------------------------------

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def downloads(self) -> list[str]:
        """Repo paths of the files fetched with GET .../resolve/... (status 200 or 206), in order."""
        with self._lock:
            return [r.file for r in self.requests if r.method == "GET" and r.file and r.status in (200, 206)]

    # -- lifecycle ------------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether the hub has stopped serving."""
        return self._stopped.is_set()

    def close(self) -> None:
        """Stop serving and hang up every open connection (idempotent)."""
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()
        self._server.hang_up_all()
        self._stopped.set()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- lookups used by the handler ------------------------------------------------------------------------------

    def _lookup(self, repo_id: str, revision: str) -> tuple[_Repo | None, _Commit | None]:
        with self._lock:
            repo = self._repos.get(repo_id)
            if repo is None:
                return None, None
            sha = repo.refs.get(revision)
            if sha is None and revision.startswith("refs/heads/"):
                sha = repo.refs.get(revision[len("refs/heads/"):])
            if sha is None and revision in repo.commits:
                sha = revision
            return repo, repo.commits.get(sha) if sha else None

    def _repo_id(self, segments: list[str]) -> tuple[str, int]:
        """Split the leading repo id off URL path segments: (repo_id, number of segments it took)."""
        with self._lock:
            if len(segments) >= 2 and f"{segments[0]}/{segments[1]}" in self._repos:
                return f"{segments[0]}/{segments[1]}", 2
            if segments and segments[0] in self._repos:
                return segments[0], 1
        n = 1 if len(segments) > 1 and segments[1] in ("revision", "tree", "resolve") else min(len(segments), 2)
        return "/".join(segments[:n]), n

    def _last_commit(self, repo: _Repo, commit: _Commit, path: str, is_dir: bool) -> _Commit:
        """The newest ancestor of `commit` (itself included) that changed `path`."""

        def state(c: _Commit):
            if is_dir:
                return sorted((p, b.oid) for p, b in c.files.items() if p.startswith(path + "/"))
            blob = c.files.get(path)
            return blob.oid if blob else None

        current = commit
        while current.parent is not None and current.parent in repo.commits:
            parent = repo.commits[current.parent]
            if state(parent) != state(current):
                break
            current = parent
        return current


def hub_env(hub: FakeHub, home: Path) -> dict[str, str]:
    """os.environ for a subprocess that uses `hub`: HF_ENDPOINT, a private HF_HOME/HF_HUB_CACHE, online, no token."""
    env = dict(os.environ)
    for var in (
        "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH",
        "HUGGINGFACE_HUB_CACHE", "HF_ASSETS_CACHE", "HF_XET_CACHE", "HUGGINGFACE_CO_STAGING",
        "HF_HUB_ENABLE_HF_TRANSFER",
    ):
        env.pop(var, None)
    home = Path(home)
    env.update(
        HF_ENDPOINT=hub.endpoint,
        HF_HOME=str(home),
        HF_HUB_CACHE=str(home / "hub"),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_UPDATE_CHECK="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
    )
    for var in ("NO_PROXY", "no_proxy"):
        env[var] = ",".join(filter(None, [env.get(var, ""), "127.0.0.1", "localhost"]))
    return env


# ----------------------------------------------------------------------------------------------------------------------
# HTTP side


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hub: FakeHub

    def __init__(self, *args, **kwargs):
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def hang_up_all(self) -> None:
        """Close kept-alive connections, so that nothing is answered after close()."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        pass  # a client that hung up (timeouts, truncation) is not an error worth printing


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeHub/1.0"
    timeout = 60  # idle keep-alive connections end after this
    server: _Server

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._handle("GET")

    def do_HEAD(self):
        self._handle("HEAD")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    # -- dispatch -------------------------------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        hub = self.server.hub
        self.method = method
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urlsplit(self.path)
        self.entry = LoggedRequest(method, unquote(url.path), url.query, self.headers.get("Range"))
        hub._log(self.entry)
        self.params = parse_qs(url.query, keep_blank_values=True)
        segments = url.path.split("/")[1:]
        if "resolve" in segments[1:3] and len(segments) >= segments.index("resolve", 1) + 3:
            self.entry.file = unquote("/".join(segments[segments.index("resolve", 1) + 2 :]))
        try:
            stall = hub._take("stall", self.entry.path, method)
            if stall is not None and hub._closed.wait(stall.value):
                self.close_connection = True
                return
            fail = hub._take("fail", self.entry.path, method)
            if fail is not None:
                status = int(fail.value)
                self._json(status, {"error": f"Injected failure ({status})"})
                return
            if method not in ("GET", "HEAD"):
                self._json(405, {"error": "Method not allowed"})
            elif segments[:2] == ["api", "models"]:
                self._api(segments[2:])
            elif "resolve" in segments[1:3]:
                self._resolve(segments)
            else:
                self._json(404, {"error": "Not Found"})
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    # -- responses ------------------------------------------------------------------------------------------------

    def _send(self, status: int, headers: dict[str, str], body: bytes = b"", *, cut: int | None = None) -> None:
        """Send a response; `cut` sends only that many body bytes and then closes the connection."""
        self.entry.status = status
        self.send_response(status)
        headers = {"Content-Length": str(len(body)), **headers}
        headers.setdefault("X-Request-Id", f"Root=1-{os.urandom(12).hex()}")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.method == "HEAD":
            return
        if cut is not None:
            self.wfile.write(body[: max(0, cut)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def _json(self, status: int, data, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data).encode()
        self._send(status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, body)

    def _error(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        self._json(status, {"error": message}, {"X-Error-Code": code, "X-Error-Message": message, **(headers or {})})

    def _repo_not_found(self) -> None:
        if self.headers.get("Authorization"):
            self._error(404, "RepoNotFound", "Repository not found")
        else:  # the hub does not tell anonymous users whether a private repo exists
            self._error(401, "RepoNotFound", "Invalid username or password.")

    def _revision_not_found(self, revision: str) -> None:
        self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")

    def _flag(self, name: str) -> bool:
        return any(v.lower() in ("1", "true") for v in self.params.get(name, []))

    # -- /api/models/... ------------------------------------------------------------------------------------------

    def _api(self, segments: list[str]) -> None:
        hub = self.server.hub
        repo_id, n = hub._repo_id(segments)
        rest = segments[n:]
        if rest and rest[0] == "revision" and len(rest) >= 2:
            revision, kind = unquote("/".join(rest[1:])), "info"
        elif not rest or rest == [""]:
            revision, kind = "main", "info"
        elif rest[0] == "tree" and len(rest) >= 2:
            revision, kind = unquote(rest[1]), "tree"
        else:
            self._json(404, {"error": "Not Found"})
            return
        repo, commit = hub._lookup(repo_id, revision)
        if repo is None:
            self._repo_not_found()
        elif commit is None:
            self._revision_not_found(revision)
        elif kind == "info":
            self._model_info(repo_id, repo, commit)
        else:
            self._tree(repo_id, repo, commit, unquote("/".join(rest[2:])).strip("/"))

    def _model_info(self, repo_id: str, repo: _Repo, commit: _Commit) -> None:
        blobs = self._flag("blobs")
        siblings = []
        for path, blob in sorted(commit.files.items()):
            sibling: dict = {"rfilename": path}
            if blobs:
                sibling.update(blobId=blob.oid, size=len(blob.data))
                if blob.sha256:
                    sibling["lfs"] = {"sha256": blob.sha256, "size": len(blob.data), "pointerSize": blob.pointer_size}
            siblings.append(sibling)
        info: dict = {
            "_id": hashlib.md5(repo_id.encode()).hexdigest()[:24],
            "id": repo_id,
            "modelId": repo_id,
            "author": repo_id.split("/")[0] if "/" in repo_id else None,
            "sha": commit.sha,
            "lastModified": commit.date,
            "createdAt": repo.created,
            "private": False,
            "disabled": False,
            "gated": "auto" if repo.gate_token else False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": siblings,
            "spaces": [],
            "usedStorage": sum(len(b.data) for b in commit.files.values()),
        }
        config = commit.files.get("config.json")
        if config is not None:
            try:
                parsed = json.loads(config.data)
                if isinstance(parsed, dict):
                    info["config"] = {k: parsed[k] for k in ("architectures", "model_type") if k in parsed}
            except ValueError:
                pass
        if self._flag("securityStatus"):
            info["securityRepoStatus"] = {"scansDone": True, "filesWithIssues": []}
        expand = self.params.get("expand", []) + self.params.get("expand[]", [])
        if expand:
            info = {k: v for k, v in info.items() if k in ("_id", "id") or k in expand}
        self._json(200, info)

    def _tree(self, repo_id: str, repo: _Repo, commit: _Commit, base: str) -> None:
        hub = self.server.hub
        files = commit.files
        dirs: dict[str, str] = {}
        for path in files:
            parts = path.split("/")
            for i in range(1, len(parts)):
                dirs["/".join(parts[:i])] = ""
        for d in dirs:
            h = hashlib.sha1(b"tree\0")
            for p in sorted(files):
                if p.startswith(d + "/"):
                    h.update(f"{p}\0{files[p].oid}\n".encode())
            dirs[d] = h.hexdigest()
        if base and base not in dirs:
            self._error(404, "EntryNotFound", f"{base} does not exist on \"{commit.sha}\"",
                        {"X-Repo-Commit": commit.sha})
            return
        recursive, expand = self._flag("recursive"), self._flag("expand")
        prefix = base + "/" if base else ""

        def wanted(path: str) -> bool:
            if not path.startswith(prefix):
                return False
            return recursive or "/" not in path[len(prefix):]

        entries = []
        for path in sorted([*files, *dirs]):
            if not wanted(path):
                continue
            if path in dirs:
                entry: dict = {"type": "directory", "oid": dirs[path], "size": 0, "path": path}
            else:
                blob = files[path]
                entry = {"type": "file", "oid": blob.oid, "size": len(blob.data), "path": path}
                if blob.sha256:
                    entry["lfs"] = {"oid": blob.sha256, "size": len(blob.data), "pointerSize": blob.pointer_size}
            if expand:
                last = hub._last_commit(repo, commit, path, path in dirs)
                entry["lastCommit"] = {"id": last.sha, "title": last.title, "date": last.date}
                if path not in dirs:
                    entry["securityFileStatus"] = {
                        "status": "safe", "avScan": {"virusFound": False, "virusNames": None}, "pickleImportScan": None,
                    }
            entries.append(entry)
        page_size = 50 if expand else max(1, hub.tree_page_size)
        try:
            start = int((self.params.get("cursor") or ["0"])[0])
        except ValueError:
            self._json(400, {"error": "Invalid cursor"})
            return
        headers = {}
        if start + page_size < len(entries):
            raw_path = urlsplit(self.path).path
            query = f"recursive={str(recursive).lower()}&expand={str(expand).lower()}&cursor={start + page_size}"
            headers["Link"] = f'<{hub.endpoint}{raw_path}?{query}>; rel="next"'
        self._json(200, entries[start : start + page_size], headers)

    # -- /{repo_id}/resolve/{revision}/{path} -------------------------------------------------------------------------

    def _resolve(self, segments: list[str]) -> None:
        hub = self.server.hub
        at = segments.index("resolve", 1)
        repo_id = "/".join(segments[:at])
        if len(segments) < at + 3:
            self._json(404, {"error": "Not Found"})
            return
        revision = unquote(segments[at + 1])
        path = unquote("/".join(segments[at + 2 :]))
        repo, commit = hub._lookup(repo_id, revision)
        if repo is None:
            self._repo_not_found()
            return
        if commit is None:
            self._revision_not_found(revision)
            return
        if repo.gate_token is not None and self.headers.get("Authorization") != f"Bearer {repo.gate_token}":
            if self.headers.get("Authorization"):
                self._error(403, "GatedRepo", f"Access to model {repo_id} is restricted and you are not in the "
                            f"authorized list. Visit {hub.endpoint}/{repo_id} to ask for access.")
            else:
                self._error(401, "GatedRepo", f"Access to model {repo_id} is restricted. You must have access to it "
                            "and be authenticated to access it. Please log in.")
            return
        blob = commit.files.get(path)
        if blob is None:
            self._error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": commit.sha})
            return
        data, size = blob.data, len(blob.data)
        name = path.rsplit("/", 1)[-1]
        headers = {
            "Content-Type": "application/octet-stream" if blob.sha256 else "text/plain; charset=utf-8",
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}; filename=\"{name}\";",
            "Accept-Ranges": "bytes",
            "ETag": blob.etag,
            "X-Repo-Commit": commit.sha,
            "Vary": "Origin, Accept",
        }
        if blob.sha256:
            headers["X-Linked-Etag"] = blob.etag
            headers["X-Linked-Size"] = str(size)
        status, body = 200, data
        wanted = _parse_range(self.headers.get("Range"), size)
        if wanted == "unsatisfiable":
            self._send(416, {**headers, "Content-Range": f"bytes */{size}"})
            return
        if wanted is not None:
            start, end = wanted
            status, body = 206, data[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        cut = None
        if self.method == "GET":
            rule = hub._take("truncate", self.entry.path, "GET")
            if rule is not None:
                cut = int(rule.value)
        self._send(status, headers, body, cut=cut)


def _parse_range(header: str | None, size: int):
    """(start, end) of a single `bytes=` range, None to send the whole file, or "unsatisfiable"."""
    if not header or not header.strip().startswith("bytes=") or "," in header:
        return None
    spec = header.strip()[len("bytes="):].strip()
    first, _, last = spec.partition("-")
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                return "unsatisfiable"
            return max(0, size - n), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)
