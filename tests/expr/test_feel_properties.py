"""Property tests: arithmetic and ordering are consistent (hypothesis)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from service.expr import feel
from service.expr.feel.values import DaysTimeDuration, YearsMonthsDuration

FAST = settings(max_examples=60, deadline=None)

# Decimals that fit in 34 significant digits, so a + b - b is exact.
decimals = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6,
                       allow_nan=False, allow_infinity=False)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
day_durations = st.integers(min_value=-10**6, max_value=10**6).map(lambda s: DaysTimeDuration(s * 10**9))
month_durations = st.integers(min_value=-1200, max_value=1200).map(YearsMonthsDuration)

ADD = feel.compile_expression("a + b - b")
LESS = feel.compile_expression("a < b")
GE = feel.compile_expression("a >= b")
EQ = feel.compile_expression("a = b")
SUB = feel.compile_expression("a - b")
PLUS = feel.compile_expression("b + (a - b)")
MUL_DIV = feel.compile_expression("if b = 0 then a else a * b / b")
STR_NUM = feel.compile_expression("number(string(a))")
SORT = feel.compile_expression("sort(l)")
MINMAX = feel.compile_expression("[min(l), max(l)]")


@FAST
@given(decimals, decimals)
def test_addition_then_subtraction_is_identity(a: Decimal, b: Decimal) -> None:
    assert ADD.evaluate({"a": a, "b": b}) == a


@FAST
@given(decimals, decimals)
def test_less_xor_greater_or_equal(a: Decimal, b: Decimal) -> None:
    lt = LESS.evaluate({"a": a, "b": b})
    ge = GE.evaluate({"a": a, "b": b})
    assert isinstance(lt, bool) and isinstance(ge, bool)
    assert lt != ge
    assert EQ.evaluate({"a": a, "b": b}) is (a == b)


@FAST
@given(decimals, decimals.filter(lambda d: d != 0))
def test_multiply_then_divide_is_close(a: Decimal, b: Decimal) -> None:
    result = MUL_DIV.evaluate({"a": a, "b": b})
    assert abs(result - a) <= abs(a) * Decimal("1e-30") + Decimal("1e-30")


@FAST
@given(decimals)
def test_string_of_number_round_trips(a: Decimal) -> None:
    assert STR_NUM.evaluate({"a": a}) == a


@FAST
@given(dates, dates)
def test_date_ordering_matches_subtraction(a: dt.date, b: dt.date) -> None:
    diff = SUB.evaluate({"a": a, "b": b})
    assert isinstance(diff, DaysTimeDuration)
    assert LESS.evaluate({"a": a, "b": b}) is (diff.nanos < 0)
    assert GE.evaluate({"a": a, "b": b}) is (diff.nanos >= 0)
    assert feel.from_feel(PLUS.evaluate({"a": a, "b": b})) == a


@FAST
@given(day_durations, day_durations)
def test_days_duration_ordering_matches_subtraction(a: DaysTimeDuration, b: DaysTimeDuration) -> None:
    diff = SUB.evaluate({"a": a, "b": b})
    assert LESS.evaluate({"a": a, "b": b}) is (diff.nanos < 0)
    assert ADD.evaluate({"a": a, "b": b}) == a


@FAST
@given(month_durations, month_durations)
def test_months_duration_ordering_matches_subtraction(a: YearsMonthsDuration, b: YearsMonthsDuration) -> None:
    diff = SUB.evaluate({"a": a, "b": b})
    assert LESS.evaluate({"a": a, "b": b}) is (diff.months < 0)
    assert ADD.evaluate({"a": a, "b": b}) == a


@FAST
@given(st.lists(decimals, min_size=1, max_size=20))
def test_sort_min_max_agree(values: list[Decimal]) -> None:
    ordered = SORT.evaluate({"l": values})
    assert ordered == sorted(values)
    assert MINMAX.evaluate({"l": values}) == [min(values), max(values)]


@FAST
@given(decimals, decimals, decimals)
def test_range_membership_matches_comparisons(x: Decimal, lo: Decimal, hi: Decimal) -> None:
    tests = feel.compile_unary_tests("[lo..hi)")
    expected = lo <= x < hi
    if lo > hi:
        expected = False
    assert tests.matches(x, {"lo": lo, "hi": hi}) is expected


@FAST
@given(st.text(max_size=30))
def test_string_literals_round_trip(s: str) -> None:
    escaped = s.replace("\\", "\\\\").replace('"', '\\"')
    try:
        value = feel.evaluate(f'"{escaped}"')
    except Exception as exc:  # pragma: no cover - reported by hypothesis
        raise AssertionError(repr(s)) from exc
    assert value == s


@FAST
@given(st.text(alphabet="0123456789+-*/()[]{}.,<>=! andornotif", max_size=40))
def test_random_text_never_raises_anything_but_expression_errors(text: str) -> None:
    from service.expr import ExpressionSyntaxError, LimitExceeded
    # The evaluator turns a Python error into an "internal error" diagnostic: none may appear.
    diagnostics: list[str] = []
    try:
        feel.evaluate(text, {}, diagnostics=diagnostics)
    except (ExpressionSyntaxError, LimitExceeded):
        pass
    try:
        feel.compile_unary_tests(text).matches(1, {}, diagnostics=diagnostics)
    except (ExpressionSyntaxError, LimitExceeded):
        pass
    assert not [d for d in diagnostics if "internal error" in d], diagnostics
