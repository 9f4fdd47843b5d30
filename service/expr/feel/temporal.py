"""Parsing and arithmetic of FEEL dates, times and durations (DMN 1.5, 10.3.2.3 and table 57).

Every function returns a FEEL value or None where the result does not exist (out of range, a local
value mixed with a zoned one); callers turn None into null with a diagnostic.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from . import gregorian
from .gregorian import NANOS_PER_DAY, NANOS_PER_SECOND
from .datetimes import FeelDate, FeelDateTime, FeelTime, Zone
from .values import DaysTimeDuration, YearsMonthsDuration

# XML Schema years: four digits, or more without a leading zero ("01211" is not a year); at most nine.
_DATE = re.compile(r"(-?(?:[1-9]\d{4,8}|\d{4}))-(\d\d)-(\d\d)\Z")
_TIME = re.compile(
    r"(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?"
    r"(?:(Z|z)|([+-])(\d\d):(\d\d)(?::(\d\d))?|@([A-Za-z][A-Za-z0-9_+\-/]{0,63}))?\Z"
)
_DURATION = re.compile(
    r"(-)?P(?:(\d{1,9})Y)?(?:(\d{1,9})M)?(?:(\d{1,9})D)?"
    r"(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,12})(?:\.(\d{0,9}))?S)?)?\Z"
)
# A days and time duration spans at most the whole date range (about 2e9 years), so that any
# date plus any duration is still a bounded computation.
MAX_DURATION_NANOS = 800_000_000_000 * NANOS_PER_DAY
MAX_DURATION_MONTHS = (gregorian.MAX_YEAR - gregorian.MIN_YEAR + 1) * 12


def duration_in_range(value: DaysTimeDuration | YearsMonthsDuration) -> bool:
    if isinstance(value, DaysTimeDuration):
        return abs(value.nanos) <= MAX_DURATION_NANOS
    return abs(value.months) <= MAX_DURATION_MONTHS


# -- parsing -------------------------------------------------------------------------------------

def make_date(year: int, month: int, day: int) -> FeelDate | None:
    return FeelDate(year, month, day) if gregorian.valid_date(year, month, day) else None


def make_time(hour: int, minute: int, second: int, nanos: int, zone: Zone) -> FeelTime | None:
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59 and 0 <= nanos < NANOS_PER_SECOND):
        return None
    if type(zone) is int and abs(zone) > gregorian.MAX_OFFSET_SECONDS:
        return None
    return FeelTime(hour, minute, second, nanos, zone)


def parse_date(text: str) -> FeelDate | None:
    m = _DATE.match(text)
    if not m:
        return None
    return make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _parse_zone(m: re.Match[str]) -> tuple[bool, Zone]:
    if m.group(5):
        return True, 0
    if m.group(6):
        hours, minutes, seconds = int(m.group(7)), int(m.group(8)), int(m.group(9) or 0)
        if hours > 14 or minutes > 59 or seconds > 59:
            return False, None
        total = (hours * 60 + minutes) * 60 + seconds
        return True, -total if m.group(6) == "-" else total
    if m.group(10):
        name = m.group(10)
        return gregorian.zone_info(name) is not None, name
    return True, None


def _parse_clock(text: str) -> tuple[FeelTime, bool] | None:
    """The time of a time literal and whether it was written 24:00:00 (the end of the day)."""
    m = _TIME.match(text)
    if not m:
        return None
    ok, zone = _parse_zone(m)
    if not ok:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3))
    nanos = int((m.group(4) or "0").ljust(9, "0"))
    end_of_day = hour == 24 and minute == 0 and second == 0 and nanos == 0
    t = make_time(0 if end_of_day else hour, minute, second, nanos, zone)
    return None if t is None else (t, end_of_day)


def parse_time(text: str) -> FeelTime | None:
    parsed = _parse_clock(text)
    return None if parsed is None else parsed[0]


def parse_datetime(text: str) -> FeelDateTime | None:
    """A date and time; a date alone is that date at local midnight."""
    date_text, sep, time_text = text.partition("T")
    d = parse_date(date_text)
    if d is None:
        return None
    if not sep:
        return FeelDateTime(d.year, d.month, d.day, 0, 0, 0)
    parsed = _parse_clock(time_text)
    if parsed is None:
        return None
    t, end_of_day = parsed
    if end_of_day:  # ISO 8601: 24:00:00 is midnight of the next day
        d = FeelDate.from_epoch_day(d.epoch_day + 1)
        if not gregorian.valid_date(d.year, d.month, d.day):
            return None
    return settle(FeelDateTime.combine(d, t))


def settle(value: FeelDateTime) -> FeelDateTime:
    """A local time that a zone id skips (a daylight-saving gap) moves forward by the gap, as
    java.time.ZonedDateTime does: 2021-03-28T02:30@Europe/Paris is 03:30 (+02:00)."""
    if not isinstance(value.zone, str):
        return value
    instant = value.instant()
    assert instant is not None
    offset = gregorian.zone_offset_at_instant(value.zone, instant)
    local = instant + offset * NANOS_PER_SECOND
    if local == value.local_nanos:
        return value
    return FeelDateTime.from_local_nanos(local, value.zone)


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
    return DaysTimeDuration(sign * (total * NANOS_PER_SECOND + int((frac or "0").ljust(9, "0"))))


def parse_temporal(text: str) -> Any:
    """The value of a temporal literal ``@"..."``: a date, time, date and time or duration; else None."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if _DATE.match(text):
        return parse_date(text)
    if _DATE.match(text.partition("T")[0]):
        return parse_datetime(text)
    return parse_time(text)  # a time may hold a 'T' in its zone id (@Etc/GMT)


