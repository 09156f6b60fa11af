"""The benchmark's arithmetic and its tables: ratios measured within one run, the targets scored, BENCHMARKS.md text.

Everything here reads the raw figures that bench.py writes (BENCHMARKS.json) and nothing else,
so `bench.py --render` can rebuild the document without running a model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["PATHS", "STAGES", "DIGESTS", "STAGE_RUNS", "stage_seconds", "speedup", "measures", "at_target_conditions", "TARGETS", "score", "render",
           "document"]

PATHS = {  # key -> (label, what it is)
    "naive": ("a", "transformers generate(), one sentence at a time, one summary per article"),
    "batched": ("b", "transformers, length-sorted token-budget batches (--engine torch)"),
    "default": ("c", "the default path (--engine auto)"),
}
STAGES = ("translating nl-en", "summarizing", "translating en-nl")
DIGESTS = "story digests"  # the pipeline's end-of-run digests of multi-article stories; the naive loop has none
TARGET_ARTICLES = 50  # the CPU targets are set for 50 articles
# The summarizing stage alone (bench.py worker_stage), in the order run, with the key of its seconds:
# the per-article path before this work (full chunks and a short leftover), per article with even chunks, batched.
STAGE_RUNS = {"per article, greedy chunks": "before_s", "per article": "per_article_s", "batched": "batched_s"}


def label(path: str) -> str:
    """`(c)` for the default path, and so on."""
    return f"({PATHS[path][0]})"


def stage_seconds(row: dict, stage: str) -> float:
    """Seconds a path spent in a stage; DIGESTS sums the digest stages, "all" every stage."""
    stages = row["stages"]
    if stage == "all":
        return sum(stages.values())
    if stage == DIGESTS:
        return sum(s for name, s in stages.items() if name.startswith(DIGESTS))
    return stages.get(stage, 0.0)


def speedup(slow: dict | None, fast: dict | None, seconds: Callable[[dict], float]) -> float | None:
    """How many times faster ``fast`` is per article than ``slow`` (paths may run on different numbers of articles)."""
    if not slow or not fast:
        return None
    a, b = seconds(slow) / slow["articles"], seconds(fast) / fast["articles"]
    return a / b if b > 0 else None


def wall(row: dict) -> float:
    """A path's wall time: its fresh process from start to exit, model loading included."""
    return row["wall"]


def translation_output_tps(row: dict) -> float | None:
    """Output tokens per second of both translation stages together."""
    seconds = stage_seconds(row, "translating nl-en") + stage_seconds(row, "translating en-nl")
    tokens = row["tokens"]["out"]["translating nl-en"] + row["tokens"]["out"]["translating en-nl"]
    return tokens / seconds if seconds > 0 else None


def stage_speedup(stage: dict | None) -> float | None:
    """How many times faster the summarizing stage ran batched than the per-article path it replaced (same engine, same
    documents): per article with greedy chunks where that was run, else (older figures) per article with even chunks."""
    if not stage or stage["batched_s"] <= 0:
        return None
    return stage.get("before_s", stage["per_article_s"]) / stage["batched_s"]


def batching_speedup(stage: dict | None) -> float | None:
    """Batching's own share of that: batched vs per article, both with even chunks."""
    if not stage or stage["batched_s"] <= 0:
        return None
    return stage["per_article_s"] / stage["batched_s"]


def measures(figures: dict) -> dict[str, float | None]:
    """The figures the targets are scored on (None: not measured in this run)."""
    rows = figures["rows"]
    c = rows.get("default")
    cpu, gpu = figures["mode"]["device"] == "cpu", figures["mode"]["device"] == "cuda"
    return {
        "summarizing_vs_per_article": stage_speedup(figures.get("stage")) if cpu else None,
        "whole_vs_naive": speedup(rows.get("naive"), c, wall) if cpu else None,
        "whole_vs_batched": speedup(rows.get("batched"), c, wall) if cpu else None,
        "rss_mb": c["rss_mb"] if c and cpu else None,
        "warm_s": figures.get("warm_rerun_s") if cpu else None,
        "gpu_articles_per_min": 60 * c["articles"] / c["wall"] if c and gpu else None,
        "gpu_translation_tps": translation_output_tps(c) if c and gpu else None,
    }


