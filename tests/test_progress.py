"""Progress that tells the truth: every stage reaches its total, retries are a stage of their own, models load under a
status, warnings print above the live display, and logs and pipes get plain lines."""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from summarizer.cache import Cache
from summarizer.cli.main import _logging, app
from summarizer.cli.progress import LiveReporter, PlainReporter, reporter_for, report_text
from summarizer.engines.factory import ct2_available
from summarizer.generation.settings import SummarySettings, TranslationSettings
from summarizer.models.roles import ROLES
from summarizer.models.sources import ModelSource
from summarizer.run.options import RunOptions, RunReport
from summarizer.run.pipeline import run
from summarizer.run.plan import EnginePlan
from summarizer.run.workbench import Workbench

runner = CliRunner()
MAIN_STAGES = {"translating nl-en", "summarizing", "translating en-nl"}


class Recorder:
    """A Reporter that keeps every call: stage parts as [name, total, done], statuses, windows of articles."""

    def __init__(self) -> None:
        self.parts: list[list[Any]] = []
        self.statuses: list[str] = []
        self.windows: list[tuple[int, int, int]] = []

    def articles(self, start: int, count: int, total: int) -> None:
        self.windows.append((start, count, total))

    def stage(self, name: str, total: int) -> None:
        self.parts.append([name, total, 0])

    def advance(self, n: int = 1) -> None:
        self.parts[-1][2] += n

    def status(self, text: str) -> None:
        self.statuses.append(text)


class FakeEngine:
    """An engine that loops on inputs containing "loop" unless generation forbids repeated n-grams."""

    name = "fake"
    compute = "fake:cpu:float32"
    max_input_tokens = 64
    max_content_tokens = 62
    retries = 0

    def __init__(self, role: str) -> None:
        self.source = ModelSource(role, f"fake/{role}", "r1", None)
        self.loads = 0
        self.batches = 0

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def generate(self, texts: list[str], **kwargs: Any) -> list[str]:
        return next(iter(self.generate_batches([(texts, kwargs)])))

    def generate_batches(self, jobs: Iterable[tuple[list[str], dict[str, Any]]]) -> Iterator[list[str]]:
        assert self.loads, "the model is loaded (under a status) before the first batch"
        for texts, kwargs in jobs:
            self.batches += 1
            strict = kwargs.get("no_repeat_ngram_size")
            yield ["and again and again and again and again." if "loop" in t and not strict else f"out: {t}" for t in texts]

    def concurrency(self) -> int:
        return 1

    def preload(self) -> None:
        self.loads += 1

    def close(self) -> None:
        pass


@pytest.fixture()
def bench() -> Workbench:
    plan = EnginePlan(requested="torch", local="torch", device="cpu", dtype="float32", batch_tokens=8, cluster=None)  # type: ignore[arg-type]
    return Workbench(options=RunOptions(), plan=plan, cache=Cache(None), engines={r: FakeEngine(r) for r in ROLES},  # type: ignore[misc]
                     translation={r: TranslationSettings() for r in ROLES if r != "summarizer"},
                     summary=SummarySettings(no_repeat_ngram_size=0))


def test_duplicates_cached_items_and_loop_retries_all_reach_their_totals(bench):
    bench.translate("nl-en", ["een al vertaalde zin"], Recorder())  # cached before the stage below
    recorder = Recorder()
    texts = ["zin een", "zin een", "een al vertaalde zin", "een loop hier", "zin twee", "zin een"]
    out, loops = bench.translate_guarded("nl-en", texts, recorder)
    assert recorder.parts == [["translating nl-en", 6, 6], ["retrying loops (nl-en)", 1, 1]]
    assert out[3] == "out: een loop hier" and loops == [None] * 6
    assert recorder.statuses.count("loading nl-en model") == 0  # loaded by the first call already


def test_the_model_loads_under_a_status_only_when_there_is_work(bench):
    recorder = Recorder()
    bench.summarize_guarded([["Een zin."], ["Een loop zin."], ["Een zin."]], recorder)
    assert recorder.parts == [["summarizing", 3, 3], ["retrying loops (summarizer)", 1, 1]]
    assert recorder.statuses.count("loading summarizer model") == 1
    assert recorder.statuses[-1] == ""
    again = Recorder()
    bench.summarize_guarded([["Een zin."]], again)  # cached: nothing to load, nothing run
    assert again.parts == [["summarizing", 1, 1]] and "loading summarizer model" not in again.statuses


@pytest.fixture(scope="module")
def pipeline_runs(tiny_models, seed_dir, tmp_path_factory):
    """Two runs of the real pipeline on the tiny models, into one cache: (recorder, report) of each."""
    tmp = tmp_path_factory.mktemp("progress")
    options = RunOptions(out_dir=tmp / "out", cache_dir=tmp / "cache", models={r: str(p) for r, p in tiny_models.items()})
    runs = []
    for _ in range(2):
        recorder = Recorder()
        runs.append((recorder, run(seed_dir, options, reporter=recorder)))
    return runs


