"""The allow-list of JUEL methods and functions, and the objects they act on.

Only the names below can ever be called; the parser refuses any other name at compile time, and
each call dispatches on the receiver's Python type here, never through getattr on user data.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

from dateutil.relativedelta import relativedelta

from .coercion import CoercionError, java_equals, java_string, to_long, type_name

# method name -> allowed argument counts
DATE_METHODS: dict[str, str] = {
    "plusYears": "years", "plusMonths": "months", "plusWeeks": "weeks", "plusDays": "days",
    "plusHours": "hours", "plusMinutes": "minutes", "plusSeconds": "seconds",
    "minusYears": "years", "minusMonths": "months", "minusWeeks": "weeks", "minusDays": "days",
    "minusHours": "hours", "minusMinutes": "minutes", "minusSeconds": "seconds",
}
EXECUTION_METHODS = frozenset({"getVariable", "getVariableLocal", "hasVariable", "hasVariableLocal"})
METHOD_ARITY: dict[str, int] = {
    **{name: 1 for name in DATE_METHODS},
    **{name: 1 for name in EXECUTION_METHODS},
    "toDate": 0, "toString": 0,
    "equals": 1, "equalsIgnoreCase": 1, "contains": 1, "startsWith": 1, "endsWith": 1,
    "isEmpty": 0, "length": 0, "size": 0, "toUpperCase": 0, "toLowerCase": 0, "trim": 0,
}
FUNCTION_ARITY: dict[str, int] = {"dateTime": 0, "now": 0}

# Joda's DateTime range is wider, but datetime's is what we can store.
_MAX_DATE_STEP = 10_000 * 366 * 24 * 3600


class ExecutionProxy:
    """Stands for Camunda's `execution`: reads process variables, null when absent."""
    __slots__ = ("_variables",)

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self._variables = variables

    def java_string(self) -> str:
        return "execution"


class JodaDateTime:
    """Camunda's `dateTime()`: an immutable UTC date-time with Joda's plus/minus methods."""
    __slots__ = ("value",)

    def __init__(self, value: _dt.datetime) -> None:
        self.value = value

    def java_string(self) -> str:
        # Joda ISODateTimeFormat.dateTime(): millisecond precision, 'Z' for UTC
        text = self.value.isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")

    def shifted(self, unit: str, amount: int) -> "JodaDateTime":
        seconds = {"weeks": 7 * 86400, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}.get(unit)
        if seconds is not None and abs(amount) * seconds > _MAX_DATE_STEP:
            raise CoercionError(f"date arithmetic out of range ({amount} {unit})")
        if seconds is None and abs(amount) > 10_000 * (12 if unit == "months" else 1):
            raise CoercionError(f"date arithmetic out of range ({amount} {unit})")
        try:
            return JodaDateTime(self.value + relativedelta(**{unit: amount}))   # type: ignore[arg-type]
        except (OverflowError, ValueError):
            raise CoercionError(f"date arithmetic out of range ({amount} {unit})") from None


def to_utc(now: _dt.datetime | None) -> _dt.datetime:
    if now is None:
        return _dt.datetime.now(_dt.timezone.utc)
    if now.tzinfo is None:
        return now.replace(tzinfo=_dt.timezone.utc)
    return now.astimezone(_dt.timezone.utc)


def call_function(name: str, now: _dt.datetime) -> Any:
    if name == "dateTime":
        return JodaDateTime(now)
    if name == "now":
        return now
    raise CoercionError(f"function {name}() is not allowed")


def _int_arg(value: Any) -> int:
    # JUEL coerces method arguments to the Java parameter type (int here).
    if isinstance(value, float):
        return int(value)
    return to_long(value)


_JAVA_TRIMMED = "".join(chr(c) for c in range(0x21))


def _string_methods() -> dict[str, Callable[..., Any]]:
    return {
        "equals": lambda s, o: isinstance(o, str) and s == o,
        "equalsIgnoreCase": lambda s, o: o is not None and s.casefold() == java_string(o).casefold(),
        "contains": lambda s, o: _str_arg(o) in s,
        "startsWith": lambda s, o: s.startswith(_str_arg(o)),
        "endsWith": lambda s, o: s.endswith(_str_arg(o)),
        "isEmpty": lambda s: len(s) == 0,
        "length": lambda s: len(s),
        "size": lambda s: len(s),
        "toUpperCase": lambda s: s.upper(),
        "toLowerCase": lambda s: s.lower(),
        # Java trim() drops every char <= U+0020, not Unicode whitespace.
        "trim": lambda s: s.strip(_JAVA_TRIMMED),
        "toString": lambda s: s,
    }


def _str_arg(value: Any) -> str:
    if value is None:
        raise CoercionError("argument is null")
    return java_string(value)


_STRING_METHODS = _string_methods()
_COLLECTION_METHODS: dict[str, Callable[..., Any]] = {
    "size": lambda c: len(c),
    "isEmpty": lambda c: len(c) == 0,
    "contains": lambda c, o: any(java_equals(o, item) for item in c),
    "equals": lambda c, o: java_equals(c, o),
    "toString": lambda c: java_string(c),
}
_MAP_METHODS: dict[str, Callable[..., Any]] = {
    "size": lambda m: len(m),
    "isEmpty": lambda m: len(m) == 0,
    "equals": lambda m, o: java_equals(m, o),
    "toString": lambda m: java_string(m),
}
_OBJECT_METHODS: dict[str, Callable[..., Any]] = {
    "equals": lambda v, o: java_equals(v, o),
    "toString": lambda v: java_string(v),
}


def call_method(receiver: Any, name: str, args: list[Any]) -> Any:
    """Invoke an allow-listed method; CoercionError when it does not exist on the receiver's type."""
    if receiver is None:
        raise CoercionError(f"cannot invoke method {name}() on null")
    if isinstance(receiver, ExecutionProxy):
        return _execution_method(receiver, name, args)
    if isinstance(receiver, JodaDateTime):
        return _date_method(receiver, name, args)
    if isinstance(receiver, str):
        table = _STRING_METHODS
    elif isinstance(receiver, (list, tuple)):
        table = _COLLECTION_METHODS
    elif isinstance(receiver, dict):
        table = _MAP_METHODS
    else:
        table = _OBJECT_METHODS
    method = table.get(name)
    if method is None:
        raise CoercionError(f"method {name}() not found on {type_name(receiver)}")
    return method(receiver, *args)


def _execution_method(execution: ExecutionProxy, name: str, args: list[Any]) -> Any:
    if name not in EXECUTION_METHODS:
        raise CoercionError(f"method {name}() not found on execution")
    key = args[0]
    if not isinstance(key, str):
        raise CoercionError(f"{name}() needs a variable name (String), got {type_name(key)}")
    if name.startswith("has"):
        return key in execution._variables
    return execution._variables.get(key)


def _date_method(value: JodaDateTime, name: str, args: list[Any]) -> Any:
    unit = DATE_METHODS.get(name)
    if unit is not None:
        amount = _int_arg(args[0])
        return value.shifted(unit, -amount if name.startswith("minus") else amount)
    if name == "toDate":
        return value.value
    if name == "toString":
        return value.java_string()
    if name == "equals":
        other = args[0]
        return isinstance(other, JodaDateTime) and other.value == value.value
    raise CoercionError(f"method {name}() not found on DateTime")
