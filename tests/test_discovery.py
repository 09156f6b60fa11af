"""Finding inputs: resolved roots, links kept inside the input, special files refused, every skip reported."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.errors import UsageError
from summarizer.inputs.articles import find_articles
from summarizer.inputs.discovery import (
    Discovery,
    discover,
    enough_letters,
    letters_problem,
)
from summarizer.outputs.paths import output_key, plan_outputs

REPO = Path(__file__).resolve().parents[1]
DUTCH = (
    "Het kabinet wil dat er meer huizen worden gebouwd in de grote steden. De minister zei dat het plan "
    "volgend jaar moet beginnen. Volgens de gemeente is er ook geld nodig voor wegen en scholen."
)


def write(path: Path, text: str = DUTCH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def names(found: Discovery) -> list[str]:
    return [f.name for f in found.found]


def reasons(items) -> dict[str, str]:
    return {p.path.name: p.reason for p in items}


# --- issue: `summarize run in/../x in/x` wrote two articles to one out/x/a.* ------------------------------------


def test_dotdot_spec_is_resolved_before_names_are_computed(tmp_path, monkeypatch):
    write(tmp_path / "in" / "x" / "a.txt", "first")
    write(tmp_path / "x" / "a.txt", "second")
    monkeypatch.chdir(tmp_path)
    found = discover(["in/../x", "in/x"])
    assert names(found) == ["in/x/a.txt", "x/a.txt"]
    assert {f.real.read_text() for f in found.found} == {"first", "second"}
    assert all(".." not in f.name.split("/") for f in found.found)
    assert [n for _, n in find_articles("in/../x", "in/x")] == ["in/x/a.txt", "x/a.txt"]  # the old entry point too
    plan = plan_outputs(names(found), tmp_path / "out")
    assert len({output_key(str(p.base)) for p in plan.planned.values()}) == 2 and not plan.errors


def test_names_do_not_depend_on_spec_order_or_spelling(tmp_path, monkeypatch):
    for name in ("2018/a.txt", "2018/deep/b.txt", "2019/a.txt"):
        write(tmp_path / "archive" / name)
    monkeypatch.chdir(tmp_path)
    one = discover(["archive/2018", "archive/2019"])
    assert names(one) == ["2018/a.txt", "2018/deep/b.txt", "2019/a.txt"]
    assert names(discover(["archive/2019/", "./archive/../archive/2018"])) == names(one)
    assert discover(["archive/2018", "archive/2019"]) == one  # deterministic


# --- issue: links followed anywhere, /etc/passwd and /proc/self/status published ---------------------------------


@pytest.fixture()
def linked(tmp_path):
    src = tmp_path / "in"
    write(src / "real.txt")
    write(src / "data" / "body.dat", "Een artikel dat via een link binnen de map wordt gelezen.")
    (src / "inside.txt").symlink_to(src / "data" / "body.dat")
    (src / "passwd.txt").symlink_to("/etc/passwd")
    (src / "status.txt").symlink_to("/proc/self/status")
    (src / "null.txt").symlink_to("/dev/null")
    (src / "gone.txt").symlink_to(src / "missing.txt")
    outside = write(tmp_path / "elsewhere" / "secret.txt", "geheim")
    (src / "secret-dir").symlink_to(outside.parent)
    return src


def test_links_are_followed_only_inside_the_input(linked):
    found = discover([str(linked)])
    assert names(found) == ["inside.txt", "real.txt"]
    inside = next(f for f in found.found if f.name == "inside.txt")
    assert inside.real == (linked / "data" / "body.dat").resolve() and inside.kind == "text"
    refused = reasons(found.refused)
    assert set(refused) == {"passwd.txt", "status.txt", "null.txt", "gone.txt"}
    assert "outside the input folder" in refused["passwd.txt"] and "--follow-symlinks" in refused["passwd.txt"]
    assert "/proc" in refused["status.txt"] and "/dev" in refused["null.txt"]
    assert "dangling" in refused["gone.txt"]
    assert "outside the input folder" in reasons(found.skipped)["secret-dir"]
    assert sorted(r.name for r in found.refused) == ["gone.txt", "null.txt", "passwd.txt", "status.txt"]
    # The old entry point drops what a link outside would publish; a dangling link and a device go on to
    # read_article, which fails each with its reason without opening it.
    assert [n for _, n in find_articles(linked)] == ["gone.txt", "inside.txt", "null.txt", "real.txt"]


def test_follow_symlinks_reads_outside_but_never_kernel_or_device_files(linked):
    found = discover([str(linked)], follow_symlinks=True)
    assert names(found) == ["inside.txt", "passwd.txt", "real.txt", "secret-dir/secret.txt"]
    assert next(f for f in found.found if f.name == "passwd.txt").real == Path("/etc/passwd").resolve()
    assert set(reasons(found.refused)) == {"status.txt", "null.txt", "gone.txt"}


def test_links_through_a_glob_obey_the_same_rule(linked):
    found = discover([str(linked / "*.txt")])
    assert names(found) == ["inside.txt", "real.txt"]
    assert {"passwd.txt", "status.txt", "null.txt"} <= set(reasons(found.refused))
    found = discover([str(linked / "**" / "*.txt")])
    assert "secret-dir/secret.txt" not in names(found)


def test_a_file_named_explicitly_is_read_even_through_a_link(linked):
    found = discover([str(linked / "passwd.txt")])
    assert names(found) == ["passwd.txt"] and not found.refused  # the user named it
    assert reasons(discover([str(linked / "status.txt")]).refused)["status.txt"].startswith("/proc")


def test_the_same_file_twice_is_read_once_under_its_own_name(tmp_path):
    src = tmp_path / "in"
    write(src / "2018" / "a.txt")
    (src / "latest.txt").symlink_to(src / "2018" / "a.txt")
    found = discover([str(src), str(src / "2018")])
    assert names(found) == ["2018/a.txt"]
    assert reasons(found.skipped) == {"latest.txt": "same file as 2018/a.txt"}


# --- issue: pipes, sockets and devices --------------------------------------------------------------------------


def test_special_files_are_refused_without_being_opened(tmp_path):
    src = tmp_path / "in"
    write(src / "ok.txt")
    os.mkfifo(src / "pipe.txt")  # opening it would block forever
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(src / "sock.txt"))
    except OSError:  # path too long for a socket here: the FIFO still makes the point
        pass
    result: list[Discovery] = []
    worker = threading.Thread(target=lambda: result.append(discover([str(src)])), daemon=True)
    worker.start()
    worker.join(30)
    sock.close()
    assert result, "discovery blocked on a FIFO"
    found = result[0]
    assert names(found) == ["ok.txt"]
    refused = reasons(found.refused)
    assert "FIFO" in refused["pipe.txt"]
    assert "socket" in refused.get("sock.txt", "socket")
    explicit = discover([str(src / "pipe.txt")])
    assert not explicit.found and "FIFO" in explicit.refused[0].reason


# --- issue: link loops ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("follow", [False, True])
def test_link_loops_end(tmp_path, follow):
    src = tmp_path / "in"
    write(src / "sub" / "a.txt")
    (src / "sub" / "up").symlink_to("..")  # a folder link back to an ancestor
    (src / "sub" / "again").symlink_to(src)
    (src / "self.txt").symlink_to("self.txt")  # a link to itself
    (src / "ping").symlink_to("pong")
    (src / "pong").symlink_to("ping")
    found = discover([str(src)], follow_symlinks=follow)
    assert names(found) == ["sub/a.txt"]
    assert "loop" in reasons(found.skipped)["up"] and "loop" in reasons(found.skipped)["again"]
    assert "self.txt" in reasons(found.refused)
    assert discover([str(src)], follow_symlinks=follow) == found
    globbed = discover([str(src / "**" / "*.txt")], follow_symlinks=follow)
    assert names(globbed) == ["a.txt"]


def test_walk_is_bounded(tmp_path):
    deep = tmp_path / "in"
    path = deep
    for i in range(12):
        path = path / f"d{i}"
    write(path / "a.txt")
    found = discover([str(deep)], max_depth=5)
    assert not found.found and "more than 5 folders deep" in found.skipped[0].reason
    wide = tmp_path / "wide"
    for i in range(50):
        write(wide / f"{i:02}.txt")
    found = discover([str(wide)], max_entries=20)
    assert not found.found and "stopped" in found.skipped[0].reason


# --- issue: unreadable and symlinked sub-folders skipped without a word -----------------------------------------


def _no_dac_override() -> None:
    """In the child: drop root's power to ignore file permissions (as tests/test_bad_input.py does)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, from the bounding set too
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capget(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    for i in (0, 1):
        data[i] &= ~((1 << 1) | (1 << 2))
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def _discover_without_dac(spec: Path) -> dict:
    code = ("import json, sys; from summarizer.inputs.discovery import discover; d = discover([sys.argv[1]]); "
            "print(json.dumps({'found': [f.name for f in d.found], "
            "'skipped': {s.path.name: s.reason for s in d.skipped}}))")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code, str(spec)], check=False, capture_output=True, text=True,
                          env=env, preexec_fn=_no_dac_override if os.geteuid() == 0 else None, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_unreadable_folder_is_skipped_with_its_reason(tmp_path):
    src = tmp_path / "in"
    write(src / "ok.txt")
    write(src / "locked" / "hidden-from-us.txt")
    (src / "locked").chmod(0)
    try:
        result = _discover_without_dac(src)
    finally:
        (src / "locked").chmod(0o755)
    assert result["found"] == ["ok.txt"]
    assert result["skipped"] == {"locked": "cannot read folder: Permission denied"}


