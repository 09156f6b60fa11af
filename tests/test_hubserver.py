"""The fake hub of tests/hubserver.py, driven by the real huggingface_hub client.

Most tests call the client in-process with an explicit `endpoint=` and `cache_dir=` (the conftest sets
HF_HUB_OFFLINE=1, which huggingface_hub reads at import, so the `online` fixture switches its constant back off and
replaces the client's retry sleeps with a recorder). The subprocess test uses `hub_env`, the way the CLI would run.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hubserver import FakeHub, git_blob_sha1, hub_env, is_lfs

REPO = "org/tiny"
CONFIG = b'{"model_type": "bart", "architectures": ["BartForConditionalGeneration"]}'
WEIGHTS = bytes(range(256)) * 4  # 1 KiB "pytorch_model.bin"
FILES = {
    "config.json": CONFIG,
    "pytorch_model.bin": WEIGHTS,
    "tf_model.h5": b"tf weights " * 10,
    "rust_model.ot": b"rust weights",
    "vocab.json": b'{"<s>": 0, "</s>": 2}',
    "tokenizer/merges.txt": b"#version: 0.2\nh e\n",
}


@pytest.fixture()
def hub():
    with FakeHub(lifetime=120) as h:
        yield h


@pytest.fixture()
def online(monkeypatch, tmp_path):
    """huggingface_hub in this process, online, with a private cache and recorded (not slept) retry delays."""
    import huggingface_hub.utils._http as hf_http
    from huggingface_hub import constants, file_download

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    sleeps: list[float] = []
    fake_time = SimpleNamespace(sleep=sleeps.append)
    monkeypatch.setattr(file_download, "time", fake_time)
    monkeypatch.setattr(hf_http, "time", fake_time)
    return SimpleNamespace(cache=tmp_path / "cache", sleeps=sleeps)


def _calls(hub: FakeHub, method: str | None = None) -> list[tuple[str, str, str | None, int | None]]:
    return [(r.method, r.path, r.range, r.status) for r in hub.requests if method in (None, r.method)]


# ----------------------------------------------------------------------------------------------------------------------
# metadata


def test_model_info_gives_commit_and_each_file_hash(hub, online):
    from huggingface_hub import HfApi

    sha = hub.commit(REPO, FILES)
    info = HfApi(endpoint=hub.endpoint).model_info(REPO, revision="main", files_metadata=True)

    assert info.id == REPO and info.sha == sha and len(sha) == 40
    assert info.last_modified is not None and info.config == {
        "model_type": "bart", "architectures": ["BartForConditionalGeneration"]}
    siblings = {s.rfilename: s for s in info.siblings}
    assert sorted(siblings) == sorted(FILES)
    bin_ = siblings["pytorch_model.bin"]
    assert bin_.lfs.sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    assert bin_.lfs.size == bin_.size == len(WEIGHTS)
    assert 120 < bin_.lfs.pointer_size < 140  # a git-lfs pointer file
    assert siblings["tf_model.h5"].lfs is not None and siblings["rust_model.ot"].lfs is not None
    cfg = siblings["config.json"]
    assert cfg.lfs is None and cfg.blob_id == git_blob_sha1(CONFIG) and cfg.size == len(CONFIG)
    assert _calls(hub) == [("GET", f"/api/models/{REPO}/revision/main", None, 200)]
    assert hub.requests[0].query == "blobs=true"

    # Without files_metadata the hub lists names only; without a revision it answers for main.
    plain = HfApi(endpoint=hub.endpoint).model_info(REPO)
    assert plain.sha == sha and all(s.size is None and s.lfs is None for s in plain.siblings)
    assert hub.requests[-1].path == f"/api/models/{REPO}"


def test_pr_refs_and_commit_shas_are_revisions(hub, online):
    from huggingface_hub import HfApi

    main = hub.commit(REPO, FILES)
    pr = hub.commit(REPO, {**FILES, "model.safetensors": b"safe"}, branch="refs/pr/1")
    api = HfApi(endpoint=hub.endpoint)

    info = api.model_info(REPO, revision="refs/pr/1", files_metadata=True)
    assert info.sha == pr != main
    assert "model.safetensors" in {s.rfilename for s in info.siblings}
    assert api.model_info(REPO, revision=main).sha == main
    assert "model.safetensors" not in {s.rfilename for s in api.model_info(REPO, revision="main").siblings}
    assert api.model_info(REPO, revision="refs/heads/main").sha == main
    # the client sends the ref as one percent-encoded segment
    assert hub.requests[0].path == f"/api/models/{REPO}/revision/refs/pr/1"

    only = api.model_info(REPO, expand=["sha"])
    assert only.sha == main and only.siblings is None


def test_list_repo_tree_flat_recursive_subfolder_and_pages(hub, online):
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile, RepoFolder

    sha = hub.commit(REPO, FILES)
    api = HfApi(endpoint=hub.endpoint)

    top = {e.path: e for e in api.list_repo_tree(REPO)}
    assert set(top) == {p for p in FILES if "/" not in p} | {"tokenizer"}
    assert isinstance(top["tokenizer"], RepoFolder) and len(top["tokenizer"].tree_id) == 40
    weights = top["pytorch_model.bin"]
    assert isinstance(weights, RepoFile) and weights.size == len(WEIGHTS)
    assert weights.lfs.sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    assert top["vocab.json"].lfs is None and top["vocab.json"].blob_id == git_blob_sha1(FILES["vocab.json"])

    deep = list(api.list_repo_tree(REPO, recursive=True, revision=sha))
    assert {e.path for e in deep if isinstance(e, RepoFile)} == set(FILES)
    assert api.list_repo_files(REPO) == sorted(FILES)

    sub = list(api.list_repo_tree(REPO, path_in_repo="tokenizer"))
    assert [e.path for e in sub] == ["tokenizer/merges.txt"]
    assert hub.requests[-1].path == f"/api/models/{REPO}/tree/main/tokenizer"

    expanded = list(api.list_repo_tree(REPO, expand=True))
    assert all(e.last_commit.oid == sha for e in expanded)
    assert all(e.security.safe for e in expanded if isinstance(e, RepoFile))

    hub.tree_page_size = 2
    hub.requests.clear()
    assert {e.path for e in api.list_repo_tree(REPO, recursive=True)} == set(FILES) | {"tokenizer"}
    pages = [r for r in hub.requests if "/tree/" in r.path]
    assert len(pages) == 4 and "cursor=" not in pages[0].query and all("cursor=" in r.query for r in pages[1:])


# ----------------------------------------------------------------------------------------------------------------------
# downloads


def test_snapshot_download_fetches_exactly_the_allowed_files(hub, online):
    from huggingface_hub import snapshot_download

    sha = hub.commit(REPO, FILES)
    path = Path(snapshot_download(REPO, revision="main", allow_patterns=["config.json", "*.bin", "tokenizer/*"],
                                  endpoint=hub.endpoint, cache_dir=online.cache))

    assert path.name == sha and path.parent.name == "snapshots"
    got = sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())
    assert got == ["config.json", "pytorch_model.bin", "tokenizer/merges.txt"]
    for name in got:
        assert (path / name).read_bytes() == FILES[name]
    assert sorted(hub.downloads()) == got
    assert not any(r.file in ("tf_model.h5", "rust_model.ot", "vocab.json") for r in hub.requests)
    # The client's sequence: info for the branch, the tree at the commit, then HEAD + GET per file at the commit.
    assert _calls(hub)[:2] == [
        ("GET", f"/api/models/{REPO}/revision/main", None, 200),
        ("GET", f"/api/models/{REPO}/tree/{sha}", None, 200),
    ]
    assert hub.requests[1].query == "recursive=true&expand=false"
    assert sorted(r.path for r in hub.requests[2:] if r.method == "HEAD") == sorted(
        f"/{REPO}/resolve/{sha}/{name}" for name in got)
    # Blobs are named by ETag: sha256 for LFS files, the git blob id for the others.
    blobs = {p.name for p in (online.cache / "models--org--tiny" / "blobs").iterdir()}
    assert blobs == {hashlib.sha256(WEIGHTS).hexdigest(), git_blob_sha1(CONFIG), git_blob_sha1(FILES["tokenizer/merges.txt"])}

    # A second call with everything cached asks the hub for the commit and the tree again, but downloads nothing.
    hub.requests.clear()
    assert snapshot_download(REPO, allow_patterns=["*.bin"], endpoint=hub.endpoint, cache_dir=online.cache) == str(path)
    assert hub.downloads() == [] and [r.method for r in hub.requests] == ["GET"]


def test_file_metadata_and_raw_headers(hub, online):
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    sha = hub.commit(REPO, FILES)
    meta = get_hf_file_metadata(hf_hub_url(REPO, "pytorch_model.bin", endpoint=hub.endpoint))
    assert (meta.commit_hash, meta.etag, meta.size) == (sha, hashlib.sha256(WEIGHTS).hexdigest(), len(WEIGHTS))
    assert meta.xet_file_data is None
    meta = get_hf_file_metadata(hf_hub_url(REPO, "config.json", revision=sha, endpoint=hub.endpoint))
    assert (meta.commit_hash, meta.etag, meta.size) == (sha, git_blob_sha1(CONFIG), len(CONFIG))

    host, port = hub.endpoint.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("HEAD", f"/{REPO}/resolve/main/pytorch_model.bin")
    r = conn.getresponse()
    r.read()
    assert r.status == 200 and r.getheader("X-Linked-Size") == str(len(WEIGHTS))
    assert r.getheader("ETag") == r.getheader("X-Linked-Etag") == f'"{hashlib.sha256(WEIGHTS).hexdigest()}"'
    assert r.getheader("Accept-Ranges") == "bytes" and r.getheader("X-Repo-Commit") == sha
    assert not [h for h in r.headers if h.lower().startswith("x-xet")]
    conn.request("GET", f"/{REPO}/resolve/main/pytorch_model.bin", headers={"Range": "bytes=1000-"})
    r = conn.getresponse()
    assert (r.status, r.read(), r.getheader("Content-Range")) == (206, WEIGHTS[1000:], f"bytes 1000-1023/{len(WEIGHTS)}")
    conn.request("GET", f"/{REPO}/resolve/main/config.json", headers={"Range": "bytes=9999-"})
    r = conn.getresponse()
    r.read()
    assert r.status == 416 and r.getheader("Content-Range") == f"bytes */{len(CONFIG)}"
    conn.request("GET", f"/{REPO}/resolve/main/config.json")
    r = conn.getresponse()
    assert r.status == 200 and r.read() == CONFIG and r.getheader("X-Linked-Etag") is None
    conn.close()


def test_interrupted_download_is_resumed_with_range_in_the_same_call(hub, online):
    from huggingface_hub import hf_hub_download

    # http_get counts only whole DOWNLOAD_CHUNK_SIZE (10 MiB) chunks as received: the resume point is a chunk edge.
    mib10 = 10 * 1024 * 1024
    big = hashlib.sha256(b"seed").digest() * (mib10 // 32) + b"tail" * 250  # 10 MiB + 1000 bytes
    hub.commit(REPO, {**FILES, "big.txt": big})  # over 10 MiB: stored in LFS even as .txt
    hub.truncate("*/big.txt", after=mib10 + 500)
    path = hf_hub_download(REPO, "big.txt", endpoint=hub.endpoint, cache_dir=online.cache)

    assert Path(path).read_bytes() == big and Path(path).resolve().name == hashlib.sha256(big).hexdigest()
    assert [(r.range, r.status) for r in hub.requests if r.method == "GET"] == [(None, 200), (f"bytes={mib10}-", 206)]
    assert online.sleeps == [1]  # http_get waits 1 s before resuming

    # A cut inside the first chunk restarts from byte 0, without a Range header.
    online.sleeps.clear()
    hub.truncate("*/pytorch_model.bin", after=100)
    path = hf_hub_download(REPO, "pytorch_model.bin", endpoint=hub.endpoint, cache_dir=online.cache)
    assert Path(path).read_bytes() == WEIGHTS
    assert [(r.range, r.status) for r in hub.requests if r.file == "pytorch_model.bin" and r.method == "GET"] == [
        (None, 200), (None, 200)]
    assert online.sleeps == [1]


def test_download_cut_too_often_fails_and_the_next_call_starts_over(hub, online):
    import httpx2
    from huggingface_hub import hf_hub_download, snapshot_download

    hub.commit(REPO, FILES)
    hub.truncate("*/pytorch_model.bin", after=100, times=6)
    with pytest.raises(httpx2.RemoteProtocolError) as raised:
        hf_hub_download(REPO, "pytorch_model.bin", endpoint=hub.endpoint, cache_dir=online.cache)
    assert not isinstance(raised.value, OSError)  # escapes `except (HfHubHTTPError, OSError)`
    assert [(r.range, r.status) for r in hub.requests if r.method == "GET"] == [(None, 200)] * 6  # 1 + 5 retries
    assert online.sleeps == [1] * 5
    blobs = online.cache / "models--org--tiny" / "blobs"
    assert not list(blobs.iterdir())  # the partial file is deleted: no resume across calls

    hub.requests.clear()
    path = hf_hub_download(REPO, "pytorch_model.bin", endpoint=hub.endpoint, cache_dir=online.cache)
    assert Path(path).read_bytes() == WEIGHTS
    assert [(r.range, r.status) for r in hub.requests if r.method == "GET"] == [(None, 200)]

    # snapshot_download lets the same exception through
    hub.truncate("*/tf_model.h5", after=0, times=6)
    with pytest.raises(httpx2.RemoteProtocolError):
        snapshot_download(REPO, allow_patterns=["*.h5"], endpoint=hub.endpoint, cache_dir=online.cache)


# ----------------------------------------------------------------------------------------------------------------------
# errors


def test_missing_repo_revision_and_file_raise_typed_errors(hub, online):
    from huggingface_hub import HfApi, hf_hub_download, snapshot_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    sha = hub.commit(REPO, FILES)
    api = HfApi(endpoint=hub.endpoint, token=False)
    kw = {"endpoint": hub.endpoint, "cache_dir": online.cache, "token": False}

    with pytest.raises(RepositoryNotFoundError) as raised:
        api.model_info("org/nope")
    assert raised.value.response.status_code == 401  # anonymous, like the hub
    with pytest.raises(RepositoryNotFoundError) as raised:
        HfApi(endpoint=hub.endpoint, token="hf_x").model_info("org/nope")
    assert raised.value.response.status_code == 404
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("org/nope", "config.json", **kw)
    with pytest.raises(RepositoryNotFoundError):
        snapshot_download("org/nope", **kw)
    with pytest.raises(RepositoryNotFoundError):
        list(api.list_repo_tree("org/nope"))
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("nope", revision="main")
    hub.commit("legacy", {"config.json": CONFIG})  # a namespace-less id, like "gpt2"
    assert Path(hf_hub_download("legacy", "config.json", **kw)).read_bytes() == CONFIG
    assert [e.path for e in api.list_repo_tree("legacy")] == ["config.json"]

    with pytest.raises(RevisionNotFoundError):
        api.model_info(REPO, revision="v9")
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(REPO, "config.json", revision="v9", **kw)
    with pytest.raises(RevisionNotFoundError):
        snapshot_download(REPO, revision="0" * 40, **kw)

    with pytest.raises(EntryNotFoundError) as raised:
        hf_hub_download(REPO, "generation_config.json", **kw)
    assert isinstance(raised.value, RemoteEntryNotFoundError)
    # X-Repo-Commit on the 404 lets the client remember that the file does not exist at that commit
    assert (online.cache / "models--org--tiny" / ".no_exist" / sha / "generation_config.json").is_file()
    with pytest.raises(EntryNotFoundError):
        list(api.list_repo_tree(REPO, path_in_repo="nope"))

    hub.gate(REPO, token="hf_granted")
    assert api.model_info(REPO).gated == "auto"  # info stays public; files do not
    with pytest.raises(GatedRepoError) as raised:
        hf_hub_download(REPO, "vocab.json", **kw)
    assert raised.value.response.status_code == 401
    with pytest.raises(GatedRepoError) as raised:
        hf_hub_download(REPO, "vocab.json", **{**kw, "token": "hf_other"})
    assert raised.value.response.status_code == 403
    path = hf_hub_download(REPO, "vocab.json", **{**kw, "token": "hf_granted"})
    assert Path(path).read_bytes() == FILES["vocab.json"]


def test_server_errors_and_the_clients_retries(hub, online):
    from huggingface_hub import HfApi, hf_hub_download, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    sha = hub.commit(REPO, FILES)
    api = HfApi(endpoint=hub.endpoint)
    kw = {"endpoint": hub.endpoint, "cache_dir": online.cache}

    # model_info: no retry at all
    hub.fail(f"/api/models/{REPO}*", status=500)
    with pytest.raises(HfHubHTTPError) as raised:
        api.model_info(REPO)
    assert raised.value.response.status_code == 500 and len(hub.requests) == 1 and online.sleeps == []

    # tree listing (paginate -> http_backoff): retried on 5xx with 1, 2, 4, 8, 8 s waits
    hub.fail("*/tree/*", status=503, times=2)
    assert len(list(api.list_repo_tree(REPO))) == 6
    assert online.sleeps == [1, 2]
    online.sleeps.clear()

    # HEAD /resolve: a 5xx with nothing cached is retried once more with backoff (5 retries) ...
    hub.fail("*/resolve/*/config.json", status=502, method="HEAD")
    hf_hub_download(REPO, "config.json", **kw)
    assert [(r.method, r.status) for r in hub.requests if r.file == "config.json"] == [
        ("HEAD", 502), ("HEAD", 200), ("GET", 200)]
    assert online.sleeps == []
    hub.requests.clear()
    hub.fail("*/resolve/*/vocab.json", status=500, times=99, method="HEAD")
    with pytest.raises(LocalEntryNotFoundError) as raised:
        hf_hub_download(REPO, "vocab.json", **kw)
    # ... and then surfaces as LocalEntryNotFoundError caused by the HfHubHTTPError
    assert isinstance(raised.value.__cause__, HfHubHTTPError) and raised.value.__cause__.response.status_code == 500
    assert len(hub.requests) == 7 and online.sleeps == [1, 2, 4, 8, 8]
    online.sleeps.clear()

    # GET /resolve: 5xx is not retried and raises HfHubHTTPError
    hub.requests.clear()
    hub.fail("*/resolve/*/rust_model.ot", status=500, method="GET")
    with pytest.raises(HfHubHTTPError) as raised:
        hf_hub_download(REPO, "rust_model.ot", **kw)
    assert raised.value.response.status_code == 500
    assert [r.method for r in hub.requests] == ["HEAD", "GET"] and online.sleeps == []

    # snapshot_download: the hub failing after a download -> the cached snapshot is used
    path = snapshot_download(REPO, allow_patterns=["config.json"], **kw)
    hub.fail(f"/api/models/{REPO}*", status=500)
    assert snapshot_download(REPO, allow_patterns=["config.json"], **kw) == path
    assert Path(path).name == sha


def test_stalls_hit_the_timeouts_and_the_client_retries(hub, online, monkeypatch):
    from huggingface_hub import HfApi, constants, hf_hub_download

    hub.commit(REPO, FILES)
    kw = {"endpoint": hub.endpoint, "cache_dir": online.cache}

    hub.stall("*/config.json", seconds=3, method="HEAD")
    started = time.monotonic()
    path = hf_hub_download(REPO, "config.json", etag_timeout=0.3, **kw)
    assert time.monotonic() - started < 2.5 and Path(path).read_bytes() == CONFIG
    assert [r.method for r in hub.requests if r.file == "config.json"] == ["HEAD", "HEAD", "GET"]

    monkeypatch.setattr(constants, "HF_HUB_DOWNLOAD_TIMEOUT", 0.3)
    hub.stall("*/vocab.json", seconds=3, method="GET")
    started = time.monotonic()
    path = hf_hub_download(REPO, "vocab.json", **kw)
    assert time.monotonic() - started < 2.5 and Path(path).read_bytes() == FILES["vocab.json"]
    assert [r.method for r in hub.requests if r.file == "vocab.json"] == ["HEAD", "GET", "GET"]
    assert online.sleeps == [1]

    # API calls (model_info, tree) have no timeout by default: a slow hub is simply waited for.
    hub.stall(f"/api/models/{REPO}*", seconds=1)
    started = time.monotonic()
    assert HfApi(endpoint=hub.endpoint).model_info(REPO).id == REPO
    assert time.monotonic() - started >= 1


# ----------------------------------------------------------------------------------------------------------------------
# commits


def test_a_commit_moves_main(hub, online):
    from huggingface_hub import HfApi, hf_hub_download

    api = HfApi(endpoint=hub.endpoint)
    first = hub.commit(REPO, FILES)
    assert api.model_info(REPO, revision="main").sha == first
    second = hub.commit(REPO, {**FILES, "config.json": b'{"model_type": "marian"}'})
    assert second != first and api.model_info(REPO, revision="main").sha == second

    kw = {"endpoint": hub.endpoint, "cache_dir": online.cache}
    assert Path(hf_hub_download(REPO, "config.json", **kw)).read_bytes() == b'{"model_type": "marian"}'
    assert Path(hf_hub_download(REPO, "config.json", revision=first, **kw)).read_bytes() == CONFIG
    # last commit per file: unchanged files still point at the first commit
    last = {e.path: e.last_commit.oid for e in api.list_repo_tree(REPO, expand=True)}
    assert last["config.json"] == second and last["vocab.json"] == first

    third = hub.commit(REPO, {"only.txt": b"x"}, branch=None)
    assert api.model_info(REPO, revision="main").sha == second
    assert [s.rfilename for s in api.model_info(REPO, revision=third).siblings] == ["only.txt"]
    assert hub.commit(REPO, {"a": b"1"}, branch="other", sha="ab" * 20) == "ab" * 20
    with pytest.raises(ValueError):
        hub.commit(REPO, {"a": b"2"}, sha="ab" * 20)
    for bad in ("../x", "/abs", "a//b", ""):
        with pytest.raises(ValueError):
            hub.commit(REPO, {bad: b"x"})


def test_commit_dir_and_lfs_rules(hub, online, tmp_path):
    from huggingface_hub import HfApi

    src = tmp_path / "model"
    (src / "sub").mkdir(parents=True)
    (src / "config.json").write_bytes(CONFIG)
    (src / "sub" / "weights.safetensors").write_bytes(b"st")
    sha = hub.commit_dir(REPO, src)
    info = HfApi(endpoint=hub.endpoint).model_info(REPO, revision=sha, files_metadata=True)
    lfs = {s.rfilename: s.lfs is not None for s in info.siblings}
    assert lfs == {"config.json": False, "sub/weights.safetensors": True}

    assert is_lfs("model.onnx", 1) and is_lfs("a/flax_model.msgpack", 1) and is_lfs("big.txt", 11 * 1024 * 1024)
    assert not is_lfs("source.spm", 814_000) and not is_lfs("vocab.json", 1_660_000)


# ----------------------------------------------------------------------------------------------------------------------
# subprocess + offline


def _run(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_subprocess_download_then_offline_cache_without_requests(hub, tmp_path):
    sha = hub.commit(REPO, FILES)
    env = hub_env(hub, tmp_path / "home")
    assert env["HF_ENDPOINT"] == hub.endpoint and "HF_HUB_OFFLINE" not in env and "HF_TOKEN" not in env
    code = f"""
        import json
        from huggingface_hub import hf_hub_download, snapshot_download
        snap = snapshot_download({REPO!r}, revision="main", allow_patterns=["config.json", "*.bin"])
        one = hf_hub_download({REPO!r}, "config.json")
        print(json.dumps([snap, one]))
    """
    snap, one = json.loads(_run(code, env))
    assert Path(snap).name == sha and Path(one).read_bytes() == CONFIG
    assert Path(snap).is_relative_to(tmp_path / "home" / "hub")
    assert sorted(hub.downloads()) == ["config.json", "pytorch_model.bin"]

    before = len(hub.requests)
    assert json.loads(_run(code, {**env, "HF_HUB_OFFLINE": "1"})) == [snap, one]
    assert len(hub.requests) == before  # served from the cache without a single request

    # offline, and something that was never downloaded: a clear local error, still without requests
    missing = f"""
        from huggingface_hub import hf_hub_download
        from huggingface_hub.errors import LocalEntryNotFoundError
        try:
            hf_hub_download({REPO!r}, "tf_model.h5")
        except LocalEntryNotFoundError:
            print("LocalEntryNotFoundError")
    """
    assert _run(missing, {**env, "HF_HUB_OFFLINE": "1"}) == "LocalEntryNotFoundError"
    assert len(hub.requests) == before


# ----------------------------------------------------------------------------------------------------------------------
# hygiene


def test_loopback_only_close_and_lifetime():
    hub = FakeHub(lifetime=0.3)
    host, port = hub.endpoint.removeprefix("http://").split(":")
    assert host == "127.0.0.1" and hub._server.server_address[0] == "127.0.0.1"
    kept = socket.create_connection((host, int(port)), timeout=2)  # an open keep-alive connection
    deadline = time.monotonic() + 5
    while not hub.closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hub.closed
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=1).close()
    kept.sendall(b"GET /api/models/x HTTP/1.1\r\nHost: x\r\n\r\n")
    kept.settimeout(2)
    assert kept.recv(100) == b""  # hung up, not answered
    kept.close()

    with FakeHub() as other:
        other.commit(REPO, FILES)
    assert other.closed
    other.close()  # idempotent
