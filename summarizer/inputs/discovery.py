"""Which inputs a run reads: folders, files, glob patterns and URLs to named, vetted article files.

Rules (see ``discover``):

- Input roots are resolved (symbolic links, ``..``) before names are computed; a name is the file's
  path relative to the folder that all roots share, so it never holds ``..`` and two files never share one.
- Inside a folder, a symbolic link (to a file or a folder) is followed only when its target lies inside that
  folder; ``follow_symlinks=True`` (``--follow-symlinks``) follows links anywhere. Pipes, sockets, devices and
  anything under /proc, /sys or /dev are refused whatever the links say.
- Names starting with ``.`` (hidden files, editors' and our own temp files) are skipped, as are folders that
  cannot be read, deeper than ``max_depth`` or already on the way down (a link loop); each is reported.
- Files are taken by extension (``summarizer.inputs.kinds.reader_for_path``); other files are counted as
  ignored. A file named on the command line is always taken: read as text when no reader claims its extension.
- The walk is sorted and bounded (``max_entries``), so the same tree always gives the same result.
"""

from __future__ import annotations

import errno
import fnmatch
import glob
import logging
import os
import re
import stat
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import UsageError
from .kinds import READERS, reader_for_path

__all__ = [
    "MAX_DEPTH",
    "MAX_ENTRIES",
    "MIN_LETTERS",
    "MIN_LETTER_SHARE",
    "Discovery",
    "Found",
    "Refused",
    "Skipped",
    "discover",
    "enough_letters",
    "letters_problem",
]

log = logging.getLogger(__name__)

MAX_DEPTH = 64  # folders below an input root; deeper trees are almost always link farms or mistakes
MAX_ENTRIES = 500_000  # directory entries looked at, all roots together: a bound on time, not a corpus size
MIN_LETTERS = 20  # an article has at least a sentence: ~20 letters is the shortest Dutch headline-plus-verb
MIN_LETTER_SHARE = 0.3  # letters per non-space character; Dutch prose is ~0.95, results tables ~0.4, dumps less
_PSEUDO = ("/proc", "/sys", "/dev")  # kernel and device files: never articles, sometimes secrets
_URL = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """One input to read: a file (``path``/``real``) or a URL (``url``), with the name its outputs are derived from."""

    path: Path | None  # as found: the spec joined with the folders walked (for messages); None for a URL
    name: str  # relative to the roots' common folder, "/"-separated, never "..": the output name
    kind: str  # a reader in summarizer.inputs.kinds.READERS, or "url" (fetched later, kind by content type)
    root: Path | None  # the resolved input root it was found under (None for a URL)
    real: Path | None = None  # the resolved file that was vetted: open this one, not ``path``
    url: str | None = None  # the URL as given, for kind "url"


@dataclass(frozen=True)
class Refused:
    """A file that was found but is not read, and why (a link out of the input, a pipe, a device...)."""

    path: Path
    reason: str
    name: str = ""  # relative to the roots' common folder, like Found.name: what the run reports it as

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Skipped:
    """A folder (or hidden or duplicate file) not looked into, and why; the run counts and names these."""

    path: Path
    reason: str
    name: str = ""  # relative to the roots' common folder where it lies below it, else the path as found

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Discovery:
    """Everything ``discover`` found, refused, skipped and ignored, each list sorted."""

    found: list[Found] = field(default_factory=list)  # sorted by name
    refused: list[Refused] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # files no reader takes ("not an article file")

    def summary(self) -> str:
        """One line for the end-of-run report, e.g. ``3 inputs; 1 refused, 2 skipped, 4 not article files``."""
        counts = [(len(self.refused), "refused"), (len(self.skipped), "skipped"), (len(self.ignored), "not article files")]
        rest = ", ".join(f"{n} {what}" for n, what in counts if n)
        return f"{len(self.found)} inputs" + (f"; {rest}" if rest else "")


# A folder still to walk: (as shown, resolved, names below the root, (st_dev, st_ino) of each folder on the
# way down for loop detection, reached through a link?)
_Frame = tuple[Path, Path, tuple[str, ...], tuple[tuple[int, int], ...], bool]


