"""The Ray engine: the driver keeps cache, dedupe and batching; batch jobs run on actor pools, one per model role."""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from functools import lru_cache, partial
from typing import Any

from ..errors import ModelLoadError, SummarizerError, UsageError
from ..models.sources import ModelSource
from .base import Engine, Job, WrappedEngine
from .factory import EngineName, make_engine

__all__ = ["ClusterOptions", "RayEngine", "plan_cluster", "ray_engines", "require_ray", "NAME_PREFIX"]

log = logging.getLogger(__name__)

NAME_PREFIX = "summarize"  # actor names: summarize:<role>:<index>:<run id>
MAX_RESTARTS = 4  # a dead worker is restarted this often (it reloads its model)...
MAX_TASK_RETRIES = 4  # ...and the batches it held are re-run this often
JOBS_PER_ACTOR = 2  # in flight per actor: one running, one queued, so no actor waits on the driver


@dataclass(frozen=True)
class ClusterOptions:
    """Where and how wide a Ray run goes."""

    address: str | None = None  # None: a local Ray instance on this machine
    workers: int | None = None  # actors per model role; None: from the cluster's CPUs or GPUs
    gpus_per_worker: float | None = None  # None: 1 when the device is cuda, else 0


def require_ray() -> None:
    """Raise a UsageError with the install command when Ray is missing."""
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        raise UsageError("--engine ray needs Ray: pip install 'summarize-nl[ray]'")


@lru_cache(maxsize=1)
def _worker_class() -> Any:
    import ray

    @ray.remote
    class Worker:
        """One model of one role, loaded once in its own process."""

        def __init__(self, factory: Callable[[], Engine], compute: str, threads: int) -> None:
            if threads:  # before torch or CTranslate2 is imported here
                os.environ["OMP_NUM_THREADS"] = str(threads)
            self.engine = factory()
            if self.engine.compute != compute:  # results would not match the driver's cache keys
                raise ModelLoadError(f"worker computes with {self.engine.compute}, the driver keys results as {compute}")
            self.engine.preload()  # load now: a restarted worker is ready before it takes work

        def pid(self) -> int:
            return os.getpid()

        def loads(self) -> int:
            return self.engine.loads

        def generate(self, texts: list[str], kwargs: dict[str, Any]) -> tuple[list[str], int]:
            return self.engine.generate(texts, **kwargs), os.getpid()

    return Worker


