"""Faults in writing and running (issue 15): every OSError is one line naming the path, the rest is still written,
each failure is printed once, and the exit code tells "some failed" from "nothing written"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from summarizer.cli.main import EXIT_FAILED, EXIT_NOTHING_WRITTEN

FAST = ["--num-beams", "1", "--max-length", "12", "--min-length", "2", "--engine", "torch", "--no-cache"]
SEEDS = ("000_4ec734f60fdfd72d.txt", "001_543b75f5360eb1cb.txt")  # one story: the run writes out/stories/
ENGLISH = (
    "The government wants more houses to be built in the big cities. The minister said that the plan "
    "should start next year, and that it would have been too late otherwise. They were not sure who will pay for it."
)


def _seeds(folder: Path, seed_dir: Path) -> Path:
    folder.mkdir(parents=True)
    for name in SEEDS:
        shutil.copy(seed_dir / name, folder / name)
    return folder


def _no_dac() -> None:
    """In the child: file permissions apply even to root (see tests/test_bad_input.py)."""
    from tests.test_bad_input import _no_dac_override

    _no_dac_override()


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run([sys.executable, "-m", "summarizer", "run", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, preexec_fn=_no_dac if os.geteuid() == 0 else None, timeout=300)


def _run_read_only(folder: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the CLI while ``folder`` (created here) is read-only."""
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    try:
        return _run(args, cwd)
    finally:
        folder.chmod(0o755)


def _failed_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("failed: ")]


def test_read_only_stories_folder_fails_alone_and_the_index_is_still_written(tmp_path, seed_dir, model_args):
    src, out = _seeds(tmp_path / "in", seed_dir), tmp_path / "out"
    result = _run_read_only(out / "stories", [str(src), "--out", str(out), *FAST, *model_args], tmp_path)
    assert result.returncode == EXIT_FAILED, result.stderr
    assert "Traceback" not in result.stderr
    [line] = _failed_lines(result.stderr)
    assert "stories" in line and "cannot write the story pages (Permission denied)" in line
    assert (out / "index.html").read_text().count("translation.html") >= 2
    assert all((out / f"{Path(name).stem}.json").exists() for name in SEEDS)
    assert not list((out / "stories").iterdir())


def test_index_path_taken_by_a_folder_is_one_line_and_the_articles_are_kept(tmp_path, seed_dir, model_args):
    src, out = _seeds(tmp_path / "in", seed_dir), tmp_path / "out"
    (out / "index.html").mkdir(parents=True)  # EISDIR on the rename of the index
    result = _run([str(src), "--out", str(out), *FAST, *model_args], tmp_path)
    assert result.returncode == EXIT_FAILED, result.stderr
    assert "Traceback" not in result.stderr
    [line] = _failed_lines(result.stderr)
    assert "index.html" in line and "cannot write the index" in line
    assert list((out / "stories").glob("*.json"))  # written before the index
    for name in SEEDS:
        record = json.loads((out / f"{Path(name).stem}.json").read_text())
        assert record["summary"]


def test_unwritable_article_folder_fails_that_article_alone(tmp_path, seed_dir, model_args):
    src, out = tmp_path / "in", tmp_path / "out"
    (src / "locked").mkdir(parents=True)
    shutil.copy(seed_dir / SEEDS[0], src / "locked" / "a.txt")
    shutil.copy(seed_dir / SEEDS[1], src / "b.txt")
    result = _run_read_only(out / "locked", [str(src), "--out", str(out), *FAST, *model_args], tmp_path)
    assert result.returncode == EXIT_FAILED, result.stderr
    assert "Traceback" not in result.stderr
    [line] = _failed_lines(result.stderr)
    assert line.startswith("failed: locked/a.txt: cannot write ") and "(Permission denied)" in line
    assert json.loads((out / "b.json").read_text())["summary"]
    assert "b.translation.html" in (out / "index.html").read_text()


def test_a_220_byte_name_is_written_under_a_shortened_name(tmp_path, seed_dir, model_args):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    name = "é" * 104 + "xyzzy.txt"  # 217 bytes: legal, but temp names and suffixes would pass NAME_MAX
    assert 200 < len(name.encode()) <= 255
    shutil.copy(seed_dir / SEEDS[0], src / name)
    result = _run([str(src), "--out", str(out), *FAST, *model_args], tmp_path)
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(p.read_text()) for p in out.glob("*.json")]
    assert record["source"]["name"] == name
    assert all(len(p.name.encode()) <= 255 for p in out.iterdir())


