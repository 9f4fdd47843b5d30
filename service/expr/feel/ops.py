"""Semantics of FEEL operators on values (DMN 1.3, 10.3.2.2 and tables 45-56).

Every function returns a FEEL value or ``None`` (null); invalid combinations are
reported through ``ctx.diag`` and never raise (except LimitExceeded).
"""
from __future__ import annotations

import decimal
import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import temporal
from .values import (DECIMAL_CONTEXT, BuiltinFunction, DaysTimeDuration, FeelDate, FeelDateTime, FeelFunction,
                     FeelTime, Range, YearsMonthsDuration, format_value)

if TYPE_CHECKING:
    from .evaluator import Context

_D = Decimal
_DATE = FeelDate
_DATETIME = FeelDateTime
_TIME = FeelTime
_YM = YearsMonthsDuration
_DT = DaysTimeDuration


def kind(value: Any) -> str:
    """FEEL type name of a value (used in diagnostics and type checks)."""
    if value is None:
        return "Null"
    t = type(value)
    if t is bool:
        return "boolean"
    if t is _D:
        return "number"
    if t is str:
        return "string"
    if t is _DATE:
        return "date"
    if t is _DATETIME:
        return "date and time"
    if t is _TIME:
        return "time"
    if t is _YM:
        return "years and months duration"
    if t is _DT:
        return "days and time duration"
    if t is list:
        return "list"
    if t is dict:
        return "context"
    if t is Range:
        return "range"
    if t is FeelFunction or t is BuiltinFunction:
        return "function"
    return "unknown"


def _short(value: Any) -> str:
    text = format_value(value) if type(value) is not str else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_number(ctx: "Context", value: Decimal) -> Decimal | None:
    """Refuse results beyond the configured number size."""
    if not value.is_finite():
        ctx.diag("arithmetic result is not a finite number")
        return None
    if value and abs(value.adjusted()) > ctx.limits.max_number_digits:
        ctx.diag("number out of range")
        return None
    return value


def _decimal_op(ctx: "Context", op: str, a: Decimal, b: Decimal) -> Decimal | None:
    try:
        if op == "+":
            r = DECIMAL_CONTEXT.add(a, b)
        elif op == "-":
            r = DECIMAL_CONTEXT.subtract(a, b)
        elif op == "*":
            r = DECIMAL_CONTEXT.multiply(a, b)
        elif op == "/":
            if not b:
                ctx.diag("division by zero")
                return None
            r = DECIMAL_CONTEXT.divide(a, b)
        else:
            powered = power(ctx, a, b)
            if powered is None:
                return None
            r = powered
    except (decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero) as exc:
        ctx.diag(f"invalid arithmetic {format_value(a)} {op} {format_value(b)} ({type(exc).__name__})")
        return None
    return check_number(ctx, r)


def power(ctx: "Context", a: Decimal, b: Decimal) -> Decimal | None:
    if not b:
        return Decimal(1)  # x ** 0 = 1, also for 0 (Python's decimal calls 0 ** 0 undefined)
    # Estimate the result's size (log10 |a**b|) before computing, so huge results are never built.
    if a:
        try:
            digits = float(b) * math.log10(abs(float(a)))
        except (OverflowError, ValueError):
            digits = math.inf
        if not math.isfinite(digits) or abs(digits) > ctx.limits.max_number_digits:
            ctx.diag("exponentiation result out of range")
            return None
    return DECIMAL_CONTEXT.power(a, b)


