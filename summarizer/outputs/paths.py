"""Where every output goes: one namespace for articles, stories and the index, checked for collisions up front.

Layout of ``out/``:

- ``index.html``, ``index.md`` and ``stories/`` belong to the report. An article mirrors its input's folders
  (``2018/a.txt`` -> ``out/2018/a.en.md``), except that a top-level name the report owns (``index``,
  ``index.*``, ``stories``, ``stories.*``, in any case) or one starting with ``_`` gets a leading ``_``:
  ``stories/story-x.txt`` -> ``out/_stories/story-x.*``, ``_a.txt`` -> ``out/__a.*``; stripping one ``_``
  undoes it, so no two inputs meet there.
- Components are made safe: control characters, lone surrogates, line separators, bidi controls, ``\\``
  become ``_`` plus 8 hex of the original; empty, ``.``, ``..`` and hidden (``.x``) names get a leading ``_``
  (so no output is hidden or mistaken for a temp file); components over 200 UTF-8 bytes keep a prefix
  and ``~`` + 10 hex of the whole (temp files add ~27 bytes and ``.translation.html`` 17 to NAME_MAX 255).
- A record of a multi-article file (a feed entry, a JSON record) adds ``@<part>``: ``feed.xml`` entry 3 ->
  ``out/feed@3.*``.
- The input's extension is dropped (``a.txt`` -> ``out/a.*``, as before this module). When two inputs would
  meet (``a.txt``/``a.html``, ``A.txt``/``a.txt``, NFC/NFD ``é``, a file and a folder of one name) each
  keeps its extension (``out/a.txt.*``, ``out/a.html.*``); if they still meet (names that differ only by
  case or normalisation), ``~`` + 10 hex of the input name is added. Comparison is case-insensitive and
  normalisation-insensitive, so the outputs also stay apart on macOS and Windows file systems.
  Which inputs meet depends on the whole batch, so it is decided here, before anything is written.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_COMPONENT_BYTES",
    "PART_SEPARATOR",
    "RESERVED",
    "STORIES_DIR",
    "Plan",
    "PlanError",
    "Planned",
    "html_href",
    "index_paths",
    "output_key",
    "plan_outputs",
    "story_paths",
]

ARTICLE_SUFFIXES = ("en.md", "nl.md", "json", "translation.html")  # summarizer.outputs.writers + the report's page
STORY_SUFFIXES = ("en.md", "nl.md", "json")
STORIES_DIR = "stories"
RESERVED = ("index", STORIES_DIR)  # top-level stems the report owns: index.html, index.md, stories/
MAX_COMPONENT_BYTES = 200
PART_SEPARATOR = "@"
_PATH_MAX = 4095  # bytes in a path (Linux PATH_MAX 4096 with its NUL)
_TEMP_BYTES = 28  # what an atomic write's temp name adds: "." + ".<pid>~part~<8>.tmp"
_TIERS = 3  # 0: stem, 1: stem + extension, 2: + hash of the input name
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\\/\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_STORY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,100}")

Item = tuple[str, str | None]  # (input name, part within its file)


@dataclass(frozen=True)
class Planned:
    """One article's output files: ``files[suffix]`` is ``base`` + ``.`` + suffix."""

    name: str
    part: str | None
    base: Path
    files: dict[str, Path]


@dataclass(frozen=True)
class PlanError:
    """An article whose outputs cannot be placed; it fails alone, the batch goes on."""

    name: str
    part: str | None
    problem: str  # one line, naming the other input(s) involved
    others: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """Every article's output paths, or the reason it has none; made before anything is written."""

    out_dir: Path
    planned: dict[Item, Planned] = field(default_factory=dict)
    errors: dict[Item, PlanError] = field(default_factory=dict)

    def paths(self, name: str, part: str | None = None) -> dict[str, Path]:
        """The output files of one article by suffix; KeyError when it has none (see ``errors``)."""
        return self.planned[(name, part)].files


