"""FEEL values and how each FEEL type is represented in Python.

=========================  ==============================================================
FEEL type                  Python representation
=========================  ==============================================================
null                       ``None``
number                     ``decimal.Decimal`` (34 digits, IEEE 754-2008 decimal128 context)
string                     ``str``
boolean                    ``bool``
date                       ``FeelDate`` (years -999,999,999..999,999,999)
time                       ``FeelTime`` (nanoseconds; local, a UTC offset or a zone id)
date and time              ``FeelDateTime`` (as date and time together)
days and time duration     ``DaysTimeDuration`` (whole nanoseconds)
years and months duration  ``YearsMonthsDuration`` (whole months)
list                       ``list``
context                    ``dict`` with ``str`` keys (insertion order kept)
range                      ``Range``
function                   ``FeelFunction`` (user defined) or ``BuiltinFunction``
=========================  ==============================================================

Plain engine values (``int``, ``float``, tuples, nested dicts, Python ``date``/``time``/``datetime``)
become FEEL values with ``to_feel``; ``from_feel`` goes the other way and raises ConversionError for a
temporal value a Python ``datetime`` cannot hold (years outside 1..9999, nanoseconds).
"""
from __future__ import annotations

import datetime as _dt
import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from . import gregorian
from .datetimes import (FeelDate, FeelDateTime, FeelTime, Zone, format_date, format_datetime, format_time,
                        format_zone, fraction)

# decimal128: 34 significant digits, exponent range of IEEE 754-2008.
DECIMAL_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-6143,
    Emax=6144,
    capitals=1,
    clamp=0,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

NANOS_PER_SECOND = gregorian.NANOS_PER_SECOND
NANOS_PER_DAY = gregorian.NANOS_PER_DAY


