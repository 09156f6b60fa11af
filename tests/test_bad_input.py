"""Bad input: each bad file fails alone with a one-line reason, the others are still written (issue 4)."""

from __future__ import annotations

import ctypes
import io
import json
import os
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.inputs.articles import MAX_BYTES, decode, parse_article, read_article
from summarizer.cli.main import app
from summarizer.errors import ArticleError
from summarizer.inputs.language import guess_language
from summarizer.run.pipeline import output_paths
from summarizer.inputs.segment import split_sentences

runner = CliRunner()
FAST = ["--num-beams", "1", "--max-length", "12", "--min-length", "2", "--engine", "torch"]
DUTCH = (
    "Het kabinet wil dat er meer huizen worden gebouwd in de grote steden. De minister zei dat het plan "
    "volgend jaar moet beginnen. Volgens de gemeente is er ook geld nodig voor wegen en scholen."
)
ENGLISH = (
    "The government wants more houses to be built in the big cities. The minister said that the plan "
    "should start next year, and that it would have been too late otherwise. They were not sure who will pay for it."
)
FRENCH = (
    "Le gouvernement veut que plus de maisons soient construites dans les grandes villes. Le ministre a dit "
    "que le plan est prêt et qu'il sera lancé l'année prochaine avec le soutien des villes et des régions."
)
GERMAN = "Die Regierung will, dass mehr Häuser gebaut werden. Der Minister sagte, dass der Plan nicht vor dem Sommer und auch nicht ohne die Länder beginnen wird."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + bytes(range(256))


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("article.txt", DUTCH * 20)
    return buf.getvalue()


# --- decoding, parsing, limits: pure functions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("één café “citaat”".encode("cp1252"), "één café “citaat”"),
        ("één café".encode("latin-1"), "één café"),
        ("\ufefféén café".encode("utf-8"), "één café"),
        ("\ufeffeen café".encode("utf-16-le"), "een café"),
        ("\ufeffeen café".encode("utf-16-be"), "een café"),
    ],
)
def test_encodings_are_decoded(raw, expected, tmp_path):
    assert decode(raw, tmp_path / "a.txt") == expected


@pytest.mark.parametrize(
    "raw",
    [PNG, _zip_bytes(), bytes(i % 32 for i in range(1, 2000) if i % 32), b"\xff\xfe\x00"],
    ids=["png", "zip", "control-bytes-without-nul", "truncated-utf16"],
)
def test_binary_is_rejected(raw, tmp_path):
    with pytest.raises(ArticleError, match="binary data|UTF-16") as info:
        decode(raw, tmp_path / "x.txt")
    assert str(tmp_path / "x.txt") in str(info.value)


def test_windows_1252_warns(tmp_path, caplog):
    decode("één café".encode("cp1252"), tmp_path / "w.txt")
    assert "not UTF-8; decoded as Windows-1252" in caplog.text


@pytest.mark.parametrize("text", ["", "   \n\t\n  ", " date 2018-05 \n\n", " date 2018-05 \n\n  \n"])
def test_no_article_text(text, tmp_path):
    with pytest.raises(ArticleError, match="no article text"):
        parse_article(text, path=tmp_path / "e.txt", name="e.txt", sha256="0")


