"""The reader's report: story digests, `index.html` (self-contained, EN/NL side by side), `index.md`, translation pages."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

from ..inputs.structure import fallback_title
from .fsutil import atomic_write_text

__all__ = ["write_stories", "write_index", "story_markdown", "index_markdown", "index_html", "translation_html"]

Record = dict[str, Any]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#222;background:#fff}
h1{font-size:1.6em}h2{font-size:1.2em;margin:1.6em 0 .2em}.meta{color:#666;font-size:.9em}
.pair{display:grid;overflow-wrap:anywhere;grid-template-columns:1fr 1fr;gap:.3em 1.5em;margin:.6em 0}
.pair .h{font-weight:600;color:#555;border-bottom:1px solid #ddd}
mark{background:#ffd54f;padding:0 .1em}mark.loop{background:#ef9a9a}
.src{color:#1565c0;font-size:.75em;vertical-align:super}
section{border-top:2px solid #eee;margin-top:1em}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #eee;padding:.3em;vertical-align:top}
td.i{color:#888;width:3em}.note{color:#777;font-size:.85em}
"""


def write_stories(directory: Path, stories: list[Record]) -> None:
    """``<id>.en.md``, ``<id>.nl.md`` and ``<id>.json`` for each story."""
    for story in stories:
        base = directory / story["id"]
        atomic_write_text(base.with_name(f"{story['id']}.en.md"), story_markdown(story, "en"))
        atomic_write_text(base.with_name(f"{story['id']}.nl.md"), story_markdown(story, "nl"))
        atomic_write_text(base.with_name(f"{story['id']}.json"), json.dumps(story, ensure_ascii=False, indent=2) + "\n")


def write_index(out_dir: Path, articles: list[tuple[Record, Path]], stories: list[Record]) -> None:
    """``index.html``, ``index.md`` and a ``<stem>.translation.html`` beside each article's json."""
    entries = []
    for record, json_path in articles:
        page = json_path.with_name(json_path.name[: -len(".json")] + ".translation.html")
        atomic_write_text(page, translation_html(record))
        entries.append((record, os.path.relpath(page, out_dir)))
    atomic_write_text(out_dir / "index.html", index_html(entries, stories))
    atomic_write_text(out_dir / "index.md", index_markdown(entries, stories))


def story_markdown(story: Record, lang: str) -> str:
    """A story digest for a terminal: sources, digest with provenance and flags, what each article adds."""
    en = lang == "en"
    lines = [f"# {'Story' if en else 'Verhaal'}: {_story_title(story, lang)}", ""]
    lines += [f"## {'Sources' if en else 'Bronnen'}", ""]
    for a in story["articles"]:
        title = (a.get("title") or {}).get(lang) or ""
        bits = [f"`{a['name']}`", a.get("date") or "", a.get("source") or "", title]
        lines.append("- " + " · ".join(b for b in bits if b))
    lines += ["", f"## {'Digest' if en else 'Samenvatting'}", ""]
    for pair in story["summary"]:
        flagged = pair.get("unsupported" if en else "unsupported_nl") or []
        cites = "".join(f"[{i}]" for i in pair.get("sources", []))
        lines.append(pair[lang] + (f" {cites}" if cites else "") + (" ⚠ " + ", ".join(f"`{s['text']}`" for s in flagged) if flagged else ""))
    lines += ["", f"## {'What each article adds' if en else 'Wat elk artikel toevoegt'}", ""]
    for a in story["articles"]:
        adds = a["adds"]
        lines.append(f"- `{a['name']}`: {len(adds)} {'sentences no other article has' if en else 'zinnen die geen ander artikel heeft'}")
        lines += [f"  - [{k}] {story['sentences'][k][lang]}" for k in adds[:3]]
        if len(adds) > 3:
            lines.append(f"  - … (+{len(adds) - 3})")
    note = (
        f"{len(story['shared'])} shared sentences ({story['shared_paragraphs']} whole paragraphs) were summarized once; "
        f"{story['translations_saved']} identical sentences were translated once."
        if en else
        f"{len(story['shared'])} gedeelde zinnen ({story['shared_paragraphs']} hele alinea's) werden één keer samengevat; "
        f"{story['translations_saved']} identieke zinnen werden één keer vertaald."
    )
    return "\n".join(lines + ["", note, ""])


def index_markdown(entries: list[tuple[Record, str]], stories: list[Record]) -> str:
    """The index for terminals: stories, then articles, English and Dutch summaries."""
    lines = ["# Summaries", ""]
    if stories:
        lines += ["## Stories", ""]
        for story in stories:
            lines += [f"### {_story_title(story, 'en')}", "", f"stories/{story['id']}.en.md · stories/{story['id']}.nl.md", ""]
            lines += [f"- {p['en']}" + _md_flags(p, "en") for p in story["summary"]] + [""]
    lines += ["## Articles", ""]
    for record, page in entries:
        lines += [f"### {_title(record, 'en')}", "", f"{_meta_line(record)} · full translation: {page}", ""]
        for pair in record["summary"]:
            lines += [f"- EN: {pair['en']}" + _md_flags(pair, "en"), f"  NL: {pair['nl']}" + _md_flags(pair, "nl")]
        lines.append("")
    return "\n".join(lines)


