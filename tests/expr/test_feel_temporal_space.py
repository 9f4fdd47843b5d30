"""The whole FEEL temporal value space: years -999,999,999..999,999,999, nanoseconds, zone ids apart
from offsets, and the Python ``datetime`` edge (``to_feel``/``from_feel``)."""
from __future__ import annotations

import datetime as dt
import random
import time
import zoneinfo
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.expr import LimitExceeded, feel
from service.expr.feel import gregorian, temporal
from service.expr.feel.values import (ConversionError, DaysTimeDuration, FeelDate, FeelDateTime, FeelTime,
                                      python_temporal)


def _string(expr: str) -> str | None:
    diagnostics: list[str] = []
    value = feel.evaluate(expr, {}, diagnostics=diagnostics)
    return None if value is None else feel.evaluate("string(v)", {"v": value})


def _null_with_diagnostic(expr: str) -> list[str]:
    diagnostics: list[str] = []
    assert feel.evaluate(expr, {}, diagnostics=diagnostics) is None, expr
    assert diagnostics, expr
    return diagnostics


# -- the calendar beyond Python's years ------------------------------------------------------------

def test_calendar_agrees_with_python_where_python_reaches() -> None:
    rng = random.Random(12)
    for _ in range(3000):
        d = dt.date.fromordinal(rng.randint(1, dt.date(9999, 12, 31).toordinal()))
        days = gregorian.epoch_day(d.year, d.month, d.day)
        assert days == (d - dt.date(1970, 1, 1)).days
        assert gregorian.civil(days) == (d.year, d.month, d.day)
        assert gregorian.iso_weekday(days) == d.isoweekday()
        assert gregorian.iso_week(d.year, d.month, d.day) == d.isocalendar()[1]
        assert gregorian.day_of_year(d.year, d.month, d.day) == d.timetuple().tm_yday


def test_calendar_round_trips_at_the_extremes() -> None:
    for year, month, day in [(-999_999_999, 1, 1), (999_999_999, 12, 31), (0, 2, 29), (-1, 12, 31), (-400, 2, 29)]:
        assert gregorian.valid_date(year, month, day)
        assert gregorian.civil(gregorian.epoch_day(year, month, day)) == (year, month, day)
    assert not gregorian.valid_date(-100, 2, 29)          # proleptic Gregorian: -100 is not a leap year
    assert not gregorian.valid_date(1_000_000_000, 1, 1)


@pytest.mark.parametrize("expr, expected", [
    ('date(999999999, 12, 31)', "999999999-12-31"),
    ('date("-999999999-01-01")', "-999999999-01-01"),
    ('@"-0001-12-31" + duration("P1D")', "0000-01-01"),
    ('date(-1, 1, 1)', "-0001-01-01"),
    ('@"-2021-01-01T10:10:10" + duration("P1Y")', "-2020-01-01T10:10:10"),
    ('@"999999999-12-31" - @"-999999999-01-01"', "P730484999633D"),
    ('years and months duration(date(-999999999, 1, 1), date(999999999, 12, 31))', "P1999999998Y11M"),
    ('day of week(date(-999999999, 1, 1))', "Monday"),
    ('string(date(-4, 12, 31).year)', "-4"),
    ('date("0000-02-29") + duration("P1Y")', "0001-02-28"),
    ('date and time("999999999-06-01T10:00:00@Europe/Paris").time offset', "PT2H"),
    ('date and time("2012-12-31T23:00:00") + duration("PT1H")', "2013-01-01T00:00:00"),
])
def test_giant_and_negative_years(expr: str, expected: str) -> None:
    assert _string(expr) == expected


@pytest.mark.parametrize("expr", [
    'date(999999999, 12, 31) + duration("P1D")',
    'date(-999999999, 1, 1) - duration("PT1S")',
    'date(1000000000, 1, 1)',
    'date("1000000000-01-01")',
    'date(2020, 1, 1) + duration("P999999999Y")',
    '@"999999999-12-31T23:59:59Z" + duration("PT1S")',
    'date(2020, 2, 30)',
])
def test_years_beyond_the_range_are_null(expr: str) -> None:
    _null_with_diagnostic(expr)


# -- nanoseconds ----------------------------------------------------------------------------------

