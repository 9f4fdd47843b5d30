"""Argument checks shared by the built-ins; a bad argument raises InvalidArgument (null + diagnostic)."""
from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from .. import ops
from .registry import InvalidArgument


def unwrap(v: Any) -> Any:
    """A singleton list given where a single value is expected is that value (DMN 1.3, 10.3.2.9.4)."""
    return v[0] if type(v) is list and len(v) == 1 else v


def arg_number(v: Any, what: str = "number") -> Decimal:
    v = unwrap(v)
    if type(v) is not Decimal:
        raise InvalidArgument(f"{what} must be a number, got {ops.kind(v)}")
    return v


def arg_truncated(v: Any, what: str) -> int:
    """A number used as a count or scale: a fraction is truncated toward zero (TCK 1100, 1103)."""
    n = arg_number(v, what)
    if abs(n) > 10 ** 9:
        raise InvalidArgument(f"{what} out of range")
    return int(n.to_integral_value(rounding=decimal.ROUND_DOWN))


def arg_integer(v: Any, what: str = "position") -> int:
    n = arg_number(v, what)
    if n != n.to_integral_value():
        raise InvalidArgument(f"{what} must be an integer")
    if abs(n) > 10 ** 9:
        raise InvalidArgument(f"{what} out of range")
    return int(n)


def arg_string(v: Any, what: str = "string") -> str:
    v = unwrap(v)
    if type(v) is not str:
        raise InvalidArgument(f"{what} must be a string, got {ops.kind(v)}")
    return v


def arg_list(v: Any, what: str = "list") -> list:
    if type(v) is not list:
        if v is None:
            raise InvalidArgument(f"{what} must be a list, got null")
        return [v]  # a single value where a list is expected is a singleton list (10.3.2.9.4)
    return v


def check_size(ctx: Any, size: int) -> None:
    ctx.check_size(size)


def arg_position(start: Any, n: int, what: str = "start position") -> int:
    """A 1-based position (negative: from the end; a fraction is truncated, TCK 1155) as a 0-based index
    into n items."""
    p = arg_number(start, what)
    pi = int(p.to_integral_value(rounding=decimal.ROUND_DOWN)) if abs(p) <= 10 ** 9 else None
    if pi is None or pi == 0 or pi > n or -pi > n:
        raise InvalidArgument("start position out of range")
    return pi - 1 if pi > 0 else n + pi
