"""Process instances: GET /process-instance/{id}, its variables and activity instances; DELETE."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from service import ops as operations
from service.ops.views import InstanceView

from .common import arg_str, json_body, links, ops
from .variables import plain_to_typed, variables_to_plain, variables_to_typed

bp = Blueprint("rest_process_instance", __name__)


class ProcessInstanceSchema(Schema):
    id = fields.String()
    definitionId = fields.String(attribute="definition_id")
    definitionKey = fields.String(attribute="definition_key")
    businessKey = fields.String(attribute="business_key", allow_none=True)
    caseInstanceId = fields.Constant(None)
    ended = fields.Boolean()
    suspended = fields.Boolean()
    tenantId = fields.String(attribute="tenant_id", allow_none=True)


instance_schema = ProcessInstanceSchema()


def instance_json(view: InstanceView, *, with_links: bool = True,
                  variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = instance_schema.dump(view)
    if with_links:
        body = {"links": links([("self", f"/process-instance/{view.id}")]), **body}
    if variables is not None:
        body["variables"] = variables_to_typed(variables)
    return body


@bp.get("/process-instance/<instance_id>")
def get(instance_id: str) -> ResponseReturnValue:
    view = operations.get_instance(ops(), instance_id)
    if view.ended:
        # Camunda's runtime API does not know ended instances.
        return jsonify({"type": "InvalidRequestException",
                        "message": f"Process instance with id {instance_id} does not exist"}), 404
    return jsonify(instance_json(view, with_links=False))


@bp.delete("/process-instance/<instance_id>")
def delete(instance_id: str) -> ResponseReturnValue:
    operations.cancel_instance(ops(), instance_id, reason=arg_str("deleteReason"))
    return "", 204


@bp.get("/process-instance/<instance_id>/variables")
def variables(instance_id: str) -> ResponseReturnValue:
    return jsonify(variables_to_typed(operations.get_variables(ops(), instance_id)))


@bp.get("/process-instance/<instance_id>/variables/<name>")
def variable(instance_id: str, name: str) -> ResponseReturnValue:
    values = operations.get_variables(ops(), instance_id)
    if name not in values:
        return jsonify({"type": "InvalidRequestException",
                        "message": f"process instance variable with name {name} does not exist"}), 404
    return jsonify(plain_to_typed(values[name]))


@bp.post("/process-instance/<instance_id>/variables")
def modify_variables(instance_id: str) -> ResponseReturnValue:
    body = json_body()
    deletions = body.get("deletions") or []
    if not isinstance(deletions, list) or not all(isinstance(d, str) for d in deletions):
        from .errors import invalid
        raise invalid("'deletions' must be a list of variable names")
    operations.set_variables(ops(), instance_id, variables_to_plain(body.get("modifications"), field="modifications"),
                             remove=deletions)
    return "", 204


@bp.get("/process-instance/<instance_id>/activity-instances")
def activity_instances(instance_id: str) -> ResponseReturnValue:
    view = operations.get_instance(ops(), instance_id, with_active=True)
    children = [{"id": f"{a.element_id}:{instance_id}", "activityId": a.element_id, "activityName": a.name,
                 "activityType": a.element_type, "processInstanceId": instance_id,
                 "processDefinitionId": view.definition_id, "childActivityInstances": [],
                 "childTransitionInstances": [], "executionIds": [instance_id], "incidentIds": [], "incidents": []}
                for a in view.active_elements or []]
    return jsonify({"id": instance_id, "parentActivityInstanceId": None, "activityId": view.definition_id,
                    "activityType": "processDefinition", "processInstanceId": instance_id,
                    "processDefinitionId": view.definition_id, "childActivityInstances": children,
                    "childTransitionInstances": [], "executionIds": [instance_id], "activityName": None,
                    "incidentIds": [], "incidents": [], "name": None})


__all__ = ["bp", "instance_json", "ProcessInstanceSchema"]
