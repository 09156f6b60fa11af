"""Summary pairs annotated with their supporting source sentences and fact-check flags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..outputs.record import Span, SummaryPair
from .factcheck import check
from .provenance import Index

__all__ = ["annotate"]


def annotate(pairs: Sequence[SummaryPair], translation: Sequence[Mapping[str, Any]]) -> list[SummaryPair]:
    """Each ``{en, nl}`` pair plus ``sources`` (indices into ``translation``), scores, and unsupported spans.

    ``unsupported``/``unsupported_nl``: numbers, dates, times and names of the English/Dutch
    sentence found nowhere in the article's English/Dutch text; ``elsewhere``: English ones
    found in the article but not in the cited sources.
    """
    english = [t["en"] for t in translation]
    dutch = [t["nl"] for t in translation]
    index = Index(english)
    out: list[SummaryPair] = []
    for pair in pairs:
        support = index.support(pair["en"])
        cited = list(support.sources)
        en = check(pair["en"], support=[english[i] for i in cited], document=english, lang="en")
        nl = check(pair["nl"], support=[dutch[i] for i in cited], document=dutch, lang="nl")
        out.append({
            **pair,
            "sources": cited,
            "scores": list(support.scores),
            "coverage": support.coverage,
            "match": support.method,
            "unsupported": [_span(s.as_dict()) for s in en.unsupported],
            "elsewhere": [_span(s.as_dict()) for s in en.elsewhere],
            "unsupported_nl": [_span(s.as_dict()) for s in nl.unsupported],
        })
    return out


def _span(found: Mapping[str, Any]) -> Span:
    return {"text": found["text"], "kind": found["kind"], "start": found["start"], "end": found["end"]}
