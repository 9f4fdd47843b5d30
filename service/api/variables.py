"""Camunda typed variables <-> plain engine values.

Request: `{"name": {"value": ..., "type": "Integer", "valueInfo": {...}}}`; a missing type is inferred
from the JSON value. Response: the same shape, with the type chosen from the Python value.
"""
from __future__ import annotations

import decimal
import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

from marshmallow import EXCLUDE, Schema, fields

from service.ops.file_variables import FileUpload, is_reference

from .dates import DateFormatError, format_date, parse_date

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
SHORT_MIN, SHORT_MAX = -(2**15), 2**15 - 1


class VariableValueSchema(Schema):
    """The body of PUT .../variables/{name}: one typed value."""

    class Meta:
        unknown = EXCLUDE

    value = fields.Raw(load_default=None, allow_none=True)
    type = fields.String(load_default=None, allow_none=True)
    valueInfo = fields.Dict(load_default=None, allow_none=True)


class VariableError(ValueError):
    """A typed variable cannot be converted; the message names the variable, its type and value."""


def _fail(name: str, value: Any, type_name: str, why: str = "") -> VariableError:
    shown = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
    if len(shown) > 80:
        shown = shown[:77] + "..."
    extra = f": {why}" if why else ""
    return VariableError(f"Cannot convert value '{shown}' of variable '{name}' to type {type_name}{extra}")


