"""Latency percentiles as the benchmarks report them: one of the measured values, never
an interpolation between two."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Rule = Literal["above", "lower", "nearest"]


def percentile(values: Iterable[float], q: float, rule: Rule = "above") -> float:
    """The q-quantile (0 <= q <= 1) of `values`, or 0.0 when there are none.

    Of the n sorted values it returns the one at position
    - "above": floor(q * n), the last at most (p95 of 20 values: the largest);
    - "lower": floor(q * (n - 1)) (numpy's "lower");
    - "nearest": q * (n - 1) rounded, halves up.
    Each report keeps the rule it was first published with, so its numbers stay comparable.
    """
    vals = sorted(values)
    if not vals:
        return 0.0
    n = len(vals)
    if rule == "above":
        at = int(q * n)
    elif rule == "lower":
        at = int(q * (n - 1))
    elif rule == "nearest":
        at = int(q * (n - 1) + 0.5)
    else:
        raise ValueError(f"unknown percentile rule {rule!r}: use 'above', 'lower' or 'nearest'")
    return vals[min(n - 1, at)]
