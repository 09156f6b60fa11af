"""The archive index: ``index.html`` (searchable, offline, phone-sized, light or dark) and ``index.md`` over all of ``out/``.

Newest first by publication day, then by when each record was written; one section per day, a day's
stories before its articles. What this run wrote is marked new; an article whose input file is gone
is marked so (``summarize run --prune`` removes it). Every link is relative (``html_href``) or http(s).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .archive import ArticleEntry, StoryEntry
from .fsutil import atomic_write_text
from .html import escape, marked, page, web_link
from .markdown import code_span, escape_md, md_link
from .paths import html_href, index_paths, story_paths
from .record import Lang, SummaryPair, flags

__all__ = ["write_index", "index_html", "index_markdown", "Archive", "arrange", "article_anchor", "UNDATED"]

UNDATED = "undated"

_CSS = """
[hidden]{display:none!important}
.filters{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin:.8em 0;padding:.6em;background:var(--card);
border:1px solid var(--rule);border-radius:6px}
.filters input,.filters select{font:inherit;max-width:100%;color:var(--fg);background:var(--bg);border:1px solid var(--rule);
border-radius:4px;padding:.2em .4em}
.filters input[type=search]{flex:1 1 14em;min-width:0}.filters label{white-space:nowrap}
.item{border-top:1px solid var(--rule);padding:.3em 0 .6em}.item h3 .kind{color:var(--muted);font-weight:400}
.badge{display:inline-block;font-size:.7em;font-weight:600;border:1px solid;border-radius:4px;padding:0 .35em;
margin-left:.4em;vertical-align:middle}.badge.new{color:var(--badge)}.badge.gone{color:var(--warn)}
section.day{border-top:0}section.day>h2{border-bottom:2px solid var(--rule)}
"""

_SCRIPT = """(function(){
var $=function(id){return document.getElementById(id);};
var q=$('q'),from=$('from'),to=$('to'),source=$('source'),story=$('story'),fresh=$('new'),shown=$('shown');
var items=[].slice.call(document.querySelectorAll('.item')),days=[].slice.call(document.querySelectorAll('section.day'));
items.forEach(function(el){el.searchText=el.textContent.toLowerCase();});
function within(d,lo,hi){if(!lo&&!hi)return true;if(!d)return false;
return(!lo||d>=lo.slice(0,d.length))&&(!hi||d<=hi.slice(0,d.length));}
function apply(){
var words=q.value.toLowerCase().split(/\\s+/).filter(Boolean),n=0;
items.forEach(function(el){var ds=el.dataset;
var ok=words.every(function(w){return el.searchText.indexOf(w)>=0;})&&within(ds.day,from.value,to.value)
&&(!source.value||ds.source.indexOf('|'+source.value+'|')>=0)&&(!story.value||ds.story===story.value)
&&(!fresh.checked||ds.new==='1');
el.hidden=!ok;if(ok)n++;});
days.forEach(function(s){s.hidden=!s.querySelector('.item:not([hidden])');});
shown.textContent=n+' of '+items.length+' shown';}
[q,from,to,source,story,fresh].forEach(function(el){el.addEventListener('input',apply);el.addEventListener('change',apply);});
apply();})();"""


@dataclass(frozen=True)
class Archive:
    """Everything the index lists: articles and stories in display order, grouped by day, newest first."""

    days: list[tuple[str, list[StoryEntry], list[ArticleEntry]]]  # (day or UNDATED, stories, articles)
    story_of: dict[str, str]  # article name -> its story's id
    new_stories: frozenset[str]  # ids of stories with an article this run wrote
    articles: int
    stories: int

    def entries(self) -> Iterable[ArticleEntry]:
        """Every article, in display order."""
        return (a for _, _, articles in self.days for a in articles)

    @property
    def new(self) -> int:
        """Articles this run wrote."""
        return sum(1 for a in self.entries() if a.new)

    @property
    def gone(self) -> int:
        """Articles whose input file no longer exists."""
        return sum(1 for a in self.entries() if a.gone)


def arrange(articles: Iterable[ArticleEntry], stories: Iterable[StoryEntry]) -> Archive:
    """Articles and stories grouped by day, newest day first; in a day, the latest written first, then by name."""
    by_day: dict[str, tuple[list[StoryEntry], list[ArticleEntry]]] = {}
    story_of: dict[str, str] = {}
    n_articles = n_stories = 0
    new_names: set[str] = set()
    for article in articles:
        by_day.setdefault(article.day or UNDATED, ([], []))[1].append(article)
        n_articles += 1
        if article.new:
            new_names.add(article.name)
    new_stories = set()
    for story in stories:
        by_day.setdefault(story.day or UNDATED, ([], []))[0].append(story)
        n_stories += 1
        story_of.update(dict.fromkeys(story.members, story.id))
        if new_names.intersection(story.members):
            new_stories.add(story.id)
    order = sorted(by_day, key=lambda d: (d != UNDATED, d), reverse=True)
    days = []
    for day in order:
        day_stories, day_articles = by_day[day]
        day_articles.sort(key=lambda a: a.name)
        day_articles.sort(key=lambda a: a.written_ns, reverse=True)  # stable: ties stay in name order
        days.append((day, sorted(day_stories, key=lambda s: s.id), day_articles))
    return Archive(days, story_of, frozenset(new_stories), n_articles, n_stories)


def write_index(out_dir: Path, articles: Iterable[ArticleEntry], stories: Iterable[StoryEntry]) -> Archive:
    """``index.html`` and ``index.md`` over every article and story in ``out/``; returns what they list."""
    archive = arrange(articles, stories)
    index = index_paths(out_dir)
    atomic_write_text(index["html"], index_html(archive, _linker(index["html"], out_dir)))
    atomic_write_text(index["md"], index_markdown(archive, _linker(index["md"], out_dir)))
    return archive


@dataclass(frozen=True)
class _Links:
    """Relative hrefs from one index file to the pages it links."""

    page: Callable[[ArticleEntry], str]  # an article's translation page
    story: Callable[[str, str], str]  # a story's file by id and suffix
    sentence: dict[str, str]  # article name -> its translation page, for story citations

    def story_cites(self, story: StoryEntry) -> dict[int, str]:
        """Story sentence -> the href of the article sentence it came from (for the articles the index links)."""
        return {i: f"{self.sentence[name]}#s{k}" for i, (name, k) in story.cited.items() if name in self.sentence}


def _article_cites(article: ArticleEntry, href: str) -> dict[int, str]:
    """Cited sentence index -> its row on the article's translation page ``href``."""
    return {i: f"{href}#s{i}" for p in article.summary for i in p.get("sources", [])}


def _linker(index_file: Path, out_dir: Path) -> Callable[[Archive], _Links]:
    def links(archive: Archive) -> _Links:
        pages = {a.name: html_href(index_file, a.page) for a in archive.entries()}
        return _Links(page=lambda a: pages[a.name],
                      story=lambda sid, suffix: html_href(index_file, story_paths(out_dir, sid)[suffix]),
                      sentence=pages)
    return links


def index_html(archive: Archive, linker: Callable[[Archive], _Links]) -> str:
    """One self-contained page: a search box and filters, then every day's stories and articles, EN and NL side by side."""
    links = linker(archive)
    n_flags = sum(len(flags(p, "en")) for a in archive.entries() for p in a.summary)
    gone = (f' {archive.gone} <span class="badge gone">input gone</span>: their input file no longer exists '
            '(<code>summarize run --prune</code> removes their outputs).' if archive.gone else "")
    note = (f'<p class="note">{archive.articles} articles ({archive.new} <span class="badge new">new</span> in this run), '
            f'{archive.stories} stories, newest first.{gone} <mark>Marked</mark> numbers, dates, times and names '
            f'({n_flags} in English) were found nowhere in the article; [n] links to the supporting source sentence.</p>')
    body = ["<h1>Summaries</h1>", note, _filters(archive)]
    for day, stories, articles in archive.days:
        label = "Undated" if day == UNDATED else day
        body.append(f'<section class="day" data-day="{escape("" if day == UNDATED else day)}"><h2>{escape(label)}</h2>')
        body += [_story_html(s, archive, links) for s in stories]
        body += [_article_html(a, archive, links) for a in articles]
        body.append("</section>")
    if not archive.days:
        body.append('<p class="note">No articles yet.</p>')
    return page("Summaries", "\n".join(body), css=_CSS, script=_SCRIPT)


def _filters(archive: Archive) -> str:
    sources = sorted({a.source for a in archive.entries() if a.source})
    stories = [s for _, day_stories, _ in archive.days for s in day_stories]
    source_options = "".join(f'<option value="{escape(s)}">{escape(s)}</option>' for s in sources)
    story_options = "".join(f'<option value="{escape(s.id)}">{escape(_short(s.title("en")))}</option>' for s in stories)
    return ('<form class="filters" role="search" onsubmit="return false">'
            '<input type="search" id="q" placeholder="Search titles and summaries" aria-label="Search">'
            '<label>From <input type="date" id="from"></label><label>To <input type="date" id="to"></label>'
            f'<select id="source" aria-label="Source"><option value="">All sources</option>{source_options}</select>'
            f'<select id="story" aria-label="Story"><option value="">All stories</option>{story_options}</select>'
            '<label><input type="checkbox" id="new"> New only</label><span id="shown" class="note"></span></form>')


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def article_anchor(name: str) -> str:
    """The id of an article's entry in index.html (names may hold any character; ids should not)."""
    return "a-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _badges(new: bool, gone: bool = False) -> str:
    return ((' <span class="badge new">new</span>' if new else "")
            + (' <span class="badge gone" title="the input file no longer exists">input gone</span>' if gone else ""))


def _data(day: str | None, sources: Iterable[str], story: str, new: bool) -> str:
    joined = "|" + "|".join(sources) + "|"
    return (f'data-day="{escape(day or "")}" data-source="{escape(joined)}" data-story="{escape(story)}" '
            f'data-new="{1 if new else 0}"')


def _story_html(story: StoryEntry, archive: Archive, links: _Links) -> str:
    new = story.id in archive.new_stories
    members = ", ".join(f'<a href="#{article_anchor(n)}">{escape(n)}</a>' for n in story.members)
    cite = links.story_cites(story)
    return (f'<article class="item story" id="{escape(story.id)}" {_data(story.day, story.sources, story.id, new)}>'
            f'<h3><span class="kind">Story:</span> {escape(story.title("en"))}{_badges(new)}</h3>'
            f'<p class="meta">{escape(story.title("nl"))}<br>{len(story.members)} articles: {members} · '
            f'<a href="{escape(links.story(story.id, "en.md"))}">digest (EN)</a> · '
            f'<a href="{escape(links.story(story.id, "nl.md"))}">samenvatting (NL)</a> · {story.shared} shared sentences '
            f'summarized once, {story.translations_saved} translated once</p>'
            f"{_pairs_html(story.summary, cite)}</article>")


def _article_html(article: ArticleEntry, archive: Archive, links: _Links) -> str:
    href = links.page(article)
    original = web_link(article.url)
    extra = f' · <a href="{escape(original)}" rel="noreferrer">original</a>' if original else ""
    story = archive.story_of.get(article.name, "")
    if story:
        extra += f' · <a href="#{escape(story)}">story</a>'
    cite = _article_cites(article, href)
    return (f'<article class="item article" id="{article_anchor(article.name)}" '
            f'{_data(article.day, [article.source] if article.source else [], story, article.new)}>'
            f'<h3>{escape(article.title("en"))}{_badges(article.new, article.gone)}</h3>'
            f'<p class="meta">{escape(article.title("nl"))}<br>{escape(article.line)} · '
            f'<a href="{escape(href)}">full translation, sentence by sentence</a>{extra}</p>'
            f"{_pairs_html(article.summary, cite)}</article>")


def _pairs_html(pairs: Sequence[SummaryPair], cite: dict[int, str]) -> str:
    cells = ['<div class="h">English</div><div class="h">Nederlands</div>']
    for pair in pairs:
        refs = "".join(f'<a class="src" href="{escape(cite[i])}">[{i}]</a>' if i in cite else f'<span class="src">[{i}]</span>'
                       for i in pair.get("sources", []))
        loop = ' <mark class="loop">loop</mark>' if pair.get("loop") else ""
        cells.append(f'<div class="en" lang="en">{marked(pair["en"], flags(pair, "en"))}{refs}{loop}</div>')
        cells.append(f'<div class="nl" lang="nl">{marked(pair["nl"], flags(pair, "nl"))}</div>')
    if not pairs:
        cells.append('<div class="note">no summary</div><div></div>')
    return f'<div class="pair">{"".join(cells)}</div>'


def index_markdown(archive: Archive, linker: Callable[[Archive], _Links]) -> str:
    """The index for terminals and Markdown viewers: the same days, stories and articles, with real links."""
    links = linker(archive)
    lines = ["# Summaries", "", f"{archive.articles} articles ({archive.new} new in this run), {archive.stories} stories, "
             "newest first." + (f" {archive.gone} marked *input gone*: their input file no longer exists (`summarize run --prune` "
                                "removes them)." if archive.gone else ""), ""]
    for day, stories, articles in archive.days:
        lines += [f"## {escape_md('Undated' if day == UNDATED else day)}", ""]
        for story in stories:
            new = story.id in archive.new_stories
            lines += [f"### Story: {escape_md(story.title('en'))}", ""]
            lines += [" · ".join([*(["**new**"] if new else []), f"{len(story.members)} articles",
                                  md_link("English digest", links.story(story.id, "en.md")),
                                  md_link("Nederlandse samenvatting", links.story(story.id, "nl.md"))]), ""]
            cite = links.story_cites(story)
            lines += [f"- {_md_sentence(p, 'en', cite)}" for p in story.summary] + [""]
        for article in articles:
            href = links.page(article)
            original = web_link(article.url)
            bits = [*(["**new**"] if article.new else []), *(["*input gone*"] if article.gone else []),
                    escape_md(article.line), md_link("full translation", href),
                    *([md_link("original", original)] if original else [])]
            lines += [f"### {escape_md(article.title('en'))}", "", " · ".join(bits), ""]
            cite = _article_cites(article, href)
            for pair in article.summary:
                lines += [f"- EN: {_md_sentence(pair, 'en', cite)}", f"  NL: {_md_sentence(pair, 'nl', {})}"]
            lines.append("")
    return "\n".join(lines)


def _md_sentence(pair: SummaryPair, lang: Lang, cite: dict[int, str]) -> str:
    text = escape_md(pair[lang])
    refs = "".join(md_link(f"[{i}]", cite[i]) if i in cite else escape_md(f"[{i}]") for i in pair.get("sources", []) if cite)
    flagged = flags(pair, lang)
    return (text + (f" {refs}" if refs else "")
            + (" ⚠ " + ", ".join(code_span(s["text"]) for s in flagged) if flagged else "")
            + (" ⚠ loop" if pair.get("loop") else ""))