def index_html(entries: list[tuple[Record, str]], stories: list[Record]) -> str:
    """One self-contained page: stories and articles, English and Dutch side by side, unsupported spans marked."""
    body = ["<h1>Summaries</h1>"]
    n_flags = sum(len(p.get("unsupported", [])) for r, _ in entries for p in r["summary"])
    body.append(f'<p class="note">{len(entries)} articles, {len(stories)} stories. '
                f'<mark>Marked</mark> numbers, dates, times and names ({n_flags} in English) were found nowhere in the article; '
                'superscripts are the supporting source sentences.</p>')
    if stories:
        body.append("<h2>Stories</h2>")
    for story in stories:
        body.append(f'<section class="story" id="{_e(story["id"])}"><h2>{_e(_story_title(story, "en"))}</h2>')
        names = ", ".join(f"{_e(a['name'])} ({_e(a.get('source') or '?')}, {_e(a.get('date') or '?')})" for a in story["articles"])
        body.append(f'<p class="meta">Sources: {names}. {len(story["shared"])} shared sentences summarized once; '
                    f'{story["translations_saved"]} identical sentences translated once.</p>')
        body.append(_pairs_html(story["summary"], [s["en"] for s in story["sentences"]]))
        body.append("</section>")
    body.append("<h2>Articles</h2>")
    for record, page in entries:
        body.append(f'<section class="article"><h2>{_e(_title(record, "en"))}</h2>')
        body.append(f'<p class="meta">{_e(_title(record, "nl"))}<br>{_e(_meta_line(record))} · '
                    f'<a href="{_e(page)}">full translation, sentence by sentence</a></p>')
        body.append(_pairs_html(record["summary"], [t["en"] for t in record["translation"]]))
        body.append("</section>")
    return _page("Summaries", "\n".join(body))


def translation_html(record: Record) -> str:
    """Every source sentence with its translation, section breaks and dropped lines included."""
    sections = {s["paragraph"]: s for s in record["meta"].get("sections") or []}
    rows, last = [], None
    for i, t in enumerate(record["translation"]):
        if t["paragraph"] != last and t["paragraph"] in sections:
            s = sections[t["paragraph"]]
            rows.append(f'<tr><td></td><td><b>{_e(s["nl"])}</b></td><td><b>{_e(s.get("en") or "")}</b></td></tr>')
        last = t["paragraph"]
        loop = ' <mark class="loop">loop</mark>' if t.get("loop") else ""
        rows.append(f'<tr id="s{i}"><td class="i">{i}</td><td>{_e(t["nl"])}</td><td>{_e(t["en"])}{loop}</td></tr>')
    dropped = "".join(f"<li>{_e(d['text'])} <span class='note'>({_e(d['reason'])})</span></li>" for d in record.get("dropped", []))
    body = [f"<h1>{_e(_title(record, 'nl'))}</h1>", f'<p class="meta">{_e(_meta_line(record))} · <a href="{_e(_index_link(record))}">index</a></p>',
            "<table>", *rows, "</table>"]
    if dropped:
        body += ["<h2>Left out of the story</h2>", f"<ul>{dropped}</ul>"]
    return _page(_title(record, "en"), "\n".join(body))


def _pairs_html(pairs: list[Record], sources: list[str]) -> str:
    cells = ['<div class="h">English</div><div class="h">Nederlands</div>']
    for pair in pairs:
        cites = "".join(
            f'<span class="src" title="{_e(sources[i]) if i < len(sources) else ""}">[{i}]</span>' for i in pair.get("sources", [])
        )
        loop = ' <mark class="loop">loop</mark>' if pair.get("loop") else ""
        cells.append(f'<div class="en">{_marked(pair["en"], pair.get("unsupported", []))}{cites}{loop}</div>')
        cells.append(f'<div class="nl">{_marked(pair["nl"], pair.get("unsupported_nl", []))}</div>')
    if not pairs:
        cells.append('<div class="note">no summary</div><div></div>')
    return f'<div class="pair">{"".join(cells)}</div>'


def _marked(text: str, spans: list[Record]) -> str:
    out, pos = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        if span["start"] < pos:
            continue
        out += [_e(text[pos:span["start"]]), f'<mark title="not found in the article">{_e(text[span["start"]:span["end"]])}</mark>']
        pos = span["end"]
    return "".join(out + [_e(text[pos:])])


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


def _md_flags(pair: Record, lang: str) -> str:
    flagged = pair.get("unsupported" if lang == "en" else "unsupported_nl") or []
    return (" ⚠ " + ", ".join(f"`{s['text']}`" for s in flagged)) if flagged else ""


def _title(record: Record, lang: str) -> str:
    """The headline; without one, the first sentence shortened (``meta.title`` stays null), then the file name."""
    headline = (record["meta"].get("title") or {}).get(lang)
    return headline or fallback_title(t[lang] for t in record.get("translation", [])) or record["source"]["name"]


def _story_title(story: Record, lang: str) -> str:
    """The first member's headline; without one, the story's first sentence shortened, then the first member's name."""
    titled = [a for a in story["articles"] if (a.get("title") or {}).get(lang)]
    if titled:
        return titled[0]["title"][lang]
    return fallback_title(s[lang] for s in story.get("sentences", [])) or story["articles"][0]["name"]


def _meta_line(record: Record) -> str:
    meta = record["meta"]
    when = " ".join(x for x in (meta.get("published") or meta.get("date"), meta.get("time")) if x)
    return " · ".join(x for x in (when, meta.get("source"), meta.get("byline"), record["source"]["name"]) if x)


def _index_link(record: Record) -> str:
    depth = len(Path(record["source"]["name"]).parts) - 1
    return "../" * depth + "index.html"


def _e(text: str) -> str:
    return html.escape(_CONTROL.sub("", str(text)), quote=True)  # control characters are not allowed in HTML
