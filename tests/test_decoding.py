"""Decoding article bytes: every encoding class keeps its text, repairs are warned with byte offsets, binary is refused."""

from __future__ import annotations

import codecs
import gzip
import io
import logging
import random
import sys
import zipfile
from pathlib import Path

import pytest

from summarizer.errors import ArticleError
from summarizer.inputs.articles import decode, read_article
from summarizer.inputs.decoding import decode_bytes

TEXT = (
    "Brand in café De Zwaan\n\nHet café in één straat is dicht. De eigenaar zegt dat de ruïne wordt gesloopt.\n\n"
    "De coöperatie betaalt. Het kost € 120.000, zei de wethouder.\n"
)
U8 = TEXT.encode("utf-8")
PASTED = "Dit is geplakt uit Word: één café, “citaat” en ruïne.\n"  # one paragraph of Windows-1252 in a UTF-8 file
HEAD = (TEXT * 10).encode("utf-8")
A, B = TEXT[:30], TEXT[30:]  # TEXT cut after its first accents: byte offsets differ from character offsets
A8, B8 = A.encode("utf-8"), B.encode("utf-8")


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("article.txt", TEXT * 50)
    return buf.getvalue()


# (id, raw bytes, expected text, warning fragments: each must appear in a warning; none means no warning)
CASES = [
    ("utf-8", U8, TEXT, []),
    ("utf-8-bom", codecs.BOM_UTF8 + U8, TEXT, []),
    ("utf-16-le-bom", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), TEXT, []),
    ("utf-16-be-bom", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), TEXT, []),
    ("utf-16-le", TEXT.encode("utf-16-le"), TEXT, ["no byte order mark; read as UTF-16-LE"]),
    ("utf-16-be", TEXT.encode("utf-16-be"), TEXT, ["no byte order mark; read as UTF-16-BE"]),
    ("utf-32-le-bom", codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), TEXT, []),
    ("utf-32-be-bom", codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), TEXT, []),
    ("utf-32-le", TEXT.encode("utf-32-le"), TEXT, ["no byte order mark; read as UTF-32-LE"]),
    ("utf-32-be", TEXT.encode("utf-32-be"), TEXT, ["no byte order mark; read as UTF-32-BE"]),
    ("crlf", TEXT.replace("\n", "\r\n").encode(), TEXT, []),
    ("cr-only", TEXT.replace("\n", "\r").encode(), TEXT, []),
    ("mixed-endings", TEXT.replace("\n\n", "\r\n\r\n", 1).replace(".\n\n", ".\r\r").encode(), TEXT, []),
    ("crlf-utf-16", TEXT.replace("\n", "\r\n").encode("utf-16"), TEXT, []),
    ("nul-padded", U8 + b"\x00" * 4096, TEXT, [f"4096 NUL bytes dropped (byte offsets {len(U8)}-{len(U8) + 4095})"]),
    ("nul-led", b"\x00" * 16 + U8, TEXT, ["16 NUL bytes dropped (byte offsets 0-15)"]),
    ("one-nul", U8[:20] + b"\x00" + U8[20:], TEXT, ["1 NUL byte dropped (byte offset 20)"]),
    ("utf-16-nul-padded", TEXT.encode("utf-16-le") + b"\x00" * 64, TEXT,
     [f"32 NUL characters dropped (byte offsets {2 * len(TEXT)}-{2 * len(TEXT) + 63})", "no byte order mark"]),
    ("utf-16-bom-nul-padded", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le") + b"\x00" * 8, TEXT,
     [f"4 NUL characters dropped (byte offsets {2 + 2 * len(TEXT)}-{2 + 2 * len(TEXT) + 7})"]),
    ("bad-byte-start", b"\xff" + U8, "\ufffd" + TEXT, ["1 byte sequence not valid UTF-8, replaced with U+FFFD (byte offset 0)"]),
    ("bad-byte-middle", A8 + b"\x81" + B8, A + "\ufffd" + B,
     [f"1 byte sequence not valid UTF-8, replaced with U+FFFD (byte offset {len(A8)})"]),
    ("truncated-end", U8 + b"\xc3", TEXT + "\ufffd", [f"(byte offset {len(U8)})"]),
    ("bad-bytes-three-places", b"\xfe" + A8 + b"\xff\xff" + B8 + b"\xff", "\ufffd" + A + "\ufffd\ufffd" + B + "\ufffd",
     [f"4 byte sequences not valid UTF-8, replaced with U+FFFD (byte offsets 0, {len(A8) + 1}-{len(A8) + 2}, {len(U8) + 3})"]),
    ("bad-byte-after-bom", codecs.BOM_UTF8 + U8[:10] + b"\xff" + U8[10:], TEXT[:10] + "\ufffd" + TEXT[10:], ["(byte offset 13)"]),
    ("bad-byte-after-nul", A8[:5] + b"\x00" + A8[5:] + b"\xff" + B8, A + "\ufffd" + B,
     ["1 NUL byte dropped (byte offset 5)", f"replaced with U+FFFD (byte offset {len(A8) + 1})"]),  # offsets in the file
    ("windows-1252", TEXT.encode("cp1252"), TEXT, ["not UTF-8; decoded as Windows-1252", "first at byte offset 12"]),
    ("latin-1", "één café, ruïne en coördinatie".encode("latin-1"), "één café, ruïne en coördinatie",
     ["not UTF-8; decoded as Windows-1252 (5 bytes outside ASCII, first at byte offset 0)"]),
    ("windows-1252-crlf", TEXT.replace("\n", "\r\n").encode("cp1252"), TEXT, ["decoded as Windows-1252"]),
    ("pasted-windows-1252-paragraph", HEAD + PASTED.encode("cp1252") + HEAD, TEXT * 10 + PASTED + TEXT * 10,
     [f"1 line not UTF-8, decoded as Windows-1252 (byte offsets {len(HEAD)}-{len(HEAD) + len(PASTED) - 1})"]),
    ("pasted-with-symbols", HEAD + "Prijs: 2 × € 5,00 ± 10%; één café.\n".encode("cp1252"),
     TEXT * 10 + "Prijs: 2 × € 5,00 ± 10%; één café.\n", ["1 line not UTF-8, decoded as Windows-1252"]),
    ("damaged-line-without-accents", HEAD + b"De \xb1\xd7 prijs.\n", TEXT * 10 + "De \ufffd\ufffd prijs.\n",
     [f"replaced with U+FFFD (byte offsets {len(HEAD) + 3}-{len(HEAD) + 4})"]),  # no letter among the bad bytes
    ("pasted-and-damaged", HEAD + PASTED.encode("cp1252") + b"De \xff prijs.\n",
     TEXT * 10 + PASTED + "De \ufffd prijs.\n",
     [f"replaced with U+FFFD (byte offset {len(HEAD) + len(PASTED) + 3})", "1 line not UTF-8, decoded as Windows-1252"]),
]


