"""Conversion functions (DMN 1.3, 10.3.4.1) and the boolean function not() (10.3.4.2)."""
from __future__ import annotations

import re
from typing import Any

from .. import ops
from ..values import DECIMAL_CONTEXT, format_value
from .args import arg_string
from .registry import InvalidArgument, builtin


_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?\Z")


@builtin("number", "from, grouping separator?, decimal separator?")
def _number(ctx: Any, text: Any, grouping: Any, decimal_sep: Any) -> Any:
    s = arg_string(text, "from")
    if grouping is not None and grouping not in (" ", ",", "."):
        raise InvalidArgument("grouping separator must be ' ', ',' or '.'")
    if decimal_sep is not None and decimal_sep not in (",", "."):
        raise InvalidArgument("decimal separator must be ',' or '.'")
    if grouping is not None and grouping == decimal_sep:
        raise InvalidArgument("grouping and decimal separators must differ")
    if grouping is not None:
        s = s.replace(grouping, "")
    if decimal_sep is not None and decimal_sep != ".":
        if "." in s:
            raise InvalidArgument(f"not a number: {text!r}")
        s = s.replace(decimal_sep, ".")
    if len(s) > 1000 or not _NUMBER_TEXT.match(s):
        raise InvalidArgument(f"not a number: {text!r}")
    return ops.check_number(ctx, DECIMAL_CONTEXT.create_decimal(s))


@builtin("string", "from")
def _string(ctx: Any, value: Any) -> Any:
    if value is None:
        return None
    text = format_value(value)
    ctx.check_string(len(text))
    return text


# -- boolean (10.3.4.2) -------------------------------------------------------------------------

@builtin("not", "negand")
def _not(ctx: Any, value: Any) -> Any:
    return (not value) if type(value) is bool else None
