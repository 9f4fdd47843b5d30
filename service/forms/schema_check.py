"""Deploy-time check of a Camunda Form (form-js JSON) against the form-js schema, for the supported components.

A form that deploys must render and validate later: so the JSON text is bounded (size, nesting) before it
is parsed, every property the product reads has the type form-js gives it (naming the component and the
property), numbers are finite, `validate.pattern` compiles through the regex guard, and `conditional.hide`
compiles as FEEL. Properties form-js has and the product does not read are left alone (editor layout etc.).
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable, Mapping

from service.expr import ExpressionError, feel
from service.expr.regex_guard import PatternRefused, compile_pattern
from service.forms.definition import (CONTAINER_TYPES, DISPLAY_TYPES, VALUE_TYPES, FormDefinitionError,
                                      parse_camunda_form)

Check = Callable[[Any], str | None]          # None: fine; else what the value should be


def _string(v: Any) -> str | None:
    return None if isinstance(v, str) else "a string"


def _boolean(v: Any) -> str | None:
    return None if isinstance(v, bool) else "true or false"


def _bool_or_feel(v: Any) -> str | None:
    return None if isinstance(v, (bool, str)) else "true, false or a FEEL expression"


def _object(v: Any) -> str | None:
    return None if isinstance(v, Mapping) else "an object"


def _finite_number(v: Any) -> str | None:
    if isinstance(v, bool):
        return "a number"
    if isinstance(v, (int, float)):
        return None if math.isfinite(v) else "a finite number"
    if isinstance(v, str):
        try:
            return None if v.strip() == "" or math.isfinite(float(v)) else "a finite number"
        except ValueError:
            return "a number"
    return "a number"


def _count(upper: int) -> Check:
    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= upper:
            return f"a whole number from 0 to {upper}"
        return None
    return check


def _one_of(*allowed: str) -> Check:
    def check(v: Any) -> str | None:
        return None if v in allowed else "one of " + ", ".join(repr(a) for a in allowed)
    return check


def _values(v: Any) -> str | None:
    if not isinstance(v, list):
        return "a list of {label, value}"
    for item in v:
        if not isinstance(item, Mapping) or "value" not in item \
                or not isinstance(item["value"], (str, int, float, bool)) \
                or not isinstance(item.get("label", ""), str):
            return "a list of {label, value} (label a string, value a string, number or boolean)"
    return None


def _list(v: Any) -> str | None:
    return None if isinstance(v, list) else "a list"


_MAX_TEXT = 100_000                 # characters of one text or label: the page renders them on every view

COMMON: dict[str, Check] = {
    "id": _string, "key": _string, "type": _string, "label": _string, "description": _string,
    "validate": _object, "conditional": _object, "layout": _object, "properties": _object, "appearance": _object,
    "readonly": _bool_or_feel, "disabled": _bool_or_feel,
}
VALIDATE: dict[str, Check] = {
    "required": _boolean, "min": _finite_number, "max": _finite_number, "minLength": _count(10_000_000),
    "maxLength": _count(10_000_000), "pattern": _string, "validationType": _one_of("", "email", "phone"),
}
BY_TYPE: dict[str, dict[str, Check]] = {
    "text": {"text": _string}, "html": {"content": _string}, "image": {"source": _string, "alt": _string},
    "spacer": {"height": _count(10_000)}, "separator": {}, "button": {"action": _one_of("submit", "reset")},
    "iframe": {"url": _string, "height": _count(10_000)}, "table": {},
    "textfield": {}, "textarea": {},
    "number": {"decimalDigits": _count(20), "increment": _finite_number, "serializeToString": _boolean},
    "checkbox": {}, "expression": {"expression": _string, "computeOn": _string},
    "datetime": {"subtype": _one_of("date", "time", "datetime"), "dateLabel": _string, "timeLabel": _string,
                 "use24h": _boolean, "timeInterval": _count(1440), "disallowPassedDates": _boolean},
    "filepicker": {"multiple": _boolean, "accept": _string},
    "group": {"components": _list, "showOutline": _boolean},
    "dynamiclist": {"components": _list, "path": _string, "isRepeating": _boolean},
}
for _choice in ("radio", "select", "checklist", "taglist"):
    BY_TYPE[_choice] = {"values": _values, "valuesKey": _string, "valuesExpression": _string, "searchable": _boolean}
assert set(BY_TYPE) == DISPLAY_TYPES | CONTAINER_TYPES | VALUE_TYPES


def load_form_json(content: bytes, name: str, *, max_bytes: int, max_depth: int) -> Any:
    """The form's JSON, refused before parsing when over the size or nesting limit (naming the setting)."""
    if len(content) > max_bytes:
        raise FormDefinitionError(f"{name}: form of {len(content)} bytes is larger than the limit of {max_bytes} "
                                  f"bytes (ALUR_MAX_FORM_BYTES)")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormDefinitionError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    depth = json_depth(text)
    if depth > max_depth:
        raise FormDefinitionError(f"{name}: form JSON nested {depth} levels deep, more than the limit of "
                                  f"{max_depth} (ALUR_MAX_FORM_DEPTH)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormDefinitionError(f"{name} (line {exc.lineno}): not valid JSON: {exc.msg}") from None


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text, read without recursion (strings skipped)."""
    deepest = depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def check_form(data: Any, name: str) -> None:
    """Refuse a form the pages could not render or validate, naming the component and the property."""
    if not isinstance(data, Mapping):
        raise FormDefinitionError(f"{name}: a form must be a JSON object")
    if not isinstance(data.get("components"), list):
        raise FormDefinitionError(f"{name}: \"components\" must be a list")
    for i, component in enumerate(data["components"]):
        _check_component(component, name, f"components[{i}]")
    parse_camunda_form(data, name=name)       # keys, values, unique keys: the reader's own rules


def _check_component(data: Any, name: str, where: str) -> None:
    if not isinstance(data, Mapping):
        raise FormDefinitionError(f"{name}: {where} is not an object")
    ctype = data.get("type")
    cid = str(data.get("id") or data.get("key") or where)
    if not isinstance(ctype, str) or ctype not in BY_TYPE:
        raise FormDefinitionError(f"{name}: component '{cid}' has unknown type {ctype!r}; supported: "
                                  + ", ".join(sorted(BY_TYPE)))
    for prop, check in {**COMMON, **BY_TYPE[ctype]}.items():
        _check_value(data, prop, check, name, cid, prop)
    for prop in ("label", "description", "text", "content"):
        if isinstance(data.get(prop), str) and len(data[prop]) > _MAX_TEXT:
            raise FormDefinitionError(f"{name}: component '{cid}' has a '{prop}' longer than {_MAX_TEXT} characters")
    validate = data.get("validate") or {}
    for prop, check in VALIDATE.items():
        _check_value(validate, prop, check, name, cid, f"validate.{prop}")
    pattern = validate.get("pattern")
    if pattern:
        try:
            compile_pattern(pattern)
        except PatternRefused as exc:
            raise FormDefinitionError(f"{name}: component '{cid}' has a 'validate.pattern' that cannot be used: "
                                      f"{exc}") from None
    hide = (data.get("conditional") or {}).get("hide")
    if hide is not None:
        _check_feel(hide, name, cid, "conditional.hide")
    for i, child in enumerate(data.get("components") or []):
        _check_component(child, name, f"{cid}.components[{i}]")


def _check_value(data: Mapping[str, Any], prop: str, check: Check, name: str, cid: str, label: str) -> None:
    if prop in data and data[prop] is not None:
        wanted = check(data[prop])
        if wanted is not None:
            raise FormDefinitionError(f"{name}: component '{cid}' has '{label}' {_show(data[prop])}, expected "
                                      f"{wanted}")


def _check_feel(text: Any, name: str, cid: str, label: str) -> None:
    if not isinstance(text, str):
        raise FormDefinitionError(f"{name}: component '{cid}' has '{label}' {_show(text)}, expected a FEEL "
                                  f"expression")
    source = text.strip()
    if not source:
        return
    try:
        feel.compile_expression(source[1:] if source.startswith("=") else source)
    except ExpressionError as exc:
        raise FormDefinitionError(f"{name}: component '{cid}' has a '{label}' that is not valid FEEL: "
                                  f"{exc.message}") from None


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


__all__ = ["check_form", "load_form_json", "json_depth"]