@pytest.mark.parametrize("expr, expected", [
    ('time("10:15:30.987654321+02:00")', "10:15:30.987654321+02:00"),
    ('time("10:15:30.987654321").second', "30.987654321"),
    ('@"2018-12-10T23:59:59.999999999@Europe/Paris" + duration("PT0.000000001S")',
     "2018-12-11T00:00:00@Europe/Paris"),
    ('duration("PT1000M0.999999999S")', "PT16H40M0.999999999S"),
    ('duration("PT0.000000001S") * 3', "PT0.000000003S"),
    ('duration("PT1S") / 3', "PT0.333333333S"),
    ('time(23, 59, 1.987654321)', "23:59:01.987654321"),
    ('duration("PT0.S")', "PT0S"),
])
def test_nanosecond_fractions(expr: str, expected: str) -> None:
    assert _string(expr) == expected


def test_equality_is_to_the_second_as_the_tck_asks() -> None:
    assert feel.evaluate('time("10:30:00.0001") = time("10:30:00.0002")') is True
    assert feel.evaluate('time("10:30:00.0001") < time("10:30:00.0002")') is True


def test_more_than_nine_fraction_digits_is_not_a_time() -> None:
    _null_with_diagnostic('time("10:00:00.1234567891")')


# -- zone ids and offsets ---------------------------------------------------------------------------

def test_zone_id_and_offset_are_kept_apart() -> None:
    assert _string('@"2018-10-08T00:00:00+02:00"') == "2018-10-08T00:00:00+02:00"
    assert _string('@"2018-10-08T00:00:00@Europe/Paris"') == "2018-10-08T00:00:00@Europe/Paris"
    # '=' compares instants, is() the values themselves
    assert feel.evaluate('@"2018-10-08T00:00:00+02:00" = @"2018-10-08T00:00:00@Europe/Paris"') is True
    assert feel.evaluate('is(@"2018-10-08T00:00:00+02:00", @"2018-10-08T00:00:00@Europe/Paris")') is False
    assert feel.evaluate('@"2018-10-08T00:00:00@Europe/Paris".timezone') == "Europe/Paris"
    assert feel.evaluate('@"2018-10-08T00:00:00+02:00".timezone') is None
    assert _string('@"2018-02-08T00:00:00@Europe/Paris".time offset') == "PT1H"
    assert _string('@"2018-08-08T00:00:00@Europe/Paris".time offset') == "PT2H"


def test_a_zone_id_follows_daylight_saving_when_adding() -> None:
    # 2021-03-28 02:00 Paris jumps to 03:00: one hour after 01:30 is 03:30 local.
    assert _string('@"2021-03-28T01:30:00@Europe/Paris" + duration("PT1H")') == "2021-03-28T03:30:00@Europe/Paris"
    assert _string('@"2021-03-28T01:30:00+01:00" + duration("PT1H")') == "2021-03-28T02:30:00+01:00"


def test_a_local_time_skipped_by_daylight_saving_moves_forward_like_java_time() -> None:
    assert _string('@"2021-03-28T02:30:00@Europe/Paris"') == "2021-03-28T03:30:00@Europe/Paris"
    assert _string('@"2021-02-28T02:30:00@Europe/Paris" + duration("P1M")') == "2021-03-28T03:30:00@Europe/Paris"
    assert _string('date and time(date("2021-03-28"), time("02:00:00@Europe/Paris"))') == (
        "2021-03-28T03:00:00@Europe/Paris")
    # in the autumn overlap the earlier offset (summer time) is taken
    assert _string('@"2021-10-31T02:30:00@Europe/Paris".time offset') == "PT2H"


def test_time_literals_with_iana_zones() -> None:
    assert _string('@"23:00:50@Etc/GMT"') == "23:00:50@Etc/GMT"
    assert _string('time("10:00:00@Europe/Paris")') == "10:00:00@Europe/Paris"
    assert feel.evaluate('time("10:00:00@Europe/Paris").time offset') is None   # a zone id alone has no offset


@pytest.mark.parametrize("text", ["2020-01-01T10:00:00@../../etc/passwd", "2020-01-01T10:00:00@Not/AZone",
                                  "2020-01-01T10:00:00+15:00", "2020-01-01T10:00:00@" + "A" * 80])
def test_unknown_or_hostile_zones_are_refused(text: str) -> None:
    _null_with_diagnostic(f'date and time("{text}")')