def test_every_stage_of_a_real_run_reaches_its_total(pipeline_runs):
    for recorder, report in pipeline_runs:
        assert report.ok
        assert all(done == total for _, total, done in recorder.parts), recorder.parts
        names = [name for name, _, _ in recorder.parts]
        assert MAIN_STAGES <= set(names)
        assert all(n in MAIN_STAGES or re.fullmatch(r"(stories: )?(retrying loops \((nl-en|summarizer|en-nl)\)|"
                                                      r"summarizing|translating en-nl)", n) for n in names), names
        assert {"stories: summarizing", "stories: translating en-nl"} <= set(names)  # the seeds form one story
        assert recorder.windows == [(0, 2, 2), (2, 0, 2)]
        assert recorder.statuses[-1] == ""


def test_models_load_under_a_status_and_a_cached_run_loads_none(pipeline_runs):
    (first, report1), (second, report2) = pipeline_runs
    assert {f"loading {role} model" for role in ROLES} <= set(first.statuses)
    assert report1.models_loaded == 3
    if ct2_available():  # the default engine converts each model once, under a status of its own
        assert {f"converting {role} model to CTranslate2 (once: later runs reuse it)" for role in ROLES} <= set(first.statuses)
    assert not [s for s in second.statuses if s.startswith("converting")]
    assert not [s for s in second.statuses if s.startswith("loading")] and report2.models_loaded == 0


def test_cache_counts_model_work_not_segmentation(pipeline_runs):
    (_, first), (_, second) = pipeline_runs
    assert second.cache_misses == 0
    assert first.cache_misses > 0
    assert second.cache_hits == first.cache_hits + first.cache_misses  # what the first run computed, and no segmentation


def test_report_names_the_index_and_shows_ray_lines_only_for_ray_runs(tmp_path):
    report = RunReport(done=["a"], cache_hits=3, cache_misses=1, retries=2)
    text = report_text(report, tmp_path / "out")
    assert f"open:      {tmp_path / 'out' / 'index.html'}" in text
    assert "3 hits, 1 misses of translations and summaries (75% from the cache)" in text
    assert "retries" not in text
    assert "retries:   2 batches" in report_text(report, tmp_path / "out", on_ray=True)


def _terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=120, record=True, color_system=None)


def _last(text: str, name: str) -> str:
    return [line for line in text.splitlines() if line.strip().startswith(name)][-1]


def test_live_display_shows_each_stage_at_its_total_with_warnings_above(tiny_models, seed_dir, tmp_path):
    console = _terminal()
    _logging(quiet=False, verbose=False, console=console)
    options = RunOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", models={r: str(p) for r, p in tiny_models.items()})
    with reporter_for(console, quiet=False) as reporter:
        assert isinstance(reporter, LiveReporter)
        logging.getLogger("summarizer.test").warning("a warning during the run")
        run(seed_dir, options, reporter=reporter)
    text = console.export_text()
    final = text[text.rindex("a warning during the run"):]  # the warning printed once, above the display
    assert text.count("a warning during the run") == 1
    for name in ("translating nl-en", "summarizing", "translating en-nl", "stories: summarizing"):
        done, total = re.search(r"(\d+)/(\d+)", _last(final, name)).groups()  # type: ignore[union-attr]
        assert done == total and int(total) > 0, _last(final, name)
    assert re.search(r"articles .* 2/2 .*elapsed", _last(final, "articles"))


def test_live_display_draws_the_status_and_an_eta():
    clock = [0.0]
    live = LiveReporter(_terminal(), clock=lambda: clock[0])
    live.articles(0, 10, 20)
    live.stage("translating nl-en", 100)
    live.status("loading nl-en model")
    clock[0] = 10.0
    live.advance(100)
    live.status("")
    live.stage("summarizing", 10)
    live.advance(5)
    console = _terminal()
    console.print(live)
    text = console.export_text()
    assert "translating nl-en" in text and "100/100" in text and "5/10" in text
    # a tenth of the window's time is nl-en and half of summarizing is done: 10 * (0.1 + 0.375) = 4.75 of 20 articles
    assert "0:10 elapsed, about 0:32 left" in text
    live.status("loading summarizer model")
    console = _terminal()
    console.print(live)
    assert "loading summarizer model" in console.export_text()


def test_plain_lines_for_logs_and_pipes(tiny_models, seed_dir, tmp_path):
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=False)
    options = RunOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", models={r: str(p) for r, p in tiny_models.items()})
    with reporter_for(console, quiet=False) as reporter:
        assert isinstance(reporter, PlainReporter)
        run(seed_dir, options, reporter=reporter)
    lines = stream.getvalue().splitlines()
    assert "articles 1-2 of 2" in lines
    finished = [line for line in lines if re.fullmatch(r"[a-z:() -]+: \d+/\d+ in \d+\.\d s", line)]
    assert {line.split(":")[0] for line in finished} >= {"translating nl-en", "summarizing", "translating en-nl"}
    assert all(re.search(r"(\d+)/\1 in", line) for line in finished), finished
    assert not re.search(r"[\x1b━]", stream.getvalue())


