"""Dates, times, date-times and durations (DMN 1.3, 10.3.2.3, 10.3.2.7 and tables 57-58)."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from service.expr import feel
from service.expr.feel.values import DaysTimeDuration, YearsMonthsDuration

D = Decimal


def _same(expr: str, expected: str) -> None:
    diagnostics: list[str] = []
    got = feel.evaluate(expr, {}, diagnostics=diagnostics)
    want = feel.evaluate(expected, {})
    assert type(got) is type(want) and got == want, (expr, got, want, diagnostics)


@pytest.mark.parametrize("expr, expected", [
    # table 57: subtraction and addition of temporals
    ('date("2012-12-25") - date("2012-12-24")', 'duration("P1D")'),
    ('date("2012-12-24") - date("2012-12-25")', 'duration("-P1D")'),
    ('date("2012-12-24") + duration("P1D")', 'date("2012-12-25")'),
    ('duration("P1D") + date("2012-12-24")', 'date("2012-12-25")'),
    ('date("2017-01-31") + duration("P1M")', 'date("2017-02-28")'),
    ('date("2016-01-31") + duration("P1M")', 'date("2016-02-29")'),
    ('date("2017-03-31") - duration("P1M")', 'date("2017-02-28")'),
    ('date("2012-12-24") + duration("P1Y2M")', 'date("2014-02-24")'),
    ('date and time("2019-01-31T10:00:00") + duration("P1M")', 'date and time("2019-02-28T10:00:00")'),
    ('date and time("2012-12-24T23:59:00") + duration("PT1M")', 'date and time("2012-12-25T00:00:00")'),
    ('date and time("2017-08-10T10:20:00") - date and time("2017-08-10T10:20:00")', 'duration("PT0S")'),
    ('date and time("2012-12-24T23:59:00") - date and time("2012-12-22T03:45:00")', 'duration("P2DT20H14M")'),
    ('date and time("2020-01-01T10:00:00+01:00") - date and time("2020-01-01T09:00:00Z")', 'duration("PT0S")'),
    ('time("10:00:00") - time("09:30:00")', 'duration("PT30M")'),
    ('time("23:59:00") + duration("PT2M")', 'time("00:01:00")'),
    ('time("10:00:00") - duration("PT1H")', 'time("09:00:00")'),
    # durations
    ('duration("P1D") * 2', 'duration("P2D")'),
    ('2 * duration("PT1H")', 'duration("PT2H")'),
    ('duration("P1Y") * 2', 'duration("P2Y")'),
    ('duration("P1Y") / 2', 'duration("P6M")'),
    ('duration("P2D") / 2', 'duration("P1D")'),
    ('duration("P2D") / duration("P1D")', '2'),
    ('duration("P1Y") / duration("P1M")', '12'),
    ('duration("P1D") - duration("PT1H")', 'duration("PT23H")'),
    ('-duration("P1D")', 'duration("-P1D")'),
    ('duration("PT36H")', 'duration("P1DT12H")'),
    ('duration("P1Y14M")', 'duration("P2Y2M")'),
    ('years and months duration(date("2019-01-01"), date("2018-01-01"))', 'duration("-P1Y")'),
    ('years and months duration(date("2011-12-22"), date("2013-08-24"))', 'duration("P1Y8M")'),
    ('years and months duration(date("2013-08-24"), date("2011-12-22"))', 'duration("-P1Y8M")'),
    ('years and months duration(date and time("2011-12-22T10:00:00"), date("2012-12-22"))', 'duration("P1Y")'),
])
def test_table_57_temporal_arithmetic(expr: str, expected: str) -> None:
    _same(expr, expected)


@pytest.mark.parametrize("expr, expected", [
    ('date("2012-12-25") > date("2012-12-24")', True),
    ('date("2012-12-25") = date("2012-12-25")', True),
    ('date and time("2020-01-01T10:00:00+01:00") = date and time("2020-01-01T09:00:00Z")', True),
    ('date and time("2020-01-01T10:00:00+01:00") < date and time("2020-01-01T09:30:00Z")', True),
    ('time("10:30:00+01:00") = time("09:30:00Z")', True),
    ('time("10:30:00") < time("11:00:00")', True),
    ('duration("P1D") > duration("PT1H")', True),
    ('duration("P1Y") > duration("P11M")', True),
    ('duration("P1Y") < duration("P1D")', None),
    ('date("2012-12-25") < time("10:00:00")', None),
    ('date("2012-12-25") = "2012-12-25"', None),
    ('is(date and time("2020-01-01T10:00:00+01:00"), date and time("2020-01-01T09:00:00Z"))', False),
    ('is(date and time("2020-01-01T10:00:00Z"), date and time("2020-01-01T10:00:00Z"))', True),
])
def test_temporal_comparison(expr: str, expected: object) -> None:
    assert feel.evaluate(expr) is expected


@pytest.mark.parametrize("expr, expected", [
    # 10.3.2.7 / table 58: properties of temporal values
    ('date("2017-03-10").year', D(2017)),
    ('date("2017-03-10").month', D(3)),
    ('date("2017-03-10").day', D(10)),
    ('date("2017-03-10").weekday', D(5)),
    ('date and time("2018-12-10T10:30:01").hour', D(10)),
    ('date and time("2018-12-10T10:30:01").minute', D(30)),
    ('date and time("2018-12-10T10:30:01").second', D(1)),
    ('date and time("2018-12-10T10:30:01.5").second', D("1.5")),
    ('date and time("2018-12-10T10:30:00@Europe/Paris").timezone', "Europe/Paris"),
    ('date and time("2018-12-10T10:30:00+05:00").timezone', None),
    ('time("10:30:00").time offset', None),
    ('time("23:59:00").hour', D(23)),
    ('duration("P2DT20H14M").days', D(2)),
    ('duration("P2DT20H14M").hours', D(20)),
    ('duration("P2DT20H14M").minutes', D(14)),
    ('duration("PT1.25S").seconds', D("1.25")),
    ('duration("-P2D").days', D(-2)),
    ('duration("P1Y2M").years', D(1)),
    ('duration("P1Y2M").months', D(2)),
    ('duration("P1Y2M").days', None),
    ('@"2024-01-01".year', D(2024)),
    ('@"P1D".days', D(1)),
    ('@"10:00:00".hour', D(10)),
    ('@"2024-01-01T10:00:00Z".hour', D(10)),
])
def test_10_3_2_7_temporal_properties(expr: str, expected: object) -> None:
    got = feel.evaluate(expr)
    assert got == expected and type(got) is type(expected)


def test_time_offset_property() -> None:
    assert feel.evaluate('date and time("2018-12-10T10:30:00+05:00").time offset') == DaysTimeDuration(
        5 * 3600 * 10**9)
    assert feel.evaluate('time("10:30:00-02:30").time offset') == DaysTimeDuration(-(2 * 3600 + 1800) * 10**9)


@pytest.mark.parametrize("expr, expected", [
    ('string(date("2012-12-25"))', "2012-12-25"),
    ('string(time("10:30:00"))', "10:30:00"),
    ('string(time("10:30:00.120Z"))', "10:30:00.12Z"),
    ('string(date and time("2018-12-10T10:30:00@Europe/Paris"))', "2018-12-10T10:30:00@Europe/Paris"),
    ('string(date and time("2018-12-10T10:30:00+05:00"))', "2018-12-10T10:30:00+05:00"),
    ('string(duration("P1Y14M"))', "P2Y2M"),
    ('string(duration("PT36H"))', "P1DT12H"),
    ('string(-duration("PT1S"))', "-PT1S"),
    ('string(duration("PT0S"))', "PT0S"),
    ('string(duration("P0M"))', "P0M"),
])
def test_temporal_string_forms(expr: str, expected: str) -> None:
    assert feel.evaluate(expr) == expected


def test_zone_ids_and_offsets() -> None:
    paris = feel.evaluate('date and time("2018-12-10T10:30:00@Europe/Paris")')
    assert feel.from_feel(paris) == dt.datetime(2018, 12, 10, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    assert paris.zone == "Europe/Paris" and paris.offset() == 3600
    assert feel.evaluate('date and time("2018-12-10T10:30:00@Not/AZone")') is None


@pytest.mark.parametrize("text", ['date("2019-13-01")', 'date("2019-02-29")', 'time("25:00:00")',
                                  'date and time("2019-01-01T10:00")', 'duration("P")', 'duration("PT")',
                                  'duration("P1H")', 'date("20190101")'])
def test_invalid_temporal_strings_are_null(text: str) -> None:
    diagnostics: list[str] = []
    assert feel.evaluate(text, {}, diagnostics=diagnostics) is None
    assert diagnostics


def test_invalid_temporal_literal_is_null_at_evaluation() -> None:
    # DMN: an invalid @"..." is an evaluation error (null), not a reason to refuse the whole model.
    diagnostics: list[str] = []
    assert feel.compile_expression('@"not a date"').evaluate({}, diagnostics=diagnostics) is None
    assert any("not a date" in d for d in diagnostics)


def test_plain_temporals_from_the_engine() -> None:
    variables = {"d": dt.date(2024, 1, 31), "t": dt.datetime(2024, 1, 1, 8, tzinfo=dt.timezone.utc)}
    assert feel.from_feel(feel.evaluate("d + duration(\"P1M\")", variables)) == dt.date(2024, 2, 29)
    assert feel.evaluate("t.hour", variables) == D(8)
    assert feel.evaluate("d > date(\"2024-01-01\")", variables) is True
    assert feel.evaluate('duration("P1Y")') == YearsMonthsDuration(12)
