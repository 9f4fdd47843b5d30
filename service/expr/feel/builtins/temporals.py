"""Temporal constructors (DMN 1.5, 10.3.4.1): date(), time(), date and time(), duration(),
years and months duration()."""
from __future__ import annotations

from decimal import ROUND_FLOOR
from typing import Any, Callable

from .. import gregorian, ops, temporal
from ..values import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, YearsMonthsDuration
from .args import arg_integer, arg_number, arg_string
from .registry import InvalidArgument, builtin


def _year(v: Any) -> int:
    n = arg_number(v, "year")
    if n != n.to_integral_value():
        raise InvalidArgument("year must be an integer")
    if not gregorian.MIN_YEAR <= n <= gregorian.MAX_YEAR:
        raise InvalidArgument(f"year out of range {gregorian.MIN_YEAR}..{gregorian.MAX_YEAR}")
    return int(n)


def _parsed(text: str, parse: Callable[[str], Any], what: str) -> Any:
    """`text` read by `parse`, or InvalidArgument naming what it is not."""
    value = parse(text)
    if value is None:
        raise InvalidArgument(f"not a {what}: {text!r}")
    return value


@builtin("date", "from", "year, month, day")
def _date(ctx: Any, *args: Any) -> Any:
    if len(args) == 1:
        v = args[0]
        if type(v) is str:
            return _parsed(v, temporal.parse_date, "date")
        if type(v) is FeelDateTime:
            return v.date
        if type(v) is FeelDate:
            return v
        raise InvalidArgument(f"from must be a string, date or date and time, got {ops.kind(v)}")
    year, month, day = _year(args[0]), arg_integer(args[1], "month"), arg_integer(args[2], "day")
    d = temporal.make_date(year, month, day)
    if d is None:
        raise InvalidArgument(f"no such date: year {year}, month {month}, day {day}")
    return d


def _offset(offset: Any) -> int | None:
    if offset is None:
        return None
    if type(offset) is not DaysTimeDuration:
        raise InvalidArgument(f"offset must be a days and time duration, got {ops.kind(offset)}")
    seconds, rest = divmod(offset.nanos, gregorian.NANOS_PER_SECOND)
    if rest or abs(seconds) > gregorian.MAX_OFFSET_SECONDS:
        raise InvalidArgument(f"offset {offset} is not a whole number of seconds within 18 hours")
    return seconds


@builtin("time", "from", "hour, minute, second, offset?")
def _time(ctx: Any, *args: Any) -> Any:
    if len(args) == 1:
        v = args[0]
        if type(v) is str:
            return _parsed(v, temporal.parse_time, "time")
        if type(v) is FeelDateTime:
            return v.time
        if type(v) is FeelTime:
            return v
        if type(v) is FeelDate:
            return FeelTime(0, 0, 0, 0, 0)  # a date is its midnight UTC (TCK 1116 053)
        raise InvalidArgument(f"from must be a string, time or date and time, got {ops.kind(v)}")
    hour, minute, second, offset = args
    h, m = arg_integer(hour, "hour"), arg_integer(minute, "minute")
    s = arg_number(second, "second")
    if not 0 <= s < 60:
        raise InvalidArgument("second must be from 0 to less than 60")
    whole = int(s.to_integral_value(rounding=ROUND_FLOOR))
    nanos = int(((s - whole) * 1_000_000_000).to_integral_value(rounding=ROUND_FLOOR))
    t = temporal.make_time(h, m, whole, nanos, _offset(offset))
    if t is None:
        raise InvalidArgument(f"no such time: {h}:{m}:{s}")
    return t


@builtin("date and time", "from", "date, time")
def _date_and_time(ctx: Any, *args: Any) -> Any:
    if len(args) == 1:
        v = args[0]
        if type(v) is str:
            return _parsed(v, temporal.parse_datetime, "date and time")
        if type(v) is FeelDateTime:
            return v
        if type(v) is FeelDate:
            return FeelDateTime(v.year, v.month, v.day, 0, 0, 0)
        raise InvalidArgument(f"from must be a string, got {ops.kind(v)}")
    d, t = args
    if type(d) not in (FeelDate, FeelDateTime) or type(t) is not FeelTime:
        raise InvalidArgument("date and time(date, time) needs a date and a time")
    return temporal.settle(FeelDateTime.combine(d if type(d) is FeelDate else d.date, t))


@builtin("duration", "from")
def _duration(ctx: Any, value: Any) -> Any:
    d = temporal.parse_duration(arg_string(value, "from"))
    if d is None:
        raise InvalidArgument(f"not a duration: {value!r}")
    return d


@builtin("years and months duration", "from, to")
def _ym_duration(ctx: Any, start: Any, end: Any) -> Any:
    kinds = (FeelDate, FeelDateTime)
    if type(start) not in kinds or type(end) not in kinds:
        raise InvalidArgument("from and to must be dates or dates and times")
    return YearsMonthsDuration(temporal.months_between(start, end))

