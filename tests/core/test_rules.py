"""The fold statistics the gate computes without ``statistics``: bit for bit what it computes."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from inc.rules import fmean, pstdev


def _samples() -> list[list[float]]:
    rng = random.Random(7)
    cases = [
        [0.5] * 5,
        [1e-310, 2e-310],
        [1e300, -1e300, 3.0],
        [0.69, 0.71, 0.70, 0.72, 0.68],
        [0.0],
        [-0.0, 0.0],
    ]
    for _ in range(3000):
        n = rng.randint(1, 12)
        kind = rng.random()
        if kind < 0.3:
            cases.append([rng.random() for _ in range(n)])
        elif kind < 0.6:
            cases.append([rng.uniform(-1e6, 1e6) for _ in range(n)])
        elif kind < 0.8:
            cases.append(
                [math.ldexp(rng.random(), rng.randint(-1070, 1000)) * rng.choice([-1, 1]) for _ in range(n)]
            )
        else:
            cases.append([round(rng.random(), rng.randint(0, 4)) for _ in range(n)])
    return cases


def test_mean_and_std_are_bit_for_bit_those_of_statistics() -> None:
    for values in _samples():
        assert fmean(values) == statistics.fmean(values), values
        assert pstdev(values) == statistics.pstdev(values), values


@pytest.mark.parametrize("values", [[math.nan, 1.0], [math.inf, 1.0], [1, 2], []])
def test_what_is_not_finite_floats_behaves_as_statistics_does(values: list[float]) -> None:
    try:
        expected: object = statistics.pstdev(values)
    except Exception as exc:  # statistics raises on NaN, infinity and no data: so does inc
        with pytest.raises(type(exc)):
            pstdev(values)
        return
    assert pstdev(values) == expected