def test_plain_status_lines_only_for_lasting_states():
    stream = io.StringIO()
    plain = PlainReporter(stream, status_delay=0.05)
    plain.status("preparing nl-en model")
    plain.status("")  # over at once: never shown
    time.sleep(0.2)
    plain.status("loading nl-en model")
    time.sleep(0.2)
    plain.status("")
    plain.close()
    assert stream.getvalue().splitlines() == ["loading nl-en model ..."]


def test_quiet_cli_run_prints_nothing_but_errors(tmp_path, seed_dir, model_args):
    result = runner.invoke(app, ["run", str(seed_dir), "--out", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c"),
                                 "--quiet", *model_args])
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_cli_run_in_a_pipe_gets_plain_lines_and_the_report(tmp_path, seed_dir, model_args):
    result = runner.invoke(app, ["run", str(seed_dir), "--out", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c"),
                                 *model_args])
    assert result.exit_code == 0, result.output
    assert re.search(r"^translating nl-en: (\d+)/\1 in \d+\.\d s$", result.output, re.MULTILINE)
    assert f"open:      {tmp_path / 'o' / 'index.html'}" in result.output
    assert "retries" not in result.output and "━" not in result.output


def test_a_new_ctranslate2_model_is_converted_under_its_own_status_once(tmp_path):
    from summarizer.engines.ctranslate2 import CT2Engine
    from summarizer.engines.factory import FallbackEngine
    from summarizer.engines.torch import TorchEngine
    from summarizer.run.reporting import Announced

    source = ModelSource("nl-en", "fake/nl-en", "r1", tmp_path / "model")

    def engine() -> FallbackEngine:
        ct2 = CT2Engine(source, device="cpu", store=tmp_path / "ct2")

        def prepare() -> Any:
            ct2.converted_dir.mkdir(parents=True)
            (ct2.converted_dir / "model.bin").write_bytes(b"converted")
            return ct2.converted_dir

        def preload() -> None:
            ct2.loads += 1

        ct2.prepare, ct2.preload = prepare, preload  # type: ignore[method-assign]
        return FallbackEngine(ct2, TorchEngine(source, device="cpu", dtype="float32"))

    first = Recorder()
    announced = Announced(engine(), first)
    assert announced.compute == "ctranslate2:cpu:int8"
    announced._load()
    assert first.statuses == ["converting nl-en model to CTranslate2 (once: later runs reuse it)", "",
                              "loading nl-en model", ""]
    again = Recorder()
    announced = Announced(engine(), again)  # a later run: the converted model is in the store
    assert announced.compute == "ctranslate2:cpu:int8"
    announced._load()
    assert again.statuses == ["loading nl-en model", ""]


def test_live_display_keeps_one_line_per_stage_across_windows_and_retries_apart():
    live = LiveReporter(_terminal(), clock=lambda: 0.0)
    for start, count, loops in ((0, 32, 2), (32, 8, 0)):
        live.articles(start, count, 40)
        live.stage("translating nl-en", count * 10)
        live.advance(count * 10)
        if loops:
            live.stage("retrying loops (nl-en)", loops)
            live.advance(loops)
        live.stage("summarizing", count)
        live.advance(count)
    live.articles(40, 0, 40)
    console = _terminal()
    console.print(live)
    text = console.export_text()
    assert re.search(r"translating nl-en .* 400/400", text)  # one line for the run, not restarted per window or retry
    assert re.search(r"retrying loops \(nl-en\) .* 2/2", text)
    assert re.search(r"summarizing .* 40/40", text)
    assert re.search(r"articles .* 40/40", text)
    assert text.count("translating nl-en") == 1


def test_python_warnings_and_stray_stderr_print_above_the_live_display():
    import sys
    import warnings

    console = _terminal()
    logging.captureWarnings(False)  # an earlier test's capture outlived pytest's own warnings.catch_warnings
    _logging(quiet=False, verbose=False, console=console)
    try:
        with reporter_for(console, quiet=False) as reporter:
            reporter.stage("translating nl-en", 2)
            warnings.warn("a library's warning", UserWarning, stacklevel=1)
            print("a library's own line", file=sys.stderr)
            reporter.advance(2)
    finally:
        logging.captureWarnings(False)
    text = console.export_text()
    final = text[max(text.rindex("a library's warning"), text.rindex("a library's own line")):]
    assert re.search(r"translating nl-en .* 2/2", final)
    assert text.count("a library's own line") == 1
