"""Benchmark: the whole pipeline on real-shape random models, naive vs transformers batched vs the default path.

    python bench/bench.py [--quick] [--articles N] [--output FILE]

Builds random-weight models with the shapes of opus-mt and distilbart-cnn-12-6 once
(bench/.models/), writes a corpus of articles made of shuffled seed sentences, runs each
path in its own subprocess with the result cache off (peak RSS from os.wait4), then
re-runs the default path on a warm cache, prints a table and writes BENCHMARKS.md.
Random models rarely emit EOS, so every path is given the same length caps: translations
may be as long as their input (ratio 1, no extra), summaries exactly min = max tokens.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MODELS = HERE / ".models"
PATHS = {
    "naive": "transformers generate, one sentence at a time",
    "batched": "transformers, length-sorted token-budget batches (--engine torch)",
    "default": "the project's default path (--engine auto)",
}
QUICK = {"articles": 3, "sentences": 6, "summary_tokens": 32}
FULL = {"articles": 50, "sentences": 18, "summary_tokens": 142}


def build_models() -> dict[str, Path]:
    """Real-shape random stand-ins of the three checkpoints (summarizer/models/standins.py), built once into bench/.models/.

    Like the real repos they hold only a pytorch_model.bin; the pipeline paths convert it to
    safetensors once (in their cache dir), as a user's first run does.
    """
    from summarizer.models.standins import DISTILBART_LAYERS, OPUS_MT_LAYERS, build_distilbart, build_opus_mt

    plan = {
        "nl-en": lambda path: build_opus_mt(path, direction="nl-en", layers=OPUS_MT_LAYERS, seed=1),
        "summarizer": lambda path: build_distilbart(path, layers=DISTILBART_LAYERS, seed=2),
        "en-nl": lambda path: build_opus_mt(path, direction="en-nl", layers=OPUS_MT_LAYERS, seed=3),
    }
    paths = {}
    for role, build in plan.items():
        path = MODELS / role
        if not (path / "pytorch_model.bin").is_file():
            print(f"building {role} (real shape) ...", flush=True)
            shutil.rmtree(path, ignore_errors=True)
            build(path)
        paths[role] = path
    return paths


def build_corpus(n_articles: int, n_sentences: int) -> Path:
    """Articles of shuffled seed sentences in paragraphs of three, each with a headline."""
    from summarizer.inputs.articles import find_articles, read_article

    sentences = [s for p, n in find_articles(REPO / "seeds") for s in read_article(p, n).sentences]
    corpus = MODELS / f"corpus-{n_articles}x{n_sentences}"
    if corpus.is_dir():
        return corpus
    tmp = corpus.with_name(corpus.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for i in range(n_articles):
        rng = random.Random(i)
        picked = rng.sample(sentences, min(n_sentences, len(sentences)))
        body = "\n\n".join(" ".join(picked[j:j + 3]) for j in range(0, len(picked), 3))
        (tmp / f"{i:03d}.txt").write_text(f" date 2018-05 Artikel {i} over de top van Kim en Trump\n\n{body}\n", encoding="utf-8")
    tmp.rename(corpus)
    return corpus


class _Stages:
    """A pipeline Reporter that times each stage (translating nl-en, summarizing, translating en-nl)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def stage(self, name: str, total: int) -> None:
        self.close()
        self._current = (name, time.perf_counter())

    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        if self._current:
            name, start = self._current
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
            self._current = None


def _settings(summary_tokens: int):
    from summarizer.generation.settings import SummarySettings, TranslationSettings

    return (TranslationSettings(max_length_ratio=1.0, max_length_extra=0),
            SummarySettings(min_length=summary_tokens, max_length=summary_tokens))


def worker_pipeline(path: str, corpus: Path, out: Path, models: dict[str, Path], summary_tokens: int, cache: Path | None) -> dict:
    """Paths (b) and (c): the project's pipeline with the torch engine or the default engine."""
    from summarizer.run.options import RunOptions
    from summarizer.run.pipeline import run

    translation, summary = _settings(summary_tokens)
    options = RunOptions(out_dir=out, cache_dir=cache, models={r: str(p) for r, p in models.items()},
                         translation=translation, summary=summary, engine="torch" if path == "batched" else "auto",
                         allow_download=False, retry_loops=False)  # random models loop; real ones rarely need the retry
    stages = _Stages()
    report = run(corpus, options, reporter=stages)
    stages.close()
    return {"stages": stages.seconds, "done": len(report.done), "failed": len(report.failed)}