@dataclass(frozen=True)
class Target:
    """One of the issue's targets: the figure it reads, the device it is for, and the bar."""

    key: str
    text: str
    device: str
    show: Callable[[float], str]
    ok: Callable[[float], bool]


TARGETS = (
    Target("summarizing_vs_per_article", "summarizing stage: batched (summarize_many) >= 2x the per-article path it replaced "
           "(summarize() per document; with greedy chunks where the run measured them, see the stage section)",
           "cpu", lambda v: f"{v:.2f}x", lambda v: v >= 2),
    Target("whole_vs_naive", "whole run: (c) >= 8x the naive loop (a)", "cpu", lambda v: f"{v:.2f}x", lambda v: v >= 8),
    Target("whole_vs_batched", "whole run: (c) >= 3x transformers batched (b)", "cpu", lambda v: f"{v:.2f}x", lambda v: v >= 3),
    Target("rss_mb", "peak RSS of (c) < 2.5 GB", "cpu", lambda v: f"{v:.0f} MB", lambda v: v < 2500),
    Target("warm_s", "warm re-run of (c) < 1 s, process start included", "cpu", lambda v: f"{v:.2f} s", lambda v: v < 1.0),
    Target("gpu_articles_per_min", "GPU (H100): whole pipeline (c) >= 1,000 articles/min", "cuda",
           lambda v: f"{v:,.0f} articles/min", lambda v: v >= 1000),
    Target("gpu_translation_tps", "GPU (H100): translation (c) >= 20,000 output tokens/s", "cuda",
           lambda v: f"{v:,.0f} tok/s", lambda v: v >= 20000),
)


def at_target_conditions(figures: dict, target: Target) -> str | None:
    """None when this run matches the conditions ``target`` is set for; else why its figure is only indicative."""
    mode = figures["mode"]
    if mode.get("quick"):
        return "tiny models"
    if target.device == "cpu":
        # The naive loop (a) works one article at a time, so it may run on the first few (--subset) and be compared per
        # article; the conditions are those of the batched paths, whose cost per article depends on how many there are.
        counts = {row["articles"] for path, row in figures["rows"].items() if path != "naive"} or {
            row["articles"] for row in figures["rows"].values()}
        if target.key == "summarizing_vs_per_article" and figures.get("stage"):
            counts = {figures["stage"]["articles"]}
        if counts != {TARGET_ARTICLES}:
            return f"{'/'.join(map(str, sorted(counts)))} articles, not {TARGET_ARTICLES}"
    elif "H100" not in figures.get("machine", ""):
        return "not an H100"
    return None


def score(figures: dict) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for every target: met or missed only at the target's conditions, else why not."""
    values = measures(figures)
    device = figures["mode"]["device"]
    out = []
    for target in TARGETS:
        value = values[target.key]
        if value is not None:
            side = "meets the bar there" if target.ok(value) else "misses the bar there"
            off = at_target_conditions(figures, target)
            verdict = ("met" if target.ok(value) else "missed") if off is None else f"not at target conditions ({off}): {side}"
            verdict += _subset_note(figures) if target.key == "whole_vs_naive" else ""
            out.append((target.text, target.show(value), verdict))
        elif target.device == "cuda" and device != "cuda":
            out.append((target.text, "not measured", "no GPU lent"))
        elif target.device != device:
            out.append((target.text, "not measured", f"a CPU target; this run used {device}"))
        else:
            out.append((target.text, "not measured", "a path it needs was not run"))
    return out


def _subset_note(figures: dict) -> str:
    """How (a) was timed when it ran on fewer articles than (c)."""
    rows = figures["rows"]
    naive, c = rows.get("naive"), rows.get("default")
    if not naive or not c or naive["articles"] == c["articles"]:
        return ""
    return f" ((a) timed on the first {naive['articles']} of the {c['articles']} articles, compared per article)"


