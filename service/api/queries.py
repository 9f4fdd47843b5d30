"""Camunda query resources: one marshmallow schema per query, read from the URL (GET) or the JSON
body (POST); paging always comes from the URL and sorting from `sortBy`/`sortOrder` (GET) or a
`sorting` list (POST). The same schemas feed the OpenAPI document."""
from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from .common import CamundaDate, json_body
from .errors import invalid
from .params import refuse_undeclared, schema_keys

MAX_INT = 2**31 - 1
LONG = validate.Range(min=-(2**63), max=2**63 - 1)
# Versions and priorities are 32-bit columns: a larger filter value is a 400, not a database error.
INT = validate.Range(min=-(2**31), max=2**31 - 1)


class CommaList(fields.List):
    """A list that a URL gives as `a,b,c` and a JSON body as an array."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v != ""]
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """A boolean whose null means false, as Camunda's (Jackson's) primitive booleans read it."""

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if value is None:
            return False
        return super().deserialize(value, attr, data, **kwargs)


def strings(key: str) -> CommaList:
    return CommaList(fields.String(), data_key=key, load_default=None, allow_none=True)


def string(key: str) -> fields.String:
    return fields.String(data_key=key, load_default=None, allow_none=True)


def flag(key: str) -> Flag:
    return Flag(data_key=key, load_default=False, allow_none=True)


def date(key: str) -> CamundaDate:
    return CamundaDate(data_key=key, load_default=None, allow_none=True)


def integer(key: str, **kw: Any) -> fields.Integer:
    return fields.Integer(data_key=key, load_default=None, allow_none=True, strict=False, validate=INT, **kw)


class SortingSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sortBy = fields.String(required=True)
    sortOrder = fields.String(required=True, validate=validate.OneOf(["asc", "desc"]))


class QuerySchema(Schema):
    """Base of every query schema. Its fields are the route's declared parameters: a name it does not
    declare is refused by `params` (URL) and `read_query` (POST body) before the schema loads."""

    class Meta:
        unknown = EXCLUDE

    sorting = fields.List(fields.Nested(SortingSchema), load_default=None, allow_none=True)


class PagingSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    firstResult = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_INT))
    maxResults = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=MAX_INT))


paging_schema = PagingSchema()


def _from_args(schema: Schema) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key in request.args and request.args.get(key) != "":
            data[key] = request.args.get(key)
    return data


def read_query(schema: QuerySchema) -> dict[str, Any]:
    """The query's filters as the schema's Python names, plus `sort`, `first_result`, `max_results`."""
    if request.method == "GET":
        loaded = schema.load(_from_args(schema))
        sort = _url_sorting()
    else:
        body = json_body()
        refuse_undeclared(body, schema_keys(schema) | {"sorting"})
        loaded = schema.load(body)
        sort = [(s["sortBy"], s["sortOrder"]) for s in (loaded.get("sorting") or [])]
    loaded.pop("sorting", None)
    page = paging_schema.load(_from_args(paging_schema))
    loaded.update(sort=sort, first_result=page["firstResult"], max_results=page["maxResults"])
    return loaded


def _url_sorting() -> list[tuple[str, str]]:
    sort_by = request.args.get("sortBy") or None
    sort_order = request.args.get("sortOrder") or None
    if (sort_by is None) != (sort_order is None):
        raise invalid("Only a single sorting parameter specified. sortBy and sortOrder required")
    if sort_order is not None and sort_order not in ("asc", "desc"):
        raise invalid(f"Cannot set query parameter 'sortOrder' to value '{sort_order}'")
    return [(sort_by, sort_order)] if sort_by and sort_order else []


def without_paging(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("sort", "first_result", "max_results")}


def load_body(schema: Schema, *, required: bool = False) -> dict[str, Any]:
    """A JSON body validated by `schema`; an empty body is `{}` unless required."""
    return schema.load(json_body(required=required))


__all__ = ["CommaList", "Flag", "strings", "string", "flag", "date", "integer", "SortingSchema", "QuerySchema",
           "PagingSchema", "read_query", "without_paging", "load_body", "ValidationError", "MAX_INT", "LONG", "INT"]
