"""Output paths: one namespace for articles, stories and the index, collisions settled before anything is written."""

from __future__ import annotations

import os
import random
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.outputs import paths as paths_module
from summarizer.outputs.fsutil import remove_stale_temps
from summarizer.outputs.paths import (
    ARTICLE_SUFFIXES,
    MAX_COMPONENT_BYTES,
    STORIES_DIR,
    html_href,
    index_paths,
    output_key,
    plan_outputs,
    story_paths,
)
from summarizer.trust.stories import story_id

OUT = Path("out")


def bases(names, out=OUT) -> dict[str, str]:
    """Input name -> output base relative to ``out`` (for names without parts)."""
    plan = plan_outputs(names, out)
    assert not plan.errors, plan.errors
    return {name: p.base.relative_to(out).as_posix() for (name, _), p in plan.planned.items()}


def all_files(plan) -> list[Path]:
    return [f for p in plan.planned.values() for f in p.files.values()]


# --- issue: an input at stories/story-<id>.txt was overwritten by the story digest (and index.*, stories/) --------


def test_input_named_like_a_story_never_meets_the_story(tmp_path):
    names = ["2018/a.txt", "2018/b.txt"]
    sid = story_id(names)  # a hash of file names: anyone can predict it
    attack = f"stories/{sid}.txt"
    plan = plan_outputs([*names, attack], tmp_path)
    story = set(story_paths(tmp_path, sid).values())
    assert not story & set(all_files(plan))
    assert plan.planned[(attack, None)].base == tmp_path / "_stories" / sid
    assert not any(f.relative_to(tmp_path).parts[0] == STORIES_DIR for f in all_files(plan))


@pytest.mark.parametrize("name", [
    "index.txt", "index.html/a.txt", "index.md/a.txt", "INDEX.HTML/a.txt", "Stories/x.txt", "stories.txt",
    "stories/story-0123456789.txt", "index.html", "index.md.txt",
])
def test_reserved_top_level_names_are_escaped(tmp_path, name):
    plan = plan_outputs([name], tmp_path)
    [planned] = plan.planned.values()
    top = planned.base.relative_to(tmp_path).parts[0]
    assert top.startswith("_")
    reserved = {output_key(str(p)) for p in index_paths(tmp_path).values()} | {output_key(str(tmp_path / STORIES_DIR))}
    for f in planned.files.values():
        assert not {output_key(str(a)) for a in [f, *f.parents]} & reserved


def test_escape_is_injective(tmp_path):
    result = bases(["stories/x.txt", "_stories/x.txt", "__stories/x.txt", "_a.txt", "a.txt", "index.txt", "_index.txt"])
    assert result == {
        "stories/x.txt": "_stories/x", "_stories/x.txt": "__stories/x", "__stories/x.txt": "___stories/x",
        "_a.txt": "__a", "a.txt": "a", "index.txt": "_index", "_index.txt": "__index",
    }
    assert bases(["sub/_a.txt", "sub/index.txt"]) == {"sub/_a.txt": "sub/_a", "sub/index.txt": "sub/index"}  # top only


# --- issue: a folder named like our temp files was mirrored into out/ --------------------------------------------


def test_hidden_and_temp_like_names_are_never_hidden_in_out(tmp_path):
    names = [".d.999999~part~e.tmp/a.txt", "sub/.d.999999~part~e.tmp/b.txt", "../c.txt", "./d.txt", "x/../e.txt"]
    plan = plan_outputs(names, tmp_path / "out")
    assert not plan.errors
    for f in all_files(plan):
        assert not any(part.startswith(".") for part in f.relative_to(tmp_path / "out").parts)
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("x")
    assert remove_stale_temps(tmp_path / "out") == 0  # the old layout made it unlink a folder and crash
    assert all(f.exists() for f in all_files(plan))


# --- layout: today's for ordinary names; case, normalisation and suffix collisions settled ------------------------


def test_ordinary_names_keep_todays_layout():
    assert bases(["a.txt", "2018/deep/b.txt", "c", "notes.tar.gz"]) == {
        "a.txt": "a", "2018/deep/b.txt": "2018/deep/b", "c": "c", "notes.tar.gz": "notes.tar",
    }
    plan = plan_outputs(["a.txt"], OUT)
    assert plan.paths("a.txt") == {s: OUT / f"a.{s}" for s in ARTICLE_SUFFIXES}


def test_same_stem_keeps_the_extension():
    assert bases(["a.txt", "a.html", "b.txt"]) == {"a.txt": "a.txt", "a.html": "a.html", "b.txt": "b"}


