"""Indonesian working-day calendar for SOP time limits (Mutu Baku "Waktu").

A `WorkCalendar` knows the working week (Monday-Friday), the office hours and the national holidays and
cuti bersama of each year, read from a YAML data file (`service/engine/data/hari_libur.yaml`, override with
the environment variable `ALUR_HOLIDAYS_FILE`). The holiday list is data, never code: the yearly SKB of
the Menteri Agama, Menteri Ketenagakerjaan and Menteri PANRB is amended mid-year, so a user edits the file.

The PyPI `holidays` package is deliberately not used: it does not know cuti bersama (which are days off
for civil servants) nor the SKB amendments.

Rules (documented choices):
- Office hours default to 07:30-15:00 local time every working day (7.5 h x 5 = 37.5 h/week, Perpres
  21/2023 Pasal 3), in Asia/Jakarta; both are configurable in the data file or the constructor.
- `add(start, "P5D")`: the end of office hours of the 5th working day after the start's local date
  (the start day itself never counts). `P1W` is 5 working days. Months and years are added on the
  calendar, then moved to the end of office hours of that day or the next working day.
- `add(start, "PT2H")`: two hours of office time, starting at `start` if it is inside office hours,
  else at the next opening; it rolls over closing time, weekends and holidays.
- Mixed (`P1DT2H`): first the working days (keeping the position in the office day), then office time.
- `calendar_days=True`: plain calendar arithmetic.
- A year missing from the data file: weekends only, with one logged warning per year; a strict calendar
  (`strict=True`) raises `CalendarRangeError` instead.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import isodate
import yaml

log = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).parent / "data" / "hari_libur.yaml"
ENV_FILE = "ALUR_HOLIDAYS_FILE"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKS = re.compile(r"(\d+)W")
# Longest duration the calendar computes: beyond it a due date is a data error, and walking the days
# would take seconds (and overflow datetime). 10 years: 120 months, 10 x 261 working days.
MAX_YEARS = 10
MAX_MONTHS = MAX_YEARS * 12
MAX_WORKING_DAYS = MAX_YEARS * 261


class CalendarError(ValueError):
    """The holiday data file or a duration is invalid."""


class CalendarRangeError(CalendarError):
    """A date lies in a year the holiday data file does not cover (strict calendars only)."""


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str
    kind: str            # "libur_nasional" | "cuti_bersama"
    source: str


@dataclass
class WorkCalendar:
    holidays: Mapping[date, Holiday]
    years: frozenset[int]
    timezone: str = "Asia/Jakarta"
    office_start: time = time(7, 30)
    office_end: time = time(15, 0)
    weekend: frozenset[int] = frozenset({5, 6})
    strict: bool = False
    source_file: str | None = None
    _warned: set[int] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            self.tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"unknown time zone {self.timezone!r}") from exc
        if self.office_end <= self.office_start:
            raise CalendarError("office hours: end must be after start")
        if not set(self.weekend) <= set(range(7)):
            raise CalendarError(f"weekend: day numbers must be 0 (Monday) to 6 (Sunday), got {sorted(self.weekend)}")
        if len(set(self.weekend)) == 7:
            raise CalendarError("weekend: all seven days are weekend days, so no day is a working day")

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **overrides: Any) -> "WorkCalendar":
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CalendarError(f"{path}: cannot read holiday file: {exc}") from exc
        except yaml.YAMLError as exc:
            raise CalendarError(f"{path}: invalid YAML: {exc}") from exc
        kwargs = _parse_data(data, str(path))
        kwargs.update(overrides)
        return cls(source_file=str(path), **kwargs)

    @classmethod
    def default(cls, path: str | os.PathLike[str] | None = None, **overrides: Any) -> "WorkCalendar":
        """The calendar from `path` (the setting ALUR_HOLIDAYS_FILE), else the bundled data file."""
        return cls.from_file(path or DEFAULT_FILE, **overrides)

    # ----------------------------------------------------------------- queries
    def holiday(self, day: date | datetime) -> Holiday | None:
        return self.holidays.get(self._local_date(day))

    def is_working_day(self, day: date | datetime) -> bool:
        d = self._local_date(day)
        if d.weekday() in self.weekend:
            return False
        self._check_year(d.year)
        return d not in self.holidays

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days d with a < d <= b (negative when b is before a): "due in N working days"."""
        da, db = self._local_date(a), self._local_date(b)
        if db < da:
            return -self.working_days_between(db, da)
        count, d = 0, da
        while d < db:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count

    def next_working_day(self, day: date, n: int = 1) -> date:
        """The n-th working day strictly after `day`."""
        if n < 1:
            raise CalendarError("n must be at least 1")
        d = day
        while n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    # ----------------------------------------------------------------- arithmetic
    def add(self, start: datetime, waktu_iso: str, *, calendar_days: bool = False) -> datetime:
        """The due time of a task started at `start` with the ISO 8601 duration `waktu_iso`."""
        if not isinstance(start, datetime) or start.tzinfo is None or start.utcoffset() is None:
            raise CalendarError("start must be a timezone-aware datetime")
        text = (waktu_iso or "").strip().upper()
        if calendar_days:
            try:
                end = start + isodate.parse_duration(text)
            except (isodate.ISO8601Error, ValueError, OverflowError) as exc:
                raise CalendarError(f"invalid ISO 8601 duration {waktu_iso!r}") from exc
            if abs(end - start) > timedelta(days=366 * MAX_YEARS):
                raise CalendarError(f"duration {waktu_iso!r} is longer than {MAX_YEARS} years")
            return end
        days, months, office = _split_duration(text, waktu_iso)
        office_day = datetime.combine(date.min, self.office_end) - datetime.combine(date.min, self.office_start)
        if days > MAX_WORKING_DAYS or months > MAX_MONTHS or office > office_day * MAX_WORKING_DAYS:
            raise CalendarError(f"duration {waktu_iso!r} is longer than {MAX_YEARS} years")
        try:
            return self._add_parts(start, days, months, office)
        except OverflowError as exc:
            raise CalendarError(f"duration {waktu_iso!r} leads outside the supported dates") from exc

    def _add_parts(self, start: datetime, days: int, months: int, office: timedelta) -> datetime:
        local = start.astimezone(self.tz)
        if months:
            moved = (local + isodate.Duration(months=months)).date()
            if not self.is_working_day(moved):
                moved = self.next_working_day(moved)
            local = self._at(moved, self.office_end)
            if not days and not office:
                return local.astimezone(start.tzinfo)
        if days and not office:
            return self._at(self.next_working_day(local.date(), days), self.office_end).astimezone(start.tzinfo)
        if days:
            local = self._clamp_into_office(local)
            target = self.next_working_day(local.date(), days)
            local = self._at(target, local.timetz().replace(tzinfo=None))
        return self._add_office_time(local, office).astimezone(start.tzinfo)

    # ----------------------------------------------------------------- helpers
    def _add_office_time(self, local: datetime, amount: timedelta) -> datetime:
        current = self._clamp_into_office(local)
        remaining = amount
        while True:
            close = self._at(current.date(), self.office_end)
            left_today = close - current
            if remaining <= left_today:
                return current + remaining
            remaining -= left_today
            current = self._at(self.next_working_day(current.date()), self.office_start)

    def _clamp_into_office(self, local: datetime) -> datetime:
        """The first office moment at or after `local`."""
        d = local.date()
        if self.is_working_day(d):
            t = local.time()
            if t < self.office_start:
                return self._at(d, self.office_start)
            if t < self.office_end:
                return local
        return self._at(self.next_working_day(d), self.office_start)

    def _at(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=self.tz)

    def _local_date(self, value: date | datetime) -> date:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return value.date()
            return value.astimezone(self.tz).date()
        return value

    def _check_year(self, year: int) -> None:
        if year in self.years:
            return
        if self.strict:
            raise CalendarRangeError(
                f"no holiday data for {year} in {self.source_file or 'the calendar'}: "
                f"add the SKB hari libur/cuti bersama {year} to the file ({ENV_FILE})")
        if year not in self._warned:
            self._warned.add(year)
            log.warning("no holiday data for %s in %s: counting weekends only", year,
                        self.source_file or "the calendar")


