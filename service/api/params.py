"""No silent parameters: a URL query parameter or query-body property that a route does not declare is
answered 400 naming it (Camunda's Jersey would ignore it, and a client would get wrong data).

A route declares its URL parameters by its `Doc.query` schema (plus paging and sorting) and by
`Resource.route(params=...)`; a POST query's body by the same schema (plus `sorting`). A parameter sent
with a value that asks for nothing (`false`, empty, null, `{}`, `[]`: what clients such as pycamunda send
for options left at their default) is accepted, because it cannot change the answer.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import request
from marshmallow import Schema

from .errors import invalid
from .routes import DOCS, PARAMS

PAGING = frozenset({"firstResult", "maxResults"})
SORTING = frozenset({"sortBy", "sortOrder"})
# Camunda's switches to skip custom listeners and input/output mappings when deleting: nothing of either
# runs when Alur cancels an instance or deletes a deployment, so both values are honoured.
NOTHING_TO_SKIP = ("skipCustomListeners", "skipIoMappings")


def schema_keys(schema: Schema | type[Schema]) -> frozenset[str]:
    fields = (schema() if isinstance(schema, type) else schema).fields
    return frozenset(f.data_key or name for name, f in fields.items())


def declared_parameters(endpoint: str) -> frozenset[str]:
    """Every URL query parameter the route of `endpoint` ("blueprint.function") reads."""
    names = set(PARAMS.get(endpoint, ()))
    doc = DOCS.get(endpoint)
    if doc is not None and doc.query is not None:
        names |= (schema_keys(doc.query) - {"sorting"}) | SORTING | (PAGING if doc.many else frozenset())
    return frozenset(names)


def asks_nothing(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() in ("", "false")
    return value is None or value is False or value == {} or value == []


def refuse_undeclared(given: Mapping[str, Any] | Iterable[tuple[str, Any]], allowed: Iterable[str], *,
                      what: str = "Query parameter") -> None:
    known = set(allowed)
    items = given.items() if isinstance(given, Mapping) else given
    for key, value in items:
        if key not in known and not asks_nothing(value):
            raise invalid(f"{what} '{key}' is not supported")


def load_declared(schema: Schema, *, required: bool = False) -> dict[str, Any]:
    """A JSON body whose properties `schema` declares (others refused as above), loaded by it."""
    from .common import json_body

    body = json_body(required=required)
    refuse_undeclared(body, schema_keys(schema), what="Parameter")
    loaded: dict[str, Any] = schema.load(body)
    return loaded


def check_query_parameters() -> None:
    """before_request: refuse URL parameters the matched route does not declare."""
    if not request.args or request.endpoint is None:
        return
    endpoint = request.endpoint.split(".", 1)[-1]     # without the enclosing "engine_rest." blueprint
    refuse_undeclared(request.args.items(multi=True), declared_parameters(endpoint))


__all__ = ["PAGING", "SORTING", "NOTHING_TO_SKIP", "schema_keys", "declared_parameters", "asks_nothing",
           "refuse_undeclared", "load_declared", "check_query_parameters"]