def worker_naive(corpus: Path, out: Path, models: dict[str, Path], summary_tokens: int) -> dict:
    """Path (a): what a tutorial does: generate() per sentence, one summary per article, back-translate per sentence."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from summarizer.inputs.articles import find_articles, read_article
    from summarizer.inputs.segment import split_sentences

    translation, summary = _settings(summary_tokens)
    loaded: dict[str, tuple] = {}
    device = "cuda" if torch.cuda.is_available() else "cpu"  # a tutorial's `model.to("cuda")`, float32

    def model(role):
        if role not in loaded:
            loaded[role] = (AutoTokenizer.from_pretrained(models[role]), AutoModelForSeq2SeqLM.from_pretrained(models[role]).to(device).eval())
        return loaded[role]

    def translate(role, text):
        tok, m = model(role)
        batch = tok([text], return_tensors="pt", truncation=True, max_length=512).to(device)  # as a tutorial does
        n = batch["input_ids"].shape[1] - 1
        with torch.inference_mode():
            ids = m.generate(**batch, num_beams=translation.num_beams, max_new_tokens=translation.max_new_tokens(n, 510))
        return tok.decode(ids[0], skip_special_tokens=True).strip()

    seconds = {"translating nl-en": 0.0, "summarizing": 0.0, "translating en-nl": 0.0}
    for file, name in find_articles(corpus):
        article = read_article(file, name)
        t = time.perf_counter()
        title = translate("nl-en", article.title) if article.title else None
        english = [translate("nl-en", s) for s in article.sentences]
        seconds["translating nl-en"] += time.perf_counter() - t
        t = time.perf_counter()
        tok, m = model("summarizer")
        batch = tok([" ".join(english)], return_tensors="pt", truncation=True, max_length=1024).to(device)
        with torch.inference_mode():
            ids = m.generate(**batch, num_beams=summary.num_beams, min_length=summary.min_length, max_length=summary.max_length,
                             length_penalty=summary.length_penalty, no_repeat_ngram_size=summary.no_repeat_ngram_size, early_stopping=True)
        summary_en = split_sentences(tok.decode(ids[0], skip_special_tokens=True).strip(), "en")
        seconds["summarizing"] += time.perf_counter() - t
        t = time.perf_counter()
        pairs = [{"en": s, "nl": translate("en-nl", s)} for s in summary_en]
        seconds["translating en-nl"] += time.perf_counter() - t
        record = {"meta": {"title": {"nl": article.title, "en": title}}, "translation": [{"en": e} for e in english], "summary": pairs}
        (out / f"{Path(name).stem}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return {"stages": seconds, "done": len(find_articles(corpus)), "failed": 0}


def run_path(path: str, corpus: Path, out: Path, models: dict[str, Path], summary_tokens: int, cache: Path | None = None) -> dict:
    """One path in a fresh subprocess; returns its timings and peak RSS."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    spec = {"path": path, "corpus": str(corpus), "out": str(out), "models": {k: str(v) for k, v in models.items()},
            "summary_tokens": summary_tokens, "cache": str(cache) if cache else None}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--worker", json.dumps(spec)], stdout=subprocess.PIPE, env=_env())
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{path} failed with status {status}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    if result["failed"]:
        raise SystemExit(f"{path}: {result['failed']} articles failed; see the log above")
    return {**result, "wall": wall, "rss_mb": usage.ru_maxrss / 1024}


