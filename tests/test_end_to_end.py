"""The whole pipeline through the CLI, on tiny real models built by the fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.inputs.articles import find_articles, read_article
from summarizer.cli.main import app
from summarizer.outputs.markdown import escape_md
from summarizer.outputs.record import SCHEMA
from summarizer.outputs.signature import Signature

runner = CliRunner()


def run_cli(*args: str):
    return runner.invoke(app, ["run", *args], catch_exceptions=False)


@pytest.fixture()
def first_run(tmp_path, seed_dir, model_args):
    out, cache = tmp_path / "out", tmp_path / "cache"
    result = run_cli(str(seed_dir), "--out", str(out), "--cache-dir", str(cache), *model_args)
    assert result.exit_code == 0, result.output
    return out, cache, result


def test_every_seed_gets_paired_outputs(first_run, seed_dir):
    out, _, result = first_run
    assert "2 done, 0 failed" in result.output
    for path, name in find_articles(seed_dir):
        article = read_article(path, name)
        stem = Path(name).stem
        record = json.loads((out / f"{stem}.json").read_text())
        assert [t["nl"] for t in record["translation"]] == article.sentences
        assert all(t["en"].strip() for t in record["translation"])
        assert record["source"]["sha256"] == article.sha256
        assert record["meta"]["date"] == "2018-05"
        assert record["summary"], "summary must not be empty"
        assert all({"en", "nl", "sources", "unsupported"} <= set(p) and p["en"] and p["nl"] for p in record["summary"])
        assert set(record["models"]) == {"nl-en", "summarizer", "en-nl"}
        assert all(m["revision"].startswith("sha256:") for m in record["models"].values())
        beams = {role: settings["num_beams"] for role, settings in record["settings"].items()}
        assert beams == {"nl-en": 6, "summarizer": 4, "en-nl": 4}  # each checkpoint's own (CHECKPOINTS.md)
        en_md = (out / f"{stem}.en.md").read_text()
        nl_md = (out / f"{stem}.nl.md").read_text()
        for pair in record["summary"]:
            assert escape_md(pair["en"]) in en_md and escape_md(pair["nl"]) in nl_md
        assert record["signature"] in en_md
        stamps = Signature.parse(record["signature"]).models
        assert [(m.role, m.compute) for m in stamps] == [(role, m["compute"]) for role, m in record["models"].items()]
        assert record["schema"] == SCHEMA


def test_headline_goes_to_meta_not_translation(first_run):
    out, _, _ = first_run
    record = json.loads((out / "000_4ec734f60fdfd72d.json").read_text())
    headline = "Kim Jong-un vastberaden om ontmoeting met Trump te laten doorgaan"  # the file's " lva" is the author's initials
    assert record["meta"]["title"]["nl"] == headline
    assert record["meta"]["title"]["en"]
    assert headline not in [t["nl"] for t in record["translation"]]
    assert {"text": "lva", "reason": "author initials"} in record["dropped"]


def test_second_run_is_served_from_cache(first_run, seed_dir, model_args, tmp_path):
    out, cache, _ = first_run
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}  # stories/ is a folder
    result = run_cli(str(seed_dir), "--out", str(out), "--cache-dir", str(cache), *model_args)
    assert result.exit_code == 0, result.output
    assert "0 misses" in result.output and "0 loaded" in result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_sentence_segmentation_is_cached_per_paragraph(first_run, seed_dir):
    from summarizer.cache import Cache

    _, cache_dir, _ = first_run
    rows = Cache(cache_dir)._db.execute("SELECT value FROM results WHERE task = 'segment:nl'").fetchall()
    stored = {sentence for (value,) in rows for sentence in json.loads(value)}
    for path, name in find_articles(seed_dir):
        assert set(read_article(path, name).sentences) <= stored  # a warm run never needs pysbd


def test_cached_run_imports_neither_torch_nor_transformers(first_run, seed_dir, model_args):
    out, cache, _ = first_run
    script = (
        "import sys\nfrom summarizer.cli.main import app\n"
        "try:\n    app(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code\n"
        "print('HEAVY', sorted(m for m in ('torch', 'transformers') if m in sys.modules), code)\n"
    )
    args = ["run", str(seed_dir), "--out", str(out), "--cache-dir", str(cache), "--quiet", *model_args]
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=os.environ.copy())
    assert "HEAVY [] 0" in proc.stdout, proc.stdout + proc.stderr


def test_changed_setting_misses_the_summary_cache(first_run, seed_dir, model_args):
    out, cache, _ = first_run
    result = run_cli(str(seed_dir), "--out", str(out), "--cache-dir", str(cache), "--min-length", "5", *model_args)
    assert result.exit_code == 0, result.output
    assert "0 loaded" not in result.output  # the summarizer had to run again


def test_interrupted_run_resumes_from_cached_sentences(tmp_path, seed_dir, model_args):
    from summarizer.cache import Cache

    cache_dir = tmp_path / "cache"
    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_bytes((seed_dir / "000_4ec734f60fdfd72d.txt").read_bytes())
    assert run_cli(str(one), "--out", str(tmp_path / "o1"), "--cache-dir", str(cache_dir), *model_args).exit_code == 0
    cached = Cache(cache_dir).info().entries["translate:nl-en"]
    result = run_cli(str(seed_dir), "--out", str(tmp_path / "o2"), "--cache-dir", str(cache_dir), *model_args)
    assert result.exit_code == 0
    hits = int(result.output.split("cache:")[1].split("hits")[0])
    assert hits >= cached  # every sentence of the first article came from the cache


def test_overlong_sentence_and_article_are_fully_covered(tmp_path, model_args, tiny_models):
    from summarizer.engines.torch import TorchEngine
    from summarizer.models.sources import ModelSource

    words = [f"woord{i % 97}" for i in range(900)]
    long_sentence = " ".join(words) + "."
    paragraphs = [long_sentence] + [f"Dit is zin {i} over de top in Singapore." for i in range(150)]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "lang.txt").write_text("\n\n".join(paragraphs))
    out = tmp_path / "out"
    result = run_cli(str(folder), "--out", str(out), "--no-cache", "--verbose", *model_args)
    assert result.exit_code == 0, result.output
    record = json.loads((out / "lang.json").read_text())
    assert record["translation"][0]["nl"] == long_sentence
    assert len(record["translation"]) == 151
    assert all(t["en"] for t in record["translation"])

    nl_en = TorchEngine(ModelSource("nl-en", "x", "r", tiny_models["nl-en"]), device="cpu", dtype="float32")
    assert nl_en.count_tokens([long_sentence])[0] > nl_en.max_input_tokens  # really over the limit
    summarizer = TorchEngine(ModelSource("summarizer", "x", "r", tiny_models["summarizer"]), device="cpu", dtype="float32")
    english = " ".join(t["en"] for t in record["translation"])
    assert summarizer.count_tokens([english])[0] > 3 * summarizer.max_input_tokens  # needed chunking
    assert record["summary"]


def test_missing_input_is_a_usage_error(tmp_path, model_args):
    result = runner.invoke(app, ["run", str(tmp_path / "nope"), *model_args])
    assert result.exit_code == 2
    assert "no such file or directory" in result.output


def test_missing_model_names_role_and_fixes(tmp_path, seed_dir):
    result = runner.invoke(app, ["run", str(seed_dir), "--out", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 1
    assert "nl-en" in result.output and "Helsinki-NLP/opus-mt-nl-en" in result.output
    assert "summarize models fetch" in result.output and "--nl-en" in result.output
    assert "Traceback" not in result.output


def test_model_dir_without_weights_is_named(tmp_path, seed_dir, tiny_models, model_args):
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in tiny_models["nl-en"].iterdir():
        if not f.name.endswith(".safetensors"):
            (broken / f.name).write_bytes(f.read_bytes())
    args = list(model_args)
    args[1] = str(broken)
    result = runner.invoke(app, ["run", str(seed_dir), "--out", str(tmp_path / "o"), "--no-cache", *args])
    assert result.exit_code == 1
    assert "nl-en" in result.output and "weights" in result.output


def test_bad_article_fails_alone(tmp_path, seed_dir, model_args):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes((seed_dir / "001_543b75f5360eb1cb.txt").read_bytes())
    (folder / "empty.txt").write_text(" date 2018-05 \n\n")
    result = run_cli(str(folder), "--out", str(tmp_path / "out"), "--no-cache", *model_args)
    assert result.exit_code == 1
    assert "1 done, 1 failed" in result.output
    assert (tmp_path / "out" / "good.json").exists()
    assert not (tmp_path / "out" / "empty.json").exists()


def test_help_is_fast_and_lists_commands():
    proc = subprocess.run([sys.executable, "-c", "import sys; from summarizer.cli.main import app; app(['--help'])\n"
                           ], capture_output=True, text=True)
    assert "run" in proc.stdout and "models" in proc.stdout and "cache" in proc.stdout
    proc = subprocess.run([sys.executable, "-c", "import summarizer.cli.main, sys; print(sorted(m for m in ('torch','transformers') if m in sys.modules))"],
                          capture_output=True, text=True)
    assert proc.stdout.strip() == "[]"
