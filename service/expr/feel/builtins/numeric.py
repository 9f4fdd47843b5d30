"""Numeric functions (DMN 1.3, 10.3.4.5), in the decimal128 context."""
from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from .. import ops
from ..values import DECIMAL_CONTEXT, DaysTimeDuration, YearsMonthsDuration
from .args import arg_number, arg_truncated, unwrap
from .registry import InvalidArgument, builtin


def _scale(v: Any) -> int:
    s = arg_truncated(v, "scale")
    if not -6111 <= s <= 6176:
        raise InvalidArgument("scale out of range")
    return s


def _round(n: Any, scale: Any, mode: str) -> Decimal:
    number = arg_number(n, "n")
    s = _scale(scale)
    if number.adjusted() - (-s) >= 34 + 1:
        return number  # already coarser than the requested scale
    return number.quantize(Decimal(1).scaleb(-s), rounding=mode, context=_WIDE)


_WIDE = decimal.Context(prec=200, Emax=10_000, Emin=-10_000)


@builtin("decimal", "n, scale")
def _decimal(ctx: Any, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_EVEN)


# Two signatures, not an optional scale: `floor(1.5, null)` is null, `floor(1.5)` is 1 (TCK 1101).
@builtin("floor", "n", "n, scale")
def _floor(ctx: Any, n: Any, scale: Any = Decimal(0)) -> Any:
    return _round(n, scale, decimal.ROUND_FLOOR)


@builtin("ceiling", "n", "n, scale")
def _ceiling(ctx: Any, n: Any, scale: Any = Decimal(0)) -> Any:
    return _round(n, scale, decimal.ROUND_CEILING)


@builtin("round up", "n, scale")
def _round_up(ctx: Any, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_UP)


@builtin("round down", "n, scale")
def _round_down(ctx: Any, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_DOWN)


@builtin("round half up", "n, scale")
def _round_half_up(ctx: Any, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_UP)


@builtin("round half down", "n, scale")
def _round_half_down(ctx: Any, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_DOWN)


@builtin("abs", "n")
def _abs(ctx: Any, n: Any) -> Any:
    n = unwrap(n)
    if type(n) is Decimal:
        return abs(n)
    if type(n) is YearsMonthsDuration:
        return YearsMonthsDuration(abs(n.months))
    if type(n) is DaysTimeDuration:
        return DaysTimeDuration(abs(n.nanos))
    raise InvalidArgument("n must be a number or a duration")


@builtin("modulo", "dividend, divisor")
def _modulo(ctx: Any, dividend: Any, divisor: Any) -> Any:
    a, b = arg_number(dividend, "dividend"), arg_number(divisor, "divisor")
    if not b:
        raise InvalidArgument("division by zero")
    c = DECIMAL_CONTEXT
    quotient = c.divide(a, b).to_integral_value(rounding=decimal.ROUND_FLOOR)
    return c.subtract(a, c.multiply(b, quotient))


@builtin("sqrt", "number")
def _sqrt(ctx: Any, number: Any) -> Any:
    n = arg_number(number)
    if n < 0:
        raise InvalidArgument("square root of a negative number")
    return DECIMAL_CONTEXT.sqrt(n)


@builtin("log", "number")
def _log(ctx: Any, number: Any) -> Any:
    n = arg_number(number)
    if n <= 0:
        raise InvalidArgument("logarithm of a number that is not positive")
    return DECIMAL_CONTEXT.ln(n)


@builtin("exp", "number")
def _exp(ctx: Any, number: Any) -> Any:
    n = arg_number(number)
    if n > 15_000:
        raise InvalidArgument("exp argument too large")
    return ops.check_number(ctx, DECIMAL_CONTEXT.exp(n))


@builtin("odd", "number")
def _odd(ctx: Any, number: Any) -> Any:
    n = arg_number(number)
    if n != n.to_integral_value():
        raise InvalidArgument("number must be an integer")
    return DECIMAL_CONTEXT.remainder(n, Decimal(2)) != 0


@builtin("even", "number")
def _even(ctx: Any, number: Any) -> Any:
    n = arg_number(number)
    if n != n.to_integral_value():
        raise InvalidArgument("number must be an integer")
    return DECIMAL_CONTEXT.remainder(n, Decimal(2)) == 0