# --- issue: hidden names (our own temp files' pattern) mirrored into out/ ---------------------------------------


def test_hidden_files_and_folders_are_skipped_and_counted(tmp_path):
    src = tmp_path / "in"
    write(src / "a.txt")
    write(src / ".d.999999~part~e.tmp" / "b.txt")
    write(src / ".git" / "c.txt")
    write(src / ".hidden.txt")
    found = discover([str(src)])
    assert names(found) == ["a.txt"]
    assert set(reasons(found.skipped)) == {".d.999999~part~e.tmp", ".git", ".hidden.txt"}
    assert all("hidden" in s.reason for s in found.skipped)
    assert names(discover([str(src / ".d.999999~part~e.tmp")])) == ["b.txt"]  # named explicitly: read


# --- which files, named how -------------------------------------------------------------------------------------


def test_files_are_taken_by_extension_and_the_rest_counted(tmp_path):
    src = tmp_path / "in"
    for name in ("a.txt", "B.TXT", "page.html", "feed.xml", "dump.jsonl", "notes.md", "photo.jpg"):
        write(src / name)
    found = discover([str(src)])
    assert {(f.name, f.kind) for f in found.found} == {
        ("B.TXT", "text"), ("a.txt", "text"), ("dump.jsonl", "jsonl"), ("feed.xml", "feed"), ("page.html", "html"),
    }
    assert [p.name for p in found.ignored] == ["notes.md", "photo.jpg"]
    assert "2 not article files" in found.summary()
    assert [f.name for f in discover([str(src)], kinds=("text",)).found] == ["B.TXT", "a.txt"]
    explicit = discover([str(src / "notes.md"), str(src / "page.html")])
    assert {(f.name, f.kind) for f in explicit.found} == {("notes.md", "text"), ("page.html", "html")}
    assert not discover([str(src / "*.md")]).found  # a pattern is not an explicit name


