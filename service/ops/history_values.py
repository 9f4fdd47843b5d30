"""Typed values in history rows.

History rows store JSON, where a date is text. The type of a value that JSON cannot carry is recorded
next to it (`valueType`, see `annotate_event_data`) and restored when the history is read, so history
answers with the same Camunda types as the runtime variable endpoints. Rows written before the type
was recorded are recognised by the text `datetime.isoformat()` gives (its offset has a colon, which
Camunda's own date text never has).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

VALUE_TYPE_KEY = "valueType"
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}")


def value_type(value: Any) -> str | None:
    """The type to record for a value whose JSON form would lose it (None: JSON keeps it)."""
    if isinstance(value, datetime):
        return "Date"
    if isinstance(value, date):
        return "LocalDate"
    return None


def annotate_event_data(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` of an engine history event with the value type recorded (before it becomes JSON)."""
    if kind == "variable_set" and VALUE_TYPE_KEY not in data:
        recorded = value_type(data.get("value"))
        if recorded is not None:
            return {**data, VALUE_TYPE_KEY: recorded}
    return data


def restore_value(value: Any, recorded: str | None = None) -> Any:
    """The engine value of a stored one: dates become `datetime`/`date` again."""
    if not isinstance(value, str):
        return value
    try:
        if recorded == "Date" or (recorded is None and _ISO_DATETIME.fullmatch(value)):
            return datetime.fromisoformat(value)
        if recorded == "LocalDate":
            return date.fromisoformat(value)
    except ValueError:
        return value
    return value


__all__ = ["VALUE_TYPE_KEY", "value_type", "annotate_event_data", "restore_value"]
