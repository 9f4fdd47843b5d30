"""Deployments: POST /deployment/create (multipart, as Camunda Modeler sends it), GET /deployment (the
Modeler probes it with maxResults=0) and its count, one deployment, its resources and their bytes, DELETE."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from service import ops as operations
from service.ops import deployments as deployment_ops
from service.ops.views import DeploymentView

from .access import apply_tenant_filter
from .common import CamundaDate, arg_bool, links, ops
from .definitions import by_id, decision_schema, process_schema
from .errors import invalid
from .openapi import CountResultSchema
from .params import NOTHING_TO_SKIP
from .queries import QuerySchema, date, flag, read_query, string, strings
from .routes import MANAGE, READ, Doc, Resource

resource = Resource("rest_deployment", __name__)
bp = resource.bp

_FIELDS = {"deployment-name", "deployment-source", "tenant-id", "deploy-changed-only", "enable-duplicate-filtering",
           "deployment-activation-time"}
_MIME = {".bpmn": "application/xml", ".xml": "application/xml", ".dmn": "application/xml",
         ".form": "application/json", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml"}


class DeploymentQuerySchema(QuerySchema):
    id = string("id")
    name = string("name")
    name_like = string("nameLike")
    source = string("source")
    without_source = flag("withoutSource")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")
    include_without_tenant = flag("includeDeploymentsWithoutTenantId")
    before = date("before")
    after = date("after")


class DeploymentSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    deploymentTime = CamundaDate(attribute="deployment_time")
    tenantId = fields.String(attribute="tenant_id", allow_none=True)


class ResourceSchema(Schema):
    id = fields.String()
    name = fields.String()
    deploymentId = fields.String(attribute="deployment_id")


query_schema = DeploymentQuerySchema()
deployment_schema = DeploymentSchema()
resource_schema = ResourceSchema()


def _flag(name: str) -> bool:
    value = (request.form.get(name) or "").strip().lower()
    if value in ("", "false"):
        return False
    if value == "true":
        return True
    raise invalid(f"'{name}' must be true or false, not '{value}'")


def deployment_json(view: DeploymentView, *, with_definitions: bool = True) -> dict[str, Any]:
    body = {"links": links([("self", f"/deployment/{view.id}")]), **deployment_schema.dump(view)}
    if with_definitions:
        body.update({
            "deployedProcessDefinitions": by_id(process_schema, view.processes),
            "deployedCaseDefinitions": None,
            "deployedDecisionDefinitions": by_id(decision_schema, view.decisions),
            "deployedDecisionRequirementsDefinitions": None,
            "warnings": view.warnings,
        })
    return body


def _query() -> deployment_ops.DeploymentQuery | None:
    """The query, or None when this user can see no deployment it asks for."""
    values = read_query(query_schema)
    scope = apply_tenant_filter(values.pop("tenant_ids"), without_tenant=values.pop("without_tenant"),
                                include_without_tenant=values.pop("include_without_tenant"))
    if scope.empty:
        return None
    return deployment_ops.DeploymentQuery(**values, **scope.three_way())


@resource.get("/deployment", access=READ, doc=Doc("Query deployments", query=DeploymentQuerySchema,
                                                  response=DeploymentSchema, many=True))
def list_() -> ResponseReturnValue:
    q = _query()
    found = deployment_ops.query_deployments(ops(), q) if q is not None else []
    return jsonify([{"links": links([("self", f"/deployment/{d.id}")]), **deployment_schema.dump(d)} for d in found])


@resource.get("/deployment/count", access=READ, doc=Doc("Count deployments", query=DeploymentQuerySchema,
                                                        response=CountResultSchema))
def count() -> ResponseReturnValue:
    q = _query()
    return jsonify({"count": deployment_ops.count_deployments(ops(), q) if q is not None else 0})


@resource.post("/deployment/create", access=MANAGE, doc=Doc("Deploy BPMN/DMN/form resources (multipart)",
                                                            multipart=True, response=DeploymentSchema))
def create() -> ResponseReturnValue:
    if not (request.mimetype or "").startswith("multipart/form-data"):
        raise invalid("Request content type must be multipart/form-data with one part per resource")
    resources: list[operations.Resource] = []
    for part_name, storage in request.files.items(multi=True):
        name = storage.filename or part_name
        if not name:
            raise invalid("A resource part has no file name")
        resources.append(operations.Resource(name, storage.read()))
    for part_name, value in request.form.items(multi=True):
        if part_name not in _FIELDS:
            # Camunda deploys any other part as a resource named after the part.
            resources.append(operations.Resource(part_name, value.encode("utf-8")))
    if not resources:
        raise invalid("No deployment resources contained in the form upload.")
    changed_only = _flag("deploy-changed-only")
    view = operations.deploy(
        ops(), resources, name=request.form.get("deployment-name") or None,
        source=request.form.get("deployment-source") or None, tenant=request.form.get("tenant-id") or None,
        duplicate_filtering=_flag("enable-duplicate-filtering") or changed_only, changed_only=changed_only)
    return jsonify(deployment_json(view))


@resource.get("/deployment/<deployment_id>", access=READ, doc=Doc("A deployment", response=DeploymentSchema))
def get(deployment_id: str) -> ResponseReturnValue:
    return jsonify(deployment_json(operations.get_deployment(ops(), deployment_id), with_definitions=False))


@resource.delete("/deployment/<deployment_id>", access=MANAGE, params=("cascade", *NOTHING_TO_SKIP),
                 doc=Doc("Delete a deployment (cascade=true with its instances)", status=204))
def delete(deployment_id: str) -> ResponseReturnValue:
    deployment_ops.delete_deployment(ops(), deployment_id, cascade=arg_bool("cascade"))
    return "", 204


@resource.get("/deployment/<deployment_id>/resources", access=READ,
              doc=Doc("Resources of a deployment", response=ResourceSchema, many=True))
def resources(deployment_id: str) -> ResponseReturnValue:
    return jsonify([resource_schema.dump(r) for r in deployment_ops.list_resources(ops(), deployment_id)])


@resource.get("/deployment/<deployment_id>/resources/<resource_id>", access=READ,
              doc=Doc("One resource", response=ResourceSchema))
def resource_(deployment_id: str, resource_id: str) -> ResponseReturnValue:
    view, _ = deployment_ops.get_resource(ops(), deployment_id, resource_id)
    return jsonify(resource_schema.dump(view))


@resource.get("/deployment/<deployment_id>/resources/<resource_id>/data", access=READ,
              doc=Doc("The bytes of a resource"))
def resource_data(deployment_id: str, resource_id: str) -> ResponseReturnValue:
    view, content = deployment_ops.get_resource(ops(), deployment_id, resource_id)
    suffix = "." + view.name.rsplit(".", 1)[-1].lower() if "." in view.name else ""
    response = Response(content, mimetype=_MIME.get(suffix, "application/octet-stream"))
    response.headers["Content-Disposition"] = f'attachment; filename="{view.name.rsplit("/", 1)[-1]}"'
    return response


__all__ = ["bp", "resource", "deployment_json", "DeploymentQuerySchema", "DeploymentSchema", "ResourceSchema"]