def _split_duration(text: str, original: str) -> tuple[int, int, timedelta]:
    """(working days, calendar months, office time) of an ISO duration, keeping date and time parts apart
    (isodate would turn PT25H into 1 day + 1 hour)."""
    if not text.startswith("P") or text in ("P", "PT") or text.endswith("T"):
        raise CalendarError(f"invalid ISO 8601 duration {original!r}")
    date_part, _, time_part = text[1:].partition("T")
    # A week is 5 working days wherever it appears (P1W, P1W2D), never 7 calendar days.
    week_days = 0
    weeks = _WEEKS.search(date_part)
    if weeks:
        if not date_part.endswith("W") and not re.fullmatch(r"\d+W\d+D", date_part):
            raise CalendarError(f"invalid ISO 8601 duration {original!r}")
        week_days = int(weeks.group(1)) * 5
        date_part = date_part.replace(weeks.group(0), "", 1)
        if "W" in date_part:
            raise CalendarError(f"invalid ISO 8601 duration {original!r}")
        if not date_part and not time_part:
            return week_days, 0, timedelta()
    try:
        dp = isodate.parse_duration("P" + date_part) if date_part else timedelta()
        tp = isodate.parse_duration("PT" + time_part) if time_part else timedelta()
    except (isodate.ISO8601Error, ValueError) as exc:
        raise CalendarError(f"invalid ISO 8601 duration {original!r}") from exc
    months = 0
    if isinstance(dp, isodate.Duration):
        if dp.years % 1 or dp.months % 1:
            raise CalendarError(f"fractional months or years are not supported: {original!r}")
        months = int(dp.years) * 12 + int(dp.months)
        dp = dp.tdelta
    if isinstance(tp, isodate.Duration):
        raise CalendarError(f"invalid ISO 8601 duration {original!r}")
    if dp.seconds or dp.microseconds:
        raise CalendarError(f"fractional days are not supported on the working-day calendar: {original!r}")
    if dp.days < 0 or tp < timedelta() or months < 0:
        raise CalendarError(f"negative durations are not supported: {original!r}")
    return dp.days + week_days, months, tp