def _env() -> dict[str, str]:
    # the default path keeps its CTranslate2 conversions under bench/.models/xdg (its platform cache dir)
    return {**os.environ, "XDG_CACHE_HOME": str(MODELS / "xdg"), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def count_tokens(out: Path, tokenizer) -> dict[str, int]:
    """Output tokens per stage, all counted with one tokenizer so the paths compare."""
    n = {"translating nl-en": 0, "summarizing": 0, "translating en-nl": 0}

    def count(texts):
        return sum(len(ids) for ids in tokenizer([t for t in texts if t], add_special_tokens=False)["input_ids"]) if any(texts) else 0

    for file in sorted(out.glob("*.json")):
        record = json.loads(file.read_text(encoding="utf-8"))
        title = ((record.get("meta") or {}).get("title") or {}).get("en")
        n["translating nl-en"] += count([t["en"] for t in record["translation"]] + [title or ""])
        n["summarizing"] += count([p["en"] for p in record["summary"]])
        n["translating en-nl"] += count([p["nl"] for p in record["summary"]])
    return n


def warm_rerun(corpus: Path, out: Path, models: dict[str, Path], summary_tokens: int, cache: Path) -> float:
    """Wall time of the default path again, in a fresh process, on the cache its first run filled."""
    return run_path("default", corpus, out, models, summary_tokens, cache)["wall"]


def machine() -> str:
    """One line: CPU model, cores, memory, library versions."""
    import torch
    import transformers

    from summarizer.engines.factory import ct2_available

    ct2 = f"ctranslate2 {__import__('ctranslate2').__version__}" if ct2_available() else "no ctranslate2"

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) / 1024 ** 2 for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0)
    gpu = f"GPU {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else "no GPU"
    return (f"{cpu}, {len(os.sched_getaffinity(0))} cores usable, {gpu}, {mem:.0f} GB RAM, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
            f"transformers {transformers.__version__}, {ct2}")


