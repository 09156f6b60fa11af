"""Output writers: one registry of formats, each turning an article record into file text."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["WRITERS", "get_writer"]

Record = dict[str, Any]


def _markdown(record: Record, lang: str) -> str:
    meta = record["meta"]
    title = (meta.get("title") or {}).get(lang) or record["source"]["name"]
    label = {"en": ("Summary", "Date", "Source"), "nl": ("Samenvatting", "Datum", "Bron")}[lang]
    lines = [f"# {title}", ""]
    details = [f"{label[2]}: `{record['source']['name']}`"]
    if meta.get("date"):
        details.insert(0, f"{label[1]}: {meta['date']}")
    lines += [" · ".join(details), "", f"## {label[0]}", ""]
    lines += [pair[lang] for pair in record["summary"]]  # one sentence a line, aligned across languages
    lines += ["", f"<sub>{record['signature']}</sub>", ""]
    return "\n".join(lines)


def _json(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


WRITERS: dict[str, Callable[[Record], str]] = {
    "en.md": lambda r: _markdown(r, "en"),
    "nl.md": lambda r: _markdown(r, "nl"),
    "json": _json,  # written last: its presence means the article's outputs are complete
}


def get_writer(suffix: str) -> Callable[[Record], str]:
    """The writer for an output suffix."""
    return WRITERS[suffix]