def _parse_data(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise CalendarError(f"{where}: expected a mapping with 'years'")
    holidays: dict[date, Holiday] = {}
    years: set[int] = set()
    for year, entry in data["years"].items():
        if not isinstance(year, int) or not isinstance(entry, dict):
            raise CalendarError(f"{where}: years.{year}: expected a year number with a mapping")
        years.add(year)
        sources = entry.get("sources") or []
        if not sources:
            raise CalendarError(f"{where}: years.{year}: 'sources' (the legal basis) is required")
        for kind in ("libur_nasional", "cuti_bersama"):
            for i, item in enumerate(entry.get(kind) or [], 1):
                at = f"{where}: years.{year}.{kind}[{i}]"
                if not isinstance(item, dict) or not isinstance(item.get("date"), date):
                    raise CalendarError(f"{at}: expected {{date: YYYY-MM-DD, name: ...}}")
                d = item["date"]
                if d.year != year:
                    raise CalendarError(f"{at}: {d} is not in {year}")
                if d in holidays:
                    raise CalendarError(f"{at}: {d} is listed twice")
                holidays[d] = Holiday(d, str(item.get("name") or kind), kind,
                                      str(item.get("source") or sources[0]))
    result: dict[str, Any] = {"holidays": holidays, "years": frozenset(years)}
    if "timezone" in data:
        result["timezone"] = str(data["timezone"])
    hours = data.get("office_hours")
    if hours:
        result["office_start"] = _parse_time(hours.get("start"), f"{where}: office_hours.start")
        result["office_end"] = _parse_time(hours.get("end"), f"{where}: office_hours.end")
    if "weekend" in data:
        result["weekend"] = frozenset(_weekday(name, where) for name in _as_list(data["weekend"]))
    return result


def _parse_time(value: Any, where: str) -> time:
    if isinstance(value, int):          # YAML 1.1 reads 07:30 unquoted as sexagesimal minutes
        return time(value // 60, value % 60)
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise CalendarError(f"{where}: expected HH:MM, got {value!r}") from exc


def _weekday(name: Any, where: str) -> int:
    try:
        return _WEEKDAYS.index(str(name).lower())
    except ValueError as exc:
        raise CalendarError(f"{where}: weekend: unknown day {name!r}") from exc


def _as_list(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list) else [value]
