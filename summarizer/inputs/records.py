"""JSON and JSON Lines exports of news APIs and scrapers: one record, one article."""

from __future__ import annotations

import codecs
import json
import logging
from typing import Any

from .clean import one_line, to_text, truncated, web_url
from .timestamps import iso_date_time
from .document import Document, InputFormatError, RecordError

__all__ = ["ENVELOPE_KEYS", "FIELD_KEYS", "read_json", "read_jsonl"]

log = logging.getLogger(__name__)

# Document field -> the record keys that may hold it, in priority order (matched case-insensitively).
# Full text comes before teasers; NewsAPI's "content" is cut at 200 characters, so a truncated
# text gives way to a longer candidate (see _text).
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("content", "body", "text", "articleBody", "article_body", "article", "full_text", "fulltext",
             "content_html", "content_text", "description", "summary", "abstract", "lead", "excerpt", "snippet"),
    "title": ("title", "headline", "heading", "webTitle"),
    "published": ("pubDate", "publishedAt", "published", "published_at", "datePublished", "date_published", "pub_date",
                  "publication_date", "date", "created_at", "createdAt", "created", "timestamp", "time",
                  "webPublicationDate", "updated", "updatedAt", "updated_at", "dateModified", "date_modified"),
    "url": ("link", "url", "canonical_url", "canonicalUrl", "webUrl", "permalink", "article_url", "href"),
    "author": ("creator", "author", "authors", "byline", "writer", "dc:creator"),
    "site": ("source_name", "source", "site_name", "siteName", "sitename", "site", "publisher", "source_id", "domain"),
}
# Keys under which an export keeps its list of records (NewsAPI: articles, NewsData.io: results, JSON Feed: items...).
ENVELOPE_KEYS = ("articles", "results", "items", "data", "entries", "records", "hits", "docs", "documents", "posts",
                 "news", "stories", "response")
# Wrappers of one value: WordPress {"rendered": ...}, MongoDB {"$date": ...}, names of people and sources.
_INNER_KEYS = ("rendered", "value", "$date", "name", "text", "html", "id")
# Text fields that say the text is missing (NewsAPI's removed articles, NewsData.io's free plan).
_PLACEHOLDERS = frozenset({"[removed]", "removed", "only available in paid plans", "only available in paid plan"})
_MAX_DEPTH = 4  # envelopes within envelopes: {"response": {"results": [...]}}, {"hits": {"hits": [...]}}


def read_json(raw: bytes) -> list[Document | RecordError]:
    """Articles of a JSON file holding one record, a list of records, or an envelope with the list under a known key.

    Args:
        raw: the file's bytes (UTF-8, with or without BOM, or UTF-16 with BOM).

    Returns:
        One Document (origin "json") or RecordError per record; ``part`` is the record's position in its list,
        None when the file is a single record.

    Raises:
        InputFormatError: not JSON, an API error response, or no records in it.
    """
    try:
        data = json.loads(_decode(raw))
    except json.JSONDecodeError as exc:
        hint = ("; it holds one JSON value per line: name it .jsonl" if exc.msg == "Extra data"
                else "; check that the export finished and the file is complete")
        raise InputFormatError(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}){hint}") from None
    records, single = _records(data, depth=0)
    if single:
        return [_record(records[0], part=None, origin="json")]
    if not records:
        raise InputFormatError("the JSON holds an empty list of records; export again with a query that matches articles")
    return [_record(record, part=str(i), origin="json") for i, record in enumerate(records)]


