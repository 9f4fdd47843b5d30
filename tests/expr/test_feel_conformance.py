"""FEEL conformance fixes found by running a DMN TCK-style suite; each test cites the DMN 1.3 section."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from service.expr import ExpressionSyntaxError, feel

# -- 10.3.2.9 / Table 54: unary tests using `?` -------------------------------------------------------

@pytest.mark.parametrize(("tests", "value", "expected"), [
    ("? > 3", None, False),            # null > 3 is null: not a value to compare with the null input
    ("? > 3", Decimal(5), True),
    ("? > 3", Decimal(2), False),
    ("not(? > 3)", None, False),       # not(null) stays null: no match either
    ("? = null", None, True),          # an explicit null test is a boolean and still matches
    ("?", None, False),
    ("count(?) > 1", [1, 2], True),
    ("< 5", None, False),
    ("null", None, True),
    ("-", None, True),
])
def test_question_mark_tests_with_a_null_input(tests, value, expected):
    # DMN 1.3 10.3.2.9: a test expression that uses `?` is satisfied when it evaluates to true; a null
    # result is not a value, so it is not compared by equality with a null input.
    assert feel.compile_unary_tests(tests).matches(value, {}) is expected


def test_null_input_does_not_match_a_question_mark_rule_in_a_variable_comparison():
    # `? >= limit` with both sides null: null, not true -> no match
    assert feel.compile_unary_tests("? >= limit").matches(None, {"limit": None}) is False


# -- 10.3.1 grammar limits: deep property chains are a syntax error, never a RecursionError ---------------

@pytest.mark.parametrize("text", ["x" + ".a" * 5000, "x" + "[1]" * 5000, "f" + "(1)" * 5000])
def test_very_long_postfix_chains_are_syntax_errors(text):
    with pytest.raises(ExpressionSyntaxError):
        feel.compile_expression(text)


def test_long_flat_sums_still_compile():
    assert feel.evaluate("1" + " + 1" * 2000) == Decimal(2001)


# -- 10.3.4.1 Table 58: date() and time() conversions -------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ('date("2017-12-31")', dt.date(2017, 12, 31)),
    ('date("01211-12-31")', None),        # a year of more than four digits may not start with 0 (XML Schema)
    ('date("0211-12-31")', dt.date(211, 12, 31)),
    ('date("998-12-31")', None),          # fewer than four digits
    ('date and time("01211-12-31T10:00:00")', None),
])
def test_date_year_lexical_form(text, expected):
    assert feel.evaluate(text) == feel.to_feel(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ('time(date("2017-08-10"))', dt.time(0, 0, tzinfo=dt.timezone.utc)),   # a date is its midnight UTC (TCK 1116)
    ('time(5)', None),
    ('time(date and time("2017-08-10T10:20:00"))', dt.time(10, 20)),
    ('time("10:20:00")', dt.time(10, 20)),
])
def test_time_from_conversions(text, expected):
    diagnostics: list[str] = []
    assert feel.evaluate(text, {}, diagnostics=diagnostics) == feel.to_feel(expected)
    assert bool(diagnostics) is (expected is None)