def test_case_and_normalisation_variants_get_distinct_outputs():
    nfc, nfd = unicodedata.normalize("NFC", "café.txt"), unicodedata.normalize("NFD", "café.txt")
    result = bases(["A.txt", "a.txt", nfc, nfd, "Sub/x.txt", "sub/x.txt"])
    keys = [output_key(v) for v in result.values()]
    assert len(set(keys)) == len(keys) == 6
    assert result["A.txt"].startswith("A.txt~") and result["a.txt"].startswith("a.txt~")
    assert result["Sub/x.txt"].startswith("Sub/x.txt~")


def test_a_file_and_a_folder_of_one_name():
    assert bases(["a.txt", "a.json/b.txt"]) == {"a.txt": "a.txt", "a.json/b.txt": "a.json/b"}
    assert bases(["a.txt", "A.EN.MD/b.txt"]) == {"a.txt": "a.txt", "A.EN.MD/b.txt": "A.EN.MD/b"}


def test_records_of_one_file_are_named_by_their_part():
    plan = plan_outputs([("feed.xml", "0"), ("feed.xml", "3"), ("export.json", "3"), "feed@3.txt"], OUT)
    result = {k: p.base.as_posix() for k, p in plan.planned.items()}
    assert result[("feed.xml", "0")] == "out/feed@0"
    assert result[("export.json", "3")] == "out/export@3"
    assert result[("feed.xml", "3")] != result[("feed@3.txt", None)]
    assert plan.paths("feed.xml", "3")["json"].name.endswith(".json")
    odd = plan_outputs([("x.jsonl", "a/b")], OUT).paths("x.jsonl", "a/b")["json"]
    assert odd.parent == OUT and "/" not in odd.name


def test_control_characters_are_escaped_as_before():
    result = bases(["a\nb.txt", "a\x1b[31mb.txt", "a_b.txt", "tab\there/c.txt"])
    assert result["a\nb.txt"] == "a_b-" + paths_module._digest("a\nb", 8)  # summarizer.run.pipeline._safe_part's form
    assert len(set(result.values())) == 4
    assert all(c.isprintable() for v in result.values() for c in v)


def test_long_names_are_shortened_with_a_hash():
    long_a, long_b = "x" * 250 + "a.txt", "x" * 250 + "b.txt"
    wide = "é" * 130 + ".txt"  # 260 bytes
    plan = plan_outputs([long_a, long_b, wide, "d" * 250 + "/f.txt"], OUT)
    assert not plan.errors
    for p in plan.planned.values():
        for part in p.base.relative_to(OUT).parts:
            assert len(part.encode()) <= MAX_COMPONENT_BYTES
        assert max(len(f.name.encode()) for f in p.files.values()) + 28 <= 255  # and the temp file's name fits
    assert plan.paths(long_a)["json"] != plan.paths(long_b)["json"]
    assert plan.paths(wide)["json"].name.startswith("é" * 60)


def test_planning_is_deterministic():
    names = ["A.txt", "a.txt", "a.html", "stories/x.txt", "_x.txt", "x/../y.txt", ("f.xml", "1"), "a.json/b.txt"]
    first = plan_outputs(names, OUT)
    for seed in range(5):
        shuffled = names[:]
        random.Random(seed).shuffle(shuffled)
        assert plan_outputs(shuffled + shuffled[:3], OUT) == first


def test_a_collision_that_cannot_be_settled_fails_both_inputs(monkeypatch):
    monkeypatch.setattr(paths_module, "_digest", lambda text, n: "0" * n)  # every hash the same
    plan = plan_outputs(["A.txt", "a.txt", "b.txt"], OUT)
    assert set(plan.errors) == {("A.txt", None), ("a.txt", None)}
    assert plan.errors[("A.txt", None)].others == ("a.txt",) and "a.txt" in plan.errors[("A.txt", None)].problem
    assert plan.errors[("a.txt", None)].others == ("A.txt",)
    assert plan.paths("b.txt")["json"] == OUT / "b.json"
    with pytest.raises(KeyError):
        plan.paths("a.txt")


# --- every output inside --out ------------------------------------------------------------------------------------


def test_nothing_is_written_through_a_link_in_out(tmp_path):
    out = tmp_path / "out"
    (out / "2018").mkdir(parents=True)
    (out / "elsewhere").symlink_to(tmp_path)
    plan = plan_outputs(["elsewhere/a.txt", "2018/b.txt", "c.txt"], out)
    assert set(plan.errors) == {("elsewhere/a.txt", None)}
    assert "symbolic link" in plan.errors[("elsewhere/a.txt", None)].problem
    link = tmp_path / "out-link"
    link.symlink_to(out)  # --out itself may be a link
    assert not plan_outputs(["2018/b.txt"], link).errors


def test_too_deep_a_tree_fails_alone():
    deep = "/".join(["d" * 200] * 25) + "/a.txt"
    plan = plan_outputs([deep, "b.txt"], OUT)
    assert "too long" in plan.errors[(deep, None)].problem and plan.paths("b.txt")


