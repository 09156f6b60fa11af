"""The model roles of the pipeline: one registry, used by the lock, the loader and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Role", "ROLES", "role"]


@dataclass(frozen=True)
class Role:
    """One model slot of the pipeline."""

    name: str  # key in models.lock and in output records
    default_id: str  # hub id used when nothing overrides it
    task: str  # "translate" or "summarize": part of every cache key
    option: str  # CLI option that overrides it
    envvar: str  # environment variable that overrides it
    description: str  # what the model does, for help texts


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role("nl-en", "Helsinki-NLP/opus-mt-nl-en", "translate", "--nl-en", "SUMMARIZE_NL_EN", "Dutch-to-English translation"),
        Role("summarizer", "sshleifer/distilbart-cnn-12-6", "summarize", "--summarizer", "SUMMARIZE_SUMMARIZER",
             "English summarization"),
        Role("en-nl", "Helsinki-NLP/opus-mt-en-nl", "translate", "--en-nl", "SUMMARIZE_EN_NL", "English-to-Dutch translation"),
    )
}


def role(name: str) -> Role:
    """Look a role up by name."""
    return ROLES[name]
