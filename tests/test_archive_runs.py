"""Three daily runs into one out/ (tiny real models, through the CLI): one index of all of them, newest first, --prune."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from summarizer.cli.main import app

runner = CliRunner()

DAYS = {
    "dijken.txt": ("2021-12-22", "Nieuwe dijken voor Zeeland", "Het kabinet trekt 450 miljoen euro uit voor dijken in Zeeland. "
                   "De oppositie vindt het bedrag te laag. De minister zegt dat het werk in maart begint."),
    "top.txt": ("2021-12-23", "Top in Singapore gaat door", "Kim Jong-un is vastberaden de top met Trump te laten doorgaan. "
                "De top op 12 juni in Singapore is nog niet dood. Moon en Kim ontmoetten elkaar zaterdag."),
    "treinen.txt": ("2021-12-24", "Minder treinen op kerstavond", "De NS rijdt op kerstavond minder treinen dan gewoonlijk. "
                    "Reizigers moeten rekening houden met drukte. Na tien uur rijdt er geen trein meer."),
}


def _run(folder, out, cache, model_args, *extra):
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--cache-dir", str(cache), *model_args, *extra],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_three_days_into_one_out_then_prune(tmp_path, model_args):
    out, cache = tmp_path / "out", tmp_path / "cache"
    folders = {}
    for name, (day, title, text) in DAYS.items():  # one run a day, each with that day's article
        folder = folders[name] = tmp_path / f"in-{day}"
        folder.mkdir()
        (folder / name).write_text(f"{title}\n\n{day}\n\nBron: ANP\n\n{text}\n", encoding="utf-8")
        result = _run(folder, out, cache, model_args)
    assert "archive:   3 articles" in result.output
    md = (out / "index.md").read_text()
    html = (out / "index.html").read_text()
    assert [h for h in re.findall(r"^## (.*)$", md, re.M)] == ["2021-12-24", "2021-12-23", "2021-12-22"]
    headings = re.findall(r"^### (.*)\n\n(.*)$", md, re.M)
    assert len(headings) == 3
    assert [line.startswith("**new**") for _, line in headings] == [True, False, False]  # only the latest run's
    assert "3 articles (1 new in this run)" in md
    for name in DAYS:
        stem = name.replace(".txt", "")
        assert f"[full translation](./{stem}.translation.html)" in md and f'href="./{stem}.translation.html' in html
    assert html.index("./treinen.translation.html") < html.index("./top.translation.html") < html.index("./dijken.translation.html")

    (folders["dijken.txt"] / "dijken.txt").unlink()  # the first day's input is gone
    result = _run(folders["treinen.txt"], out, cache, model_args)
    assert "1 whose input is gone" in result.output
    md = (out / "index.md").read_text()
    assert "*input gone*" in md and (out / "dijken.json").exists()
    result = _run(folders["treinen.txt"], out, cache, model_args, "--prune")
    assert "1 pruned" in result.output and "archive:   2 articles" in result.output
    assert not list(out.glob("dijken.*"))
    assert {p.name for p in out.glob("top.*")} == {"top.json", "top.en.md", "top.nl.md", "top.translation.html"}
    md = (out / "index.md").read_text()
    assert "input gone" not in md and [h for h in re.findall(r"^## (.*)$", md, re.M)] == ["2021-12-24", "2021-12-23"]
