"""The run's plan: engine, device, precision and cluster, validated before any model is resolved."""

from __future__ import annotations

from dataclasses import dataclass

from ..engines.device import plan_device
from ..engines.factory import EngineName, ct2_available, default_batch_tokens
from ..engines.ray import ClusterOptions, plan_cluster
from ..errors import UsageError
from .options import RunOptions

__all__ = ["EnginePlan", "plan_engines"]


@dataclass(frozen=True)
class EnginePlan:
    """How every model of the run will run."""

    requested: EngineName  # what was asked for (ray included)
    local: EngineName  # what runs each model: for ray, the engine each worker builds
    device: str  # cpu | cuda
    dtype: str  # torch precision: float32 on CPU, float16 on GPU
    batch_tokens: int  # input tokens per translation batch
    cluster: ClusterOptions | None  # with ray: the workers' options, GPUs resolved

    @property
    def on_ray(self) -> bool:
        """True when batches run on Ray workers."""
        return self.requested is EngineName.RAY


def plan_engines(options: RunOptions) -> EnginePlan:
    """Check the engine, device and cluster options; raises UsageError before any model is looked at."""
    requested = EngineName.parse(options.engine)
    if requested is EngineName.CTRANSLATE2 and not ct2_available():
        raise UsageError("--engine ctranslate2 needs CTranslate2: pip install ctranslate2, or pass --engine torch")
    device_request: str = options.device
    cluster = None
    local = requested
    if requested is EngineName.RAY:  # Ray workers run the registry's `auto` engine
        local = EngineName.AUTO
        device_request, cluster = plan_cluster(options.cluster, device_request)
    device, dtype = plan_device(device_request, local=requested is not EngineName.RAY)  # Ray workers may have GPUs this machine lacks
    return EnginePlan(
        requested=requested,
        local=local,
        device=device,
        dtype=dtype,
        batch_tokens=options.batch_tokens or default_batch_tokens(local, device),
        cluster=cluster,
    )