def read_jsonl(raw: bytes) -> list[Document | RecordError]:
    """Articles of a JSON Lines file, one record per line; a bad line is a RecordError and the rest are still read.

    ``part`` counts records from 0, skipping blank lines; problems name the line number (from 1).
    """
    raw = raw.removeprefix(codecs.BOM_UTF8)
    results: list[Document | RecordError] = []
    parsed_any = False
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        part = str(len(results))
        try:
            value = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            results.append(RecordError(part, f"line {number}: not UTF-8 text"))
            continue
        except json.JSONDecodeError as exc:
            results.append(RecordError(part, f"line {number}: not valid JSON ({exc.msg}, column {exc.colno})"))
            continue
        parsed_any = True
        if not isinstance(value, dict):
            results.append(RecordError(part, f"line {number}: a JSON {_kind(value)}, not a record (a JSON object)"))
            continue
        results.append(_record(value, part=part, origin="jsonl", line=number))
    if not results:
        raise InputFormatError("the JSON Lines file holds no records (it is empty or blank)")
    if not parsed_any:
        raise InputFormatError("no line of the file is JSON; if it is one JSON document spread over lines, name it .json")
    return results


def _decode(raw: bytes) -> str:
    """The bytes as text: UTF-8 (BOM or not) or UTF-16 with a BOM."""
    try:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFormatError(f"not UTF-8 text (bad byte at offset {exc.start}); re-export the file as UTF-8") from None


def _records(data: Any, *, depth: int) -> tuple[list[Any], bool]:
    """The records of a JSON document and whether it is a single record."""
    if isinstance(data, list):
        return data, False
    if not isinstance(data, dict):
        raise InputFormatError(f"the JSON is a {_kind(data)}, not a record or a list of records")
    keys = _keys(data)
    if _is_error(data, keys):
        raise InputFormatError(
            f"the JSON is an error response from the API ({_error_message(data, keys)}); fix the request and export again"
        )
    lists = [data[keys[name]] for name in ENVELOPE_KEYS if isinstance(data.get(keys.get(name, "")), list)]
    for inner in lists:  # before the text test: a JSON Feed has a description beside its items
        if any(isinstance(item, dict) for item in inner):
            return inner, False
    if _find(data, keys, "text") is not None:
        return [data], True
    if lists:
        return lists[0], False  # empty, or holding no records: reported as such
    for name in ENVELOPE_KEYS:
        inner = data.get(keys.get(name, ""))
        if isinstance(inner, dict) and depth < _MAX_DEPTH:
            try:
                return _records(inner, depth=depth + 1)
            except InputFormatError:
                continue
    if any(_find(data, keys, field) is not None for field in ("title", "url")):
        return [data], True  # a record without text: reported as such
    raise InputFormatError(
        "no news records found: expected a record, a list of records, or an object with the list under "
        f"{', '.join(ENVELOPE_KEYS[:7])}...; the file has keys {', '.join(list(data)[:8]) or '(none)'}"
    )


def _record(record: Any, *, part: str | None, origin: str, line: int | None = None) -> Document | RecordError:
    """One record as a Document, or the reason it cannot be one."""
    where = f"line {line}: " if line is not None else ""
    if not isinstance(record, dict):
        return RecordError(part, f"{where}a JSON {_kind(record)}, not a record (a JSON object)")
    if isinstance(record.get("_source"), dict):  # an Elasticsearch/OpenSearch hit
        record = record["_source"]
    keys = _keys(record)
    text, problem = _text(record, keys)
    if not text:
        return RecordError(part, f"{where}{problem}")
    published, time = iso_date_time(_scalar(_find(record, keys, "published")))
    site = _site(record, keys)
    fields = {
        "title": _title(one_line(_scalar(_find(record, keys, "title"))), site),
        "published": published,
        "time": time,
        "author": _names(_find(record, keys, "author")),
        "url": web_url(_scalar(_find(record, keys, "url"))),
        "site": site,
    }
    return Document(text=text, origin=origin, provided=tuple(k for k, v in fields.items() if v), part=part, **fields)