# --- stories, index, links between pages ---------------------------------------------------------------------------


def test_story_and_index_paths():
    assert story_paths(OUT, "story-0123456789") == {
        "en.md": OUT / "stories/story-0123456789.en.md", "nl.md": OUT / "stories/story-0123456789.nl.md",
        "json": OUT / "stories/story-0123456789.json",
    }
    assert index_paths(OUT) == {"html": OUT / "index.html", "md": OUT / "index.md"}
    for bad in ("../x", "a/b", ".hidden", "", "x\n"):
        with pytest.raises(ValueError):
            story_paths(OUT, bad)


@pytest.mark.parametrize(
    ("from_file", "to_file", "href"),
    [
        ("out/index.html", "out/javascript:alert(1).translation.html", "./javascript%3Aalert%281%29.translation.html"),
        ("out/index.html", "out/a #b?c%d.translation.html", "./a%20%23b%3Fc%25d.translation.html"),
        ("out/index.html", "out/2018/x.translation.html", "./2018/x.translation.html"),
        ("out/2018/deep/x.translation.html", "out/index.html", "../../index.html"),
        ("out/2018/x.translation.html", "out/stories/story-1.json", "../stories/story-1.json"),
        ("out/index.html", "out/café\n.html", "./caf%C3%A9%0A.html"),
        ("out/index.html", "out/a\"><script>.html", "./a%22%3E%3Cscript%3E.html"),
    ],
)
def test_html_href_is_relative_and_quoted(from_file, to_file, href):
    assert html_href(Path(from_file), Path(to_file)) == href


# --- property: random trees of hostile names ------------------------------------------------------------------------

_COMPONENTS = st.one_of(
    st.sampled_from([
        "..", ".", "", "stories", "Stories", "index.html", "INDEX.md", "index.md", "index", "_", "__x", "_stories",
        ".d.123~part~x.tmp", ".hidden", "a.txt", "A.txt", "a.TXT", "a.html", "a", "a.json", "a.en.md", "a.nl.md",
        "a.translation.html", "café", unicodedata.normalize("NFD", "café"), "caf\u00c9", "Straße", "STRASSE",
        "a#b", "a?b", "a%20b", "a b", "a\nb", "a\x1bb", "a\\b", "x" * 250, "é" * 126, "x" * 249 + ".txt",
        "feed@3", "a.txt~0123456789", "javascript:alert(1)",
    ]),
    st.text(alphabet="aAbéeé\u0301._~#?% \n\x1b-", min_size=0, max_size=12),
)
_NAMES = st.lists(st.builds(lambda parts: "/".join(parts), st.lists(_COMPONENTS, min_size=1, max_size=4)),
                  min_size=1, max_size=10)
_ITEMS = st.lists(st.tuples(_NAMES.map(lambda n: n[0]), st.one_of(st.none(), st.sampled_from(["0", "3", "3/4", "\n"]))),
                  max_size=4)
_OUT = Path(tempfile.gettempdir()) / "summarize-plan-property" / "out"  # never created


@settings(max_examples=400, deadline=None)
@given(names=_NAMES, items=_ITEMS, seed=st.integers(0, 2**16))
def test_planned_outputs_are_distinct_inside_out_and_deterministic(names, items, seed):
    batch = [*names, *items]
    plan = plan_outputs(batch, _OUT)
    assert not plan.errors  # every collision among these is settled by a tier
    files = all_files(plan)
    folders = {q for f in files for q in f.relative_to(_OUT).parents if q != Path(".")}
    for key in (output_key, lambda s: unicodedata.normalize("NFC", s).lower(), str):
        seen = [key(f.relative_to(_OUT).as_posix()) for f in files]
        assert len(set(seen)) == len(seen)  # distinct, also case-insensitively and after NFC
        assert not set(seen) & {key(q.as_posix()) for q in folders}  # no file where another needs a folder
    root = os.path.realpath(_OUT)
    reserved = {"index.html", "index.md", "stories"}
    for f in files:
        rel = f.relative_to(_OUT)
        assert os.path.commonpath([os.path.realpath(f), root]) == root
        assert rel.parts[0].casefold() not in reserved and not rel.parts[0].casefold().startswith(("index.", "stories."))
        assert all(p not in ("", ".", "..") and not p.startswith(".") for p in rel.parts)
        assert all(len(p.encode()) <= MAX_COMPONENT_BYTES + len(".translation.html") for p in rel.parts)
        assert all(c.isprintable() or c == " " for c in rel.as_posix())
        href = html_href(_OUT / "index.html", f)
        assert href.startswith("./") and Path(os.path.normpath(_OUT / unquote(href))) == f
    shuffled = batch[:]
    random.Random(seed).shuffle(shuffled)
    assert plan_outputs(shuffled, _OUT) == plan
