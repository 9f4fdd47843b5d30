"""The public API of service.expr.feel as documented in docs/ARCHITECTURE.md."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from service.expr import ExpressionError, ExpressionSyntaxError, LimitExceeded, Limits, feel
from service.expr.feel.values import DaysTimeDuration, FeelDate, Range, YearsMonthsDuration


def test_documented_names_exist() -> None:
    for name in ("compile_expression", "compile_unary_tests", "evaluate", "to_feel", "from_feel", "type_check",
                 "CompiledExpression", "CompiledUnaryTests"):
        assert hasattr(feel, name)
    assert issubclass(ExpressionSyntaxError, ExpressionError)
    assert issubclass(LimitExceeded, ExpressionError)
    assert Limits().max_steps == 200_000 and Limits().regex_timeout == 0.2


def test_syntax_error_carries_text_and_column() -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        feel.compile_expression("1 + * 2")
    err = info.value
    assert err.text == "1 + * 2"
    assert err.position == 5
    assert "column 5" in str(err)
    for bad in ["", "   ", "1 +", "(1", "[1, 2", "{a 1}", '"open', "if a then b", "for x in return 1",
                "a b c (", "1 2", "function(a", "x in", "@", "/* never closed", "1..2", "f(a: 1, 2)"]:
        with pytest.raises(ExpressionSyntaxError):
            feel.compile_expression(bad)


def test_non_string_text_is_a_syntax_error() -> None:
    with pytest.raises(ExpressionSyntaxError):
        feel.compile_expression(5)  # type: ignore[arg-type]


def test_evaluate_never_leaks_python_exceptions() -> None:
    diagnostics: list[str] = []
    assert feel.evaluate("x + 1", {"x": object()}, diagnostics=diagnostics) is None
    assert diagnostics
    assert feel.evaluate("x", {"x": float("nan")}) is None


def test_to_feel_and_from_feel() -> None:
    plain = {"a": 1, "b": 2.5, "c": [True, None, "s"], "d": dt.date(2024, 1, 2), "e": (1, 2)}
    value = feel.to_feel(plain)
    assert value == {"a": Decimal(1), "b": Decimal("2.5"), "c": [True, None, "s"], "d": FeelDate(2024, 1, 2),
                     "e": [Decimal(1), Decimal(2)]}
    assert type(value["a"]) is Decimal
    back = feel.from_feel(value)
    assert type(back["a"]) is Decimal
    assert back["d"] == dt.date(2024, 1, 2) and type(back["d"]) is dt.date
    as_json = feel.from_feel(value, numbers="json")
    assert as_json["a"] == 1 and type(as_json["a"]) is int
    assert as_json["b"] == 2.5 and type(as_json["b"]) is float
    assert feel.to_feel(0.1) == Decimal("0.1")
    assert feel.from_feel(feel.evaluate("function(a) a")) is None
    with pytest.raises(ValueError):
        feel.from_feel(1, numbers="float")


def test_from_feel_keeps_temporals() -> None:
    d = feel.evaluate('duration("P1D")')
    assert feel.from_feel(d) == DaysTimeDuration(86_400 * 10**9)
    assert feel.from_feel(feel.evaluate('@"P1Y"')) == YearsMonthsDuration(12)
    assert isinstance(feel.from_feel(feel.evaluate("[1..2]")), Range)


@pytest.mark.parametrize("value, type_ref, expected", [
    (5, "number", Decimal(5)),
    (5, "integer", Decimal(5)),
    (5.5, "integer", None),
    (5, "long", Decimal(5)),
    (5.5, "double", Decimal("5.5")),
    ("x", "string", "x"),
    (5, "string", None),
    (True, "boolean", True),
    ("true", "boolean", None),
    (dt.date(2024, 1, 1), "date", dt.date(2024, 1, 1)),
    ("2024-01-01", "date", dt.date(2024, 1, 1)),
    ("2024-01-01T10:00:00Z", "dateTime", dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone.utc)),
    ("2024-01-01T10:00:00", "date and time", dt.datetime(2024, 1, 1, 10)),
    ("P1D", "dayTimeDuration", DaysTimeDuration(86_400 * 10**9)),
    ("P1D", "days and time duration", DaysTimeDuration(86_400 * 10**9)),
    ("P1Y", "yearMonthDuration", YearsMonthsDuration(12)),
    ("P1Y", "years and months duration", YearsMonthsDuration(12)),
    ("P1Y", "dayTimeDuration", None),
    ("10:00:00", "time", dt.time(10)),
    (None, "number", None),
    ([5], "number", Decimal(5)),
    ([1, 2], "number", None),
    ("anything", "Any", "anything"),
    ("anything", "", "anything"),
    ("anything", None, "anything"),
    ("x", "feel:string", "x"),
    ({"a": 1}, "context", {"a": Decimal(1)}),
    ([1], "list", [Decimal(1)]),
    ("x", "tCustomItemDefinition", "x"),
])
def test_type_check(value: object, type_ref: str, expected: object) -> None:
    diagnostics: list[str] = []
    result = feel.type_check(value, type_ref, diagnostics)
    expected = feel.to_feel(expected)  # the FEEL value of the Python date, time or date-time
    assert result == expected and type(result) is type(expected)
    if expected is None and value is not None:
        assert diagnostics


def test_camunda_date_type_accepts_datetimes() -> None:
    value = dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone.utc)
    assert feel.type_check(value, "date") == feel.to_feel(value)


def test_compiled_objects_are_reusable_and_independent() -> None:
    expr = feel.compile_expression("a * 2")
    assert [expr.evaluate({"a": i}) for i in range(3)] == [0, 2, 4]
    tests = feel.compile_unary_tests(">= a")
    assert tests.matches(5, {"a": 5}) and not tests.matches(4, {"a": 5})


def test_variables_mapping_is_not_modified() -> None:
    variables = {"l": [3, 1, 2], "c": {"x": 1}}
    feel.evaluate('sort(l)', variables)
    feel.evaluate('context put(c, "y", 2)', variables)
    feel.evaluate("append(l, 4)", variables)
    assert variables == {"l": [3, 1, 2], "c": {"x": 1}}


@pytest.mark.parametrize("value, type_ref, expected", [
    # DMN 1.3, 10.3.2.9.4 singleton conversions; TCK 0082-feel-coercion
    (10, "list<number>", [Decimal(10)]),
    ("x", "list<number>", None),
    ([10], "list<number>", [Decimal(10)]),
    (["x"], "number", None),
    ({"a": 1}, "context<a: number>", {"a": Decimal(1)}),
    ({"a": "x"}, "context<a: number>", None),
    ("x", "list", ["x"]),
    (None, "list<number>", None),
])
def test_type_check_structured_types(value: object, type_ref: str, expected: object) -> None:
    assert feel.type_check(value, type_ref) == expected


def test_type_check_reports_invalid_type_ref() -> None:
    diagnostics: list[str] = []
    assert feel.type_check("x", "list<", diagnostics) is None
    assert "list<" in diagnostics[0]


def test_host_functions_can_be_passed_as_builtin_function_values() -> None:
    # How a DMN layer exposes a business knowledge model to FEEL (TCK 0092 style higher-order calls).
    from service.expr.feel.values import BuiltinFunction
    bkm = BuiltinFunction("bkm", lambda ctx, a: a * 10, (("a",),))
    assert feel.evaluate("bkm(a: 3)", {"bkm": bkm}) == 30
    assert feel.evaluate("{k: function(f1, f2) f1(5) * f2(10), r: k(bkm, bkm)}.r", {"bkm": bkm}) == 5000
    assert feel.evaluate("{f: function(a) function(b) function(c) a * b * c, r: f(2)(3)(4)}.r") == 24


def test_now_can_come_from_the_engine_clock() -> None:
    import datetime as dt
    frozen = dt.datetime(2024, 2, 29, 23, 30, tzinfo=dt.timezone.utc)
    assert feel.from_feel(feel.evaluate("now()", {}, now=frozen)) == frozen
    assert feel.evaluate("today()", {}, now=frozen) == FeelDate(2024, 2, 29)
    assert feel.compile_unary_tests("< today()").matches(dt.date(2024, 2, 28), {}, now=frozen) is True
