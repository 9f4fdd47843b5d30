"""FEEL dates, times and dates and times (DMN 1.5, 10.3.2.3.4-10.3.2.3.6) and their string forms.

Each holds its own fields: years -999,999,999..999,999,999 (proleptic Gregorian, year 0 exists),
nanoseconds, and a `Zone`. Calendar arithmetic is in `gregorian`, operations in `temporal`; the
Python ``datetime`` edge is `values.to_feel` / `values.from_feel`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import gregorian
from .gregorian import NANOS_PER_DAY, NANOS_PER_SECOND


# A zone: None for a local value, an int for a UTC offset in seconds, a str for an IANA zone id.
Zone = int | str | None


def fraction(nanos: int) -> str:
    """The fraction of a second as FEEL writes it: '.5', '.000000001', or nothing."""
    return "." + f"{nanos:09d}".rstrip("0") if nanos else ""


@dataclass(frozen=True, slots=True, order=True)
class FeelDate:
    """A FEEL date: proleptic Gregorian, year -999,999,999..999,999,999 (year 0 exists)."""

    year: int
    month: int
    day: int

    @property
    def epoch_day(self) -> int:
        return gregorian.epoch_day(self.year, self.month, self.day)

    @classmethod
    def from_epoch_day(cls, days: int) -> "FeelDate":
        return cls(*gregorian.civil(days))

    def __str__(self) -> str:
        return format_date(self)


@dataclass(frozen=True, slots=True)
class FeelTime:
    """A FEEL time of day with nanoseconds; ``zone`` as `Zone`."""

    hour: int
    minute: int
    second: int
    nanos: int = 0
    zone: Zone = None

    @property
    def day_nanos(self) -> int:
        return ((self.hour * 60 + self.minute) * 60 + self.second) * NANOS_PER_SECOND + self.nanos

    @classmethod
    def from_day_nanos(cls, nanos: int, zone: Zone) -> "FeelTime":
        seconds, frac = divmod(nanos % NANOS_PER_DAY, NANOS_PER_SECOND)
        return cls(seconds // 3600, seconds // 60 % 60, seconds % 60, frac, zone)

    def offset(self) -> int | None:
        """The UTC offset in seconds; a zone id gives its offset on 1970-01-01 (a time has no date)."""
        if isinstance(self.zone, str):
            return gregorian.zone_offset_at_local(self.zone, self.day_nanos)
        return self.zone

    def __str__(self) -> str:
        return format_time(self)


@dataclass(frozen=True, slots=True)
class FeelDateTime:
    """A FEEL date and time: a `FeelDate`'s fields and a `FeelTime`'s."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanos: int = 0
    zone: Zone = None

    @classmethod
    def combine(cls, d: FeelDate, t: FeelTime) -> "FeelDateTime":
        return cls(d.year, d.month, d.day, t.hour, t.minute, t.second, t.nanos, t.zone)

    @classmethod
    def from_local_nanos(cls, local: int, zone: Zone) -> "FeelDateTime":
        days, rest = divmod(local, NANOS_PER_DAY)
        t = FeelTime.from_day_nanos(rest, zone)
        return cls(*gregorian.civil(days), t.hour, t.minute, t.second, t.nanos, zone)

    @property
    def date(self) -> FeelDate:
        return FeelDate(self.year, self.month, self.day)

    @property
    def time(self) -> FeelTime:
        return FeelTime(self.hour, self.minute, self.second, self.nanos, self.zone)

    @property
    def local_nanos(self) -> int:
        """Nanoseconds from 1970-01-01T00:00:00 in the value's own clock."""
        return gregorian.epoch_day(self.year, self.month, self.day) * NANOS_PER_DAY + self.time.day_nanos

    def offset(self) -> int | None:
        """The UTC offset in seconds, None for a local date and time."""
        if isinstance(self.zone, str):
            return gregorian.zone_offset_at_local(self.zone, self.local_nanos)
        return self.zone

    def instant(self) -> int | None:
        """Nanoseconds from 1970-01-01T00:00:00Z, None for a local date and time."""
        offset = self.offset()
        return None if offset is None else self.local_nanos - offset * NANOS_PER_SECOND

    # Python ordering (min, max, sorted) as Python's datetime: local with local, zoned by instant,
    # TypeError across the two. FEEL's own comparison is ops.compare.
    def _key(self, other: Any) -> tuple[int, int]:
        if type(other) is not FeelDateTime or (self.zone is None) != (other.zone is None):
            raise TypeError("can only order two local or two zoned dates and times")
        if self.zone is None:
            return self.local_nanos, other.local_nanos
        return self.instant() or 0, other.instant() or 0

    def __lt__(self, other: Any) -> bool:
        a, b = self._key(other)
        return a < b

    def __le__(self, other: Any) -> bool:
        a, b = self._key(other)
        return a <= b

    def __gt__(self, other: Any) -> bool:
        a, b = self._key(other)
        return a > b

    def __ge__(self, other: Any) -> bool:
        a, b = self._key(other)
        return a >= b

    def __str__(self) -> str:
        return format_datetime(self)


def format_date(value: FeelDate | FeelDateTime) -> str:
    year = value.year
    sign = "-" if year < 0 else ""
    return f"{sign}{abs(year):04d}-{value.month:02d}-{value.day:02d}"


def format_zone(zone: Zone) -> str:
    if zone is None:
        return ""
    if isinstance(zone, str):
        return "@" + zone
    if zone == 0:
        return "Z"
    sign = "-" if zone < 0 else "+"
    hours, rest = divmod(abs(zone), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return text + f":{seconds:02d}" if seconds else text


def _format_clock(value: FeelTime | FeelDateTime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}{fraction(value.nanos)}"


def format_time(value: FeelTime) -> str:
    return _format_clock(value) + format_zone(value.zone)


def format_datetime(value: FeelDateTime) -> str:
    return format_date(value) + "T" + _format_clock(value) + format_zone(value.zone)


__all__ = ["Zone", "FeelDate", "FeelTime", "FeelDateTime", "fraction", "format_date", "format_zone", "format_time",
           "format_datetime"]