def test_urls_pass_through_without_credentials(tmp_path):
    found = discover(["https://user:secret@NOS.nl/artikel/1?x=2", "http://example.com", "https://user:secret@NOS.nl/artikel/1?x=2"])
    assert [(f.kind, f.name, f.url) for f in found.found] == [
        ("url", "example.com/", "http://example.com"),
        ("url", "nos.nl/artikel/1?x=2", "https://user:secret@NOS.nl/artikel/1?x=2"),
    ]
    with pytest.raises(UsageError, match="URLs"):
        find_articles("https://nos.nl/artikel/1")


@pytest.mark.parametrize("spec", ["missing", "*.nothing", "missing/**/*.txt"])
def test_a_spec_that_names_nothing_is_a_usage_error(tmp_path, spec):
    with pytest.raises(UsageError, match="no"):
        discover([str(tmp_path / spec)])


def test_an_empty_folder_is_not_an_error(tmp_path):
    (tmp_path / "empty" / "x.txt").mkdir(parents=True)  # a folder named like an article
    assert discover([str(tmp_path / "empty")]) == Discovery()


# --- punctuation-only and number-only files are not articles ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        (DUTCH, True),
        ((REPO / "seeds").glob("*.txt").__next__().read_text(), True),
        ("Kort bericht: de trein rijdt weer.", True),
        ("", False),
        ("... --- !!! ??? ,,, ;;; ::: ***", False),
        ("1234 5678 91011 1213 1415 1617 1819 2021 2223", False),
        ("Ajax 3", False),  # 4 letters
        ("AEX 512,34 +0,5% 513,10 -0,2% 498,77 +1,1% 501,02 +0,3% 505,55 -0,1% 507,00 +0,9% 509,40", False),
        ("Koers 512,34 513,10 498,77 501,02 505,55 507,00 509,40 511,11 512,12 513,13 514,14 Slot Open Hoog Laag", False),
        ("Uitslagen: Ajax - PSV 2-1, Feyenoord - AZ 0-0, Utrecht - Twente 3-2, Vitesse - NEC 1-1.", True),
    ],
    ids=["dutch", "seed", "short-news", "empty", "punctuation", "numbers", "too-short", "stock-table", "price-list",
         "results"],
)
def test_enough_letters(text, ok):
    assert enough_letters(text) is ok
    assert (letters_problem(text) is None) is ok


