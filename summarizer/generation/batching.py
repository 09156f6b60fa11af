"""Batches by token budget: longest inputs first, so that batch size x longest input stays within the budget."""

from __future__ import annotations

__all__ = ["batches"]


def batches(lengths: list[int], budget: int, max_batch: int = 64) -> list[list[int]]:
    """Indices grouped longest first, so that batch size x longest input stays within the token budget."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and len(groups[-1]) < max_batch and (len(groups[-1]) + 1) * lengths[groups[-1][0]] <= budget:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups
