"""A folder of every input kind, and URLs served on 127.0.0.1, through `summarize run`: one article per page, entry, record."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inputs.webserver import Server
from summarizer.cli.main import app

DATA = Path(__file__).parent / "inputs" / "data"
FAST = ["--num-beams", "1", "--max-length", "12", "--min-length", "2", "--engine", "torch"]


@pytest.fixture(scope="module")
def site():
    server = Server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, seed_dir, tiny_models, site):
    root = tmp_path_factory.mktemp("mixed")
    folder = root / "in"
    folder.mkdir()
    for name in ("page.html", "rss2.xml", "atom.xml", "newsapi.json", "export.jsonl", "single.json"):
        shutil.copy(DATA / name, folder / name)
    shutil.copy(seed_dir / "000_4ec734f60fdfd72d.txt", folder / "seed.txt")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")  # no reader takes it: ignored, not failed
    models = ["--nl-en", str(tiny_models["nl-en"]), "--summarizer", str(tiny_models["summarizer"]),
              "--en-nl", str(tiny_models["en-nl"])]
    out, cache = root / "out", root / "cache"
    args = ["run", str(folder), site.url("/page.html"), site.url("/missing"), "--out", str(out), "--cache-dir", str(cache),
            *FAST, *models]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    records = {json.loads(p.read_text())["source"]["name"]: json.loads(p.read_text()) for p in out.rglob("*.json")
               if "stories" not in p.parts}
    return result, out, records, args


def test_every_page_entry_and_record_is_an_article(mixed):
    result, out, records, _ = mixed
    assert result.exit_code == 1, result.output  # some inputs are bad; the rest is written
    origins = {name: r["meta"]["origin"] for name, r in records.items()}
    assert origins["seed.txt"] == "text"
    assert [origins[n] for n in origins if n.startswith("in/page.html") or n == "page.html"] == ["html"]
    assert sum(1 for o in origins.values() if o == "feed") >= 4  # RSS entries and Atom entries
    assert sum(1 for n in origins if n.startswith("newsapi.json#")) == 2  # the third record is '[Removed]'
    assert any(n.startswith("export.jsonl#") for n in origins) and "single.json" in origins
    url_articles = [r for r in records.values() if r["meta"]["url"] and r["meta"]["origin"] == "html"
                    and r["source"]["name"].startswith("127.0.0.1")]
    assert len(url_articles) == 1


def test_source_metadata_wins_and_no_markup_is_translated(mixed):
    _, _, records, _ = mixed
    for name, record in records.items():
        assert not any("<p>" in t["nl"] or "</" in t["nl"] or "&amp;" in t["nl"] for t in record["translation"]), name
        if record["meta"]["origin"] != "text":
            assert record["meta"]["title"] and record["meta"]["title"]["nl"], name
            assert "title" in record["meta"]["provided"]
    laadpalen = next(r for r in records.values() if "laadpalen" in (r["meta"]["title"] or {}).get("nl", "").lower())
    assert laadpalen["meta"]["published"] == "2024-03-01" and laadpalen["meta"]["time"] == "12:00"
    assert laadpalen["meta"]["url"] == "https://www.leidsnieuws-voorbeeld.nl/laadpalen"
    assert laadpalen["meta"]["byline"] == "Joost de Groot"
    assert {"published", "url", "author"} <= set(laadpalen["meta"]["provided"])


def test_bad_inputs_get_one_line_each(mixed):
    result, out, _, _ = mixed
    failed = [line for line in result.output.splitlines() if line.startswith("failed: ")]
    assert any("newsapi.json#2" in line for line in failed)  # the '[Removed]' record
    assert any("export.jsonl#" in line for line in failed)  # its broken line
    assert any("/missing" in line and "404" in line for line in failed)
    assert not any("notes.pdf" in line for line in failed)
    assert "Traceback" not in result.output


def test_the_url_and_links_appear_in_the_readers_files(mixed):
    _, out, records, _ = mixed
    page = next(r for r in records.values() if r["meta"]["origin"] == "html" and r["source"]["name"] == "page.html")
    en_md = next(out.rglob("page.en.md")).read_text()
    assert f"<{page['meta']['url']}>" in en_md
    assert f'href="{page["meta"]["url"]}"' in (out / "index.html").read_text()


def test_a_rerun_reads_the_url_from_its_cache_offline(mixed, site):
    _, out, _, args = mixed
    before = len(site.requests)
    result = CliRunner().invoke(app, [*args, "--offline"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert len(site.requests) == before  # offline: the cached page is used, nothing is fetched
    assert "0 misses" in result.output
