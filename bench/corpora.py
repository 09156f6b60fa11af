"""Benchmark corpora: articles of distinct sentences made from the seeds' words, and a wire-copy variant that repeats some.

`distinct_corpus` writes new sentences, never a seed sentence: each sentence draws its length
(in words) from the seeds' sentence lengths and its words from the seeds' running text, so word
frequencies, and with them tokens per word, follow the seeds. Headlines draw their length from
the seeds' headlines and intertitles. No sentence or headline occurs twice in a corpus.
`wire_copy` makes the corpus that the pipeline's deduplication is for: the second article of
each pair opens with half of the first one's paragraphs, word for word, as papers that run the
same agency copy do.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Seeds", "Text", "read_seeds", "distinct_corpus", "wire_copy", "write_corpus", "corpus_stats"]

_WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")  # a word; hyphens and apostrophes only inside it
PARAGRAPH = 3  # sentences per paragraph
TOPIC_SHARE = 0.15  # share of the content vocabulary one article draws its content words from
TOPIC_TRIES = 20  # candidate topics per article; the one sharing least with earlier articles' topics wins


@dataclass(frozen=True)
class Seeds:
    """What the generator takes from the seed articles."""

    words: tuple[str, ...]  # the running text's words (repeats kept: sampling them follows word frequency)
    stop: frozenset[str]  # function words (the stories' stop list): every article uses them
    lengths: tuple[int, ...]  # words per body sentence
    headline_lengths: tuple[int, ...]  # words per headline or intertitle
    comma_rate: float  # commas per word


@dataclass(frozen=True)
class Text:
    """One article: its headline and its paragraphs of sentences."""

    headline: str
    paragraphs: tuple[tuple[str, ...], ...]

    @property
    def sentences(self) -> list[str]:
        """Every body sentence, in order."""
        return [s for p in self.paragraphs for s in p]

    def render(self, date: str = "2018-05") -> str:
        """The article as an input file: the date header and headline, then paragraphs separated by blank lines."""
        body = "\n\n".join(" ".join(p) for p in self.paragraphs)
        return f" date {date} {self.headline}\n\n{body}\n"


def read_seeds(folder: Path) -> Seeds:
    """Words, sentence lengths and headline lengths of the seed articles, read as the pipeline reads them."""
    from summarizer.inputs.articles import find_articles, read_article
    from summarizer.trust.provenance import _STOP

    articles = [read_article(path, name) for path, name in find_articles(folder)]
    sentences = [s for a in articles for s in a.sentences]
    tokens = [_WORD.findall(s) for s in sentences]
    inside = {w for words in tokens for w in words[1:]}
    words = [w.lower() if i == 0 and w not in inside else w for words in tokens for i, w in enumerate(words)]
    headlines = [a.title for a in articles if a.title] + [t for a in articles for _, t in a.intertitles]
    return Seeds(
        words=tuple(words),
        stop=frozenset(_STOP),
        lengths=tuple(len(w) for w in tokens),
        headline_lengths=tuple(len(_WORD.findall(h)) for h in headlines),
        comma_rate=sum(s.count(",") for s in sentences) / len(words),
    )


def distinct_corpus(seeds: Seeds, articles: int, sentences: int, *, seed: int = 0) -> list[Text]:
    """``articles`` articles of ``sentences`` new sentences each, in paragraphs of three; nothing repeats.

    Function words (the stories' stop list) are drawn by their frequency in the seeds. Content
    words, in the seeds' proportion, come from the article's own "topic": 15% of the seeds'
    content vocabulary, drawn evenly, and chosen to share as little as possible with earlier
    articles' topics. Articles on different events share function words but few content words;
    drawn by frequency, the seeds' few names (Kim, Trump) would make every article look like
    the same story, and the run would group them all.
    """
    rng = random.Random(seed)
    function = [w for w in seeds.words if w.lower() in seeds.stop]
    content_share = 1 - len(function) / len(seeds.words)
    forms: dict[str, list[str]] = {}  # content word -> its spellings in the seeds (case)
    for w in seeds.words:
        if w.lower() not in seeds.stop:
            forms.setdefault(w.lower(), []).append(w)
    content = sorted(forms)
    size = max(1, int(TOPIC_SHARE * len(content)))
    topics: list[set[str]] = []
    taken: set[str] = set()
    out = []
    for _ in range(articles):
        candidates = [rng.sample(content, size) for _ in range(TOPIC_TRIES)]
        topic = min(candidates, key=lambda c: max((len(t.intersection(c)) for t in topics), default=0))
        topics.append(set(topic))

        def draw(topic: list[str] = topic) -> str:
            return rng.choice(forms[rng.choice(topic)]) if rng.random() < content_share else rng.choice(function)

        headline = _unique(lambda: _headline(rng, draw, rng.choice(seeds.headline_lengths)), taken)
        body = [_unique(lambda: _sentence(rng, draw, rng.choice(seeds.lengths), seeds.comma_rate), taken)
                for _ in range(sentences)]
        out.append(Text(headline, tuple(tuple(body[i:i + PARAGRAPH]) for i in range(0, len(body), PARAGRAPH))))
    return out


def wire_copy(texts: Sequence[Text]) -> list[Text]:
    """The same articles, but the second of each pair opens with the first half of the first one's paragraphs, verbatim."""
    out = list(texts)
    for i in range(1, len(out), 2):
        source, own = out[i - 1].paragraphs, out[i].paragraphs
        half = len(source) // 2
        out[i] = Text(out[i].headline, source[:half] + own[half:])
    return out


def write_corpus(texts: Sequence[Text], folder: Path) -> Path:
    """Write the articles as 000.txt, 001.txt, ... into a new folder (built aside, then renamed into place)."""
    import shutil

    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for i, text in enumerate(texts):
        (tmp / f"{i:03d}.txt").write_text(text.render(), encoding="utf-8")
    tmp.rename(folder)
    return folder


def corpus_stats(folder: Path) -> dict[str, int]:
    """Sentences and headlines of a corpus as the pipeline reads them, and how many of them are distinct."""
    from summarizer.inputs.articles import find_articles, read_article

    articles = [read_article(path, name) for path, name in find_articles(folder)]
    sentences = [s for a in articles for s in a.sentences]
    titles = [a.title for a in articles if a.title]
    return {"articles": len(articles), "sentences": len(sentences), "distinct": len(set(sentences)),
            "headlines": len(titles), "distinct_headlines": len(set(titles)),
            "distinct_overall": len(set(sentences) | set(titles)), "words": sum(len(_WORD.findall(s)) for s in sentences)}


def _unique(make, taken: set[str]) -> str:
    for _ in range(1000):
        text = make()
        if text not in taken:
            taken.add(text)
            return text
    raise RuntimeError("cannot make a new sentence: the vocabulary is too small")


def _pick(draw: Callable[[], str], n: int) -> list[str]:
    """``n`` words from ``draw``, never the same word twice in a row."""
    picked: list[str] = []
    while len(picked) < n:
        word = draw()
        if not picked or word.lower() != picked[-1].lower():
            picked.append(word)
    return picked


def _sentence(rng: random.Random, draw: Callable[[], str], n: int, comma_rate: float) -> str:
    picked = _pick(draw, n)
    parts = [w + ("," if 0 < i < n - 2 and rng.random() < comma_rate else "") for i, w in enumerate(picked)]
    text = " ".join(parts)
    return text[0].upper() + text[1:] + "."


def _headline(rng: random.Random, draw: Callable[[], str], n: int) -> str:
    text = " ".join(_pick(draw, n))
    return text[0].upper() + text[1:]


def length_histogram(lengths: Sequence[int]) -> dict[int, float]:
    """Share of each length."""
    counts = Counter(lengths)
    return {n: counts[n] / len(lengths) for n in sorted(counts)}