@dataclass
class _State:
    """Mutable bookkeeping of one ``discover`` call."""

    follow_symlinks: bool
    kinds: frozenset[str]
    max_depth: int
    max_entries: int
    entries: int = 0
    stopped: bool = False
    files: list[tuple[Found, bool, Path]] = field(default_factory=list)  # (found, named below base; via a link?; base)
    refused: list[tuple[Refused, Path, str]] = field(default_factory=list)  # (refused, base, name below base)
    skipped: list[tuple[Skipped, Path, str]] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    urls: dict[str, Found] = field(default_factory=dict)

    def refuse(self, path: Path, reason: str, base: Path | None = None, rel: str | None = None) -> None:
        """Record a refused file; ``base``/``rel`` name it (default: its resolved folder and its own name)."""
        self.refused.append((Refused(path, reason), *_placed(path, base, rel)))

    def skip(self, path: Path, reason: str, base: Path | None = None, rel: str | None = None) -> None:
        """Record a skipped folder or file, named like ``refuse`` does."""
        self.skipped.append((Skipped(path, reason), *_placed(path, base, rel)))


def _placed(path: Path, base: Path | None, rel: str | None) -> tuple[Path, str]:
    if base is None or not rel:  # a root itself: named by its own name, like a file named on the command line
        return Path(os.path.realpath(path.parent)), path.name
    return base, rel


def discover(
    specs: Iterable[str | os.PathLike[str]],
    *,
    follow_symlinks: bool = False,
    kinds: Collection[str] | None = None,
    max_depth: int = MAX_DEPTH,
    max_entries: int = MAX_ENTRIES,
) -> Discovery:
    """Every input file under ``specs`` (folders, files, quoted glob patterns, http(s) URLs), named and vetted.

    Args:
        specs: as typed on the command line; a glob pattern is expanded here, not by the shell.
        follow_symlinks: follow symbolic links whose target is outside the input root (regular files only still).
        kinds: readers whose files a folder walk takes (default: every reader); others are counted as ignored.
        max_depth: folders deeper than this below a root are skipped.
        max_entries: the walk stops (and says so in ``skipped``) after looking at this many directory entries.

    Returns:
        A Discovery; ``found`` is sorted by name and holds each real file once.

    Raises:
        UsageError: a spec names nothing (no such path, or a pattern that matches nothing).
    """
    state = _State(follow_symlinks, frozenset(READERS if kinds is None else kinds), max_depth, max_entries)
    for spec in specs:
        text = os.fspath(spec)
        if _URL.match(text):
            state.urls.setdefault(text, Found(path=None, name=_url_name(text), kind="url", root=None, url=text))
        elif glob.has_magic(text):
            base, matches = _expand(text, state)
            if not matches:
                raise UsageError(f"{text}: no file or folder matches")
            for match in matches:
                _take_root(match, state, explicit=False, within=base)
        else:
            path = Path(text)
            if not os.path.exists(path):
                dangling = " (a symbolic link whose target is missing)" if os.path.lexists(path) else ""
                raise UsageError(f"{text}: no such file or directory{dangling}")
            _take_root(path, state, explicit=True, within=None)
    return _finish(state)


def enough_letters(text: str, *, min_letters: int = MIN_LETTERS, min_share: float = MIN_LETTER_SHARE) -> bool:
    """True when ``text`` has at least ``min_letters`` letters making up ``min_share`` of its non-space characters."""
    return letters_problem(text, min_letters=min_letters, min_share=min_share) is None


def letters_problem(text: str, *, min_letters: int = MIN_LETTERS, min_share: float = MIN_LETTER_SHARE) -> str | None:
    """Why ``text`` is not prose (too few letters, mostly digits or punctuation), or None when it may be."""
    visible = sum(1 for c in text if not c.isspace())
    letters = sum(1 for c in text if c.isalpha())
    if letters < min_letters:
        return f"only {letters} letters: not an article (punctuation, numbers or nearly empty)"
    if letters < min_share * visible:
        return f"only {letters / visible:.0%} of its characters are letters: a table, list or dump, not an article"
    return None


