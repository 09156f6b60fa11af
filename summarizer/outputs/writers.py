"""Output writers: one registry of per-article formats, each turning an article record into file text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .html import escape, meta_line, page, web_link
from .markdown import code_span, escape_md
from .record import ArticleRecord, Lang, SummaryPair, display_title, flags

__all__ = ["WRITERS", "get_writer", "translation_html"]


def _markdown(record: ArticleRecord, lang: Lang) -> str:
    meta = record["meta"]
    label = {"en": ("Summary", "Date", "Source"), "nl": ("Samenvatting", "Datum", "Bron")}[lang]
    lines = [f"# {escape_md(display_title(record, lang))}", ""]
    details = [f"{label[2]}: {code_span(record['source']['name'])}"]
    if meta.get("source"):
        details.append(escape_md(meta["source"] or ""))
    when = meta.get("published") or meta.get("date")
    if when:
        details.insert(0, f"{label[1]}: {escape_md(when)}" + (f" {escape_md(meta['time'] or '')}" if meta.get("time") else ""))
    link = web_link(meta.get("url"))
    if link:
        details.append(f"<{link}>")
    lines += [" · ".join(details), "", f"## {label[0]}", ""]
    lines += [_sentence(pair, lang) for pair in record["summary"]]  # one sentence a line, aligned across languages
    if any(flags(pair, lang) for pair in record["summary"]):
        lines += ["", _LEGEND[lang]]
    lines += ["", f"<sub>{record['signature']}</sub>", ""]
    return "\n".join(lines)


_LEGEND = {
    "en": "⚠ marks numbers, dates, times or names found nowhere in the article; [n] are the supporting source sentences.",
    "nl": "⚠ markeert getallen, data, tijden of namen die nergens in het artikel staan; [n] zijn de bronzinnen.",
}


def _sentence(pair: SummaryPair, lang: Lang) -> str:
    """The sentence, then its supporting source sentences and any unsupported spans (the sentence itself unchanged)."""
    text = escape_md(pair[lang])
    if pair.get("sources"):
        text += " " + "".join(f"[{i}]" for i in pair["sources"])
    flagged = flags(pair, lang)
    if flagged:
        text += " ⚠ " + ", ".join(code_span(s["text"]) for s in flagged)
    if pair.get("loop"):
        text += " ⚠ loop"
    return text


def translation_html(record: ArticleRecord) -> str:
    """Every source sentence with its translation, section breaks and dropped lines included."""
    sections = {s["paragraph"]: s for s in record["meta"].get("sections") or []}
    rows, last = [], None
    for i, t in enumerate(record["translation"]):
        if t["paragraph"] != last and t["paragraph"] in sections:
            s = sections[t["paragraph"]]
            rows.append(f'<tr><td></td><td><b>{escape(s["nl"])}</b></td><td><b>{escape(s.get("en") or "")}</b></td></tr>')
        last = t["paragraph"]
        loop = ' <mark class="loop">loop</mark>' if t.get("loop") else ""
        rows.append(f'<tr id="s{i}"><td class="i">{i}</td><td>{escape(t["nl"])}</td><td>{escape(t["en"])}{loop}</td></tr>')
    dropped = "".join(f"<li>{escape(d['text'])} <span class='note'>({escape(d['reason'])})</span></li>" for d in record.get("dropped", []))
    body = [f"<h1>{escape(display_title(record, 'nl'))}</h1>",
            f'<p class="meta">{escape(meta_line(record["meta"], record["source"]["name"]))} · '
            f'<a href="{escape(_index_link(record))}">index</a></p>',
            "<table>", *rows, "</table>"]
    if dropped:
        body += ["<h2>Left out of the story</h2>", f"<ul>{dropped}</ul>"]
    return page(display_title(record, "en"), "\n".join(body))


def _index_link(record: ArticleRecord) -> str:
    depth = len(Path(record["source"]["name"]).parts) - 1
    return "../" * depth + "index.html"


def _json(record: ArticleRecord) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


WRITERS: dict[str, Callable[[ArticleRecord], str]] = {
    "en.md": lambda r: _markdown(r, "en"),
    "nl.md": lambda r: _markdown(r, "nl"),
    "translation.html": translation_html,
    "json": _json,  # written last: its presence means the article's outputs are complete
}


def get_writer(suffix: str) -> Callable[[ArticleRecord], str]:
    """The writer for an output suffix."""
    return WRITERS[suffix]
