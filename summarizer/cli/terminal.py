"""Text for the terminal: control characters in names and messages shown escaped, as `ls` does, never executed."""

from __future__ import annotations

import logging
import re

__all__ = ["for_terminal", "SafeFormatter"]

# C0 and C1 controls (ESC starts colour and window-title sequences), DEL, and the bidi overrides that reorder text.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def for_terminal(text: str) -> str:
    """``text`` with every control or bidi character written as an escape (`\\n`, `\\e`, `\\x07`, `\\u202e`)."""
    return _UNSAFE.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                            else f"\\u{ord(m.group()):04x}"), text)


class SafeFormatter(logging.Formatter):
    """A log formatter whose lines cannot carry terminal escapes or forge extra lines."""

    def format(self, record: logging.LogRecord) -> str:
        return for_terminal(super().format(record))