class RayEngine(WrappedEngine):
    """Same interface as the local engines; `generate_batches` spreads jobs over a pool of Ray actors.

    ``local`` is an unloaded local engine: the driver uses only its tokenizer (token counts
    and limits) and its `compute`, so cache keys and outputs equal a local run's.
    ``factory`` builds the same engine inside each actor, which loads the model once.
    """

    name = "ray"

    def __init__(self, local: Engine, factory: Callable[[], Engine], *, cluster: ClusterOptions, share: int = 1) -> None:
        self.local = local
        self.factory = factory
        self.cluster = cluster
        self.share = share  # roles sharing one worker slot's resources; only one role is busy at a time
        self._loads = 0  # model loads on workers, restarts included
        self._retries = 0  # batches that a worker failure sent to a restarted worker
        self._actors: list[Any] = []
        self._pids: list[int] = []
        self._busy: list[int] = []
        self._lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()
        self._started_ray = False

    @property
    def inner(self) -> Engine:
        """The unloaded local engine: the driver uses only its tokenizer, limits and compute."""
        return self.local

    @property
    def source(self) -> ModelSource:
        """The role's model."""
        return self.local.source

    @property
    def loads(self) -> int:
        """Model loads on workers, restarts included."""
        return self._loads

    @property
    def retries(self) -> int:
        """Batches a worker failure sent to a restarted worker."""
        return self._retries

    def concurrency(self) -> int:
        """How many callers of `generate_batches` can usefully run at once (starts the workers)."""
        self._start()
        return len(self._actors) * JOBS_PER_ACTOR

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token count of each text, on the driver (the tokenizer is not thread-safe)."""
        with self._tokenizer_lock:
            return self.local.count_tokens(texts)

    def preload(self) -> None:
        """Start the workers, which load their models as they start."""
        self._start()

    def generate_batches(self, jobs: Iterable[Job]) -> Iterator[list[str]]:
        """Outputs of each job in order; at most JOBS_PER_ACTOR jobs per actor are in flight, so memory stays bounded."""
        import ray

        jobs = iter(jobs)
        first = next(jobs, None)
        if first is None:
            return
        self._start()
        limit = JOBS_PER_ACTOR * len(self._actors)
        pending: dict[Any, tuple[int, int, int]] = {}  # ref -> (sequence number, actor index, pid at submission)
        ready: dict[int, list[str]] = {}
        submitted = emitted = 0
        job: tuple[list[str], dict[str, Any]] | None = first
        try:
            while True:
                while job is not None and len(pending) + len(ready) < limit:
                    index, pid = self._pick()
                    texts, kwargs = job
                    pending[self._actors[index].generate.remote(texts, kwargs)] = (submitted, index, pid)
                    submitted += 1
                    job = next(jobs, None)
                if emitted in ready:
                    yield ready.pop(emitted)
                    emitted += 1
                    continue
                if not pending:
                    return
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    seq, index, pid = pending.pop(ref)
                    ready[seq] = self._collect(ref, index, pid)
        finally:
            for seq, index, _ in pending.values():
                self._release(index)

    def worker_pids(self) -> list[int]:
        """Process ids of this role's workers (as last seen by the driver)."""
        return list(self._pids)

    def close(self) -> None:
        """Stop the workers, and the local Ray instance if this engine started it."""
        if not self._actors:
            return
        import ray

        if ray.is_initialized():  # an engine that started Ray may have shut it down already
            for actor in self._actors:
                ray.kill(actor, no_restart=True)
        self._actors, self._pids, self._busy = [], [], []
        if self._started_ray and ray.is_initialized():
            ray.shutdown()

    def _pick(self) -> tuple[int, int]:
        with self._lock:
            index = min(range(len(self._actors)), key=self._busy.__getitem__)
            self._busy[index] += 1
            return index, self._pids[index]

    def _release(self, index: int) -> None:
        with self._lock:
            self._busy[index] -= 1

    def _collect(self, ref: Any, index: int, pid: int) -> list[str]:
        import ray

        self._release(index)
        try:
            outputs, ran_on = ray.get(ref)
        except ray.exceptions.RayError as exc:
            raise SummarizerError(f"{self.source.role}: a Ray worker failed beyond its retries ({_last_line(exc)})") from exc
        with self._lock:
            if ran_on != pid:
                self._retries += 1
                log.warning("%s: a batch was re-run on a restarted worker (pid %d -> %d)", self.source.role, pid, ran_on)
            if ran_on != self._pids[index]:
                self._pids[index] = ran_on
                self._loads += 1
        return outputs

    def _start(self) -> None:
        with self._lock:
            if self._actors:
                return
            import ray

            if not ray.is_initialized():
                try:
                    ray.init(address=self.cluster.address, include_dashboard=False, log_to_driver=False)
                except Exception as exc:  # connection and start-up failures come in many types
                    where = f"join Ray at {self.cluster.address}" if self.cluster.address else "start a local Ray instance"
                    raise UsageError(f"cannot {where} ({_last_line(exc)}); check --ray-address") from exc
                self._started_ray = True
            gpus = self.cluster.gpus_per_worker or 0.0
            resources = ray.cluster_resources()
            workers = self.cluster.workers or _default_workers(resources, gpus)
            cpus = int(resources.get("CPU", 1))
            threads = 0 if gpus else max(1, cpus // workers)
            options = {
                "num_cpus": round(1 / self.share, 4),
                "num_gpus": round(gpus / self.share, 4),
                "max_restarts": MAX_RESTARTS,
                "max_task_retries": MAX_TASK_RETRIES,
            }
            run_id = uuid.uuid4().hex[:8]
            worker = _worker_class()
            actors = [
                worker.options(name=f"{NAME_PREFIX}:{self.source.role}:{i}:{run_id}", **options).remote(self.factory, self.compute, threads)
                for i in range(workers)
            ]
            try:
                pids = ray.get([a.pid.remote() for a in actors])
            except ray.exceptions.RayError as exc:
                for actor in actors:
                    ray.kill(actor, no_restart=True)
                raise ModelLoadError(f"{self.source.role}: Ray workers could not load the model ({_last_line(exc)})") from exc
            self._actors, self._pids, self._busy = actors, pids, [0] * workers
            self._loads += workers
            log.info("%s: %d Ray workers (%s per worker: %s)", self.source.role, workers, self.compute, options)


def plan_cluster(cluster: ClusterOptions, device: str) -> tuple[str, ClusterOptions]:
    """The workers' device request and GPUs per worker: GPUs mean cuda, cuda means GPUs; needs Ray installed."""
    require_ray()
    gpus = cluster.gpus_per_worker
    if cluster.workers is not None and cluster.workers < 1:
        raise UsageError("--workers must be at least 1")
    if gpus is not None and gpus < 0:
        raise UsageError("--gpus-per-worker must not be negative")
    if device == "cpu" and gpus:
        raise UsageError("--gpus-per-worker needs --device cuda or auto, not cpu")
    if device == "auto" and gpus:
        device = "cuda"
    if device == "cuda" and not gpus:
        gpus = 1.0
    return device, replace(cluster, gpus_per_worker=gpus or 0.0)


def ray_engines(
    engines: dict[str, Engine], name: EngineName, *, device: str, dtype: str, store: Path, cluster: ClusterOptions
) -> dict[str, Engine]:
    """Wrap each role's local engine (built by the registry as ``name``) in a RayEngine whose workers build the same."""
    return {
        role: RayEngine(
            local,
            partial(make_engine, name, local.source, device=device, dtype=dtype, store=store),
            cluster=cluster,
            share=len(engines),
        )
        for role, local in engines.items()
    }


def _default_workers(resources: dict[str, float], gpus_per_worker: float) -> int:
    if gpus_per_worker:
        return max(1, int(resources.get("GPU", 0) // gpus_per_worker))
    return max(1, int(resources.get("CPU", 1)))


def _last_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