def test_local_and_zoned_do_not_subtract() -> None:
    diagnostics = _null_with_diagnostic('@"2021-01-01T00:00:00" - @"2021-01-01T00:00:00Z"')
    assert any("local" in d for d in diagnostics)
    _null_with_diagnostic('@"2021-01-01T00:00:00" - @"2021-01-02"')      # a date is midnight UTC
    assert _string('@"2021-01-02" - @"2021-01-01T10:10:10+11:00"') == "P1DT49M50S"
    _null_with_diagnostic('time("10:00:00") - time("09:00:00Z")')


def test_now_is_one_instant_per_evaluation() -> None:
    assert feel.evaluate('now() - now() = duration("PT0S") and today() = date(now())') is True


# -- for over dates ------------------------------------------------------------------------------

def test_for_over_a_date_range_in_either_direction() -> None:
    assert _string('for d in @"1980-01-01"..@"1980-01-03" return d') == "[1980-01-01, 1980-01-02, 1980-01-03]"
    assert _string('for d in @"1980-01-03"..@"1980-01-01" return d') == "[1980-01-03, 1980-01-02, 1980-01-01]"
    assert _string('for d in @"-1-12-31"..@"0000-01-01" return d') is None   # '-1' is not a year
    assert _string('for d in @"-0001-12-31"..@"0000-01-01" return d') == "[-0001-12-31, 0000-01-01]"


@pytest.mark.parametrize("expr", ['for i in [@"1980-01-01"..@"1980-01-03"] return i',
                                  'for i in @"1980-01-03T00:00:00"..@"1980-01-01T00:00:00" return i',
                                  'for i in @"P1D"..@"P2D" return i', 'for i in [2..1] return i'])
def test_other_ranges_are_not_iterable(expr: str) -> None:
    _null_with_diagnostic(expr)


# -- hostile input ----------------------------------------------------------------------------------

def test_a_billion_day_range_is_refused_before_it_is_built() -> None:
    start = time.perf_counter()
    with pytest.raises(LimitExceeded):
        feel.evaluate('for d in @"-999999999-01-01"..@"999999999-12-31" return d')
    with pytest.raises(LimitExceeded):
        feel.evaluate('count(for d in date(1, 1, 1)..date(1, 1, 1) + duration("P999999999D") return 1)')
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("expr", [
    'duration("P999999999Y") * 1000000000',
    'duration("P999999999D") * 1000000000000000000000000000000',
    'duration("P999999999D") * 1000',
    '@"P999999999Y" * 999999999',
    'duration("P999999999D") / 0.000000000000000000001',
    '-duration("P999999999D") * 999999999',
    'date(2020, 1, 1) + duration("P999999999D") * 999',
])
def test_huge_durations_are_null(expr: str) -> None:
    start = time.perf_counter()
    _null_with_diagnostic(expr)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("text", ["P" + "9" * 10 + "D", "PT" + "9" * 13 + "S", "PT1." + "1" * 10 + "S",
                                  "9" * 10 + "-01-01", "0" * 5000 + "1-01-01", "10:00:00." + "1" * 5000])
def test_oversized_temporal_texts_are_refused_quickly(text: str) -> None:
    start = time.perf_counter()
    for fn in ("duration", "date", "time"):
        assert feel.evaluate(f'{fn}(t)', {"t": text}) is None
    assert time.perf_counter() - start < 0.5


# -- the Python edge ------------------------------------------------------------------------------

def test_python_values_become_feel_values_and_back() -> None:
    paris = dt.datetime(2024, 7, 1, 9, 30, 0, 123456, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    fixed = dt.datetime(2024, 7, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30)))
    for plain in (dt.date(1, 1, 1), dt.date(9999, 12, 31), paris, fixed, dt.datetime(2024, 1, 1),
                  dt.time(10, 0, 0, 5, tzinfo=dt.timezone.utc), dt.time(23, 59)):
        value = feel.to_feel(plain)
        assert type(value) in (FeelDate, FeelTime, FeelDateTime)
        back = feel.from_feel(value)
        assert back == plain and type(back) is type(plain)
    assert feel.to_feel(paris).zone == "Europe/Paris"
    assert feel.to_feel(fixed).zone == -(3 * 3600 + 1800)
    assert feel.to_feel(dt.timedelta(microseconds=7)) == DaysTimeDuration(7_000)


