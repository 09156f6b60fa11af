"""Fact check: numbers, dates, times and names of a summary sentence looked up in its sources and in the whole article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..inputs.dates import MONTHS as NL_MONTHS
from ..inputs.dates import WEEKDAYS as NL_WEEKDAYS

__all__ = ["Span", "Check", "claims", "check", "mark"]

EN_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
EN_MONTHS |= {m[:3]: i for m, i in list(EN_MONTHS.items()) if m != "may"} | {"sept": 9}
EN_WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_NUMBER_WORDS = {
    "en": dict(
        zip("two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen "
            "nineteen twenty thirty forty fifty hundred thousand million billion".split(),
            [*range(2, 21), 30, 40, 50, 100, 1000, 10**6, 10**9]),
        **dict(zip("first second third fourth fifth sixth seventh eighth ninth tenth".split(), range(1, 11))),
        once=1, twice=2, dozen=12,
    ),
    "nl": dict(
        zip("twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien zeventien achttien "
            "negentien twintig dertig veertig vijftig honderd duizend miljoen miljard".split(),
            [*range(2, 21), 30, 40, 50, 100, 1000, 10**6, 10**9]),
        **dict(zip("eerste tweede derde vierde vijfde zesde zevende achtste negende tiende".split(), range(1, 11))),
        eenmaal=1, tweemaal=2,
    ),
}
_MONTHS = {"en": EN_MONTHS, "nl": NL_MONTHS}
_WEEKDAYS = {"en": EN_WEEKDAYS, "nl": NL_WEEKDAYS}
_FULL_MONTHS = {  # a month name standing alone; abbreviations only count next to a day ("Jan" is a name)
    "en": frozenset(m for m in EN_MONTHS if len(m) > 4 or m in ("may", "june", "july")),
    "nl": frozenset("januari februari maart april mei juni juli augustus september oktober november december".split()),
}
_ORDINAL = r"(?:st|nd|rd|th|e|ste|de)?"
_NUMBER = re.compile(rf"(?<![\w.,])(\d+(?:[.,]\d+)*){_ORDINAL}(?![\w])")
_TIME = re.compile(r"(?<![\w.,])([01]?\d|2[0-3])\s*(?::|u|h)\s*([0-5]\d)(?![\w])|(?<![\w.,])(\d{1,2})\s*([ap])\.?m\.?(?![\w])",
                   re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w]*(?:[-'’][^\W_]+)*", re.UNICODE)
_STOP = frozenset(
    "a an the and or but of to in on at by for with from as is are was were it this that he she they his her their we i "
    "de het een en van in op dat die is te met voor niet zijn er aan ook als bij door om maar nog dan tot uit".split()
)


@dataclass(frozen=True)
class Span:
    """A checkable piece of a sentence: a number, date, time or name."""

    text: str
    kind: str  # number | date | time | name
    start: int
    end: int
    key: tuple  # normalised value compared with the sources

    def as_dict(self) -> dict[str, object]:
        """JSON form (without the comparison key)."""
        return {"text": self.text, "kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Check:
    """Outcome of checking one sentence."""

    unsupported: tuple[Span, ...]  # found nowhere in the article
    elsewhere: tuple[Span, ...]  # in the article, but not in the sentences cited as its support
    checked: int  # how many spans were looked up


def claims(text: str, lang: str = "en") -> list[Span]:
    """Numbers, dates (day + month, month, weekday), times and capitalised names in ``text``."""
    months, weekdays, words = _MONTHS[lang], _WEEKDAYS[lang], _NUMBER_WORDS[lang]
    month_re = "|".join(sorted(months, key=len, reverse=True))
    spans: list[Span] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], kind: str, key: tuple, group: int = 0) -> None:
        start, end = match.span(group)
        if not any(s < end and start < e for s, e in taken):
            spans.append(Span(match.group(group), kind, start, end, key))
            taken.append((start, end))

    for m in re.finditer(rf"(?<![\w])(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({month_re})(?![\w])", text, re.IGNORECASE):
        add(m, "date", ("date", months[m.group(2).lower()], int(m.group(1))))
    for m in re.finditer(rf"(?<![\w])({month_re})\.?\s+(\d{{1,2}}){_ORDINAL}(?![\w])", text, re.IGNORECASE):
        if m.group(1).lower() != "may" or m.group(1)[0].isupper():
            add(m, "date", ("date", months[m.group(1).lower()], int(m.group(2))))
    for m in _TIME.finditer(text):
        if m.group(1):
            add(m, "time", ("time", int(m.group(1)), int(m.group(2))))
        else:
            hour = int(m.group(3)) % 12 + (12 if m.group(4).lower() == "p" else 0)
            add(m, "time", ("time", hour, 0))
    for m in _NUMBER.finditer(text):
        add(m, "number", ("number", _number(m.group(1), lang)))
    for m in _WORD.finditer(text):
        word = m.group(0)
        low = word.lower()
        if low in _FULL_MONTHS[lang] and (lang == "nl" or word[0].isupper()) and (low != "may" or m.start() > 0):
            add(m, "date", ("month", months[low]))
        elif low in weekdays:
            add(m, "date", ("weekday", weekdays[low]))
        elif low in words:
            add(m, "number", ("number", float(words[low])))
        elif word[0].isupper() and len(word) > 1 and low not in _STOP:
            add(m, "name", ("name", re.sub(r"['’]s$", "", low)))
    return sorted(spans, key=lambda s: s.start)


def check(sentence: str, *, support: list[str], document: list[str], lang: str = "en") -> Check:
    """Look up each claim of ``sentence`` in its supporting sentences, then in the whole document."""
    found = claims(sentence, lang)
    near = _known(support, lang)
    anywhere = _known(document, lang)
    unsupported = tuple(s for s in found if not _supported(s, anywhere))
    elsewhere = tuple(s for s in found if s not in unsupported and not _supported(s, near))
    return Check(unsupported=unsupported, elsewhere=elsewhere, checked=len(found))


def mark(text: str, spans: list[dict] | tuple, *, before: str, after: str) -> str:
    """``text`` with each span (dicts or Spans with start/end) wrapped in the given markers; no escaping."""
    out, pos = [], 0
    for span in sorted(spans, key=lambda s: s["start"] if isinstance(s, dict) else s.start):
        start, end = (span["start"], span["end"]) if isinstance(span, dict) else (span.start, span.end)
        if start < pos:
            continue
        out += [text[pos:start], before, text[start:end], after]
        pos = end
    return "".join(out + [text[pos:]])


def _known(sentences: list[str], lang: str) -> set[tuple]:
    return set().union(*(_sentence_keys(sentence, lang) for sentence in sentences))


@lru_cache(maxsize=1 << 16)
def _sentence_keys(sentence: str, lang: str) -> frozenset[tuple]:
    """What one source sentence can support; cached, since every summary sentence looks up the whole article."""
    keys: set[tuple] = set()
    for span in claims(sentence, lang):
        keys.add(span.key)
        if span.key[0] == "date":  # "12 June" also supports "June" and "12"
            keys |= {("month", span.key[1]), ("number", float(span.key[2]))}
        elif span.key[0] == "time":
            keys |= {("number", float(span.key[1])), ("number", float(span.key[2]))}
    keys |= {("name", re.sub(r"['’]s$", "", w.lower())) for w in _WORD.findall(sentence)}
    return frozenset(keys)


def _supported(span: Span, known: set[tuple]) -> bool:
    if span.key in known:
        return True
    if span.key[0] == "time":  # "6 pm" said as "18:00" or as "at 6"
        return ("number", float(span.key[1])) in known or ("number", float(span.key[1] % 12)) in known
    return False


def _number(text: str, lang: str) -> float:
    thousands, decimal = (",", ".") if lang == "en" else (".", ",")
    groups = text.split(thousands)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        text = "".join(groups)
    text = text.replace(thousands, "").replace(decimal, ".")
    try:
        return float(text)
    except ValueError:
        return float("nan")
