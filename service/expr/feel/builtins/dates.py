"""Date and time functions (DMN 1.3, 10.3.4.6 and table 73), now() and today()."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

from .. import gregorian, ops, temporal
from ..values import FeelDate, FeelDateTime, FeelTime, to_feel
from .args import unwrap
from .registry import InvalidArgument, builtin


# named, a missing value is null (TCK 0103); positionally both are needed
@builtin("is", "value1, value2", "=value1?, value2?")
def _is(ctx: Any, a: Any, b: Any) -> Any:
    """Same type and same value, a zone id or offset included (unlike '=')."""
    if type(a) is not type(b):
        return False
    if type(a) in (FeelDate, FeelTime, FeelDateTime):
        return bool(a == b)
    return ops.equal(ctx, a, b) is True


def _as_date(v: Any) -> FeelDate:
    v = unwrap(v)
    if type(v) is FeelDateTime:
        return v.date
    if type(v) is FeelDate:
        return v
    raise InvalidArgument(f"date must be a date or date and time, got {ops.kind(v)}")


@builtin("day of year", "date")
def _day_of_year(ctx: Any, date: Any) -> Any:
    d = _as_date(date)
    return Decimal(gregorian.day_of_year(d.year, d.month, d.day))


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@builtin("day of week", "date")
def _day_of_week(ctx: Any, date: Any) -> Any:
    return _DAYS[temporal.weekday(_as_date(date)) - 1]


@builtin("month of year", "date")
def _month_of_year(ctx: Any, date: Any) -> Any:
    return _MONTHS[_as_date(date).month - 1]


@builtin("week of year", "date")
def _week_of_year(ctx: Any, date: Any) -> Any:
    d = _as_date(date)
    return Decimal(gregorian.iso_week(d.year, d.month, d.day))


def _now(ctx: Any) -> FeelDateTime:
    if ctx.now is None:
        # One instant per evaluation: now() - now() is zero, today() agrees with now().
        ctx.now = _dt.datetime.now(_dt.timezone.utc)
    value = to_feel(ctx.now)
    if type(value) is not FeelDateTime:
        raise InvalidArgument("the evaluation clock is not a date and time")
    return value


@builtin("now", "")
def _now_builtin(ctx: Any) -> Any:
    return _now(ctx)


@builtin("today", "")
def _today(ctx: Any) -> Any:
    return _now(ctx).date
