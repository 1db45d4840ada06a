"""The benchmarks' percentile: one of the values, by the rule each report was published with."""

import numpy as np
import pytest

from service.eval.latency import percentile


def test_p95_of_twenty_by_each_rule():
    vals = [float(v) for v in range(20, 0, -1)]  # unsorted on purpose
    assert percentile(vals, 0.95) == 20.0  # position floor(0.95 * 20) = 19
    assert percentile(vals, 0.95, "lower") == 19.0  # floor(0.95 * 19) = 18
    assert percentile(vals, 0.95, "nearest") == 19.0  # 18.05 rounds to 18


def test_nearest_rounds_halves_up():
    assert percentile([1.0, 2.0], 0.5, "nearest") == 2.0  # position 0.5 -> 1
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5, "nearest") == 3.0  # 1.5 -> 2
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5, "lower") == 2.0


def test_lower_is_numpys_lower():
    rng = np.random.default_rng(0)
    for n in range(1, 60):
        vals = rng.random(n).tolist()
        for q in (0.5, 0.9, 0.95, 0.99):
            assert percentile(vals, q, "lower") == np.quantile(vals, q, method="lower")


def test_edges():
    assert percentile([], 0.95) == 0.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([1.0, 2.0, 3.0], 1.0) == 3.0  # never past the last value
    with pytest.raises(ValueError, match="unknown percentile rule"):
        percentile([1.0], 0.5, "linear")