def _integer(name: str, value: Any, type_name: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise _fail(name, value, type_name)
    if isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    elif isinstance(value, str):
        try:
            result = int(value.strip())
        except ValueError:
            raise _fail(name, value, type_name) from None
    else:
        raise _fail(name, value, type_name)
    if not low <= result <= high:
        raise _fail(name, value, type_name, "out of range")
    return result


def _double(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise _fail(name, value, "Double")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise _fail(name, value, "Double") from None
    raise _fail(name, value, "Double")


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _fail(name, value, "Boolean")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number: numbers must be finite")


def _json_text(name: str, value: Any, type_name: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value, parse_constant=_not_json)
        except json.JSONDecodeError as exc:
            raise _fail(name, value, type_name, f"not valid JSON ({exc.msg})") from None
        except ValueError as exc:
            raise _fail(name, value, type_name, str(exc)) from None
        except RecursionError:
            raise _fail(name, value, type_name, "JSON nested too deeply") from None
    if value is None or isinstance(value, (dict, list, int, float, bool)):
        return value      # already-parsed JSON is accepted as well
    raise _fail(name, value, type_name)


def typed_to_plain(name: str, typed: Any) -> Any:
    if not isinstance(typed, Mapping):
        raise VariableError(f"Variable '{name}' must be an object with 'value' and 'type'")
    value = typed.get("value")
    type_name = typed.get("type")
    if type_name is None or type_name == "":
        return value
    if not isinstance(type_name, str):
        raise VariableError(f"Variable '{name}': 'type' must be a string")
    kind = type_name.lower()
    if value is None and kind != "null":
        return None        # Camunda allows a null value of any type
    if kind == "string":
        if isinstance(value, (dict, list)):
            raise _fail(name, value, "String")
        return value if isinstance(value, str) else json.dumps(value)
    if kind == "integer":
        return _integer(name, value, "Integer", INT_MIN, INT_MAX)
    if kind == "long":
        return _integer(name, value, "Long", LONG_MIN, LONG_MAX)
    if kind == "short":
        return _integer(name, value, "Short", SHORT_MIN, SHORT_MAX)
    if kind == "double":
        return _double(name, value)
    if kind == "boolean":
        return _boolean(name, value)
    if kind == "date":
        if not isinstance(value, str):
            raise _fail(name, value, "Date")
        try:
            return parse_date(value)
        except DateFormatError as exc:
            raise VariableError(f"Variable '{name}': {exc}") from None
    if kind == "null":
        return None
    if kind == "json":
        return _json_text(name, value, "Json")
    if kind == "object":
        info = typed.get("valueInfo") or {}
        fmt = info.get("serializationDataFormat", "application/json") if isinstance(info, Mapping) else None
        if fmt not in (None, "application/json"):
            raise VariableError(f"Variable '{name}': only serializationDataFormat application/json is supported, "
                                f"not {fmt!r}")
        return _json_text(name, value, "Object")
    if kind == "file":
        return _file(name, value, typed.get("valueInfo"))
    raise VariableError(f"Variable '{name}': unsupported value type '{type_name}' (supported: String, Integer, Long, "
                        "Short, Double, Boolean, Date, Json, Object, File, Null)")


_TOKEN = re.compile(r"[A-Za-z0-9!#$&^_.+-]{1,100}(/[A-Za-z0-9!#$&^_.+-]{1,100})?")


def _file(name: str, value: Any, info: Any) -> FileUpload:
    """Camunda's File value: base64 content, valueInfo filename (required), mimeType, encoding."""
    import base64
    import binascii

    info = info if isinstance(info, Mapping) else {}
    filename = info.get("filename")
    if not isinstance(filename, str) or not filename.strip():
        raise VariableError(f"Variable '{name}': a File value needs valueInfo.filename")
    if not isinstance(value, str):
        raise _fail(name, value, "File", "the value must be base64 text")
    try:
        content = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(name, value[:40], "File", "the value is not base64") from None
    mime, encoding = info.get("mimeType"), info.get("encoding")
    for what, text in (("mimeType", mime), ("encoding", encoding)):
        if text not in (None, "") and (not isinstance(text, str) or not _TOKEN.fullmatch(text)):
            raise VariableError(f"Variable '{name}': valueInfo.{what} {text!r} is not a MIME type / charset name")
    return FileUpload(filename=filename.strip(), content=content,
                      mime_type=mime if isinstance(mime, str) and mime else None,
                      encoding=encoding if isinstance(encoding, str) and encoding else None)


def variables_to_plain(body: Any, *, field: str = "variables") -> dict[str, Any]:
    """A request's `variables` object -> {name: plain value}."""
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise VariableError(f"'{field}' must be a JSON object of typed variables")
    result: dict[str, Any] = {}
    for name, typed in body.items():
        if not isinstance(name, str) or not name:
            raise VariableError(f"'{field}': variable names must be non-empty strings")
        result[name] = typed_to_plain(name, typed)
    return result


def plain_to_typed(value: Any) -> dict[str, Any]:
    if value is None:
        return {"type": "Null", "value": None, "valueInfo": {}}
    if isinstance(value, bool):
        return {"type": "Boolean", "value": value, "valueInfo": {}}
    if isinstance(value, int):
        kind = "Integer" if INT_MIN <= value <= INT_MAX else "Long"
        return {"type": kind, "value": value, "valueInfo": {}}
    if isinstance(value, float):
        return {"type": "Double", "value": value, "valueInfo": {}}
    if isinstance(value, decimal.Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return plain_to_typed(int(value))
        return {"type": "Double", "value": float(value), "valueInfo": {}}
    if isinstance(value, str):
        return {"type": "String", "value": value, "valueInfo": {}}
    if isinstance(value, (datetime, date)) and not isinstance(value, time):
        return {"type": "Date", "value": format_date(value), "valueInfo": {}}
    if is_reference(value):
        # Camunda sends no content with a File value; it is downloaded from .../variables/{name}/data.
        info = {"filename": value.get("filename"), "mimeType": value.get("mimeType")}
        if value.get("encoding"):
            info["encoding"] = value["encoding"]
        return {"type": "File", "value": None, "valueInfo": info}
    if isinstance(value, (dict, list, tuple)):
        return {"type": "Json", "value": json.dumps(_jsonable(value), ensure_ascii=False), "valueInfo": {}}
    return {"type": "String", "value": _text(value), "valueInfo": {}}


def _text(value: Any) -> str:
    if isinstance(value, timedelta):
        from isodate import duration_isoformat
        return duration_isoformat(value)
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime, date)):
        return format_date(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return _text(value)


def variables_to_typed(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: plain_to_typed(v) for name, v in values.items()}


__all__ = ["VariableValueSchema", "VariableError", "typed_to_plain", "variables_to_plain", "plain_to_typed",
           "variables_to_typed"]
