"""FEEL values and how each FEEL type is represented in Python.

=========================  ==============================================================
FEEL type                  Python representation
=========================  ==============================================================
null                       ``None``
number                     ``decimal.Decimal`` (34 digits, IEEE 754-2008 decimal128 context)
string                     ``str``
boolean                    ``bool``
date                       ``datetime.date`` (never a ``datetime.datetime``)
time                       ``datetime.time`` (tzinfo: none, a fixed offset or a ``ZoneInfo``)
date and time              ``datetime.datetime`` (naive = local time, or tz-aware)
days and time duration     ``DaysTimeDuration`` (whole microseconds)
years and months duration  ``YearsMonthsDuration`` (whole months)
list                       ``list``
context                    ``dict`` with ``str`` keys (insertion order kept)
range                      ``Range``
function                   ``FeelFunction`` (user defined) or ``BuiltinFunction``
=========================  ==============================================================

Plain engine values (``int``, ``float``, tuples, nested dicts) become FEEL values
with ``to_feel``; ``from_feel`` goes the other way.
"""
from __future__ import annotations

import datetime as _dt
import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

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

_MICROS_PER_SECOND = 1_000_000
_MICROS_PER_DAY = 86_400 * _MICROS_PER_SECOND


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
    """A days and time duration, normalised to a signed number of microseconds."""

    micros: int

    @classmethod
    def from_timedelta(cls, delta: _dt.timedelta) -> "DaysTimeDuration":
        return cls((delta.days * 86_400 + delta.seconds) * _MICROS_PER_SECOND + delta.microseconds)

    def to_timedelta(self) -> _dt.timedelta:
        return _dt.timedelta(microseconds=self.micros)

    @property
    def total_seconds(self) -> Decimal:
        return Decimal(self.micros) / _MICROS_PER_SECOND

    def _parts(self) -> tuple[int, int, int, int, int]:
        m = abs(self.micros)
        days, m = divmod(m, _MICROS_PER_DAY)
        hours, m = divmod(m, 3_600 * _MICROS_PER_SECOND)
        minutes, m = divmod(m, 60 * _MICROS_PER_SECOND)
        seconds, micros = divmod(m, _MICROS_PER_SECOND)
        return days, hours, minutes, seconds, micros

    def part(self, name: str) -> int | Decimal:
        days, hours, minutes, seconds, micros = self._parts()
        sign = -1 if self.micros < 0 else 1
        if name == "days":
            return sign * days
        if name == "hours":
            return sign * hours
        if name == "minutes":
            return sign * minutes
        value = Decimal(seconds) + Decimal(micros) / _MICROS_PER_SECOND
        return sign * value if micros else sign * seconds

    def __str__(self) -> str:
        days, hours, minutes, seconds, micros = self._parts()
        sign = "-" if self.micros < 0 else ""
        out = f"{sign}P"
        if days:
            out += f"{days}D"
        time = ""
        if hours:
            time += f"{hours}H"
        if minutes:
            time += f"{minutes}M"
        if seconds or micros:
            if micros:
                frac = f"{micros:06d}".rstrip("0")
                time += f"{seconds}.{frac}S"
            else:
                time += f"{seconds}S"
        if time:
            out += "T" + time
        if not days and not time:
            out += "T0S"
        return out

    def __repr__(self) -> str:
        return f"DaysTimeDuration({self})"


@dataclass(frozen=True, slots=True)
class Range:
    """An interval; ``None`` as an end point with ``*_included`` False means unbounded."""

    start_included: bool
    start: Any
    end: Any
    end_included: bool

    def __str__(self) -> str:
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


def is_date(value: Any) -> bool:
    return type(value) is _dt.date


def is_datetime(value: Any) -> bool:
    return type(value) is _dt.datetime


def is_time(value: Any) -> bool:
    return type(value) is _dt.time


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
    if isinstance(plain, (_dt.datetime, _dt.date, _dt.time, YearsMonthsDuration, DaysTimeDuration,
                          Range, FeelFunction, BuiltinFunction)):
        return plain
    if isinstance(plain, _dt.timedelta):
        return DaysTimeDuration.from_timedelta(plain)
    if isinstance(plain, bool):
        return bool(plain)
    if isinstance(plain, int):
        return number(int(plain))
    if isinstance(plain, str):
        return str(plain)
    raise ConversionError(f"no FEEL value for Python type {type(plain).__name__}")


def from_feel(value: Any, numbers: str = "decimal") -> Any:
    """Convert a FEEL value back to a plain engine value.

    With ``numbers="json"`` an integral number becomes ``int`` and any other ``float``;
    with ``numbers="decimal"`` (default) numbers stay ``Decimal``.
    """
    if numbers not in ("decimal", "json"):
        raise ValueError("numbers must be 'decimal' or 'json'")
    return _from_feel(value, numbers == "json")


def _from_feel(value: Any, json_numbers: bool) -> Any:
    if type(value) is Decimal:
        if not json_numbers:
            return value
        if value == value.to_integral_value() and value.adjusted() < 40:
            return int(value)
        return float(value)
    if isinstance(value, list):
        return [_from_feel(v, json_numbers) for v in value]
    if isinstance(value, dict):
        return {k: _from_feel(v, json_numbers) for k, v in value.items()}
    if isinstance(value, (FeelFunction, BuiltinFunction)):
        return None
    return value


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
    if t is _dt.date:
        return format_date(value)
    if t is _dt.datetime:
        return format_datetime(value)
    if t is _dt.time:
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


def format_date(value: _dt.date) -> str:
    year = value.year
    return f"{year:04d}-{value.month:02d}-{value.day:02d}"


def _format_tz(tz: _dt.tzinfo | None, ref: _dt.datetime | None) -> str:
    if tz is None:
        return ""
    key = getattr(tz, "key", None)
    if key:
        return "@" + key
    offset = tz.utcoffset(ref)
    if offset is None:
        return ""
    if offset == _dt.timedelta(0):
        return "Z"
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    if seconds:
        text += f":{seconds:02d}"
    return text


def _format_clock(value: _dt.time | _dt.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def format_time(value: _dt.time) -> str:
    ref = _dt.datetime(1970, 1, 1, value.hour, value.minute, value.second) if value.tzinfo else None
    return _format_clock(value) + _format_tz(value.tzinfo, ref)


def format_datetime(value: _dt.datetime) -> str:
    return (format_date(value.date()) + "T" + _format_clock(value)
            + _format_tz(value.tzinfo, value.replace(tzinfo=None)))


__all__ = [
    "DECIMAL_CONTEXT", "YearsMonthsDuration", "DaysTimeDuration", "Range", "FeelFunction",
    "BuiltinFunction", "ConversionError", "to_feel", "from_feel", "number", "format_value",
    "format_number", "format_date", "format_time", "format_datetime", "is_number", "is_function",
]
