"""Typed variables and Camunda dates: request -> plain values -> response."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from service.api.dates import DateFormatError, format_date, parse_date
from service.api.variables import VariableError, plain_to_typed, typed_to_plain, variables_to_plain


def test_date_format_is_camunda_style() -> None:
    assert format_date(datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)) == "2026-01-05T08:00:00.000+0000"
    assert format_date(datetime(2026, 1, 5, 15, 0, 0, 123456, tzinfo=timezone.utc)) == "2026-01-05T15:00:00.123+0000"


@pytest.mark.parametrize("text", ["2026-01-05T15:00:00.000+0700", "2026-01-05T15:00:00+07:00",
                                  "2026-01-05T08:00:00Z", "2026-01-05T08:00:00"])
def test_parse_date_variants(text: str) -> None:
    assert parse_date(text) == datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)


def test_parse_date_rejects_garbage() -> None:
    with pytest.raises(DateFormatError, match="yyyy-MM-dd"):
        parse_date("kemarin")


@pytest.mark.parametrize("typed,expected", [
    ({"value": "x", "type": "String"}, "x"),
    ({"value": 5, "type": "Integer"}, 5),
    ({"value": "7", "type": "Long"}, 7),
    ({"value": 2.5, "type": "Double"}, 2.5),
    ({"value": "true", "type": "Boolean"}, True),
    ({"value": None, "type": "Null"}, None),
    ({"value": None, "type": "Integer"}, None),
    ({"value": '{"a": [1, 2]}', "type": "Json"}, {"a": [1, 2]}),
    ({"value": '{"a": 1}', "type": "Object",
      "valueInfo": {"objectTypeName": "java.util.HashMap", "serializationDataFormat": "application/json"}}, {"a": 1}),
    ({"value": [1, "a"]}, [1, "a"]),
    ({"value": 3}, 3),
])
def test_typed_to_plain(typed: dict, expected: object) -> None:
    assert typed_to_plain("v", typed) == expected


def test_date_variable() -> None:
    assert typed_to_plain("d", {"value": "2026-01-05T15:00:00.000+0700", "type": "Date"}) == \
        datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("typed,fragment", [
    ({"value": "abc", "type": "Integer"}, "'abc' of variable 'v' to type Integer"),
    ({"value": 2**40, "type": "Integer"}, "out of range"),
    ({"value": "ya", "type": "Boolean"}, "type Boolean"),
    ({"value": "{bad", "type": "Json"}, "not valid JSON"),
    ({"value": "x", "type": "Bytes"}, "unsupported value type 'Bytes'"),
    ({"value": "2026-13-45", "type": "Date"}, "Cannot parse date"),
    ({"value": "<x/>", "type": "Object", "valueInfo": {"serializationDataFormat": "application/xml"}},
     "application/json"),
    ("not an object", "must be an object"),
])
def test_typed_errors_name_the_problem(typed: object, fragment: str) -> None:
    with pytest.raises(VariableError, match=None) as info:
        typed_to_plain("v", typed)
    assert fragment in str(info.value)


def test_variables_must_be_an_object() -> None:
    with pytest.raises(VariableError, match="JSON object"):
        variables_to_plain([1, 2])


@pytest.mark.parametrize("value,expected", [
    (None, {"type": "Null", "value": None}),
    (True, {"type": "Boolean", "value": True}),
    (5, {"type": "Integer", "value": 5}),
    (2**40, {"type": "Long", "value": 2**40}),
    (1.5, {"type": "Double", "value": 1.5}),
    (Decimal("7"), {"type": "Integer", "value": 7}),
    (Decimal("7.25"), {"type": "Double", "value": 7.25}),
    ("teks", {"type": "String", "value": "teks"}),
    (datetime(2026, 1, 5, 8, tzinfo=timezone.utc), {"type": "Date", "value": "2026-01-05T08:00:00.000+0000"}),
    (date(2026, 1, 5), {"type": "Date", "value": "2026-01-05T00:00:00.000+0000"}),
    ({"a": Decimal("1")}, {"type": "Json", "value": '{"a": 1}'}),
])
def test_plain_to_typed(value: object, expected: dict) -> None:
    result = plain_to_typed(value)
    assert {k: result[k] for k in ("type", "value")} == expected
    assert result["valueInfo"] == {}