def main() -> None:
    """Run the benchmark (or one worker, when called with --worker)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK['articles']} articles of {QUICK['sentences']} sentences, {QUICK['summary_tokens']}-token summaries")
    parser.add_argument("--articles", type=int, help="number of articles (default: 50, or 3 with --quick)")
    parser.add_argument("--output", type=Path, help="where to write the table (default: BENCHMARKS.md; with --quick "
                        "bench/.models/BENCHMARKS-quick.md, so a quick check never replaces the committed figures)")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="rewrite the table from a run's raw figures (BENCHMARKS.json) without running anything")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    if args.render:
        publish(json.loads(args.render.read_text(encoding="utf-8")), args.output or args.render.with_suffix(".md"), source=args.render)
        return
    if args.worker:
        spec = json.loads(args.worker)
        models = {k: Path(v) for k, v in spec["models"].items()}
        if spec["path"] == "naive":
            result = worker_naive(Path(spec["corpus"]), Path(spec["out"]), models, spec["summary_tokens"])
        else:
            result = worker_pipeline(spec["path"], Path(spec["corpus"]), Path(spec["out"]), models, spec["summary_tokens"],
                                     Path(spec["cache"]) if spec["cache"] else None)
        print(json.dumps(result))
        return
    mode = dict(QUICK if args.quick else FULL)
    args.output = args.output or (MODELS / "BENCHMARKS-quick.md" if args.quick else REPO / "BENCHMARKS.md")
    if args.articles:
        mode["articles"] = args.articles
    print(f"mode: {'quick' if args.quick else 'full'}: {mode['articles']} articles x {mode['sentences']} sentences, "
          f"summaries of {mode['summary_tokens']} tokens, translations capped at their input length, beam 4", flush=True)
    started = time.perf_counter()
    models = build_models()
    corpus = build_corpus(mode["articles"], mode["sentences"])
    t = time.perf_counter()
    convert_ct2(models)
    print(f"CTranslate2 conversion (once, not in the timings): {time.perf_counter() - t:.1f} s", flush=True)

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(models["nl-en"])
    rows = {}
    for path in PATHS:
        cache = MODELS / "cache-default" if path == "default" else None
        if cache:  # results start empty; the CTranslate2 conversions under it are kept
            for f in cache.glob("cache.sqlite3*"):
                f.unlink()
        print(f"running {path}: {PATHS[path]} ...", flush=True)
        result = run_path(path, corpus, MODELS / f"out-{path}", models, mode["summary_tokens"], cache)
        result["tokens"] = count_tokens(MODELS / f"out-{path}", tokenizer)
        rows[path] = result
        print(f"  {result['wall']:.1f} s, peak RSS {result['rss_mb']:.0f} MB", flush=True)
    warm = warm_rerun(corpus, MODELS / "out-warm", models, mode["summary_tokens"], MODELS / "cache-default")
    publish({"mode": mode, "quick": args.quick, "machine": machine(), "stats": corpus_stats(corpus),
             "seconds": time.perf_counter() - started, "rows": rows, "warm_rerun_s": warm}, args.output)


def publish(figures: dict, output: Path, *, source: Path | None = None) -> None:
    """Print the table, write it to ``output`` and the raw figures next to it (``.json``, which --render reads back).

    ``source``: the file the figures were read from, which is left as it is.
    """
    table = render(figures["rows"], figures["warm_rerun_s"], figures["mode"])
    print(table)
    output.write_text(document(table, figures), encoding="utf-8")
    raw = output.with_suffix(".json")
    if source is None or raw.resolve() != source.resolve():
        raw.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {output} and {raw}")


def convert_ct2(models: dict[str, Path]) -> None:
    """Convert each model for the default path ahead of the timed runs (a one-time cost, like a download)."""
    from summarizer.engines.factory import ct2_available

    if not ct2_available():
        print("CTranslate2 is not installed: the default path is torch", flush=True)
        return
    code = ("import sys; from pathlib import Path\n"
            "from summarizer.cache import Cache; from summarizer.engines.ctranslate2 import CT2Engine; from summarizer.models.lock import read_lock\n"
            "from summarizer.models.sources import resolve_source; from summarizer.engines.device import plan_device\n"
            "cache = Cache(Path(sys.argv[1])); device = plan_device('auto')[0]\n"
            "for role, path in zip(('nl-en', 'summarizer', 'en-nl'), sys.argv[2:]):\n"
            "    CT2Engine(resolve_source(role, path, read_lock(Path('models.lock')), cache), device=device, store=Path(sys.argv[1]) / 'ct2').prepare()\n")
    cache = MODELS / "cache-default"
    subprocess.run([sys.executable, "-c", code, str(cache), *(str(models[r]) for r in ("nl-en", "summarizer", "en-nl"))],
                   check=True, env=_env(), cwd=REPO)


def corpus_stats(corpus: Path) -> dict[str, int]:
    """Sentences in the corpus, and how many distinct ones: the project's paths translate each distinct sentence once."""
    from summarizer.inputs.articles import find_articles, read_article

    sentences = [s for p, n in find_articles(corpus) for s in read_article(p, n).sentences]
    return {"sentences": len(sentences), "distinct": len(set(sentences))}


# The targets: (label, how to read the figure, test)
TARGETS = (
    ("default path >= 15x naive, translation tok/s", lambda f: f"{f['vs_naive']:.1f}x", lambda f: f["vs_naive"] >= 15),
    ("default path >= 3x transformers batched, translation tok/s", lambda f: f"{f['vs_batched']:.1f}x", lambda f: f["vs_batched"] >= 3),
    ("peak RSS of a full CPU run < 2.5 GB", lambda f: f"{f['rss_mb']:.0f} MB", lambda f: f["rss_mb"] < 2500),
    ("warm-cache re-run < 2 s", lambda f: f"{f['warm']:.2f} s", lambda f: f["warm"] < 2.0),
)


