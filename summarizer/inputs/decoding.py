"""Article bytes to text: pick the encoding by explicit rules, repair what can be repaired, say where.

The rules, in order:

1. Known binary formats (PNG, ZIP, PDF, executables...) are refused by their magic bytes.
2. A byte order mark decides: UTF-8, UTF-16 or UTF-32, little or big endian.
3. Without one, where the zero bytes fall tells UTF-32 and UTF-16 (LE or BE) from byte text.
4. Byte text is UTF-8 when it decodes as UTF-8. Otherwise: with no valid multi-byte UTF-8 sequence
   anywhere it is Windows-1252 (a superset of Latin-1's printable range); with some, each line
   holding bad bytes is Windows-1252 when they mostly read as letters or typographic punctuation
   there (a pasted paragraph), else UTF-8 with U+FFFD for each bad byte.
5. NUL bytes are dropped (padding and strays); many NULs inside the text mean binary data.
6. Text in which control characters are common is binary data; line endings become ``\\n``.

Every repair comes back as a warning that names the byte offsets in the file.
"""

from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass

__all__ = ["Decoded", "NotText", "decode_bytes"]

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"%PDF-", "a PDF document"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O or Java class file"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NUL_RUN = re.compile(rb"\x00+")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|$)")
# Windows-1252 characters that the bad bytes of a UTF-8 line mostly stand for when that line was pasted from
# a Windows-1252 source: letters (less ones that mostly come from broken UTF-8 or byte order marks) and
# typographic punctuation. Other lines' bad bytes are taken as damage and replaced.
_PASTED_PUNCTUATION = frozenset("“”‘’„‚–—…€«»°©®™•·§½¼¾²³£\xa0")
_NOT_PASTED_LETTERS = frozenset("ÃÂÿþðÐÞ")
MAX_BAD_SHARE = 0.1  # more replaced bytes than this share of the text: not text in any encoding we read
MAX_NUL_SHARE = 0.1  # more NUL bytes inside the text than this share: binary data
MAX_LEGACY_SHARE = 0.3  # Windows-1252 text of a Western language has a few percent of bytes outside ASCII, not this
_LISTED = 8  # offsets listed in one warning; the rest are counted


class NotText(ValueError):
    """The bytes are not a text article; ``problem`` says why in a few words."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Decoded:
    """An article's text and how it was read."""

    text: str  # line endings normalised to "\n", no NUL characters, no byte order mark
    encoding: str  # e.g. "utf-8", "utf-16-le", "windows-1252", "utf-8+windows-1252" (lines of each)
    warnings: tuple[str, ...] = ()  # each repair made, with the byte offsets it concerns


def decode_bytes(raw: bytes) -> Decoded:
    """Decode article bytes by the rules in this module's docstring; raises NotText for binary data."""
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise NotText(f"binary data ({what}), not a text article")
    if raw.startswith(b"MZ") and b"\x00" in raw[2:64]:
        raise NotText("binary data (a Windows executable), not a text article")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            if encoding == "utf-8":
                return _finish(*_byte_text(raw, len(bom)))
            return _finish(*_wide_text(raw, len(bom), encoding, bom=True), encoding=encoding)
    wide = _wide_encoding(raw)
    if wide:
        return _finish(*_wide_text(raw, 0, wide, bom=False), encoding=wide)
    return _finish(*_byte_text(raw, 0))