def _ratio(value: float | None) -> str:
    return f"{value:.2f}x" if value is not None else "-"


def _per_article_note(rows: dict) -> list[str]:
    counts = {row["articles"] for row in rows.values()}
    if len(counts) == 1:
        return []
    return ["", "Paths ran on different numbers of articles (the slow ones on the first articles of the same corpus), "
            "so every ratio compares seconds per article; whole-run ratios then favour the path with more articles, "
            "whose model loading is spread thinner."]


def render(figures: dict) -> str:
    """The results as markdown: whole runs, stages, throughput, batches, the summarizing stage alone, wire copy, the targets."""
    rows = figures["rows"]
    run = [p for p in PATHS if p in rows]
    lines = ["| path | articles | wall s | articles/min | peak RSS MB | engine (summarizer) | whole run: (c) is ... faster |",
             "| --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    c = rows.get("default")
    for path in run:
        r = rows[path]
        engine = r.get("engines", {}).get("summarizer", "transformers " + figures["mode"]["device"])
        lines.append(f"| {label(path)} {PATHS[path][1]} | {r['articles']} | {r['wall']:.1f} | {60 * r['articles'] / r['wall']:.2f} | "
                     f"{r['rss_mb']:.0f} | {engine} | {_ratio(speedup(r, c, wall)) if path != 'default' else ''} |")
    lines += _per_article_note(rows)

    others = [p for p in run if p != "default"]
    lines += ["", "Seconds per stage (the stage timer of each path's own process), and how many times faster (c) is on each:", "",
              "| " + " | ".join(["stage", *(label(p) for p in run), *(f"(c) vs {label(p)}" for p in others)]) + " |",
              "| --- | " + " | ".join("---:" for _ in run + others) + " |"]
    stages = [*STAGES] + ([DIGESTS] if any(stage_seconds(rows[p], DIGESTS) > 0.05 for p in run) else []) + ["all"]
    for stage in stages:
        cells = ["-" if stage == DIGESTS and p == "naive" else f"{stage_seconds(rows[p], stage):.1f}" for p in run]
        ratios = [_ratio(speedup(rows[p], c, lambda r, s=stage: stage_seconds(r, s))) if stage != DIGESTS else "-" for p in others]
        name = "all stages" if stage == "all" else stage
        lines.append("| " + " | ".join([name, *cells, *ratios]) + " |")

    lines += ["", "Input tokens per second of each stage (the same input for every path on nl-en; each path's own text after it):", "",
              "| stage | input tokens (c) | " + " | ".join(label(p) for p in run) + " |", "| --- | ---: | " + " | ".join("---:" for _ in run) + " |"]
    for stage in STAGES:
        cells = []
        for p in run:
            seconds = stage_seconds(rows[p], stage)
            cells.append(f"{rows[p]['tokens']['in'][stage] / seconds:.0f}" if seconds > 0 else "-")
        lines.append(f"| {stage} | {c['tokens']['in'][stage] if c else '-'} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Output tokens written (nl-en / summaries / en-nl): " + "; ".join(
        f"{label(p)} " + " / ".join(str(rows[p]["tokens"]["out"][s]) for s in STAGES) for p in run))
    if c:
        lines.append(f"Translation output tokens per second of (c), both directions: {translation_output_tps(c) or 0:.0f}")
    lines += _batches(rows, run)
    lines += _stage(figures.get("stage"))
    lines += _wire(figures)
    warm = figures.get("warm_rerun_s")
    if warm is not None:
        lines += ["", f"Warm re-run of (c) on the cache its first run filled, a fresh process, start-up included: {warm:.2f} s"]
    articles = figures["mode"]["articles"]
    lines += ["", f"## Against the targets ({articles} articles on {figures['mode']['device']}"
              f"{'' if articles == TARGET_ARTICLES else f'; the CPU targets are set for {TARGET_ARTICLES}'})", "",
              "A target reads met or missed only when this run matched its conditions (real shapes, "
              f"{TARGET_ARTICLES} articles on CPU, an H100 for the GPU ones); otherwise the measured ratio is shown "
              "with the conditions it was measured at.", "",
              "| target | measured | verdict |", "| --- | --- | --- |"]
    lines += [f"| {text} | {shown} | {verdict} |" for text, shown, verdict in score(figures)]
    return "\n".join(lines)


def _batches(rows: dict, run: list[str]) -> list[str]:
    lines = ["", "Batches the engines were given (recorded around each engine's generate_batches in the worker):", "",
             "| path | stage | batches | texts per batch, mean / max | input tokens per text | padding | generating s |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    found = False
    for path in run:
        for stage, b in rows[path].get("batches", {}).items():
            found = True
            lines.append(f"| {label(path)} | {stage} | {b['batches']} | {b['mean_texts']:.1f} / {b['max_texts']} | "
                         f"{b['mean_tokens']:.0f} | {100 * b['padding']:.0f}% | {b['seconds']:.1f} |")
    return lines if found else []


def _stage(stage: dict | None) -> list[str]:
    if not stage:
        return []
    runs = stage["runs"]
    decoder = stage["batched_s"] - stage["encoder_s"]
    shown = [name for name, key in STAGE_RUNS.items() if key in stage]
    lines = ["", f"## The summarizing stage alone: per article vs batched ({stage['articles']} articles, {stage['compute']})", "",
             "The same English documents ((c)'s nl-en output), the same engine and settings, in one process. "
             + ("First the per-article path as it was before `summarize_many`: one `summarize()` call per document (chunk, "
                "summarize the chunks, combine), a text over the window cut into full chunks and a short leftover "
                "(`chunking='greedy'`); then the same with even chunks; "
                if "before_s" in stage else
                "First `summarize_many([document])` for each document in turn, the per-article `summarize()` call the pipeline "
                "made before `summarize_many` (chunk, summarize the chunks, combine); ")
             + "then one `summarize_many(documents)`, as the pipeline now runs a window "
             f"(token budget {stage['batch_tokens']} per batch, at most 16 texts).", "",
             "| run | seconds | batches | texts per batch, mean / max | input tokens | generating s |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name in shown:
        r = runs[name]
        lines.append(f"| {name} | {stage[STAGE_RUNS[name]]:.1f} | {r['batches']} | {r['mean_texts']:.1f} / {r['max_texts']} | "
                     f"{r['input_tokens']} | {r['generating_s']:.1f} |")
    lines += [""]
    if "before_s" in stage:
        lines += [f"Batched is **{_ratio(stage_speedup(stage))}** faster than the per-article path it replaced, and "
                  f"**{_ratio(batching_speedup(stage))}** faster than per article with the same even chunks (batching's own "
                  f"gain; even chunks alone gave {_ratio(stage['before_s'] / stage['per_article_s'])})."]
    else:
        lines += [f"Batched is **{_ratio(stage_speedup(stage))}** faster."]
    lines[-1] += (" Batch sizes used (texts): " + "; ".join(f"{name} {runs[name]['sizes']}" for name in shown) +
                  f". Summaries identical per article (even chunks) and batched: {stage['same_summaries']} of {stage['articles']} "
                  "(batching pads, which can move int8 results slightly).")
    lines += ["", "Where the batched run's time goes:", "", "| part | seconds | share |", "| --- | ---: | ---: |",
              f"| encoder | {stage['encoder_s']:.1f} | {100 * stage['encoder_s'] / stage['batched_s']:.0f}% |",
              f"| decoder (beam search, {stage['summary_tokens']} summary tokens written) | {decoder:.1f} | "
              f"{100 * decoder / stage['batched_s']:.0f}% |", "",
              "Encoder measured by " + ("forward hooks inside the batched run's generate() calls."
                                        if stage["encoder_how"] == "forward hooks" else
                                        "decoding each of the batched run's batches again for a single step (CTranslate2 has "
                                        "no hook): encoder plus one decoder step, so the encoder share is an upper bound.")]
    return lines


def _wire(figures: dict) -> list[str]:
    wire = figures.get("wire")
    c = figures["rows"].get("default")
    if not wire or not c:
        return []
    stats, plain = figures["corpus"]["wire"], figures["corpus"]["distinct"]
    lines = ["", "## Second run: a corpus with wire-copy repeats (what deduplication adds)", "",
             f"The same articles, except that the second of each pair opens with the first half of the first one's "
             f"paragraphs, word for word: {stats['sentences']} sentences, {stats['distinct']} distinct "
             f"(the distinct corpus: {plain['sentences']}, all distinct). Only (c) runs again; the naive loop translates every "
             "sentence on either corpus.", "",
             "| stage | (c) distinct corpus s | (c) wire copy s | wire copy vs distinct |", "| --- | ---: | ---: | ---: |"]
    for stage in [*STAGES, DIGESTS, "all"]:
        a, b = stage_seconds(c, stage), stage_seconds(wire, stage)
        name = "all stages" if stage == "all" else stage
        lines.append(f"| {name} | {a:.1f} | {b:.1f} | {a / b:.2f}x |" if b > 0 else f"| {name} | {a:.1f} | {b:.1f} | - |")
    lines.append(f"| whole run (wall) | {c['wall']:.1f} | {wire['wall']:.1f} | {c['wall'] / wire['wall']:.2f}x |")
    lines += ["", f"Wire copy: {wire.get('stories', 0)} stories of several articles (distinct corpus: {c.get('stories', 0)}), "
              f"{wire.get('translations_saved', 0)} sentence translations shared within stories."]
    return lines


def _load(figures: dict) -> str:
    load = figures.get("load")
    if not load:
        return ""
    return (f" Load average (1 min) {load[0]:.1f} at the start and {load[1]:.1f} at the end: other work shared the cores, "
            "so read the ratios, not the absolute times.")


def document(figures: dict, notes: str) -> str:
    """BENCHMARKS.md: how the figures were made, the tables, then the hand-written notes (bench/notes.md)."""
    mode, stats = figures["mode"], figures["corpus"]["distinct"]
    command = "python bench/bench.py" + (" --quick" if mode.get("quick") else "") \
        + f" --articles {mode['articles']} --device {mode['device']}" + (f" --subset {mode['subset']}" if mode.get("subset") != mode["articles"] else "") \
        + (f" --paths {','.join(mode['paths'])}" if mode.get("paths") else "")
    return f"""# Benchmarks

Produced by `{command}` on {figures.get('date', 'an unrecorded date')} ({figures['seconds'] / 60:.1f} min in all). Machine: {figures['machine']}.{_load(figures)}

Models: random weights with the real shapes{' (no: --quick, tiny layers, an orchestration check only)' if mode.get('quick') else ''}
(opus-mt nl-en / en-nl, distilbart-cnn-12-6: the layer sizes in `summarizer/models/standins.py`) and tokenizers of the real kind and
size, so compute, memory and tokens per word (about 1.5) match the real checkpoints and only the words are
nonsense. Corpus: {stats['articles']} articles of {mode['sentences']} sentences and a headline, {stats['sentences']} sentences, {stats['distinct']} distinct
({stats['words']} words): new sentences made of the seeds' words, each as long as a seed sentence drawn at random
(`bench/corpora.py`), so no path gains from repeated text. Each checkpoint's own generation settings (beam 6
nl-en, 4 en-nl, 4 summaries), except the lengths: random models rarely emit EOS, so every path gets the same
caps, a translation at most as many tokens as its input, a summary exactly {mode['summary_tokens']} tokens (min = max).
Each path runs in its own process with the result cache empty; wall time is that process from start to exit,
model loading included; peak RSS is its ru_maxrss. Conversions (safetensors, CTranslate2) are done once
beforehand and not timed. The repetition guard only flags loops (`--no-retry-loops`): random weights loop on
nearly every sentence, which would make the pipeline translate everything twice, a cost real models rarely pay.
All ratios are measured within this one run on a shared machine: read them as ratios, not as promises of
absolute speed.

{render(figures)}
{notes}"""
