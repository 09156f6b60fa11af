"""The signature stamped on every output: what made it, in one line that can be parsed back (as sacrebleu's)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

__all__ = ["ModelStamp", "Signature"]

_MODEL = re.compile(r"(?P<role>[\w-]+):(?P<name>[^@|()]*)@(?P<revision>[^@|()]*)\((?P<compute>[^()|]*)\)")

_SAFE = " :+,[]{}~!$&'*;="  # kept as is in names; `|`, `@`, `(`, `)`, `%` and `/` are escaped so the line splits cleanly


@dataclass(frozen=True)
class ModelStamp:
    """One role's model in a signature: its name, a short revision and how it was computed."""

    role: str
    name: str  # the last part of the hub id or directory
    revision: str  # first 12 characters of the commit or content digest
    compute: str  # engine:device:precision

    @classmethod
    def of(cls, role: str, model_id: str, revision: str, compute: str) -> ModelStamp:
        """The stamp of a model as recorded in a record's `models`."""
        return cls(role=role, name=Path(model_id).name, revision=revision.split(":")[-1][:12], compute=compute)


@dataclass(frozen=True)
class Signature:
    """`summarize:<version>|<role>:<model>@<revision>(<compute>)|...|beam:...|len:...|minr:...|lp:...|nrng:...`.

    Every role carries its own compute (engine:device:precision): a run may convert one
    model to CTranslate2 and fall back to torch for another.
    """

    version: str
    models: tuple[ModelStamp, ...]
    beams: tuple[int, ...]  # per role, in the order of `models`
    min_length: int
    max_length: int
    min_length_ratio: float
    length_penalty: float
    no_repeat_ngram_size: int

    def __str__(self) -> str:
        parts = [f"summarize:{self.version}"]
        parts += [f"{m.role}:{quote(m.name, safe=_SAFE)}@{m.revision}({m.compute})" for m in self.models]
        parts += [f"beam:{'/'.join(map(str, self.beams))}"]
        parts += [f"len:{self.min_length}-{self.max_length}", f"minr:{self.min_length_ratio}", f"lp:{self.length_penalty}",
                  f"nrng:{self.no_repeat_ngram_size}"]
        return "|".join(parts)

    @classmethod
    def parse(cls, text: str) -> Signature:
        """The signature a line describes; ValueError when it is not one."""
        parts = text.strip().split("|")
        fields = dict(part.split(":", 1) for part in parts if ":" in part)
        models = []
        for part in parts[1:]:
            match = _MODEL.fullmatch(part)
            if match:
                models.append(ModelStamp(match["role"], unquote(match["name"]), match["revision"], match["compute"]))
        try:
            low, high = fields["len"].split("-")
            return cls(
                version=fields["summarize"],
                models=tuple(models),
                beams=tuple(int(b) for b in fields["beam"].split("/")),
                min_length=int(low),
                max_length=int(high),
                min_length_ratio=float(fields["minr"]),
                length_penalty=float(fields["lp"]),
                no_repeat_ngram_size=int(fields["nrng"]),
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"not a summarize signature: {text!r} ({exc})") from None