def test_huge_file_is_refused_unread(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes((DUTCH + "\n\n").encode() * (5_000_000 // len(DUTCH)))  # 5 MB
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ArticleError, match=r"over the limit of 100,000 \(--max-bytes\)") as info:
        read_article(big, "big.txt")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 3 * MAX_BYTES  # read at most limit + 1 bytes, never the whole file
    assert time.perf_counter() - started < 5
    assert "5,0" in str(info.value)  # says how big the file is
    small = tmp_path / "small.txt"
    small.write_text(DUTCH)
    with pytest.raises(ArticleError, match="over the limit of 100"):
        read_article(small, "small.txt", max_bytes=100)
    assert read_article(small, "small.txt", max_bytes=None).sentences  # the limit can be lifted


@pytest.mark.parametrize("with_spaces", [True, False])
def test_200k_character_line_is_segmented_fast_and_fully(with_spaces):
    words = [f"woord{i % 89}" for i in range(40_000)]
    line = (" ".join(words) if with_spaces else "x" * 200_000)[:200_000]
    started = time.perf_counter()
    pieces = split_sentences(line)
    assert time.perf_counter() - started < 10  # pysbd alone took minutes on this
    assert pieces == [line]  # one sentence, nothing lost; translation splits it to fit the model
    mixed = " ".join(f"Zin {i} gaat over dhr. Jansen en de stad." for i in range(5000))
    started = time.perf_counter()
    pieces = split_sentences(mixed)
    assert time.perf_counter() - started < 30
    assert len(pieces) == 5000 and " ".join(pieces) == mixed


@pytest.mark.parametrize(
    ("text", "language"),
    [(DUTCH * 2, "nl"), (ENGLISH * 2, "en"), (FRENCH * 2, "fr"), (GERMAN * 2, "de"), ("Kort.", None),
     (DUTCH * 2 + ' "The minister said that the plan was not ready."', "nl")],
)
def test_language_guess(text, language):
    guess = guess_language(text)
    assert guess.language == language
    assert guess.dutch == (language in ("nl", None))


def test_seed_articles_are_dutch(seed_dir):
    for path in seed_dir.glob("*.txt"):
        assert guess_language(path.read_text()).language == "nl"


def test_output_names_are_safe_and_never_collide(tmp_path):
    out = tmp_path / "out"
    names = ["a.txt", "sub/a.txt", "a\nb.txt", "a_b.txt", "a\rb.txt", "café één.txt", "x/../../y.txt", "../z.txt",
             "a.en.txt", "a\\b.txt"]
    paths = [p for name in names for p in output_paths(out, name).values()]
    assert len(set(paths)) == len(paths)
    for path in paths:
        assert path.resolve().is_relative_to(out.resolve())
        assert not any(ord(c) < 32 for c in str(path))
    assert output_paths(out, "café één.txt")["json"] == out / "café één.json"


# --- through the CLI --------------------------------------------------------------------------------------------


def test_a_folder_of_bad_input_fails_file_by_file(tmp_path, model_args):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "dir.txt" / "nested").mkdir(parents=True)
    files = {
        "good.txt": DUTCH,
        "sub/good.txt": "De trein naar Utrecht reed vanochtend niet. Er was een storing bij het station.",
        "dir.txt/nested/deep.txt": "Het water in de rivier stijgt snel. De dijken worden bewaakt.",
        "naam met spaties é.txt": "Een zin over het weer van morgen. Het gaat regenen.",
        "nieuwe\nregel.txt": "Een zin over de markt. De prijzen zijn hoog.",
        "empty.txt": "",
        "blank.txt": "  \n\n \t \n",
        "header.txt": " date 2018-05 \n\n",
        "english.txt": ENGLISH,
        "french.txt": FRENCH,
    }
    for name, text in files.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "cp1252.txt").write_bytes("Het café in één straat is dicht. “Jammer”, zei de eigenaar.".encode("cp1252"))
    (src / "bom8.txt").write_bytes("\ufeffDe bus is te laat. Niemand weet waarom.".encode("utf-8"))
    (src / "bom16.txt").write_bytes("\ufeffDe boot is te laat. Niemand weet waarom.".encode("utf-16-le"))
    (src / "image.txt").write_bytes(PNG)
    (src / "archive.txt").write_bytes(_zip_bytes())
    (src / "long-line.txt").write_text(" ".join(f"woord{i % 89}" for i in range(40_000))[:200_000])
    (src / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    os.mkfifo(src / "fifo.txt")  # reading it would block forever
    out = tmp_path / "out"

    result = runner.invoke(app, ["run", str(src), "--out", str(out), "--no-cache", *FAST, *model_args])

    assert result.exit_code == 1, result.output
    failed = {line.split(": ", 2)[1]: line for line in result.output.splitlines() if line.startswith("failed: ")}
    expected = {
        "empty.txt": "no article text", "blank.txt": "no article text", "header.txt": "no article text",
        "image.txt": "binary data", "archive.txt": "binary data", "english.txt": "looks like English",
        "french.txt": "looks like French", "dangling.txt": "dangling symbolic link", "fifo.txt": "not a regular file",
        "long-line.txt": "over the limit of 100,000",
    }
    assert set(failed) == set(expected), result.output
    for name, problem in expected.items():
        assert problem in failed[name]
    assert "--force-language" in failed["english.txt"]
    assert "Traceback" not in result.output
    done = ["good", "sub/good", "dir.txt/nested/deep", "naam met spaties é", "cp1252", "bom8", "bom16"]
    assert f"{len(done) + 1} done, {len(expected)} failed" in result.output
    for stem in done:
        record = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        assert record["translation"] and all(t["en"] for t in record["translation"])
    newline = json.loads(output_paths(out, "nieuwe\nregel.txt")["json"].read_text())
    assert newline["source"]["name"] == "nieuwe\nregel.txt"
    assert json.loads((out / "good.json").read_text())["source"]["name"] == "good.txt"
    assert json.loads((out / "sub/good.json").read_text())["source"]["name"] == "sub/good.txt"  # no collision
    cp = json.loads((out / "cp1252.json").read_text())
    assert cp["translation"][0]["nl"] == "Het café in één straat is dicht."
    assert "Windows-1252" in result.output
    assert json.loads((out / "bom16.json").read_text())["translation"][0]["nl"] == "De boot is te laat."
    assert not [p for p in out.rglob("*") if p.is_file() and p.suffix not in (".json", ".md", ".html")]  # html: index, translations


def test_force_language_and_max_bytes_override(tmp_path, model_args):
    src = tmp_path / "in"
    src.mkdir()
    (src / "english.txt").write_text(ENGLISH)
    (src / "dutch.txt").write_text(DUTCH + "\n\n" + DUTCH)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), "--out", str(out), "--no-cache", "--force-language", "--max-bytes",
                                 "300", *FAST, *model_args])
    assert result.exit_code == 1
    assert "1 done, 1 failed" in result.output
    assert "failed: english.txt" not in result.output and (out / "english.json").exists()
    assert "dutch.txt: file is" in result.output and "over the limit of 300" in result.output


