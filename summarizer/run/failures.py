"""Write errors of a run as one line each: a full disk stops the run, anything else fails what it was writing."""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..errors import OutputError
from .options import RunReport

__all__ = ["DISK_FULL", "cause", "output_error", "reported", "where"]

log = logging.getLogger(__name__)

DISK_FULL = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS})  # no later write can succeed either

T = TypeVar("T")


def where(exc: OSError, default: Path) -> str:
    """The path an OSError is about, else ``default``."""
    return str(exc.filename) if exc.filename else str(default)


def cause(exc: OSError) -> str:
    """An OSError's cause in words (`Permission denied`)."""
    return exc.strerror or type(exc).__name__


def output_error(exc: OSError, folder: Path, what: str) -> OutputError:
    """The error that stops a run on a full disk (or a file size limit, or a read-only file system)."""
    return OutputError(
        f"{folder}: cannot write {what} ({exc.strerror}); the outputs written before it are complete. "
        "Free some space (or pass another --out) and rerun: finished work is cached"
    )


def reported(write: Callable[[], T], out: Path, what: str, report: RunReport, *, doing: str = "write") -> T | None:
    """``write()``; an OSError other than a full disk becomes one line in ``report.unwritten`` and None.

    ``doing``: the verb of that line (`cannot remove ...` for a removal).
    """
    try:
        return write()
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise output_error(exc, out, what) from exc
        path, problem = where(exc, out), f"cannot {doing} {what} ({cause(exc)})"
        report.unwritten[path] = problem
        log.info("%s: %s", path, problem)
        return None
