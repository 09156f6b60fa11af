"""Output writers: one registry of formats, each turning an article record into file text."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..inputs.structure import fallback_title

__all__ = ["WRITERS", "get_writer"]

Record = dict[str, Any]


def _markdown(record: Record, lang: str) -> str:
    meta = record["meta"]
    first_sentence = fallback_title(t[lang] for t in record.get("translation", []))  # shown only: meta.title stays null
    title = (meta.get("title") or {}).get(lang) or first_sentence or record["source"]["name"]
    label = {"en": ("Summary", "Date", "Source"), "nl": ("Samenvatting", "Datum", "Bron")}[lang]
    lines = [f"# {title}", ""]
    details = [f"{label[2]}: `{record['source']['name']}`"]
    if meta.get("source"):
        details.append(meta["source"])
    if meta.get("published") or meta.get("date"):
        details.insert(0, f"{label[1]}: {meta.get('published') or meta['date']}" + (f" {meta['time']}" if meta.get("time") else ""))
    lines += [" · ".join(details), "", f"## {label[0]}", ""]
    lines += [_sentence(pair, lang) for pair in record["summary"]]  # one sentence a line, aligned across languages
    if any(pair.get("unsupported" if lang == "en" else "unsupported_nl") for pair in record["summary"]):
        lines += ["", _LEGEND[lang]]
    lines += ["", f"<sub>{record['signature']}</sub>", ""]
    return "\n".join(lines)


_LEGEND = {
    "en": "⚠ marks numbers, dates, times or names found nowhere in the article; [n] are the supporting source sentences.",
    "nl": "⚠ markeert getallen, data, tijden of namen die nergens in het artikel staan; [n] zijn de bronzinnen.",
}


def _sentence(pair: dict[str, Any], lang: str) -> str:
    """The sentence, then its supporting source sentences and any unsupported spans (the sentence itself unchanged)."""
    text = pair[lang]
    if pair.get("sources"):
        text += " " + "".join(f"[{i}]" for i in pair["sources"])
    flagged = pair.get("unsupported" if lang == "en" else "unsupported_nl") or []
    if flagged:
        text += " ⚠ " + ", ".join(f"`{s['text']}`" for s in flagged)
    if pair.get("loop"):
        text += " ⚠ loop"
    return text


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