def render(rows: dict, warm: float, mode: dict) -> str:
    """The results as a markdown table, the ratio lines and the targets."""
    def tps(r, stages):
        return sum(r["tokens"][s] for s in stages) / max(1e-9, sum(r["stages"].get(s, 0.0) for s in stages))

    trans = ("translating nl-en", "translating en-nl")
    lines = ["| path | wall s | articles/min | output tok/s (all) | translation tok/s | summary tok/s | peak RSS MB | translation vs (a) | all vs (a) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    base = rows["naive"]
    for label, (path, r) in zip("abc", rows.items()):
        total = sum(r["tokens"].values()) / r["wall"]
        lines.append(
            f"| ({label}) {PATHS[path]} | {r['wall']:.1f} | {60 * r['done'] / r['wall']:.2f} | {total:.1f} | {tps(r, trans):.1f} | "
            f"{tps(r, ('summarizing',)):.1f} | {r['rss_mb']:.0f} | {tps(r, trans) / tps(base, trans):.1f}x | "
            f"{total / (sum(base['tokens'].values()) / base['wall']):.1f}x |")
    c, b = rows["default"], rows["batched"]
    lines.append("")
    lines.append(f"- (c) vs (b), translation tok/s: {tps(c, trans) / tps(b, trans):.1f}x; whole run: {b['wall'] / c['wall']:.1f}x faster")
    lines.append(f"- warm-cache re-run of (c), wall time of a fresh process including start-up: {warm:.2f} s")
    lines.append("- output tokens counted with one tokenizer over what each path wrote: "
                 + "; ".join(f"({l}) {sum(r['tokens'].values())}" for l, r in zip("abc", rows.values())))
    lines += ["", "Per stage: output tok/s (stage seconds). Repeated sentences are translated once by (b) and (c), so",
              "nl-en gains from the corpus's repeats; en-nl (each article's own summary) shows the engines alone.", "",
              "| stage | (a) | (b) | (c) | (c) vs (a) | (c) vs (b) |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for stage in ("translating nl-en", "summarizing", "translating en-nl"):
        cells = [f"{tps(r, (stage,)):.1f} ({r['stages'].get(stage, 0.0):.1f} s)" for r in rows.values()]
        lines.append(f"| {stage} | {' | '.join(cells)} | {tps(c, (stage,)) / tps(base, (stage,)):.1f}x | {tps(c, (stage,)) / tps(b, (stage,)):.1f}x |")
    figures = {"vs_naive": tps(c, trans) / tps(base, trans), "vs_batched": tps(c, trans) / tps(b, trans), "rss_mb": c["rss_mb"], "warm": warm}
    lines += ["", f"## Against the targets ({mode['articles']} articles{'' if mode['articles'] == 50 else '; the targets are set for 50'})", "",
              "| target | measured | |", "| --- | --- | --- |"]
    lines += [f"| {label} | {show(figures)} | {'met' if ok(figures) else 'missed'} |" for label, show, ok in TARGETS]
    return "\n".join(lines)


def document(table: str, figures: dict) -> str:
    """BENCHMARKS.md text; the hand-written analysis in bench/notes.md is appended as it is."""
    notes = HERE / "notes.md"
    mode, stats = figures["mode"], figures["stats"]
    return f"""# Benchmarks

Produced by `python bench/bench.py{' --quick' if figures['quick'] else ''} --articles {mode['articles']}` ({figures['seconds'] / 60:.1f} min in all). Machine: {figures['machine']}.

Models: random weights with the real shapes (opus-mt nl-en / en-nl, distilbart-cnn-12-6; built by
`python -m summarizer.models.standins --real-shapes`), so compute and memory match the real checkpoints and only the words are
nonsense. Corpus: {mode['articles']} articles of {mode['sentences']} shuffled seed sentences ({stats['sentences']} sentences, {stats['distinct']} distinct:
(a) translates every one, (b) and (c) each distinct sentence once, as the pipeline does with repeated wire copy);
beam 4 everywhere; result cache off (the default path runs on an empty cache, which it fills for the warm re-run). Random models rarely
emit EOS, so every path gets the same caps: a translation at most as many tokens as its input,
a summary exactly {mode['summary_tokens']} tokens (min = max). Timings include model loading; the
one-time CTranslate2 conversion is not included. Each path runs in its own process; peak RSS is that
process's ru_maxrss. The repetition guard only flags loops here (`--no-retry-loops`): random
weights loop on nearly every sentence, which would make the project's paths translate everything
twice, a cost real models rarely pay.

{table}

On CUDA the default path uses CTranslate2 float16 (int8_float16 via `CT2Engine(compute_type=...)`)
and a 16384-token translation budget; the naive baseline then runs on the GPU in float32, as a
tutorial's `model.to("cuda")` would, and transformers batched in float16.
{notes.read_text(encoding="utf-8") if notes.is_file() else ""}"""


if __name__ == "__main__":
    main()
