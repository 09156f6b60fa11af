"""The seeds and a saved web page end to end (tiny models): metadata, provenance, stories, index.html in a real browser."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from summarizer.outputs.record import fallback_title
from summarizer.run.options import RunOptions
from summarizer.run.pipeline import output_paths, run
from summarizer.generation.settings import Overrides

DATA = Path(__file__).parent / "data"
SEED_A, SEED_B, WEB = "000_4ec734f60fdfd72d.txt", "001_543b75f5360eb1cb.txt", "web_page_politiek.txt"
HEADLINE = "Kim Jong-un vastberaden om ontmoeting met Trump te laten doorgaan"  # the file's " lva" is the author's initials


@pytest.fixture(scope="module")
def result(tmp_path_factory, tiny_models, seed_dir):
    """One cheap run (greedy, short summaries) over both seeds and the web page, then a second, cached one."""
    root = tmp_path_factory.mktemp("report")
    inputs = root / "in"
    inputs.mkdir()
    for path in (seed_dir / SEED_A, seed_dir / SEED_B, DATA / WEB):
        shutil.copy(path, inputs / path.name)
    options = RunOptions(
        out_dir=root / "out", cache_dir=root / "cache", device="cpu", engine="torch", lock_path=root / "none.lock",
        models={role: str(path) for role, path in tiny_models.items()},
        settings=Overrides(num_beams=1, min_length=5, max_length=24),
        allow_download=False,
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        first = run(inputs, options)
        second = run(inputs, options)
    out = root / "out"
    records = {name: json.loads(output_paths(out, name)["json"].read_text()) for name in (SEED_A, SEED_B, WEB)}
    return out, first, second, records


def test_seed_headline_date_and_source_are_metadata_not_sentences(result):
    _, first, _, records = result
    assert first.ok, first.failed
    record = records[SEED_A]
    meta = record["meta"]
    assert meta["title"]["nl"] == HEADLINE and meta["title"]["en"]
    assert (meta["date"], meta["published"], meta["time"], meta["source"]) == ("2018-05", "2018-05-27", "00:37", "Belga")
    sentences = [t["nl"] for t in record["translation"]]
    assert not any(x in s for s in sentences for x in (HEADLINE, "27 mei 2018", "00u37", "Bron:", "Belga"))
    assert sentences[0].startswith("De Noord-Koreaanse leider")
    assert {"text": "lva", "reason": "author initials"} in record["dropped"]
    assert meta["sections"][0]["nl"] == "Vierde ontmoeting ooit tussen Koreaanse leiders" and meta["sections"][0]["en"]
    assert {"text": "zaterdag", "iso": "2018-05-26"}.items() <= next(d for d in meta["dates"] if d["text"] == "zaterdag").items()


def test_web_page_boilerplate_is_recorded_as_dropped(result):
    _, _, _, records = result
    record = records[WEB]
    reasons = {d["reason"] for d in record["dropped"]}
    assert {"teaser block heading", "teaser headline", "cookie prompt", "webmail prompt", "AI-generated disclaimer"} <= reasons
    text = " ".join(t["nl"] for t in record["translation"])
    assert "Meer uit" not in text and "cookies" not in text and "geleden" not in text
    assert record["meta"]["byline"] == "Sanne de Vries"


def test_every_summary_sentence_has_provenance_and_a_fact_check(result):
    out, _, _, records = result
    story = json.loads(next((out / "stories").glob("*.json")).read_text())
    for sentences, summary in [(r["translation"], r["summary"]) for r in records.values()] + [(story["sentences"], story["summary"])]:
        assert summary
        for pair in summary:
            assert pair["sources"] and all(0 <= i < len(sentences) for i in pair["sources"])
            assert pair["match"] in ("bm25", "characters")
            for span in pair["unsupported"]:
                assert pair["en"][span["start"]:span["end"]] == span["text"]
    for name, record in records.items():  # the .md marks what the JSON flags
        md = output_paths(out, name)["en.md"].read_text()
        for pair in record["summary"]:
            line = next(line for line in md.splitlines() if line.startswith(pair["en"]))
            assert all(f"`{s['text']}`" in line for s in pair["unsupported"])
            assert ("⚠" in line) == bool(pair["unsupported"] or pair.get("loop"))


def test_both_seeds_form_one_story_with_a_digest(result):
    out, first, _, _ = result
    [story_json] = list((out / "stories").glob("*.json"))
    story = json.loads(story_json.read_text())
    assert sorted(a["name"] for a in story["articles"]) == [SEED_A, SEED_B]  # the web page is another story
    assert first.stories == 1 and first.translations_saved == story["translations_saved"] >= 1
    assert story["shared"] and story["shared_paragraphs"] >= 1
    assert len(story["sentences"]) + len(story["shared"]) == sum(a["sentences"] for a in story["articles"])
    en_md = story_json.with_name(f"{story['id']}.en.md").read_text()
    nl_md = story_json.with_name(f"{story['id']}.nl.md").read_text()
    assert SEED_A in en_md and SEED_B in en_md and "What each article adds" in en_md and "Bronnen" in nl_md
    assert all(p["en"] in en_md and p["nl"] in nl_md for p in story["summary"])


def test_second_run_is_cached_digest_included(result):
    out, first, second, _ = result
    assert second.cache_misses == 0 and second.models_loaded == 0
    assert second.stories == 1
    assert first.sentences == second.sentences


def test_index_md_lists_articles_and_story(result):
    out, _, _, records = result
    index = (out / "index.md").read_text()
    assert "## Stories" in index
    for name, record in records.items():
        assert name in index and all(p["en"] in index for p in record["summary"])


def test_article_without_headline_is_titled_by_its_first_sentence(result):
    out, _, _, records = result
    record = records[SEED_B]
    assert record["meta"]["title"] is None  # only the display falls back
    index = (out / "index.md").read_text()
    title = fallback_title(t["en"] for t in record["translation"])
    assert title and f"### {title}\n" in index and f"### {SEED_B}\n" not in index
    nl_md = output_paths(out, SEED_B)["nl.md"].read_text()
    assert nl_md.startswith("# Daarnaast zou Kim Jong-un hebben bevestigd")


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does)")
    return path


def _browser(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}"]
        return subprocess.run([_chromium(), *flags, *args], capture_output=True, text=True, timeout=120)


def test_index_html_renders_in_a_real_browser(result, tmp_path):
    out, _, _, records = result
    page = (out / "index.html").as_uri()
    dom = _browser("--dump-dom", page).stdout
    assert "<h1>Summaries</h1>" in dom
    for name, record in records.items():
        assert html.escape(name) in dom
        for pair in record["summary"]:
            for lang in ("en", "nl"):
                words = max(re.findall(r"[A-Za-z]{3,}", pair[lang]) or [""], key=len)
                assert words in dom, (name, lang, words)
        n_marks = sum(len(p["unsupported"]) + len(p["unsupported_nl"]) for p in record["summary"])
        assert n_marks == 0 or "<mark" in dom
    assert 'href="./000_4ec734f60fdfd72d.translation.html"' in dom
    translation = _browser("--dump-dom", (out / "000_4ec734f60fdfd72d.translation.html").as_uri()).stdout
    assert "De Noord-Koreaanse leider Kim Jong-un" in translation

    shot = tmp_path / "index.png"
    _browser(f"--screenshot={shot}", "--window-size=1200,900", "--hide-scrollbars", page)
    width, height, pixels = _read_png(shot.read_bytes())
    assert (width, height) == (1200, 900)
    background = max(set(pixels), key=pixels.count)
    ink = sum(1 for p in pixels if p != background) / len(pixels)
    assert len(set(pixels)) > 20 and 0.01 < ink < 0.6, ink  # text and highlights drawn, not a blank page


def _read_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what chromium writes) into pixels, sampled every 4th."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, prev, pixels = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        if y % 4 == 0:
            pixels += [tuple(line[x:x + 3]) for x in range(0, stride, 4 * bpp)]
    return width, height, pixels