@pytest.mark.parametrize("expr, message", [
    ('date(10000, 1, 1)', "outside the years 1..9999"),
    ('date(-5, 1, 1)', "outside the years 1..9999"),
    ('time("10:00:00.123456789")', "nanoseconds"),
    ('@"2020-01-01T00:00:00.0000001Z"', "nanoseconds"),
    ('{a: [date(0, 1, 1)]}', "outside the years 1..9999"),
])
def test_values_python_cannot_hold_are_refused_with_a_clear_error(expr: str, message: str) -> None:
    with pytest.raises(ConversionError, match=message):
        feel.from_feel(feel.evaluate(expr))


def test_a_duration_with_nanoseconds_has_no_timedelta() -> None:
    with pytest.raises(ConversionError, match="nanoseconds"):
        DaysTimeDuration(1).to_timedelta()
    assert DaysTimeDuration(86_400 * 10**9).to_timedelta() == dt.timedelta(days=1)
    assert python_temporal(FeelDate(2024, 2, 29)) == dt.date(2024, 2, 29)


def test_typeref_coercion_reads_strings_into_feel_values() -> None:
    assert feel.type_check("-2024-01-01", "date") == FeelDate(-2024, 1, 1)
    assert feel.type_check("10:00:00.5@Europe/Paris", "time") == FeelTime(10, 0, 0, 500_000_000, "Europe/Paris")
    assert feel.type_check(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), "dateTime") == FeelDateTime(
        2024, 1, 1, 0, 0, 0, 0, 0)
    assert feel.evaluate("d.second", {"d": dt.time(1, 2, 3, 500_000)}) == Decimal("3.5")


def test_stored_durations_keep_nanoseconds_and_read_older_microsecond_records() -> None:
    from service.engine.serializer import serializer
    registry = serializer().registry
    stored = registry.convert(DaysTimeDuration(1_500))
    assert stored["nanos"] == 1_500 and registry.restore(stored) == DaysTimeDuration(1_500)
    assert registry.restore({"typename": "DaysTimeDuration", "micros": 3}) == DaysTimeDuration(3_000)


# -- properties over the whole range ----------------------------------------------------------------

FAST = settings(max_examples=80, deadline=None)
_years = st.integers(gregorian.MIN_YEAR, gregorian.MAX_YEAR)
feel_dates = st.builds(lambda y, m, d: FeelDate(y, m, min(d, gregorian.days_in_month(y, m))),
                       _years, st.integers(1, 12), st.integers(1, 31))
_zones = st.one_of(st.none(), st.integers(-14 * 60, 14 * 60).map(lambda minutes: minutes * 60),
                   st.sampled_from(["Europe/Paris", "Asia/Jakarta", "America/New_York", "Etc/UTC"]))
feel_datetimes = st.builds(
    lambda d, s, n, z: temporal.settle(FeelDateTime(d.year, d.month, d.day, s // 3600, s // 60 % 60, s % 60, n, z)),
    feel_dates, st.integers(0, 86_399), st.integers(0, 999_999_999), _zones)
SHIFT = feel.compile_expression("b + (a - b) = a")
PLUS = feel.compile_expression("b + d")
LESS = feel.compile_expression("a < b")
SUB = feel.compile_expression("a - b")
ROUND_TRIP = feel.compile_expression("is(date and time(string(a)), a)")


@FAST
@given(feel_dates, feel_dates)
def test_dates_subtract_and_order_consistently(a: FeelDate, b: FeelDate) -> None:
    diff = SUB.evaluate({"a": a, "b": b})
    assert SHIFT.evaluate({"a": a, "b": b}) is True
    assert LESS.evaluate({"a": a, "b": b}) is (diff.nanos < 0)


@FAST
@given(feel_datetimes, feel_datetimes)
def test_dates_and_times_subtract_and_order_consistently(a: FeelDateTime, b: FeelDateTime) -> None:
    diagnostics: list[str] = []
    diff = SUB.evaluate({"a": a, "b": b}, diagnostics=diagnostics)
    if (a.zone is None) != (b.zone is None):
        assert diff is None and diagnostics        # local and zoned do not subtract
        return
    assert LESS.evaluate({"a": a, "b": b}) is (diff.nanos < 0)
    if PLUS.evaluate({"b": b, "d": diff}) is not None:   # null: a, written in b's zone, leaves the years
        assert SHIFT.evaluate({"a": a, "b": b}) is True


@FAST
@given(feel_datetimes)
def test_string_of_a_date_and_time_reads_back_as_the_same_value(a: FeelDateTime) -> None:
    assert ROUND_TRIP.evaluate({"a": a}) is True