@pytest.mark.parametrize(("raw", "expected", "warnings"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_text_is_kept(raw, expected, warnings, tmp_path, caplog):
    caplog.set_level(logging.WARNING)  # a CLI test before may have left the root logger at ERROR
    path = tmp_path / "a.txt"
    assert decode(raw, path) == expected
    logged = [r.getMessage() for r in caplog.records]
    for fragment in warnings:
        assert any(fragment in line and str(path) in line for line in logged), (fragment, logged)
    if not warnings:
        assert not logged


@pytest.mark.parametrize(("raw", "expected", "warnings"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_warnings_are_returned(raw, expected, warnings):
    decoded = decode_bytes(raw)
    assert decoded.text == expected
    for fragment in warnings:
        assert any(fragment in warning for warning in decoded.warnings), (fragment, decoded.warnings)
    if not warnings:
        assert decoded.warnings == ()


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [(U8, "utf-8"), (TEXT.encode("utf-16-be"), "utf-16-be"), (TEXT.encode("cp1252"), "windows-1252"),
     (HEAD + PASTED.encode("cp1252"), "utf-8+windows-1252"), (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32-le")],
)
def test_encoding_is_named(raw, encoding):
    assert decode_bytes(raw).encoding == encoding


@pytest.mark.parametrize("endings", ["\r", "\r\n", "\n", "mixed"])
def test_line_endings_keep_headline_and_paragraphs(endings, tmp_path):
    lines = TEXT.split("\n")
    if endings == "mixed":
        raw = "\r".join(lines[:2]) + "\r\n" + "\n".join(lines[2:])
    else:
        raw = endings.join(lines)
    path = tmp_path / "a.txt"
    path.write_bytes(raw.encode("utf-8"))
    article = read_article(path, "a.txt")
    assert article.title == "Brand in café De Zwaan"
    assert len(article.paragraphs) == 2
    assert article.paragraphs[1][0] == "De coöperatie betaalt."


def test_article_carries_its_decode_warnings(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(U8[:30] + b"\x00" + U8[30:])
    assert read_article(path, "a.txt").decode_warnings == ("1 NUL byte dropped (byte offset 30)",)
    path.write_bytes(U8)
    assert read_article(path, "a.txt").decode_warnings == ()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
BINARY = [
    ("png", PNG, "PNG image"),
    ("png-body", PNG[8:], ""),
    ("zip", _zip(), "ZIP archive"),
    ("zip-body", _zip()[30:], ""),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + gzip.compress(U8 * 20), "PDF"),
    ("gzip", gzip.compress(U8 * 20), "gzip"),
    ("random", random.Random(0).randbytes(8192), ""),
    ("random-no-nul", random.Random(1).randbytes(8192).replace(b"\x00", b"x"), ""),
    ("executable", Path(sys.executable).read_bytes()[:65536], "executable"),
    ("executable-body", Path(sys.executable).read_bytes()[:65536][64:], ""),
    ("high-bytes-only", bytes(range(128, 256)) * 20, ""),
    ("text-shot-with-nuls", bytes(b for i, c in enumerate(U8 * 5) for b in ((c, 0) if i % 4 == 0 else (c,))), ""),
    ("control-bytes", bytes(i % 32 for i in range(1, 2000) if i % 32), ""),
]


@pytest.mark.parametrize(("raw", "what"), [b[1:] for b in BINARY], ids=[b[0] for b in BINARY])
def test_binary_is_refused_with_a_reason(raw, what, tmp_path):
    path = tmp_path / "x.txt"
    with pytest.raises(ArticleError, match="binary data") as info:
        decode(raw, path)
    assert str(path) in str(info.value) and what in str(info.value)


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00", codecs.BOM_UTF16_LE + b"\x00\xd8" * 50, codecs.BOM_UTF32_BE + b"\xff" * 400])
def test_broken_wide_text_is_refused(raw, tmp_path):
    with pytest.raises(ArticleError, match="byte order mark but is not valid UTF-(16|32)"):
        decode(raw, tmp_path / "x.txt")


def test_a_truncated_utf16_file_keeps_its_text():
    raw = codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le") + b"\x41"  # an odd last byte
    decoded = decode_bytes(raw)
    assert decoded.text == TEXT + "\ufffd"
    assert decoded.warnings == (f"1 byte sequence not valid UTF-16-LE, replaced with U+FFFD (byte offset {len(raw) - 1})",)


def test_only_nuls_is_empty_text_not_binary():
    assert decode_bytes(b"\x00" * 100).text == ""


def test_many_warnings_list_the_first_offsets_and_count_the_rest():
    raw = b"".join(b"Zin %d is \xff kapot, maar \xc3\xa9\xc3\xa9n woord is goed.\n" % i for i in range(20))
    (warning,) = decode_bytes(raw).warnings
    assert warning.startswith("20 byte sequences not valid UTF-8") and warning.endswith(" and 12 more)")