def test_nothing_written_has_its_own_exit_code_and_each_failure_is_printed_once(tmp_path, model_args):
    src = tmp_path / "in"
    src.mkdir()
    (src / "english.txt").write_text(ENGLISH)
    (src / "empty.txt").write_text("")
    for quiet in ([], ["--quiet"]):
        result = _run([str(src), "--out", str(tmp_path / "out"), *FAST, *model_args, *quiet], tmp_path)
        assert result.returncode == EXIT_NOTHING_WRITTEN, result.stderr
        assert result.stderr.count("english.txt") == 1 and result.stderr.count("empty.txt") == 1, result.stderr
        assert len(_failed_lines(result.stderr)) == 2
        assert "Traceback" not in result.stderr
        assert (result.stdout == "") == bool(quiet)


def test_control_characters_in_names_reach_the_terminal_escaped(tmp_path, model_args):
    src = tmp_path / "in"
    src.mkdir()
    name = "x\x1b]0;owned\x07\nfailed: forged.txt"  # an OSC title sequence and a forged line
    (src / f"{name}.txt").write_text(ENGLISH)
    result = _run([str(src), "--out", str(tmp_path / "out"), *FAST, *model_args], tmp_path)
    assert result.returncode == EXIT_NOTHING_WRITTEN
    assert "\x1b" not in result.stderr + result.stdout and "\x07" not in result.stderr + result.stdout
    [line] = _failed_lines(result.stderr)
    assert line.startswith("failed: x\\e]0;owned\\x07\\nfailed: forged.txt.txt: looks like English")


def test_names_that_look_like_urls_link_to_their_own_page(tmp_path, seed_dir, model_args):
    import re
    from urllib.parse import unquote

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    links = ["javascript:alert(document.domain)", "a#b?c%d", "mailto:x"]
    for link in links:
        shutil.copy(seed_dir / SEEDS[0], src / f"{link}.txt")
    result = _run([str(src), "--out", str(out), *FAST, *model_args], tmp_path)
    assert result.returncode == 0, result.stderr
    index = (out / "index.html").read_text()
    hrefs = re.findall(r'href="([^"]*)"', index)
    assert hrefs and all(h.startswith(("./", "#", "http://", "https://")) for h in hrefs), hrefs
    pages = {h for h in hrefs if h.endswith(".translation.html")}
    assert len(pages) == len(links) and all((out / unquote(h[2:])).is_file() for h in pages)
    md_links = re.findall(r"\]\(([^)]*)\)", (out / "index.md").read_text())
    assert all(not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", h) or h.startswith(("http://", "https://")) for h in md_links)


def _tree(root: Path, cwd: Path) -> dict[str, bytes]:
    """Every file under ``root`` (links not followed) with its bytes, except the run's own outputs and cache."""
    found = {}
    for path in sorted(root.rglob("*")):
        if cwd / "out" in path.parents or cwd / "cache" in path.parents or path.is_symlink() or not path.is_file():
            continue
        try:
            found[str(path.relative_to(root))] = path.read_bytes()
        except OSError:
            found[str(path.relative_to(root))] = b"<unreadable>"
    return found


def test_a_hostile_tree_gives_one_line_per_refused_input_and_writes_everything_else(tmp_path, seed_dir, model_args):
    """Every case of the issue in one folder: no traceback, one line per refusal, nothing outside out/ read or written."""
    seed = (seed_dir / SEEDS[0]).read_bytes()
    dutch = (seed_dir / SEEDS[1]).read_text(encoding="utf-8")
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Het geheime wachtwoord van de minister is tulpenbollen1234 en dat weet niemand.\n" * 3)
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "good.txt").write_bytes(seed)
    (src / "sub" / "good.txt").write_text(dutch)
    (src / "A.txt").write_bytes(seed)
    (src / "a.txt").write_text(dutch)  # differs from A.txt only by case
    (src / "stories").mkdir()
    (src / "stories" / "story-0123456789.txt").write_bytes(seed)
    (src / "index.html").mkdir()
    (src / "index.html" / "x.txt").write_bytes(seed)
    (src / ".d.999999~part~e.tmp").mkdir()
    (src / ".d.999999~part~e.tmp" / "y.txt").write_bytes(seed)
    (src / "javascript:alert(1).txt").write_bytes(seed)
    (src / "x\x1b]0;t\x07\nfailed: forged.txt").write_bytes(seed)
    (src / ("é" * 104 + ".txt")).write_bytes(seed)
    (src / "mostly-utf8.txt").write_bytes(dutch.encode() [:400] + b"\xff\xfe caf\xe9 " + dutch.encode()[400:])
    (src / "utf16-no-bom.txt").write_bytes(dutch.encode("utf-16-le"))
    (src / "nul.txt").write_bytes(dutch.encode()[:200] + b"\x00" + dutch.encode()[200:])
    (src / "cr.txt").write_bytes(dutch.replace("\n", "\r").encode())
    refused = {
        "passwd.txt": "/etc/passwd", "status.txt": "/proc/self/status", "secret.txt": str(secret),
    }
    for name, target in refused.items():
        (src / name).symlink_to(target)
    (src / "linked-folder").symlink_to(secret.parent, target_is_directory=True)
    os.mkfifo(src / "fifo.txt")
    (src / "dots.txt").write_text("... --- !!! ??? 123 456 789")
    (src / "empty.txt").write_text("")
    before = _tree(tmp_path, tmp_path)

    result = _run([str(src), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), *FAST[:-1],
                   *model_args], tmp_path)

    assert result.returncode == EXIT_FAILED, result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "\x1b" not in result.stderr + result.stdout
    failed = {line.split(": ", 2)[1]: line for line in _failed_lines(result.stderr)}
    assert set(failed) == {*refused, "fifo.txt", "dots.txt", "empty.txt"}, result.stderr
    assert len(_failed_lines(result.stderr)) == len(failed)  # once each
    assert "linked-folder" in result.stderr  # a skipped folder is named
    out = tmp_path / "out"
    written = [json.loads(p.read_text()) for p in out.rglob("*.json") if out / "stories" not in p.parents]
    names = {r["source"]["name"] for r in written}
    assert names == {"good.txt", "sub/good.txt", "A.txt", "a.txt", "stories/story-0123456789.txt", "index.html/x.txt",
                     "javascript:alert(1).txt", "x\x1b]0;t\x07\nfailed: forged.txt", "é" * 104 + ".txt",
                     "mostly-utf8.txt", "utf16-no-bom.txt", "nul.txt", "cr.txt"}
    everything = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "tulpenbollen1234" not in everything and "root:x:0:0" not in everything
    assert all(out in p.resolve().parents for p in out.rglob("*"))
    assert (out / "index.html").is_file() and (out / "index.html").read_text().count(".translation.html") >= len(names)
    assert _tree(tmp_path, tmp_path) == before  # nothing outside out/ (and the cache) was written