def plan_outputs(
    names: Iterable[str | Item], out_dir: Path, *, suffixes: Sequence[str] = ARTICLE_SUFFIXES
) -> Plan:
    """Place every article of a batch in ``out_dir``: distinct, inside it, clear of the report's names.

    Args:
        names: each input name (``Found.name``) or ``(name, part)`` for a record of a multi-article file.
        out_dir: the --out folder (need not exist yet).
        suffixes: the files each article gets; the planned files are ``base.<suffix>``.

    Returns:
        A Plan; the same set of names always gives the same plan, whatever their order.
    """
    items = sorted({(n, None) if isinstance(n, str) else (n[0], n[1]) for n in names}, key=lambda i: (i[0], i[1] or ""))
    folders = {item: _folders(item[0]) for item in items}
    tier = dict.fromkeys(items, 0)
    errors: dict[Item, PlanError] = {}
    active = list(items)
    while True:
        rel = {item: folders[item] + (_leaf(item, tier[item], top=not folders[item]),) for item in active}
        clashes = _clashes(rel, suffixes)
        if not clashes:
            break
        movable = [item for item in clashes if tier[item] < _TIERS - 1]
        for item in movable:
            tier[item] += 1
        if not movable:
            for item, others in clashes.items():
                errors[item] = _clash_error(item, others, rel[item], out_dir)
            active = [item for item in active if item not in errors]
    return _placed(rel, out_dir, suffixes, errors)


def output_key(relative: str) -> str:
    """The form in which two output paths are the same file somewhere: case-folded, NFC."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", relative).casefold())


def story_paths(out_dir: Path, story_id: str) -> dict[str, Path]:
    """A story digest's files (``out/stories/<id>.{en.md,nl.md,json}``); no article output is ever there."""
    if not _STORY_ID.fullmatch(story_id):
        raise ValueError(f"story id {story_id!r} is not [A-Za-z0-9][A-Za-z0-9_-]*")
    return {suffix: out_dir / STORIES_DIR / f"{story_id}.{suffix}" for suffix in STORY_SUFFIXES}


def index_paths(out_dir: Path) -> dict[str, Path]:
    """The index pages: ``{"html": out/index.html, "md": out/index.md}``."""
    return {"html": out_dir / "index.html", "md": out_dir / "index.md"}


def html_href(from_file: Path, to_file: Path) -> str:
    """A relative href from one output file to another, every segment percent-encoded (``#``, ``?``, ``:``, ``%``...)."""
    rel = os.path.relpath(to_file, from_file.parent)
    segments = [quote(os.fsencode(s), safe="") for s in Path(rel).parts]
    href = "/".join(segments)
    return href if segments[:1] == [".."] else "./" + href


def _folders(name: str) -> tuple[str, ...]:
    """The output folders of an input name: its folder components, made safe (first one clear of the report)."""
    parts = name.split("/")[:-1]
    safe = tuple(_cap(_escape(p)) for p in parts)
    return (_cap(_top(_escape(parts[0]))),) + safe[1:] if parts else ()


def _leaf(item: Item, tier: int, *, top: bool) -> str:
    """The file part of an output base at a tier (see module docstring)."""
    name, part = item
    file = name.rsplit("/", 1)[-1]
    stem = file.rpartition(".")[0]  # "" when there is no extension to drop ("a", ".profile")
    leaf = _escape(file if tier > 0 or not stem else stem)
    if part is not None:
        leaf += PART_SEPARATOR + _escape(part)
    if tier >= 2:
        leaf += "~" + _digest(f"{name}\0{part or ''}", 10)
    return _cap(_top(leaf) if top else leaf)


def _escape(component: str) -> str:
    """A component without unsafe characters (``_`` + hash of the original when changed), never hidden or ``..``."""
    safe = _UNSAFE.sub("_", component)
    if safe != component:
        safe = f"{safe}-{_digest(component, 8)}"
    return "_" + safe if safe == "" or safe.startswith(".") else safe


