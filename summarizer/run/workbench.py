"""The workbench of a run: one engine and one set of generation settings per role, the cache, and the model work on them.

`Workbench.build` resolves each role's model and makes its engine following an
`EnginePlan`; its methods translate, summarize and segment with the cache in front of
every model call, and redo looping output once with stricter settings.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..cache import Cache, cache_key, default_cache_dir
from ..engines.base import Engine
from ..engines.factory import make_engine
from ..engines.ray import ray_engines
from ..generation.repetition import find_loop, guard
from ..generation.settings import SummarySettings, TranslationSettings, published_settings
from ..generation.summarize import summarize_many
from ..generation.translate import translate
from ..inputs.articles import split_dutch
from ..models.lock import read_lock
from ..models.roles import ROLES
from ..models.sources import ModelSource, model_store, resolve_source
from .options import Reporter, RunOptions
from .plan import EnginePlan
from .reporting import Announced

__all__ = ["Workbench", "store_root"]


@lru_cache(maxsize=1)
def _segmenter_revision() -> dict[str, str]:
    """Identity of the sentence segmenter for cache keys: pysbd's version and our segmentation rules' source."""
    from importlib.metadata import version

    from ..inputs import segment

    rules = hashlib.sha256(Path(segment.__file__).read_bytes()).hexdigest()[:16]
    return {"id": "pysbd", "revision": f"{version('pysbd')}+{rules}"}


def store_root(options: RunOptions) -> Path:
    """Where converted models go (`models/` for safetensors, `ct2/` for CTranslate2): the cache dir, else the platform's."""
    return options.cache_dir or default_cache_dir()


@dataclass
class Workbench:
    """Engines, settings and cache of one run; every model call of the run goes through here."""

    options: RunOptions
    plan: EnginePlan
    cache: Cache
    engines: dict[str, Engine]  # role -> engine
    translation: dict[str, TranslationSettings]  # per translation role: the checkpoint's settings with the overrides
    summary: SummarySettings

    @classmethod
    def build(cls, options: RunOptions, plan: EnginePlan, cache: Cache) -> Workbench:
        """Resolve every role's model (downloading and converting if needed) and make its engine; loads no weights."""
        lock = read_lock(options.lock_path)
        root = store_root(options)
        sources: dict[str, ModelSource] = {
            role: resolve_source(role, options.models.get(role), lock, cache, store=model_store(root),
                                 allow_download=options.allow_download)
            for role in ROLES
        }
        engines = {
            role: make_engine(plan.local, source, device=plan.device, dtype=plan.dtype, store=root / "ct2")
            for role, source in sources.items()
        }
        if plan.on_ray:
            assert plan.cluster is not None
            engines = ray_engines(engines, plan.local, device=plan.device, dtype=plan.dtype, store=root / "ct2",
                                  cluster=plan.cluster)
        published = {role: published_settings(s.path, task="summarization" if role == "summarizer" else "translation")
                     for role, s in sources.items()}
        translation = {role: options.settings.translation(published[role]) for role in ROLES if role != "summarizer"}
        summary = options.settings.summary(published["summarizer"])
        return cls(options=options, plan=plan, cache=cache, engines=engines, translation=translation, summary=summary)

    def settings_record(self) -> dict[str, dict[str, Any]]:
        """Each role's generation settings, as recorded in outputs."""
        return {role: (self.summary if role == "summarizer" else self.translation[role]).as_dict() for role in ROLES}

    @property
    def loads(self) -> int:
        """Model loads so far, over every role."""
        return sum(e.loads for e in self.engines.values())

    @property
    def retries(self) -> int:
        """Batches re-run after a worker failure, over every role."""
        return sum(e.retries for e in self.engines.values())

    def close(self) -> None:
        """Release every engine (Ray workers stop)."""
        for engine in self.engines.values():
            engine.close()

    def split_cached(self, paragraphs: list[str]) -> list[list[str]]:
        """Dutch sentences of each paragraph, from the cache when this segmenter has seen it (pysbd is slow)."""
        keys = [
            cache_key(task="segment:nl", model=_segmenter_revision(), settings={}, compute="python", text=p) for p in paragraphs
        ]
        done = self.cache.get_many(keys)
        todo = {k: p for k, p in zip(keys, paragraphs) if k not in done}
        if todo:
            new = dict(zip(todo, split_dutch(list(todo.values()))))
            self.cache.put_many("segment:nl", new)
            done.update(new)
        return [done[k] for k in keys]

    def translate(self, role: str, texts: list[str], reporter: Reporter, *, settings: TranslationSettings | None = None,
                  stage: str | None = None) -> list[str]:
        """Each text translated by ``role`` (cached, deduplicated, batched)."""
        reporter.stage(stage or f"translating {role}", len(texts))
        return translate(
            texts,
            engine=Announced(self.engines[role], reporter),
            settings=settings or self.translation[role],
            cache=self.cache,
            task=f"translate:{role}",
            batch_tokens=self.plan.batch_tokens,
            on_progress=reporter.advance,
        )

    def summarize(self, documents: list[list[str]], reporter: Reporter, *, settings: SummarySettings | None = None,
                  stage: str | None = None) -> list[str]:
        """Each document's summary: cached ones first, then all the others together, each cached as soon as it is done."""
        engine = Announced(self.engines["summarizer"], reporter)
        settings = settings or self.summary
        keys = [
            cache_key(task="summarize", model=engine.source.ref(), settings=settings.as_dict(), compute=engine.compute,
                      text="\n".join(sentences))
            for sentences in documents
        ]
        done = self.cache.get_many(keys)
        reporter.stage(stage or "summarizing", len(documents))
        copies = Counter(keys)  # a document repeated in the window counts once per copy for progress
        reporter.advance(sum(copies[k] for k in done))
        todo = {k: sentences for k, sentences in zip(keys, documents) if k not in done}
        order = list(todo)

        def finished(index: int, summary: str) -> None:
            key = order[index]
            self.cache.put_many("summarize", {key: summary})
            done[key] = summary
            reporter.advance(copies[key])

        summarize_many(list(todo.values()), engine=engine, settings=settings, batch_tokens=self.plan.batch_tokens * 4,
                       on_done=finished)
        return [done[k] for k in keys]

    def translate_guarded(self, role: str, texts: list[str], reporter: Reporter) -> tuple[list[str], list[str | None]]:
        """Translations, looping ones redone once with stricter settings; with the loop each still shows, or None."""
        strict = self.translation[role].strict()
        return self._guarded(texts, self.translate(role, texts, reporter),
                             lambda redo: self.translate(role, [texts[i] for i in redo], reporter, settings=strict,
                                                         stage=f"retrying loops ({role})"))

    def summarize_guarded(self, documents: list[list[str]], reporter: Reporter) -> tuple[list[str], list[str | None]]:
        """Summaries, looping ones redone once with stricter settings; with the loop each still shows, or None."""
        strict = self.summary.strict()
        return self._guarded([" ".join(d) for d in documents], self.summarize(documents, reporter),
                             lambda redo: self.summarize([documents[i] for i in redo], reporter, settings=strict,
                                                         stage="retrying loops (summarizer)"))

    def _guarded(self, inputs: list[str], outputs: list[str],
                 regenerate: Callable[[list[int]], list[str]]) -> tuple[list[str], list[str | None]]:
        if not self.options.retry_loops:
            return outputs, [find_loop(t) for t in outputs]
        result, loops, _ = guard(outputs, inputs, regenerate)
        return result, loops