def test_a_prune_that_cannot_remove_is_one_line_and_the_article_stays_archived(tmp_path, seed_dir, model_args):
    src, out = tmp_path / "in", tmp_path / "out"
    (src / "old").mkdir(parents=True)
    shutil.copy(seed_dir / SEEDS[0], src / "old" / "a.txt")
    shutil.copy(seed_dir / SEEDS[1], src / "b.txt")
    assert _run([str(src), "--out", str(out), *FAST, *model_args], tmp_path).returncode == 0
    shutil.rmtree(src / "old")  # a.txt is gone; its outputs sit in out/old/, which the next run cannot change
    before = {p.name: p.read_bytes() for p in (out / "old").iterdir()}
    (out / "old").chmod(0o555)
    try:
        result = _run([str(src), "--out", str(out), "--prune", *FAST, *model_args], tmp_path)
    finally:
        (out / "old").chmod(0o755)
    assert result.returncode == EXIT_FAILED, result.stderr
    assert "Traceback" not in result.stderr
    [line] = _failed_lines(result.stderr)
    assert "old/a.json" in line and "cannot remove the outputs of an article whose input is gone (Permission denied)" in line
    assert "archive:   2 articles" in result.stdout and "1 whose input is gone" in result.stdout
    assert "pruned" not in result.stdout
    assert {p.name: p.read_bytes() for p in (out / "old").iterdir()} == before  # nothing half-removed
    index = (out / "index.md").read_text()
    assert "*input gone*" in index and "b.translation.html" in index  # still archived, and the rest is written
    result = _run([str(src), "--out", str(out), "--prune", *FAST, *model_args], tmp_path)  # writable again: pruned
    assert result.returncode == 0, result.stderr
    assert "1 pruned" in result.stdout and not list((out / "old").iterdir())
