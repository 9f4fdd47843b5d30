"""Parsing and arithmetic of FEEL dates, times and durations (DMN 1.3, 10.3.2.3)."""
from __future__ import annotations

import calendar
import datetime as _dt
import re
import zoneinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .values import DaysTimeDuration, YearsMonthsDuration

# XML Schema years: four digits, or more without a leading zero ("01211" is not a year).
_DATE = re.compile(r"(-?(?:[1-9]\d{4,8}|\d{4}))-(\d\d)-(\d\d)\Z")
_TIME = re.compile(
    r"(\d\d):(\d\d):(\d\d)(?:\.(\d+))?"
    r"(?:(Z|z)|([+-])(\d\d):(\d\d)(?::(\d\d))?|@([A-Za-z][A-Za-z0-9_+\-/]{0,63}))?\Z"
)
_DURATION = re.compile(
    r"(-)?P(?:(\d{1,9})Y)?(?:(\d{1,9})M)?(?:(\d{1,9})D)?"
    r"(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,12})(?:\.(\d{1,9}))?S)?)?\Z"
)

_UTC = _dt.timezone.utc


@lru_cache(maxsize=256)
def zone(name: str) -> _dt.tzinfo | None:
    """A ``ZoneInfo`` for an IANA name, or None if unknown."""
    if name == "Z":
        return _UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def parse_date(text: str) -> _dt.date | None:
    m = _DATE.match(text)
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _parse_tz(m: re.Match[str]) -> tuple[bool, _dt.tzinfo | None]:
    if m.group(5):
        return True, _UTC
    if m.group(6):
        hours, minutes = int(m.group(7)), int(m.group(8))
        seconds = int(m.group(9) or 0)
        if hours > 14 or minutes > 59 or seconds > 59:
            return False, None
        delta = _dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        return True, _dt.timezone(-delta if m.group(6) == "-" else delta)
    if m.group(10):
        tz = zone(m.group(10))
        return (tz is not None), tz
    return True, None


def parse_time(text: str) -> _dt.time | None:
    m = _TIME.match(text)
    if not m:
        return None
    ok, tz = _parse_tz(m)
    if not ok:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3))
    micros = int((m.group(4) or "0")[:6].ljust(6, "0"))
    if hour == 24 and minute == 0 and second == 0 and micros == 0:
        hour = 0
    try:
        return _dt.time(hour, minute, second, micros, tzinfo=tz)
    except ValueError:
        return None


def parse_datetime(text: str) -> _dt.datetime | None:
    if "T" not in text:
        d = parse_date(text)
        return None if d is None else _dt.datetime(d.year, d.month, d.day)
    date_text, _, time_text = text.partition("T")
    d = parse_date(date_text)
    t = parse_time(time_text)
    if d is None or t is None:
        return None
    if time_text.startswith("24:00:00"):
        # ISO 8601 end of day: midnight of the next day.
        try:
            d = d + _dt.timedelta(days=1)
        except OverflowError:
            return None
    return combine(d, t)


def combine(d: _dt.date, t: _dt.time) -> _dt.datetime:
    return _dt.datetime(d.year, d.month, d.day, t.hour, t.minute, t.second, t.microsecond, tzinfo=t.tzinfo)


def parse_duration(text: str) -> YearsMonthsDuration | DaysTimeDuration | None:
    m = _DURATION.match(text)
    if not m or text.endswith("T") or text in ("P", "-P"):
        return None
    sign = -1 if m.group(1) else 1
    years, months, days, hours, minutes, seconds, frac = m.groups()[1:]
    has_ym = years is not None or months is not None
    has_dt = any(v is not None for v in (days, hours, minutes, seconds))
    if has_ym and has_dt:
        return None
    if has_ym:
        return YearsMonthsDuration(sign * (int(years or 0) * 12 + int(months or 0)))
    total = (((int(days or 0) * 24 + int(hours or 0)) * 60 + int(minutes or 0)) * 60 + int(seconds or 0))
    micros = total * 1_000_000 + int((frac or "0")[:6].ljust(6, "0"))
    return DaysTimeDuration(sign * micros)


def parse_temporal(text: str) -> Any:
    """The value of a temporal literal ``@"..."``: a date, time, date and time or duration."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if "T" in text:
        return parse_datetime(text)
    if _DATE.match(text):
        return parse_date(text)
    return parse_time(text)


# -- arithmetic ---------------------------------------------------------------------------------

def add_months(value: _dt.date | _dt.datetime, months: int) -> _dt.date | _dt.datetime | None:
    """Shift by months, clamping the day to the end of the month (2012-01-31 + P1M = 2012-02-29)."""
    total = value.year * 12 + (value.month - 1) + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        return None
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def months_between(start: _dt.date | _dt.datetime, end: _dt.date | _dt.datetime) -> int:
    """Whole months from ``start`` to ``end`` (years and months duration(from, to))."""
    if isinstance(start, _dt.datetime) != isinstance(end, _dt.datetime):
        start = to_datetime(start)
        end = to_datetime(end)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and _day_part(end) < _day_part(start):
        months -= 1
    elif months < 0 and _day_part(end) > _day_part(start):
        months += 1
    return months


def _day_part(value: _dt.date | _dt.datetime) -> tuple:
    if isinstance(value, _dt.datetime):
        return (value.day, value.hour, value.minute, value.second, value.microsecond)
    return (value.day,)


def to_datetime(value: _dt.date | _dt.datetime) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value
    # A date is the date and time at midnight UTC (DMN 1.3, 10.3.2.3.6).
    return _dt.datetime(value.year, value.month, value.day, tzinfo=_UTC)


def subtract_datetimes(a: _dt.datetime, b: _dt.datetime) -> DaysTimeDuration | None:
    if (a.tzinfo is None) != (b.tzinfo is None):
        # One local and one zoned: treat the local one as UTC rather than failing.
        if a.tzinfo is None:
            a = a.replace(tzinfo=_UTC)
        else:
            b = b.replace(tzinfo=_UTC)
    return DaysTimeDuration.from_timedelta(a - b)


_REF_DATE = _dt.date(1970, 1, 1)


def time_to_datetime(t: _dt.time) -> _dt.datetime:
    return combine(_REF_DATE, t)


def add_to_time(t: _dt.time, d: DaysTimeDuration) -> _dt.time:
    result = time_to_datetime(t) + d.to_timedelta()
    return result.timetz()


def time_offset(value: _dt.time | _dt.datetime) -> DaysTimeDuration | None:
    tz = value.tzinfo
    if tz is None:
        return None
    if isinstance(value, _dt.time):
        if getattr(tz, "key", None):
            return None  # a zone id alone has no offset without a date
        offset = tz.utcoffset(None)
    else:
        offset = value.utcoffset()
    return None if offset is None else DaysTimeDuration.from_timedelta(offset)


def timezone_name(value: _dt.time | _dt.datetime) -> str | None:
    key = getattr(value.tzinfo, "key", None)
    return key


def seconds_value(value: _dt.time | _dt.datetime) -> Decimal:
    if value.microsecond:
        return Decimal(value.second) + Decimal(value.microsecond) / 1_000_000
    return Decimal(value.second)
