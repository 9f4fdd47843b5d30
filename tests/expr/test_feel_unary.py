"""Unary tests of decision-table input entries (DMN 1.3, 10.3.1.2 rules 14-17, 10.3.2.9, table 52)."""
from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from service.expr import ExpressionSyntaxError, feel


def _m(tests: str, value: object, variables: dict | None = None) -> bool:
    return feel.compile_unary_tests(tests).matches(value, variables or {})


@pytest.mark.parametrize("tests, value, expected", [
    # literals and equality
    ("5", 5, True), ("5", 6, False), ("5", Decimal("5.0"), True), ('"a"', "a", True), ('"a"', "b", False),
    ("true", True, True), ("true", False, False), ("false", False, True),
    # comparisons (rule 7 simple positive unary test)
    ("< 10", 9, True), ("< 10", 10, False), ("<= 10", 10, True), ("> 10", 11, True), ("> 10", 10, False),
    (">= 10", 10, True), ("= 3", 3, True), ("!= 3", 3, False), ("!= 3", 4, True),
    ("< -1", -2, True), ("> x", 5, True),
    # intervals with open and closed ends (rule 8)
    ("[1..5]", 1, True), ("[1..5]", 5, True), ("[1..5]", 6, False), ("]1..5[", 1, False), ("]1..5[", 5, False),
    ("]1..5[", 3, True), ("(1..5)", 1, False), ("(1..5)", 2, True), ("[1..5)", 5, False), ("[1..5)", 1, True),
    ("(1..5]", 5, True), ("[1..5[", 5, False), ("]1..5]", 5, True),
    ('["a".."c"]', "b", True), ('["a".."c"]', "d", False),
    # comma lists (rule 14) and not() (rule 15)
    ('"a","b"', "b", True), ('"a", "b"', "c", False), ("1, 2, 3", 2, True), ("< 0, > 10", 11, True),
    ("< 0, > 10", 5, False), ("[1..2], [5..6]", 5, True),
    ('not("x")', "y", True), ('not("x")', "x", False), ("not(1, 2)", 3, True), ("not(1, 2)", 2, False),
    ("not([1..5])", 6, True), ("not(< 5)", 4, False), ("not(null)", None, False), ("not(null)", 1, True),
    # '-', empty and null (rule 17)
    ("-", 1, True), ("-", None, True), ("", "x", True), ("   ", None, True),
    ("null", None, True), ("null", 1, False), ("5", None, False), ("< 5", None, False), ("[1..5]", None, False),
    ('"a","b"', None, False),
    # expressions with '?' (10.3.2.9: boolean result is the test result)
    ("? > 5 and ? < 10", 7, True), ("? > 5 and ? < 10", 10, False), ("count(?) > 2", [1, 2, 3], True),
    ("count(?) > 2", [1], False), ("? = null", None, True), ('starts with(?, "ab")', "abc", True),
    ("list contains(?, 2)", [1, 2], True),
    # expressions without '?': compared by equality, lists by membership
    ("x", 4, False), ("x", 3, True), ("x + 1", 4, True), ("[1, 2, 3]", 2, True), ("[1, 2, 3]", 4, False),
    ("[1, 2]", [1, 2], True), ('date("2020-01-01")', dt.date(2020, 1, 1), True),
    ('>= date("2020-01-01")', dt.date(2019, 12, 31), False),
    ('[date("2020-01-01")..date("2020-12-31")]', dt.date(2020, 6, 1), True),
    ('< duration("P1D")', dt.timedelta(hours=3), True),
    ('"a"', 1, False), ("1", "1", False),
])
def test_unary_test_forms(tests: str, value: object, expected: bool) -> None:
    assert _m(tests, value, {"x": 3}) is expected


def test_boolean_literal_without_input_reference_is_equality() -> None:
    # 'true' must not match a false input just because the expression evaluates to true.
    assert _m("true", False) is False
    assert _m("false", True) is False


def test_multi_word_variable_in_unary_test() -> None:
    assert _m("<= Max Amount", 10, {"Max Amount": 10}) is True
    assert _m("> Max Amount", 10, {"Max Amount": 10}) is False


@pytest.mark.parametrize("bad", ["[1..5", "1..5]", "< ", '"abc', "not(", "1 +", "[1..5]]", ">= >= 1", "?? > 1"])
def test_unary_syntax_errors_carry_position(bad: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        feel.compile_unary_tests(bad)
    assert info.value.text == bad
    assert info.value.position is None or 1 <= info.value.position <= len(bad) + 1


def test_compile_is_cached_by_text() -> None:
    assert feel.compile_unary_tests("[1..5]") is feel.compile_unary_tests("[1..5]")
    assert feel.compile_expression("a + 1") is feel.compile_expression("a + 1")


def test_matches_returns_bool_and_diagnostics() -> None:
    diagnostics: list[str] = []
    assert feel.compile_unary_tests("< 5").matches("x", {}, diagnostics=diagnostics) is False
    assert diagnostics and "string" in diagnostics[0]


def test_typical_unary_tests_are_fast() -> None:
    # 10.3 performance goal of the brief: a few microseconds per cell after compile.
    cells = [(feel.compile_unary_tests(t), v) for t, v in [("[1..5]", 3), ('"a","b"', "b"), (">= 10", 12)]]
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        for cell, value in cells:
            cell.matches(value, {})
    per_call = (time.perf_counter() - start) / (n * len(cells))
    assert per_call < 50e-6, per_call
