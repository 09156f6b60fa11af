"""Article structure: headline, dateline, time, source, byline, intertitles; web boilerplate dropped with reasons."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import parse_date, parse_time

__all__ = ["Dropped", "Structure", "analyse", "HEADLINE_MAX_WORDS", "INTERTITLE_MAX_WORDS"]

HEADLINE_MAX_WORDS = 20
INTERTITLE_MAX_WORDS = 12

_SENTENCE_END = re.compile(r"[.!?…:;\"'”’)]$")
_BLANK_LINE = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")
_MONTH = r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)\.?"
_WEEKDAY = r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo)\.?"
_CLOCK = r"\d{1,2}\s*[u:h.]\s*\d{2}(?:\s*uur)?"
_DATELINE = re.compile(
    rf"^(?:(?:gepubliceerd|geplaatst|verschenen)(?:\s+op)?\s*:?\s*)?(?:{_WEEKDAY},?\s+)?\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    rf"(?:\s*(?:,|om|-|–)?\s*{_CLOCK})?$",
    re.IGNORECASE,
)
_TIME_LINE = re.compile(rf"^(?:om\s+)?{_CLOCK}$", re.IGNORECASE)
_UPDATED = re.compile(r"^(?:laatste update|laatst bijgewerkt|bijgewerkt|aangepast|update)\b.{0,40}\d", re.IGNORECASE)
_AGENCIES = ("Belga", "ANP", "AFP", "Reuters", "AP", "DPA", "Bloomberg", "BNR", "NOS", "VRT", "VTM", "Novum", "EFE")
_SOURCE = re.compile(r"^(?:bron|bronnen)\s*:\s*(?P<rest>.+)$", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:door|tekst|auteur|van onze (?:correspondent|redacteur|verslaggever))\b\s*:?\s*(?P<who>.+)$", re.IGNORECASE)

# (pattern, reason): lines that are page furniture, never story text. Patterns are anchored
# or specific enough that a sentence of a news story does not match them.
_BOILERPLATE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), why)
    for p, why in (
        (r"^\d+\s+(?:seconden?|minuten?|min\.?|uur|uren|dagen?|weken?)\s+geleden$", "relative timestamp of a teaser"),
        (r"^(?:vandaag|gisteren|eergisteren)(?:,?\s+(?:om\s+)?\d{1,2}[:u.]\d{2})?$", "relative timestamp of a teaser"),
        (r"^(?:lees|bekijk|ontdek|luister)\s+(?:meer|ook|verder|hier|het hele artikel|de reacties)\b.{0,60}$", "read-more link"),
        (r"^meer\s+(?:uit|over|van|nieuws)\b.{0,40}$", "teaser block heading"),
        (r"^(?:meest gelezen|ook interessant|gerelateerde artikels?|gerelateerd|aanbevolen(?: voor jou)?|net binnen|populair|"
         r"nieuwsoverzicht|het laatste nieuws|uit andere media|voor jou geselecteerd|misschien ook interessant)$", "teaser block heading"),
        (r"\bcookies?\b.{0,200}\b(?:accepte|akkoord|toestemming|instellingen|voorkeuren|weigeren)", "cookie prompt"),
        (r"^(?:alles\s+)?(?:accepteren|weigeren|akkoord|instellingen beheren|cookie-?instellingen)$", "cookie prompt"),
        (r"\bwebmail\b", "webmail prompt"),
        (r"\b(?:AI|artifici[eë]le intelligentie|kunstmatige intelligentie)[- ](?:generated|gegenereerd)\b|"
         r"\b(?:gegenereerd|geschreven|samengevat|gemaakt|vertaald)\b.{0,60}\b(?:met|door|via)\s+(?:behulp van\s+)?"
         r"(?:AI|artifici[eë]le intelligentie|kunstmatige intelligentie)\b|^AI-generated", "AI-generated disclaimer"),
        (r"^(?:deel|delen)(?:\s+(?:dit|dit artikel|op \w+))?$|^(?:facebook|twitter|x|linkedin|whatsapp|e-?mail|print|kopieer link)$",
         "share buttons"),
        (r"^(?:reageer|reacties?|\d+\s+reacties?|plaats een reactie|log in om te reageren)$", "comment prompt"),
        (r"^(?:menu|zoeken|zoek|inloggen|log in|aanmelden|registreren|abonneer(?:\s+nu)?|word abonnee|mijn account|home|"
         r"nieuws|sport|cultuur|economie|politiek|binnenland|buitenland|regio|opinie|sluiten|terug naar boven)$", "navigation"),
        (r"^(?:[\w'’&. -]{1,30}\s*(?:\||›|»|>|•|·)\s*){2,}[\w'’&. -]{1,30}$", "navigation"),
        (r"^(?:advertentie|advertorial|gesponsord|sponsored|reclame)$", "advertisement"),
        (r"\b(?:nieuwsbrief|newsletter)\b.{0,80}\b(?:inschrijven|schrijf je in|ontvang|abonneer)|"
         r"^(?:schrijf je in|inschrijven)\b", "newsletter prompt"),
        (r"^(?:download|installeer)\s+(?:onze|de)\s+app\b", "app prompt"),
        (r"^(?:©|\(c\)|copyright)\s|alle rechten voorbehouden", "copyright notice"),
        (r"^(?:foto|beeld|video|illustratie)\s*:\s*\S.{0,60}$", "photo credit"),
    )
)


@dataclass(frozen=True)
class Dropped:
    """A line left out of the story and why."""

    text: str
    reason: str


@dataclass(frozen=True)
class Structure:
    """What the raw text of an article is made of, besides its story paragraphs."""

    headline: str | None
    dateline: str | None  # as written, e.g. "27 mei 2018"
    published: str | None  # ISO date from the dateline
    time: str | None  # HH:MM
    source: str | None  # agency, e.g. "Belga"
    byline: str | None
    paragraphs: tuple[str, ...]  # story text, one string per paragraph
    intertitles: tuple[tuple[int, str], ...]  # (index of the paragraph it precedes, text)
    dropped: tuple[Dropped, ...]


def analyse(text: str) -> Structure:
    """Split raw article text into metadata lines, intertitles, dropped boilerplate and story paragraphs."""
    meta: dict[str, str] = {}
    dropped: list[Dropped] = []
    blocks: list[list[str]] = []
    in_teaser = False
    for raw in _BLANK_LINE.split(text):
        lines: list[str] = []
        for line in (_SPACE.sub(" ", ln).strip() for ln in raw.splitlines()):
            if not line:
                continue
            reason = _boilerplate(line)
            if reason == "teaser block heading":
                in_teaser = True
            elif in_teaser and not reason:
                if _is_prose(line):
                    in_teaser = False
                else:
                    reason = "teaser headline"
            if reason:
                dropped.append(Dropped(line, reason))
                continue
            line = _take_meta(line, meta, dropped)
            if line:
                lines.append(line)
        if lines:
            blocks.append(lines)
    paragraphs = [" ".join(b) for b in blocks]
    headline = None
    if len(paragraphs) > 1 and _is_heading(paragraphs[0], HEADLINE_MAX_WORDS):
        headline = paragraphs.pop(0)
    body: list[str] = []
    intertitles: list[tuple[int, str]] = []
    trailing: list[str] = []
    for i, p in enumerate(paragraphs):
        if _is_heading(p, INTERTITLE_MAX_WORDS) and p[:1].isupper():
            if any(not _is_heading(q, INTERTITLE_MAX_WORDS) for q in paragraphs[i + 1:]):
                intertitles.append((len(body), p))
            else:
                trailing.append(p)
            continue
        body.append(p)
    if body:
        dropped += [Dropped(p, "heading with no story text after it") for p in trailing]
    else:  # only short lines: they are the story
        body, intertitles = [p for i, p in intertitles] + trailing, []
    dateline = meta.get("dateline")
    return Structure(
        headline=headline,
        dateline=dateline,
        published=parse_date(dateline) if dateline else None,
        time=meta.get("time") or (parse_time(dateline) if dateline and re.search(_CLOCK, dateline) else None),
        source=meta.get("source"),
        byline=meta.get("byline"),
        paragraphs=tuple(body),
        intertitles=tuple(intertitles),
        dropped=tuple(dropped),
    )


def _boilerplate(line: str) -> str | None:
    for pattern, reason in _BOILERPLATE:
        if pattern.search(line):
            return reason
    return None


def _take_meta(line: str, meta: dict[str, str], dropped: list[Dropped]) -> str:
    """Record a dateline, time, source or byline line in ``meta``; returns what is left of the line as text."""
    if _DATELINE.match(line):
        if "dateline" in meta:
            dropped.append(Dropped(line, "second dateline"))
        else:
            meta["dateline"] = line
        return ""
    if _TIME_LINE.match(line) and "time" not in meta:
        meta["time"] = parse_time(line) or line
        return ""
    if _UPDATED.match(line):
        dropped.append(Dropped(line, "update timestamp"))
        return ""
    source = _SOURCE.match(line)
    if source and "source" not in meta:
        name, rest = _split_source(source.group("rest"))
        meta["source"] = name
        return rest
    byline = _BYLINE.match(line)
    if byline and "byline" not in meta and len(byline.group("who").split()) <= 6 and not _SENTENCE_END.search(line):
        meta["byline"] = byline.group("who")
        return ""
    return line


def _split_source(rest: str) -> tuple[str, str]:
    """``Belga 0 De Noord-Koreaanse leider ...`` -> ("Belga", "De Noord-Koreaanse leider ...")."""
    words = rest.split()
    if len(words) <= 6 and not _SENTENCE_END.search(rest):
        return re.sub(r"\s+\d+$", "", rest), ""
    agency = "|".join(_AGENCIES)
    match = re.match(rf"((?:{agency})(?:\s*[/,&]\s*(?:{agency}))*|\S+)(?:\s+\d+)?\s+(?=\S)", rest)
    if not match:
        return rest, ""
    return match.group(1), rest[match.end():]


def _is_heading(paragraph: str, max_words: int) -> bool:
    words = paragraph.split()
    return 0 < len(words) <= max_words and not _SENTENCE_END.search(paragraph)


def _is_prose(line: str) -> bool:
    return len(line.split()) > 8 and bool(_SENTENCE_END.search(line))
