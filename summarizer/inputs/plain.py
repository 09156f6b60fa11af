"""Plain-text articles as Documents: decoded and nothing more (summarizer/structure.py finds their headline and dates)."""

from __future__ import annotations

import codecs
import logging

from .clean import web_url
from .document import Document, InputFormatError

__all__ = ["read_text"]

log = logging.getLogger(__name__)


def read_text(raw: bytes, *, url: str | None = None) -> Document:
    """The bytes as text (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 with a warning)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16", errors="replace")
    elif b"\x00" in raw:
        raise InputFormatError("binary data, not a text article; check the file")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            log.warning("%s: not UTF-8; decoded as Windows-1252", url or "text")
            text = raw.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InputFormatError("no article text (the file is empty)")
    return Document(text=text, origin="text", url=web_url(url))
