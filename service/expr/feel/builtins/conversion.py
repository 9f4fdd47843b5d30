"""Conversion functions (DMN 1.3, 10.3.4.1) and the boolean function not() (10.3.4.2)."""
from __future__ import annotations

import datetime as _dt
import decimal
import re
from typing import Any

from .. import ops, temporal
from ..values import DECIMAL_CONTEXT, DaysTimeDuration, YearsMonthsDuration, format_value
from .args import arg_integer, arg_number, arg_string
from .registry import InvalidArgument, builtin


@builtin("date", "from", "year, month, day")
def _date(ctx: Any, *args: Any) -> Any:
    if len(args) == 1:
        v = args[0]
        if type(v) is str:
            d = temporal.parse_date(v)
            if d is None:
                raise InvalidArgument(f"not a date: {v!r}")
            return d
        if type(v) is _dt.datetime:
            return v.date()
        if type(v) is _dt.date:
            return v
        raise InvalidArgument("from must be a string, date or date and time")
    year, month, day = (arg_integer(a, n) for a, n in zip(args, ("year", "month", "day")))
    return _dt.date(year, month, day)


@builtin("time", "from", "hour, minute, second, offset?")
def _time(ctx: Any, *args: Any) -> Any:
    if len(args) == 1:
        v = args[0]
        if type(v) is str:
            t = temporal.parse_time(v)
            if t is None:
                raise InvalidArgument(f"not a time: {v!r}")
            return t
        if type(v) is _dt.datetime:
            return v.timetz()
        if type(v) is _dt.time:
            return v
        # A date has no time of day: time(date) is null (DMN 1.3 10.3.4.1, Table 58 lists time and
        # date and time only).
        raise InvalidArgument("from must be a string, time or date and time")
    hour, minute, second, offset = args
    h, m = arg_integer(hour, "hour"), arg_integer(minute, "minute")
    s = arg_number(second, "second")
    whole = int(s.to_integral_value(rounding=decimal.ROUND_FLOOR))
    micros = int(((s - whole) * 1_000_000).to_integral_value())
    tz = None
    if offset is not None:
        if type(offset) is not DaysTimeDuration:
            raise InvalidArgument("offset must be a days and time duration")
        tz = _dt.timezone(offset.to_timedelta())
    return _dt.time(h, m, whole, micros, tzinfo=tz)


@builtin("date and time", "from", "date, time")
def _date_and_time(ctx: Any, *args: Any) -> Any:
    if len(args) == 1:
        v = args[0]
        if type(v) is str:
            dt = temporal.parse_datetime(v)
            if dt is None:
                raise InvalidArgument(f"not a date and time: {v!r}")
            return dt
        if type(v) is _dt.datetime:
            return v
        if type(v) is _dt.date:
            return _dt.datetime(v.year, v.month, v.day)
        raise InvalidArgument("from must be a string")
    d, t = args
    if type(d) not in (_dt.date, _dt.datetime) or type(t) is not _dt.time:
        raise InvalidArgument("date and time(date, time) needs a date and a time")
    return temporal.combine(d if type(d) is _dt.date else d.date(), t)


@builtin("duration", "from")
def _duration(ctx: Any, value: Any) -> Any:
    d = temporal.parse_duration(arg_string(value, "from"))
    if d is None:
        raise InvalidArgument(f"not a duration: {value!r}")
    return d


@builtin("years and months duration", "from, to")
def _ym_duration(ctx: Any, start: Any, end: Any) -> Any:
    kinds = (_dt.date, _dt.datetime)
    if type(start) not in kinds or type(end) not in kinds:
        raise InvalidArgument("from and to must be dates or dates and times")
    return YearsMonthsDuration(temporal.months_between(start, end))


_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?\Z")


@builtin("number", "from, grouping separator?, decimal separator?")
def _number(ctx: Any, text: Any, grouping: Any, decimal_sep: Any) -> Any:
    s = arg_string(text, "from")
    if grouping is not None and grouping not in (" ", ",", "."):
        raise InvalidArgument("grouping separator must be ' ', ',' or '.'")
    if decimal_sep is not None and decimal_sep not in (",", "."):
        raise InvalidArgument("decimal separator must be ',' or '.'")
    if grouping is not None and grouping == decimal_sep:
        raise InvalidArgument("grouping and decimal separators must differ")
    if grouping is not None:
        s = s.replace(grouping, "")
    if decimal_sep is not None and decimal_sep != ".":
        if "." in s:
            raise InvalidArgument(f"not a number: {text!r}")
        s = s.replace(decimal_sep, ".")
    if len(s) > 1000 or not _NUMBER_TEXT.match(s):
        raise InvalidArgument(f"not a number: {text!r}")
    return ops.check_number(ctx, DECIMAL_CONTEXT.create_decimal(s))


@builtin("string", "from")
def _string(ctx: Any, value: Any) -> Any:
    if value is None:
        return None
    text = format_value(value)
    ctx.check_string(len(text))
    return text


# -- boolean (10.3.4.2) -------------------------------------------------------------------------

@builtin("not", "negand")
def _not(ctx: Any, value: Any) -> Any:
    return (not value) if type(value) is bool else None
