"""The reader's report: story digests, `index.html` (self-contained, EN/NL side by side) and `index.md`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from .fsutil import atomic_write_text
from .paths import html_href, index_paths, story_paths
from .html import escape, marked, meta_line, page, web_link
from .record import ArticleDigest, Lang, StoryRecord, SummaryPair, fallback_title, flags, title_text

__all__ = ["write_stories", "write_index", "story_markdown", "index_markdown", "index_html"]


def write_stories(out_dir: Path, stories: Sequence[StoryRecord]) -> None:
    """``stories/<id>.en.md``, ``.nl.md`` and ``.json`` for each story, in the namespace no input name reaches."""
    for story in stories:
        files = story_paths(out_dir, story["id"])
        atomic_write_text(files["en.md"], story_markdown(story, "en"))
        atomic_write_text(files["nl.md"], story_markdown(story, "nl"))
        atomic_write_text(files["json"], json.dumps(story, ensure_ascii=False, indent=2) + "\n")


def write_index(out_dir: Path, articles: Sequence[ArticleDigest], stories: Sequence[StoryRecord]) -> None:
    """``index.html`` and ``index.md`` over the written articles and stories."""
    index = index_paths(out_dir)
    entries = [(a, html_href(index["html"], _page_of(a))) for a in articles]
    atomic_write_text(index["html"], index_html(entries, stories))
    atomic_write_text(index["md"], index_markdown(entries, stories))


def _page_of(article: ArticleDigest) -> Path:
    """The article's translation page."""
    return article.json_path.with_name(article.json_path.name[: -len(".json")] + ".translation.html")


def story_markdown(story: StoryRecord, lang: Lang) -> str:
    """A story digest for a terminal: sources, digest with provenance and flags, what each article adds."""
    en = lang == "en"
    lines = [f"# {'Story' if en else 'Verhaal'}: {_story_title(story, lang)}", ""]
    lines += [f"## {'Sources' if en else 'Bronnen'}", ""]
    for a in story["articles"]:
        title = title_text(a.get("title"), lang) or ""
        bits = [f"`{a['name']}`", a.get("date") or "", a.get("source") or "", title]
        lines.append("- " + " · ".join(b for b in bits if b))
    lines += ["", f"## {'Digest' if en else 'Samenvatting'}", ""]
    for pair in story["summary"]:
        flagged = flags(pair, lang)
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


def index_markdown(entries: Sequence[tuple[ArticleDigest, str]], stories: Sequence[StoryRecord]) -> str:
    """The index for terminals: stories, then articles, English and Dutch summaries."""
    lines = ["# Summaries", ""]
    if stories:
        lines += ["## Stories", ""]
        for story in stories:
            lines += [f"### {_story_title(story, 'en')}", "", f"stories/{story['id']}.en.md · stories/{story['id']}.nl.md", ""]
            lines += [f"- {p['en']}" + _md_flags(p, "en") for p in story["summary"]] + [""]
    lines += ["## Articles", ""]
    for article, href in entries:
        lines += [f"### {_title(article, 'en')}", "", f"{meta_line(article.meta, article.name)} · full translation: {href}", ""]
        for pair in article.summary:
            lines += [f"- EN: {pair['en']}" + _md_flags(pair, "en"), f"  NL: {pair['nl']}" + _md_flags(pair, "nl")]
        lines.append("")
    return "\n".join(lines)


def index_html(entries: Sequence[tuple[ArticleDigest, str]], stories: Sequence[StoryRecord]) -> str:
    """One self-contained page: stories and articles, English and Dutch side by side, unsupported spans marked."""
    body = ["<h1>Summaries</h1>"]
    n_flags = sum(len(flags(p, "en")) for a, _ in entries for p in a.summary)
    body.append(f'<p class="note">{len(entries)} articles, {len(stories)} stories. '
                f'<mark>Marked</mark> numbers, dates, times and names ({n_flags} in English) were found nowhere in the article; '
                'superscripts are the supporting source sentences.</p>')
    if stories:
        body.append("<h2>Stories</h2>")
    for story in stories:
        body.append(f'<section class="story" id="{escape(story["id"])}"><h2>{escape(_story_title(story, "en"))}</h2>')
        names = ", ".join(f"{escape(a['name'])} ({escape(a.get('source') or '?')}, {escape(a.get('date') or '?')})" for a in story["articles"])
        body.append(f'<p class="meta">Sources: {names}. {len(story["shared"])} shared sentences summarized once; '
                    f'{story["translations_saved"]} identical sentences translated once.</p>')
        body.append(_pairs_html(story["summary"], dict(enumerate(s["en"] for s in story["sentences"]))))
        body.append("</section>")
    body.append("<h2>Articles</h2>")
    for article, href in entries:
        body.append(f'<section class="article"><h2>{escape(_title(article, "en"))}</h2>')
        original = web_link(article.meta.get("url"))
        source = f' · <a href="{escape(original)}" rel="noreferrer">original</a>' if original else ""
        body.append(f'<p class="meta">{escape(_title(article, "nl"))}<br>{escape(meta_line(article.meta, article.name))} · '
                    f'<a href="{escape(href)}">full translation, sentence by sentence</a>{source}</p>')
        body.append(_pairs_html(article.summary, article.sources_en))
        body.append("</section>")
    return page("Summaries", "\n".join(body))


def _pairs_html(pairs: Sequence[SummaryPair], sources: Mapping[int, str]) -> str:
    cells = ['<div class="h">English</div><div class="h">Nederlands</div>']
    for pair in pairs:
        cites = "".join(
            f'<span class="src" title="{escape(sources.get(i, ""))}">[{i}]</span>' for i in pair.get("sources", [])
        )
        loop = ' <mark class="loop">loop</mark>' if pair.get("loop") else ""
        cells.append(f'<div class="en">{marked(pair["en"], flags(pair, "en"))}{cites}{loop}</div>')
        cells.append(f'<div class="nl">{marked(pair["nl"], flags(pair, "nl"))}</div>')
    if not pairs:
        cells.append('<div class="note">no summary</div><div></div>')
    return f'<div class="pair">{"".join(cells)}</div>'


def _md_flags(pair: SummaryPair, lang: Lang) -> str:
    flagged = flags(pair, lang)
    return (" ⚠ " + ", ".join(f"`{s['text']}`" for s in flagged)) if flagged else ""


def _title(article: ArticleDigest, lang: Lang) -> str:
    return article.titles[lang]


def _story_title(story: StoryRecord, lang: Lang) -> str:
    """The first member's headline; without one, the story's first sentence shortened, then the first member's name."""
    titles = [t for a in story["articles"] if (t := title_text(a.get("title"), lang))]
    return titles[0] if titles else fallback_title(s[lang] for s in story["sentences"]) or story["articles"][0]["name"]
