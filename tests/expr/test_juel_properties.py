"""Property tests for JUEL: no input text or variable value makes a Python error escape."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.expr import ExpressionError, Limits, juel

TOKENS = ["${", "#{", "}", "a", "b", "s", "xs", "m", ".", "[", "]", "(", ")", "0", "1", "2.5", "'x'", '"y"',
          "+", "-", "*", "/", "%", "div", "mod", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "!", "and", "or",
          "not", "empty", "?", ":", "eq", "lt", "null", "true", "false", "size()", "length()", "trim()",
          "contains(", "equals(", ",", "execution", "getVariable(", "dateTime()", "plusDays(", "toDate()",
          "toString()", " ", "\\", "'", "$", "{"]
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | st.floats(allow_nan=True)
    | st.text(max_size=20) | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.dates() | st.datetimes(timezones=st.just(dt.timezone.utc)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=10,
)
LIMITS = Limits(max_seconds=0.5, max_steps=5_000)


def run(text: str, variables: dict) -> None:
    try:
        compiled = juel.compile(text)
    except ExpressionError:
        return
    try:
        compiled.evaluate(variables, now=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), limits=LIMITS)
    except ExpressionError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14).map("".join),
       st.fixed_dictionaries({"a": VALUES, "b": VALUES, "s": VALUES, "xs": VALUES, "m": VALUES}))
def test_token_soup_never_raises_a_python_error(text, variables):
    run(text, variables)
    run("${" + text + "}", variables)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_never_raises_a_python_error(text):
    run(text, {})


@settings(max_examples=300, deadline=None)
@given(st.integers(-(2 ** 61), 2 ** 61), st.integers(-(2 ** 61), 2 ** 61).filter(lambda n: n != 0))
def test_integer_arithmetic_matches_java(a, b):
    values = {"a": a, "b": b}
    assert juel.compile("${a + b - b}").evaluate(values) == a
    remainder = juel.compile("${a % b}").evaluate(values)
    assert remainder == abs(a) % abs(b) * (1 if a >= 0 else -1)   # Java: the sign follows the dividend
    assert juel.compile("${a / b}").evaluate(values) == float(a) / float(b)   # Java divides doubles
    assert juel.compile("${a < b}").evaluate(values) is (a < b)
    assert juel.compile("${a == b}").evaluate(values) is (a == b)
    assert juel.compile("${a.toString() == a}").evaluate(values) is True
