"""FEEL syntax of DMN 1.4/1.5 the TCK exercises: exponents, comparison ranges, null range end points,
non-BMP names, context keys with name symbols, names holding numbers (read as declared names)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from service.expr import ExpressionSyntaxError, feel


@pytest.mark.parametrize("text, expected", [
    ("1.23e4", D(12300)), ("1.23E+4 = 12300", True), ("1.23e-4 = 0.000123", True), (".5e1", D(5)),
    ("2e3 + 1", D(2001)), ("string(1.5e2)", "150"),
])
def test_number_literals_with_an_exponent(text, expected):
    assert feel.evaluate(text, {}) == expected


@pytest.mark.parametrize("text", ["1e999999999", "1e", "1.5e+", "1e1234567890"])
def test_out_of_range_or_malformed_exponents_do_not_compile(text):
    with pytest.raises(ExpressionSyntaxError):
        feel.compile_expression(text)


@pytest.mark.parametrize("text, expected", [
    ("(< 10) = (< 10)", True), ("(< 10) = (null..10)", False), ("(=10) = [10..10]", False),
    ("(=10) = (=10)", True), ("(!=10) = (!=10)", True), ("(<= 10) = (< 10)", False),
    ("(<10).start included", False), ("(<10).start", None), ("(<10).end", D(10)),
    ("(<=10).end included", True), ("(>=10).start included", True), ("(>10).end", None),
    ("(=10).start", D(10)), ("(=10).end included", True),
    ("5 in (< 10)", True), ("10 in (< 10)", False), ("10 in (<= 10)", True), ("11 in (> 10)", True),
    ("5 in (!= 5)", False), ("4 in (!= 5)", True), ("x in (> y)", True),
])
def test_unary_comparisons_as_ranges(text, expected):
    assert feel.evaluate(text, {"x": 3, "y": 2}) == expected


def test_comparison_range_of_null_is_null_with_a_diagnostic():
    diagnostics: list[str] = []
    assert feel.evaluate("(< x)", {"x": None}, diagnostics=diagnostics) is None
    assert "no end point" in diagnostics[0]


@pytest.mark.parametrize("text", ["5 in (null..10]", "5 in [1..null)", "5 in [1..null]", "5 in [null..10]"])
def test_membership_in_a_range_with_a_null_end_point_is_null(text):
    diagnostics: list[str] = []
    assert feel.evaluate(text, {}, diagnostics=diagnostics) is None
    assert diagnostics


def test_range_with_variable_end_points_is_not_folded_as_a_constant():
    tests = feel.compile_unary_tests("[lo..hi)")
    assert tests.matches(D(0), {"lo": D(0), "hi": D(1)}) is True
    assert tests.matches(D(1), {"lo": D(0), "hi": D(1)}) is False


def test_non_bmp_characters_in_names_and_keys():
    assert feel.evaluate('{🐎: "bar"}', {}) == {"🐎": "bar"}
    assert feel.evaluate("🐎 + 1", {"🐎": 1}) == D(2)
    assert feel.evaluate('{🐎: "😀"}.🐎', {}) == "😀"


@pytest.mark.parametrize("text, expected", [
    ('{foo+bar: "foo"}', {"foo+bar": "foo"}), ("{a - b: 1, c: 2}", {"a - b": D(1), "c": D(2)}),
    ("{a 1: 2}", {"a 1": D(2)}), ("{foo  bar: 1}", {"foo bar": D(1)}), ("{x.y: 1}", {"x.y": D(1)}),
])
def test_context_keys_with_name_symbols_and_numbers(text, expected):
    assert feel.evaluate(text, {}) == expected


def test_a_text_that_only_parses_with_a_declared_name_reads_it():
    compiled = feel.compile_expression("decision A 2.1", declared=["decision A 2.1"])
    assert compiled.evaluate({"decision A 2.1": "v"}) == "v"
    with pytest.raises(ExpressionSyntaxError):
        feel.compile_expression("decision A 2.1")
