"""Checks that values entering an instance are plain engine values (see ARCHITECTURE: 'plain')."""
from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from .errors import EngineError

_SCALARS = (type(None), bool, int, float, str, Decimal, date, time)
# SpiffWorkflow keeps BPMN data objects under this key and the engine hides it from the variables:
# a variable of that name would be silently dropped.
RESERVED_NAMES = frozenset({"data_objects"})
# The engine's own variables: "alur__" ones are hidden markers (compensation.py) that FEEL can name.
RESERVED_PREFIXES = ("__alur", "alur__")


# Largest value of one variable, in bytes (about its JSON size); `create_app` sets it from
# ALUR_MAX_VARIABLE_BYTES. One number per process: every engine in it holds the same values.
MAX_VALUE_BYTES = 1024 * 1024


def set_max_value_bytes(limit: int) -> None:
    global MAX_VALUE_BYTES
    MAX_VALUE_BYTES = limit


def check_variables(values: Any) -> dict:
    """Return `values` if it maps names to plain values; raise EngineError naming the first problem."""
    if not isinstance(values, dict):
        raise EngineError("variables must be a mapping of names to values")
    for name, value in values.items():
        if not isinstance(name, str) or not name:
            raise EngineError(f"variable name {name!r} must be a non-empty string")
        if name.startswith(RESERVED_PREFIXES) or name in RESERVED_NAMES:
            raise EngineError(f"variable name {name!r} is reserved by the engine; choose another name")
        _check_text(name, name)          # first: later messages quote the name
        _Walk(name).check(value, name, 0)
    return values


def _check_text(text: str, path: str) -> None:
    # A lone UTF-16 surrogate cannot be stored as UTF-8 (PostgreSQL) nor sent as JSON to most clients.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        where = path.encode("utf-8", "backslashreplace").decode("utf-8")
        raise EngineError(f"variable '{where}' contains a lone UTF-16 surrogate at character {exc.start}") from None


class _Walk:
    """One variable's check: plain types, finite numbers, valid text, and its size within MAX_VALUE_BYTES."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.size = 0

    def _add(self, size: int) -> None:
        self.size += size
        if self.size > MAX_VALUE_BYTES:
            raise EngineError(f"variable '{self.name}' is larger than the limit of {MAX_VALUE_BYTES} bytes "
                              f"(ALUR_MAX_VARIABLE_BYTES)")

    def check(self, value: Any, path: str, depth: int) -> None:
        if depth > 64:
            raise EngineError(f"variable '{path}' is nested too deeply")
        if isinstance(value, datetime) and value.tzinfo is None:
            raise EngineError(f"variable '{path}': date-times must carry a timezone")
        if isinstance(value, str):
            self._add(len(value) + 2)
            _check_text(value, path)
            return
        if isinstance(value, float) and not math.isfinite(value):
            raise EngineError(f"variable '{path}' is {value!r}: a number must be finite")
        if isinstance(value, Decimal) and not value.is_finite():
            raise EngineError(f"variable '{path}' is {value}: a number must be finite")
        if isinstance(value, _SCALARS):
            self._add(8)
            return
        if isinstance(value, list):
            self._add(2 + len(value))
            for i, item in enumerate(value):
                self.check(item, f"{path}[{i}]", depth + 1)
            return
        if isinstance(value, dict):
            self._add(2 + len(value))
            for key, item in value.items():
                if not isinstance(key, str):
                    raise EngineError(f"variable '{path}': object keys must be strings, got {key!r}")
                self._add(len(key) + 3)
                _check_text(key, f"{path}.{key}")        # before the key is quoted in a message
                self.check(item, f"{path}.{key}", depth + 1)
            return
        from service.expr.feel.values import DaysTimeDuration, YearsMonthsDuration
        if isinstance(value, (DaysTimeDuration, YearsMonthsDuration)):
            self._add(8)
            return
        raise EngineError(f"variable '{path}' has a value of type {type(value).__name__}, which a process "
                          f"cannot hold")


__all__ = ["check_variables", "RESERVED_NAMES", "RESERVED_PREFIXES", "set_max_value_bytes"]
