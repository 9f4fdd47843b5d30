"""GET /engine-rest/openapi.json: an OpenAPI 3 document built from the app's routes and the
marshmallow schemas that validate their requests (apispec + its marshmallow plugin).

Every /engine-rest route is listed. Routes with a known schema describe their query parameters,
JSON body and response; the others still list their path parameters and Camunda's error body.
"""
from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from .routes import DOCS, OPEN, PARAMS, Doc, Resource

resource = Resource("rest_openapi", __name__)
bp = resource.bp

_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")


class ExceptionSchema(Schema):
    type = fields.String(required=True)
    message = fields.String(required=True)


class CountResultSchema(Schema):
    count = fields.Integer(required=True)


class TypedValueSchema(Schema):
    value = fields.Raw(allow_none=True)
    type = fields.String(allow_none=True)
    valueInfo = fields.Dict(allow_none=True)


def _schema_name(schema: Any) -> str:
    """Unique component names: several resources have a `CompleteSchema` or `VariableValueSchema`."""
    cls = schema if isinstance(schema, type) else type(schema)
    module = cls.__module__.rsplit(".", 1)[-1]
    name = cls.__name__.removesuffix("Schema") or cls.__name__
    prefix = "".join(part.title() for part in module.split("_"))
    return name if module == "openapi" else f"{prefix}{name}"


def build_spec(app: Any, prefix: str = "/engine-rest") -> dict[str, Any]:
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    from .version import CAMUNDA_REST_VERSION

    spec = APISpec(title="Alur engine-rest (Camunda 7 compatible)", version=CAMUNDA_REST_VERSION,
                   openapi_version="3.0.3", plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": "Camunda 7 REST subset served by Alur. HTTP Basic authentication "
                                        "unless ALUR_REST_AUTH=off."},
                   servers=[{"url": prefix}])
    spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    spec.components.schema("Exception", schema=ExceptionSchema)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix + "/") or rule.endpoint.endswith("rest_openapi.document"):
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule[len(prefix):])
        suffix = ".".join(rule.endpoint.split(".")[-2:])
        doc = DOCS.get(suffix)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            # The first rule registered for a path and method is the one that answers (shadowing).
            if method.lower() not in paths.get(path, {}):
                paths.setdefault(path, {})[method.lower()] = _operation(rule, method, doc, suffix)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(rule: Any, method: str, doc: Doc | None, suffix: str) -> dict[str, Any]:
    params: list[dict[str, Any]] = [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                                    for name in rule.arguments]
    operation: dict[str, Any] = {"operationId": f"{suffix.replace('.', '_')}_{method.lower()}",
                                 "summary": doc.summary if doc else suffix, "parameters": params,
                                 "security": [{"basicAuth": []}]}
    if doc and doc.query is not None:
        if method == "GET":
            params.append({"in": "query", "schema": doc.query(exclude=("sorting",))})
            params.extend([{"in": "query", "name": "sortBy", "required": False, "schema": {"type": "string"}},
                           {"in": "query", "name": "sortOrder", "required": False,
                            "schema": {"type": "string", "enum": ["asc", "desc"]}}])
        else:
            operation["requestBody"] = {"content": {"application/json": {"schema": doc.query}}}
        if doc.many:
            params.extend([{"in": "query", "name": n, "required": False,
                            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}
                           for n in ("firstResult", "maxResults")])
    # Parameters the handler reads itself (Resource.route(params=...)); any other is answered 400.
    params.extend({"in": "query", "name": name, "required": False, "schema": {"type": "string"}}
                  for name in sorted(PARAMS.get(suffix, ())))
    if doc and doc.body is not None and method != "GET":
        operation["requestBody"] = {"required": doc.body_required,
                                    "content": {"application/json": {"schema": doc.body}}}
    if doc and doc.multipart:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {
                "deployment-name": {"type": "string"}, "deployment-source": {"type": "string"},
                "tenant-id": {"type": "string"}, "deploy-changed-only": {"type": "boolean"},
                "enable-duplicate-filtering": {"type": "boolean"},
                "data": {"type": "string", "format": "binary"}}}}}}
    responses: dict[str, Any] = {}
    status = doc.status if doc else 200
    if status == 204:
        responses["204"] = {"description": "No content"}
    else:
        content: dict[str, Any] = {"description": "OK"}
        if doc and doc.response is not None:
            schema: Any = doc.response
            content["content"] = {"application/json": {"schema": (
                {"type": "array", "items": schema} if doc.many else schema)}}
        responses[str(status)] = content
    error = {"content": {"application/json": {"schema": "Exception"}}}
    responses["400"] = {"description": "Invalid request", **error}
    responses["401"] = {"description": "Authentication required", **error}
    responses["403"] = {"description": "Not allowed", **error}
    responses["404"] = {"description": "Not found", **error}
    operation["responses"] = responses
    return operation


@resource.get("/openapi.json", access=OPEN)
def document() -> ResponseReturnValue:
    cache = current_app.extensions.setdefault("alur_openapi", {})
    if "spec" not in cache:
        cache["spec"] = build_spec(current_app)
    return jsonify(cache["spec"])


__all__ = ["bp", "build_spec", "ExceptionSchema", "CountResultSchema", "TypedValueSchema"]
