"""Article structure: headline, dateline, time, source, byline, intertitles; web boilerplate dropped with reasons."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import parse_date, parse_time

__all__ = ["Dropped", "Structure", "analyse", "HEADLINE_MAX_WORDS", "INTERTITLE_MAX_WORDS"]

HEADLINE_MAX_WORDS = 20
INTERTITLE_MAX_WORDS = 12

_SENTENCE_END = re.compile(r"[.!?…:;\"'”’)]$")
_CLOSERS = "\"'”’»)]"  # closing quotes and brackets a headline may end in
_OPENERS = ("\"", "'", "‘", "’", "“", "”", "„", "‚", "«", "»")  # a paragraph starting with one is a quote
_LIST_ITEM = re.compile(r"^(?:[-–•*·]|\d+[.)])\s")
_BLANK_LINE = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")
_MONTH = r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)\.?"
_WEEKDAY = r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo)\.?"
_CLOCK = r"\d{1,2}\s*[u:h.]\s*\d{2}(?:\s*uur)?"
# A date written out (27 mei 2018) or in numbers (2021-12-24, 24-12-2021, 24/12/2021, 24.12.2021),
# then an optional time: "om 14.05 uur", ", 14:05", or ISO 8601's "T14:05:00+01:00".
_DAY_MONTH_YEAR = rf"\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
_NUMERIC_DATE = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?P<sep>[-/.])\d{1,2}(?P=sep)\d{4}"
_DATELINE_TIME = (
    r"(?:T|\s*(?:,|om|-|–)?\s*)(?P<clock>\d{1,2}\s*[u:h.]\s*\d{2})(?::\d{2}(?:\.\d+)?)?(?:\s*uur)?"
    r"(?:Z|\s*[+-]\d{2}:?\d{2})?"
)
_DATELINE = re.compile(
    rf"^(?:(?:gepubliceerd|geplaatst|verschenen|datum)(?:\s+op)?\s*:?\s*)?(?:{_WEEKDAY},?\s+)?"
    rf"(?:{_DAY_MONTH_YEAR}|{_NUMERIC_DATE})(?:{_DATELINE_TIME})?$",
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

# (pattern, reason): pieces of page furniture that fill a line alone or joined by separators
# ("Vandaag, 22:14 · Aangepast 22:40", "Premium | Leestijd 4 minuten"). Each must match a whole piece,
# so the same words inside a sentence stay.
_HHMM = r"(?:om\s+)?\d{1,2}[:u.]\d{2}(?:\s*uur)?"
_MINUTES = r"\d+\s*min(?:uten|uut)?\.?"
_FURNITURE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), why)
    for p, why in (
        (rf"(?:vandaag|gisteren|eergisteren)(?:,?\s+{_HHMM})?", "relative timestamp"),
        (rf"(?:laatste update|laatst bijgewerkt|bijgewerkt|aangepast|update)\s*:?\s*{_HHMM}", "update timestamp"),
        ((r"(?:social|video|foto(?:'s)?|audio|live|liveblog|live-blog|podcast|update|premium|plus|breaking|net binnen|"
          r"exclusief(?: voor abonnees)?|alleen voor abonnees|abonnee|uitgelicht)\s*:?(?:\s*\(?\d{1,3}(?::\d{2}){0,2}\)?)?"),
         "page label"),
        (rf"leestijd\s*:?\s*{_MINUTES}|{_MINUTES}\s+leestijd", "reading time"),
    )
)
_PIECE_SEPARATOR = re.compile(r"\s+[·•|–-]\s+")

# Author initials that sign a story: "lva", "kv", "jvh", "(tve)", "/bdb", "(lva/kv)".
_WHO = r"[a-z]{2,4}(?:/[a-z]{2,4})*"
_SIGNATURE = re.compile(rf"(?:(?<=\s)|^|(?<=[.!?…\"'”’)])(?=[(/]))(?P<tag>\({_WHO}\)|/{_WHO}|{_WHO})$")
# Short Dutch words (and lowercase abbreviations) that can end a headline or a sentence: never initials.
_NOT_INITIALS = frozenset("""
    aan af al als bij dag dan dat de den der des die dit doe doet dus een eer eis en er ere erg gas had heb hem het hij
    hun ijs in is ja je jij kan kon kun las man me men met mij na naar nee net niet nog nu of om ons ook op oud per
    pas sla te ten ter tot toe tv uit uur uw van via vol voor vs wat we wel wie wij wil zal ze zei zij zo zou
    bv btw cd dvd dj gsm kg km kwh mb gb mw kw ml mm cm nl pc pvc sms wc bbq ggd
""".split())
# Consonants that can start a Dutch (or common loan) word; "lv", "tv", "jv" cannot, so "lva" or "tve" reads as initials.
_ONSETS = frozenset("""
    b c d f g h j k l m n p q r s t v w x z bl br ch cl cr dr dw fl fr gl gn gr kl kn kr kw ph pl pn pr ps sc sch schr
    sh sj sk skr sl sm sn sp spl spr st str sv sw th tj tr ts tw vl vr wh wr zw
