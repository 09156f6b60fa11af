"""Typed errors raised by the library; the CLI maps them to exit codes and one-line messages."""

from __future__ import annotations

__all__ = [
    "first_line",
    "SummarizerError",
    "UsageError",
    "LockError",
    "ModelNotFoundError",
    "ModelLoadError",
    "ArticleError",
    "CacheError",
    "OutputError",
    "Interrupted",
    "Terminated",
    "TerminateSignal",
]


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type name: enough for a one-line error."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class SummarizerError(Exception):
    """Base class of every error this package raises on purpose."""


class UsageError(SummarizerError):
    """The command was asked for something impossible (missing input, bad output dir...)."""


class LockError(SummarizerError):
    """models.lock is missing, malformed, or disagrees with the files on disk."""


class ModelNotFoundError(SummarizerError):
    """A model role could not be found locally and could not be downloaded."""


class ModelLoadError(SummarizerError):
    """A model directory exists but cannot be loaded (missing tokenizer, weights...)."""


class ArticleError(SummarizerError):
    """One input article cannot be processed; the rest of the batch goes on."""

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class CacheError(SummarizerError):
    """The result cache cannot be opened or written."""


class OutputError(SummarizerError):
    """An output file cannot be written (disk full, file size limit, read-only): the run stops."""


class Interrupted(SummarizerError):
    """The run was interrupted (Ctrl-C); says how far it got."""

    def __init__(self, *, done: int, failed: int, total: int) -> None:
        super().__init__(
            f"interrupted after {done} of {total} articles written ({failed} failed); "
            "finished outputs and cached results are kept, rerun the same command to resume"
        )
        self.done, self.failed, self.total = done, failed, total


class TerminateSignal(KeyboardInterrupt):
    """Raised by a SIGTERM handler (the CLI installs one) so that a run stops as it does on Ctrl-C."""


class Terminated(Interrupted):
    """The run was stopped by SIGTERM (`docker stop`, systemd, CI timeouts); says how far it got."""
