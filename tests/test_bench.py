"""The benchmark: its corpora, its arithmetic and targets on hand-made figures, --render, and --quick end to end."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
STAGES = ("translating nl-en", "summarizing", "translating en-nl")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}_under_test", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpora():
    return _load("corpora")


@pytest.fixture(scope="module")
def tables():
    return _load("tables")


@pytest.fixture(scope="module")
def seeds(corpora, seed_dir):
    return corpora.read_seeds(seed_dir)


# --- corpora ----------------------------------------------------------------------------------------------------------


def test_distinct_corpus_repeats_no_sentence_and_copies_no_seed(corpora, seeds, seed_dir):
    from summarizer.inputs.articles import find_articles, read_article

    texts = corpora.distinct_corpus(seeds, 20, 18)
    sentences = [s for t in texts for s in t.sentences] + [t.headline for t in texts]
    assert len(texts) == 20 and all(len(t.sentences) == 18 for t in texts)
    assert len(set(sentences)) == len(sentences)
    seed_sentences = {s for p, n in find_articles(seed_dir) for s in read_article(p, n).sentences}
    assert not seed_sentences & set(sentences)


def test_distinct_corpus_follows_the_seeds_sentence_lengths(corpora, seeds):
    texts = corpora.distinct_corpus(seeds, 20, 18)
    lengths = [len(corpora._WORD.findall(s)) for t in texts for s in t.sentences]
    assert set(lengths) <= set(seeds.lengths)  # every length is one a seed sentence has
    mean_seed, mean = sum(seeds.lengths) / len(seeds.lengths), sum(lengths) / len(lengths)
    assert abs(mean - mean_seed) / mean_seed < 0.15
    ours, theirs = corpora.length_histogram(lengths), corpora.length_histogram(seeds.lengths)
    distance = sum(abs(ours.get(n, 0) - theirs.get(n, 0)) for n in set(ours) | set(theirs)) / 2
    assert distance < 0.3  # total variation over 360 draws from the seeds' distribution
    headline = [len(corpora._WORD.findall(t.headline)) for t in texts]
    assert set(headline) <= set(seeds.headline_lengths)


def test_distinct_corpus_is_reproducible_and_a_prefix_of_a_larger_one(corpora, seeds):
    assert corpora.distinct_corpus(seeds, 3, 6) == corpora.distinct_corpus(seeds, 3, 6)
    assert corpora.distinct_corpus(seeds, 5, 6)[:3] == corpora.distinct_corpus(seeds, 3, 6)


def test_the_pipeline_reads_a_written_corpus_as_distinct_and_the_wire_copy_as_repeating(corpora, seeds, tmp_path):
    texts = corpora.distinct_corpus(seeds, 4, 6)
    plain = corpora.corpus_stats(corpora.write_corpus(texts, tmp_path / "plain"))
    assert plain["articles"] == 4 and plain["distinct_overall"] == plain["sentences"] + plain["headlines"]
    wire = corpora.corpus_stats(corpora.write_corpus(corpora.wire_copy(texts), tmp_path / "wire"))
    assert wire["sentences"] == plain["sentences"]
    assert wire["distinct"] == wire["sentences"] - 2 * 3  # two pairs, each repeating one paragraph of three sentences
    counts = Counter(s for t in corpora.wire_copy(texts) for s in t.sentences)
    assert {s for s, n in counts.items() if n == 2} == set(texts[0].paragraphs[0]) | set(texts[2].paragraphs[0])


# --- arithmetic and targets -------------------------------------------------------------------------------------------


def _row(seconds: tuple[float, float, float], wall: float, rss: float, articles: int = 50, out: int = 1000) -> dict:
    tokens = {"in": dict.fromkeys(STAGES, 1000), "out": dict(zip(STAGES, (out, 200, out)))}
    return {"stages": dict(zip(STAGES, seconds)), "tokens": tokens, "wall": wall, "rss_mb": rss, "articles": articles,
            "done": articles, "failed": 0}


def _figures(articles: int = 50, device: str = "cpu", machine: str = "test machine") -> dict:
    rows = {
        "naive": _row((60.0, 300.0, 40.0), 900.0, 2700.0, articles),
        "batched": _row((6.0, 600.0, 4.0), 450.0, 3500.0, articles),
        "default": _row((3.0, 150.0, 2.0), 100.0, 1600.0, articles),
    }
    stage = {"articles": articles, "compute": "ctranslate2:cpu:int8", "batch_tokens": 4096, "per_article_s": 30.0, "batched_s": 12.0,
             "encoder_s": 3.0, "encoder_how": "one-step decode", "summary_tokens": 7100, "same_summaries": articles,
             "runs": {"per article": {"batches": articles, "mean_texts": 1.0, "max_texts": 1, "sizes": [1] * articles,
                                      "input_tokens": 500 * articles, "generating_s": 29.0},
                      "batched": {"batches": 2, "mean_texts": articles / 2, "max_texts": articles // 2, "sizes": [articles // 2] * 2,
                                  "input_tokens": 500 * articles, "generating_s": 11.5}}}
    return {"mode": {"articles": articles, "subset": articles, "sentences": 18, "summary_tokens": 142, "device": device, "quick": False},
            "machine": machine, "date": "2026-11-27", "seconds": 1800.0, "rows": rows, "stage": stage, "warm_rerun_s": 1.4,
            "corpus": {"distinct": {"articles": articles, "sentences": 18 * articles, "distinct": 18 * articles, "words": 270 * articles,
                                    "headlines": articles}}}


def test_speedups_are_per_article_and_stage_ratio_is_per_article_over_batched(tables):
    figures = _figures()
    rows = figures["rows"]
    assert tables.speedup(rows["naive"], rows["default"], tables.wall) == pytest.approx(9.0)
    assert tables.speedup(rows["batched"], rows["default"], tables.wall) == pytest.approx(4.5)
    slow = {**rows["naive"], "articles": 10, "wall": 180.0}  # the same per-article cost on a fifth of the articles
    assert tables.speedup(slow, rows["default"], tables.wall) == pytest.approx(9.0)
    assert tables.stage_speedup(figures["stage"]) == pytest.approx(2.5)
    assert tables.stage_speedup(None) is None
    assert tables.translation_output_tps(rows["default"]) == pytest.approx(2000 / 5)


def _with_greedy_baseline(figures: dict, seconds: float = 36.0) -> dict:
    """Figures whose stage comparison also ran the per-article path with greedy chunks (as bench.py now does)."""
    stage = figures["stage"]
    stage["before_s"] = seconds
    stage["runs"]["per article, greedy chunks"] = {"batches": 2 * stage["articles"], "mean_texts": 1.0, "max_texts": 1,
                                                   "sizes": [1] * 2 * stage["articles"], "input_tokens": 500 * stage["articles"],
                                                   "generating_s": seconds - 0.5}
    return figures


def test_stage_target_reads_the_path_it_replaced_and_shows_batchings_own_gain(tables):
    figures = _with_greedy_baseline(_figures())
    assert tables.stage_speedup(figures["stage"]) == pytest.approx(3.0)  # 36 s greedy per article / 12 s batched
    assert tables.batching_speedup(figures["stage"]) == pytest.approx(2.5)  # 30 s even per article / 12 s batched
    by_key = dict(zip((t.key for t in tables.TARGETS), tables.score(figures)))
    assert by_key["summarizing_vs_per_article"][1:] == ("3.00x", "met")
    figures["stage"]["before_s"] = 20.0  # a slower batched run than the old path would read missed
    figures["stage"]["batched_s"] = 12.0
    assert dict(zip((t.key for t in tables.TARGETS), tables.score(figures)))["summarizing_vs_per_article"][1:] == ("1.67x", "missed")
    text = tables.render(_with_greedy_baseline(_figures()))
    assert "| per article, greedy chunks | 36.0 | 100 | 1.0 / 1 | 25000 | 35.5 |" in text
    assert ("Batched is **3.00x** faster than the per-article path it replaced, and **2.50x** faster than per article with "
            "the same even chunks") in text
    assert "even chunks alone gave 1.20x" in text


def test_targets_read_met_or_missed_at_their_conditions(tables):
    verdicts = {text: (shown, verdict) for text, shown, verdict in tables.score(_figures())}
    by_key = dict(zip((t.key for t in tables.TARGETS), verdicts.values()))
    assert by_key["summarizing_vs_per_article"] == ("2.50x", "met")
    assert by_key["whole_vs_naive"] == ("9.00x", "met")
    assert by_key["whole_vs_batched"] == ("4.50x", "met")
    assert by_key["rss_mb"] == ("1600 MB", "met")
    assert by_key["warm_s"] == ("1.40 s", "missed")
    assert by_key["gpu_articles_per_min"] == ("not measured", "no GPU lent")


def test_targets_off_their_conditions_show_the_ratio_but_never_met(tables):
    scored = tables.score(_figures(articles=8))
    assert not any(verdict in ("met", "missed") for _, _, verdict in scored)
    first = scored[0]
    assert first[1] == "2.50x" and first[2] == "not at target conditions (8 articles, not 50): meets the bar there"
    quick = _figures()
    quick["mode"]["quick"] = True
    assert all("tiny models" in verdict for _, shown, verdict in tables.score(quick) if shown != "not measured")


def test_a_naive_subset_keeps_the_conditions_of_the_batched_paths_and_says_so(tables):
    figures = _figures()
    figures["rows"]["naive"] = {**figures["rows"]["naive"], "articles": 12, "wall": 900.0 * 12 / 50}  # same cost per article
    by_key = dict(zip((t.key for t in tables.TARGETS), tables.score(figures)))
    assert by_key["whole_vs_naive"][1:] == ("9.00x", "met ((a) timed on the first 12 of the 50 articles, compared per article)")
    assert by_key["rss_mb"][1:] == ("1600 MB", "met") and by_key["whole_vs_batched"][1:] == ("4.50x", "met")
    figures["rows"]["batched"]["articles"] = 12  # (b) batches across articles: fewer of them is another condition
    assert dict(zip((t.key for t in tables.TARGETS), tables.score(figures)))["rss_mb"][2].startswith("not at target conditions")


def test_gpu_targets_need_an_h100(tables):
    gpu = {text: verdict for text, _, verdict in tables.score(_figures(device="cuda", machine="x, GPU NVIDIA H100 80GB HBM3, y"))}
    other = {text: verdict for text, _, verdict in tables.score(_figures(device="cuda", machine="x, GPU NVIDIA A10, y"))}
    key = next(t.text for t in tables.TARGETS if t.key == "gpu_articles_per_min")
    assert gpu[key] == "missed"  # 50 articles in 100 s: 30 a minute
    assert other[key].startswith("not at target conditions (not an H100)")


def test_render_tables_hold_the_stage_comparison_and_encoder_share(tables):
    text = tables.render(_figures())
    assert "| per article | 30.0 | 50 | 1.0 / 1 | 25000 | 29.0 |" in text
    assert "Batched is **2.50x** faster." in text
    assert "| encoder | 3.0 | 25% |" in text
    assert "| whole run: (c) >= 8x the naive loop (a) | 9.00x | met |" in text


def test_render_flag_rewrites_the_document_from_raw_figures_and_keeps_them(tmp_path):
    raw = tmp_path / "figures.json"
    raw.write_text(json.dumps(_figures(articles=8)), encoding="utf-8")
    before = raw.read_bytes()
    done = subprocess.run([sys.executable, str(BENCH / "bench.py"), "--render", str(raw)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    document = (tmp_path / "figures.md").read_text(encoding="utf-8")
    assert "Machine: test machine." in document
    assert "on 2026-11-27" in document
    assert "## Against the targets (8 articles on cpu; the CPU targets are set for 50)" in document
    assert raw.read_bytes() == before  # the source of truth is not rewritten


# --- the whole benchmark ----------------------------------------------------------------------------------------------


def test_device_cuda_without_a_gpu_stops_with_a_clear_message(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is usable here")
    env = {**os.environ, "SUMMARIZE_BENCH_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(BENCH / "bench.py"), "--quick", "--device", "cuda"], capture_output=True, text=True,
                          timeout=120, check=False, env=env)
    assert done.returncode != 0
    assert "--device cuda: no CUDA GPU is usable here" in done.stderr and "BENCHMARKS.md" in done.stderr
    assert not any(tmp_path.iterdir())  # stopped before building anything


def test_quick_runs_every_path_on_tiny_models_and_writes_the_document(tmp_path):
    env = {**os.environ, "SUMMARIZE_BENCH_DIR": str(tmp_path / "bench")}
    output = tmp_path / "quick.md"
    done = subprocess.run([sys.executable, str(BENCH / "bench.py"), "--quick", "--device", "cpu", "--output", str(output)],
                          capture_output=True, text=True, timeout=600, check=False, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    assert set(figures["rows"]) == {"naive", "batched", "default"}
    assert all(row["articles"] == 2 for row in figures["rows"].values())
    assert figures["corpus"]["distinct"]["distinct"] == figures["corpus"]["distinct"]["sentences"]
    assert figures["corpus"]["wire"]["distinct"] < figures["corpus"]["wire"]["sentences"]
    stage = figures["stage"]
    assert stage["runs"]["per article"]["sizes"] == [1, 1] and sum(stage["runs"]["batched"]["sizes"]) == 2
    assert stage["before_s"] > 0 and sum(stage["runs"]["per article, greedy chunks"]["sizes"]) >= 2
    assert 0 < stage["encoder_s"] < stage["batched_s"]
    assert figures["warm_rerun_s"] > 0 and "wire" in figures
    document = output.read_text(encoding="utf-8")
    assert "tiny layers, an orchestration check only" in document
    targets = document.split("## Against the targets", 1)[1].split("\n## ", 1)[0]  # this run's verdicts, not bench/notes.md
    assert "not at target conditions (tiny models)" in targets and "| met |" not in targets


def test_encoder_hooks_time_each_encoder_pass_of_a_torch_engine(tiny_models):
    """The path a GPU run takes when CTranslate2 cannot reach cuBLAS 12: the default engine falls back to torch."""
    from summarizer.engines.torch import TorchEngine
    from summarizer.models.sources import ModelSource

    bench = _load("bench")
    engine = TorchEngine(ModelSource("summarizer", "x", "r", tiny_models["summarizer"]), device="cpu", dtype="float32")
    spans: list[float] = []
    hooks = bench._encoder_hooks(engine, spans, bench._synchronizer("cpu"))
    engine.generate(["The summit was cancelled.", "Talks go on."], num_beams=2, min_length=2, max_length=4)
    for hook in hooks:
        hook.remove()
    engine.generate(["Once more, unhooked."], num_beams=2, min_length=2, max_length=4)
    assert len(spans) == 1 and spans[0] > 0  # one encoder pass for the batch, none after the hooks are gone


def test_batch_curve_quick_times_each_batch_size_against_batches_of_one(tmp_path):
    env = {**os.environ, "SUMMARIZE_BENCH_DIR": str(tmp_path / "bench")}
    output = tmp_path / "curve.json"
    done = subprocess.run([sys.executable, str(BENCH / "batch_curve.py"), "--quick", "--device", "cpu", "--texts", "3",
                           "--sizes", "1,3", "--output", str(output)], capture_output=True, text=True, timeout=600, check=False, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(output.read_text(encoding="utf-8"))
    assert [row["size"] for row in figures["rows"]] == [1, 3]
    assert figures["rows"][0]["gain"] == 1.0 and figures["rows"][1]["gain"] > 0
    assert len(figures["tokens"]) == 3 and all(0 < n <= 40 for n in figures["tokens"])  # texts cut to --tokens
    assert all(row["seconds"] > 0 and row["per_text"] == pytest.approx(row["seconds"] / 3, rel=0.01) for row in figures["rows"])
    assert "| 3 |" in done.stdout and "vs batches of one" in done.stdout
