"""JUEL numeric edge values: only ExpressionError escapes; NaN equals nothing (Java primitive ==)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from service.expr import ExpressionError, juel

HUGE = Decimal("1e1000000")


@pytest.mark.parametrize("text,variables", [
    ("${x % 7}", {"x": HUGE}),
    ("${x mod 7}", {"x": HUGE}),
    ("${7 % x}", {"x": HUGE}),
    ("${x % 7}", {"x": Decimal("NaN")}),
    ("${x % 7.5}", {"x": float("inf")}),
])
def test_remainder_of_extreme_values_is_an_expression_error(text: str, variables: dict) -> None:
    with pytest.raises(ExpressionError):
        juel.compile(text).evaluate(variables)


@pytest.mark.parametrize("value", [float("nan"), Decimal("NaN")])
def test_nan_equals_nothing(value) -> None:
    variables = {"nan": value, "x": value}
    assert juel.compile("${nan == nan}").evaluate(variables) is False
    assert juel.compile("${x != x}").evaluate(variables) is True
    assert juel.compile("${x < 1}").evaluate(variables) is False
    assert juel.compile("${x >= x}").evaluate(variables) is False


def test_ordinary_remainders_still_work() -> None:
    assert juel.compile("${x % 7}").evaluate({"x": Decimal("1e30")}) == 1e30 % 7
    assert juel.compile("${-9 % 4}").evaluate({}) == -1
