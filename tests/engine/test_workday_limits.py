"""Working-day calendar limits: durations are capped, a week is 5 working days, a 7-day weekend is refused."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.engine.workdays import CalendarError, WorkCalendar

FRIDAY = datetime(2026, 1, 9, 9, 0, tzinfo=timezone.utc)   # 16:00 in Jakarta, after office hours


def _calendar() -> WorkCalendar:
    return WorkCalendar(holidays={}, years=frozenset({2026, 2027}))


@pytest.mark.parametrize("text", ["P4000000D", "PT30000000H", "P10000Y", "P11Y", "P3000D", "P600W"])
def test_durations_beyond_ten_years_are_refused_quickly(text: str) -> None:
    started = time.monotonic()
    with pytest.raises(CalendarError, match="longer than 10 years"):
        _calendar().add(FRIDAY, text)
    with pytest.raises(CalendarError):
        _calendar().add(FRIDAY, "P4000000D" if text != "P10000Y" else text, calendar_days=True)
    assert time.monotonic() - started < 1


def test_ten_years_are_still_computed() -> None:
    assert _calendar().add(FRIDAY, "P10Y").year == 2036


@pytest.mark.parametrize("text,day", [("P1W", date(2026, 1, 16)), ("P1W2D", date(2026, 1, 20)),
                                      ("P2W", date(2026, 1, 23)), ("P7D", date(2026, 1, 20))])
def test_a_week_is_five_working_days(text: str, day: date) -> None:
    assert _calendar().add(FRIDAY, text).astimezone(_calendar().tz).date() == day


def test_a_weekend_of_seven_days_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="seven days"):
        WorkCalendar(holidays={}, years=frozenset(), weekend=frozenset(range(7)))
    data = tmp_path / "libur.yaml"
    data.write_text("years: {}\nweekend: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]\n")
    with pytest.raises(CalendarError, match="seven days"):
        WorkCalendar.from_file(data)
