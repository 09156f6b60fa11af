"""Pieces every HTML page shares: the stylesheet, the page shell, escaping, a meta line, marked spans."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from .record import Meta, Span

__all__ = ["page", "escape", "meta_line", "marked", "web_link"]

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


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML page."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


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
