"""Benchmark: the whole pipeline on real-shape random models and distinct text, naive vs batched vs the default path.

    python bench/bench.py [--quick] [--articles N] [--device auto|cpu|cuda] [--paths ...] [--no-repeats]
    python bench/bench.py --render BENCHMARKS.json

Builds random-weight models with the shapes and tokenizers of opus-mt and distilbart-cnn-12-6
once (bench/.models/), writes a corpus of articles whose sentences never repeat
(bench/corpora.py), converts the models once (untimed), then runs each path in its own
subprocess with the result cache empty (peak RSS from os.wait4): (a) a naive transformers
loop, (b) the pipeline with --engine torch, (c) the default path. Then, on (c)'s English text,
the summarizing stage alone on the default engine: each article on its own (what the pipeline
did before summarize_many) against all articles batched, with the encoder's share and the batch
sizes; (c) again on its warm cache in a fresh process; and (c) on a wire-copy corpus that repeats
sentences. Prints the tables and writes BENCHMARKS.md and BENCHMARKS.json. Random models rarely
emit EOS, so every path gets the same length caps: translations as long as their input,
summaries min = max tokens. --quick runs everything on tiny models (an orchestration check;
its figures mean nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for _path in (str(HERE), str(REPO)):  # bench/corpora.py, bench/tables.py and this checkout's summarizer
    if _path not in sys.path:
        sys.path.insert(0, _path)

import corpora  # noqa: E402
import tables  # noqa: E402

MODELS = Path(os.environ.get("SUMMARIZE_BENCH_DIR") or HERE / ".models")  # models, corpora, caches and outputs of the runs
ROLES = ("nl-en", "summarizer", "en-nl")
ORDER = ("naive", "batched", "default", "stage")  # (c) runs after (b) and fills the warm cache; the stage comparison reads (c)'s output
QUICK = {"articles": 2, "sentences": 4, "summary_tokens": 16}
FULL = {"articles": 50, "sentences": 18, "summary_tokens": 142}
GPU = {"articles": 1000, "sentences": 18, "summary_tokens": 142, "subset": 50}  # (a) and the per-article summaries on 50 only
# Top-level modules a run imports beyond torch and transformers: what a bare GPU machine may lack.
NEEDED = ("ctranslate2", "sentencepiece", "sacremoses", "tokenizers", "safetensors", "huggingface_hub", "pysbd",
          "platformdirs", "tomli_w", "typer", "rich")
NO_GPU = ("--device cuda: no CUDA GPU is usable here ({why}). Run it on a machine with an NVIDIA GPU and a CUDA build "
          "of torch; without network, install the wheels listed in BENCHMARKS.md ('On a GPU machine') first.")


# --- setup (untimed) ----------------------------------------------------------------------------------------------


def standin_cache() -> Path:
    """The stand-in tokenizers' cache: bench/.models/standins, seeded from the user cache when that has them.

    Training them needs wordfreq and minutes; the files are a few MB, so a GPU machine without
    network gets them by carrying this folder.
    """
    from summarizer.models.standins import CACHE_ENV, CACHE_VERSION

    root = Path(os.environ.get(CACHE_ENV) or MODELS / "standins")
    os.environ[CACHE_ENV] = str(root)
    if not (root / CACHE_VERSION).is_dir():
        try:
            from platformdirs import user_cache_dir

            user = Path(user_cache_dir("summarize")) / "standins" / CACHE_VERSION
        except ImportError:
            user = None
        if user and user.is_dir():
            shutil.copytree(user, root / CACHE_VERSION)
    return root


def build_models(tiny: bool = False) -> dict[str, Path]:
    """The three stand-ins (summarizer/models/standins.py), real shapes unless ``tiny``, built once into bench/.models/.

    Like the real repos they hold only a pytorch_model.bin, which the pipeline converts to
    safetensors once per store (done untimed in `prepare`).
    """
    from summarizer.models.standins import DISTILBART_LAYERS, OPUS_MT_LAYERS, TINY_LAYERS, build_distilbart, build_opus_mt

    marian, bart = (TINY_LAYERS, TINY_LAYERS) if tiny else (OPUS_MT_LAYERS, DISTILBART_LAYERS)
    plan = {
        "nl-en": lambda path: build_opus_mt(path, direction="nl-en", layers=marian, seed=1),
        "summarizer": lambda path: build_distilbart(path, layers=bart, seed=2),
        "en-nl": lambda path: build_opus_mt(path, direction="en-nl", layers=marian, seed=3),
    }
    root = MODELS / "tiny" if tiny else MODELS
    paths = {}
    for role, build in plan.items():
        path = root / role
        if not (path / "pytorch_model.bin").is_file():
            print(f"building {role} ({'tiny' if tiny else 'real shape'}) ...", flush=True)
            shutil.rmtree(path, ignore_errors=True)
            build(path)
        paths[role] = path
    return paths


def build_corpus(kind: str, articles: int, sentences: int) -> Path:
    """bench/.models/corpus-{kind}-{articles}x{sentences}: `distinct` (no sentence repeats) or `wire` (pairs share copy).

    A distinct corpus of n articles is the first n articles of any larger one.
    """
    folder = MODELS / f"corpus-{kind}-{articles}x{sentences}"
    if not folder.is_dir():
        texts = corpora.distinct_corpus(corpora.read_seeds(REPO / "seeds"), articles, sentences)
        corpora.write_corpus(corpora.wire_copy(texts) if kind == "wire" else texts, folder)
    stats = corpora.corpus_stats(folder)
    if kind == "distinct" and stats["distinct_overall"] != stats["sentences"] + stats["headlines"]:
        raise SystemExit(f"{folder}: sentences repeat ({stats}); delete the folder to rebuild it")
    return folder


def prepare(models: dict[str, Path], device: str) -> None:
    """Convert the models once for every store the paths use: safetensors for (b), safetensors and CTranslate2 for (c)."""
    code = ("import sys, json; from pathlib import Path\n"
            "from summarizer.cache import Cache, default_cache_dir; from summarizer.models.lock import read_lock\n"
            "from summarizer.models.sources import resolve_source, model_store\n"
            "from summarizer.engines.factory import make_engine\n"
            "models, root, device = json.loads(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]\n"
            "lock = read_lock(Path('models.lock'))\n"
            "for store, ct2 in ((default_cache_dir(), False), (root, True)):\n"
            "    cache = Cache(store if ct2 else None)\n"
            "    for role, path in models.items():\n"
            "        source = resolve_source(role, path, lock, cache, store=model_store(store), allow_download=False)\n"
            "        if ct2:\n"
            "            engine = make_engine('auto', source, device=device, dtype='float16' if device == 'cuda' else 'float32', store=root / 'ct2')\n"
            "            print(role, engine.compute, flush=True)\n"
            "    cache.close()\n")
    subprocess.run([sys.executable, "-c", code, json.dumps({r: str(p) for r, p in models.items()}), str(MODELS / "cache-default"), device],
                   check=True, env=_env(), cwd=REPO)


def _env() -> dict[str, str]:
    # (b) keeps its safetensors copies under bench/.models/xdg (its platform cache dir); nothing goes online
    return {**os.environ, "XDG_CACHE_HOME": str(MODELS / "xdg"), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def missing_modules() -> list[str]:
    """The modules of NEEDED that are not installed here."""
    import importlib.util

    return [m for m in NEEDED if importlib.util.find_spec(m) is None]


# --- the workers (each in its own process) ----------------------------------------------------------------------


def _overrides(summary_tokens: int):
    """The length caps every path gets; everything else is each checkpoint's own."""
    from summarizer.generation.settings import Overrides

    return Overrides(min_length=summary_tokens, max_length=summary_tokens, max_length_ratio=1.0, max_length_extra=0)


