"""Pieces every HTML page shares: the stylesheet, the page shell, escaping, a meta line, marked spans."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from .record import Meta, Span

__all__ = ["page", "escape", "meta_line", "marked", "web_link"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_CSS = """
:root{color-scheme:light dark;--fg:#222;--bg:#fff;--muted:#666;--rule:#e4e4e4;--link:#1565c0;--mark:#ffd54f;--loop:#ef9a9a;
--card:#fafafa;--badge:#2e7d32;--warn:#c62828}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#121212;--muted:#a0a0a0;--rule:#333;--link:#82b1ff;
--mark:#8d6e00;--loop:#8e2f2f;--card:#1c1c1c;--badge:#66bb6a;--warn:#ef5350}}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:var(--fg);background:var(--bg);
overflow-wrap:anywhere}
a{color:var(--link)}h1{font-size:1.6em}h2{font-size:1.25em;margin:1.6em 0 .2em}h3{font-size:1.1em;margin:.8em 0 .2em}
.meta{color:var(--muted);font-size:.9em}
.pair{display:grid;overflow-wrap:anywhere;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.3em 1.5em;margin:.6em 0}
.pair .h{font-weight:600;color:var(--muted);border-bottom:1px solid var(--rule)}
mark{background:var(--mark);color:inherit;padding:0 .1em}mark.loop{background:var(--loop)}
.src{color:var(--link);font-size:.75em;vertical-align:super;text-decoration:none}
section{border-top:2px solid var(--rule);margin-top:1em}
table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{border-top:1px solid var(--rule);padding:.3em;vertical-align:top;text-align:left}
th{color:var(--muted)}td.i,th.i{color:var(--muted);width:3em}.note{color:var(--muted);font-size:.85em}
tr:target{background:var(--mark)}
@media (max-width:600px){body{padding:.6em .8em}.pair{grid-template-columns:minmax(0,1fr)}.pair .h{display:none}
.pair .nl{color:var(--muted);margin-bottom:.5em}}
"""


def page(title: str, body: str, *, css: str = "", script: str = "") -> str:
    """A complete, self-contained HTML page: readable on a phone, light or dark as the reader prefers, no external assets."""
    tail = f"\n<script>{script}</script>" if script else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="color-scheme" content="light dark"><title>{escape(title)}</title>'
            f"<style>{_CSS}{css}</style></head>\n<body>\n{body}{tail}\n</body></html>\n")


def escape(text: object) -> str:
    """HTML-escaped text without control characters (which HTML does not allow)."""
    return html.escape(_CONTROL.sub("", str(text)), quote=True)


def meta_line(meta: Meta, name: str) -> str:
    """Date and time, agency, byline and input name, joined with ` · `."""
    when = " ".join(x for x in (meta.get("published") or meta.get("date"), meta.get("time")) if x)
    return " · ".join(x for x in (when, meta.get("source"), meta.get("byline"), name) if x)


def web_link(url: str | None) -> str | None:
    """``url`` if it is an http(s) address that can be linked as is, else None (never `javascript:` and the like)."""
    if not url or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    scheme, _, rest = url.partition("://")
    return url if scheme.lower() in ("http", "https") and rest else None


def marked(text: str, spans: Sequence[Span]) -> str:
    """Escaped text with each span wrapped in <mark> (overlapping spans are skipped)."""
    out, pos = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        if span["start"] < pos:
            continue
        out += [escape(text[pos:span["start"]]), f'<mark title="not found in the article">{escape(text[span["start"]:span["end"]])}</mark>']
        pos = span["end"]
    return "".join(out + [escape(text[pos:])])
