"""How the summarizer's time per text falls as batches grow, on the default engine: the most that batching can gain.

    python bench/batch_curve.py [--quick] [--tokens 600] [--texts 12] [--sizes 1,2,4,6,12] [--device auto|cpu|cuda]

Uses the benchmark's real-shape stand-in summarizer (bench.py builds and converts it once into
bench/.models/) and the engine the pipeline would pick (`--engine auto`). Texts of about
``--tokens`` tokens are cut from the distinct corpus (bench/corpora.py); every text is summarized
in batches of each size in turn, beam 4 and summaries of exactly ``--summary-tokens`` tokens, as in
bench.py. Prints seconds per text for each size and the gain over batches of one, all measured in
this one process. The summarizing-stage target in BENCHMARKS.md compares whole paths; this curve
shows how far batching alone can take that stage on this machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import bench as harness  # bench/bench.py: builds the models and puts this checkout on sys.path

__all__ = ["main", "texts_of", "curve"]


def texts_of(count: int, tokens: int, engine: Any) -> list[str]:
    """``count`` texts from distinct articles, each as many words as fit within ``tokens`` tokens (whole sentences
    while they fit, then words)."""
    articles = harness.corpora.distinct_corpus(harness.corpora.read_seeds(harness.REPO / "seeds"), count, 60)
    fits = lambda text: engine.count_tokens([text])[0] <= tokens  # noqa: E731
    texts = []
    for article in articles:
        text = ""
        for sentence in article.sentences:
            if fits(f"{text} {sentence}"):
                text = f"{text} {sentence}".strip()
                continue
            for word in sentence.split():
                if not fits(f"{text} {word}"):
                    break
                text = f"{text} {word}".strip()
            break
        if not text:
            raise SystemExit(f"--tokens {tokens}: not even one word fits")
        texts.append(text)
    return texts


def curve(engine: Any, texts: list[str], sizes: list[int], kwargs: dict[str, Any], sync: Any) -> list[dict[str, Any]]:
    """Seconds per text with the texts summarized in batches of each size (in that order), and the gain over size 1."""
    rows = []
    for size in sizes:
        jobs = [(texts[i:i + size], kwargs) for i in range(0, len(texts), size)]
        start = time.perf_counter()
        for _ in engine.generate_batches(iter(jobs)):
            pass
        sync()
        seconds = time.perf_counter() - start
        rows.append({"size": size, "seconds": seconds, "per_text": seconds / len(texts)})
    base = next((r["per_text"] for r in rows if r["size"] == 1), None)
    for row in rows:
        row["gain"] = base / row["per_text"] if base else None  # no batches of one were timed
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny models, 2 texts of 40 tokens: checks the script, figures meaningless")
    parser.add_argument("--tokens", type=int, help="tokens per text (default: 600, the length of an even chunk; 40 with --quick)")
    parser.add_argument("--texts", type=int, help="texts summarized at each batch size (default: 12; 2 with --quick)")
    parser.add_argument("--sizes", help="batch sizes, comma-separated (default: 1,2,4,6,12; 1,2 with --quick)")
    parser.add_argument("--summary-tokens", type=int, help="summary length, min = max (default: 142; 8 with --quick)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--output", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    quick = args.quick
    tokens = args.tokens or (40 if quick else 600)
    count = args.texts or (2 if quick else 12)
    sizes = [int(s) for s in (args.sizes or ("1,2" if quick else "1,2,4,6,12")).split(",")]
    summary = args.summary_tokens or (8 if quick else 142)
    from summarizer.engines.device import plan_device
    from summarizer.errors import UsageError

    try:
        device = plan_device(args.device)[0]
    except UsageError as exc:  # --device cuda where no GPU is usable
        raise SystemExit(harness.NO_GPU.format(why=str(exc).removeprefix("--device cuda: "))) from None
    harness.check_device(device)

    harness.standin_cache()
    models = harness.build_models(tiny=quick)
    harness.prepare(models, device)
    engine = _engine(models["summarizer"], device)
    from summarizer.generation.settings import SummarySettings

    texts = texts_of(count, min(tokens, engine.max_content_tokens), engine)
    kwargs = {**SummarySettings().generate_kwargs(tokens, engine.max_content_tokens), "min_length": summary, "max_length": summary}
    engine.generate(texts[:1], **{**kwargs, "min_length": 2, "max_length": 2})  # first-call set-up, untimed
    rows = curve(engine, texts, sizes, kwargs, harness._synchronizer(device))
    lengths = engine.count_tokens(texts)
    print(f"{engine.compute}: {len(texts)} texts of {min(lengths)}-{max(lengths)} tokens, beam {kwargs['num_beams']}, "
          f"summaries of {summary} tokens; {harness.machine(device)}")
    print("| texts per batch | seconds | seconds per text | vs batches of one |\n| ---: | ---: | ---: | ---: |")
    for row in rows:
        gain = f"{row['gain']:.2f}x" if row["gain"] is not None else "-"
        print(f"| {row['size']} | {row['seconds']:.1f} | {row['per_text']:.2f} | {gain} |")
    if args.output:
        args.output.write_text(json.dumps({"compute": engine.compute, "tokens": lengths, "summary_tokens": summary,
                                           "machine": harness.machine(device), "rows": rows}, indent=1) + "\n", encoding="utf-8")


def _engine(model: Path, device: str) -> Any:
    """The summarizer engine `--engine auto` builds, on the store bench.py converted it into."""
    from summarizer.cache import Cache
    from summarizer.engines.factory import make_engine
    from summarizer.models.lock import read_lock
    from summarizer.models.sources import model_store, resolve_source

    root = harness.MODELS / "cache-default"
    cache = Cache(root)
    try:
        source = resolve_source("summarizer", model, read_lock(harness.REPO / "models.lock"), cache, store=model_store(root),
                                allow_download=False)
    finally:
        cache.close()
    engine = make_engine("auto", source, device=device, dtype="float16" if device == "cuda" else "float32", store=root / "ct2")
    engine.preload()
    return engine


if __name__ == "__main__":
    sys.exit(main())