class Recorder:
    """A pipeline Reporter that times each stage, and a tap on each engine's generate_batches that logs every batch.

    Stages of the end-of-run story digests are named ``story digests: <stage>``.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.batches: list[dict[str, Any]] = []
        self.prefix = ""
        self.current = ""
        self._start: float | None = None
        self.workbench: Any = None

    def stage(self, name: str, total: int) -> None:
        """A stage begins (and the one before it ends)."""
        self.close()
        self.current, self._start = self.prefix + name, time.perf_counter()

    def articles(self, start: int, count: int, total: int) -> None:
        """Which articles are being processed: not timed."""

    def advance(self, n: int = 1) -> None:
        """Progress is not timed."""

    def status(self, text: str) -> None:
        """Status lines are not timed."""

    def close(self) -> None:
        """End the current stage."""
        if self._start is not None:
            self.seconds[self.current] = self.seconds.get(self.current, 0.0) + time.perf_counter() - self._start
            self._start = None

    def watch(self, role: str, engine: Any) -> None:
        """Log each batch ``engine`` generates: its texts, its arguments and the seconds until its outputs came back."""
        inner = engine.generate_batches

        def generate_batches(jobs):
            queue: deque = deque()

            def tap():
                for texts, kwargs in jobs:
                    queue.append((list(texts), kwargs))
                    yield texts, kwargs

            start = time.perf_counter()
            for outputs in inner(tap()):
                texts, kwargs = queue.popleft()
                self.batches.append({"role": role, "stage": self.current, "texts": texts, "kwargs": kwargs,
                                     "seconds": time.perf_counter() - start})
                yield outputs
                start = time.perf_counter()

        engine.generate_batches = generate_batches


def _instrument(recorder: Recorder) -> None:
    """Tap the engines each run builds, and name the stages of the end-of-run story digests apart."""
    from summarizer.run import pipeline
    from summarizer.run.workbench import Workbench

    build, finish = Workbench.build, pipeline.finish

    def build_watched(options, plan, cache):
        workbench = build(options, plan, cache)
        for role, engine in workbench.engines.items():
            recorder.watch(role, engine)
        recorder.workbench = workbench
        return workbench

    def finish_named(*args, **kwargs):
        recorder.close()
        recorder.prefix = tables.DIGESTS + ": "
        return finish(*args, **kwargs)

    Workbench.build = staticmethod(build_watched)  # type: ignore[method-assign]
    pipeline.finish = finish_named  # type: ignore[assignment]


def worker_pipeline(spec: dict) -> dict:
    """(b) and (c): the project's pipeline, with its stages timed and its engines' batches logged."""
    from summarizer.run import pipeline
    from summarizer.run.options import RunOptions

    recorder = Recorder()
    _instrument(recorder)
    options = RunOptions(out_dir=Path(spec["out"]), cache_dir=Path(spec["cache"]) if spec["cache"] else None, device=spec["device"],
                         models=spec["models"], lock_path=REPO / "models.lock", settings=_overrides(spec["summary_tokens"]),
                         engine=spec["engine"], allow_download=False, retry_loops=False)  # random models loop; real ones rarely need the retry
    report = pipeline.run(Path(spec["corpus"]), options, reporter=recorder)
    recorder.close()
    engines = {role: e.compute for role, e in recorder.workbench.engines.items()} if recorder.workbench else {}
    if spec.get("log"):
        Path(spec["log"]).write_text(json.dumps(recorder.batches), encoding="utf-8")
    return {"stages": recorder.seconds, "done": len(report.done), "failed": len(report.failed), "stories": report.stories,
            "translations_saved": report.translations_saved, "engines": engines, "modules": _third_party_modules()}


def worker_naive(spec: dict) -> dict:
    """(a) What a tutorial does: generate() per sentence, one summary per article (truncated at 1024), back-translate per sentence."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from summarizer.generation.settings import published_settings
    from summarizer.inputs.articles import find_articles, read_article
    from summarizer.inputs.segment import split_sentences

    models = spec["models"]
    device = spec["device"]  # a tutorial's `model.to("cuda")`: float32
    overrides = _overrides(spec["summary_tokens"])
    loaded: dict[str, tuple] = {}

    def model(role):
        if role not in loaded:
            loaded[role] = (AutoTokenizer.from_pretrained(models[role]), AutoModelForSeq2SeqLM.from_pretrained(models[role]).to(device).eval())
        return loaded[role]

    def translate(role, text):
        tok, m = model(role)
        settings = overrides.translation(published_settings(Path(models[role]), task="translation"))
        batch = tok([text], return_tensors="pt", truncation=True, max_length=512).to(device)  # as a tutorial does
        with torch.inference_mode():
            ids = m.generate(**batch, **settings.generate_kwargs(batch["input_ids"].shape[1] - 1, 511))
        return tok.decode(ids[0], skip_special_tokens=True).strip()

    summary = overrides.summary(published_settings(Path(models["summarizer"]), task="summarization"))
    seconds = dict.fromkeys(tables.STAGES, 0.0)
    truncated = 0
    found = find_articles(Path(spec["corpus"]))
    for file, name in found:
        article = read_article(file, name)
        t = time.perf_counter()
        title = translate("nl-en", article.title) if article.title else None
        english = [translate("nl-en", s) for s in article.sentences]
        seconds["translating nl-en"] += time.perf_counter() - t
        t = time.perf_counter()
        tok, m = model("summarizer")
        batch = tok([" ".join(english)], return_tensors="pt", truncation=True, max_length=1024).to(device)
        truncated += batch["input_ids"].shape[1] >= 1024
        with torch.inference_mode():
            ids = m.generate(**batch, **summary.generate_kwargs(batch["input_ids"].shape[1] - 2, 1022))
        summary_en = split_sentences(tok.decode(ids[0], skip_special_tokens=True).strip(), "en")
        seconds["summarizing"] += time.perf_counter() - t
        t = time.perf_counter()
        pairs = [{"en": s, "nl": translate("en-nl", s)} for s in summary_en]
        seconds["translating en-nl"] += time.perf_counter() - t
        record = {"meta": {"title": {"nl": article.title, "en": title}},
                  "translation": [{"nl": nl, "en": en} for nl, en in zip(article.sentences, english)], "summary": pairs}
        (Path(spec["out"]) / f"{Path(name).stem}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return {"stages": seconds, "done": len(found), "failed": 0, "truncated": truncated, "modules": _third_party_modules()}


def english_documents(out: Path) -> list[list[str]]:
    """The English sentences of each article a path wrote (its nl-en output), in file order: the summarizer's input."""
    return [[t["en"] for t in json.loads(f.read_text(encoding="utf-8"))["translation"] if t["en"]] for f in sorted(out.glob("*.json"))]


def worker_stage(spec: dict) -> dict:
    """The summarizing stage alone, one engine, the same documents: each on its own vs all batched; the encoder's share.

    "Per article, greedy chunks" is the pipeline before this work: one summarize() call per
    document (summarize_many of that one document is that call: chunk, summarize, combine), a
    long text cut into full chunks and a short leftover. "Per article" is the same with even
    chunks, so that batching's own gain shows apart from the chunking's. "Batched" is one
    summarize_many over every document, as the pipeline now runs a window.
    The encoder's share is measured on the batched run's own batches: with a torch engine by
    forward hooks inside those generate() calls; CTranslate2 has no hook, so each batch is
    decoded once more for a single step (encoder plus one decoder step).
    """
    from summarizer.cache import Cache
    from summarizer.generation.summarize import summarize_many
    from summarizer.run.options import RunOptions
    from summarizer.run.plan import plan_engines
    from summarizer.run.workbench import Workbench

    documents = english_documents(Path(spec["source"]))[: spec["articles"]]
    options = RunOptions(out_dir=Path(spec["out"]), cache_dir=Path(spec["cache"]), device=spec["device"], models=spec["models"],
                         lock_path=REPO / "models.lock", settings=_overrides(spec["summary_tokens"]), engine=spec["engine"],
                         allow_download=False)
    cache = Cache(options.cache_dir)
    workbench = Workbench.build(options, plan_engines(options), cache)
    engine = workbench.engines["summarizer"]
    settings, budget = workbench.summary, workbench.plan.batch_tokens * 4  # what Workbench.summarize passes
    engine.preload()
    inner = getattr(engine, "inner", engine)  # the engine `auto` chose
    engine.generate(documents[0][:1], **{**settings.generate_kwargs(8, engine.max_content_tokens),
                                        "min_length": 2, "max_length": 2})  # first-call set-up, untimed
    sync = _synchronizer(spec["device"])
    log: list[dict[str, Any]] = []
    recorder = Recorder()
    recorder.watch("summarizer", engine)
    recorder.batches = log
    encoder_spans: list[float] = []

    def timed(run: str, work: Any) -> tuple[Any, float]:
        """``work()``'s result and its seconds, its batches logged under ``run`` (a name of tables.STAGE_RUNS)."""
        recorder.current = run
        start = time.perf_counter()
        result = work()
        sync()
        return result, time.perf_counter() - start

    def each(chosen: Any) -> list[str]:
        return [summarize_many([doc], engine=engine, settings=chosen, batch_tokens=budget)[0] for doc in documents]

    _, before = timed("per article, greedy chunks", lambda: each(replace(settings, chunking="greedy")))
    alone, per_article = timed("per article", lambda: each(settings))
    hooks = _encoder_hooks(inner, encoder_spans, sync) if inner.name == "torch" else []
    together, batched = timed("batched", lambda: summarize_many(documents, engine=engine, settings=settings, batch_tokens=budget))
    for hook in hooks:
        hook.remove()
    if inner.name == "torch":
        encoder, how = sum(encoder_spans), "forward hooks"
    else:
        encoder, how = 0.0, "one-step decode"
        recorder.current = "encoder"
        for b in [b for b in log if b["stage"] == "batched"]:
            t = time.perf_counter()
            engine.generate(b["texts"], **{**b["kwargs"], "min_length": 2, "max_length": 2})
            sync()
            encoder += time.perf_counter() - t
    count = engine.count_tokens
    runs = {}
    for name in tables.STAGE_RUNS:
        batches = [b for b in log if b["stage"] == name]
        sizes = [len(b["texts"]) for b in batches]
        runs[name] = {"batches": len(batches), "mean_texts": sum(sizes) / max(1, len(sizes)), "max_texts": max(sizes, default=0),
                      "sizes": sizes, "input_tokens": sum(sum(count(b["texts"])) for b in batches),
                      "generating_s": sum(b["seconds"] for b in batches)}
    cache.close()
    return {"articles": len(documents), "compute": engine.compute, "batch_tokens": budget, "before_s": before, "per_article_s": per_article,
            "batched_s": batched, "encoder_s": encoder, "encoder_how": how, "runs": runs,
            "summary_tokens": sum(count([s for s in together if s])), "same_summaries": sum(a == b for a, b in zip(alone, together)),
            "done": len(documents), "failed": 0, "modules": _third_party_modules()}


def _synchronizer(device: str):
    """A function that waits for the GPU's queued work (nothing on CPU), so timings cover what was asked."""
    if device != "cuda":
        return lambda: None
    import torch

    return torch.cuda.synchronize


def _encoder_hooks(engine: Any, spans: list[float], sync) -> list[Any]:
    """Forward hooks on a torch engine's encoder that add each encoder pass's seconds to ``spans``."""

    def before(module, args):
        sync()
        spans.append(-time.perf_counter())

    def after(module, args, output):
        sync()
        spans[-1] += time.perf_counter()

    encoder = engine.model.get_encoder()
    return [encoder.register_forward_pre_hook(before), encoder.register_forward_hook(after)]


def _third_party_modules() -> list[str]:
    """Top-level modules this process imported from site-packages (what a bare machine would need)."""
    import sysconfig

    site = sysconfig.get_paths()["purelib"]
    return sorted({name.split(".")[0] for name, module in list(sys.modules.items())
                   if (getattr(module, "__file__", None) or "").startswith(site)})


WORKERS = {"naive": worker_naive, "pipeline": worker_pipeline, "stage": worker_stage}


# --- orchestration ------------------------------------------------------------------------------------------------


def run_worker(kind: str, spec: dict) -> dict:
    """One worker in a fresh subprocess; returns its result with its wall time and peak RSS."""
    if spec.get("out"):
        shutil.rmtree(spec["out"], ignore_errors=True)
        Path(spec["out"]).mkdir(parents=True)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--worker", kind, json.dumps(spec)], stdout=subprocess.PIPE, env=_env(), cwd=REPO)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{kind} worker failed with status {status}; see the log above")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    if result["failed"]:
        raise SystemExit(f"{kind} worker: {result['failed']} articles failed; see the log above")
    return {**result, "wall": wall, "rss_mb": usage.ru_maxrss / 1024}


