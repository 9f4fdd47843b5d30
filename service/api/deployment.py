"""POST /deployment/create (multipart, as Camunda Modeler sends it), GET /deployment/{id}."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from service import ops as operations
from service.ops.views import DeploymentView

from .common import CamundaDate, links, ops
from .definitions_json import by_id, decision_schema, process_schema
from .errors import invalid

bp = Blueprint("rest_deployment", __name__)

_FIELDS = {"deployment-name", "deployment-source", "tenant-id", "deploy-changed-only", "enable-duplicate-filtering",
           "deployment-activation-time"}


class DeploymentSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    deploymentTime = CamundaDate(attribute="deployment_time")
    tenantId = fields.String(attribute="tenant_id", allow_none=True)


deployment_schema = DeploymentSchema()


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


@bp.post("/deployment/create")
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


@bp.get("/deployment/<deployment_id>")
def get(deployment_id: str) -> ResponseReturnValue:
    return jsonify(deployment_json(operations.get_deployment(ops(), deployment_id), with_definitions=False))