def _no_dac_override() -> None:
    """In the child: drop root's power to ignore file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # from the bounding set too: root regains every capability at exec otherwise
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    if libc.capget(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    for i in (0, 1):  # effective, permitted of the low 32 capabilities
        data[i] &= ~((1 << 1) | (1 << 2))
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def _run_without_dac(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the CLI in a child that file permissions apply to, even when the tests run as root."""
    return subprocess.run([sys.executable, "-m", "summarizer", "run", *args], capture_output=True, text=True, cwd=cwd,
                          preexec_fn=_no_dac_override if os.geteuid() == 0 else None, timeout=300)


def test_unreadable_file_and_unwritable_out(tmp_path, model_args):
    src = tmp_path / "in"
    src.mkdir()
    locked = src / "locked.txt"
    locked.write_text(DUTCH)
    locked.chmod(0)
    result = _run_without_dac([str(src), "--out", str(tmp_path / "out"), "--no-cache", *model_args], tmp_path)
    assert result.returncode == 1, result.stderr
    assert "failed: locked.txt: cannot read: Permission denied" in result.stderr
    assert "Traceback" not in result.stderr

    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    locked.chmod(0o644)
    result = _run_without_dac([str(src), "--out", str(readonly), "--no-cache", *model_args], tmp_path)
    assert result.returncode == 2, result.stderr
    assert "output directory is not writable" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("case", ["missing", "empty-folder", "out-is-file", "only-dirs"])
def test_usage_errors_exit_2(case, tmp_path, model_args):
    src, out = tmp_path / "in", tmp_path / "out"
    if case != "missing":
        src.mkdir()
    if case == "out-is-file":
        (src / "a.txt").write_text(DUTCH)
        out.write_text("not a folder")
    if case == "only-dirs":
        (src / "x.txt").mkdir()
    result = runner.invoke(app, ["run", str(src), "--out", str(out), "--no-cache", *model_args])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "Traceback" not in result.output
    message = {"missing": "no such file", "empty-folder": "no articles found", "out-is-file": "not a directory",
               "only-dirs": "no articles found"}[case]
    assert message in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1  # one line


def test_malformed_lock_names_the_fix(tmp_path, seed_dir):
    lock = tmp_path / "models.lock"
    lock.write_text("version = 1\n[models.nl-en\n")
    result = runner.invoke(app, ["run", str(seed_dir), "--out", str(tmp_path / "o"), "--no-cache", "--lock", str(lock)])
    assert result.exit_code == 1
    assert str(lock) in result.output and "not valid TOML" in result.output and "summarize models lock" in result.output


def test_revision_that_does_not_exist_names_role_and_fix(tmp_path, seed_dir):
    lock = tmp_path / "models.lock"
    lock.write_text('version = 1\n[models.nl-en]\nid = "Helsinki-NLP/opus-mt-nl-en"\nrevision = "' + "0" * 40 + '"\n')
    result = runner.invoke(app, ["run", str(seed_dir), "--out", str(tmp_path / "o"), "--no-cache", "--lock", str(lock),
                                 "--offline"])
    assert result.exit_code == 1
    assert "nl-en" in result.output and "0" * 40 in result.output
    assert "summarize models fetch" in result.output and "--nl-en" in result.output


def test_model_dir_without_tokenizer_names_role(tmp_path, tiny_models, model_args):
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in tiny_models["summarizer"].iterdir():
        if f.name not in ("vocab.json", "merges.txt", "tokenizer.json"):
            (broken / f.name).write_bytes(f.read_bytes())
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(DUTCH)
    args = list(model_args)
    args[args.index("--summarizer") + 1] = str(broken)
    result = runner.invoke(app, ["run", str(src), "--out", str(tmp_path / "o"), "--no-cache", "--engine", "torch", *args])
    assert result.exit_code == 1, result.output
    assert "summarizer" in result.output and "tokenizer" in result.output and "--summarizer" in result.output
