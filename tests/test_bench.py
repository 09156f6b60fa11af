"""The benchmark's arithmetic and its --render path, on hand-made figures (no models are run here)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench.py"
STAGES = ("translating nl-en", "summarizing", "translating en-nl")


def _bench():
    spec = importlib.util.spec_from_file_location("bench_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(seconds: tuple[float, float, float], tokens: tuple[int, int, int], wall: float, rss: float) -> dict:
    return {"stages": dict(zip(STAGES, seconds)), "tokens": dict(zip(STAGES, tokens)), "wall": wall, "rss_mb": rss, "done": 50, "failed": 0}


def _figures() -> dict:
    # translation tok/s: (a) 2000 tokens / 100 s = 20; (b) 2000 / 10 s = 200; (c) 2000 / 5 s = 400
    rows = {
        "naive": _row((60.0, 300.0, 40.0), (1200, 500, 800), 600.0, 2700.0),
        "batched": _row((6.0, 600.0, 4.0), (1200, 500, 800), 700.0, 3500.0),
        "default": _row((3.0, 150.0, 2.0), (1200, 500, 800), 200.0, 1600.0),
    }
    return {"mode": {"articles": 50, "sentences": 18, "summary_tokens": 142}, "quick": False, "machine": "test machine",
            "stats": {"sentences": 900, "distinct": 46}, "seconds": 3000.0, "rows": rows, "warm_rerun_s": 2.5}


def test_render_computes_ratios_and_scores_each_target():
    figures = _figures()
    table = _bench().render(figures["rows"], figures["warm_rerun_s"], figures["mode"])
    assert "- (c) vs (b), translation tok/s: 2.0x; whole run: 3.5x faster" in table
    assert "| default path >= 15x naive, translation tok/s | 20.0x | met |" in table
    assert "| default path >= 3x transformers batched, translation tok/s | 2.0x | missed |" in table
    assert "| peak RSS of a full CPU run < 2.5 GB | 1600 MB | met |" in table
    assert "| warm-cache re-run < 2 s | 2.50 s | missed |" in table
    # per stage: nl-en (c) 400 tok/s vs (a) 20 and (b) 200
    assert "| translating nl-en | 20.0 (60.0 s) | 200.0 (6.0 s) | 400.0 (3.0 s) | 20.0x | 2.0x |" in table


def test_render_flag_rewrites_the_document_from_raw_figures_and_keeps_them(tmp_path):
    raw = tmp_path / "figures.json"
    raw.write_text(json.dumps(_figures()), encoding="utf-8")
    before = raw.read_bytes()
    done = subprocess.run([sys.executable, str(BENCH), "--render", str(raw)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    document = (tmp_path / "figures.md").read_text(encoding="utf-8")
    assert "Machine: test machine." in document
    assert "(900 sentences, 46 distinct" in document
    assert "## Against the targets (50 articles)" in document
    assert raw.read_bytes() == before  # the source of truth is not rewritten
