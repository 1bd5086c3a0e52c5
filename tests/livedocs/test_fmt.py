"""Fixed-format numbers of the living docs, remembered per value: equal numbers, equal text."""

from __future__ import annotations

import pytest

from inc.comparison import num as comparison_num
from inc.livedocs import fmt

VALUES = [
    0.0,
    -0.0,
    -0.00001,
    0.00004,
    1,
    1.0,
    True,
    0.91234567,
    -1.5,
    1e20,
    10**20,
    float("nan"),
    float("inf"),
]


@pytest.mark.parametrize("order", [VALUES, VALUES[::-1]])
def test_remembered_numbers_print_as_the_gate_prints_them(
    order: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fmt, "_NUMS", {})
    for value in order * 2:  # the second pass answers from memory
        for digits in (1, 3, 4):
            assert fmt.num(value, digits) == comparison_num(value, digits), (value, digits)
    assert fmt.num(None) == fmt.DASH
    assert fmt.num(-0.0) == "0.0000" and fmt.num(-0.00001) == "0.0000"
