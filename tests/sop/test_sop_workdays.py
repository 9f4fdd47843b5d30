"""The working-day calendar: holidays, cuti bersama, weekends, office-hour rollover, year boundaries."""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from service.engine.workdays import (DEFAULT_FILE, CalendarError, CalendarRangeError, WorkCalendar)

WIB = ZoneInfo("Asia/Jakarta")


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WIB)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.from_file(DEFAULT_FILE)


def test_data_file_matches_skb_counts(cal: WorkCalendar) -> None:
    kinds = {}
    for h in cal.holidays.values():
        kinds.setdefault((h.day.year, h.kind), 0)
        kinds[(h.day.year, h.kind)] += 1
    assert kinds == {(2025, "libur_nasional"): 17, (2025, "cuti_bersama"): 11,
                     (2026, "libur_nasional"): 17, (2026, "cuti_bersama"): 8}
    assert "933" in cal.holiday(date(2025, 8, 18)).source          # the amending SKB
    assert "1497" in cal.holiday(date(2026, 3, 20)).source


@pytest.mark.parametrize("day, working", [
    (date(2025, 1, 1), False),      # libur nasional
    (date(2025, 1, 28), False),     # cuti bersama Imlek
    (date(2025, 8, 18), False),     # cuti bersama added by the amending SKB
    (date(2025, 8, 19), True),
    (date(2026, 3, 20), False),     # cuti bersama Idul Fitri
    (date(2026, 3, 25), True),
    (date(2026, 11, 21), False),    # Saturday
    (date(2026, 11, 22), False),    # Sunday
    (date(2026, 11, 23), True),     # Monday
])
def test_is_working_day(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_days_end_at_close_of_nth_working_day(cal: WorkCalendar) -> None:
    # Monday 2026-11-23 + 5 working days -> Monday 2026-11-30, 15:00 WIB
    assert cal.add(at(2026, 11, 23), "P5D") == at(2026, 11, 30, 15, 0)
    # starting on a Saturday: the next Monday is day 1
    assert cal.add(at(2026, 11, 21), "P1D") == at(2026, 11, 23, 15, 0)
    assert cal.add(at(2026, 11, 23), "P1W") == at(2026, 11, 30, 15, 0)


def test_days_skip_idul_fitri_block(cal: WorkCalendar) -> None:
    # Tue 2026-03-17: 18 cuti, 19 libur, 20 cuti, 21-22 libur/weekend, 23-24 cuti -> 25, 26, 27
    assert cal.add(at(2026, 3, 17), "P3D") == at(2026, 3, 27, 15, 0)


def test_year_boundary(cal: WorkCalendar) -> None:
    # Wed 2025-12-24: 25 Natal, 26 cuti bersama, weekend, 29, 30, 31
    assert cal.add(at(2025, 12, 24), "P3D") == at(2025, 12, 31, 15, 0)
    # Tue 2025-12-30: 31 (1), 2026-01-01 libur, 02 (2), weekend, 05 (3)
    assert cal.add(at(2025, 12, 30), "P3D") == at(2026, 1, 5, 15, 0)
    assert cal.working_days_between(date(2025, 12, 30), date(2026, 1, 5)) == 3


def test_office_time_rolls_over(cal: WorkCalendar) -> None:
    assert cal.add(at(2026, 11, 23, 9, 0), "PT30M") == at(2026, 11, 23, 9, 30)
    # Friday 14:30 + 2h: 30 min on Friday, 90 min from Monday 07:30
    assert cal.add(at(2026, 11, 27, 14, 30), "PT2H") == at(2026, 11, 30, 9, 0)
    # before opening starts at 07:30; after closing starts the next working day
    assert cal.add(at(2026, 11, 23, 6, 0), "PT1H") == at(2026, 11, 23, 8, 30)
    assert cal.add(at(2026, 11, 23, 18, 0), "PT1H") == at(2026, 11, 24, 8, 30)
    # exactly to closing time stays on the same day
    assert cal.add(at(2026, 11, 23, 14, 0), "PT1H") == at(2026, 11, 23, 15, 0)
    # PT25H is office time, not one day and one hour: 3 full days (22.5 h) + 2.5 h
    assert cal.add(at(2026, 11, 23, 7, 30), "PT25H") == at(2026, 11, 26, 10, 0)


def test_mixed_and_calendar_days(cal: WorkCalendar) -> None:
    assert cal.add(at(2026, 11, 23, 9, 0), "P1DT1H") == at(2026, 11, 24, 10, 0)
    assert cal.add(at(2026, 11, 23, 9, 0), "P5D", calendar_days=True) == at(2026, 11, 28, 9, 0)
    # months on the calendar, then the end of that working day (2026-12-23 is a Wednesday)
    assert cal.add(at(2026, 11, 23, 9, 0), "P1M") == at(2026, 12, 23, 15, 0)


def test_result_keeps_the_start_timezone(cal: WorkCalendar) -> None:
    start = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)     # 09:00 WIB
    due = cal.add(start, "PT30M")
    assert due.tzinfo is timezone.utc and due == datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc)


def test_working_days_between(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5
    assert cal.working_days_between(date(2026, 11, 30), date(2026, 11, 23)) == -5
    assert cal.working_days_between(at(2026, 11, 23), at(2026, 11, 23, 14)) == 0


@pytest.mark.parametrize("bad", ["", "5 hari", "P", "PT", "P1.5D", "-P1D"])
def test_bad_durations(cal: WorkCalendar, bad: str) -> None:
    with pytest.raises(CalendarError):
        cal.add(at(2026, 11, 23), bad)


def test_naive_start_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError, match="timezone-aware"):
        cal.add(datetime(2026, 11, 23, 9), "P1D")


def test_year_without_data_counts_weekends_only_with_warning(cal: WorkCalendar, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        # 2027-01-01 is a Friday; no data -> it counts as a working day
        assert cal.add(at(2026, 12, 31), "P1D") == at(2027, 1, 1, 15, 0)
    assert "no holiday data for 2027" in caplog.text


def test_strict_calendar_refuses_unknown_year() -> None:
    strict = WorkCalendar.from_file(DEFAULT_FILE, strict=True)
    with pytest.raises(CalendarRangeError, match="2027"):
        strict.add(at(2026, 12, 31), "P1D")


def test_env_override_and_file_errors(tmp_path, monkeypatch) -> None:
    f = tmp_path / "libur.yaml"
    f.write_text("office_hours: {start: '08:00', end: '16:00'}\n"
                 "years:\n  2030:\n    sources: [test]\n    libur_nasional: [{date: 2030-01-01, name: X}]\n")
    monkeypatch.setenv("ALUR_HOLIDAYS_FILE", str(f))
    from service.config import Config           # the environment is read by Config only
    cal = WorkCalendar.default(Config.from_env().holidays_file)
    assert not cal.is_working_day(date(2030, 1, 1))
    assert cal.add(datetime(2029, 12, 31, 9, tzinfo=WIB), "P1D") == datetime(2030, 1, 2, 16, tzinfo=WIB)
    f.write_text("years:\n  2030:\n    libur_nasional: [{date: 2030-01-01}]\n")
    with pytest.raises(CalendarError, match="sources"):
        WorkCalendar.default(f)
    f.write_text("years:\n  2030:\n    sources: [x]\n    cuti_bersama: [{date: 2031-01-01}]\n")
    with pytest.raises(CalendarError, match=r"cuti_bersama\[1\].*not in 2030"):
        WorkCalendar.default(f)