# -- arithmetic ----------------------------------------------------------------------------------

def _in_range(value: FeelDate | FeelDateTime) -> bool:
    return gregorian.MIN_YEAR <= value.year <= gregorian.MAX_YEAR


def add_months(value: FeelDate | FeelDateTime, months: int) -> FeelDate | FeelDateTime | None:
    """Shift by months, clamping the day to the end of the month (2012-01-31 + P1M = 2012-02-29)."""
    year, month, day = gregorian.add_months(value.year, value.month, value.day, months)
    if not gregorian.MIN_YEAR <= year <= gregorian.MAX_YEAR:
        return None
    if isinstance(value, FeelDate):
        return FeelDate(year, month, day)
    return settle(FeelDateTime(year, month, day, value.hour, value.minute, value.second, value.nanos, value.zone))


def add_nanos(value: FeelDate | FeelDateTime | FeelTime, nanos: int) -> Any:
    """A date, date and time or time plus a days and time duration (in nanoseconds)."""
    if isinstance(value, FeelTime):
        return FeelTime.from_day_nanos(value.day_nanos + nanos, value.zone)
    if isinstance(value, FeelDate):
        # The date of (the date at midnight + duration).
        result: Any = FeelDate.from_epoch_day((value.epoch_day * NANOS_PER_DAY + nanos) // NANOS_PER_DAY)
    elif isinstance(value.zone, str):
        # A zone id moves along the time line: the local time follows its offset changes.
        instant = value.instant()
        assert instant is not None
        instant += nanos
        offset = gregorian.zone_offset_at_instant(value.zone, instant)
        result = FeelDateTime.from_local_nanos(instant + offset * NANOS_PER_SECOND, value.zone)
    else:
        result = FeelDateTime.from_local_nanos(value.local_nanos + nanos, value.zone)
    return result if _in_range(result) else None


def as_datetime(value: FeelDate | FeelDateTime) -> FeelDateTime:
    """A date as the date and time at midnight UTC (DMN 1.5, 10.3.2.3.6)."""
    if type(value) is FeelDateTime:
        return value
    return FeelDateTime(value.year, value.month, value.day, 0, 0, 0, 0, 0)


def subtract_dates(a: FeelDate | FeelDateTime, b: FeelDate | FeelDateTime) -> DaysTimeDuration | None:
    """``a - b``; None when one side is local and the other zoned."""
    if type(a) is FeelDate and type(b) is FeelDate:
        return DaysTimeDuration((a.epoch_day - b.epoch_day) * NANOS_PER_DAY)
    x, y = as_datetime(a), as_datetime(b)
    if (x.zone is None) != (y.zone is None):
        return None
    if x.zone is None:
        return DaysTimeDuration(x.local_nanos - y.local_nanos)
    xi, yi = x.instant(), y.instant()
    assert xi is not None and yi is not None
    return DaysTimeDuration(xi - yi)


def time_position(value: FeelTime) -> int:
    """Nanoseconds of the day in UTC for a zoned time, in local time for a local one."""
    offset = value.offset()
    return value.day_nanos - (offset or 0) * NANOS_PER_SECOND


def subtract_times(a: FeelTime, b: FeelTime) -> DaysTimeDuration | None:
    if (a.zone is None) != (b.zone is None):
        return None
    return DaysTimeDuration(time_position(a) - time_position(b))


def months_between(start: FeelDate | FeelDateTime, end: FeelDate | FeelDateTime) -> int:
    """Whole months from ``start``'s date to ``end``'s (years and months duration(from, to)); the
    time of day and the zone play no part, as java.time.Period.between (TCK 1121)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def date_steps(start: FeelDate, end: FeelDate) -> Iterator[FeelDate]:
    """The dates from start to end inclusive, one day apart, in either direction (``for d in a..b``)."""
    a, b = start.epoch_day, end.epoch_day
    step = 1 if b >= a else -1
    return (FeelDate.from_epoch_day(d) for d in range(a, b + step, step))


# -- comparison ----------------------------------------------------------------------------------

def compare_datetimes(a: FeelDateTime, b: FeelDateTime) -> int:
    """Order of two dates and times; a local one counts as UTC against a zoned one."""
    if a.zone is None and b.zone is None:
        x, y = a.local_nanos, b.local_nanos
    else:
        x, y = _utc_position(a), _utc_position(b)
    return (x > y) - (x < y)


def _utc_position(value: FeelDateTime) -> int:
    instant = value.instant()
    return value.local_nanos if instant is None else instant


def equal_datetimes(a: FeelDateTime, b: FeelDateTime) -> bool:
    """FEEL '=': the same instant (an offset equals a zone id there) to the second, as the TCK's
    0068 asks ('value resolution is seconds'); a local value never equals a zoned one."""
    if (a.zone is None) != (b.zone is None):
        return False
    return _whole_seconds(a) == _whole_seconds(b)


def _whole_seconds(value: FeelDateTime) -> int:
    return _utc_position(value) // NANOS_PER_SECOND


def equal_times(a: FeelTime, b: FeelTime) -> bool:
    """FEEL '=' of times, to the second like dates and times."""
    if (a.zone is None) != (b.zone is None):
        return False
    return time_position(a) // NANOS_PER_SECOND == time_position(b) // NANOS_PER_SECOND


def compare_times(a: FeelTime, b: FeelTime) -> int | None:
    if (a.zone is None) != (b.zone is None):
        return None
    x, y = time_position(a), time_position(b)
    return (x > y) - (x < y)


# -- properties ----------------------------------------------------------------------------------

def time_offset(value: FeelTime | FeelDateTime) -> DaysTimeDuration | None:
    if type(value) is FeelTime and type(value.zone) is str:
        return None  # a zone id alone has no offset without a date
    offset = value.offset()
    return None if offset is None else DaysTimeDuration(offset * NANOS_PER_SECOND)


def timezone_name(value: FeelTime | FeelDateTime) -> str | None:
    return value.zone if type(value.zone) is str else None


def seconds_value(value: FeelTime | FeelDateTime) -> Decimal:
    if value.nanos:
        return Decimal(value.second) + Decimal(value.nanos).scaleb(-9)
    return Decimal(value.second)


def weekday(value: FeelDate | FeelDateTime) -> int:
    return gregorian.iso_weekday(gregorian.epoch_day(value.year, value.month, value.day))