def _finish(text: str, warnings: list[str], encoding: str) -> Decoded:
    controls = len(_CONTROL.findall(text[:65536]))
    if controls > max(8, len(text[:65536]) // 100):
        raise NotText("binary data, not a text article")
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return Decoded(text=text, encoding=encoding, warnings=tuple(warnings))


# --- UTF-16 and UTF-32 ----------------------------------------------------------------------------------------------


def _wide_encoding(raw: bytes) -> str | None:
    """UTF-32 or UTF-16 (LE or BE) told by where zero bytes fall, for text without a byte order mark; else None."""
    core = raw.strip(b"\x00")
    if len(core) < 4:
        return None
    lead = len(raw) - len(raw.lstrip(b"\x00"))
    for size, encodings in ((4, ("utf-32-le", "utf-32-be")), (2, ("utf-16-le", "utf-16-be"))):
        start = lead // size * size
        end = start + -(-(len(raw.rstrip(b"\x00")) - start) // size) * size
        region = raw[start:end]
        lanes = [region[i::size] for i in range(size)]
        units = len(lanes[0])
        zeros = [lane.count(0) for lane in lanes]
        for encoding in encodings:
            low, high = (0, size - 1) if encoding.endswith("-le") else (size - 1, 0)
            if zeros[low] > units // 4 or zeros[high] < units * 0.6:
                continue
            if size == 4 and min(zeros[1:3]) < units * 0.9:  # code points above U+FFFF are rare; above U+10FFFF invalid
                continue
            _, bad = _collect(region, encoding)
            if sum(e - s for s, e in bad) <= len(region) // 100:
                return encoding
    return None


def _wide_text(raw: bytes, start: int, encoding: str, *, bom: bool) -> tuple[str, list[str]]:
    """Decode UTF-16 or UTF-32 from ``start``: zero units dropped, bad units replaced, both reported."""
    size = 4 if "32" in encoding else 2
    name = encoding.upper()
    body = raw[start:]
    whole = len(body) - len(body) % size
    kept, dropped = [], []
    zero = b"\x00" * size
    for i in range(0, whole, size):
        unit = body[i:i + size]
        if unit == zero:
            dropped.append((start + i, start + i + size))
        else:
            kept.append(unit)
    if whole < len(body):
        kept.append(body[whole:])  # an incomplete last unit: the decoder reports it as bad
    offsets = _OffsetMap(dropped, start)
    text, bad = _collect(b"".join(kept), encoding)
    bad = [(offsets.original(s), offsets.original(e - 1) + 1) for s, e in bad]
    if sum(e - s for s, e in bad) > len(text) // 100:
        if bom:
            raise NotText(f"starts with a {name} byte order mark but is not valid {name}")
        raise NotText("binary data, not a text article")
    warnings = []
    if dropped:
        warnings.append(f"{_count(len(dropped), 'NUL character')} dropped ({_where(dropped)})")
    if bad:
        warnings.append(f"{_count(len(bad), 'byte sequence')} not valid {name}, replaced with U+FFFD ({_where(bad)})")
    if not bom:
        warnings.append(f"no byte order mark; read as {name} by where its zero bytes fall")
    return text, warnings


# --- byte text: UTF-8 and Windows-1252 ------------------------------------------------------------------------------


def _byte_text(raw: bytes, start: int) -> tuple[str, list[str], str]:
    """Decode UTF-8 or Windows-1252 bytes from ``start``: NULs dropped, bad bytes repaired line by line."""
    body, dropped, warnings = _drop_nuls(raw, start)
    offsets = _OffsetMap(dropped, start)
    text, bad = _collect(body, "utf-8")
    if not bad:
        return text, warnings, "utf-8"
    if len(_NON_ASCII.findall(text)) == len(bad):  # every non-ASCII character is a replacement: no UTF-8 at all
        text, undefined = _collect(body, "cp1252")
        high = [i for i, byte in enumerate(body) if byte > 0x7F]
        if len(high) > max(16, MAX_LEGACY_SHARE * len(body)):
            raise NotText("binary data, not a text article (mostly bytes outside ASCII, and not UTF-8)")
        warnings.append(
            f"not UTF-8; decoded as Windows-1252 ({_count(len(high), 'byte')} outside ASCII, "
            f"first at byte offset {offsets.original(high[0])})"
        )
        if undefined:
            spans = [(offsets.original(s), offsets.original(e - 1) + 1) for s, e in undefined]
            warnings.append(f"{_count(len(spans), 'byte')} undefined in Windows-1252, replaced with U+FFFD ({_where(spans)})")
        return text, warnings, "windows-1252"
    parts: list[str] = []
    replaced: list[tuple[int, int]] = []
    pasted: list[tuple[int, int]] = []
    for match in _LINE.finditer(body):
        line = match.group()
        if not line:
            continue
        line_text, line_bad = _collect(line, "utf-8")
        if line_bad and _pasted_cp1252(line, line_text, line_bad):
            line_text = line.decode("cp1252")
            pasted.append((offsets.original(match.start()), offsets.original(match.end() - 1) + 1))
        else:
            at = match.start()
            replaced.extend((offsets.original(at + s), offsets.original(at + e - 1) + 1) for s, e in line_bad)
        parts.append(line_text)
    if sum(e - s for s, e in replaced) > max(16, MAX_BAD_SHARE * len(body)):
        raise NotText(f"binary data, not a text article ({_count(len(replaced), 'byte sequence')} not valid UTF-8)")
    if replaced:
        warnings.append(f"{_count(len(replaced), 'byte sequence')} not valid UTF-8, replaced with U+FFFD ({_where(replaced)})")
    if pasted:
        warnings.append(f"{_count(len(pasted), 'line')} not UTF-8, decoded as Windows-1252 ({_where(pasted)})")
    return "".join(parts), warnings, "utf-8+windows-1252" if pasted else "utf-8"


def _pasted_cp1252(line: bytes, text: str, bad: list[tuple[int, int]]) -> bool:
    """True when a line with bad UTF-8 reads as Windows-1252 text: no valid UTF-8 beyond ASCII, no byte that
    Windows-1252 leaves undefined or that mostly comes from broken UTF-8, and most bad bytes letters or
    typographic punctuation there."""
    if len(_NON_ASCII.findall(text)) != len(bad):
        return False
    chars = [bytes([byte]).decode("cp1252", errors="replace") for s, e in bad for byte in line[s:e]]
    if any(char == "\ufffd" or char in _NOT_PASTED_LETTERS for char in chars):
        return False
    return 2 * sum(char.isalpha() or char in _PASTED_PUNCTUATION for char in chars) > len(chars)


def _drop_nuls(raw: bytes, start: int) -> tuple[bytes, list[tuple[int, int]], list[str]]:
    """The bytes from ``start`` without NULs, the (start, end) offsets of the NUL runs dropped, and a warning."""
    body = raw[start:]
    runs = [(start + m.start(), start + m.end()) for m in _NUL_RUN.finditer(body)]
    if not runs:
        return body, [], []
    inside = sum(e - s for s, e in runs if s > start and e < len(raw))  # padding at either end does not count
    if inside > MAX_NUL_SHARE * max(1, len(body.strip(b"\x00"))):
        raise NotText("binary data, not a text article")
    total = sum(e - s for s, e in runs)
    return body.replace(b"\x00", b""), runs, [f"{_count(total, 'NUL byte')} dropped ({_where(runs)})"]


# --- helpers --------------------------------------------------------------------------------------------------------


def _collect(data: bytes, encoding: str) -> tuple[str, list[tuple[int, int]]]:
    """Decode, with U+FFFD for each undecodable sequence; returns the text and those sequences' (start, end) offsets."""
    decode = codecs.getdecoder(encoding)
    view = memoryview(data)
    parts: list[str] = []
    bad: list[tuple[int, int]] = []
    pos = 0
    while pos < len(view):
        try:
            parts.append(decode(view[pos:], "strict")[0])
            break
        except UnicodeDecodeError as exc:
            parts.append(decode(view[pos:pos + exc.start], "strict")[0])
            parts.append("\ufffd")
            bad.append((pos + exc.start, pos + exc.end))
            pos += exc.end
    return "".join(parts), bad


class _OffsetMap:
    """Maps offsets in bytes with some runs removed back to offsets in the original bytes."""

    def __init__(self, removed: list[tuple[int, int]], start: int) -> None:
        self._at: list[int] = []  # where each removed run was, in the shortened bytes (counted from ``start``)
        self._before: list[int] = []  # bytes removed up to and including that run
        total = 0
        for s, e in removed:
            self._at.append(s - start - total)
            total += e - s
            self._before.append(total)
        self._start = start

    def original(self, offset: int) -> int:
        """The original offset of byte ``offset`` of the shortened bytes."""
        i = bisect.bisect_right(self._at, offset)
        return self._start + offset + (self._before[i - 1] if i else 0)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _where(spans: list[tuple[int, int]]) -> str:
    """``byte offset 12`` or ``byte offsets 12, 40-47 and 3 more``: (start, end) spans, end exclusive, merged."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    shown = [str(s) if e - s == 1 else f"{s}-{e - 1}" for s, e in merged[:_LISTED]]
    more = f" and {len(merged) - _LISTED} more" if len(merged) > _LISTED else ""
    label = "byte offset" if len(merged) == 1 and merged[0][1] - merged[0][0] == 1 else "byte offsets"
    return f"{label} {', '.join(shown)}{more}"
