"""Dutch dates, times and weekdays to ISO form, resolved only where unambiguous."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["MONTHS", "WEEKDAYS", "DateMention", "parse_date", "parse_time", "find_dates", "anchor_date"]

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "maa": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5, "zondag": 6}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(WEEKDAYS)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")  # 2021-12-24, also before ISO 8601's "T14:05"
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([-/.])(\d{1,2})\2(\d{4})\b")  # 24-12-2021, 24/12/2021, 24.12.2021: day first
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\.?(?:\s+(\d{{4}}))?\b", re.IGNORECASE)
_WEEKDAY_WORD = re.compile(rf"\b(?:(vorige|afgelopen|komende|volgende|aanstaande)\s+)?({_WEEKDAY})\b", re.IGNORECASE)
_TIME = re.compile(r"\b([01]?\d|2[0-3])\s*(?:[u:h]|\.(?=\d{2}\s*uur))\s*([0-5]\d)\b(?:\s*uur)?", re.IGNORECASE)
# Future tense or a forward-looking word makes a bare weekday point forward: too uncertain to resolve.
_FUTURE = re.compile(r"\b(zal|zullen|zou|zouden|gaat|gaan|komende|volgende|aanstaande|morgen|straks)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    """A date or weekday mentioned in the text and its ISO form, or None where ambiguous."""

    text: str  # as written
    iso: str | None  # YYYY-MM-DD when unambiguous
    why: str  # how it was resolved, or why not


def parse_date(text: str) -> str | None:
    """``27 mei 2018`` (after a weekday or not), ``2018-05-27``, ``27-05-2018``, ``27/05/2018`` -> ``2018-05-27``; else None."""
    iso = _ISO_DATE.search(text)
    if iso:
        return _iso(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    numeric = _NUMERIC_DATE.search(text)
    if numeric:
        return _iso(int(numeric.group(4)), int(numeric.group(3)), int(numeric.group(1)))
    match = _DAY_MONTH.search(text)
    if not match or not match.group(3):
        return None
    return _iso(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))


def parse_time(text: str) -> str | None:
    """``00u37``, ``00:37``, ``14.05 uur`` -> ``HH:MM``; None if there is no time."""
    match = _TIME.search(text)
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def anchor_date(published: str | None, header: str | None) -> tuple[date | None, int | None]:
    """The publication day (when known to the day) and year (when known at all)."""
    for value in (published, header):
        if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            y, m, d = map(int, value.split("-"))
            return date(y, m, d), y
    for value in (published, header):
        if value and re.match(r"\d{4}", value):
            return None, int(value[:4])
    return None, None


def find_dates(sentence: str, *, day: date | None, year: int | None, month: int | None = None) -> list[DateMention]:
    """Dates and weekdays in one Dutch sentence, resolved against the article's publication date."""
    found: list[DateMention] = []
    for match in _DAY_MONTH.finditer(sentence):
        d, m = int(match.group(1)), MONTHS[match.group(2).lower()]
        if match.group(3):
            found.append(DateMention(match.group(0), _iso(int(match.group(3)), m, d), "full date"))
        elif year is None:
            found.append(DateMention(match.group(0), None, "no year and no article date"))
        else:
            ref_month = day.month if day else month
            y = year
            if ref_month is not None:  # the year that puts the date within six months of publication
                if m - ref_month > 6:
                    y -= 1
                elif ref_month - m > 6:
                    y += 1
            found.append(DateMention(match.group(0), _iso(y, m, d), "year of the article"))
    for match in _WEEKDAY_WORD.finditer(sentence):
        found.append(_weekday(match, sentence, day))
    return found


def _weekday(match: re.Match[str], sentence: str, day: date | None) -> DateMention:
    text = match.group(0)
    if day is None:
        return DateMention(text, None, "article date not known to the day")
    if match.group(1) or _FUTURE.search(sentence):
        return DateMention(text, None, "may point forward or a week back")
    back = (day.weekday() - WEEKDAYS[match.group(2).lower()]) % 7
    return DateMention(text, (day - timedelta(days=back)).isoformat(), "most recent such day, past tense")


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None
