"""Deployments: GET /deployment (Camunda Modeler probes it with maxResults=0), /deployment/count,
resources of a deployment and their bytes, DELETE /deployment/{id}."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from service.ops import deployments as admin

from .access import apply_tenant_filter
from .common import CamundaDate, arg_bool, links, ops
from .queries import QuerySchema, date, flag, read_query, string, strings

bp = Blueprint("rest_deployment_query", __name__)


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


def _query() -> admin.DeploymentQuery | None:
    """The query, or None when this user can see no deployment it asks for."""
    values = read_query(query_schema)
    scope = apply_tenant_filter(values.pop("tenant_ids"), without_tenant=values.pop("without_tenant"),
                                include_without_tenant=values.pop("include_without_tenant"))
    if scope.empty:
        return None
    return admin.DeploymentQuery(**values, **scope.three_way())


@bp.get("/deployment")
def list_() -> ResponseReturnValue:
    q = _query()
    found = admin.query_deployments(ops(), q) if q is not None else []
    return jsonify([{"links": links([("self", f"/deployment/{d.id}")]), **deployment_schema.dump(d)} for d in found])


@bp.get("/deployment/count")
def count() -> ResponseReturnValue:
    q = _query()
    return jsonify({"count": admin.count_deployments(ops(), q) if q is not None else 0})


@bp.get("/deployment/<deployment_id>/resources")
def resources(deployment_id: str) -> ResponseReturnValue:
    return jsonify([resource_schema.dump(r) for r in admin.list_resources(ops(), deployment_id)])


@bp.get("/deployment/<deployment_id>/resources/<resource_id>")
def resource(deployment_id: str, resource_id: str) -> ResponseReturnValue:
    view, _ = admin.get_resource(ops(), deployment_id, resource_id)
    return jsonify(resource_schema.dump(view))


_MIME = {".bpmn": "application/xml", ".xml": "application/xml", ".dmn": "application/xml",
         ".form": "application/json", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml"}


@bp.get("/deployment/<deployment_id>/resources/<resource_id>/data")
def resource_data(deployment_id: str, resource_id: str) -> ResponseReturnValue:
    view, content = admin.get_resource(ops(), deployment_id, resource_id)
    suffix = "." + view.name.rsplit(".", 1)[-1].lower() if "." in view.name else ""
    response = Response(content, mimetype=_MIME.get(suffix, "application/octet-stream"))
    response.headers["Content-Disposition"] = f'attachment; filename="{view.name.rsplit("/", 1)[-1]}"'
    return response


@bp.delete("/deployment/<deployment_id>")
def delete(deployment_id: str) -> ResponseReturnValue:
    admin.delete_deployment(ops(), deployment_id, cascade=arg_bool("cascade"))
    return "", 204


__all__ = ["bp", "DeploymentQuerySchema", "DeploymentSchema", "ResourceSchema"]