def _empty_results(cache: Path) -> None:
    """Drop the results of an earlier run from a cache dir; its converted models stay."""
    for f in cache.glob("cache.sqlite3*"):
        f.unlink()


def run_path(path: str, corpus: Path, models: dict[str, Path], mode: dict, *, name: str | None = None) -> dict:
    """One path of the comparison on ``corpus``, cold; its outputs go to bench/.models/out-``name`` (default: the path's)."""
    cache = MODELS / "cache-default"
    name = name or path
    spec = {"corpus": str(corpus), "out": str(MODELS / f"out-{name}"), "models": {r: str(p) for r, p in models.items()},
            "summary_tokens": mode["summary_tokens"], "device": mode["device"], "log": str(MODELS / f"batches-{name}.json")}
    if path == "naive":
        return run_worker("naive", spec)
    if path == "batched":
        return run_worker("pipeline", {**spec, "engine": "torch", "cache": None})
    _empty_results(cache)
    return run_worker("pipeline", {**spec, "engine": "auto", "cache": str(cache)})


def run_stage(models: dict[str, Path], mode: dict, articles: int) -> dict:
    """The summarizing stage alone on (c)'s English text, per article vs batched, on the default engine (worker_stage)."""
    source = MODELS / "out-default"
    if not any(source.glob("*.json")):
        raise SystemExit("the summarizing-stage comparison reads the default path's output: run it with --paths default,stage")
    return run_worker("stage", {"source": str(source), "articles": articles, "out": str(MODELS / "out-stage"),
                                "models": {r: str(p) for r, p in models.items()}, "summary_tokens": mode["summary_tokens"],
                                "device": mode["device"], "engine": "auto", "cache": str(MODELS / "cache-default")})