def _text(record: dict[str, Any], keys: dict[str, str]) -> tuple[str, str]:
    """The record's article text and, when it has none, why."""
    found: list[tuple[str, bool]] = []  # (plain text, was truncated)
    placeholder = False
    for key in FIELD_KEYS["text"]:
        value = record.get(keys.get(key.lower(), ""))
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = "\n\n".join(value)  # a list of paragraphs
        value = _scalar(value)
        if not isinstance(value, str) or not value.strip():
            continue
        if value.strip().casefold() in _PLACEHOLDERS:
            placeholder = True
            continue
        text = to_text(value)
        if text:
            found.append((text, truncated(value.strip())))
    if not found:
        if placeholder:
            return "", "the provider withheld the text (removed, or not available on this plan)"
        present = ", ".join([k for k, v in record.items() if v not in (None, "", [], {})][:8]) or "nothing"
        return "", f"no text: none of content, body, text, description... holds any (the record has {present})"
    text, cut = found[0]
    return (max((t for t, _ in found), key=len) if cut else text), ""


def _title(title: str | None, site: str | None) -> str | None:
    """The headline without the " - Site" that NewsAPI and others append."""
    if title and site:
        for separator in (" - ", " | ", " – ", " — "):
            if title.endswith(separator + site) and len(title) > len(separator + site):
                return title[: -len(separator + site)].rstrip()
    return title


def _site(record: dict[str, Any], keys: dict[str, str]) -> str | None:
    """The publisher: a source name, a nested ``source.name`` (NewsAPI), or a source id (NewsData.io)."""
    for key in FIELD_KEYS["site"]:
        value = record.get(keys.get(key.lower(), ""))
        if isinstance(value, dict):
            value = value.get("name") or value.get("title") or value.get("id")
        name = one_line(_scalar(value)) if isinstance(value, (str, dict)) else None
        if name:
            return name
    return None


def _names(value: Any) -> str | None:
    """Author names from a string, a list of strings or objects with a name, joined with ", "."""
    items = value if isinstance(value, list) else [value]
    names = [one_line(_scalar(item)) for item in items if isinstance(item, (str, dict))]
    return ", ".join(dict.fromkeys(n for n in names if n)) or None


def _scalar(value: Any) -> Any:
    """The value inside a one-value wrapper such as ``{"rendered": "..."}``; anything else unchanged."""
    if isinstance(value, dict):
        for key in _INNER_KEYS:
            if isinstance(value.get(key), (str, int, float)) and not isinstance(value.get(key), bool):
                return value[key]
        return None
    return value


def _find(record: dict[str, Any], keys: dict[str, str], field: str) -> Any:
    """The first non-empty value among the field's candidate keys."""
    for key in FIELD_KEYS[field]:
        value = record.get(keys.get(key.lower(), ""))
        if value not in (None, "", [], {}):
            return value
    return None


def _keys(record: dict[str, Any]) -> dict[str, str]:
    """Lower-cased key -> the key as written (the first one, if two differ only in case)."""
    keys: dict[str, str] = {}
    for key in record:
        if isinstance(key, str):
            keys.setdefault(key.lower(), key)
    return keys


def _is_error(data: dict[str, Any], keys: dict[str, str]) -> bool:
    """An API error response: NewsAPI ``{"status": "error", ...}``, NewsData.io ``{"status": "error", "results": {...}}``."""
    status = data.get(keys.get("status", ""))
    return (isinstance(status, str) and status.lower() in ("error", "failed", "fail")) or (
        bool(data.get(keys.get("error", ""))) and not any(k in keys for k in ENVELOPE_KEYS)
        and _find(data, keys, "text") is None
    )


def _error_message(data: dict[str, Any], keys: dict[str, str]) -> str:
    """The message of an API error response, wherever the API puts it."""
    for key in ("message", "error", "results", "errors"):
        value = data.get(keys.get(key, ""))
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, dict):
            value = value.get("message") or value.get("code")
        message = one_line(value) if isinstance(value, (str, int)) else None
        if message:
            return message
    return "no message"


def _kind(value: Any) -> str:
    return {list: "list", dict: "object", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")