""".split())


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


def analyse(text: str, *, find_headline: bool = True) -> Structure:
    """Split raw article text into metadata lines, intertitles, dropped boilerplate and story paragraphs.

    ``find_headline=False`` when the source format gave the title: the first short line is then story text.
    """
    meta: dict[str, str] = {}
    dropped: list[Dropped] = []
    blocks: list[list[str]] = []
    in_teaser = started = False  # started: a line of story prose has been kept
    for raw in _BLANK_LINE.split(text):
        lines: list[str] = []
        for line in (_SPACE.sub(" ", ln).strip() for ln in raw.splitlines()):
            if not line:
                continue
            reason = _boilerplate(line)
            if reason == "teaser block heading" and not started and _furniture(line):
                reason = "page label"  # "Net binnen" above the story labels it; below, it heads a block of teasers
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
                started = started or _is_prose(line)
        if lines:
            blocks.append(lines)
    paragraphs = [" ".join(b) for b in blocks]
    _unsign_last(paragraphs, dropped)
    headline = None
    if find_headline and len(paragraphs) > 1:
        first, initials = _split_signature(paragraphs[0])
        if _is_headline(first, paragraphs[1]):
            headline = first
            paragraphs.pop(0)
            if initials:
                dropped.append(Dropped(initials, "author initials"))
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
        time=meta.get("time") or meta.get("dateline time"),
        source=meta.get("source"),
        byline=meta.get("byline"),
        paragraphs=tuple(body),
        intertitles=tuple(intertitles),
        dropped=tuple(dropped),
    )


def _boilerplate(line: str) -> str | None:
    """Why the line is page furniture, or None when it may be story text."""
    for pattern, reason in _BOILERPLATE:
        if pattern.search(line):
            return reason
    return _furniture(line)


def _furniture(line: str) -> str | None:
    """The reason of the first piece when every separated piece of the line is a label, timestamp or reading time."""
    reasons = [_furniture_piece(piece) for piece in _PIECE_SEPARATOR.split(line)]
    return reasons[0] if all(reasons) else None


def _furniture_piece(piece: str) -> str | None:
    """Why one separated piece of a line is page furniture, or None."""
    return next((why for pattern, why in _FURNITURE if pattern.fullmatch(piece)), None)


def _take_meta(line: str, meta: dict[str, str], dropped: list[Dropped]) -> str:
    """Record a dateline, time, source or byline line in ``meta``; returns what is left of the line as text."""
    dateline = _DATELINE.match(line)
    if dateline:
        if "dateline" in meta:
            dropped.append(Dropped(line, "second dateline"))
        else:
            meta["dateline"] = line
            hhmm = _hhmm(dateline.group("clock") or "")
            if hhmm:
                meta["dateline time"] = hhmm
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


def _hhmm(clock: str) -> str | None:
    """``14.05``, ``00u37``, ``9:30`` -> ``HH:MM``; None when it is no time of day."""
    digits = re.findall(r"\d+", clock)
    if len(digits) != 2 or int(digits[0]) > 23 or int(digits[1]) > 59:
        return None
    return f"{int(digits[0]):02d}:{digits[1]}"


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


def _is_headline(first: str, following: str) -> bool:
    """A short first paragraph without a closing full stop; one ending in ``?``, ``!`` or ``:`` only before body text."""
    words = first.split()
    if not 0 < len(words) <= HEADLINE_MAX_WORDS:
        return False
    end = first.rstrip(_CLOSERS)[-1:]
    if end in (".", ";", ",", "…", ""):
        return False
    if end in ("?", "!"):
        return _is_prose(following)
    if end == ":":  # "Dat zei hij:" before a quote block or a list is story text
        return _is_prose(following) and not following.startswith(_OPENERS) and not _LIST_ITEM.match(following)
    return True


def _split_signature(text: str) -> tuple[str, str | None]:
    """``… doorgaan lva`` -> ("… doorgaan", "lva"); the text and None when it does not end in author initials."""
    match = _SIGNATURE.search(text)
    if not match or not all(_are_initials(part) for part in match.group("tag").strip("()/").split("/")):
        return text, None
    return text[: match.start()].rstrip(), match.group("tag")


def _unsign_last(paragraphs: list[str], dropped: list[Dropped]) -> None:
    """Drop author initials that end the story: alone on the last line, or after its last sentence."""
    if not paragraphs:
        return
    text, initials = _split_signature(paragraphs[-1])
    if not initials or (text and not _SENTENCE_END.search(text)) or (not text and len(paragraphs) == 1):
        return
    dropped.append(Dropped(initials, "author initials"))
    if text:
        paragraphs[-1] = text
    else:
        paragraphs.pop()


def _are_initials(token: str) -> bool:
    """Lowercase letters that are no Dutch word: not a known short word, and no vowel or an onset no Dutch word has."""
    if token in _NOT_INITIALS:
        return False
    vowel = next((i for i, c in enumerate(token) if c in "aeiouy"), None)
    return vowel is None or (vowel > 0 and token[:vowel] not in _ONSETS)


def _is_heading(paragraph: str, max_words: int) -> bool:
    words = paragraph.split()
    return 0 < len(words) <= max_words and not _SENTENCE_END.search(paragraph)


def _is_prose(line: str) -> bool:
    return len(line.split()) > 8 and bool(_SENTENCE_END.search(line))
