"""Camunda's variable filter parameters (`variables`, `processVariables`, `taskVariables`): a JSON list of
`{name, operator, value}` in a POST query, `name_operator_value` items separated by commas in a URL.

Values are typed as Camunda types them: a string in Camunda's date format is a date (its REST layer tries
that first); in a URL, `true`/`false` are booleans and numerals numbers."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from service.ops.variable_filters import OPERATORS, VariableFilter

from .dates import DateFormatError, parse_date

# yyyy-MM-dd'T'HH:mm:ss, optional .SSS and offset: what Camunda's object mapper reads as a Date.
_CAMUNDA_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?")


class VariableFilterSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1))
    operator = fields.String(required=True, validate=validate.OneOf(OPERATORS))
    value = fields.Raw(required=True, allow_none=True)


def _date_or(text: str) -> Any:
    if _CAMUNDA_DATE.fullmatch(text):
        try:
            return parse_date(text)
        except DateFormatError:
            return text
    return text


def _url_value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return _date_or(text)


class VariableFilterList(fields.List):
    """POST: a list of {name, operator, value}; GET: `name_operator_value` items separated by commas."""

    default_error_messages = {"invalid": "variable query parameter '{input}' has to have format KEY_OPERATOR_VALUE"}

    def __init__(self, key: str) -> None:
        super().__init__(fields.Nested(VariableFilterSchema), data_key=key, load_default=list)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, str):
            items = []
            for part in value.split(","):
                pieces = part.split("_")
                if len(pieces) != 3:
                    raise self.make_error("invalid", input=part)
                items.append({"name": pieces[0], "operator": pieces[1], "value": _url_value(pieces[2])})
            return super()._deserialize(items, attr, data, **kwargs)
        loaded = super()._deserialize(value, attr, data, **kwargs)
        for item in loaded:
            if isinstance(item["value"], str):
                item["value"] = _date_or(item["value"])
        return loaded


def to_filters(items: list[dict[str, Any]]) -> list[VariableFilter]:
    return [VariableFilter(i["name"], i["operator"], i["value"]) for i in items]


__all__ = ["VariableFilterSchema", "VariableFilterList", "to_filters"]