# --- through the command line -----------------------------------------------------------------------------------

runner = CliRunner()
FAST = ["--num-beams", "1", "--max-length", "12", "--min-length", "2", "--engine", "torch", "--no-cache"]


def _run(args: list[str], model_args: list[str]):
    from summarizer.cli.main import app

    return runner.invoke(app, ["run", *args, *FAST, *model_args])


def test_cli_dotdot_inputs_get_two_outputs(tmp_path, monkeypatch, model_args):
    write(tmp_path / "in" / "x" / "a.txt", DUTCH)
    write(tmp_path / "x" / "a.txt", DUTCH.replace("kabinet", "college"))
    monkeypatch.chdir(tmp_path)
    result = _run(["in/../x", "in/x", "--out", "out"], model_args)
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("a.json"))
    assert written == ["in/x/a.json", "x/a.json"]
    sources = {json.loads((tmp_path / "out" / p).read_text())["source"]["name"] for p in written}
    assert sources == {"in/x/a.txt", "x/a.txt"}


def test_cli_never_publishes_what_a_link_points_to_outside(tmp_path, model_args):
    src = tmp_path / "in"
    write(src / "ok.txt")
    (src / "passwd.txt").symlink_to("/etc/passwd")
    (src / "status.txt").symlink_to("/proc/self/status")
    result = _run([str(src), "--out", str(tmp_path / "out")], model_args)
    assert "passwd.txt" in result.output and "status.txt" in result.output  # named, with the reason
    published = "".join(p.read_text(errors="replace") for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "root:" not in published and "VmRSS" not in published and "ok.txt" in published


def test_cli_hidden_temp_like_folder_is_not_mirrored(tmp_path, model_args):
    src = tmp_path / "in"
    write(src / "ok.txt")
    write(src / ".d.999999~part~e.tmp" / "a.txt")
    for _ in range(2):  # the second run cleans stale temp files in out/: it must not trip over a folder
        result = _run([str(src), "--out", str(tmp_path / "out")], model_args)
        assert result.exit_code == 0, result.output
    assert not list((tmp_path / "out").glob(".*"))


def test_cli_unreadable_folder_is_named(tmp_path, model_args):
    src = tmp_path / "in"
    write(src / "ok.txt")
    write(src / "locked" / "a.txt")
    (src / "locked").chmod(0)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        done = subprocess.run([sys.executable, "-m", "summarizer", "run", str(src), "--out", str(tmp_path / "out"),
                               *FAST, *model_args], check=False, capture_output=True, text=True, cwd=tmp_path, env=env,
                              preexec_fn=_no_dac_override if os.geteuid() == 0 else None, timeout=300)
    finally:
        (src / "locked").chmod(0o755)
    assert "locked" in done.stderr and "Permission denied" in done.stderr, done.stderr




def test_cli_input_named_like_a_story_keeps_its_outputs(tmp_path, model_args):
    from summarizer.trust.stories import story_id

    src = tmp_path / "in"
    src.mkdir()
    seeds = sorted((REPO / "seeds").glob("*.txt"))
    for seed in seeds:
        shutil.copy(seed, src / seed.name)
    sid = story_id([s.name for s in seeds])  # the seeds form one story, whose id anyone can compute
    write(src / "stories" / f"{sid}.txt")
    write(src / "index.html" / "a.txt", DUTCH.replace("kabinet", "college"))
    out = tmp_path / "out"
    result = _run([str(src), "--out", str(out)], model_args)
    assert result.exit_code == 0, result.output
    story = json.loads((out / "stories" / f"{sid}.json").read_text())
    assert sorted(a["name"] for a in story["articles"]) == [s.name for s in seeds]
    assert json.loads((out / "_stories" / f"{sid}.json").read_text())["source"]["name"] == f"stories/{sid}.txt"
    assert (out / "index.html").is_file() and (out / "_index.html" / "a.json").is_file()


def test_cli_punctuation_only_file_is_not_an_article(tmp_path, model_args):
    src = tmp_path / "in"
    write(src / "ok.txt")
    write(src / "dots.txt", "... --- !!! ??? 123 456 789")
    result = _run([str(src), "--out", str(tmp_path / "out")], model_args)
    assert result.exit_code == 1
    assert "dots.txt" in result.output and "letters" in result.output
