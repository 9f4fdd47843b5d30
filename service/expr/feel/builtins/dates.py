"""Date and time functions (DMN 1.3, 10.3.4.6 and table 73), now() and today()."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

from .. import ops
from .args import unwrap
from .registry import InvalidArgument, builtin


@builtin("is", "value1, value2")
def _is(ctx: Any, a: Any, b: Any) -> Any:
    if type(a) is not type(b):
        return False
    if type(a) in (_dt.datetime, _dt.time):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None) and _tz_key(a) == _tz_key(b)
    return ops.equal(ctx, a, b) is True


def _tz_key(v: Any) -> Any:
    tz = v.tzinfo
    if tz is None:
        return None
    key = getattr(tz, "key", None)
    if key:
        return key
    ref = v if type(v) is _dt.datetime else None
    return tz.utcoffset(ref)


def _as_date(v: Any) -> _dt.date:
    v = unwrap(v)
    if type(v) is _dt.datetime:
        return v.date()
    if type(v) is _dt.date:
        return v
    raise InvalidArgument("date must be a date or date and time")


@builtin("day of year", "date")
def _day_of_year(ctx: Any, date: Any) -> Any:
    return Decimal(_as_date(date).timetuple().tm_yday)


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@builtin("day of week", "date")
def _day_of_week(ctx: Any, date: Any) -> Any:
    return _DAYS[_as_date(date).weekday()]


@builtin("month of year", "date")
def _month_of_year(ctx: Any, date: Any) -> Any:
    return _MONTHS[_as_date(date).month - 1]


@builtin("week of year", "date")
def _week_of_year(ctx: Any, date: Any) -> Any:
    return Decimal(_as_date(date).isocalendar()[1])


@builtin("now", "")
def _now(ctx: Any) -> Any:
    return ctx.now if ctx.now is not None else _dt.datetime.now(_dt.timezone.utc)


@builtin("today", "")
def _today(ctx: Any) -> Any:
    now = ctx.now if ctx.now is not None else _dt.datetime.now(_dt.timezone.utc)
    return now.date()