def _url_name(url: str) -> str:
    """The output name of a URL: host and path (and query), e.g. ``nos.nl/artikel/123``."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the host alone
        port = None
    host = (parts.hostname or "") + (f":{port}" if port else "")  # never user:password@
    return host + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _expand(pattern: str, state: _State) -> tuple[Path, list[Path]]:
    """The glob's fixed leading folder and its matches, sorted; ``**`` never follows folder links, so it ends."""
    parts = Path(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    base = Path(*parts[:fixed]) if fixed else Path(".")
    paths = [base]
    for i, part in enumerate(parts[fixed:], start=fixed):
        last = i == len(parts) - 1
        matched: list[Path] = []
        for folder in paths:
            if part == "**":
                matched += _descendants(folder, dirs_only=not last, state=state)
            elif glob.has_magic(part):
                hidden_ok = part.startswith(".")
                matched += [folder / n for n in _names(folder) if fnmatch.fnmatchcase(n, part) and (hidden_ok or n[0] != ".")]
            elif os.path.lexists(folder / part):
                matched.append(folder / part)
        paths = list(dict.fromkeys(matched))
    return base, sorted(p for p in paths if p != base or parts[-1] == "**")


def _names(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    except OSError:
        return []


def _descendants(folder: Path, *, dirs_only: bool, state: _State) -> list[Path]:
    """``folder`` and every non-hidden folder (and file, unless ``dirs_only``) below it; links to folders are left out."""
    if not os.path.isdir(folder):
        return []
    out = [folder]
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(top, d)))
        state.entries += len(dirs) + len(files)
        if state.entries > state.max_entries:
            state.skip(Path(top), f"stopped: more than {state.max_entries:,} entries under the inputs")
            state.stopped = True
            break
        out += [Path(top) / d for d in dirs]
        if not dirs_only:
            out += [Path(top) / f for f in sorted(files) if not f.startswith(".")]
    return out


def _take_root(path: Path, state: _State, *, explicit: bool, within: Path | None) -> None:
    """Vet one named input (a spec, or a glob match under ``within``) and walk it when it is a folder."""
    real = Path(os.path.realpath(path))
    problem = _pseudo(real)
    outside = within is not None and not _inside(real, Path(os.path.realpath(within)))  # through a link, any level
    if problem is None and outside and not state.follow_symlinks:
        problem = f"symbolic link to {real}, outside {within}; pass --follow-symlinks to read it"
    try:
        mode = os.stat(real).st_mode
    except OSError as exc:
        mode, problem = 0, problem or f"cannot read: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        if problem:
            state.skip(path, problem)
        else:
            _walk(path, real, state)
        return
    if problem is None and not stat.S_ISREG(mode):
        problem = _special(mode)
    kind = reader_for_path(path)
    if kind not in state.kinds:
        if not explicit:
            if problem is None:
                state.ignored.append(path)
            return
        kind = "text"  # named on the command line: read whatever it is as text
    if problem:
        state.refuse(path, problem)
        return
    base = Path(os.path.realpath(path.parent))  # the file's own name, not its link target's, names the outputs
    state.files.append((Found(path, path.name, kind, base, real), path.is_symlink(), base))


def _walk(shown: Path, real: Path, state: _State) -> None:
    """Depth-first, sorted walk of one input folder, applying the rules in the module docstring."""
    stack: list[_Frame] = []
    try:
        st = os.stat(real)
    except OSError as exc:
        state.skip(shown, f"cannot read folder: {exc.strerror or exc}")
        return
    stack.append((shown, real, (), ((st.st_dev, st.st_ino),), False))
    while stack:
        here, here_real, rel, ancestors, linked = stack.pop()
        try:
            with os.scandir(here_real) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            state.skip(here, f"cannot read folder: {exc.strerror or exc}", real, "/".join(rel))
            continue
        state.entries += len(entries)
        if state.entries > state.max_entries:
            if not state.stopped:
                state.skip(here, f"stopped: more than {state.max_entries:,} entries under the inputs", real, "/".join(rel))
            state.stopped = True
            return
        below = []
        for entry in entries:
            pushed = _entry(entry, here, real, rel, ancestors, linked, state)
            if pushed:
                below.append(pushed)
        stack.extend(reversed(below))  # popped in sorted order


