"""Checks that values entering an instance are plain engine values (see ARCHITECTURE: 'plain')."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from .errors import EngineError

_SCALARS = (type(None), bool, int, float, str, Decimal, date, time)
# SpiffWorkflow keeps BPMN data objects under this key and the engine hides it from the variables:
# a variable of that name would be silently dropped.
RESERVED_NAMES = frozenset({"data_objects"})


def check_variables(values: Any) -> dict:
    """Return `values` if it maps names to plain values; raise EngineError naming the first problem."""
    if not isinstance(values, dict):
        raise EngineError("variables must be a mapping of names to values")
    for name, value in values.items():
        if not isinstance(name, str) or not name:
            raise EngineError(f"variable name {name!r} must be a non-empty string")
        if name.startswith("__alur") or name in RESERVED_NAMES:
            raise EngineError(f"variable name {name!r} is reserved by the engine; choose another name")
        _check(value, name, 0)
    return values


def _check(value: Any, path: str, depth: int) -> None:
    if depth > 64:
        raise EngineError(f"variable '{path}' is nested too deeply")
    if isinstance(value, datetime) and value.tzinfo is None:
        raise EngineError(f"variable '{path}': date-times must carry a timezone")
    if isinstance(value, _SCALARS):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]", depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise EngineError(f"variable '{path}': object keys must be strings, got {key!r}")
            _check(item, f"{path}.{key}", depth + 1)
        return
    from service.expr.feel.values import DaysTimeDuration, YearsMonthsDuration
    if isinstance(value, (DaysTimeDuration, YearsMonthsDuration)):
        return
    raise EngineError(f"variable '{path}' has a value of type {type(value).__name__}, which a process cannot hold")


__all__ = ["check_variables", "RESERVED_NAMES"]