def _top(component: str) -> str:
    """A top-level component clear of the report's names: reserved and ``_`` names get one more ``_``."""
    folded = component.casefold()
    reserved = any(folded == r or folded.startswith(r + ".") for r in RESERVED)
    return "_" + component if reserved or component.startswith("_") else component


def _cap(component: str) -> str:
    """``component`` if it fits MAX_COMPONENT_BYTES, else its longest fitting prefix + ``~`` + 10 hex of it."""
    if len(component.encode("utf-8")) <= MAX_COMPONENT_BYTES:
        return component
    room = MAX_COMPONENT_BYTES - 11
    prefix = component.encode("utf-8")[:room].decode("utf-8", "ignore")
    return f"{prefix}~{_digest(component, 10)}"


def _digest(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def _clashes(rel: dict[Item, tuple[str, ...]], suffixes: Sequence[str]) -> dict[Item, set[Item]]:
    """Items whose files would meet another's file or folder (compared by ``output_key``), with whom."""
    files: dict[str, set[Item]] = defaultdict(set)
    folders: dict[str, set[Item]] = defaultdict(set)
    for item, parts in rel.items():
        for suffix in suffixes:
            files[output_key("/".join(parts) + "." + suffix)].add(item)
        for depth in range(1, len(parts)):
            folders[output_key("/".join(parts[:depth]))].add(item)
    clashes: dict[Item, set[Item]] = defaultdict(set)
    for key, owners in files.items():
        others = owners | folders.get(key, set())
        if len(others) > 1:
            for item in owners:  # only a file can move: folders mirror the input's folders
                clashes[item] |= others - {item}
    return dict(clashes)


def _clash_error(item: Item, others: set[Item], parts: tuple[str, ...], out_dir: Path) -> PlanError:
    names = sorted(_label(o) for o in others)
    return PlanError(item[0], item[1], f"its outputs {out_dir.joinpath(*parts)}.* would overwrite those of "
                     f"{', '.join(names)}; rename one of them", tuple(names))


def _label(item: Item) -> str:
    return item[0] if item[1] is None else f"{item[0]} (record {item[1]})"


def _placed(rel: dict[Item, tuple[str, ...]], out_dir: Path, suffixes: Sequence[str],
            errors: dict[Item, PlanError]) -> Plan:
    """The plan, after checking that each article's folder resolves inside ``out_dir`` through no link."""
    root = Path(os.path.realpath(out_dir))
    checked: dict[tuple[str, ...], str | None] = {}
    planned: dict[Item, Planned] = {}
    for item, parts in rel.items():
        base = out_dir.joinpath(*parts)
        problem = _outside(root, out_dir, parts[:-1], checked)
        longest = len(os.fsencode(str(root.joinpath(*parts)))) + 1 + max(len(s.encode()) for s in suffixes) + _TEMP_BYTES
        if problem is None and longest > _PATH_MAX:
            problem = f"output path {base}.* is too long for the file system; shorten the input's folder names"
        if problem:
            errors[item] = PlanError(item[0], item[1], problem)
            continue
        planned[item] = Planned(item[0], item[1], base, {s: base.with_name(f"{base.name}.{s}") for s in suffixes})
    return Plan(out_dir, planned, dict(sorted(errors.items(), key=lambda e: (e[0][0], e[0][1] or ""))))


def _outside(root: Path, out_dir: Path, folders: tuple[str, ...], checked: dict[tuple[str, ...], str | None]) -> str | None:
    """Why files in ``out_dir/folders`` would land outside ``out_dir`` (an existing link on the way), or None."""
    for depth in range(1, len(folders) + 1):
        prefix = folders[:depth]
        if prefix not in checked:
            path = out_dir.joinpath(*prefix)
            real = os.path.realpath(path)
            if os.path.islink(path):
                checked[prefix] = f"{path} is a symbolic link (to {real}); outputs are never written through links"
            elif os.path.commonpath([real, str(root)]) != str(root):
                checked[prefix] = f"{path} resolves to {real}, outside {out_dir}"
            else:
                checked[prefix] = None
        if checked[prefix]:
            return checked[prefix]
    return None
