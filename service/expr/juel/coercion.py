"""EL 2.2 type coercions and operators (spec chapter 1.8-1.18) over plain Python values.

Python types stand in for the Java ones: int = Long, float = Double, Decimal = BigDecimal,
str = String, bool = Boolean, list = List, dict = Map, date/datetime = Date.
Failures raise `CoercionError`; the evaluator turns it into an ExpressionError with the source position.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import Decimal, DecimalException, InvalidOperation, localcontext
from typing import Any

LONG_MIN = -(2 ** 63)
LONG_MAX = 2 ** 63 - 1

_LONG_TEXT = re.compile(r"[+-]?\d{1,19}")
_DOUBLE_TEXT = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?\s*")


class CoercionError(Exception):
    """A value could not be coerced or an operator does not apply (message is user-facing)."""


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Long"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, Decimal):
        return "BigDecimal"
    if isinstance(value, str):
        return "String"
    if isinstance(value, (list, tuple)):
        return "List"
    if isinstance(value, dict):
        return "Map"
    if isinstance(value, _dt.datetime):
        return "Date"
    if isinstance(value, _dt.date):
        return "LocalDate"
    return type(value).__name__


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def check_long(value: int) -> int:
    # Java would wrap around silently; an amount that overflows is a modelling error worth reporting.
    if value < LONG_MIN or value > LONG_MAX:
        raise CoercionError("integer overflow (result outside the 64-bit Long range)")
    return value


def check_double(value: float) -> float:
    # Java yields Infinity/NaN, which no process variable can store; report it instead.
    if math.isnan(value) or math.isinf(value):
        raise CoercionError("the result is not a finite number")
    return value


def _has_float_marker(value: Any) -> bool:
    return isinstance(value, str) and any(c in value for c in ".eE")


def to_long(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        raise CoercionError(f"cannot coerce Boolean {java_string(value)} to a number")
    if isinstance(value, int):
        return check_long(value)
    if isinstance(value, (float, Decimal)):
        if not math.isfinite(value):
            raise CoercionError(f"cannot coerce {value} to Long")
        return check_long(int(value))
    if isinstance(value, str):
        if value == "":
            return 0
        if not _LONG_TEXT.fullmatch(value):
            raise CoercionError(f"cannot coerce {value!r} to Long")
        return check_long(int(value))
    raise CoercionError(f"cannot coerce {type_name(value)} to Long")


def to_double(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise CoercionError(f"cannot coerce Boolean {java_string(value)} to a number")
    if isinstance(value, float):
        return value
    if isinstance(value, (int, Decimal)):
        try:
            result = float(value)
        except OverflowError:
            raise CoercionError("number too large for Double") from None
        # float() of a huge Decimal is inf rather than an error: Java's doubleValue() too, but no
        # process variable can hold the result, so say so here.
        if math.isinf(result) or (math.isnan(result) and not isinstance(value, Decimal)):
            raise CoercionError("number too large for Double")
        return result
    if isinstance(value, str):
        if value == "":
            return 0.0
        if not _DOUBLE_TEXT.fullmatch(value):
            raise CoercionError(f"cannot coerce {value!r} to Double")
        return check_double(float(value.strip().rstrip("fFdD")))
    raise CoercionError(f"cannot coerce {type_name(value)} to Double")


def to_decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        raise CoercionError(f"cannot coerce Boolean {java_string(value)} to a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        if value == "":
            return Decimal(0)
        if not _DOUBLE_TEXT.fullmatch(value):
            raise CoercionError(f"cannot coerce {value!r} to BigDecimal")
        return Decimal(value.strip().rstrip("fFdD"))
    raise CoercionError(f"cannot coerce {type_name(value)} to BigDecimal")


def to_boolean(value: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    raise CoercionError(f"cannot coerce {type_name(value)} {java_string(value)} to Boolean")


def java_double_string(value: float) -> str:
    """Double.toString: plain notation in [1e-3, 1e7), else `d.dddE±n`."""
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)
        return text if "." in text or "e" in text else text + ".0"
    digits_tuple = Decimal(repr(magnitude)).normalize().as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits)
    exponent = int(digits_tuple.exponent) + len(digits) - 1
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def java_string(value: Any) -> str:
    """String coercion of EL (null -> ''), with Java's toString for the other types."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:   # beyond Python's int-to-str digit limit: no Long is that large anyway
            raise CoercionError("integer too large to print") from None
    if isinstance(value, float):
        return java_double_string(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join("null" if v is None else java_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={'null' if v is None else java_string(v)}" for k, v in value.items()) + "}"
    to_string = getattr(value, "java_string", None)
    if callable(to_string):
        return str(to_string())
    raise CoercionError(f"cannot coerce {type_name(value)} to String")


def _check_number_operand(value: Any) -> None:
    if value is None or is_number(value) or isinstance(value, str):
        return
    raise CoercionError(f"cannot use {type_name(value)} {_short(value)} in arithmetic")


def _short(value: Any) -> str:
    text = java_string(value) if not isinstance(value, (list, dict)) else type_name(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _decimal_result(value: Decimal, max_digits: int) -> Decimal:
    if value.is_finite() and value != 0 and abs(value.adjusted()) > max_digits:
        raise OverflowError("number too large")
    return value


def arithmetic(op: str, a: Any, b: Any, max_digits: int = 1000) -> Any:
    """Binary + - * (EL 1.8.1)."""
    _check_number_operand(a)
    _check_number_operand(b)
    if a is None and b is None:
        return 0
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        dx, dy = to_decimal(a), to_decimal(b)
        with localcontext() as ctx:
            ctx.prec = max(34, max_digits + 2)
            try:
                value = dx + dy if op == "+" else dx - dy if op == "-" else dx * dy
            except DecimalException as exc:
                raise CoercionError(f"invalid decimal arithmetic: {exc.__class__.__name__}") from None
        return _decimal_result(value, max_digits)
    if isinstance(a, float) or isinstance(b, float) or _has_float_marker(a) or _has_float_marker(b):
        fx, fy = to_double(a), to_double(b)
        return check_double(fx + fy if op == "+" else fx - fy if op == "-" else fx * fy)
    lx, ly = to_long(a), to_long(b)
    return check_long(lx + ly if op == "+" else lx - ly if op == "-" else lx * ly)


def divide(a: Any, b: Any, max_digits: int = 1000) -> Any:
    """`/` and `div` (EL 1.8.2): always a Double unless a BigDecimal is involved."""
    _check_number_operand(a)
    _check_number_operand(b)
    if a is None and b is None:
        return 0
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        dx, dy = to_decimal(a), to_decimal(b)
        if dy == 0:
            raise CoercionError("division by zero")
        with localcontext() as ctx:
            ctx.prec = 34
            try:
                return _decimal_result(dx / dy, max_digits)
            except (DecimalException, InvalidOperation) as exc:
                raise CoercionError(f"invalid decimal division: {exc.__class__.__name__}") from None
    x, y = to_double(a), to_double(b)
    if y == 0:
        raise CoercionError("division by zero")
    return check_double(x / y)


def modulo(a: Any, b: Any) -> Any:
    """`%` and `mod` (EL 1.8.3): Java remainder, whose sign follows the dividend."""
    _check_number_operand(a)
    _check_number_operand(b)
    if a is None and b is None:
        return 0
    if (isinstance(a, (float, Decimal)) or isinstance(b, (float, Decimal))
            or _has_float_marker(a) or _has_float_marker(b)):
        x, y = to_double(a), to_double(b)
        if y == 0:
            raise CoercionError("division by zero")
        try:
            return check_double(math.fmod(x, y))
        except ValueError:   # fmod of an infinite or NaN operand
            raise CoercionError("the result is not a finite number") from None
    x, y = to_long(a), to_long(b)
    if y == 0:
        raise CoercionError("division by zero")
    remainder = abs(x) % abs(y)
    return -remainder if x < 0 else remainder


def negate(a: Any) -> Any:
    """Unary minus (EL 1.8.5)."""
    if a is None:
        return 0
    if isinstance(a, bool):
        raise CoercionError("cannot negate a Boolean")
    if isinstance(a, Decimal):
        return -a
    if isinstance(a, str):
        return -to_double(a) if _has_float_marker(a) else check_long(-to_long(a))
    if isinstance(a, float):
        return -a
    if isinstance(a, int):
        return check_long(-a)
    raise CoercionError(f"cannot negate {type_name(a)}")


def _numeric_pair(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Coerce a pair for comparison by the EL precedence BigDecimal > Double > Long; None if not numeric."""
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return to_decimal(a), to_decimal(b)
    if isinstance(a, float) or isinstance(b, float):
        return to_double(a), to_double(b)
    if (isinstance(a, int) and not isinstance(a, bool)) or (isinstance(b, int) and not isinstance(b, bool)):
        return to_long(a), to_long(b)
    return None


def compare(op: str, a: Any, b: Any) -> bool:
    """< > <= >= (EL 1.8.2); any comparison with NaN is false, as in Java."""
    if _is_nan(a) or _is_nan(b):
        return False
    if a is b and op in ("<=", ">="):
        return True
    if a is None or b is None:
        return False
    pair = _numeric_pair(a, b)
    if pair is None:
        if isinstance(a, str) or isinstance(b, str):
            pair = java_string(a), java_string(b)
        elif isinstance(a, bool) and isinstance(b, bool):
            pair = a, b
        elif isinstance(a, _dt.date) and isinstance(b, _dt.date):
            pair = _comparable_dates(a, b)
        else:
            raise CoercionError(f"cannot compare {type_name(a)} with {type_name(b)}")
    x: Any = pair[0]
    y: Any = pair[1]
    if op == "<":
        return x < y
    if op == ">":
        return x > y
    if op == "<=":
        return x <= y
    return x >= y


def _comparable_dates(a: _dt.date, b: _dt.date) -> tuple[Any, Any]:
    a_is_dt, b_is_dt = isinstance(a, _dt.datetime), isinstance(b, _dt.datetime)
    if a_is_dt != b_is_dt:
        raise CoercionError("cannot compare a date with a date-time")
    if isinstance(a, _dt.datetime) and isinstance(b, _dt.datetime) and ((a.tzinfo is None) != (b.tzinfo is None)):
        raise CoercionError("cannot compare a date-time with a time zone to one without")
    return a, b


def _is_nan(value: Any) -> bool:
    return (isinstance(value, float) and math.isnan(value)) or (isinstance(value, Decimal) and value.is_nan())


def equals(a: Any, b: Any) -> bool:
    """== (EL 1.8.2): numbers compare as Java primitives, so NaN equals nothing, not even itself."""
    if _is_nan(a) or _is_nan(b):
        return False
    if a is b:
        return True
    if a is None or b is None:
        return False
    pair = _numeric_pair(a, b)
    if pair is not None:
        return pair[0] == pair[1]
    if isinstance(a, bool) or isinstance(b, bool):
        return to_boolean(a) == to_boolean(b)
    if isinstance(a, str) or isinstance(b, str):
        return java_string(a) == java_string(b)
    if isinstance(a, _dt.date) and isinstance(b, _dt.date):
        if isinstance(a, _dt.datetime) != isinstance(b, _dt.datetime):
            return False
        try:
            return a == b
        except TypeError:
            return False
    return java_equals(a, b)


def java_equals(a: Any, b: Any) -> bool:
    """Object.equals, lenient on numeric kinds (Camunda variables mix Integer and Long)."""
    if a is None or b is None:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return _numeric_pair(a, b)[0] == _numeric_pair(a, b)[1]  # type: ignore[index]
    if type(a) is not type(b) and not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(java_equals(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(java_equals(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except TypeError:
        return False


def is_empty(value: Any) -> bool:
    """The `empty` operator (EL 1.10)."""
    if value is None:
        return True
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) == 0
    return False
