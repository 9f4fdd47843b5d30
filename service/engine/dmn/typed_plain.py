"""`typed_plain`: a decision's FEEL value as a plain value of its output's declared typeRef.

FEEL has one number type, so `from_feel(..., numbers="json")` alone turns a `double` output holding 0
into the int 0; Camunda (and every REST client) would then see an Integer where the model says Double.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from service.expr import feel

# Camunda 7 / XML Schema spellings of number types, by the Python type their plain value must have.
_FLOAT_TYPES = frozenset({"double", "float"})
_INT_TYPES = frozenset({"integer", "int", "long", "short"})
_PREFIXES = ("feel:", "xsd:", "xs:")


def typed_plain(value: Any, type_ref: str | None, diagnostics: list[str] | None = None) -> Any:
    """The plain value of a FEEL value, numbers shaped by `type_ref`.

    `double`/`float` give a float, `integer`/`long`/`int`/`short` an int, FEEL `number` (and no typeRef)
    an int when integral and a float otherwise; `list<...>` applies the item type to each item. Other
    types (string, boolean, date, ...) are already the right Python type after the typeRef check.
    A value without a plain form (a date beyond the years 1..9999 of Python's `date`) is null, with the
    reason appended to `diagnostics`; the decision's FEEL value keeps it exactly.
    """
    try:
        return _typed_plain(value, type_ref)
    except ValueError as exc:     # feel.values.ConversionError
        if diagnostics is not None:
            diagnostics.append(f"{exc}; its plain (process variable) form is null")
        return None


def _typed_plain(value: Any, type_ref: str | None) -> Any:
    name = _type_name(type_ref)
    if name.startswith("list<") and name.endswith(">") and type(value) is list:
        item = name[5:-1].strip()
        return [_typed_plain(v, item) for v in value]
    if type(value) is Decimal:
        if name in _FLOAT_TYPES:
            as_float = float(value)
            if math.isfinite(as_float):
                return as_float
        elif name in _INT_TYPES and value == value.to_integral_value() and value.adjusted() < 40:
            return int(value)
    return feel.from_feel(value, numbers="json")


def _type_name(type_ref: str | None) -> str:
    if not type_ref:
        return ""
    name = str(type_ref).strip()
    for prefix in _PREFIXES:
        name = name.removeprefix(prefix)
    return name


__all__ = ["typed_plain"]
