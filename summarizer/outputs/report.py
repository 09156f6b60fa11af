"""Story digests: ``out/stories/<id>.{en.md,nl.md,json}`` (the archive index is summarizer.outputs.index)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .fsutil import atomic_write_text
from .html import web_link
from .markdown import code_span, escape_md, md_link
from .paths import story_paths
from .record import Lang, StoryRecord, fallback_title, flags, title_text

__all__ = ["write_stories", "story_markdown"]


def write_stories(out_dir: Path, stories: Sequence[StoryRecord]) -> None:
    """``stories/<id>.en.md``, ``.nl.md`` and ``.json`` for each story, in the namespace no input name reaches."""
    for story in stories:
        files = story_paths(out_dir, story["id"])
        atomic_write_text(files["en.md"], story_markdown(story, "en"))
        atomic_write_text(files["nl.md"], story_markdown(story, "nl"))
        atomic_write_text(files["json"], json.dumps(story, ensure_ascii=False, indent=2) + "\n")


def story_markdown(story: StoryRecord, lang: Lang) -> str:
    """A story digest for a terminal: sources, digest with provenance and flags, what each article adds."""
    en = lang == "en"
    lines = [f"# {'Story' if en else 'Verhaal'}: {escape_md(_story_title(story, lang))}", ""]
    lines += [f"## {'Sources' if en else 'Bronnen'}", ""]
    for a in story["articles"]:
        title = title_text(a.get("title"), lang) or ""
        link = web_link(a.get("url"))
        bits = [code_span(a["name"]), escape_md(a.get("date") or ""), escape_md(a.get("source") or ""), escape_md(title),
                md_link("original" if en else "origineel", link) if link else ""]
        lines.append("- " + " · ".join(b for b in bits if b))
    lines += ["", f"## {'Digest' if en else 'Samenvatting'}", ""]
    for pair in story["summary"]:
        flagged = flags(pair, lang)
        cites = "".join(f"[{i}]" for i in pair.get("sources", []))
        warn = " ⚠ " + ", ".join(code_span(s["text"]) for s in flagged) if flagged else ""
        lines.append(escape_md(pair[lang]) + (f" {cites}" if cites else "") + warn)
    lines += ["", f"## {'What each article adds' if en else 'Wat elk artikel toevoegt'}", ""]
    for a in story["articles"]:
        adds = a["adds"]
        lines.append(f"- {code_span(a['name'])}: {len(adds)} {'sentences no other article has' if en else 'zinnen die geen ander artikel heeft'}")
        lines += [f"  - \\[{k}\\] {escape_md(story['sentences'][k][lang])}" for k in adds[:3]]
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


def _story_title(story: StoryRecord, lang: Lang) -> str:
    """The first member's headline; without one, the story's first sentence shortened, then the first member's name."""
    titles = [t for a in story["articles"] if (t := title_text(a.get("title"), lang))]
    return titles[0] if titles else fallback_title(s[lang] for s in story["sentences"]) or story["articles"][0]["name"]