def _entry(entry: os.DirEntry[str], here: Path, root: Path, rel: tuple[str, ...],
           ancestors: tuple[tuple[int, int], ...], linked: bool, state: _State) -> _Frame | None:
    """Classify one directory entry; returns the stack item for a folder to walk, else None."""
    shown, name = here / entry.name, entry.name
    named = "/".join(rel + (name,))
    is_link = entry.is_symlink()
    if name.startswith("."):
        state.skip(shown, "hidden (name starts with '.')", root, named)
        return None
    target = Path(os.path.realpath(entry.path)) if is_link else Path(entry.path)
    try:
        st = os.stat(entry.path)  # follows a link
    except OSError as exc:
        if reader_for_path(name) in state.kinds or not is_link:
            reason = "dangling symbolic link" if exc.errno == errno.ENOENT else f"cannot read: {exc.strerror or exc}"
            state.refuse(shown, f"{reason} (target {os.readlink(entry.path)})" if is_link else reason, root, named)
        return None
    problem = _pseudo(target)
    if problem is None and is_link and not state.follow_symlinks and not _inside(target, root):
        problem = f"symbolic link to {target}, outside the input folder {root}; pass --follow-symlinks to read it"
    if stat.S_ISDIR(st.st_mode):
        if problem:
            state.skip(shown, problem, root, named)
        elif (st.st_dev, st.st_ino) in ancestors:
            state.skip(shown, f"symbolic link loop (back to {target})", root, named)
        elif len(rel) + 1 > state.max_depth:
            state.skip(shown, f"more than {state.max_depth} folders deep", root, named)
        else:
            return (shown, target, rel + (name,), ancestors + ((st.st_dev, st.st_ino),), linked or is_link)
        return None
    if problem is None and not stat.S_ISREG(st.st_mode):
        problem = _special(st.st_mode)
    if problem:
        state.refuse(shown, problem, root, named)
        return None
    kind = reader_for_path(name)
    if kind not in state.kinds:
        state.ignored.append(shown)
        return None
    real = Path(os.path.realpath(entry.path))
    state.files.append((Found(shown, named, kind, root, real), linked or is_link, root))
    return None


def _finish(state: _State) -> Discovery:
    """Name everything relative to the common folder; keep each real file once (preferring a path without links)."""
    bases = [base for _, _, base in state.files] or [base for _, base, _ in state.refused]  # refusals never rename
    common = os.path.commonpath([str(b) for b in bases]) if bases else None

    def name(base: Path, rel: str) -> str:
        if common is None or not _inside(base, Path(common)):
            return str(base / rel)
        prefix = Path(os.path.relpath(base, common)).as_posix()
        return rel if prefix == "." else f"{prefix}/{rel}"

    kept: dict[Path | None, Found] = {}
    duplicates: list[Skipped] = []
    for linked, full, item in sorted(((linked, name(base, f.name), f) for f, linked, base in state.files),
                                     key=lambda t: (t[0], t[1])):
        first = kept.get(item.real)
        if first is None:
            kept[item.real] = Found(item.path, full, item.kind, item.root, item.real)
        elif first.name != full:
            duplicates.append(Skipped(item.path or Path(full), f"same file as {first.name}", full))
    taken = {os.path.abspath(f.path) for f in kept.values() if f.path}
    refused = {Refused(r.path, r.reason, name(base, rel)) for r, base, rel in state.refused
               if os.path.abspath(r.path) not in taken}  # also named on the command line: read
    skipped = {Skipped(s.path, s.reason, name(base, rel)) for s, base, rel in state.skipped} | set(duplicates)
    return Discovery(
        found=sorted([*kept.values(), *state.urls.values()], key=lambda f: f.name),
        refused=sorted(refused, key=lambda r: (r.name, str(r.path))),
        skipped=sorted(skipped, key=lambda s: (s.name, str(s.path))),
        ignored=sorted(set(state.ignored)),
    )


def _inside(path: Path, root: Path) -> bool:
    """True when resolved ``path`` is ``root`` or below it."""
    return os.path.commonpath([str(path), str(root)]) == str(root)


def _pseudo(real: Path) -> str | None:
    """Why a resolved path is never an article: kernel and device trees."""
    for top in _PSEUDO:
        if str(real) == top or str(real).startswith(top + "/"):
            return f"{real} is under {top}: kernel and device files are never read"
    return None


def _special(mode: int) -> str:
    """The refusal for a file that is not a regular file."""
    what = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"{what}, not a regular file"