def token_counters(models: dict[str, Path]) -> dict[str, Any]:
    """Token counts as the models see them: Dutch by the nl-en source vocabulary, English by en-nl's, summaries by BART's."""
    from summarizer.engines.tokenizers import load_tokens

    tokens = {role: load_tokens(path) for role, path in models.items()}
    if any(t is None for t in tokens.values()):
        raise SystemExit("the light tokenizers cannot read the stand-ins: summarizer/engines/tokenizers.py changed?")

    def counter(role):
        return lambda texts: sum(tokens[role].count([t for t in texts if t])) if any(texts) else 0

    return {"nl": counter("nl-en"), "en": counter("en-nl"), "bart": counter("summarizer")}


def count_tokens(out: Path, count: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Input and output tokens of each stage over what a path wrote (each path's own English after nl-en)."""
    n = {side: dict.fromkeys(tables.STAGES, 0) for side in ("in", "out")}
    for file in sorted(out.glob("*.json")):
        record = json.loads(file.read_text(encoding="utf-8"))
        title = (record.get("meta") or {}).get("title") or {}
        english = [t["en"] for t in record["translation"]]
        summary_en, summary_nl = [p["en"] for p in record["summary"]], [p["nl"] for p in record["summary"]]
        n["in"]["translating nl-en"] += count["nl"]([t["nl"] for t in record["translation"]] + [title.get("nl") or ""])
        n["out"]["translating nl-en"] += count["en"](english + [title.get("en") or ""])
        n["in"]["summarizing"] += count["bart"](english)
        n["out"]["summarizing"] += count["bart"](summary_en)
        n["in"]["translating en-nl"] += count["en"](summary_en)
        n["out"]["translating en-nl"] += count["nl"](summary_nl)
    return n


def batch_stats(log: Path, count: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per stage: how many batches, texts per batch, input tokens per text, padding share, seconds generating."""
    if not log.is_file():
        return {}
    by_role = {"nl-en": "nl", "summarizer": "bart", "en-nl": "en"}
    stats: dict[str, dict[str, float]] = {}
    groups: dict[str, list[dict]] = {}
    for batch in json.loads(log.read_text(encoding="utf-8")):
        groups.setdefault(batch["stage"], []).append(batch)
    for stage, batches in groups.items():
        lengths = [[count[by_role[b["role"]]]([t]) for t in b["texts"]] for b in batches]
        tokens = sum(map(sum, lengths))
        stats[stage] = {
            "batches": len(batches), "texts": sum(map(len, lengths)),
            "mean_texts": sum(map(len, lengths)) / len(batches), "max_texts": max(map(len, lengths)),
            "mean_tokens": tokens / max(1, sum(map(len, lengths))),
            "padding": 1 - tokens / max(1, sum(len(x) * max(x, default=0) for x in lengths)),
            "seconds": sum(b["seconds"] for b in batches),
        }
    return stats


def machine(device: str) -> str:
    """One line: CPU model, cores, GPU, memory, library versions."""
    import torch
    import transformers

    from summarizer.engines.factory import ct2_available

    ct2 = f"ctranslate2 {__import__('ctranslate2').__version__}" if ct2_available() else "no ctranslate2"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    mem = next((int(line.split()[1]) / 1024 ** 2 for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0)
    gpu = f"GPU {torch.cuda.get_device_name(0)}" if device == "cuda" and torch.cuda.is_available() else "no GPU"
    return (f"{cpu}, {len(os.sched_getaffinity(0))} cores usable, {gpu}, {mem:.0f} GB RAM, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
            f"transformers {transformers.__version__}, {ct2}")


def check_device(device: str) -> None:
    """Stop with a clear message when --device cuda cannot run here (checked before anything is built)."""
    if device != "cuda":
        return
    import torch

    if not torch.cuda.is_available():
        why = f"torch {torch.__version__} is a CPU build" if torch.version.cuda is None else "torch.cuda.is_available() is False"
        raise SystemExit(NO_GPU.format(why=why))
    from summarizer.engines.cuda import ct2_gpu_problem

    if problem := ct2_gpu_problem():
        print(f"note: CTranslate2 cannot use the GPU ({problem}); the default path will run torch float16", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (or one worker, when called with --worker)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"tiny models, {QUICK['articles']} articles of {QUICK['sentences']} "
                        f"sentences, {QUICK['summary_tokens']}-token summaries: checks the orchestration, figures meaningless")
    parser.add_argument("--articles", type=int, help=f"number of articles (default: {FULL['articles']}; {GPU['articles']} on cuda; "
                        f"{QUICK['articles']} with --quick)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="where every path runs (default: cuda when "
                        "a GPU is usable, else cpu); cuda stops with a message when no GPU is usable")
    parser.add_argument("--subset", type=int, help="articles for the slow naive loop (a) (default: all on cpu, the first "
                        f"{GPU['subset']} on cuda, where the per-article summaries run on as many); ratios are per article")
    parser.add_argument("--paths", default=",".join(ORDER), help=f"what to run, of {','.join(ORDER)} (default: all; stage needs default)")
    parser.add_argument("--repeats", action=argparse.BooleanOptionalAction, default=None,
                        help="also run (c) on the wire-copy corpus (default: on)")
    parser.add_argument("--output", type=Path, help="where to write the document (default: BENCHMARKS.md; with --quick "
                        "bench/.models/BENCHMARKS-quick.md, so a check never replaces the committed figures)")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="rewrite the document from a run's raw figures (BENCHMARKS.json) without running anything")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.render:
        publish(json.loads(args.render.read_text(encoding="utf-8")), args.output or args.render.with_suffix(".md"), source=args.render)
        return
    if args.worker:
        print(json.dumps(WORKERS[args.worker[0]](json.loads(args.worker[1]))))
        return
    if missing := missing_modules():
        raise SystemExit(f"missing modules: {', '.join(missing)}. Install the project's dependencies (pip install -e .), or on a machine "
                         "without network the wheels carried for it (BENCHMARKS.md, 'On a GPU machine')")
    from summarizer.engines.device import plan_device
    from summarizer.errors import UsageError

    try:
        device = plan_device(args.device)[0]
    except UsageError as exc:  # --device cuda where no GPU is usable: the library says why
        raise SystemExit(NO_GPU.format(why=str(exc).removeprefix("--device cuda: "))) from None
    check_device(device)
    mode = {**(QUICK if args.quick else GPU if device == "cuda" else FULL), "device": device, "quick": args.quick}
    mode["articles"] = args.articles or mode["articles"]
    mode["subset"] = min(mode["articles"], args.subset or mode.get("subset") or mode["articles"])
    paths = [p for p in ORDER if p in args.paths.split(",")]
    if paths != list(ORDER):
        mode["paths"] = paths
    repeats = args.repeats if args.repeats is not None else True
    output = args.output or (MODELS / "BENCHMARKS-quick.md" if args.quick else REPO / "BENCHMARKS.md")
    print(f"{mode['articles']} articles of {mode['sentences']} sentences on {device} ((a) on {mode['subset']}), summaries of {mode['summary_tokens']} tokens, {'tiny' if args.quick else 'real-shape'} models, "
          f"runs: {', '.join(paths)}", flush=True)
    started = time.perf_counter()
    standin_cache()
    models = build_models(args.quick)
    corpus = build_corpus("distinct", mode["articles"], mode["sentences"])
    subset = build_corpus("distinct", mode["subset"], mode["sentences"])
    t = time.perf_counter()
    prepare(models, device)
    print(f"conversions (once, not in the timings): {time.perf_counter() - t:.1f} s", flush=True)
    count = token_counters(models)
    rows: dict[str, dict] = {}
    modules: set[str] = set()
    figures: dict[str, Any] = {"mode": mode, "machine": machine(device), "date": time.strftime("%Y-%m-%d"), "rows": rows,
                               "corpus": {"distinct": corpora.corpus_stats(corpus)}, "load": [os.getloadavg()[0]]}
    for path in [p for p in paths if p != "stage"]:
        print(f"running {tables.label(path)} {tables.PATHS[path][1]} ...", flush=True)
        row = run_path(path, subset if path == "naive" else corpus, models, mode)
        rows[path] = finish_row(row, path, count, modules)
        print(f"  {row['wall']:.1f} s, peak RSS {row['rss_mb']:.0f} MB, stages " +
              ", ".join(f"{k} {v:.1f} s" for k, v in row["stages"].items()), flush=True)
    if "stage" in paths:
        articles = mode["subset"] if device == "cuda" else mode["articles"]
        print(f"summarizing stage alone, {articles} articles: each on its own, then all batched ...", flush=True)
        stage = run_stage(models, mode, articles)
        modules.update(stage.pop("modules", []))
        figures["stage"] = stage
        print(f"  per article (greedy chunks) {stage.get('before_s', 0):.1f} s, per article {stage['per_article_s']:.1f} s, batched {stage['batched_s']:.1f} s", flush=True)
    if "default" in rows:
        print("warm re-run of (c) ...", flush=True)
        figures["warm_rerun_s"] = run_worker("pipeline", {
            "corpus": str(corpus), "out": str(MODELS / "out-warm"), "models": {r: str(p) for r, p in models.items()},
            "summary_tokens": mode["summary_tokens"], "device": device, "engine": "auto", "cache": str(MODELS / "cache-default")})["wall"]
        if repeats:
            wire = build_corpus("wire", mode["articles"], mode["sentences"])
            figures["corpus"]["wire"] = corpora.corpus_stats(wire)
            print("running (c) on the wire-copy corpus ...", flush=True)
            figures["wire"] = finish_row(run_path("default", wire, models, mode, name="wire"), "wire", count, modules)
    figures["modules"] = sorted(modules)
    figures["seconds"] = time.perf_counter() - started
    figures["load"].append(os.getloadavg()[0])
    publish(figures, output)


def finish_row(row: dict, name: str, count: dict[str, Any], modules: set[str]) -> dict:
    """A worker's result with its token counts and batch statistics; the modules it imported go to ``modules``."""
    modules.update(row.pop("modules", []))
    row = {**row, "articles": row["done"], "tokens": count_tokens(MODELS / f"out-{name}", count)}
    if name != "naive":
        row["batches"] = batch_stats(MODELS / f"batches-{name}.json", count)
    return row


def publish(figures: dict, output: Path, *, source: Path | None = None) -> None:
    """Print the tables, write the document to ``output`` and the raw figures next to it (``.json``, which --render reads).

    ``source``: the file the figures were read from, which is left as it is.
    """
    print(tables.render(figures))
    notes = HERE / "notes.md"
    output.write_text(tables.document(figures, notes.read_text(encoding="utf-8") if notes.is_file() else ""), encoding="utf-8")
    raw = output.with_suffix(".json")
    if source is None or raw.resolve() != source.resolve():
        raw.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {output} and {raw}")


if __name__ == "__main__":
    main()
