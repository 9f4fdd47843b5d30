"""Plain engine values -> JSON for history rows (dates, decimals, FEEL values as text)."""
from __future__ import annotations

import decimal
from datetime import date, datetime, time, timedelta
from typing import Any


def json_safe(value: Any, _depth: int = 0) -> Any:
    if _depth > 50:
        return repr(value)[:200]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, decimal.Decimal):
        if value == value.to_integral_value() and abs(value) < 10**15:
            return int(value)
        return float(value) if abs(value.adjusted()) < 15 else str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v, _depth + 1) for v in value]
    return str(value)


__all__ = ["json_safe"]
