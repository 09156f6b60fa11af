"""Small valid article records written straight into an out/ folder, for the archive and index tests (no models)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from summarizer.outputs.paths import plan_outputs
from summarizer.outputs.writers import WRITERS


def record(name: str, day: str, *, title: str | None = None, summary: tuple[str, ...] = ("The summit goes ahead.",),
           sentences: tuple[tuple[str, str], ...] = (), file: str | None = None, url: str | None = None,
           agency: str | None = "ANP") -> dict:
    """A schema-1 article record: ``sentences`` as (nl, en) pairs, each summary sentence citing sentence 1."""
    pairs = sentences or tuple((f"Zin {i} van {name}.", f"Sentence {i} of {name}.") for i in range(3))
    return {
        "schema": 1,
        "source": {"path": file or name, "name": name, "sha256": "0" * 64, "decode_warnings": [], "file": file},
        "meta": {"date": day[:7], "title": {"nl": f"NL {title}", "en": title} if title else None, "dateline": None,
                 "published": day if len(day) == 10 else None, "time": None, "source": agency, "byline": None,
                 "sections": [], "dates": [], "url": url, "site": None, "origin": "text", "provided": []},
        "translation": [{"paragraph": 0, "nl": nl, "en": en, "loop": None} for nl, en in pairs],
        "dropped": [],
        "summary": [{"en": s, "nl": f"NL: {s}", "loop": None, "sources": [1], "unsupported": [], "unsupported_nl": []}
                    for s in summary],
        "summary_loop": None,
        "models": {},
        "settings": {},
        "signature": "test",
    }


def write(out: Path, rec: dict, *, mtime: float | None = None, all_files: bool = False) -> Path:
    """Write a record where a run would (and its other outputs with ``all_files``); its record file's path."""
    files = plan_outputs([rec["source"]["name"]], out).paths(rec["source"]["name"])
    files["json"].parent.mkdir(parents=True, exist_ok=True)
    for suffix, path in files.items():
        if suffix == "json" or all_files:
            path.write_text(WRITERS[suffix](rec) if suffix in WRITERS else json.dumps(rec), encoding="utf-8")
    if mtime is not None:
        os.utime(files["json"], (mtime, mtime))
    return files["json"]
