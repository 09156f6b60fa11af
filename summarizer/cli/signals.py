"""SIGTERM (`docker stop`, systemd, CI timeouts) handled as Ctrl-C is: the run stops cleanly and says how far it got."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Optional

from ..errors import TerminateSignal

__all__ = ["sigterm_as_interrupt"]


def _raise(signum: int, frame: Optional[FrameType]) -> None:
    raise TerminateSignal()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises TerminateSignal (a KeyboardInterrupt) in the main thread."""
    if threading.current_thread() is not threading.main_thread():  # handlers can only be set from the main thread
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
