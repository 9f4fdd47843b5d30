"""FEEL type tests (``instance of``) and DMN typeRef checks (``type_check``)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import temporal
from .nodes import TypeRef
from .values import (BuiltinFunction, ConversionError, DaysTimeDuration, FeelDate, FeelDateTime, FeelFunction,
                     FeelTime, Range, YearsMonthsDuration, to_feel)

_SIMPLE: dict[str, Any] = {
    "number": lambda v: type(v) is Decimal,
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "date": lambda v: type(v) is FeelDate,
    "time": lambda v: type(v) is FeelTime,
    "date and time": lambda v: type(v) is FeelDateTime,
    "days and time duration": lambda v: type(v) is DaysTimeDuration,
    "years and months duration": lambda v: type(v) is YearsMonthsDuration,
    "list": lambda v: type(v) is list,
    "context": lambda v: type(v) is dict,
    "range": lambda v: type(v) is Range,
    "function": lambda v: type(v) in (FeelFunction, BuiltinFunction),
}

# DMN typeRef spellings (FEEL, XML Schema style and Camunda 7) mapped to FEEL type names.
_ALIASES = {
    "dateTime": "date and time", "datetime": "date and time",
    "dayTimeDuration": "days and time duration", "yearMonthDuration": "years and months duration",
    "duration": "duration",
    "integer": "integer", "int": "integer", "long": "integer", "short": "integer",
    "double": "number", "float": "number", "decimal": "number",
    "any": "Any", "Any": "Any", "Null": "Null",
    "bool": "boolean",
}


def instance_of(value: Any, type_ref: TypeRef, conformance: bool = False) -> bool:
    """FEEL `instance of`; with `conformance` (DMN typeRef checks) a null list item conforms too."""
    name = type_ref.name
    if name == "Null":
        return value is None
    if value is None:
        return False  # 'null instance of Any' is false (DMN TCK 0070 null_001)
    if name == "Any":
        return True
    check = _SIMPLE.get(name)
    if check is None:
        return False
    if not check(value):
        return False
    if name == "list" and type_ref.params:
        return all((conformance and v is None) or instance_of(v, type_ref.params[0], conformance) for v in value)
    if name == "range" and type_ref.params:
        inner = type_ref.params[0]
        return all(v is None or instance_of(v, inner) for v in (value.start, value.end))
    if name == "context" and type_ref.fields:
        # every declared entry present (null conforms to any type), further entries allowed (DMN 1.5)
        return all(k in value and (value[k] is None or instance_of(value[k], t, conformance))
                   for k, t in type_ref.fields)
    return True


def coerce(value: Any, type_ref: TypeRef) -> tuple[bool, Any]:
    """(conforms, value) with the singleton-list conversions of DMN 1.3, 10.3.2.9.4."""
    if value is None or instance_of(value, type_ref, True):
        return True, value
    if type_ref.name == "list" and type(value) is not list:
        if not type_ref.params or instance_of(value, type_ref.params[0]):
            return True, [value]
    if type(value) is list and len(value) == 1 and type_ref.name != "list" and instance_of(value[0], type_ref):
        return True, value[0]
    return False, None


def _normalise(type_ref: str) -> str:
    name = type_ref.strip()
    for prefix in ("feel:", "xsd:", "xs:"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return _ALIASES.get(name, name)


def _coerce(value: Any, name: str) -> tuple[bool, Any]:
    """(conforms, value) for one typeRef name; strings are parsed for temporal types."""
    if name == "Any":
        return True, value
    if name == "integer":
        if type(value) is Decimal and value == value.to_integral_value():
            return True, value
        return False, None
    if name == "duration":
        if type(value) is str:
            parsed = temporal.parse_duration(value)
            return parsed is not None, parsed
        return type(value) in (DaysTimeDuration, YearsMonthsDuration), value
    if type(value) is str and name in ("date", "time", "date and time", "days and time duration",
                                       "years and months duration"):
        parsers = {"date": temporal.parse_date, "time": temporal.parse_time,
                   "date and time": temporal.parse_datetime}
        value_of = parsers[name](value) if name in parsers else temporal.parse_duration(value)
        return (value_of is not None and _SIMPLE[name](value_of)), value_of
    if name == "date" and type(value) is FeelDateTime:
        # Camunda 7's typeRef "date" holds a date-time (java.util.Date): keep it.
        return True, value
    check = _SIMPLE.get(name)
    if check is None:
        return False, None
    return bool(check(value)), value


def type_check(value: Any, type_ref: str | None, diagnostics: list[str] | None = None) -> Any:
    """Coerce a value to a DMN typeRef: the FEEL value, or None (and a diagnostic) if it does not conform.

    A missing/empty typeRef accepts anything. A one-item list conforms to the item's type
    (DMN 1.3, 10.3.2.9.4 singleton conversion).
    """
    try:
        feel_value = to_feel(value)
    except (ConversionError, RecursionError) as exc:
        if diagnostics is not None:
            diagnostics.append(str(exc))
        return None
    if feel_value is None or not type_ref or not type_ref.strip():
        return feel_value
    name = _normalise(type_ref)
    known = name in _SIMPLE or name in ("Any", "integer", "duration", "Null")
    if not known:
        if "<" not in name:
            # Item definitions and unknown type names are not checked here.
            return feel_value
        from ..errors import ExpressionSyntaxError
        from .parser import parse_type_ref
        try:
            parsed = parse_type_ref(name)
        except ExpressionSyntaxError as exc:
            if diagnostics is not None:
                diagnostics.append(f"invalid typeRef {type_ref!r}: {exc.message}")
            return None
        ok, result = coerce(feel_value, parsed)
        if not ok and diagnostics is not None:
            diagnostics.append(f"value does not conform to typeRef {type_ref!r}")
        return result
    if name == "list" and type(feel_value) is not list:
        return [feel_value]
    ok, result = _coerce(feel_value, name)
    if ok:
        return result
    if type(feel_value) is list and len(feel_value) == 1:
        ok, result = _coerce(feel_value[0], name)
        if ok:
            return result
    if diagnostics is not None:
        from .ops import kind
        diagnostics.append(f"value of type {kind(feel_value)} does not conform to typeRef {type_ref!r}")
    return None
