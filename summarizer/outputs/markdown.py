"""Source text in Markdown: escaped so that a title, a name or a generated sentence cannot become markup or a link."""

from __future__ import annotations

import re

__all__ = ["escape_md", "code_span"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")  # markup anywhere in a line
_LINE_START = re.compile(r"^(\s*)([#+=>-]|\d+)([.)]?)")  # markup only at a line's start: headings, lists, quotes
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAK = re.compile(r"[\r\n\u2028\u2029]+")


def escape_md(text: str) -> str:
    """``text`` as literal Markdown inline text: punctuation that could start markup backslash-escaped, one line."""
    escaped = _SPECIAL.sub(r"\\\1", _CONTROL.sub("", _BREAK.sub(" ", text)))
    return _LINE_START.sub(_escape_start, escaped)


def _escape_start(match: re.Match[str]) -> str:
    space, marker, delimiter = match.groups()
    if marker.isdigit():  # "1." starts an ordered list: the delimiter is what to escape
        return f"{space}{marker}\\{delimiter}" if delimiter else match.group(0)
    return f"{space}\\{marker}{delimiter}"


def code_span(text: str) -> str:
    """``text`` as a Markdown code span, fenced with more backticks than it contains (a name with backticks stays whole)."""
    text = _CONTROL.sub("", _BREAK.sub(" ", text))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"