@dataclass(frozen=True, slots=True, order=True)
class YearsMonthsDuration:
    """A years and months duration, normalised to a signed number of months."""

    months: int

    @property
    def years_part(self) -> int:
        return int(abs(self.months) // 12) * (1 if self.months >= 0 else -1)

    @property
    def months_part(self) -> int:
        return int(abs(self.months) % 12) * (1 if self.months >= 0 else -1)

    def __str__(self) -> str:
        m = abs(self.months)
        sign = "-" if self.months < 0 else ""
        years, months = divmod(m, 12)
        if years and months:
            body = f"{years}Y{months}M"
        elif years:
            body = f"{years}Y"
        else:
            body = f"{months}M"
        return f"{sign}P{body}"

    def __repr__(self) -> str:
        return f"YearsMonthsDuration({self})"


@dataclass(frozen=True, slots=True, order=True)
class DaysTimeDuration:
    """A days and time duration, normalised to a signed number of nanoseconds."""

    nanos: int

    @classmethod
    def from_timedelta(cls, delta: _dt.timedelta) -> "DaysTimeDuration":
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return cls(micros * 1_000)

    def to_timedelta(self) -> _dt.timedelta:
        """The Python timedelta; ConversionError when it would lose nanoseconds or overflow."""
        micros, rest = divmod(self.nanos, 1_000)
        if rest:
            raise ConversionError(f"duration {self} has nanoseconds; a Python timedelta holds microseconds")
        try:
            return _dt.timedelta(microseconds=micros)
        except OverflowError:
            raise ConversionError(f"duration {self} is too long for a Python timedelta") from None

    def _parts(self) -> tuple[int, int, int, int, int]:
        n = abs(self.nanos)
        days, n = divmod(n, NANOS_PER_DAY)
        hours, n = divmod(n, 3_600 * NANOS_PER_SECOND)
        minutes, n = divmod(n, 60 * NANOS_PER_SECOND)
        seconds, nanos = divmod(n, NANOS_PER_SECOND)
        return days, hours, minutes, seconds, nanos

    def part(self, name: str) -> int | Decimal:
        days, hours, minutes, seconds, nanos = self._parts()
        sign = -1 if self.nanos < 0 else 1
        if name == "days":
            return sign * days
        if name == "hours":
            return sign * hours
        if name == "minutes":
            return sign * minutes
        if not nanos:
            return sign * seconds
        return sign * (Decimal(seconds) + Decimal(nanos).scaleb(-9))

    def __str__(self) -> str:
        days, hours, minutes, seconds, nanos = self._parts()
        sign = "-" if self.nanos < 0 else ""
        out = f"{sign}P"
        if days:
            out += f"{days}D"
        time = ""
        if hours:
            time += f"{hours}H"
        if minutes:
            time += f"{minutes}M"
        if seconds or nanos:
            time += f"{seconds}{fraction(nanos)}S"
        if time:
            out += "T" + time
        if not days and not time:
            out += "T0S"
        return out

    def __repr__(self) -> str:
        return f"DaysTimeDuration({self})"


@dataclass(frozen=True, slots=True)
class Range:
    """An interval (``[1..10)``; a ``None`` end point is null, so membership is null) or a unary comparison
    used as a range (DMN 1.4 ``(< 10)``, ``op`` set: its missing end point is unbounded)."""

    start_included: bool
    start: Any
    end: Any
    end_included: bool
    op: str | None = None        # "<", "<=", ">", ">=", "=", "!=" for a unary comparison range

    def __str__(self) -> str:
        if self.op is not None:
            return f"{self.op} {format_value(self.end if self.op in ('<', '<=') else self.start)}"
        left = "[" if self.start_included else "("
        right = "]" if self.end_included else ")"
        return f"{left}{format_value(self.start)}..{format_value(self.end)}{right}"


class FeelFunction:
    """A function defined in FEEL (``function(a, b) a + b``), closed over its scope."""

    __slots__ = ("params", "body", "scope", "name")

    def __init__(self, params: tuple[str, ...], body: Callable[..., Any], scope: Any,
                 name: str = "anonymous") -> None:
        self.params = params
        self.body = body
        self.scope = scope
        self.name = name

    def __repr__(self) -> str:
        return f"function({', '.join(self.params)})"


class BuiltinFunction:
    """A built-in function; ``signatures`` lists the accepted parameter-name tuples.

    A parameter name ending in ``...`` collects the remaining positional arguments.
    """

    __slots__ = ("name", "impl", "signatures", "needs_ctx")

    def __init__(self, name: str, impl: Callable[..., Any], signatures: tuple[tuple[str, ...], ...],
                 needs_ctx: bool = False) -> None:
        self.name = name
        self.impl = impl
        self.signatures = signatures
        self.needs_ctx = needs_ctx

    def __repr__(self) -> str:
        return f"builtin {self.name}"


def is_number(value: Any) -> bool:
    return type(value) is Decimal


def is_function(value: Any) -> bool:
    return isinstance(value, (FeelFunction, BuiltinFunction))


class ConversionError(ValueError):
    """A plain value has no FEEL equivalent."""


def number(value: int | float | str | Decimal) -> Decimal:
    """A FEEL number from a Python number, rounded to the decimal128 context."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ConversionError("NaN and infinity are not FEEL numbers")
        value = repr(value)
    try:
        result = DECIMAL_CONTEXT.create_decimal(value)
    except (decimal.InvalidOperation, decimal.Overflow) as exc:
        raise ConversionError(f"not a FEEL number: {value!r}") from exc
    if not result.is_finite():
        raise ConversionError("NaN and infinity are not FEEL numbers")
    return result


def to_feel(plain: Any) -> Any:
    """Convert a plain engine value to a FEEL value (numbers become Decimal, tuples lists)."""
    t = type(plain)
    if plain is None or t is str or t is bool:
        return plain
    if t is Decimal and plain.is_finite():
        if len(plain.as_tuple().digits) > 34 or not -6143 <= plain.adjusted() <= 6144:
            return number(plain)
        return plain
    if t is int:
        if plain.bit_length() > 3_400:  # > ~1000 digits: refuse before str() work
            raise ConversionError("integer too large for a FEEL number")
        return number(plain)
    if t is float or t is Decimal:
        return number(plain)
    if isinstance(plain, (list, tuple)):
        return [to_feel(v) for v in plain]
    if isinstance(plain, dict):
        return {str(k): to_feel(v) for k, v in plain.items()}
    if isinstance(plain, (FeelDate, FeelTime, FeelDateTime, YearsMonthsDuration, DaysTimeDuration,
                          Range, FeelFunction, BuiltinFunction)):
        return plain
    if isinstance(plain, _dt.datetime):
        zone = _python_zone(plain.tzinfo, plain)
        return FeelDateTime(plain.year, plain.month, plain.day, plain.hour, plain.minute, plain.second,
                            plain.microsecond * 1_000, zone)
    if isinstance(plain, _dt.date):
        return FeelDate(plain.year, plain.month, plain.day)
    if isinstance(plain, _dt.time):
        ref = _dt.datetime(1970, 1, 1, plain.hour, plain.minute, plain.second)
        return FeelTime(plain.hour, plain.minute, plain.second, plain.microsecond * 1_000,
                        _python_zone(plain.tzinfo, ref))
    if isinstance(plain, _dt.timedelta):
        return DaysTimeDuration.from_timedelta(plain)
    if isinstance(plain, bool):
        return bool(plain)
    if isinstance(plain, int):
        return number(int(plain))
    if isinstance(plain, str):
        return str(plain)
    raise ConversionError(f"no FEEL value for Python type {type(plain).__name__}")


def _python_zone(tz: _dt.tzinfo | None, ref: _dt.datetime) -> Zone:
    if tz is None:
        return None
    key = getattr(tz, "key", None)
    if isinstance(key, str) and gregorian.zone_info(key) is not None:
        return key
    offset = tz.utcoffset(ref.replace(tzinfo=None))
    if offset is None:
        return None
    if offset.microseconds:
        raise ConversionError(f"time zone offset {offset} is not a whole number of seconds")
    return offset.days * 86_400 + offset.seconds


def from_feel(value: Any, numbers: str = "decimal") -> Any:
    """Convert a FEEL value back to a plain engine value.

    With ``numbers="json"`` an integral number becomes ``int`` and any other ``float``;
    with ``numbers="decimal"`` (default) numbers stay ``Decimal``. Dates and times become Python
    ``date``/``time``/``datetime``; ConversionError when one does not fit (years outside 1..9999,
    nanoseconds).
    """
    if numbers not in ("decimal", "json"):
        raise ValueError("numbers must be 'decimal' or 'json'")
    return _from_feel(value, numbers == "json")


def _from_feel(value: Any, json_numbers: bool) -> Any:
    t = type(value)
    if t is Decimal:
        if not json_numbers:
            return value
        if value == value.to_integral_value() and value.adjusted() < 40:
            return int(value)
        return float(value)
    if t is list:
        return [_from_feel(v, json_numbers) for v in value]
    if t is dict:
        return {k: _from_feel(v, json_numbers) for k, v in value.items()}
    if t is FeelDate or t is FeelDateTime or t is FeelTime:
        return python_temporal(value)
    if t is FeelFunction or t is BuiltinFunction:
        return None
    return value


def python_temporal(value: FeelDate | FeelTime | FeelDateTime) -> _dt.date | _dt.time | _dt.datetime:
    """The Python ``date``, ``time`` or ``datetime`` of a FEEL temporal value, or ConversionError."""
    if not isinstance(value, FeelTime) and not 1 <= value.year <= 9999:
        raise ConversionError(f"{_kind_name(value)} {value} is outside the years 1..9999 a Python date holds")
    if isinstance(value, FeelDate):
        return _dt.date(value.year, value.month, value.day)
    micros, rest = divmod(value.nanos, 1_000)
    if rest:
        raise ConversionError(f"{_kind_name(value)} {value} has nanoseconds; Python holds microseconds")
    tz: _dt.tzinfo | None = None
    if isinstance(value.zone, str):
        tz = gregorian.zone_info(value.zone)
    elif isinstance(value.zone, int):
        tz = _dt.timezone.utc if value.zone == 0 else _dt.timezone(_dt.timedelta(seconds=value.zone))
    if isinstance(value, FeelTime):
        return _dt.time(value.hour, value.minute, value.second, micros, tzinfo=tz)
    return _dt.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second, micros,
                        tzinfo=tz)


def _kind_name(value: Any) -> str:
    return {FeelDate: "date", FeelTime: "time", FeelDateTime: "date and time"}[type(value)]


def format_number(value: Decimal) -> str:
    """FEEL's string form of a number: plain notation, no exponent, no trailing zeros."""
    if value == 0:
        return "0"
    normalised = value.normalize(DECIMAL_CONTEXT) if value.adjusted() < 34 else value
    text = format(normalised, "f")
    return text


def format_value(value: Any) -> str:
    """FEEL's ``string()`` of any value (the inverse of a literal where one exists)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    t = type(value)
    if t is Decimal:
        return format_number(value)
    if t is str:
        return value
    if t is FeelDate:
        return format_date(value)
    if t is FeelDateTime:
        return format_datetime(value)
    if t is FeelTime:
        return format_time(value)
    if t is YearsMonthsDuration or t is DaysTimeDuration or t is Range:
        return str(value)
    if t is list:
        return "[" + ", ".join(_quoted(v) for v in value) + "]"
    if t is dict:
        return "{" + ", ".join(f"{k}: {_quoted(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _quoted(value: Any) -> str:
    if type(value) is str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return format_value(value)


__all__ = [
    "DECIMAL_CONTEXT", "YearsMonthsDuration", "DaysTimeDuration", "Range", "FeelFunction",
    "BuiltinFunction", "ConversionError", "to_feel", "from_feel", "number", "format_value",
    "format_number", "format_date", "format_time", "format_datetime", "format_zone", "is_number",
    "is_function", "FeelDate", "FeelTime", "FeelDateTime", "Zone", "python_temporal",
]
