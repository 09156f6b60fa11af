"""Dates as sources write them (ISO 8601, RFC 2822, epoch, "2 mei 2024") to an ISO date and an HH:MM time."""

from __future__ import annotations

import re
import time as _time
from datetime import date, datetime, timezone
from email.utils import parsedate_tz

__all__ = ["iso_date_time"]

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?"
    r"(?:[T ](\d{1,2}):(\d{2})(?::\d{2}(?:[.,]\d+)?)?)?"
    r"\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?"
)
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
_EPOCH = re.compile(r"-?\d{9,13}(?:\.\d+)?")
_DAY_MONTH_YEAR = re.compile(r"(?:[A-Za-z]+\.?,?\s+)?(\d{1,2})\.?\s+([A-Za-z]{3})[a-z]*\.?,?\s+(\d{4})\b(.*)", re.DOTALL)
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "maa": 3, "mrt": 3, "apr": 4, "may": 5, "mei": 5, "jun": 6, "jul": 7, "aug": 8,
           "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12}  # English and Dutch, by their first three letters
_HOUR_MINUTE = re.compile(r"\b([01]?\d|2[0-3])[:.u]([0-5]\d)\b")
_MILLISECONDS = 10**11  # epoch values above this are milliseconds (10**11 seconds is the year 5138)


def iso_date_time(value: object) -> tuple[str | None, str | None]:
    """``(YYYY-MM-DD, HH:MM)`` of a date value; the time is None when not given, both None when not a date.

    Times stay in the source's own zone as written; epoch values and ``time.struct_time`` (feedparser's
    ``*_parsed``, always UTC) are read as UTC. A year and month alone give ``YYYY-MM``.
    """
    if isinstance(value, bool) or value is None:
        return None, None
    if isinstance(value, (int, float)):
        return _epoch(float(value))
    if isinstance(value, _time.struct_time):
        return _checked(value.tm_year, value.tm_mon, value.tm_mday, value.tm_hour, value.tm_min)
    if not isinstance(value, str):
        return None, None
    text = value.strip()
    if _EPOCH.fullmatch(text):
        return _epoch(float(text))
    match = _ISO.fullmatch(text)
    if match:
        year, month, day, hour, minute = match.groups()
        if day is None:
            return (f"{int(year):04d}-{int(month):02d}", None) if 1 <= int(month) <= 12 else (None, None)
        return _checked(int(year), int(month), int(day), _int(hour), _int(minute))
    parts = parsedate_tz(text)
    if parts:
        y, m, d, hh, mm = parts[:5]
        return _checked(y, m, d, hh if _CLOCK.search(text) else None, mm if _CLOCK.search(text) else None)
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match and match.group(2).lower() in _MONTHS:
        clock = _HOUR_MINUTE.search(match.group(4))
        return _checked(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)),
                        _int(clock.group(1) if clock else None), _int(clock.group(2) if clock else None))
    return None, None


def _epoch(seconds: float) -> tuple[str | None, str | None]:
    if abs(seconds) > _MILLISECONDS:
        seconds /= 1000
    try:
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None, None
    return moment.date().isoformat(), moment.strftime("%H:%M")


def _checked(y: int, m: int, d: int, hour: int | None, minute: int | None) -> tuple[str | None, str | None]:
    try:
        day = date(y, m, d).isoformat()
    except ValueError:
        return None, None
    if hour is None or minute is None or not (0 <= hour <= 23 and 0 <= minute <= 59):
        return day, None
    return day, f"{hour:02d}:{minute:02d}"


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None
