"""Proleptic Gregorian calendar and time-zone arithmetic on plain integers.

FEEL dates span years -999,999,999..999,999,999 (XML Schema 1.1 numbering: year 0 exists), far beyond
Python's ``datetime`` (1..9999), so calendar arithmetic works on day numbers counted from 1970-01-01.
Time-zone rules come from ``zoneinfo``; outside the years it covers, a zone keeps the offset it has at
the nearest year Python can represent (no rule is known for year 20,000 anyway).
"""
from __future__ import annotations

import datetime as _dt
import zoneinfo
from functools import lru_cache

MIN_YEAR = -999_999_999
MAX_YEAR = 999_999_999
NANOS_PER_SECOND = 1_000_000_000
NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND
MAX_OFFSET_SECONDS = 18 * 3600  # as java.time.ZoneOffset


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def valid_date(year: int, month: int, day: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12 and 1 <= day <= days_in_month(year, month)


def epoch_day(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 (H. Hinnant's days_from_civil, exact for any year)."""
    y = year - (1 if month <= 2 else 0)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def civil(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day number from 1970-01-01 (the inverse of `epoch_day`)."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (1 if month <= 2 else 0), month, day


def iso_weekday(days: int) -> int:
    """1 = Monday .. 7 = Sunday; 1970-01-01 was a Thursday."""
    return (days + 3) % 7 + 1


def day_of_year(year: int, month: int, day: int) -> int:
    return epoch_day(year, month, day) - epoch_day(year, 1, 1) + 1


def _iso_weeks(year: int) -> int:
    jan1 = iso_weekday(epoch_day(year, 1, 1))
    return 53 if jan1 == 4 or (jan1 == 3 and is_leap(year)) else 52


def iso_week(year: int, month: int, day: int) -> int:
    """ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday)."""
    days = epoch_day(year, month, day)
    week = (day_of_year(year, month, day) - iso_weekday(days) + 10) // 7
    if week < 1:
        return _iso_weeks(year - 1)
    if week > _iso_weeks(year):
        return 1
    return week


def add_months(year: int, month: int, day: int, months: int) -> tuple[int, int, int]:
    """Shift by months, the day clamped to the month's end (2012-01-31 + P1M = 2012-02-29)."""
    y, m = divmod(year * 12 + (month - 1) + months, 12)
    return y, m + 1, min(day, days_in_month(y, m + 1))


# -- zones ---------------------------------------------------------------------------------------

@lru_cache(maxsize=512)
def zone_info(zone_id: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone of that name, or None if unknown."""
    if not zone_id or len(zone_id) > 64 or zone_id.startswith(("/", ".")) or ".." in zone_id:
        return None
    try:
        return zoneinfo.ZoneInfo(zone_id)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _python_local(local_nanos: int) -> _dt.datetime:
    """A naive Python datetime for a local time, its year clamped into 1..9999."""
    days, rest = divmod(local_nanos, NANOS_PER_DAY)
    year, month, day = civil(days)
    if not 1 <= year <= 9999:
        year = 1 if year < 1 else 9999
        day = min(day, 28)
    seconds = rest // NANOS_PER_SECOND
    return _dt.datetime(year, month, day, seconds // 3600, seconds // 60 % 60, seconds % 60)


def zone_offset_at_local(zone_id: str, local_nanos: int) -> int:
    """UTC offset in seconds of a zone at a local time (earlier offset in an overlap, as java.time)."""
    info = zone_info(zone_id)
    if info is None:
        raise ValueError(f"unknown time zone {zone_id!r}")
    offset = _python_local(local_nanos).replace(tzinfo=info).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def zone_offset_at_instant(zone_id: str, utc_nanos: int) -> int:
    """UTC offset in seconds of a zone at an instant."""
    info = zone_info(zone_id)
    if info is None:
        raise ValueError(f"unknown time zone {zone_id!r}")
    utc = _python_local(utc_nanos)
    try:
        offset = utc.replace(tzinfo=_dt.timezone.utc).astimezone(info).utcoffset()
    except OverflowError:  # the first or last hours Python can represent
        offset = utc.replace(tzinfo=info).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())