def add(ctx: "Context", a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is _D and tb is _D:
        return _decimal_op(ctx, "+", a, b)
    if a is None or b is None:
        return None
    if ta is str and tb is str:
        ctx.check_string(len(a) + len(b))
        return a + b
    if ta is _YM and tb is _YM:
        return _duration(ctx, _YM(a.months + b.months))
    if ta is _DT and tb is _DT:
        return _duration(ctx, _DT(a.nanos + b.nanos))
    if tb in (_DATE, _DATETIME, _TIME) and ta in (_YM, _DT):
        a, b, ta, tb = b, a, tb, ta
    if ta in (_DATE, _DATETIME, _TIME) and tb in (_YM, _DT):
        return _add_temporal(ctx, a, b, 1)
    ctx.diag(f"cannot add {kind(a)} and {kind(b)}")
    return None


def _add_temporal(ctx: "Context", t: Any, d: Any, sign: int) -> Any:
    if type(d) is _YM:
        if type(t) is _TIME:
            ctx.diag("cannot add a years and months duration to a time")
            return None
        result = temporal.add_months(t, sign * d.months)
    else:
        result = temporal.add_nanos(t, sign * d.nanos)
    if result is None:
        ctx.diag("date out of range")
    return result


def _duration(ctx: "Context", value: Any) -> Any:
    """A duration result, or None (with a diagnostic) beyond the span of all FEEL dates."""
    if temporal.duration_in_range(value):
        return value
    ctx.diag("duration out of range")
    return None


def subtract(ctx: "Context", a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is _D and tb is _D:
        return _decimal_op(ctx, "-", a, b)
    if a is None or b is None:
        return None
    if ta is _YM and tb is _YM:
        return _duration(ctx, _YM(a.months - b.months))
    if ta is _DT and tb is _DT:
        return _duration(ctx, _DT(a.nanos - b.nanos))
    if ta in (_DATE, _DATETIME, _TIME) and tb in (_YM, _DT):
        return _add_temporal(ctx, a, b, -1)
    if ta in (_DATE, _DATETIME) and tb in (_DATE, _DATETIME):
        result = temporal.subtract_dates(a, b)
        if result is None:
            ctx.diag("cannot subtract a local date and time and a zoned one")
        return result
    if ta is _TIME and tb is _TIME:
        result = temporal.subtract_times(a, b)
        if result is None:
            ctx.diag("cannot subtract a time with a zone and a time without one")
        return result
    ctx.diag(f"cannot subtract {kind(b)} from {kind(a)}")
    return None


def multiply(ctx: "Context", a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is _D and tb is _D:
        return _decimal_op(ctx, "*", a, b)
    if a is None or b is None:
        return None
    if ta is _D and tb in (_YM, _DT):
        a, b, ta, tb = b, a, tb, ta
    if ta is _YM and tb is _D:
        return _scale_ym(ctx, a, b)
    if ta is _DT and tb is _D:
        return _scale_dt(ctx, a, b)
    ctx.diag(f"cannot multiply {kind(a)} by {kind(b)}")
    return None


def _scale_dt(ctx: "Context", d: DaysTimeDuration, factor: Decimal, divide: bool = False) -> DaysTimeDuration | None:
    try:
        if divide:
            nanos = DECIMAL_CONTEXT.divide(Decimal(d.nanos), factor)
        else:
            nanos = DECIMAL_CONTEXT.multiply(Decimal(d.nanos), factor)
    except (decimal.Overflow, decimal.InvalidOperation):
        ctx.diag("duration out of range")
        return None
    if abs(nanos) > temporal.MAX_DURATION_NANOS:
        ctx.diag("duration out of range")
        return None
    return _DT(int(nanos.to_integral_value(rounding=decimal.ROUND_HALF_EVEN)))


def _scale_ym(ctx: "Context", d: YearsMonthsDuration, factor: Decimal, divide: bool = False) -> Any:
    # Whole months, the fraction dropped (java.time.Period holds whole months).
    try:
        if divide:
            months = DECIMAL_CONTEXT.divide(Decimal(d.months), factor)
        else:
            months = DECIMAL_CONTEXT.multiply(Decimal(d.months), factor)
    except (decimal.Overflow, decimal.InvalidOperation):
        ctx.diag("duration out of range")
        return None
    if abs(months) > temporal.MAX_DURATION_MONTHS:
        ctx.diag("duration out of range")
        return None
    return _YM(int(months.to_integral_value(rounding=decimal.ROUND_DOWN)))


def divide(ctx: "Context", a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is _D and tb is _D:
        return _decimal_op(ctx, "/", a, b)
    if a is None or b is None:
        return None
    if ta in (_YM, _DT) and tb is _D:
        if not b:
            ctx.diag("division by zero")
            return None
        if ta is _YM:
            return _scale_ym(ctx, a, b, divide=True)
        return _scale_dt(ctx, a, b, divide=True)
    if ta is _YM and tb is _YM:
        if not b.months:
            ctx.diag("division by zero")
            return None
        return DECIMAL_CONTEXT.divide(Decimal(a.months), Decimal(b.months))
    if ta is _DT and tb is _DT:
        if not b.nanos:
            ctx.diag("division by zero")
            return None
        return DECIMAL_CONTEXT.divide(Decimal(a.nanos), Decimal(b.nanos))
    ctx.diag(f"cannot divide {kind(a)} by {kind(b)}")
    return None


def exponent(ctx: "Context", a: Any, b: Any) -> Any:
    if type(a) is _D and type(b) is _D:
        return _decimal_op(ctx, "**", a, b)
    if a is not None and b is not None:
        ctx.diag(f"cannot raise {kind(a)} to {kind(b)}")
    return None


def negate(ctx: "Context", a: Any) -> Any:
    t = type(a)
    if t is _D:
        return -a
    if t is _YM:
        return _YM(-a.months)
    if t is _DT:
        return _DT(-a.nanos)
    if a is not None:
        ctx.diag(f"cannot negate {kind(a)}")
    return None


# -- equality and ordering ----------------------------------------------------------------------

def equal(ctx: "Context", a: Any, b: Any) -> bool | None:
    """FEEL '=': null only equals null; values of different types give null."""
    if a is None or b is None:
        return a is None and b is None
    ta, tb = type(a), type(b)
    if ta is not tb:
        if ta in (_DATE, _DATETIME) and tb in (_DATE, _DATETIME):
            return False
        ctx.diag(f"cannot compare {kind(a)} with {kind(b)}")
        return None
    if ta is _D or ta is str or ta is bool or ta is _DATE or ta is _YM or ta is _DT:
        return a == b
    if ta is _DATETIME:
        return temporal.equal_datetimes(a, b)
    if ta is _TIME:
        return temporal.equal_times(a, b)
    if ta is list:
        if len(a) != len(b):
            return False
        ctx.tick(len(a))
        for x, y in zip(a, b, strict=False):
            r = equal(ctx, x, y)
            if r is not True:
                return r
        return True
    if ta is dict:
        if a.keys() != b.keys():
            return False
        for k in a:
            r = equal(ctx, a[k], b[k])
            if r is not True:
                return r
        return True
    if ta is Range:
        return (a.op == b.op and a.start_included == b.start_included and a.end_included == b.end_included
                and equal(ctx, a.start, b.start) is True and equal(ctx, a.end, b.end) is True)
    return a is b


def compare(ctx: "Context", a: Any, b: Any) -> int | None:
    """-1, 0 or 1 for ordered values of the same type; None (with a diagnostic) otherwise."""
    if a is None or b is None:
        return None
    ta, tb = type(a), type(b)
    if ta is _DATE and tb is _DATETIME or ta is _DATETIME and tb is _DATE:
        a, b = temporal.as_datetime(a), temporal.as_datetime(b)
        ta = tb = _DATETIME
    if ta is not tb or ta is bool:
        ctx.diag(f"cannot order {kind(a)} and {kind(b)}")
        return None
    if ta is _D or ta is str or ta is _DATE or ta is _YM or ta is _DT:
        return (a > b) - (a < b)
    if ta is _DATETIME:
        return temporal.compare_datetimes(a, b)
    if ta is _TIME:
        c = temporal.compare_times(a, b)
        if c is None:
            ctx.diag("cannot order a time with a zone and a time without one")
        return c
    ctx.diag(f"cannot order values of type {kind(a)}")
    return None


def less(ctx: "Context", a: Any, b: Any) -> bool | None:
    c = compare(ctx, a, b)
    return None if c is None else c < 0


def compare_op(ctx: "Context", op: str, a: Any, b: Any) -> bool | None:
    if op == "=":
        return equal(ctx, a, b)
    if op == "!=":
        r = equal(ctx, a, b)
        return None if r is None else not r
    c = compare(ctx, a, b)
    if c is None:
        return None
    if op == "<":
        return c < 0
    if op == "<=":
        return c <= 0
    if op == ">":
        return c > 0
    return c >= 0


def in_range(ctx: "Context", value: Any, r: Range) -> bool | None:
    if value is None:
        return None
    if r.op is None and (r.start is None or r.end is None):
        ctx.diag("a range with a null end point contains nothing for certain: null")
        return None
    if r.op == "!=":
        same = equal(ctx, value, r.start)
        return None if same is None else not same
    if r.start is not None:
        c = compare(ctx, value, r.start)
        if c is None:
            return None
        if c < 0 or (c == 0 and not r.start_included):
            return False
    elif r.start_included:
        return None
    if r.end is not None:
        c = compare(ctx, value, r.end)
        if c is None:
            return None
        if c > 0 or (c == 0 and not r.end_included):
            return False
    elif r.end_included:
        return None
    return True


def list_contains(ctx: "Context", items: list, value: Any) -> bool:
    ctx.tick(len(items))  # membership costs one step per comparison
    for item in items:
        if equal(ctx, item, value) is True:
            return True
    return False
